"""The command line: python -m core ... (thin over core; used by scripts, cron and tests).

Errors go to standard error with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.base import config
from core.base.errors import ChotdonError
from core.db.store import close_all
from core.domain import users

ACTION_NAMES = {
    "save-draft": "save_draft", "save": "save", "create-order": "create_order", "send-to-shop": "send_to_shop",
    "save-to-shipping-book": "save_to_shipping_book", "ship": "ship", "cancel": "cancel", "delete": "delete",
}


HELD = "Chotdon is running and holds the database; stop it or use the app."


class CliError(Exception):
    pass


class DatabaseHeld(CliError):
    """Another process (the running app) has the database open: DuckDB lets one process open the file."""

    def __init__(self):
        super().__init__(HELD)


def _store(args):
    import duckdb

    from core.db.store import describe_open_failure, open_store

    path = config.database_path(args.db)
    try:
        return open_store(path)
    except (duckdb.Error, OSError) as error:
        if isinstance(error, duckdb.IOException) and "lock" in str(error).lower():
            raise DatabaseHeld() from None
        # A full disk, a read-only, truncated or corrupt file: the sentence the app's page shows.
        raise CliError(str(describe_open_failure(error, str(path)))) from None


def cmd_init(args) -> int:
    from core.services.demo import ensure_demo_shop

    store = _store(args)
    result = {"database": store.path, "demo_livestream_id": None}
    if args.demo:
        result["demo_livestream_id"] = ensure_demo_shop(store)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_parse(args) -> int:
    from core.domain.syntax import InvalidSettings, SyntaxSettings, parse_cli, read_catalog_csv

    try:
        catalog = read_catalog_csv(args.catalog)
    except OSError as error:
        raise CliError(f"cannot read the catalog {args.catalog}: {error.strerror}") from None
    except ValueError as error:
        raise CliError(f"the catalog {args.catalog} is not valid: {error}") from None
    settings = SyntaxSettings()
    if args.settings:
        try:
            settings = SyntaxSettings.from_dict(json.loads(Path(args.settings).read_text(encoding="utf-8")))
            settings.validate()
        except OSError as error:
            raise CliError(f"cannot read the settings {args.settings}: {error.strerror}") from None
        except (ValueError, InvalidSettings) as error:
            raise CliError(f"the settings {args.settings} are not valid: {error}") from None
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", newline="\n", closefd=False)
    stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    try:
        return parse_cli(stdin, stdout, catalog, settings, args.jsonl)
    finally:
        stdout.flush()


def cmd_livestream_create(args) -> int:
    from core.services import livestreams

    items = None
    if args.items:
        try:
            items = livestreams.items_from_csv(Path(args.items).read_text(encoding="utf-8"))
        except OSError as error:
            raise CliError(f"cannot read {args.items}: {error.strerror}") from None
    livestream_id = livestreams.create_livestream(_store(args), args.title, platform=args.platform,
                                                  source_ref=args.source_ref, items=items)
    print(livestream_id)
    return 0


def cmd_ingest(args) -> int:
    from core.services.comments import ingest_file, validate_livestream_for_ingest

    store = _store(args)
    livestream_id = validate_livestream_for_ingest(store, args.livestream)
    try:
        progress = (lambda lines: print(f"read {lines} lines", file=sys.stderr, flush=True)) if args.progress else None
        summary = ingest_file(store, livestream_id, args.file, progress=progress)
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror}") from None
    print(json.dumps(summary.to_json(), ensure_ascii=False))
    return 0


def cmd_orders(args) -> int:
    from core.services import orders  # here: parse and ingest need not load the outbox and HTTP
    from core.services.livestreams import get_livestream

    store = _store(args)
    get_livestream(store, args.livestream)
    if args.status and args.status not in orders.STATUSES:
        raise CliError(f"unknown status {args.status}; use one of {', '.join(orders.STATUSES)}")
    result = orders.orders_with_lines(store, args.livestream, statuses=[args.status] if args.status else None)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=None))
    else:
        for order in result:
            print(f"{order['code']:<10} {order['status']:<22} {order['customer']:<28} {order['total']:>10}")
    return 0


def cmd_order(args) -> int:
    from core.services import orders

    store = _store(args)
    action = ACTION_NAMES.get(args.action)
    if action is None:
        raise CliError(f"unknown action {args.action}; use one of {', '.join(ACTION_NAMES)}")
    order = orders.get_order_by_code(store, args.order_code)
    edits = None
    if any(v is not None for v in (args.receiver_name, args.phone, args.address)):
        edits = orders.OrderEdits(receiver_name=args.receiver_name, receiver_phone=args.phone,
                                  receiver_address=args.address)
    shipment = orders.Shipment(carrier=args.carrier, tracking_number=args.tracking) if action == "ship" else None
    result = orders.perform_action(store, action, order.id, actor=args.user, expected_version=order.version,
                                   edits=edits, shipment=shipment)
    print(json.dumps({"code": result.code, "status": result.status, "version": result.version}))
    return 0


def cmd_user(args) -> int:
    """The shop computer's way back in: set a user's password (the owner who forgot theirs) or lift a lockout."""
    from core.services import auth

    try:
        store = _store(args)
    except DatabaseHeld:
        return _access_code(args)
    user = auth.user_by_username(store, args.username)
    if user is None:
        raise CliError(f"there is no user {args.username}")
    if args.user_command == "unlock":
        auth.unlock(store, user.id, by=users.SYSTEM_USER)
        print(json.dumps({"username": user.username, "unlocked": True}))
        return 0
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"New password for {user.username}: ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the two passwords differ; nothing was changed")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    auth.set_password(store, user.id, password, by=users.SYSTEM_USER)
    print(json.dumps({"username": user.username, "password_set": True}))
    return 0


def _access_code(args) -> int:
    """The app holds the database: leave a one-time code beside it that its login page takes on this computer."""
    from core.services import auth

    code = auth.write_access_code(config.database_path(args.db), args.username, args.user_command)
    what = "unlock the account" if args.user_command == "unlock" else "set the new password"
    print(f"Chotdon is running and holds the database. On this computer, open Chotdon's login page, press "
          f"\"One-time code\", and type the username {args.username}, the code {code}"
          f"{'' if args.user_command == 'unlock' else ' and the new password'} to {what}. "
          f"The code works once, for {auth.ACCESS_CODE_MINUTES} minutes.")
    return 0


def cmd_push(args) -> int:
    """Delivers the outbox: one pass (--once, for cron and scripts) or until interrupted."""
    import time

    from core.runtime import deliveries

    store = _store(args)  # while the app runs, it delivers pushes itself
    if args.once:
        print(json.dumps(deliveries.deliver_due(store).to_json(), ensure_ascii=False))
        return 0
    worker = deliveries.start_worker(store)
    try:
        while worker.running:
            time.sleep(1)
    except KeyboardInterrupt:
        worker.stop(wait=30)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Chotdon command line")
    parser.add_argument("--db", help="database file (default: CHOTDON_DB, else data/chotdon.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(sub):
        sub.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return sub

    init = with_db(commands.add_parser("init", help="create or migrate the database"))
    init.add_argument("--demo", action="store_true", help="create the demo shop when the database is empty")
    init.set_defaults(handler=cmd_init)

    parse = with_db(commands.add_parser("parse", help="parse comments from standard input (SYNTAX.md)"))
    parse.add_argument("--catalog", required=True)
    parse.add_argument("--settings")
    parse.add_argument("--jsonl", action="store_true")
    parse.set_defaults(handler=cmd_parse)

    livestream = commands.add_parser("livestream", help="livestreams")
    livestream_commands = livestream.add_subparsers(dest="livestream_command", required=True)
    create = with_db(livestream_commands.add_parser("create", help="create a livestream; prints its id"))
    create.add_argument("--title", required=True)
    create.add_argument("--items")
    create.add_argument("--platform", default="other", choices=["facebook", "tiktok", "other"])
    create.add_argument("--source-ref")
    create.set_defaults(handler=cmd_livestream_create)

    ingest = with_db(commands.add_parser("ingest", help="ingest a JSONL or CSV comment file"))
    ingest.add_argument("file")
    ingest.add_argument("--livestream", required=True)
    ingest.add_argument("--progress", action="store_true", help="print lines read after each batch to stderr")
    ingest.set_defaults(handler=cmd_ingest)

    orders_cmd = with_db(commands.add_parser("orders", help="list a livestream's orders"))
    orders_cmd.add_argument("--livestream", required=True, type=int)
    orders_cmd.add_argument("--status")
    orders_cmd.add_argument("--json", action="store_true")
    orders_cmd.set_defaults(handler=cmd_orders)

    order = with_db(commands.add_parser("order", help="run an action on one order"))
    order.add_argument("action", help=", ".join(ACTION_NAMES))
    order.add_argument("order_code")
    order.add_argument("--user", default="cli")
    order.add_argument("--receiver-name")
    order.add_argument("--phone")
    order.add_argument("--address")
    order.add_argument("--carrier")
    order.add_argument("--tracking")
    order.set_defaults(handler=cmd_order)

    push = with_db(commands.add_parser("push", help="deliver the outbox to MShopKeeper and the OCM webhook"))
    push.add_argument("--once", action="store_true", help="one pass over the pushes that are due, then exit")
    push.set_defaults(handler=cmd_push)

    user = commands.add_parser("user", help="set a password or unlock a login, on the shop's computer")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    for name, text in (("password", "set a user's password (asked for, or read from standard input)"),
                       ("unlock", "lift the lock after wrong passwords")):
        sub = with_db(user_commands.add_parser(name, help=text))
        sub.add_argument("username")
        sub.set_defaults(handler=cmd_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DatabaseHeld:
        print(HELD, file=sys.stderr)
        return 2
    except (ChotdonError, CliError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the CLI never shows a traceback; the message still says what failed
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        close_all()  # the checkpoint and the caches go now, not in the interpreter's slower teardown


if __name__ == "__main__":
    exit_code = main()
    # Python's own teardown of the loaded libraries (pandas, Arrow, DuckDB) took half a second after a large
    # ingest, with nothing left to do: the stores are closed, every thread is a daemon, and the output is flushed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code or 0)
