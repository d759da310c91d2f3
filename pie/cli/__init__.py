"""`python -m pie …`: the command-line interface of shared/CLI.md.

The CLI parses arguments, calls the library and turns its exceptions (pie/errors.py) into a
message on stderr in the --lang language and an exit status: 0 success, 1 the work was
refused (PieError), 2 usage error (UsageError). Each command group is a module
of this package (database, ingest, users, report, reporting, digest, privacy) with its `register` function; the
library never imports the CLI.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Sequence

from pie import i18n
from pie.cli import database, digest, ingest, privacy, report, reporting, users
from pie.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, common_options
from pie.errors import PieError, UsageError

# The command groups, in the order `--help` lists them; each has `register(subparsers, common)`.
COMMANDS = (database, ingest, users, report, reporting, digest, privacy)


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="python -m pie",
        description="PIE dashboard: database, demo data, imports and indicators (shared/CLI.md).",
        epilog="example:\n  python -m pie init && python -m pie demo --participants 2000 --seed 1",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for commands in COMMANDS:
        commands.register(subparsers, common)
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
