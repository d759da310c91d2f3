"""What an import found: `Problem`s and the batch `Report` (frictionless-style).

A problem has a stable kebab-case `type` (PROBLEM_TYPES), the place the user sees it (file,
row as numbered in the sheet — header = row 1 —, column, the cell's text) and a reason
built from an i18n key (`ingest.reason.*`, `ingest.rule.*`) and its placeholders, so the
same report can be shown in French, Arabic or English. Warnings (data quality) have the
same shape and never reject a batch.

A report knows its outcome, its counts per table and per type, and flattens to rows (for a
table on screen, a download) and to the JSON of `python -m pie ingest --json`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pie import i18n

ERROR, WARNING = "error", "warning"
ACCEPTED, REJECTED, CHECKED = "accepted", "rejected", "checked"
# A partner's batch (pie/ingest/submissions.py): checked and kept, waiting for a manager, who
# approves it (loaded and published) or returns it with a comment.
SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"

# Every problem type the importer reports, with the i18n key of its title.
PROBLEM_TYPES = (
    "unknown-table",        # a file or sheet named after no table
    "unsupported-file",     # not a CSV or a workbook
    "unreadable-file",      # binary, corrupt or undecodable
    "empty-file",           # no header row
    "unknown-column",       # a header that is not a column of the table
    "missing-column",       # a required column is absent
    "duplicate-column",     # the same column twice in a header
    "extra-cells",          # a CSV row with more cells than the header
    "missing-value",        # a required cell is empty
    "unknown-code",         # not one of the allowed codes
    "bad-date",             # not a date
    "bad-number",           # not a number, or too many decimals
    "out-of-range",         # below/above the allowed range
    "bad-format",           # CIN, phone, ICE, academic year
    "missing-reference",    # refers to a row that is neither in the database nor in the batch
    "duplicate-key",        # the same key (or unique value) twice in the batch
    "rule-violation",       # a rule between columns or tables
    "load-failed",          # the database refused the batch (nothing was written)
    "outside-scope",        # a partner's row outside its scope (pie/ingest/partners.py)
    "changed-since-submitted",  # a submitted batch's row changed in the database before its approval
    "lead-count",           # warning: a project without exactly one lead
)


@dataclass
class Problem:
    """One thing wrong (or worth a look) in a batch, where the user can find it."""

    type: str
    key: str                                  # i18n key of the reason
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    table: str | None = None
    severity: str = ERROR

    def reason(self, language: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The sentence saying what is wrong and what is expected, in `language`."""
        values = {"file": self.file, "row": self.row, "column": self.column,
                  "value": "" if self.value is None else self.value, "table": self.table, **self.params}
        try:
            return i18n.t(self.key, language, **values)
        except (KeyError, IndexError, ValueError):   # a translation naming a placeholder we lack
            return i18n.t(self.key, language)

    def where(self) -> str:
        """`file:row` as the user finds it (`file` alone for a whole file)."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.row}" if self.row is not None else self.file

    def as_row(self, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {"severity": self.severity, "type": self.type, "file": self.file, "row": self.row,
                "column": self.column, "value": self.value, "reason": self.reason(language)}

    def sort_key(self) -> tuple:
        return (self.file or "", self.row if self.row is not None else -1, self.column or "", self.type)


GROUP_EXAMPLES = 20        # example rows kept per kind of problem


@dataclass
class Group:
    """Problems of one kind (type, reason, table, column): how many, and the first rows."""

    type: str
    key: str
    table: str | None
    column: str | None
    severity: str
    count: int = 0
    listed: int = 0                           # how many of them the report lists
    examples: list[Problem] = field(default_factory=list)

    @staticmethod
    def key_of(problem: Problem) -> tuple:
        return (problem.severity, problem.type, problem.key, problem.table, problem.column)

    @classmethod
    def of(cls, problem: Problem) -> "Group":
        return cls(problem.type, problem.key, problem.table, problem.column, problem.severity)

    def title(self, language: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The kind's name (`ingest.type.<type>`)."""
        try:
            return i18n.t(f"ingest.type.{self.type}", language)
        except KeyError:
            return self.type

    def places(self, shown: int = GROUP_EXAMPLES) -> str:
        """`file:row, file:row, …` of the first examples."""
        places = [p.where() for p in self.examples[:shown] if p.where()]
        return ", ".join(places) + (" …" if self.count > len(places) and places else "")

    def how_to_fix(self, language: str = i18n.DEFAULT_LANGUAGE) -> str:
        """What is wrong and what is expected: the first example's reason."""
        return self.examples[0].reason(language) if self.examples else ""

    def as_row(self, language: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {"severity": self.severity, "type": self.type, "kind": self.title(language),
                "table": self.table, "column": self.column, "count": self.count,
                "rows": self.places(), "how_to_fix": self.how_to_fix(language)}


@dataclass
class FileRecord:
    """An original file of the batch, as recorded in import_batches.files_json."""

    file: str
    sha256: str
    size: int
    archived_as: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "size": self.size, "archived_as": self.archived_as}


@dataclass
class Report:
    """The result of checking (and maybe loading) one batch."""

    batch_id: str
    user: str | None = None
    dry_run: bool = False
    outcome: str = REJECTED                   # accepted | rejected | checked (a dry run) | submitted | approved
    started_at: datetime | None = None
    finished_at: datetime | None = None
    rows: dict[str, int] = field(default_factory=dict)
    files: list[FileRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems_count: int = 0                   # every problem, even beyond the listed ones
    warnings_count: int = 0
    language: str = i18n.DEFAULT_LANGUAGE
    groups: list[Group] = field(default_factory=list)   # problems by kind, errors first
    # a partner's batch that waits for a manager's approval when valid (a dry run says `submitted`)
    awaits_approval: bool = False

    @property
    def valid(self) -> bool:
        """True when no problem rejects the batch (warnings do not)."""
        return self.problems_count == 0

    @property
    def accepted(self) -> bool:
        return self.outcome == ACCEPTED

    @property
    def truncated(self) -> bool:
        """True when more problems were found than are listed."""
        return self.problems_count > len(self.problems)

    def json_outcome(self) -> str:
        """`accepted`, `submitted` (a partner's batch waiting for approval) or `rejected`
        (CLI.md); a clean dry run says what the import would be."""
        if self.outcome == CHECKED:
            return (SUBMITTED if self.awaits_approval else ACCEPTED) if self.valid else REJECTED
        return self.outcome

    def as_json(self, language: str | None = None) -> dict[str, Any]:
        """The object of `python -m pie ingest --json` (shared/CLI.md). `problems` lists the
        first problems of each kind (docs/IMPORT.md); when some were left out, a last key
        `truncated` says how many (every problem is counted, not every one listed)."""
        language = language or self.language
        result = {
            "batch_id": self.batch_id,
            "outcome": self.json_outcome(),
            "rows": dict(self.rows),
            "problems": [{"file": p.file, "row": p.row, "column": p.column, "value": p.value,
                          "reason": p.reason(language)} for p in self.problems],
        }
        if self.truncated:
            result["truncated"] = self.problems_count - len(self.problems)
        return result

    def groups_frame(self, language: str | None = None):
        """One row per kind of problem: severity, type, kind, table, column, count, rows
        (the first places), how_to_fix."""
        import pandas as pd

        language = language or self.language
        columns = ["severity", "type", "kind", "table", "column", "count", "rows", "how_to_fix"]
        return pd.DataFrame([g.as_row(language) for g in self.groups], columns=columns)

    def to_rows(self, language: str | None = None, warnings: bool = True) -> list[dict[str, Any]]:
        """Problems then warnings, one dict each: severity, type, file, row, column, value,
        reason — a table the user can download, fix in Excel and re-import."""
        language = language or self.language
        listed = self.problems + (self.warnings if warnings else [])
        return [p.as_row(language) for p in listed]

    def to_frame(self, language: str | None = None, warnings: bool = True):
        import pandas as pd

        columns = ["severity", "type", "file", "row", "column", "value", "reason"]
        return pd.DataFrame(self.to_rows(language, warnings), columns=columns).astype({"row": "Int64"})

    def to_csv(self, language: str | None = None) -> bytes:
        """The problem table as a CSV (UTF-8 with BOM, `;`) that French Excel opens as is."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["severity", "type", "file", "row", "column", "value", "reason"])
        for row in self.to_rows(language):
            writer.writerow(["" if v is None else _inert(v) for v in row.values()])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _inert(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (see export.escape_formula)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
