"""``mediawatch policy``: register draft policies to watch and see their coverage (plan section I.1)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from zoneinfo import ZoneInfo

from mediawatch.commands.alerts import _actor
from mediawatch.context import CommandContext
from records.errors import InputError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="policy watch: register draft policies and see their coverage")
    psub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    add = psub.add_parser("add", help="register a draft policy under consultation")
    add.add_argument("--title", required=True)
    add.add_argument("--keywords", required=True, help="comma-separated keywords or phrases")
    add.add_argument("--opens", type=_date, required=True, metavar="YYYY-MM-DD")
    add.add_argument("--closes", type=_date, required=True, metavar="YYYY-MM-DD")
    add.add_argument("--note", default="")
    add.add_argument("--actor", default=None)
    add.set_defaults(func=cmd_add)
    ls = psub.add_parser("list", help="the registered policies")
    ls.set_defaults(func=cmd_list)
    show = psub.add_parser("show", help="coverage and public reaction of a policy over its consultation window")
    show.add_argument("policy_id", metavar="ID")
    show.set_defaults(func=cmd_show)


def cmd_add(args: argparse.Namespace, ctx: CommandContext) -> int:
    from reports.policy_watch import add_policy

    keywords = [k for k in args.keywords.split(",") if k.strip()]
    if not keywords:
        raise InputError("--keywords needs at least one keyword")
    policy = add_policy(ctx.store, title=args.title, keywords=keywords, opens=args.opens, closes=args.closes,
                        actor=args.actor or _actor(), note=args.note)
    print(policy.id)
    return 0


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    from reports.policy_watch import list_policies

    for p in list_policies(ctx.store):
        print(f"{p.id}\t{p.opens}..{p.closes}\t{p.title}\t{', '.join(p.keywords)}")
    return 0


def cmd_show(args: argparse.Namespace, ctx: CommandContext) -> int:
    from reports.policy_watch import get_policy, policy_coverage, window_bounds

    tz = ZoneInfo(ctx.settings.timezone)
    policy = get_policy(ctx.store, args.policy_id)
    since, until = window_bounds(policy, tz)
    cov = policy_coverage(ctx.store, policy, since=since, until=until, tz=tz)
    print(json.dumps({
        "id": policy.id, "title": policy.title, "volume": cov.volume, "by_kind": cov.by_kind,
        "concerns": cov.concerns, "reactions": cov.reactions,
        "examples": [{"title": e.title, "url": e.url, "source_id": e.source_id} for e in cov.examples],
    }, ensure_ascii=False, indent=2))
    return 0
