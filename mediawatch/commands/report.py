"""``mediawatch report``: the plan's six-month / year-end report (section IV) as .docx plus CSVs."""

from __future__ import annotations

import argparse
from pathlib import Path

from mediawatch.context import CommandContext


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the six-month or year-end report (.docx) and its tables as CSV")
    p.add_argument("--period", required=True, metavar="PERIOD", help="2026-H1, 2026-H2 (six months) or 2026 (year)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="the .docx file (default: bao-cao-<period>.docx); CSVs are written beside it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from reports.periodic import build_report

    out = args.out or Path(f"bao-cao-{args.period}.docx")
    path = build_report(ctx.store, args.period, out=out, settings=ctx.settings)
    print(path)
    return 0
