"""``mediawatch digest``: write (and optionally e-mail) the weekly digest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from mediawatch.context import CommandContext


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("digest", help="write the weekly digest (HTML with charts), optionally e-mail it")
    p.add_argument("--week", default=None, metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 (default: last week)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help="HTML file (default: digest-<week>.html)")
    p.add_argument("--send", action="store_true", help="also e-mail it through MEDIAWATCH_SMTP_*")
    p.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="recipient (repeatable, with --send)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from records.schema import utcnow
    from reports.digest import build_digest, previous_week, send_digest

    week = args.week or previous_week(utcnow(), ZoneInfo(ctx.settings.timezone))
    digest = build_digest(ctx.store, week, settings=ctx.settings)
    path = digest.write(args.out or Path(f"digest-{week}.html"))
    print(path)
    if args.send:
        send_digest(digest, settings=ctx.settings, to=args.to)
        print(f"digest: sent to {', '.join(args.to)}", file=sys.stderr)
    return 0
