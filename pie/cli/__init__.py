"""`python -m pie …`: the command-line interface of shared/CLI.md.

The CLI parses arguments, calls the library and turns its exceptions (pie/errors.py) into a
message on stderr in the --lang language and an exit status: 0 success, 1 the work was
refused (PieError), 2 usage error (UsageError). Command groups in other modules
(pie/cli/ingest.py …) register themselves through COMMAND_MODULES.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap
from pathlib import Path
from typing import Callable, Sequence

from pie import db, i18n, kpis
from pie.config import settings
from pie.errors import PieError, UsageError
from pie.scope import Scope

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

# Modules with a `register(subparsers, common)` function adding their commands.
COMMAND_MODULES = ("pie.cli.ingest", "pie.cli.users", "pie.cli.report")


def common_options() -> argparse.ArgumentParser:
    """--db and --lang, taken by every command."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", type=Path, default=None,
                        help="database file (default: $PIE_DB, else data/pie.duckdb)")
    parent.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE,
                        help="language of human-readable output (default: fr)")
    return parent


def add_command(subparsers, name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
                example: str, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """A sub-command whose help ends with an example, calling `handler(args)`."""
    parser = subparsers.add_parser(
        name, parents=[common], help=help_text, description=help_text,
        epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    return parser


def db_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else settings().db_path


# ------------------------------------------------------------------------------ commands
def cmd_init(args: argparse.Namespace) -> int:
    from pie import auth
    from pie.cli.users import read_password

    # Ask for the first admin's password before touching anything, so a typo refuses cleanly.
    can_ask = sys.stdin.isatty() or settings().password
    password = read_password(args.lang) if can_ask else None
    if password is not None:
        auth.check_password_strength(password)
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
    values = kpis.compute(db.reader(db_path(args)), scope)
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return EXIT_OK
    width = max(len(i18n.t(f"kpi.{k}", args.lang)) for k in kpis.KEYS)
    for key in kpis.KEYS:
        print(f"{i18n.t(f'kpi.{key}', args.lang):<{width}}  {kpis.format_indicator(key, values[key], args.lang)}")
    return EXIT_OK


def normalise_region(region: str | None) -> str | None:
    """`9` → `09`, as spreadsheets drop the leading zero (DATA_MODEL.md conventions)."""
    if region is None:
        return None
    region = region.strip()
    if not region.isdigit() or not 1 <= int(region) <= 12:
        raise UsageError(key="cli.bad_region", region=region)
    return f"{int(region):02d}"


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="python -m pie",
        description="PIE dashboard: database, demo data, imports and indicators (shared/CLI.md).",
        epilog="example:\n  python -m pie init && python -m pie demo --participants 2000 --seed 1",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    p.add_argument("--json", action="store_true", help="one JSON object keyed as in METRICS.md")

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is None or not module_name.startswith(error.name):
                raise
            continue  # that command group is not built yet
        module.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        print(i18n.t("cli.error", args.lang, message=error.text(args.lang)), file=sys.stderr)
        return EXIT_USAGE
    except PieError as error:
        print(i18n.t("cli.error", args.lang, message=error.text(args.lang)), file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:  # `python -m pie batches | head`: the reader left, nothing to say
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(textwrap.shorten(i18n.t("cli.interrupted", args.lang), 200), file=sys.stderr)
        return EXIT_REFUSED
