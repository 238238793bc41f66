"""``mediawatch users``: create users (printing their one-time password and API token), list them,
issue a new token."""

from __future__ import annotations

import argparse

from mediawatch.context import CommandContext
from records.errors import NotFoundError
from records.schema import utcnow
from triage_api.roles import ROLES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="manage the desk's users (admin, analyst, board, unit)")
    actions = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a user; prints its one-time password and an API token")
    add.add_argument("name", help="user name (lower-case letters, digits, '.', '_' or '-')")
    add.add_argument("--role", required=True, choices=ROLES, help="what the user may do")
    add.add_argument("--unit", default=None, help="the unit id the user answers for (required for --role unit)")
    add.add_argument("--display-name", default=None, help="full name shown on the page")
    add.set_defaults(func=run_add)
    lst = actions.add_parser("list", help="list users (never passwords or tokens)")
    lst.set_defaults(func=run_list)
    tok = actions.add_parser("token", help="issue an additional API token for a user")
    tok.add_argument("name")
    tok.set_defaults(func=run_token)


def run_add(args: argparse.Namespace, ctx: CommandContext) -> int:
    from triage_api.services import users

    created = users.create_user(
        ctx.store,
        username=args.name,
        role=args.role,
        unit=args.unit,
        display_name=args.display_name,
        actor="cli",
        now=utcnow(),
    )
    unit = f", unit {created.user.unit}" if created.user.unit else ""
    print(f"user: {created.user.username} ({created.user.role.value}{unit})")
    print(f"one-time password: {created.password}")
    print(f"API token: {created.token}")
    print("Shown once: hand them over securely; only their hashes are stored.")
    return 0


def run_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    from triage_api.services import users

    for user in users.list_users(ctx.store):
        state = "active" if user.active else "disabled"
        print(f"{user.username}\t{user.role.value}\t{user.unit or '-'}\t{state}\t{user.created_at.isoformat()}")
    return 0


def run_token(args: argparse.Namespace, ctx: CommandContext) -> int:
    from records.schema import AuditEntry
    from triage_api.services import users

    if users.get_user(ctx.store, username=args.name) is None:
        raise NotFoundError(f"no user {args.name!r}")
    token = users.issue_token(ctx.store, username=args.name, now=utcnow(), label="cli")
    ctx.store.append_audit(AuditEntry(actor="cli", action="user.token", target=f"user:{args.name}"))
    print(f"API token: {token}")
    return 0
