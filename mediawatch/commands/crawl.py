"""Collection commands: ``crawl``, ``sources``, ``import`` and ``push``.

- ``mediawatch crawl --sources FILE [--once]``: collect every enabled source of a registry into the
  pipeline (enrich → store → detect). Without ``--once`` it keeps polling, each source at its own
  adaptive interval. Prints per-source counts.
- ``mediawatch sources``: the health of every collected source (failing first).
- ``mediawatch import FILE --source ID``: a social platform export (JSON array or CSV).
- ``mediawatch push``: forward one item (``--text``…, or ``--file`` with a JSON object per line),
  into the local store, or with ``--server URL`` to a running MediaWatch's push endpoint using
  ``MEDIAWATCH_PUSH_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from mediawatch.context import CommandContext
from records.errors import ConfigError, InputError
from records.schema import Item, utcnow
from store.base import UpsertResult

Sink = Callable[[list[Item]], list[UpsertResult]]
MIN_SLEEP = 30.0


def register(sub: argparse._SubParsersAction) -> None:
    crawl = sub.add_parser(
        "crawl",
        help="collect the sources of a registry (feeds, sitemaps, listings, exports)",
        description="Collect the sources of a registry YAML into the pipeline and report per-source counts.",
    )
    crawl.add_argument(
        "--sources", type=Path, required=True, metavar="FILE", help="registry YAML (e.g. config/sources.yaml)"
    )
    crawl.add_argument("--once", action="store_true", help="one pass over every enabled source, then exit")
    crawl.add_argument("--only", action="append", default=None, metavar="ID", help="only this source (repeatable)")
    crawl.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="HOST",
        help="host, address or CIDR allowed past the SSRF guard (repeatable; adds to MEDIAWATCH_SSRF_ALLOW)",
    )
    crawl.add_argument("--delay", type=float, default=None, metavar="S", help="seconds between requests to one host")
    crawl.add_argument("--raw", action="store_true", help="store items without enrichment/detection (debugging)")
    crawl.add_argument("--json", action="store_true", help="print the run report as JSON")
    crawl.set_defaults(func=run_crawl)

    sources = sub.add_parser("sources", help="health of the collected sources (failing first)")
    sources.add_argument("--json", action="store_true", help="one JSON object per source")
    sources.set_defaults(func=run_sources)

    imp = sub.add_parser("import", help="import a social platform export (JSON array or CSV) for a source")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--source", required=True, metavar="ID", help="source id (looked up in --sources if given)")
    imp.add_argument("--sources", type=Path, default=None, metavar="FILE", help="registry to look the source up in")
    imp.add_argument("--name", default=None, help="source name when it is not in a registry")
    imp.add_argument("--raw", action="store_true", help="store items without enrichment/detection (debugging)")
    imp.set_defaults(func=run_import)

    push = sub.add_parser("push", help="forward an item (from an official or the Zalo channel) into MediaWatch")
    push.add_argument("--text", help="the forwarded text")
    push.add_argument("--url", help="its link, if any")
    push.add_argument("--title", default=None)
    push.add_argument("--channel", default=None, help="e.g. zalo")
    push.add_argument("--source-id", default="push", help="source id (default: push)")
    push.add_argument("--by", default=None, help="who forwards it (default: the OS user)")
    push.add_argument("--file", type=Path, default=None, help="JSON object per line (keys as the push endpoint)")
    push.add_argument("--server", default=None, metavar="URL", help="post to a MediaWatch server's /api/v1/push")
    push.add_argument("--raw", action="store_true", help="store items without enrichment/detection (debugging)")
    push.set_defaults(func=run_push)


def pipeline_sink(ctx: CommandContext, *, raw: bool) -> Sink:
    """The pipeline's ingest (enrich → store → detect), or the store alone with ``raw``."""
    if raw:
        return ctx.store.upsert_items
    from mediawatch.pipeline import build_pipeline

    return build_pipeline(ctx.settings, ctx.store).ingest


def _print_report(report: Any, *, as_json: bool) -> None:
    if as_json:
        print(report.model_dump_json())
        return
    print(f"lượt thu thập {report.run_id}")
    columns = ("tải", 5), ("mới", 5), ("trùng", 5), ("không đổi", 9), ("lỗi", 4), ("cách ly", 7), ("ngoài tỉnh", 10)
    print(f"{'nguồn':<28} " + " ".join(f"{name:>{width}}" for name, width in columns))
    for source_id, rep in report.sources.items():
        c = rep.counts
        print(
            f"{source_id[:28]:<28} {c.fetched:>5} {c.new:>5} {c.duplicate:>5} {c.unchanged:>9} "
            f"{c.failed + c.refused:>4} {c.quarantined:>7} {c.irrelevant:>10}  {rep.status}"
        )
        for error in rep.errors[:3]:
            print(f"    ! {error}")


def run_crawl(args: argparse.Namespace, ctx: CommandContext) -> int:
    from crawlers.collect import CollectOptions, collect_once
    from crawlers.registry import added_sources, load_registry

    registry = load_registry(args.sources).with_sources(added_sources(ctx.store))  # + sources added via the API
    if args.only:
        unknown = set(args.only) - {s.id for s in registry.sources}
        if unknown:
            raise InputError(f"--only: no such source in {args.sources}: {', '.join(sorted(unknown))}")
    if args.delay is not None and args.delay < 0:
        raise InputError("--delay must be >= 0")
    sink = pipeline_sink(ctx, raw=args.raw)
    while True:
        options = CollectOptions(allow=list(args.allow), delay=args.delay, only=args.only, only_due=not args.once)
        report = collect_once(registry, sink=sink, store=ctx.store, settings=ctx.settings, options=options)
        _print_report(report, as_json=args.json)
        sys.stdout.flush()
        if args.once:
            failed = [sid for sid, rep in report.sources.items() if rep.failed]
            return 1 if failed and len(failed) == len(report.sources) else 0
        time.sleep(_seconds_to_next_due(ctx))


def _seconds_to_next_due(ctx: CommandContext) -> float:
    from crawlers.health import list_health

    now = utcnow()
    dues = [h.next_due_at for h in list_health(ctx.store) if h.next_due_at is not None]
    nearest = min(dues, default=now + timedelta(minutes=5))
    return max(MIN_SLEEP, (nearest - now).total_seconds())


def run_sources(args: argparse.Namespace, ctx: CommandContext) -> int:
    from crawlers.health import list_health

    order = {"failing": 0, "degraded": 1, "never": 2, "ok": 3}
    rows = sorted(list_health(ctx.store), key=lambda h: (order.get(str(h.status), 4), h.source_id))
    if args.json:
        for health in rows:
            print(health.model_dump_json())
        return 0
    if not rows:
        print("chưa có nguồn nào được thu thập (chạy: mediawatch crawl --sources config/sources.yaml --once)")
        return 0
    print(f"{'nguồn':<28} {'trạng thái':<34} {'lần cuối OK':<17} {'lỗi liên tiếp':>13} {'chu kỳ':>7} {'mới/tổng':>9}")
    for h in rows:
        last_ok = h.last_success_at.strftime("%Y-%m-%d %H:%M") if h.last_success_at else "—"
        print(
            f"{h.source_id[:28]:<28} {h.status_text[:34]:<34} {last_ok:<17} {h.consecutive_failures:>13} "
            f"{h.interval_minutes:>5}ph {h.totals.new:>4}/{h.totals.fetched:<4}"
        )
        if h.last_error:
            print(f"    ! {h.last_error[:200]}")
    return 0


def run_import(args: argparse.Namespace, ctx: CommandContext) -> int:
    from crawlers.collect import import_file
    from crawlers.registry import Method, Source, load_registry
    from records.schema import SourceKind

    if not args.file.is_file():
        raise InputError(f"no such file: {args.file}")
    if args.sources is not None:
        try:
            source = load_registry(args.sources).get(args.source)
        except KeyError:
            raise InputError(f"source {args.source!r} is not in {args.sources}") from None
    else:
        try:
            source = Source(id=args.source, name=args.name or args.source, kind=SourceKind.social,
                            method=Method.export, url=str(args.file))  # fmt: skip
        except ValueError as exc:
            raise InputError(f"--source: {exc}") from exc
    report = import_file(args.file, source, sink=pipeline_sink(ctx, raw=args.raw), store=ctx.store,
                         settings=ctx.settings)  # fmt: skip
    _print_report(report, as_json=False)
    return 1 if report.sources[source.id].failed else 0


def _push_payloads(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.file is not None:
        payloads = []
        for number, line in enumerate(args.file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    payloads.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{args.file}:{number}: not JSON: {exc.msg}") from exc
        return payloads
    if not args.text:
        raise InputError("push needs --text or --file")
    payload: dict[str, Any] = {"text": args.text, "source_id": args.source_id}
    for key in ("url", "title", "channel"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    return [payload]


def run_push(args: argparse.Namespace, ctx: CommandContext) -> int:
    import getpass

    from crawlers.push import item_from_push

    payloads = _push_payloads(args)
    if args.server:
        return _push_remote(args.server, payloads, ctx)
    by = args.by or getpass.getuser()
    items = [item_from_push(p, received_by=by) for p in payloads]
    results = pipeline_sink(ctx, raw=args.raw)(items)
    for result in results:
        print(f"{result.item_id}\t{result.outcome.value}")
    return 0


def _push_remote(server: str, payloads: list[dict[str, Any]], ctx: CommandContext) -> int:
    from crawlers.errors import CrawlError
    from crawlers.ssrf import safe_request

    token = ctx.settings.push_token
    if token is None:
        raise ConfigError("push --server needs MEDIAWATCH_PUSH_TOKEN (or a user API token in it)")
    url = server.rstrip("/") + "/api/v1/push"
    try:
        result = safe_request(
            "POST", url, allow=ctx.settings.ssrf_allow,
            headers={"Authorization": f"Bearer {token.get_secret_value()}", "Content-Type": "application/json"},
            content=json.dumps({"items": payloads}, ensure_ascii=False).encode("utf-8"),
        )  # fmt: skip
    except CrawlError as exc:
        raise InputError(f"push to {url} failed: {exc}") from exc
    if result.status != 200:
        raise InputError(f"push to {url}: HTTP {result.status}: {result.body[:300].decode('utf-8', 'replace')}")
    for row in json.loads(result.body)["results"]:
        print(f"{row.get('item_id')}\t{row['status']}")
    return 0
