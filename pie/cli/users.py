"""`python -m pie users add|list|disable|enable|passwd|unlock` (shared/CLI.md)."""
from __future__ import annotations

import argparse
import json

from pie import auth, codes, i18n
from pie.cli.common import EXIT_OK, add_command, db_path, read_password
from pie.errors import PieError, UsageError


def cmd_users(args: argparse.Namespace) -> int:
    path = db_path(args)
    if args.action == "list":
        users = auth.list_users(path)
        if args.json:
            print(json.dumps(users, default=str, ensure_ascii=False))
        for user in ([] if args.json else users):
            state = i18n.t("cli.users.disabled" if user["disabled"] else "cli.users.active", args.lang)
            if user["throttled_until"] is not None:
                state += " " + i18n.t("cli.users.throttled", args.lang, failures=user["failed_logins"],
                                      until=f"{user['throttled_until']:%H:%M:%S}")
            elif user["failed_logins"] >= auth.FREE_FAILURES:  # its next attempt will be slowed down
                state += " " + i18n.t("cli.users.failures", args.lang, failures=user["failed_logins"])
            print(f"{user['user_name']:<20} {user['role']:<11} {user['scope_code'] or '':<12} {state}")
        return EXIT_OK
    if not args.name:
        raise UsageError(key="cli.users.name_needed", action=args.action)
    if args.action == "add":
        if not args.role:
            raise UsageError(key="cli.users.role_needed")
        auth.check_account(args.name, args.role, args.scope)  # before asking for a password
        if args.role == "establishment":
            _check_establishment(path, args.scope.strip())
        auth.add_user(path, args.name, args.role, read_password(args.lang), args.scope, by="cli")
        print(i18n.t("cli.users.added", args.lang, name=args.name, role=args.role))
    elif args.action == "disable":
        auth.disable_user(path, args.name, by="cli")
        print(i18n.t("cli.users.disabled_done", args.lang, name=args.name))
    elif args.action == "enable":
        auth.enable_user(path, args.name, by="cli")
        print(i18n.t("cli.users.enabled_done", args.lang, name=args.name))
    elif args.action == "passwd":
        auth.set_password(path, args.name, read_password(args.lang), by="cli")
        print(i18n.t("cli.users.password_changed", args.lang, name=args.name))
    elif args.action == "unlock":
        auth.unlock_user(path, args.name, by="cli")
        print(i18n.t("cli.users.unlocked", args.lang, name=args.name))
    elif args.action in ("trust", "untrust"):
        auth.set_trusted(path, args.name, args.action == "trust", by="cli")
        print(i18n.t("cli.users.trusted" if args.action == "trust" else "cli.users.untrusted", args.lang,
                     name=args.name))
    return EXIT_OK


def _check_establishment(path, establishment_id: str) -> None:
    """An establishment account's scope must be an establishment of the database."""
    from pie import db

    with db.reader(path).connection().cursor() as cur:
        found = cur.execute("select 1 from establishments where establishment_id = $id",
                            {"id": establishment_id}).fetchone()
    if found is None:
        raise PieError(key="cli.users.unknown_establishment", establishment=establishment_id)


def register(subparsers, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "users", cmd_users,
                    "accounts: add, list, disable, enable, passwd, unlock; trust / untrust a partner account "
                    "(its batches publish without approval); passwords from the terminal or $PIE_PASSWORD",
                    "python -m pie users add boa.agadir --role bank --scope BOA", common)
    p.add_argument("action", choices=("add", "list", "disable", "enable", "passwd", "unlock", "trust", "untrust"))
    p.add_argument("name", nargs="?", help="user name (lower-case)")
    p.add_argument("--role", choices=codes.ROLES)
    p.add_argument("--scope", help="establishment_id (role establishment), bank code (role bank) or incubator "
                                   "name (role incubator)")
    p.add_argument("--json", action="store_true", help="with list: JSON output")
