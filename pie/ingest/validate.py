"""Checking a batch: headers, every cell, every rule, in DuckDB SQL over the staged batch.

Two steps, so the database of record is locked only for the second:
1. `stage(files)` (no database needed): read the files, check headers, load every sheet's
   text into a private in-memory DuckDB (`raw_<table>`), parse it into `batch_<table>`
   (for each column: `<c>__raw` the trimmed text, `<c>` the typed value, `<c>__num` /
   `<c>__date` for numbers and dates), report cell problems, rules within a row
   (rules.RowRule) and keys seen twice in the batch, and write the typed tables to a
   staging file in a private temporary folder.
2. `cross_check(con, batch)` on a connection to the database, to which the staging file
   is attached (`attach`): references and the rules between tables, checked on the state
   the database would have after the batch (`cur_<table>`: the batch's rows plus the
   database's rows the batch does not replace). A violation is reported on the batch's row
   (the child's when both are in the batch), so a batch that changes a parent in a way
   that breaks a child already in the database is told which row does it.
Problems carry the sheet and row the user sees; `Collector` keeps at most `max_problems`
of them listed, counting them all.
"""
from __future__ import annotations

import shutil
import string
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from pie.ingest import parse, rules
from pie.ingest.parse import ident, literal
from pie.ingest.readers import Sheet, SourceFile, read
from pie.ingest.report import ERROR, GROUP_EXAMPLES, WARNING, Group, Problem

MAX_PROBLEMS = 100_000
LISTED_PER_KIND = 1_000       # problems of one kind listed (and downloadable); all are counted
MAX_NAMED_DUPLICATES = 5
Progress = Callable[[str, float], None]


def _no_progress(step: str, fraction: float) -> None:
    pass


@dataclass
class Collector:
    """Problems and warnings of a batch, grouped by kind (`Group`: type, reason, table,
    column): every one counted, the first GROUP_EXAMPLES of each kind kept as examples, the
    first `per_kind` of each kind listed (at most `limit` in all) — memory stays bounded
    whatever the file holds."""

    limit: int = MAX_PROBLEMS
    per_kind: int = LISTED_PER_KIND
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems_count: int = 0
    warnings_count: int = 0
    groups: dict[tuple, Group] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        self.add_many([problem], 1)

    def add_many(self, found: list[Problem], total: int | None = None) -> None:
        """Add problems; `total` counts those a query found but did not return (counted in
        the kind of the last one returned)."""
        if not found:
            return
        for problem in found:
            self._take(problem, 1)
        extra = (len(found) if total is None else total) - len(found)
        if extra > 0:
            self._count(found[-1], extra)

    def add_counted(self, found: list[tuple[Problem, int]]) -> None:
        """Add problems each with the count of its kind in the query that found it (the
        query returned only the first rows of each kind)."""
        counted: set[tuple] = set()
        for problem, kind_total in found:
            key = Group.key_of(problem)
            self._take(problem, 0)
            if key not in counted:
                counted.add(key)
                self._count(problem, kind_total)

    def _take(self, problem: Problem, count: int) -> None:
        group = self.groups.get(Group.key_of(problem))
        if group is None:
            group = self.groups[Group.key_of(problem)] = Group.of(problem)
        if len(group.examples) < GROUP_EXAMPLES:
            group.examples.append(problem)
        listed = self.problems if problem.severity == ERROR else self.warnings
        if group.listed < self.per_kind and len(listed) < self.limit:
            listed.append(problem)
            group.listed += 1
        if count:
            self._count(problem, count)

    def _count(self, problem: Problem, count: int) -> None:
        self.groups[Group.key_of(problem)].count += count
        if problem.severity == ERROR:
            self.problems_count += count
        else:
            self.warnings_count += count

    def sort(self) -> None:
        self.problems.sort(key=Problem.sort_key)
        self.warnings.sort(key=Problem.sort_key)

    def sorted_groups(self) -> list[Group]:
        """Errors first, then the largest kinds."""
        return sorted(self.groups.values(), key=lambda g: (g.severity != ERROR, -g.count, g.type, g.column or ""))


@dataclass
class Batch:
    """A staged batch: its files, sheets, typed rows (in the staging file) and problems."""

    files: list[SourceFile]
    sheets: list[Sheet]
    folder: Path                  # private temporary folder holding the staging database
    rows: dict[str, int]
    collector: Collector
    # sheet number -> the optional columns its header lacks (their stored values are kept)
    absent: dict[int, frozenset[str]] = field(default_factory=dict)
    today: date = field(default_factory=date.today)     # the day of the import: no date after it

    @property
    def path(self) -> Path:
        return self.folder / "staging.duckdb"

    def label(self, sheet: int | None) -> str | None:
        return None if sheet is None else self.sheets[sheet].file

    def lacking(self, table: str) -> dict[str, list[int]]:
        """Optional column of `table` -> the sheets (numbers) whose header lacks it."""
        found: dict[str, list[int]] = {}
        for number, sheet in enumerate(self.sheets):
            if sheet.table == table:
                for name in sorted(self.absent.get(number, ())):
                    found.setdefault(name, []).append(number)
        return found

    def tables(self) -> list[str]:
        """Tables with at least one sheet in the batch, in load order."""
        return [t for t in rules.TABLE_NAMES if t in self.rows]

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STAGING = "pie_batch"      # name of the attached staging database


def attach(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Make the batch's typed tables visible on `con` as `batch_<table>` (read-only)."""
    con.execute(f"attach {literal(batch.path.as_posix())} as {STAGING} (read_only)")
    for table in rules.TABLE_NAMES:
        source = (f"select * from {STAGING}.{ident('batch_' + table)}" if table in batch.rows
                  else _empty_batch(rules.TABLES[table]))
        con.execute(f"create or replace temp view {ident('batch_' + table)} as {source}")


def _empty_batch(spec: rules.Table) -> str:
    """A query with the columns of `batch_<table>` and no row (a table the batch lacks)."""
    columns = ["null::integer as _sheet", "null::integer as _row"]
    columns += [f"null::{c.sql_type} as {ident(c.name)}" for c in spec.columns]
    columns += [f"null::varchar as {parse.raw(c)}" for c in shown_columns(spec)]
    columns += [f"null::date as {_us(c)}" for c in _dates(spec)]
    return "select " + ", ".join(columns) + " where false"


def detach(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the views of `attach` (the staging file itself stays attached until the
    connection closes: DuckDB cannot detach it inside the transaction)."""
    for table in rules.TABLE_NAMES:
        con.execute(f"drop view if exists {ident('cur_' + table)}")
        con.execute(f"drop view if exists {ident('batch_' + table)}")


# ------------------------------------------------------------------------------ staging
def stage(files: list[SourceFile], progress: Progress = _no_progress, *, max_problems: int = MAX_PROBLEMS,
          today: date | None = None, temp_root: Path | None = None, memory_limit_mb: int | None = None) -> Batch:
    """Read and check every file of a batch without touching the database. The staging
    file goes in a new private folder under `temp_root` (default: the system's); DuckDB
    spills to it beyond `memory_limit_mb` (the worker's share of its address space)."""
    collector = Collector(max_problems)
    sheets: list[Sheet] = []
    total = sum(f.size for f in files) or 1
    done = 0
    for source in files:
        progress("read", 0.35 * done / total)
        result = read(source)
        sheets.extend(result.sheets)
        collector.add_many([p for p in result.problems if p.severity != WARNING])
        collector.add_many([p for p in result.problems if p.severity == WARNING])
        done += source.size
    progress("read", 0.35)
    first: dict[str, str] = {}      # one file (or sheet) with rows per table (DATA_MODEL.md, Import rules)
    for sheet in sheets:
        if not sheet.data.num_rows:   # an empty template says nothing twice
            continue
        if sheet.table in first:
            collector.add(Problem("rule-violation", "ingest.reason.table_twice",
                                  {"table": sheet.table, "other": first[sheet.table]}, file=sheet.file))
        first.setdefault(sheet.table, sheet.file)
    if temp_root is not None:
        temp_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="pie-import-", dir=temp_root))
    batch = Batch(files, sheets, folder, {}, collector, today=today or date.today())
    try:
        # Parsed in memory (spilling to the private folder if need be), then written once to
        # the staging file that the database connection attaches.
        con = duckdb.connect()
        try:
            con.execute(f"set temp_directory = {literal((folder / 'spill').as_posix())}")
            con.execute("set preserve_insertion_order = false")
            if memory_limit_mb is not None:
                con.execute(f"set memory_limit = '{int(memory_limit_mb)}MB'")
            parse.install(con)
            for n, table in enumerate(rules.TABLE_NAMES):
                progress("check", 0.35 + 0.3 * n / len(rules.TABLE_NAMES))
                _stage_table(con, batch, rules.TABLES[table], batch.today)
            con.execute(f"attach {literal(batch.path.as_posix())} as staged")
            for table in batch.tables():
                name = ident("batch_" + table)
                columns = ", ".join(["_sheet", "_row", *(ident(c) for c in rules.TABLES[table].names),
                                     *(parse.raw(c) for c in shown_columns(rules.TABLES[table])),
                                     *(_us(c) for c in _dates(rules.TABLES[table]))])
                con.execute(f"create table staged.{name} as select {columns} from {name}")
                con.execute(f"drop table {name}")
            con.execute("detach staged")
        finally:
            con.close()
    except BaseException:
        batch.close()
        raise
    for sheet in sheets:          # the text now lives in the staging file
        sheet.data = sheet.data.slice(0, 0)
    collector.sort()
    return batch


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (A, …, Z, AA, …)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def _header_columns(batch: Batch, sheet: Sheet, spec: rules.Table) -> dict[str, int]:
    """Spec column -> data column of a sheet; reports unknown, repeated and missing columns."""
    import pyarrow.compute as pc

    mapping: dict[str, int] = {}
    expected = ", ".join(spec.names)
    where = {"file": sheet.file, "row": sheet.header_row, "table": spec.name}
    for index, name in enumerate(sheet.header):
        if not name:
            column = sheet.data.column(index)
            if column and pc.any(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0)).as_py():
                batch.collector.add(Problem("unknown-column", "ingest.reason.unnamed_column",
                                            {"letter": _letter(index), "expected": expected},
                                            column=_letter(index), **where))
            continue
        if name not in spec.names:
            batch.collector.add(Problem("unknown-column", "ingest.reason.unknown_column",
                                        {"expected": expected}, column=name, value=name, **where))
        elif name in mapping:
            batch.collector.add(Problem("duplicate-column", "ingest.reason.duplicate_column",
                                        {"letter": _letter(index)}, column=name, value=name, **where))
        else:
            mapping[name] = index
    missing = [c.name for c in spec.columns if c.not_null and c.name not in mapping]
    for name in missing:
        batch.collector.add(Problem("missing-column", "ingest.reason.missing_column",
                                    {"expected": ", ".join(spec.required), "all": expected},
                                    column=name, **where))
    return mapping


def _stage_table(con: duckdb.DuckDBPyConnection, batch: Batch, spec: rules.Table, today: date | None) -> None:
    if not any(sheet.table == spec.name for sheet in batch.sheets):
        return
    raw_name, typed_name = ident("raw_" + spec.name), ident("batch_" + spec.name)
    con.execute(f"create table {raw_name} (_sheet integer, _row integer, "
                + ", ".join(f"{ident(c.name)} varchar" for c in spec.columns) + ")")
    without: dict[str, list[int]] = {c.name: [] for c in spec.columns}
    for number, sheet in enumerate(batch.sheets):
        if sheet.table != spec.name:
            continue
        mapping = _header_columns(batch, sheet, spec)
        for name in spec.names:
            if name not in mapping:
                without[name].append(number)
        batch.absent[number] = frozenset(c.name for c in spec.columns if c.name not in mapping and not c.not_null)
        arrays = {"_sheet": pa.array([number] * sheet.data.num_rows, pa.int32()), "_row": sheet.rows}
        arrays.update({name: sheet.data.column(index) for name, index in mapping.items()})
        view = f"sheet_{number}"
        con.register(view, pa.table(arrays))
        # rows whose cells are all empty (Excel's formatted blank rows) are not rows
        filled = " or ".join(f"{parse.clean_sql(ident(name))} is not null" for name in mapping) or "false"
        inserted = con.execute(f"insert into {raw_name} by name select * from {ident(view)} "
                               f"where {filled}").fetchone()[0]
        con.unregister(view)
        batch.rows[spec.name] = batch.rows.get(spec.name, 0) + inserted

    cleaned = ", ".join(f"{parse.clean_sql(ident(c.name))} as {parse.raw(c)}" for c in spec.columns)
    helpers = "".join(f", {parse.helper_sql(c)}" for c in spec.columns if parse.helper_sql(c))
    typed = ", ".join(f"{parse.value_sql(c)} as {ident(c.name)}" for c in spec.columns)
    typed += "".join(f", pie_date_us({parse.raw(c)}) as {_us(c)}" for c in _dates(spec))
    con.execute(f"create table {typed_name} as "
                f"with cleaned as (select _sheet, _row, {cleaned} from {raw_name}), "
                f"helped as (select *{helpers} from cleaned) "
                f"select *, {typed} from helped")
    con.execute(f"drop table {raw_name}")
    _cell_problems(con, batch, spec, without, today)
    _label_notes(con, batch, spec)
    _row_rule_problems(con, batch, spec)
    _duplicates(con, batch, spec)


def _dates(spec: rules.Table) -> list[rules.Column]:
    return [c for c in spec.columns if c.kind == rules.DATE]


def _us(column: rules.Column) -> str:
    """`<c>__us`: the month-first reading of a `10/03/2021` cell (NULL for another form), for
    telling a file of US dates (`_month_first`)."""
    return ident(column.name + "__us")


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, limit: int,
           make: Callable[[tuple], Problem]) -> tuple[list[Problem], int]:
    """Run a problem query (columns end with the total count) and build its problems."""
    rows = con.execute(f"select *, count(*) over () as _total from ({sql}) limit {int(limit)}").fetchall()
    total = rows[0][-1] if rows else 0
    return [make(r[:-1]) for r in rows], total


def _fetch_kinds(con: duckdb.DuckDBPyConnection, sql: str, kind: str, per_kind: int,
                 make: Callable[[tuple], Problem]) -> list[tuple[Problem, int]]:
    """Run a problem query whose rows fall in kinds (`kind`: SQL over its columns): the
    first `per_kind` rows of each kind, each with the count of its kind."""
    rows = con.execute(
        f"select * exclude (_n) from (select *, count(*) over (partition by {kind}) as _total, "
        f"row_number() over (partition by {kind}) as _n from ({sql})) where _n <= {int(per_kind)}").fetchall()
    return [(make(r[:-1]), r[-1]) for r in rows]


def _cell_problems(con: duckdb.DuckDBPyConnection, batch: Batch, spec: rules.Table,
                   without: dict[str, list[int]], today: date | None) -> None:
    parts = []
    for column in spec.columns:
        reason = parse.problem_sql(column, without[column.name], today)
        parts.append(f"select _sheet, _row, {literal(column.name)} as col, {parse.raw(column)} as value, "
                     f"{reason} as reason from {ident('batch_' + spec.name)}")
    sql = (f"select * from ({' union all '.join(parts)}) where reason is not null")
    columns = {c.name: c for c in spec.columns}

    def make(r: tuple) -> Problem:
        sheet, row, name, value, reason = r
        return Problem(parse.REASONS[reason], f"ingest.reason.{reason}",
                       parse.reason_params(columns[name], reason, today),
                       file=batch.label(sheet), row=row, column=name, value=value, table=spec.name)

    batch.collector.add_counted(_fetch_kinds(con, sql, "col, reason", batch.collector.per_kind, make))


def _label_notes(con: duckdb.DuckDBPyConnection, batch: Batch, spec: rules.Table) -> None:
    """A note (warning) per sheet, column and distinct text read as a code through its label
    (`Féminin` read as `f`), so the user sees what was understood."""
    parts = [f"select _sheet, min(_row) as _row, {literal(c.name)} as col, {parse.raw(c)} as value, "
             f"{ident(c.name)} as code, count(*) as n from {ident('batch_' + spec.name)} "
             f"where {ident(c.name)} is not null and not {parse.spelled_sql(c, parse.raw(c))} "
             f"group by _sheet, {parse.raw(c)}, {ident(c.name)}"
             for c in spec.columns if c.labels]
    if not parts:
        return

    def make(r: tuple) -> Problem:
        sheet, row, name, value, code, count = r
        return Problem("unknown-code", "ingest.note.read_as", {"code": code, "count": count},
                       file=batch.label(sheet), row=row, column=name, value=value, table=spec.name,
                       severity=WARNING)

    found, total = _fetch(con, " union all ".join(parts), batch.collector.limit, make)
    batch.collector.add_many(found, total)


def _row_rule_problems(con: duckdb.DuckDBPyConnection, batch: Batch, spec: rules.Table) -> None:
    for rule in spec.row_rules:
        params = ", ".join(f"{name} := cast({expr} as varchar)" for name, expr in rule.params) or "_ := null"
        sql = (f"select _sheet, _row, {parse.raw(spec.column(rule.column))} as value, "
               f"struct_pack({params}) as params from {ident('batch_' + spec.name)} where {rule.when}")

        def make(r: tuple, rule=rule) -> Problem:
            sheet, row, value, params = r
            return Problem(rule.type, f"ingest.rule.{rule.reason}", {k: v for k, v in params.items() if k != "_"},
                           file=batch.label(sheet), row=row, column=rule.column, value=value, table=spec.name)

        found, total = _fetch(con, sql, batch.collector.per_kind, make)
        batch.collector.add_many(found, total)


def _duplicates(con: duckdb.DuckDBPyConnection, batch: Batch, spec: rules.Table) -> None:
    """The same key, or the same value of a unique column set, twice in the batch, found by
    one grouped query: one line per repeated key with its count and its first rows. The
    first rows of each key are reported, each naming the others; every row involved is
    counted. Bounded in time and memory whatever the repeats (10,000 copies of `#N/A`)."""
    typed = ident("batch_" + spec.name)
    shown_rows = MAX_NAMED_DUPLICATES + 1
    per_kind = batch.collector.per_kind
    for columns, reason in [(spec.key, "duplicate_key"), *[(u, "duplicate_unique") for u in spec.unique]]:
        keys = ", ".join(ident(c) for c in columns)
        present = " and ".join(f"{ident(c)} is not null" for c in columns)
        shown = " || ', ' || ".join(f"coalesce({parse.raw(spec.column(c))}, '')" for c in columns)
        # Counting per key is a plain (spillable) aggregate; the rows of a key are gathered
        # only for the first `per_kind` repeated keys.
        rows = con.execute(
            f"with seen as (select {keys}, count(*) as n, min(_sheet::bigint * 4294967296 + _row) as first "
            f"from {typed} where {present} group by {keys} having count(*) > 1), "
            f"top as (select {keys} from seen order by first limit {int(per_kind)}), "
            f"hit as (select _sheet, _row, {keys}, {shown} as value from {typed} semi join top using ({keys})) "
            f"select arg_min(value, [_sheet, _row]), count(*), min([_sheet, _row], {shown_rows}), "
            f"(select sum(n) from seen) from hit group by {keys} order by min([_sheet, _row])").fetchall()
        if not rows:
            continue
        found: list[tuple[Problem, int]] = []
        for value, count, places, rows_total in rows:
            places = [tuple(p) for p in places]
            for sheet, row in places:
                others = [f"{batch.label(s)}:{n}" for s, n in places if (s, n) != (sheet, row)]
                named = ", ".join(others[:MAX_NAMED_DUPLICATES]) + (" …" if count > len(places) else "")
                found.append((Problem("duplicate-key", f"ingest.reason.{reason}",
                                      {"columns": ", ".join(columns), "others": named, "count": count},
                                      file=batch.label(sheet), row=row, column=", ".join(columns), value=value,
                                      table=spec.name), int(rows_total)))
        batch.collector.add_counted(found)


# ------------------------------------------------------------------------------ cross-table
@dataclass(frozen=True)
class Check:
    """One rule over a linked (child, parent) pair: `violation` is SQL over c and p. The
    problem goes on the child's row when it is in the batch, else on the parent's (the
    batch changed a parent in a way that breaks a child already in the database)."""

    violation: str
    child_column: str
    child_reason: str             # i18n key under ingest.rule.
    parent_column: str | None = None
    parent_reason: str | None = None


@dataclass(frozen=True)
class PairRule:
    """Rules between a row of `child` and the row of `parent` it links to, on the state
    after the batch: `link` (child column, parent column) plus `extra` join conditions;
    `left`: the parent may be missing; `params`: reason placeholders (name -> SQL)."""

    child: str
    parent: str
    link: tuple[str, str]
    checks: tuple[Check, ...]
    params: tuple[tuple[str, str], ...]
    extra: str = ""
    child_filter: str = ""
    left: bool = False


_PREVIOUS_PHASE = "(case c.phase when 'fundamentals' then 'awareness' when 'immersion' then 'fundamentals' end)"

PAIR_RULES = (
    # Phase order (DATA_MODEL.md, phase_progress): the previous phase completed, and before.
    PairRule("phase_progress", "phase_progress", ("participant_id", "participant_id"), left=True,
             extra=f"and p.phase = {_PREVIOUS_PHASE}", child_filter="c.phase in ('fundamentals', 'immersion')",
             checks=(
                 Check("p.participant_id is null", "phase", "phase_previous_missing"),
                 Check("p.status <> 'completed'", "phase", "phase_previous_not_completed",
                       "status", "phase_needed_completed"),
                 Check("c.started_on < p.completed_on", "started_on", "phase_starts_before_previous_end",
                       "completed_on", "phase_ends_after_next_start"),
             ),
             params=(("participant", "c.participant_id"), ("phase", "c.phase"), ("previous", _PREVIOUS_PHASE),
                     ("status", "coalesce(p.status, '')"), ("started_on", "c.started_on"),
                     ("completed_on", "p.completed_on"))),
    PairRule("phase_progress", "participants", ("participant_id", "participant_id"),
             checks=(Check("c.started_on < p.enrolled_on", "started_on", "phase_before_enrolment",
                           "enrolled_on", "enrolment_after_phase"),),
             params=(("participant", "c.participant_id"), ("phase", "c.phase"),
                     ("started_on", "c.started_on"), ("enrolled_on", "p.enrolled_on"))),
    # Financing (DATA_MODEL.md, financing_decisions)
    PairRule("financing_decisions", "business_plans", ("plan_id", "plan_id"),
             checks=(
                 Check("c.decided_on < p.submitted_on", "decided_on", "decided_before_submitted",
                       "submitted_on", "submitted_after_decision"),
                 Check("c.decision = 'approved' and p.status <> 'validated'", "decision",
                       "approved_plan_not_validated", "status", "plan_has_approval"),
             ),
             params=(("plan", "p.plan_id"), ("decision", "c.decision_id"), ("status", "p.status"),
                     ("decided_on", "c.decided_on"), ("submitted_on", "p.submitted_on"))),
    # Loan follow-ups (DATA_MODEL.md, loan_followups)
    PairRule("loan_followups", "financing_decisions", ("decision_id", "decision_id"),
             checks=(
                 Check("p.decision <> 'approved'", "decision_id", "followup_decision_not_approved",
                       "decision", "decision_has_followups"),
                 Check("c.as_of < p.disbursed_on", "as_of", "followup_before_disbursement",
                       "disbursed_on", "disbursement_after_followup"),
             ),
             params=(("decision", "p.decision_id"), ("status", "p.decision"), ("as_of", "c.as_of"),
                     ("disbursed_on", "p.disbursed_on"))),
    # Company follow-ups (DATA_MODEL.md, company_followups)
    PairRule("company_followups", "companies", ("company_id", "company_id"),
             checks=(Check("c.as_of < p.registered_on", "as_of", "followup_before_registration",
                           "registered_on", "registration_after_followup"),),
             params=(("company", "p.company_id"), ("as_of", "c.as_of"), ("registered_on", "p.registered_on"))),
)

# Unique column sets besides the key, against the database's rows (the batch against itself
# is `_duplicates`): (table, columns, key named in the reason, column blamed, reason).
UNIQUE_RULES = (
    ("business_plans", ("project_id", "version"), "plan_id", "version", "version_taken"),
    ("companies", ("project_id",), "company_id", "project_id", "project_has_company"),
)


def shown_columns(spec: rules.Table) -> list[rules.Column]:
    """Columns whose text a cross-table problem may show (so the staging file keeps it)."""
    names = {c.name for c in spec.columns if c.ref is not None}
    names |= {blamed for table, _, _, blamed, _ in UNIQUE_RULES if table == spec.name}
    names |= {"start_date"} if spec.name == "cohorts" else set()      # _phase_cohort_rule
    for rule in PAIR_RULES:
        for check in rule.checks:
            if rule.child == spec.name:
                names.add(check.child_column)
            if rule.parent == spec.name and check.parent_column:
                names.add(check.parent_column)
    return [c for c in spec.columns if c.name in names]


def references() -> list[tuple[str, rules.Column, str, str]]:
    """(table, column, parent table, parent column) of every reference checked in the
    database plus the batch (regions are built in and checked with the cell)."""
    return [(t.name, c, *c.ref) for t in rules.TABLES.values() for c in t.columns
            if c.ref is not None and c.ref[0] != "regions"]


def create_views(con: duckdb.DuckDBPyConnection, batch: Batch | None = None) -> None:
    """`cur_<table>`: the rows the database would hold after the batch (batch rows, with
    their place and text, plus the database rows whose key the batch does not bring). An
    optional column a sheet lacks keeps the stored value of the rows it updates (load.py)."""
    for spec in rules.TABLES.values():
        lacking = {} if batch is None else batch.lacking(spec.name)
        typed = ", ".join(
            f"b.{ident(c)}" if c not in lacking else
            f"case when b._sheet in ({', '.join(map(str, lacking[c]))}) then s.{ident(c)} else b.{ident(c)} end "
            f"as {ident(c)}" for c in spec.names)
        texts = ", ".join(f"b.{parse.raw(c)}" for c in shown_columns(spec))
        nulls = ", ".join(f"null::varchar as {parse.raw(c)}" for c in shown_columns(spec))
        same = " and ".join(f"b.{ident(k)} = d.{ident(k)}" for k in spec.key)
        stored = ""
        if lacking:
            on = " and ".join(f"s.{ident(k)} = b.{ident(k)}" for k in spec.key)
            stored = f" left join main.{ident(spec.name)} s on {on}"
        con.execute(
            f"create or replace temp view {ident('cur_' + spec.name)} as "
            f"select b._sheet, b._row, {typed}, {texts} from {ident('batch_' + spec.name)} b{stored} "
            f"union all select null::integer, null::integer, "
            + ", ".join(f"d.{ident(c)}" for c in spec.names) + f", {nulls} "
            f"from main.{ident(spec.name)} d "
            f"where not exists (select 1 from {ident('batch_' + spec.name)} b where {same})")


def cross_check(con: duckdb.DuckDBPyConnection, batch: Batch, progress: Progress = _no_progress) -> None:
    """References, rules between tables and data-quality warnings, on `con`: a connection
    to the database to which the batch is attached (`attach`)."""
    create_views(con, batch)
    present = set(batch.tables())
    limit = batch.collector.per_kind
    checks = [r for r in references() if r[0] in present]
    for n, (table, column, parent, parent_column) in enumerate(checks):
        progress("cross", 0.65 + 0.1 * n / max(1, len(checks)))
        value = ident(column.name)
        sql = (f"select distinct b._sheet, b._row, b.{parse.raw(column)} from {ident('batch_' + table)} b "
               f"where b.{value} is not null "
               f"and not exists (select 1 from main.{ident(parent)} p where p.{ident(parent_column)} = b.{value}) "
               f"and not exists (select 1 from {ident('batch_' + parent)} p where p.{ident(parent_column)} = b.{value})")

        def make(r: tuple, table=table, column=column, parent=parent) -> Problem:
            return Problem("missing-reference", "ingest.reason.missing_reference", {"parent": parent},
                           file=batch.label(r[0]), row=r[1], column=column.name, value=r[2], table=table)

        batch.collector.add_many(*_fetch(con, sql, limit, make))
    _erased_contacts(con, batch)

    for table, columns, key, blamed, reason in UNIQUE_RULES:
        if table not in present:
            continue
        on = " and ".join(f"d.{ident(c)} = b.{ident(c)}" for c in columns)
        sql = (f"select distinct b._sheet, b._row, b.{parse.raw(rules.TABLES[table].column(blamed))}, d.{ident(key)} "
               f"from {ident('batch_' + table)} b join {ident('cur_' + table)} d on {on} "
               f"and d.{ident(key)} <> b.{ident(key)} where d._sheet is null")

        def make(r: tuple, table=table, blamed=blamed, reason=reason, columns=columns) -> Problem:
            return Problem("rule-violation", f"ingest.rule.{reason}", {"other": r[3], "columns": ", ".join(columns)},
                           file=batch.label(r[0]), row=r[1], column=blamed, value=r[2], table=table)

        batch.collector.add_many(*_fetch(con, sql, limit, make))

    for n, rule in enumerate(PAIR_RULES):
        progress("cross", 0.75 + 0.05 * n / len(PAIR_RULES))
        if rule.child in present or rule.parent in present:
            _pair_rule(con, batch, rule)

    if "phase_progress" in present or "participants" in present or "cohorts" in present:
        _phase_cohort_rule(con, batch)
    _lead_warnings(con, batch)
    _month_first(con, batch)
    batch.collector.sort()


def _erased_contacts(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Contacts of a person whose contacts were erased (Law 09-08: erased_participants,
    pie.privacy.erasure) never come back through an import."""
    if "participant_contacts" not in batch.tables() or not con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' and table_name = 'erased_participants'").fetchone()[0]:
        return
    sql = ("select b._sheet, b._row, b.participant_id from batch_participant_contacts b "
           "where b.participant_id in (select participant_id from main.erased_participants)")

    def make(r: tuple) -> Problem:
        return Problem("rule-violation", "ingest.rule.erased_contacts", {}, file=batch.label(r[0]), row=r[1],
                       column="participant_id", value=r[2], table="participant_contacts")

    batch.collector.add_many(*_fetch(con, sql, batch.collector.limit, make))


def _phase_cohort_rule(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """No phase starts before its cohort's start_date (participant -> cohort), on the state
    after the batch: reported on the phase row, else on the participant's or cohort's row the
    batch changed."""
    sql = """
        select distinct c._sheet, c._row, c.started_on__raw, pa._sheet, pa._row, pa.cohort_id__raw,
               co._sheet, co._row, co.start_date__raw, c.participant_id, c.phase,
               cast(c.started_on as varchar), co.cohort_id, cast(co.start_date as varchar)
        from cur_phase_progress c
        join cur_participants pa on pa.participant_id = c.participant_id
        join cur_cohorts co on co.cohort_id = pa.cohort_id
        where c.started_on < co.start_date
          and (c._sheet is not null or pa._sheet is not null or co._sheet is not null)"""

    def make(r: tuple) -> Problem:
        c_sheet, c_row, c_text, pa_sheet, pa_row, pa_text, co_sheet, co_row, co_text = r[:9]
        params = dict(zip(("participant", "phase", "started_on", "cohort", "start_date"), r[9:]))
        if c_sheet is not None:
            place = (c_sheet, c_row, "started_on", c_text, "phase_progress", "phase_before_cohort")
        elif pa_sheet is not None:
            place = (pa_sheet, pa_row, "cohort_id", pa_text, "participants", "phase_before_cohort")
        else:
            place = (co_sheet, co_row, "start_date", co_text, "cohorts", "cohort_after_phase")
        sheet, row, column, value, table, reason = place
        return Problem("rule-violation", f"ingest.rule.{reason}", params, file=batch.label(sheet), row=row,
                       column=column, value=value, table=table)

    found, total = _fetch(con, sql, batch.collector.limit, make)
    unique = {(p.file, p.row, p.key): p for p in found}
    batch.collector.add_many(list(unique.values()), total - len(found) + len(unique))


_DATE_PROBLEMS = ("ingest.reason.bad_date", "ingest.reason.date_in_future", "ingest.rule.phase_before_cohort")
_US_UNREADABLE = "date '0001-01-01'"


def _month_first(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """A sheet whose dates break the date rules read day first (not a date, after the day of
    the import, a phase before its cohort's start) where the month-first reading would not,
    and whose every `10/03/2021` date reads month first, is a file of US dates: one problem
    says so instead of one per row (DATA_MODEL.md, Import rules)."""
    suspects = {p.file for p in batch.collector.problems if p.key in _DATE_PROBLEMS}
    today = f"date {literal(batch.today.isoformat())}"
    for number, sheet in enumerate(batch.sheets):
        spec = rules.TABLES[sheet.table]
        dates = _dates(spec)
        if sheet.file not in suspects or not dates:
            continue
        cohort = "phase_progress" == spec.name
        broken, fine, unreadable = [], [], []
        for column in dates:
            value, us = f"b.{ident(column.name)}", f"b.{_us(column)}"
            us_ok = f"({us} is not null and {us} <> {_US_UNREADABLE} and {us} <= {today})"
            bad = f"(({value} is null and {us} is not null) or {value} > {today})"
            if cohort and column.name == "started_on":
                bad = f"({bad} or {value} < co.start_date)"
                us_ok = f"({us_ok} and ({us} >= co.start_date or co.start_date is null))"
            broken.append(f"count(*) filter (where {bad})")
            fine.append(f"count(*) filter (where {bad} and not coalesce({us_ok}, false))")
            unreadable.append(f"count(*) filter (where {us} = {_US_UNREADABLE})")
        join = ("left join cur_participants pa on pa.participant_id = b.participant_id "
                "left join cur_cohorts co on co.cohort_id = pa.cohort_id" if cohort else "")
        sql = (f"select {' + '.join(broken)}, {' + '.join(fine)}, {' + '.join(unreadable)} "
               f"from {ident('batch_' + spec.name)} b {join} where b._sheet = {number}")
        wrong, unexplained, not_us = con.execute(sql).fetchone()
        if not wrong or unexplained or not_us:
            continue
        names = {c.name for c in dates}
        ours = [p for p in batch.collector.problems if p.file == sheet.file and p.column in names]
        example = next((p.value for p in ours if p.key in _DATE_PROBLEMS[1:] and p.value),
                       next((p.value for p in ours if p.key in _DATE_PROBLEMS and p.value), ""))
        batch.collector.problems = [p for p in batch.collector.problems if not (p.file == sheet.file and p.column in names)]
        batch.collector.problems_count -= len(ours)
        batch.collector.add(Problem("bad-date", "ingest.reason.month_first", {"count": wrong},
                                    file=sheet.file, column=", ".join(c.name for c in dates), value=example,
                                    table=spec.name))


def _table_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from main.{ident(table)}").fetchone()[0]


def _pair_rule(con: duckdb.DuckDBPyConnection, batch: Batch, rule: PairRule) -> None:
    child_link, parent_link = (ident(c) for c in rule.link)
    # A small batch on a big database: look only at the rows the batch links to.
    in_batch = batch.rows.get(rule.child, 0) + batch.rows.get(rule.parent, 0)
    narrow = _table_rows(con, rule.child) + _table_rows(con, rule.parent) > 4 * in_batch
    touched = (f"with touched as (select {child_link} as k from {ident('batch_' + rule.child)} "
               f"where {child_link} is not null union select {parent_link} from {ident('batch_' + rule.parent)} "
               f"where {parent_link} is not null), " if narrow else "with ")
    c_rows = f"where {child_link} in (select k from touched)" if narrow else ""
    p_rows = f"where {parent_link} in (select k from touched)" if narrow else ""
    params = ", ".join(f"{name} := cast({expr} as varchar)" for name, expr in rule.params)
    flags = ", ".join(f"coalesce({check.violation}, false)" for check in rule.checks)
    texts = ", ".join(f"c.{ident(check.child_column + '__raw')}, "
                      + (f"p.{ident(check.parent_column + '__raw')}" if check.parent_column else "null")
                      for check in rule.checks)
    join = "left join" if rule.left else "join"
    child_filter = f"and {rule.child_filter}" if rule.child_filter else ""
    sql = (f"{touched}c as (select * from {ident('cur_' + rule.child)} {c_rows}), "
           f"p as (select * from {ident('cur_' + rule.parent)} {p_rows}) "
           f"select distinct c._sheet, c._row, p._sheet, p._row, struct_pack({params}), [{flags}], [{texts}] "
           f"from c {join} p on p.{parent_link} = c.{child_link} {rule.extra} "
           f"where (c._sheet is not null or p._sheet is not null) {child_filter} "
           f"and ({' or '.join(f'coalesce({check.violation}, false)' for check in rule.checks)})")
    rows = con.execute(f"select * from ({sql}) limit {int(batch.collector.limit)}").fetchall()
    found: dict[tuple, Problem] = {}     # one problem per place and rule, even if a key is repeated
    for c_sheet, c_row, p_sheet, p_row, params, flags, texts in rows:
        for i, (check, violated) in enumerate(zip(rule.checks, flags)):
            if not violated:
                continue
            on_child = c_sheet is not None or check.parent_column is None
            sheet, row = (c_sheet, c_row) if on_child else (p_sheet, p_row)
            reason = check.child_reason if on_child else check.parent_reason
            if (sheet, row, reason) in found:
                continue
            found[(sheet, row, reason)] = Problem(
                "rule-violation", f"ingest.rule.{reason}", dict(params), file=batch.label(sheet), row=row,
                column=check.child_column if on_child else check.parent_column,
                value=texts[2 * i] if on_child else texts[2 * i + 1],
                table=rule.child if on_child else rule.parent)
    batch.collector.add_many(list(found.values()))


def _lead_warnings(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """A project the batch touches should have exactly one lead (a warning, DATA_MODEL.md)."""
    if not {"projects", "project_members"} & set(batch.tables()):
        return
    sql = """
        with touched as (
            select project_id from batch_projects where project_id is not null
            union select project_id from batch_project_members where project_id is not null),
        leads as (
            select project_id, count(*) filter (where role = 'lead') as n
            from cur_project_members where project_id in (select project_id from touched)
            group by project_id),
        places as (
            select project_id, min([kind, _sheet, _row]) as place from (
                select project_id, 0 as kind, _sheet, _row from batch_projects
                union all select project_id, 1, _sheet, _row from batch_project_members)
            group by project_id)
        select pl.place[1], pl.place[2], pl.place[3], t.project_id, coalesce(l.n, 0)
        from touched t join places pl using (project_id) left join leads l using (project_id)
        where coalesce(l.n, 0) <> 1
          and t.project_id in (select project_id from cur_projects)"""

    def make(r: tuple) -> Problem:
        member_row, sheet, row, project, leads = r
        return Problem("lead-count", "ingest.warning.lead_count", {"project": project, "leads": leads},
                       file=batch.label(sheet), row=row, column="project_id",
                       value=project, table="project_members" if member_row else "projects",
                       severity=WARNING)

    found, total = _fetch(con, sql, batch.collector.per_kind, make)
    batch.collector.add_many(found, total)
