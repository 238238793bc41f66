"""``mediawatch retention [--dry-run] [--json]``: delete items past their retention period."""

from __future__ import annotations

import argparse
import json

from mediawatch.context import CommandContext
from records.schema import utcnow
from store.retention import apply_retention


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "retention",
        help="delete items past their retention period (unflagged first; items of open incidents are kept)",
    )
    p.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    report = apply_retention(ctx.store, ctx.settings, now=utcnow(), dry_run=args.dry_run)
    if args.json:
        doc = report.model_dump(mode="json", exclude={"deleted_ids"})
        doc["deleted"] = report.deleted
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"retention: examined {report.examined} items; {verb} {report.deleted} "
        f"(unflagged {report.deleted_unflagged}, unflagged social {report.deleted_unflagged_social}, "
        f"flagged {report.deleted_flagged}, of resolved incidents {report.deleted_after_close}); "
        f"kept {report.kept_open_incident} of open incidents"
    )
    return 0
