"""A digest (content.DigestData) as an e-mail's parts: subject, HTML and plain text, in the
account's language.

Every text is a pie/locales key and every number goes through pie.i18n / kpis.format_indicator;
the Jinja2 templates (templates/) only lay them out, with autoescape on, so every value is
HTML-escaped. The HTML has inline CSS only and no external image or font (mail clients block
them); Arabic gets lang="ar" dir="rtl".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from pie import i18n
from pie.config import settings
from pie.digest.content import DigestData
from pie.kpis import format_indicator

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    language: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _signed(key: str, change: int | float | None, language: str) -> str:
    """+3 / -1 / +12 500 MAD / 0: the change in the indicator's own format, with its sign."""
    if change is None:
        return i18n.EMPTY
    sign = "+" if change > 0 else "-" if change < 0 else ""
    return sign + format_indicator(key, abs(change), language)


def link(page: str, base_url: str | None = None) -> str | None:
    """The page's address on the dashboard (PIE_PUBLIC_URL + /page), None without a public URL."""
    base = settings().public_url if base_url is None else base_url.rstrip("/")
    return f"{base}/{page}" if base else None


def subject(data: DigestData) -> str:
    return i18n.t("digest.subject", data.account.language, date=i18n.fmt_date(data.week_end, data.account.language))


def render(data: DigestData, base_url: str | None = None) -> Rendered:
    """The subject, HTML and plain-text parts of `data`'s mail."""
    lang = data.account.language
    t = lambda key, **values: i18n.t(key, lang, **values)  # noqa: E731 - the templates' short name
    page_name = lambda page: t(f"page.{page}.nav")  # noqa: E731
    week_end = i18n.fmt_date(data.week_end, lang)
    changes = [{"label": t(f"kpi.{change.key}"), "value": format_indicator(change.key, change.value, lang),
                "change": _signed(change.key, change.change, lang)} for change in data.changes]
    stalled = None
    if data.newly_stalled is not None:
        from pie.programme.figures import DEFAULT_IDLE_DAYS

        stalled = {"text": t("digest.stalled.text", days=i18n.fmt_number(DEFAULT_IDLE_DAYS, lang),
                             newly=i18n.fmt_number(data.newly_stalled, lang),
                             listed=i18n.fmt_number(data.call_list, lang)),
                   "privacy": t("digest.stalled.privacy"),
                   "link": link("follow_up", base_url), "link_text": t("digest.link.page", page=page_name("follow_up"))}
    waiting = [{"label": t(f"digest.waiting.{item.key}", days=i18n.fmt_number(item.days, lang)) if item.days
                else t(f"digest.waiting.{item.key}"),
                "count": i18n.fmt_number(item.count, lang), "link": link(item.page, base_url),
                "link_text": t("digest.link.page", page=page_name(item.page))}
               for item in data.waiting if item.count]
    context = {
        "lang": lang,
        "dir": "rtl" if i18n.is_rtl(lang) else "ltr",
        "align": "right" if i18n.is_rtl(lang) else "left",
        "subject": subject(data),
        "greeting": t("digest.greeting", name=data.account.user_name),
        "intro": t("digest.intro", start=i18n.fmt_date(data.week_start, lang), end=week_end),
        "scope": t("digest.scope", scope=data.scope_label) if data.scope_label else t("digest.scope_all"),
        "changes_title": t("digest.section.changes"),
        "column_indicator": t("digest.column.indicator"),
        "column_value": t("digest.column.value", date=week_end),
        "column_change": t("digest.column.change"),
        "changes": changes,
        "home_link": link(data.home_page, base_url),
        "home_link_text": t("digest.link.page", page=page_name(data.home_page)),
        "stalled_title": t("digest.section.stalled"),
        "stalled": stalled,
        "waiting_title": t("digest.section.waiting"),
        "waiting": waiting,
        "next_report": (t("digest.waiting.next_report", date=i18n.fmt_date(data.next_report_due, lang))
                        if data.next_report_due else None),
        "nothing_waiting": t("digest.waiting.none"),
        # leadership reads aggregates only: it has no "waiting" section at all
        "show_waiting": bool(data.waiting) or data.next_report_due is not None,
        "footer": t("digest.footer.why", name=data.account.user_name, date=week_end),
        "no_link": None if link(data.home_page, base_url) else t("digest.footer.no_link"),
    }
    environment = _environment()
    html = environment.get_template("digest.html.j2").render(context)
    text = environment.get_template("digest.txt.j2").render(context)
    return Rendered(context["subject"], html, text, lang)
