"""What every command of the CLI shares: exit statuses, the --db and --lang options, a
sub-command with an example, the database path, passwords from the terminal, region codes."""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from pie import i18n
from pie.config import settings
from pie.errors import PieError, UsageError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


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
    """The database the command works on: --db, else the configured one."""
    return args.db if args.db is not None else settings().db_path


def read_password(language: str, confirm: bool = True) -> str:
    """From the terminal (asked twice, prompts in `language`), else from $PIE_PASSWORD; never
    from an argument."""
    if sys.stdin.isatty():
        first = getpass.getpass(i18n.t("cli.users.password_prompt", language))
        if confirm and getpass.getpass(i18n.t("cli.users.password_again", language)) != first:
            raise PieError(key="cli.users.password_mismatch")
        return first
    from_env = settings().password
    if not from_env:
        raise PieError(key="cli.users.password_needed")
    return from_env


def normalise_region(region: str | None) -> str | None:
    """`9` → `09`, as spreadsheets drop the leading zero (DATA_MODEL.md conventions)."""
    if region is None:
        return None
    region = region.strip()
    if not region.isdigit() or not 1 <= int(region) <= 12:
        raise UsageError(key="cli.bad_region", region=region)
    return f"{int(region):02d}"


def parse_date(value: str | None, option: str) -> date | None:
    """`2026-11-30` → a date (None when not given); anything else is a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(key="cli.bad_date", option=option, value=value) from None
