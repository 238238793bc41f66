"""``mediawatch search``: full-text and filtered search over stored items.

Without QUERY, newest first; with QUERY, items matching every word (diacritics optional), exact
spellings first. Dates without a time are days in the configured time zone (Asia/Ho_Chi_Minh):
``--since`` is the start of that day, ``--until`` the end of it.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mediawatch.context import CommandContext
from records.errors import ConfigError, InputError
from records.schema import FlagKind, Item, SourceKind
from store.base import ItemQuery

MAX_LIMIT = 1000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="search stored items (full text, diacritics optional; filters)",
        description="Search stored items. Without QUERY: newest first. Repeat a filter to accept several values.",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="words to find (lu lut finds lũ lụt and back)")
    p.add_argument("--json", action="store_true", help="one JSON object per item")
    p.add_argument("--topic", action="append", default=[], metavar="T", help="topic id, e.g. disaster")
    p.add_argument("--district", action="append", default=[], metavar="D", help="district name, e.g. 'Đại Lộc'")
    p.add_argument(
        "--flag",
        action="append",
        default=[],
        metavar="F",
        choices=[str(k) for k in FlagKind],
        help="flag kind: " + ", ".join(str(k) for k in FlagKind),
    )
    p.add_argument("--source", action="append", default=[], metavar="S", help="source id")
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="K",
        choices=[str(k) for k in SourceKind],
        help="source kind: " + ", ".join(str(k) for k in SourceKind),
    )
    p.add_argument("--since", metavar="DATE", help="from this date or ISO time (inclusive)")
    p.add_argument("--until", metavar="DATE", help="up to this date (whole day) or ISO time (exclusive)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help=f"at most N items (1-{MAX_LIMIT}, default 20)")
    p.set_defaults(func=run)


def parse_when(value: str, *, tz: tzinfo, end_of_day: bool, option: str) -> datetime:
    """A date (a day in ``tz``) or an ISO 8601 time (naive means ``tz``); InputError otherwise."""
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None and len(text) == 10:
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option}: not a date: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def build_query(args: argparse.Namespace, tz: tzinfo) -> ItemQuery:
    if not 1 <= args.limit <= MAX_LIMIT:
        raise InputError(f"--limit must be between 1 and {MAX_LIMIT}")
    since = parse_when(args.since, tz=tz, end_of_day=False, option="--since") if args.since else None
    until = parse_when(args.until, tz=tz, end_of_day=True, option="--until") if args.until else None
    if since and until and since >= until:
        raise InputError("--since must be before --until")
    text = " ".join(args.query).strip() or None
    return ItemQuery(
        text=text,
        topics=args.topic,
        districts=args.district,
        flags=args.flag,
        sources=args.source,
        kinds=[SourceKind(k) for k in args.kind],
        since=since,
        until=until,
        limit=args.limit,
    )


def item_json(item: Item) -> dict[str, Any]:
    data = item.model_dump(
        mode="json",
        include={
            "id",
            "url",
            "title",
            "source_id",
            "kind",
            "published_at",
            "collected_at",
            "topics",
            "places",
            "flags",
            "incident_id",
            "language",
        },
    )
    data["districts"] = item.districts
    return data


def item_line(item: Item, tz: tzinfo) -> str:
    when = item.sort_time.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    tags = [*item.topics, *item.districts, *(f"⚑{k}" for k in item.flag_kinds)]
    title = " ".join((item.title or item.text[:80]).split())
    tag_text = f"  [{', '.join(tags)}]" if tags else ""
    return f"{when}  {item.source_id}  {title}{tag_text}  {item.url}"


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    try:
        tz = ZoneInfo(ctx.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone: {ctx.settings.timezone}") from exc
    query = build_query(args, tz)
    page = ctx.store.search(query)
    for item in page.items:
        print(json.dumps(item_json(item), ensure_ascii=False) if args.json else item_line(item, tz))
    return 0
