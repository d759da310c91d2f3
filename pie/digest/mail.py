"""Digests as e-mails: one message per account, sent through the SMTP server of the settings,
or written as HTML files for a preview.

Sending: one SMTP connection per message, so a refused recipient or a dropped connection fails
that account only; the others are still sent. STARTTLS when the server offers it (unless
PIE_SMTP_STARTTLS=0, for a server on loopback); with a user name and password set, a server
that offers no STARTTLS is refused rather than sent the password in clear.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from pie.config import Settings, settings
from pie.digest.render import Rendered
from pie.errors import PieError

SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    user_name: str
    email: str
    error: str | None = None     # None: accepted by the server


def message(rendered: Rendered, to: str, sender: str) -> EmailMessage:
    """The mail: plain text, then its HTML alternative, both UTF-8; Content-Language says the
    account's language."""
    mail = EmailMessage()
    mail["Subject"] = rendered.subject
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"   # RFC 3834: no out-of-office replies, please
    mail.set_content(rendered.text, charset="utf-8")
    mail.add_alternative(rendered.html, subtype="html", charset="utf-8")
    mail["Content-Language"] = rendered.language  # after the parts: set_content drops Content-* headers
    return mail


def check_settings(config: Settings | None = None) -> Settings:
    """The settings, or PieError when no SMTP server or sender is configured."""
    config = config or settings()
    if not config.smtp_host or not config.smtp_from:
        raise PieError(key="digest.error.no_smtp")
    return config


def send(mail: EmailMessage, config: Settings) -> None:
    """Send one message (smtplib's exceptions and OSError go to the caller)."""
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as server:
        server.ehlo()
        encrypted = False
        if config.smtp_starttls and server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
            encrypted = True
        if config.smtp_user and config.smtp_password:
            if config.smtp_starttls and not encrypted:
                raise PieError(key="digest.error.no_tls", host=config.smtp_host)
            server.login(config.smtp_user, config.smtp_password)
        server.send_message(mail)


def send_all(messages: list[tuple[str, EmailMessage]], config: Settings, language: str = "fr") -> list[Outcome]:
    """Send each (user_name, message); one Outcome per message, failures included (their
    reason in `language` when it is ours, else as the server or the system said it)."""
    outcomes = []
    for user_name, mail in messages:
        try:
            send(mail, config)
        except (smtplib.SMTPException, OSError, PieError) as error:
            reason = error.text(language) if isinstance(error, PieError) else _reason(error)
            outcomes.append(Outcome(user_name, mail["To"], reason))
        else:
            outcomes.append(Outcome(user_name, mail["To"]))
    return outcomes


def _reason(error: Exception) -> str:
    """What the server said (SMTP code and text), else the error's class and message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"[:300]


def write_preview(rendered: Rendered, folder: Path, user_name: str) -> Path:
    """The HTML part as `folder/<user_name>.html` (the folder is created; a file is replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{user_name}.html"
    path.write_text(rendered.html, encoding="utf-8")
    return path
