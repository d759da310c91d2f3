"""`python -m pie init|demo|kpis`: create a database, build the demo, print the indicators."""
from __future__ import annotations

import argparse
import json
import sys

from pie import db, i18n, kpis
from pie.cli.common import EXIT_OK, add_command, db_path, normalise_region, parse_date, read_password
from pie.config import settings
from pie.scope import Scope


def cmd_init(args: argparse.Namespace) -> int:
    from pie import auth

    # Ask for the first admin's password before touching anything, so a typo refuses cleanly.
    can_ask = sys.stdin.isatty() or settings().password
    password = read_password(args.lang) if can_ask else None
    if password is not None:
        auth.check_password_strength(password, args.admin)
    path = db.init_database(db_path(args), force=args.force)
    print(i18n.t("cli.init.done", args.lang, path=path))
    if password is None:
        print(i18n.t("cli.init.no_admin", args.lang))
    else:
        auth.add_user(path, args.admin, "admin", password, by="init")
        print(i18n.t("cli.init.admin_created", args.lang, name=args.admin))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from pie import demo
    from tqdm import tqdm

    with tqdm(total=100, unit="%", file=sys.stderr, disable=not sys.stderr.isatty() and not args.progress,
              bar_format="{desc:<28} {bar} {percentage:3.0f}% {elapsed}") as bar:
        def progress(step: str, fraction: float) -> None:
            bar.set_description_str(step)
            bar.update(round(fraction * 100) - bar.n)

        rows = demo.build_demo(db_path(args), participants=args.participants, seed=args.seed,
                               progress=progress, force=args.force)
    print(i18n.t("cli.demo.done", args.lang, path=db_path(args),
                 participants=i18n.fmt_number(rows.get("participants", 0), args.lang)))
    return EXIT_OK


def cmd_kpis(args: argparse.Namespace) -> int:
    scope = Scope().with_filters(args.year, normalise_region(args.region), args.establishment)
    values = kpis.compute(db.reader(db_path(args)), scope, as_of=parse_date(args.as_of, "--as-of"))
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return EXIT_OK
    width = max(len(i18n.t(f"kpi.{k}", args.lang)) for k in kpis.KEYS)
    for key in kpis.KEYS:
        print(f"{i18n.t(f'kpi.{key}', args.lang):<{width}}  {kpis.format_indicator(key, values[key], args.lang)}")
    return EXIT_OK


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "init", cmd_init,
                    "create an empty database with the schema and the 12 regions",
                    "python -m pie init --db data/pie.duckdb", common)
    p.add_argument("--force", action="store_true", help="replace an existing database that holds data")
    p.add_argument("--admin", default="admin",
                   help="name of the first admin account, whose password is asked on the terminal "
                        "or read from $PIE_PASSWORD (default: admin)")

    p = add_command(subparsers, "demo", cmd_demo,
                    "build a deterministic synthetic programme (marked as demo data)",
                    "python -m pie demo --participants 2000 --seed 1", common)
    p.add_argument("--participants", type=int, default=settings().demo_participants,
                   help="about how many participants (100..1000000, default 3000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same N and seed, same database)")
    p.add_argument("--force", action="store_true", help="replace a database that holds real data")
    p.add_argument("--progress", action="store_true", help="draw the progress bar even when not on a terminal")

    p = add_command(subparsers, "kpis", cmd_kpis,
                    "the indicators of METRICS.md for a scope",
                    "python -m pie kpis --year 2023-2024 --region 09 --json", common)
    p.add_argument("--year", help="academic year of the cohorts, e.g. 2023-2024")
    p.add_argument("--region", help="region code 01..12")
    p.add_argument("--establishment", help="establishment_id")
    p.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help="count only the rows dated on or before DATE (YYYY-MM-DD), METRICS.md \"As of\"")
    p.add_argument("--json", action="store_true", help="one JSON object keyed as in METRICS.md")
