"""`python -m pie digest (--preview DIR | --send) [--user NAME]` (shared/CLI.md, docs/DIGEST.md)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pie import i18n
from pie.cli.common import EXIT_OK, EXIT_REFUSED, add_command, db_path


def cmd_digest(args: argparse.Namespace) -> int:
    from pie import digest

    path = db_path(args)
    if args.preview is not None:
        for account, rendered in digest.build(path, args.user):
            written = digest.mail.write_preview(rendered, args.preview, account.user_name)
            print(i18n.t("digest.cli.written", args.lang, path=written))
        return EXIT_OK
    config = digest.mail.check_settings()          # before any figure is computed
    messages, without_email = [], []
    for account, rendered in digest.build(path, args.user):
        if not account.email:
            without_email.append(account.user_name)
            continue
        messages.append((account.user_name, digest.mail.message(rendered, account.email, config.smtp_from)))
    if without_email:
        print(i18n.t("digest.cli.no_email", args.lang, names=", ".join(without_email)), file=sys.stderr)
    failed = False
    for outcome in digest.mail.send_all(messages, config, args.lang):
        if outcome.error is None:
            print(i18n.t("digest.cli.sent", args.lang, name=outcome.user_name, email=outcome.email))
        else:
            failed = True
            print(i18n.t("digest.cli.failed", args.lang, name=outcome.user_name, email=outcome.email,
                         error=outcome.error), file=sys.stderr)
    return EXIT_REFUSED if failed else EXIT_OK


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "digest", cmd_digest,
                    "the weekly digest of each account (or one), in its scope and language: written as HTML "
                    "files, or sent through the SMTP server of the settings (PIE_SMTP_*; docs/DIGEST.md)",
                    "python -m pie digest --preview /tmp/digests\n  python -m pie digest --send --user boa", common)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--preview", type=Path, metavar="DIR", help="write one DIR/<user>.html per account, send nothing")
    mode.add_argument("--send", action="store_true",
                      help="send each account with an e-mail its digest (accounts without one are listed on stderr)")
    p.add_argument("--user", metavar="NAME", help="only this account")
