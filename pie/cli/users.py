"""`python -m pie users add|list|disable|enable|passwd|unlock|email|language` (shared/CLI.md;
`--email` on `add` and `users email NAME ADDRESS|--remove` extend it for single sign-on,
`users language NAME fr|ar|en` sets the weekly digest's language; README's table)."""
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
            print(f"{user['user_name']:<20} {user['role']:<11} {user['scope_code'] or '':<12} "
                  f"{user['email'] or '-':<32} {state}")
        return EXIT_OK
    if not args.name:
        raise UsageError(key="cli.users.name_needed", action=args.action)
    if args.email is not None and args.action != "add":
        raise UsageError(key="cli.users.email_option_add_only")
    if args.address is not None and args.action not in ("email", "language"):
        raise UsageError(key="cli.users.extra_argument", action=args.action, value=args.address)
    if args.action == "add":
        if not args.role:
            raise UsageError(key="cli.users.role_needed")
        auth.check_account(args.name, args.role, args.scope)  # before asking for a password
        if args.role == "establishment":
            _check_establishment(path, args.scope.strip())
        email = None if args.email is None else auth.check_email(args.email)
        auth.add_user(path, args.name, args.role, read_password(args.lang), args.scope, email=email, by="cli")
        print(i18n.t("cli.users.added", args.lang, name=args.name, role=args.role))
    elif args.action == "email":
        if (args.address is None) == (not args.remove):
            raise UsageError(key="cli.users.email_needed")
        auth.set_email(path, args.name, None if args.remove else args.address, by="cli")
        if args.remove:
            print(i18n.t("cli.users.email_removed", args.lang, name=args.name))
        else:
            print(i18n.t("cli.users.email_set", args.lang, name=args.name, email=auth.normal_email(args.address)))
    elif args.action == "language":
        if args.address is None:
            raise UsageError(key="cli.users.language_needed")
        language = args.address.strip().lower()
        auth.set_language(path, args.name, language, by="cli")
        print(i18n.t("cli.users.language_set", args.lang, name=args.name, language=language))
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
                    "accounts: add, list, disable, enable, passwd, unlock, email, language (of its weekly digest); trust / untrust a partner account "
                    "(its batches publish without approval); passwords from the terminal or $PIE_PASSWORD; an e-mail "
                    "lets OFPPT staff sign in with the institution's account",
                    "python -m pie users add boa.agadir --role bank --scope BOA\n"
                    "  python -m pie users email amina amina.idrissi@ofppt.ma\n"
                    "  python -m pie users language boa.agadir ar", common)
    p.add_argument("action", choices=("add", "list", "disable", "enable", "passwd", "unlock", "email", "language",
                                      "trust", "untrust"))
    p.add_argument("name", nargs="?", help="user name (lower-case)")
    p.add_argument("address", nargs="?", help="with email: the account's e-mail address (single sign-on, digest); "
                                                      "with language: fr, ar or en (its weekly digest)")
    p.add_argument("--role", choices=codes.ROLES)
    p.add_argument("--scope", help="establishment_id (role establishment), bank code (role bank) or incubator "
                                   "name (role incubator)")
    p.add_argument("--email", metavar="ADDRESS",
                   help="with add: the account's e-mail address, its key for single sign-on (admin, manager, leadership)")
    p.add_argument("--remove", action="store_true", help="with email: remove the account's e-mail address")
    p.add_argument("--json", action="store_true", help="with list: JSON output")
