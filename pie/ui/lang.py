"""The session's language, and pie.i18n bound to it: pages and pie/ui write `t("key")`.

French only for now; the languages issue sets `st.session_state["language"]` and every page
follows without being touched.
"""
from __future__ import annotations

import streamlit as st
from babel.numbers import format_compact_decimal

from pie import i18n, kpis
from pie.cli import format_indicator

LANGUAGE_KEY = "language"
COMPACT_FROM = 1_000_000  # amounts from here on are written 12,3 M MAD where space is short


def language() -> str:
    """The language of this session (French unless the session chose another)."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, /, **values: object) -> str:
    return i18n.t(key, language(), **values)


def label(kind: str, code: str | None) -> str:
    return i18n.label(kind, code, language())


def number(value: object, decimals: int = 0) -> str:
    return i18n.fmt_number(value, language(), decimals)


def percent(value: object, decimals: int = 1) -> str:
    return i18n.fmt_percent(value, language(), decimals)


def signed(value: object, decimals: int = 0) -> str:
    return i18n.fmt_signed(value, language(), decimals)


def indicator(key: str, value: object) -> str:
    """A METRICS.md indicator as people read it: 12 500, 45,3 %, 170 000 MAD."""
    return format_indicator(key, value, language())


def short_amount(value: float, sign: bool = False) -> str:
    """An amount in dirhams that fits a card: 170 000 MAD, 12,3 M MAD (+ sign if `sign`)."""
    if abs(value) < COMPACT_FROM:
        text = signed(value) if sign else number(value)
    else:
        text = format_compact_decimal(abs(value) if sign else value, locale=i18n.BABEL_LOCALE[language()],
                                      fraction_digits=1)
        text = ("+" if value >= 0 else "-") + text if sign else text
    return f"{text}\u00a0{t('unit.mad')}"


def short_indicator(key: str, value: object) -> str:
    """`indicator`, with large amounts shortened (short_amount)."""
    if key in kpis.AMOUNT_KEYS and value is not None:
        return short_amount(float(value))
    return indicator(key, value)
