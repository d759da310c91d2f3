"""Cell parsing as SQL, so a million rows are parsed by DuckDB, not by a Python loop.

Every cell arrives as text (pie/ingest/readers.py turns Excel dates and numbers into text
first). For each column of pie/ingest/rules.py this module gives SQL expressions over the
staged batch:
- `clean_sql`: the trimmed text (`<column>__raw`), NULL when the cell is empty;
- `helper_sql`: for numbers and dates, the value read once (`__num`, `__date`);
- `value_sql`: the typed value, NULL when the text cannot be read;
- `problem_sql`: NULL when the cell is fine, else the key of what is wrong
  (`REASONS` gives its problem type).
What is accepted (DATA_MODEL.md, Conventions): dates `2023-10-02` and `02/10/2023` (day
first; `-` or `.` also separate French dates; a `00:00:00` time is ignored); amounts
`12500.50`, `12 500,50` (space, no-break or narrow no-break space), `12500,50`,
`12.500,50`, `12,500.50`, with an optional `MAD`/`DH` unit; codes in any case, or as the
labels the dashboard shows in French, Arabic or English (Column.labels, matched without
case or accents: `Stagiaire`, `Féminin`, `الصحة`); region `9` = `09`; phones `06…`,
`+212 6…`, `00212…` with spaces, dots or dashes; an ICE of 13 or 14 digits gets its
leading zeros back. Bidirectional control characters (U+202A–E, U+2066–9, U+200E/F,
U+061C) are removed from every cell; a text cell longer than MAX_TEXT characters is a problem.
Dates after `today` are a problem (`date_in_future`); `pie_date_us` reads a `10/03/2021`
cell month first (0001-01-01 when it cannot be), for telling a file of US dates (validate.py).

`parse_values(kind, texts)` runs the same SQL on a few values (tests, previews).
Identifiers and code lists come from rules.py only; no cell text is ever put in SQL.
"""
from __future__ import annotations

import functools
import threading
from datetime import date

import duckdb

from pie.ingest import rules
from pie.ingest.rules import Column

# Whitespace a spreadsheet may leave around a value, including no-break spaces and BOMs.
_GROUP = r"[ \x{00A0}\x{202F}\x{2009}]"
DATE_MIN_YEAR, DATE_MAX_YEAR = 1900, 2100
MAX_TEXT = 500
# Bidirectional control characters a copy from a web page or Word leaves in a cell.
_BIDI_RE = r"[\x{202A}-\x{202E}\x{2066}-\x{2069}\x{200E}\x{200F}\x{061C}]"
INT32_MAX = 2_147_483_647
# A leading apostrophe before = + - @ (or another apostrophe) is the formula-injection guard
# of our exports (pie/ingest/export.py): it is dropped on import, so exports round-trip.
FORMULA_START = "=+-@\t\r"
_WS_RE = r"[\s\x{00A0}\x{202F}\x{2007}\x{2009}\x{FEFF}]"
_QUOTED_SQL = " || ".join(f"chr({ord(c)})" for c in FORMULA_START + "'")

MACROS = (
    # most cells are ASCII and start and end with a visible character: no regex for them
    "create or replace macro pie_clean(s) as nullif(case when ascii(s) between 33 and 126 "
    "and ascii(right(s, 1)) between 33 and 126 and strlen(s) = length(s) then s "
    f"else regexp_replace(regexp_replace(s, '{_BIDI_RE}', '', 'g'), '^{_WS_RE}+|{_WS_RE}+$', '', 'g') end, '');\n"
    "create or replace macro pie_fold(s) as lower(strip_accents(regexp_replace(s, '\\s+', ' ', 'g')));\n"
    f"create or replace macro pie_unquote(s) as case when starts_with(s, chr(39)) and length(s) > 1 "
    f"and contains({_QUOTED_SQL}, substr(s, 2, 1)) then substr(s, 2) else s end;\n"
    + r"""
create or replace macro pie_date_core(s) as case
    when regexp_full_match(s, '\d{4}-\d{1,2}-\d{1,2}') then cast(try_strptime(s, '%Y-%m-%d') as date)
    when regexp_full_match(s, '\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}')
        then cast(try_strptime(replace(replace(s, '.', '/'), '-', '/'), '%d/%m/%Y') as date)
    when regexp_full_match(s, '\d{4}/\d{1,2}/\d{1,2}') then cast(try_strptime(s, '%Y/%m/%d') as date)
end;
create or replace macro pie_date(s) as case
    when length(s) > 10 then pie_date_core(regexp_replace(s, '[ T]00:00(:00(\.0+)?)?$', ''))
    else pie_date_core(s) end;
create or replace macro pie_date_us(s) as case
    when regexp_full_match(s, '\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}')
        then coalesce(cast(try_strptime(replace(replace(s, '.', '/'), '-', '/'), '%m/%d/%Y') as date),
                      date '0001-01-01')
end;
create or replace macro pie_num_canon(t) as case
    when regexp_full_match(t, '[+-]?(\d+([.,]\d+)?|[.,]\d+)') then replace(t, ',', '.')
    when regexp_full_match(t, '[+-]?\d{1,3}(GROUP\d{3})+([.,]\d+)?')
        then replace(regexp_replace(t, 'GROUP', '', 'g'), ',', '.')
    when regexp_full_match(t, '[+-]?\d{1,3}(\.\d{3})+,\d+|[+-]?\d{1,3}(\.\d{3}){2,}')
        then replace(replace(t, '.', ''), ',', '.')
    when regexp_full_match(t, '[+-]?\d{1,3}(,\d{3})+\.\d+|[+-]?\d{1,3}(,\d{3}){2,}')
        then replace(t, ',', '')
end;
create or replace macro pie_num(s) as case
    when regexp_full_match(s, '[+-]?\d+(\.\d+)?') then try_cast(s as decimal(38, 10))
    when right(s, 1) between '0' and '9' then try_cast(pie_num_canon(s) as decimal(38, 10))
    else try_cast(pie_num_canon(regexp_replace(s, 'GROUP*(?i:mad|dhs?|dirhams?)$', '')) as decimal(38, 10))
end;
create or replace macro pie_year(s) as regexp_replace(s, '\s*[-/]\s*', '-');
create or replace macro pie_phone(s) as regexp_extract(
    regexp_replace(s, '[\s\x{00A0}\x{202F}.\-()/]', '', 'g'),
    '^(?:(?:\+|00)?212)?0?([5-8]\d{8})$', 1);
create or replace macro pie_cin(s) as upper(regexp_replace(s, '[\s\x{00A0}\-]', '', 'g'));
create or replace macro pie_ice(s) as regexp_replace(s, '[\s\x{00A0}\x{202F}.]', '', 'g');
create or replace macro pie_region(s) as
    case when regexp_full_match(s, '\d{1,2}(\.0+)?') then lpad(regexp_replace(s, '\.0+$', ''), 2, '0') end;
""".replace("GROUP", _GROUP))

# reason key (i18n `ingest.reason.<key>`) -> problem type (stable, kebab-case)
REASONS = {
    "required": "missing-value",
    "unknown_code": "unknown-code",
    "bad_date": "bad-date",
    "date_out_of_range": "out-of-range",
    "not_a_number": "bad-number",
    "too_many_decimals": "bad-number",
    "not_whole": "bad-number",
    "too_large": "out-of-range",
    "below_minimum": "out-of-range",
    "not_above_minimum": "out-of-range",
    "above_maximum": "out-of-range",
    "unknown_region": "missing-reference",
    "bad_academic_year": "bad-format",
    "bad_phone": "bad-format",
    "bad_cin": "bad-format",
    "bad_ice": "bad-format",
    "too_long": "out-of-range",
    "date_in_future": "out-of-range",
}
_UNREADABLE = {rules.CODE: "unknown_code", rules.REGION: "unknown_region",
               rules.ACADEMIC_YEAR: "bad_academic_year", rules.PHONE: "bad_phone",
               rules.CIN: "bad_cin", rules.ICE: "bad_ice"}


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the parsing macros on a (staging) connection."""
    con.execute(MACROS)


def ident(name: str) -> str:
    """A quoted SQL identifier (names come from rules.py, never from a file)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_list(values) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]::varchar[]"


def raw(column: Column) -> str:
    return ident(column.name + "__raw")


def num(column: Column) -> str:
    return ident(column.name + "__num")


def date_(column: Column) -> str:
    return ident(column.name + "__date")


def clean_sql(source: str) -> str:
    """Trimmed text of a raw cell expression, NULL when empty."""
    return f"pie_clean({source})"


def helper_sql(column: Column) -> str | None:
    """`<c>__num` (the number read, DECIMAL(38,10)) or `<c>__date` (the date read, any
    year), computed once per cell; None for other kinds."""
    if column.kind in rules.NUMERIC_KINDS:
        return f"pie_num({raw(column)}) as {num(column)}"
    if column.kind == rules.DATE:
        return f"pie_date({raw(column)}) as {date_(column)}"
    return None


def _code_sql(column: Column, x: str) -> str:
    lowered = f"lower({x})"
    if column.aliases:
        whens = " ".join(f"when {literal(a)} then {literal(c)}" for a, c in column.aliases)
        lowered = f"(case {lowered} {whens} else {lowered} end)"
    return lowered


def label_sql(column: Column, x: str) -> str:
    """The code whose label (rules.Column.labels) the cell's text is, else NULL."""
    if not column.labels:
        return "null::varchar"
    whens = " ".join(f"when {literal(label)} then {literal(code)}" for label, code in column.labels)
    return f"(case pie_fold({x}) {whens} end)"


def spelled_sql(column: Column, x: str) -> str:
    """True when the cell is a code (any case) or a documented alias: no note needed."""
    return f"list_contains({text_list([*column.codes, *(a for a, _ in column.aliases)])}, lower({x}))"


def _scale_limit(column: Column) -> tuple[int, int]:
    """(decimals allowed, exclusive magnitude limit) of a numeric column."""
    if column.kind == rules.INTEGER:
        return 0, INT32_MAX + 1
    return column.scale, 10 ** (column.precision - column.scale)


def value_sql(column: Column) -> str:
    """The typed value of a column (NULL when empty or unreadable), over the cleaned text
    and the helper column of helper_sql."""
    x, kind = raw(column), column.kind
    if kind in rules.TEXT_KINDS:
        return f"pie_unquote({x})"
    if kind == rules.CODE:
        code = _code_sql(column, x)
        return (f"(case when list_contains({text_list(column.codes)}, {code}) then {code} "
                f"else {label_sql(column, x)} end)")
    if kind == rules.DATE:
        d = date_(column)
        return f"(case when year({d}) between {DATE_MIN_YEAR} and {DATE_MAX_YEAR} then {d} end)"
    if kind in rules.NUMERIC_KINDS:
        n = num(column)
        scale, limit = _scale_limit(column)
        return (f"(case when {n} = round({n}, {scale}) and abs({n}) < {limit} "
                f"then cast({n} as {column.sql_type}) end)")
    if kind == rules.REGION:
        return (f"(case when list_contains({text_list(rules.REGION_CODES)}, pie_region({x})) "
                f"then pie_region({x}) end)")
    if kind == rules.ACADEMIC_YEAR:
        y = f"pie_year({x})"
        return (f"(case when regexp_full_match({y}, '\\d{{4}}-\\d{{4}}') and "
                f"cast(right({y}, 4) as integer) = cast(left({y}, 4) as integer) + 1 then {y} end)")
    if kind == rules.BANK:
        return f"upper({x})"
    if kind == rules.PHONE:
        return f"(case when pie_phone({x}) <> '' then '+212' || pie_phone({x}) end)"
    if kind == rules.CIN:
        return f"(case when regexp_full_match(pie_cin({x}), '[A-Z]{{1,2}}[0-9]{{1,6}}') then pie_cin({x}) end)"
    if kind == rules.ICE:
        return f"(case when regexp_full_match(pie_ice({x}), '[0-9]{{13,15}}') then lpad(pie_ice({x}), 15, '0') end)"
    raise ValueError(f"unknown kind {kind}")


def problem_sql(column: Column, sheets_without_column: list[int], today: date | None = None) -> str:
    """A CASE giving the reason key of what is wrong with the cell, or NULL.

    `sheets_without_column`: staged sheets that lack this column (reported once as a
    missing column, so their rows are not each reported as a missing value). A readable
    value is settled by the first WHENs; only unreadable ones reach the diagnosis.
    """
    x, kind, value = raw(column), column.kind, ident(column.name)
    whens: list[str] = []
    if column.not_null:
        skip = (f" and not list_contains({[int(s) for s in sheets_without_column]}::integer[], _sheet)"
                if sheets_without_column else "")
        whens.append(f"when {x} is null{skip} then 'required'")
    whens.append(f"when {x} is null then null")
    if kind in rules.TEXT_KINDS:
        whens.append(f"when length({x}) > {MAX_TEXT} then 'too_long'")
    if kind in rules.NUMERIC_KINDS:
        bounds = []
        if column.minimum is not None:
            op, reason = ("<", "below_minimum") if column.minimum_inclusive else ("<=", "not_above_minimum")
            bounds.append(f"when {value} {op} {column.minimum} then '{reason}'")
        upper = column.upper_bound(today)
        if upper is not None:
            bounds.append(f"when {value} > {upper} then 'above_maximum'")
        settled = f"(case {' '.join(bounds)} end)" if bounds else "null"
        n = num(column)
        scale, _ = _scale_limit(column)
        whens.append(f"when {value} is not null then {settled}")
        whens.append(f"when {n} is null then 'not_a_number'")
        whens.append(f"when {n} <> round({n}, {scale}) then '{'not_whole' if scale == 0 else 'too_many_decimals'}'")
        whens.append("else 'too_large'")
    elif kind == rules.DATE:
        whens.append(f"when {value} > {literal((today or date.today()).isoformat())}::date then 'date_in_future'")
        whens.append(f"when {value} is not null then null")
        whens.append(f"when {date_(column)} is null then 'bad_date' else 'date_out_of_range'")
    elif kind in _UNREADABLE:
        whens.append(f"when {value} is not null then null else {literal(_UNREADABLE[kind])}")
    return "(case " + " ".join(whens) + " end)"


def reason_params(column: Column, reason: str, today: date | None = None) -> dict[str, object]:
    """The placeholders of a reason that come from the column's rules (not from the cell)."""
    if reason == "unknown_code":
        allowed = ", ".join(column.codes)
        if column.aliases:
            allowed += " (" + ", ".join(f"{a} = {c}" for a, c in column.aliases) + ")"
        return {"allowed": allowed}
    if reason == "unknown_region":
        return {"allowed": f"{rules.REGION_CODES[0]} … {rules.REGION_CODES[-1]}"}
    if reason == "too_many_decimals":
        return {"decimals": column.scale}
    if reason in ("below_minimum", "not_above_minimum"):
        return {"minimum": _plain_number(column.minimum)}
    if reason == "above_maximum":
        return {"maximum": _plain_number(column.upper_bound(today))}
    if reason == "too_large":
        _, limit = _scale_limit(column)
        return {"maximum": _plain_number(limit - 1 if column.kind == rules.INTEGER else limit)}
    if reason == "date_out_of_range":
        return {"first": DATE_MIN_YEAR, "last": DATE_MAX_YEAR}
    if reason == "date_in_future":
        return {"today": (today or date.today()).isoformat()}
    if reason == "too_long":
        return {"maximum": MAX_TEXT}
    return {}


def _plain_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


_PREVIEW_LOCK = threading.Lock()


@functools.cache
def _preview_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    install(con)
    return con


def parse_values(kind: str, texts: list[str | None], **column_options) -> list[object]:
    """Parse `texts` as cells of a column of `kind` (None where unreadable), with the SQL
    the importer uses. For tests and previews (a private in-memory connection)."""
    column = Column("v", kind, **column_options)
    helper = f", {helper_sql(column)}" if helper_sql(column) else ""
    sql = (f"with cells as (select unnest($texts) as v, generate_subscripts($texts, 1) as i), "
           f"c as (select i, {clean_sql('v')} as {raw(column)} from cells), "
           f"n as (select *{helper} from c) "
           f"select {value_sql(column)} from n order by i")
    with _PREVIEW_LOCK:
        rows = _preview_connection().execute(sql, {"texts": list(texts)}).fetchall()
    return [r[0] for r in rows]
