"""`python -m pie report --year Y [--region R] --out FILE.pdf` (shared/CLI.md)."""
from __future__ import annotations

import argparse
import time

from pie import i18n
from pie.cli.common import EXIT_OK, add_command, db_path


def cmd_report(args: argparse.Namespace) -> int:
    from pie.leadership.report import build_report

    started = time.monotonic()
    out = build_report(db_path(args), args.year, args.region, args.lang, args.out)
    print(i18n.t("report.done", args.lang, path=out) +
          f" ({time.monotonic() - started:.1f} s)")
    return EXIT_OK


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "report", cmd_report,
                    "the leadership report (A4 PDF) of an academic year for the country or a region: "
                    "headline KPIs, map, targets vs actuals, funnel, rollout; in the --lang language",
                    "python -m pie report --year 2023-2024 --region 09 --lang ar --out rapport-souss-massa.pdf",
                    common)
    p.add_argument("--year", required=True, help="academic year of the cohorts, e.g. 2023-2024")
    p.add_argument("--region", help="region code 01..12 (default: the whole country)")
    p.add_argument("--out", required=True, type=str, help="PDF file to write (replaced if it exists)")
