"""`python -m pie reporting [--month YYYY-MM] [--json]` (shared/CLI.md): each partner's
months expected, submitted and on time, and its reporting and on-time rates (METRICS.md
"Reporting"; docs/REPORTING.md), as of today. Parsing and printing only."""
from __future__ import annotations

import argparse
import json
import re

from pie import i18n
from pie.cli.common import EXIT_OK, add_command, db_path
from pie.errors import UsageError
from pie.reporting import figures

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _rate(value: object) -> float | None:
    return None if value is None or value != value else float(value)


def rows(args: argparse.Namespace) -> list[dict]:
    """The --json rows: one dict per partner with figures.CLI_KEYS, late partners first."""
    month = args.month.strip() if args.month else None
    if month is not None and not MONTH.fullmatch(month):
        raise UsageError(key="reporting.error.month", month=args.month)
    frame = figures.summary(db_path(args), figures.today(), month)
    result = []
    for row in frame.to_dict("records"):
        item = {key: row[key] for key in figures.CLI_KEYS}
        for key in ("months_expected", "months_submitted", "months_on_time"):
            item[key] = int(item[key])
        item["reporting_rate"], item["on_time_rate"] = _rate(item["reporting_rate"]), _rate(item["on_time_rate"])
        result.append(item)
    return result


def cmd_reporting(args: argparse.Namespace) -> int:
    found = rows(args)
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
        return EXIT_OK
    if not found:
        print(i18n.t("reporting.cli.none", args.lang))
        return EXIT_OK
    print(i18n.t("reporting.cli.header", args.lang))
    for row in found:
        print("\t".join([row["role"], row["scope_code"], str(row["months_expected"]), str(row["months_submitted"]),
                         str(row["months_on_time"]), i18n.fmt_percent(row["reporting_rate"], args.lang),
                         i18n.fmt_percent(row["on_time_rate"], args.lang)]))
    return EXIT_OK


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "reporting", cmd_reporting,
                    "per partner (role and scope): months expected, submitted, on time, reporting_rate and "
                    "on_time_rate as of today (METRICS.md 'Reporting'), partners most behind first",
                    "python -m pie reporting --month 2024-03 --json", common)
    p.add_argument("--month", help="count the months up to this one, YYYY-MM (default: every month so far)")
    p.add_argument("--json", action="store_true", help="JSON output: a list of one object per partner")
