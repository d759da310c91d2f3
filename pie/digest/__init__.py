"""The weekly digest by e-mail (issue 17; docs/DIGEST.md): for each account, what changed this
week in its scope, who stalled, what awaits it — in its language, with links to the pages.

    from pie import digest

    for account, rendered in digest.build(db_path):          # every enabled account (or user=NAME)
        digest.mail.write_preview(rendered, folder, account.user_name)

- content: the figures of one account's digest, each read in its own scope (Scope.for_role).
- render: subject, HTML (Jinja2, autoescaped, inline CSS) and plain text in its language.
- mail: the message, sending through the SMTP server of the settings, previews.

An edge like the leadership report: it reads the domains' figures (programme, financing) and
the import queue; no domain imports it.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

from pie import auth, db
from pie.digest import content, mail, render
from pie.digest.content import Account
from pie.digest.render import Rendered
from pie.errors import PieError

__all__ = ["Account", "Rendered", "accounts", "build", "content", "mail", "render"]


def accounts(db_path: Path | str, user: str | None = None) -> list[Account]:
    """The enabled accounts a digest is made for (all, or the one named `user`; PieError when
    there is no such enabled account). A disabled account gets none."""
    found = [Account.from_row(row) for row in auth.list_users(db_path)
             if not row["disabled"] and (user is None or row["user_name"] == user)]
    if user is not None and not found:
        raise PieError(key="digest.error.unknown_user", name=user[:64])
    return found


def build(db_path: Path | str, user: str | None = None, today: date | None = None,
          base_url: str | None = None) -> Iterator[tuple[Account, Rendered]]:
    """Each account's digest for the week ending on `today` (default the system's date; the
    data date when the data are older: content.week_end_for), rendered in its language."""
    chosen = accounts(db_path, user)
    source = db.reader(db_path)
    week_end = content.week_end_for(source, today)
    for account in chosen:
        yield account, render.render(content.collect(source, db_path, account, week_end), base_url)
