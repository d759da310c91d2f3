"""`python -m pie privacy export|erase|purge` (shared/CLI.md; Law 09-08, docs/PRIVACY.md)."""
from __future__ import annotations

import argparse
from pathlib import Path

from pie import i18n
from pie.cli.common import EXIT_OK, add_command, db_path
from pie.config import settings
from pie.errors import UsageError
from pie.privacy import erasure, person


def cmd_privacy(args: argparse.Namespace) -> int:
    path = db_path(args)
    if args.action == "export":
        if not args.participant or not args.dir:
            raise UsageError(key="privacy.error.export_usage")
        files = person.export(path, args.participant, Path(args.dir))
        print(i18n.t("privacy.cli.exported", args.lang, participant=args.participant, count=len(files), dir=args.dir))
    elif args.action == "erase":
        if not args.participant or args.dir:
            raise UsageError(key="privacy.error.erase_usage")
        (done,) = erasure.erase(path, [args.participant], args.reason)
        print(i18n.t("privacy.cli.erased", args.lang, participant=args.participant, texts=done["texts"],
                     files=len(done.get("archived_files", []))))
    else:
        if args.participant:
            raise UsageError(key="privacy.error.purge_usage")
        years = args.older_than if args.older_than is not None else settings().retention_years
        found = erasure.purge(path, years, dry_run=args.dry_run)
        for row in found:
            print(f"{row['participant_id']}\t{row['last_activity_on'] or ''}")
        key = "privacy.cli.would_purge" if args.dry_run else "privacy.cli.purged"
        print(i18n.t(key, args.lang, count=len(found), years=years))
    return EXIT_OK


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "privacy", cmd_privacy,
                    "personal data (Law 09-08): export a person's data, erase their contacts, purge inactive ones",
                    "python -m pie privacy export P-000123 out/P-000123", common)
    p.add_argument("action", choices=("export", "erase", "purge"))
    p.add_argument("participant", nargs="?", help="participant_id (export, erase)")
    p.add_argument("dir", nargs="?", help="output folder (export)")
    p.add_argument("--reason", help="erase: why (kept in erased_participants and the audit log)")
    p.add_argument("--older-than", type=int, dest="older_than", metavar="YEARS",
                   help="purge: years without activity (default $PIE_RETENTION_YEARS, 5)")
    p.add_argument("--dry-run", action="store_true", help="purge: list who would be erased, erase nothing")
