"""Translations and locale formats. All user-facing text goes through `t`.

Translations are one flat JSON file per language in pie/locales/ (key -> text with
`{name}` placeholders). French is the default and the reference: a key missing in another
language falls back to French (tests/test_i18n.py fails on any missing key). Numbers, amounts,
percentages and dates are formatted with Babel for the language's Moroccan locale.
"""
from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("fr", "ar", "en")
DEFAULT_LANGUAGE = "fr"
BABEL_LOCALE = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_US"}
RIGHT_TO_LEFT = frozenset({"ar"})
# Each language by its own name, as a language selector lists them (not translated).
LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}
EMPTY = "—"
# Bidi marks Babel puts in some Arabic patterns (dates, currency); a table cell or a chart
# label is drawn in its own direction, where they only misplace the text around them.
BIDI_MARKS = "\u200e\u200f\u061c"


def is_rtl(language: str) -> bool:
    """True for a language written right to left (Arabic)."""
    return language in RIGHT_TO_LEFT


def normalise_language(value: object) -> str:
    """`value` if it is one of LANGUAGES (any case, spaces around), else the default (French)."""
    text = str(value or "").strip().lower()
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


def strip_marks(text: str) -> str:
    """`text` without Babel's invisible bidi marks."""
    return text.translate({ord(mark): None for mark in BIDI_MARKS})


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """Every key -> text of one language (empty for a language without a file yet)."""
    path = LOCALES_DIR / f"{language}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The text of `key` in `language`, with `{name}` placeholders filled from `values`.

    Falls back to French, then to the key itself (so a missing key shows, never crashes).
    """
    text = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def label(kind: str, code: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """The translated label of a data-model code, e.g. label("phase", "immersion")."""
    if code is None:
        return EMPTY
    return t(f"code.{kind}.{code}", language)


def _absent(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


@functools.lru_cache(maxsize=65536)
def _formatted(kind: str, value: str, pattern: str, language: str) -> str:
    """Babel's text for a number (`value` as str): remembered, since Babel takes about a
    millisecond per call and a page formats thousands of chart labels and table cells."""
    formatter = babel_numbers.format_percent if kind == "percent" else babel_numbers.format_decimal
    return formatter(Decimal(value), format=pattern, locale=BABEL_LOCALE[language])


def fmt_number(value: object, language: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """12 500 (fr), 12.500 (ar), 12,500 (en); `decimals` fixed digits after the mark."""
    if _absent(value):
        return EMPTY
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _formatted("decimal", str(value), pattern, language)


def fmt_percent(value: object, language: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """A fraction 0..1 as 45,3 % (fr), 45,3% (ar), 45.3% (en)."""
    if _absent(value):
        return EMPTY
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + " %"
    text = _formatted("percent", str(value), pattern, language)
    # French puts a no-break space before %; Arabic (ar_MA) and English write none
    return text.replace(" %", "\u00a0%") if language == "fr" else text.replace(" %", "%")


def fmt_mad(value: object, language: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """An amount in dirhams: 12 500 MAD (fr); `decimals=2` gives 12 500,50 MAD."""
    if _absent(value):
        return EMPTY
    return f"{fmt_number(value, language, decimals)}\u00a0{t('unit.mad', language)}"


def fmt_date(value: date | None, language: str = DEFAULT_LANGUAGE) -> str:
    """02/10/2023 (fr and ar), 10/02/2023 (en)."""
    if value is None:
        return EMPTY
    pattern = "MM/dd/yyyy" if language == "en" else "dd/MM/yyyy"
    return babel_dates.format_date(value, format=pattern, locale=BABEL_LOCALE[language])


def fmt_signed(value: object, language: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """A change with its sign: +1 234 / −56."""
    if _absent(value):
        return EMPTY
    text = fmt_number(abs(value), language, decimals)
    return ("+" if value >= 0 else "-") + text


# Amounts from here on are abbreviated where space is short (cards, captions): 12,3 M MAD.
COMPACT_FROM = 1_000_000
COMPACT_DECIMALS = 1  # every abbreviated figure has one decimal: 5,0 M MAD beside 6,7 M MAD


@functools.cache
def _compact_patterns(language: str) -> tuple[tuple[int, str], ...]:
    """(threshold, Babel's short pattern) from a million up, e.g. (1000000, '0 M'), (10000000,
    '00 M'), (1000000000, '0 Md') in French; the plural form "other" (the same text for
    every form in our three languages)."""
    formats = Locale.parse(BABEL_LOCALE[language]).compact_decimal_formats["short"]["other"]
    return tuple(sorted((int(threshold), pattern.pattern) for threshold, pattern in formats.items()
                        if int(threshold) >= COMPACT_FROM))


def fmt_compact(value: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A large number abbreviated with one rule: Babel's abbreviation for the language (M, Md;
    مليون, مليار; M, B) and always COMPACT_DECIMALS decimal — 5,0 M and 6,7 M (fr), never 5 M
    beside 6,7 M; below COMPACT_FROM the number in full (fmt_number)."""
    if _absent(value):
        return EMPTY
    number = float(value)
    if abs(number) < COMPACT_FROM:
        return fmt_number(round(number), language)
    chosen = None
    for threshold, pattern in _compact_patterns(language):
        digits = pattern.count("0")
        divisor = threshold // 10 ** (digits - 1)
        # 999 950 000 rounds to 1 000,0 M: it is written 1,0 Md, the next abbreviation
        if round(abs(number) / divisor, COMPACT_DECIMALS) >= threshold // divisor:
            chosen = (pattern, digits, divisor)
    if chosen is None:
        return fmt_number(round(number), language)
    pattern, digits, divisor = chosen
    shown = fmt_number(round(number / divisor, COMPACT_DECIMALS), language, COMPACT_DECIMALS)
    return pattern.replace("0" * digits, shown, 1).replace("'", "")


def fmt_mad_short(value: object, language: str = DEFAULT_LANGUAGE, sign: bool = False) -> str:
    """An amount in dirhams that fits a card: 170 000 MAD in full, from a million on
    abbreviated with one decimal (12,3 M MAD, 5,0 M MAD); with `sign`, +/- in front."""
    if _absent(value):
        return EMPTY
    number = float(value)
    text = fmt_compact(abs(number) if sign else number, language)
    if sign:
        text = ("+" if number >= 0 else "-") + text
    return f"{text}\u00a0{t('unit.mad', language)}"


def fmt_days(value: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A count of days (a median, an average included), always whole: 85, never 85,0; a half
    day rounds up (a median of 20,5 days is 21), as the downloads round it."""
    if _absent(value):
        return EMPTY
    return fmt_number(int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)), language)


def data_as_of(data_date: date | None, last_import: date | None, language: str = DEFAULT_LANGUAGE) -> str:
    """"Données au 01/07/2024 · dernier import le 05/12/2026": how recent the figures are (the
    data date T, the latest event date in scope) and when data last came in (the newest
    accepted import); each half says so when there is none."""
    as_of = (t("data_as_of.date", language, date=fmt_date(data_date, language)) if data_date is not None
             else t("data_as_of.no_data", language))
    imported = (t("data_as_of.last_import", language, date=fmt_date(last_import, language))
                if last_import is not None else t("data_as_of.no_import", language))
    return f"{as_of} · {imported}"


# ------------------------------------------------------------------------------ labels read back
def fold(text: str) -> str:
    """`text` without case, accents (nor Arabic short vowels) or repeated spaces, as the
    importer compares a cell with a label (the SQL macro pie_fold does the same)."""
    decomposed = unicodedata.normalize("NFD", re.sub(r"\s+", " ", text.strip()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def code_labels(family: str, codes: tuple[str, ...],
                extra: tuple[tuple[str, str], ...] = ()) -> tuple[tuple[str, str], ...]:
    """(folded label, code) of every label `<family>.<code>` in every language, plus `extra`
    spellings; a label two codes share, or that is itself a code, is left out."""
    found: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for code in codes:
            text = catalog(language).get(f"{family}.{code}")
            if text:
                found.setdefault(fold(text), set()).add(code)
    for spelling, code in extra:
        found.setdefault(fold(spelling), set()).add(code)
    return tuple(sorted((label, next(iter(codes_)) ) for label, codes_ in found.items()
                        if len(codes_) == 1 and label not in codes))


# ------------------------------------------------------------------------------ open code lists
def has_label(kind: str, code: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """True when code `code` of kind `kind` has a translation (closed code lists always do)."""
    key = f"code.{kind}.{code}"
    return key in catalog(language) or key in catalog(DEFAULT_LANGUAGE)


def code_label(kind: str, code: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A code as people read it: its translation when there is one (`code.<kind>.<code>`), else
    the code as stored (a bank code we do not know, a free-text branch); "not given" for None."""
    if code is None or _absent(code) or code == "":
        return t("partners.not_given", language)
    code = str(code)
    return t(f"code.{kind}.{code}", language) if has_label(kind, code, language) else code


def bank_name(code: object, language: str = DEFAULT_LANGUAGE) -> str:
    """`Bank Of Africa` for BOA; a bank code without a translation stays as it is."""
    return code_label("bank", code, language)


def region_name(code: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A region's name in `language` from its HCP code ('09' → Souss-Massa, سوس-ماسة): the
    names of the regions table (pie.reference; English uses the French names, as Morocco's
    administration does in English); an unknown code stays as it is, None is "not given"."""
    if code is None or _absent(code) or code == "":
        return t("partners.not_given", language)
    key = f"region.name.{code}"
    return t(key, language) if key in catalog(DEFAULT_LANGUAGE) else str(code)


def group_labels(frame, breakdown: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The label of each row's group_key in a by-group answer (region names from the query's
    region_name_fr/_ar columns when it has them, else `region_name`)."""
    if breakdown == "region":
        if "region_name_fr" not in frame.columns:
            return [region_name(key, language) for key in frame["group_key"]]
        names = frame["region_name_ar" if language == "ar" else "region_name_fr"]
        return [name if isinstance(name, str) else region_name(key, language)
                for key, name in zip(frame["group_key"], names)]
    if breakdown == "year":
        return [str(key) for key in frame["group_key"]]
    kind = {"bank": "bank", "product": "product", "sector": "sector", "legal_form": "legal_form"}.get(breakdown)
    if kind is None:  # branch: free text
        return [code_label("free", key, language) for key in frame["group_key"]]
    return [code_label(kind, key, language) for key in frame["group_key"]]
