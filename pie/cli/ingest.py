"""`python -m pie ingest|batches|approve|return|export|templates` (shared/CLI.md): argument
parsing and printing only; the work is done by pie.ingest (partners' batches:
pie.ingest.submissions)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pie import i18n
from pie.cli.common import EXIT_OK, EXIT_REFUSED, add_command, db_path
from pie.ingest import api, export, load, submissions, templates
from pie.ingest.report import ACCEPTED, APPROVED, SUBMITTED, Problem, Report

MAX_PRINTED = 1000


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "ingest", cmd_ingest,
                    "import CSV/XLSX files or folders of them as one all-or-nothing batch and print its report "
                    "(exit status 1 when the batch is rejected)",
                    "python -m pie ingest registres/ banques/decisions.xlsx --user amina --dry-run", common)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a CSV or XLSX file, or a folder of them")
    p.add_argument("--user", help="who imports (recorded with the batch; default: the system user)")
    p.add_argument("--as", dest="as_account", metavar="NAME",
                   help="submit on behalf of the partner account NAME: rows outside its scope are problems, "
                        "an accepted batch waits for a manager's approval unless the partner is trusted")
    p.add_argument("--dry-run", action="store_true",
                   help="check everything, write nothing but the batch record")
    p.add_argument("--json", action="store_true",
                   help='print {"batch_id", "outcome", "rows", "problems"} as JSON')
    p.add_argument("--progress", action="store_true", help="draw the progress bar even when not on a terminal")

    p = add_command(subparsers, "batches", cmd_batches,
                    "the import history: id, when, who, files, sha256, rows, outcome (newest first)",
                    "python -m pie batches --json", common)
    p.add_argument("--json", action="store_true", help="one JSON array, one object per batch")
    p.add_argument("--pending", action="store_true", help="only the partners' batches awaiting approval")

    p = add_command(subparsers, "approve", cmd_approve,
                    "publish a partner's submitted batch after checking it again on the current database "
                    "(exit status 1 if it is not awaiting approval or the check finds problems)",
                    "python -m pie approve 20261205T101500-1a2b3c --user amina", common)
    p.add_argument("batch", metavar="BATCH", help="the batch id (python -m pie batches --pending)")
    p.add_argument("--user", help="the manager who approves (default: the system user)")

    p = add_command(subparsers, "return", cmd_return,
                    "send a partner's submitted batch back with a comment the partner sees "
                    "(exit status 1 if it is not awaiting approval)",
                    "python -m pie return 20261205T101500-1a2b3c --comment \"Dates de la cohorte C-12 à revoir\"",
                    common)
    p.add_argument("batch", metavar="BATCH", help="the batch id (python -m pie batches --pending)")
    p.add_argument("--comment", required=True, help="what the partner should fix")
    p.add_argument("--user", help="the manager who returns it (default: the system user)")

    p = add_command(subparsers, "export", cmd_export,
                    "write every programme table in the import format (init + ingest DIR rebuilds the data)",
                    "python -m pie export sauvegarde/ --format xlsx", common)
    p.add_argument("dir", type=Path, metavar="DIR", help="folder to write into (created if needed)")
    p.add_argument("--format", choices=export.FORMATS, default="csv",
                   help="csv: one file per table (default); xlsx: one workbook, a sheet per table")

    p = add_command(subparsers, "templates", cmd_templates,
                    "write an empty import template per table (CSV) and one XLSX workbook with a sheet per "
                    "table and the allowed codes",
                    "python -m pie templates modeles/", common)
    p.add_argument("dir", type=Path, metavar="DIR", help="folder to write into (created if needed)")


def _db(args: argparse.Namespace) -> Path:
    return db_path(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    with ProgressBar(args) as progress:
        report = api.ingest(args.paths, _db(args), args.user or api.default_user(), dry_run=args.dry_run,
                            progress=progress, language=args.lang, account=args.as_account)
    if args.json:
        print(json.dumps(report.as_json(args.lang), ensure_ascii=False))
    else:
        print_report(report, args.lang)
    return EXIT_OK if report.json_outcome() in (ACCEPTED, SUBMITTED) else EXIT_REFUSED


class ProgressBar:
    """A tqdm bar on stderr (only on a terminal, or with --progress)."""

    def __init__(self, args: argparse.Namespace):
        self.enabled = sys.stderr.isatty() or args.progress
        self.language = args.lang
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from tqdm import tqdm

        self.bar = tqdm(total=100, unit="%", file=sys.stderr,
                        bar_format="{desc:<42} {bar} {percentage:3.0f}% {elapsed}")
        return self.update

    def update(self, step: str, fraction: float) -> None:
        self.bar.set_description_str(i18n.t(f"ingest.step.{step}", self.language))
        self.bar.update(max(0, round(fraction * 100) - self.bar.n))

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def _problem_line(problem: Problem, language: str) -> str:
    parts = [problem.where() or "—"]
    if problem.column:
        parts.append(problem.column)
    if problem.value is not None:
        parts.append(json.dumps(problem.value, ensure_ascii=False))
    return "  " + " ".join(parts) + " — " + problem.reason(language)


def print_report(report: Report, language: str, out=None) -> None:
    """The human report: outcome, rows per table, then every problem and warning."""
    out = out or sys.stdout
    total_rows = i18n.fmt_number(sum(report.rows.values()), language)
    problems = i18n.fmt_number(report.problems_count, language)
    if report.dry_run:
        key = "ingest.cli.checked_ok" if report.valid else "ingest.cli.checked_bad"
    elif report.outcome == SUBMITTED:
        key = "ingest.cli.submitted"
    elif report.outcome == APPROVED:
        key = "review.cli.approved"
    else:
        key = "ingest.cli.accepted" if report.accepted else "ingest.cli.rejected"
    print(i18n.t(key, language, batch_id=report.batch_id, rows=total_rows, problems=problems), file=out)
    print_details(report, language, out)


def print_details(report: Report, language: str, out=None) -> None:
    """Rows per table, then every problem and warning of a report."""
    out = out or sys.stdout
    if report.rows:
        print(i18n.t("ingest.cli.rows", language), file=out)
        width = max(len(t) for t in report.rows)
        for table, n in report.rows.items():
            print(f"  {table:<{width}}  {i18n.fmt_number(n, language):>10}", file=out)
    for heading, listed, count in (
            (i18n.t("ingest.cli.problems", language), report.problems, report.problems_count),
            (i18n.t("ingest.cli.warnings", language, count=report.warnings_count), report.warnings,
             report.warnings_count)):
        if not listed:
            continue
        print(heading, file=out)
        for problem in listed[:MAX_PRINTED]:
            print(_problem_line(problem, language), file=out)
        if count > min(len(listed), MAX_PRINTED):
            print("  " + i18n.t("ingest.cli.more", language, count=count - min(len(listed), MAX_PRINTED)), file=out)


def cmd_approve(args: argparse.Namespace) -> int:
    report = submissions.approve(_db(args), args.batch, args.user or api.default_user(), language=args.lang)
    if report.outcome == APPROVED:
        print_report(report, args.lang)
        return EXIT_OK
    print(i18n.t("review.cli.refused", args.lang, batch_id=report.batch_id,
                 problems=i18n.fmt_number(report.problems_count, args.lang)))
    print_details(report, args.lang)
    return EXIT_REFUSED


def cmd_return(args: argparse.Namespace) -> int:
    submissions.return_batch(_db(args), args.batch, args.comment, args.user or api.default_user())
    print(i18n.t("review.cli.returned", args.lang, batch_id=args.batch))
    return EXIT_OK


def cmd_batches(args: argparse.Namespace) -> int:
    batches = submissions.pending(_db(args)) if args.pending else load.history(_db(args))
    if args.json:
        print(json.dumps(batches, ensure_ascii=False, default=str))
        return EXIT_OK
    if not batches:
        print(i18n.t("ingest.cli.batches.none", args.lang))
        return EXIT_OK
    print(i18n.t("ingest.cli.batches.header", args.lang))
    for b in batches:
        started = b["started_at"].isoformat(sep=" ", timespec="seconds") if b["started_at"] else ""
        rows = i18n.fmt_number(sum(b["rows"].values()), args.lang)
        outcome = i18n.t(f"ingest.outcome.{b['outcome']}", args.lang)
        print(f"{b['batch_id']} | {started} | {b['user_name'] or '—'} | {outcome} | {rows} | "
              f"{b['problems_count']} | {len(b['files'])}")
        for f in b["files"]:
            print(f"    {f['file']}  sha256:{f['sha256']}  {f['size']} o" +
                  (f"  -> {f['archived_as']}" if f.get("archived_as") else ""))
        if b.get("reviewed_by") or b.get("review_comment"):
            print("    " + i18n.t("review.cli.reviewed", args.lang, user=b.get("reviewed_by") or "—",
                                  comment=b.get("review_comment") or "—"))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    written = export.export(args.dir, _db(args), args.format)
    print(i18n.t("ingest.cli.export.done", args.lang, count=len(written), path=args.dir))
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    written = templates.write_templates(args.dir, args.lang)
    print(i18n.t("ingest.cli.templates.done", args.lang, count=len(written), path=args.dir,
                 workbook=templates.WORKBOOK_NAME))
    return EXIT_OK
