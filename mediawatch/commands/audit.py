"""``mediawatch audit``: verify the audit log's hash chain; export it as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mediawatch.context import CommandContext
from records.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="verify or export the tamper-evident audit log")
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check every link of the hash chain (exit 1 if broken)")
    verify.set_defaults(func=run_verify)
    export = actions.add_parser("export", help="write the whole log as CSV")
    export.add_argument("--out", type=Path, required=True, help="CSV file to write ('-' for stdout)")
    export.set_defaults(func=run_export)


def run_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    from triage_api.services import audit

    ok, checked, message = audit.verify(ctx.store)
    if ok:
        print(f"audit log ok: {message}")
        return 0
    print(f"mediawatch: audit log BROKEN after {checked} good entries: {message}", file=sys.stderr)
    return 1


def run_export(args: argparse.Namespace, ctx: CommandContext) -> int:
    from triage_api.services import audit

    if str(args.out) == "-":
        for chunk in audit.iter_csv(ctx.store):
            sys.stdout.write(chunk)
        return 0
    if args.out.parent and not args.out.parent.exists():
        raise InputError(f"directory does not exist: {args.out.parent}")
    rows = 0
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        for chunk in audit.iter_csv(ctx.store):
            fh.write(chunk)
            rows += chunk.count("\n")
    print(f"wrote {args.out} ({max(0, rows - 1)} entries)")
    return 0
