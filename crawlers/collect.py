"""One collection run over a registry: ``collect_once``.

Feeds are polled here (conditional GET through the SSRF-safe fetcher, parsed by feedparser from the
bytes); exports are read here; every page fetch (feed-linked articles, sitemaps, listing pages) runs
in one Scrapy child process (``crawlers.runner``), which streams extracted articles back. Each
document ends in exactly one count: new (stored), duplicate / unchanged (already stored or not
modified), irrelevant (national item about another province), quarantined (kept with a reason),
failed or refused (robots.txt / SSRF), so nothing is lost without a trace.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from protego import Protego
from pydantic import BaseModel, Field

from crawlers import health as health_mod
from crawlers.errors import CrawlError, ExportError, FeedError, FetchError, TextRepairError
from crawlers.exports import BadRow, ExportPost, read_export
from crawlers.extract import parse_time
from crawlers.feeds import FeedEntry, parse_feed
from crawlers.health import RunCounts, SourceHealth
from crawlers.items import make_item
from crawlers.registry import Method, Registry, Source
from crawlers.relevance import RelevanceFilter
from crawlers.runner import run_child
from crawlers.settings import USER_AGENT
from crawlers.ssrf import safe_fetch
from crawlers.textrepair import repair_text
from mediawatch.settings import Settings
from records.identity import canonical_url
from records.schema import Item, QuarantinedRecord, utcnow
from store.base import Store, UpsertOutcome, UpsertResult

Sink = Callable[[list[Item]], list[UpsertResult]]
RAW_LIMIT = 200_000


@dataclass
class CollectOptions:
    """How a run behaves. ``polite=False`` (bench only) drops robots.txt, delays and per-host limits."""

    allow: list[str] = field(default_factory=list)  # extra SSRF allow-list entries (the demo's loopback site)
    scrapy: dict[str, Any] = field(default_factory=dict)  # Scrapy setting overrides
    polite: bool = True
    delay: float | None = None  # seconds between requests to one host (default: crawlers.settings, 1 s)
    user_agent: str = USER_AGENT
    feed_timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    child_timeout: float = 1800.0
    batch_size: int = 50
    only: list[str] | None = None  # source ids to run (default: every enabled source)
    only_due: bool = False  # skip sources whose next_due_at is in the future


class SourceReport(BaseModel):
    source_id: str
    counts: RunCounts = Field(default_factory=RunCounts)
    failed: bool = False
    source_errors: int = 0  # feed, sitemap or listing pages that failed
    errors: list[str] = Field(default_factory=list)
    status: str = ""
    interval_minutes: int = 0


class CrawlReport(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    sources: dict[str, SourceReport] = Field(default_factory=dict)
    child_stats: dict[str, Any] = Field(default_factory=dict)

    @property
    def totals(self) -> RunCounts:
        total = RunCounts()
        for rep in self.sources.values():
            total = total.add(rep.counts)
        return total


class _Run:
    """The state of one run: counts per source, pending batch, crawl state updates."""

    def __init__(
        self,
        registry: Registry,
        *,
        sink: Sink,
        store: Store,
        settings: Settings,
        run_id: str,
        options: CollectOptions,
        relevance: RelevanceFilter | None,
    ) -> None:
        self.registry, self.sink, self.store, self.settings = registry, sink, store, settings
        self.run_id, self.options = run_id, options
        self.allow = [*settings.ssrf_allow, *options.allow]
        self.tz: tzinfo = ZoneInfo(settings.timezone)
        self._relevance = relevance
        self.report = CrawlReport(run_id=run_id, started_at=utcnow())
        self.states: dict[str, dict[str, Any]] = {}
        self.batch: list[tuple[Item, str, dict[str, Any] | None]] = []
        self.robots: dict[str, Protego | None] = {}

    # -- bookkeeping ---------------------------------------------------------------------------
    def rep(self, source_id: str) -> SourceReport:
        if source_id not in self.report.sources:
            self.report.sources[source_id] = SourceReport(source_id=source_id)
        return self.report.sources[source_id]

    def count(self, source_id: str, key: str, n: int = 1) -> None:
        counts = self.rep(source_id).counts
        setattr(counts, key, getattr(counts, key) + n)

    def error(self, source_id: str, message: str, *, fatal: bool = False) -> None:
        rep = self.rep(source_id)
        if len(rep.errors) < 20:
            rep.errors.append(message)
        rep.failed = rep.failed or fatal

    def state(self, source_id: str) -> dict[str, Any]:
        if source_id not in self.states:
            self.states[source_id] = health_mod.load_state(self.store, source_id)
        return self.states[source_id]

    def relevance(self) -> RelevanceFilter:
        if self._relevance is None:
            self._relevance = RelevanceFilter.from_gazetteer()
        return self._relevance

    def quarantine(self, source_id: str, url: str | None, reason: str, raw: str) -> None:
        self.store.quarantine(
            QuarantinedRecord(source_id=source_id, url=url, reason=reason, raw=raw[:RAW_LIMIT])
        )
        self.count(source_id, "quarantined")

    # -- items ---------------------------------------------------------------------------------
    def offer(self, source: Source, item: Item, state_entry: dict[str, Any] | None) -> None:
        """Relevance-filter and queue an item for the sink; remember its crawl state once stored."""
        self.count(source.id, "fetched")
        if source.needs_relevance:
            verdict = self.relevance().check(item.title, item.text)
            if not verdict.relevant:
                self.count(source.id, "irrelevant")
                self.remember(source.id, item.url, state_entry)
                return
            item.provenance.relevance = verdict.reasons
        self.batch.append((item, source.id, state_entry))
        if len(self.batch) >= self.options.batch_size:
            self.flush()

    def remember(self, source_id: str, url: str, state_entry: dict[str, Any] | None) -> None:
        if state_entry is not None:
            self.state(source_id)["articles"][canonical_url(url)] = {**state_entry, "seen": utcnow().isoformat()}

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        results = self.sink([item for item, _, _ in batch])
        by_submitted = {r.submitted_id: r for r in results}
        for item, source_id, state_entry in batch:
            result = by_submitted.get(item.id)
            if result is None:
                self.count(source_id, "failed")
                self.error(source_id, f"sink returned no result for {item.url}")
                continue
            if result.outcome in (UpsertOutcome.created, UpsertOutcome.updated):
                self.count(source_id, "new")
            elif result.outcome == UpsertOutcome.unchanged:
                self.count(source_id, "unchanged")
            else:
                self.count(source_id, "duplicate")
            self.remember(source_id, item.url, {**(state_entry or {}), "hash": item.content_hash})

    def repaired(self, source: Source, url: str, title: str, text: str) -> tuple[str, str] | None:
        try:
            return repair_text(title, what="tiêu đề").text, repair_text(text, what="nội dung").text
        except TextRepairError as exc:
            self.quarantine(source.id, url, str(exc), f"{title}\n\n{text}")
            return None

    # -- feeds ---------------------------------------------------------------------------------
    def poll_feed(self, source: Source) -> list[dict[str, Any]]:
        """Entries of every feed URL of a source (conditional GET); entries used directly when the
        source does not fetch articles (social channels whose feed carries the post)."""
        entries: dict[str, FeedEntry] = {}
        feeds_state = self.state(source.id)["feeds"]
        failures = 0
        for url in source.all_urls:
            if not self.robots_allow(url):
                failures += 1
                self.count(source.id, "refused")
                self.error(source.id, f"{url}: forbidden by robots.txt")
                continue
            validators = feeds_state.get(url, {})
            headers = {"User-Agent": self.options.user_agent}
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
            try:
                result = safe_fetch(
                    url, allow=self.allow, headers=headers,
                    timeout=self.options.feed_timeout, max_bytes=self.options.max_bytes,
                )  # fmt: skip
                if result.not_modified:
                    continue
                if result.status != 200:
                    raise FetchError(f"{url}: HTTP {result.status}", status=result.status)
                found = parse_feed(result.body, url=result.url, content_type=result.headers.get("content-type"))
            except FeedError as exc:
                failures += 1
                self.error(source.id, str(exc))
                digest = hashlib.sha256(result.body).hexdigest()
                if feeds_state.get(url, {}).get("quarantined") != digest:  # the same bad feed: kept once
                    raw = result.body.decode("utf-8", errors="replace")
                    self.quarantine(source.id, url, f"Nguồn tin (feed) không đọc được: {exc}", raw)
                    feeds_state[url] = {**feeds_state.get(url, {}), "quarantined": digest}
                continue
            except CrawlError as exc:  # fetch, SSRF, size cap
                failures += 1
                self.error(source.id, str(exc))
                continue
            feeds_state[url] = {"etag": result.etag, "last_modified": result.last_modified}
            for entry in found:
                entries.setdefault(canonical_url(entry.url), entry)
        if failures and failures == len(source.all_urls):
            self.rep(source.id).failed = True
        if source.fetch_articles:
            return [e.to_dict() for e in entries.values()][: source.max_articles]
        for entry in list(entries.values())[: source.max_articles]:
            self.entry_item(source, entry)
        return []

    def robots_allow(self, url: str) -> bool:
        """robots.txt for feeds and export URLs fetched here (pages go through Scrapy's middleware).
        Fetched once per host and run; missing (4xx) or unreachable robots.txt allows."""
        if not self.options.polite:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            rules: Protego | None = None
            try:
                result = safe_fetch(
                    origin + "/robots.txt", allow=self.allow, headers={"User-Agent": self.options.user_agent},
                    timeout=self.options.feed_timeout, max_bytes=512 * 1024,
                )  # fmt: skip
                if result.status == 200:
                    rules = Protego.parse(result.body.decode("utf-8", errors="replace"))
            except CrawlError:
                rules = None
            self.robots[origin] = rules
        rules = self.robots[origin]
        return rules is None or rules.can_fetch(url, self.options.user_agent)

    def entry_item(self, source: Source, entry: FeedEntry) -> None:
        lastmod = entry.updated or entry.published
        key = canonical_url(entry.url)
        known = self.state(source.id)["articles"].get(key)
        if known and lastmod and known.get("lastmod") == lastmod:
            self.count(source.id, "unchanged")
            return
        fixed = self.repaired(source, entry.url, entry.title, entry.summary or entry.title)
        if fixed is None:
            self.remember(source.id, entry.url, {"lastmod": lastmod})
            return
        item = make_item(
            source_id=source.id, kind=source.kind, url=entry.url, title=fixed[0], text=fixed[1],
            method="rss", run_id=self.run_id, author=entry.author,
            published_at=parse_time(entry.published, tz=self.tz), language=source.language,
        )  # fmt: skip
        self.offer(source, item, {"lastmod": lastmod})

    # -- exports -------------------------------------------------------------------------------
    def read_export_bytes(self, source: Source) -> bytes:
        if source.url.startswith(("http://", "https://")):
            if not self.robots_allow(source.url):
                raise FetchError(f"{source.url}: forbidden by robots.txt")
            result = safe_fetch(
                source.url, allow=self.allow, headers={"User-Agent": self.options.user_agent},
                timeout=self.options.feed_timeout, max_bytes=self.options.max_bytes,
            )  # fmt: skip
            if result.status != 200:
                raise FetchError(f"{source.url}: HTTP {result.status}", status=result.status)
            return result.body
        path = Path(source.url)
        if not path.is_absolute():
            path = self.registry.base_dir / path
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ExportError(f"cannot read export {path}: {exc.strerror}") from exc

    def import_export(self, source: Source, data: bytes | None = None) -> None:
        try:
            data = self.read_export_bytes(source) if data is None else data
            rows = list(read_export(data, source_id=source.id, tz=self.tz))
        except (CrawlError, UnicodeDecodeError) as exc:
            self.error(source.id, str(exc), fatal=True)
            if data is not None:
                self.quarantine(source.id, source.url, f"Tệp xuất dữ liệu không đọc được: {exc}",
                                data.decode("utf-8", errors="replace"))  # fmt: skip
            return
        for row in rows:
            if isinstance(row, BadRow):
                self.count(source.id, "fetched")
                self.quarantine(source.id, source.url, f"Bài đăng trong tệp xuất không hợp lệ: {row.reason}", row.raw)
                continue
            self.export_item(source, row)

    def export_item(self, source: Source, post: ExportPost) -> None:
        fixed = self.repaired(source, post.url, "", post.text)
        if fixed is None:
            self.count(source.id, "fetched")
            return
        item = make_item(
            source_id=source.id, kind=source.kind, url=post.url, title="", text=fixed[1], method="export",
            run_id=self.run_id, author=post.page_name, published_at=post.created_at,
            language=source.language, reach=post.reach,
        )  # fmt: skip
        # a post already imported with the same text and reach is not enriched and stored again
        known = self.state(source.id)["articles"].get(item.url)
        if known and known.get("hash") == item.content_hash and known.get("reach") == item.reach:
            self.count(source.id, "fetched")
            self.count(source.id, "unchanged")
            return
        self.offer(source, item, {"reach": item.reach})

    # -- crawl child ---------------------------------------------------------------------------
    def child_job(self, parts: list[dict[str, Any]]) -> dict[str, Any]:
        overrides: dict[str, Any] = {"SSRF_ALLOW": self.allow, "USER_AGENT": self.options.user_agent,
                                     "DOWNLOAD_MAXSIZE": self.options.max_bytes}  # fmt: skip
        if self.options.delay is not None:
            overrides.update(DOWNLOAD_DELAY=self.options.delay, AUTOTHROTTLE_START_DELAY=max(self.options.delay, 0.1))
        if not self.options.polite:
            overrides.update(
                ROBOTSTXT_OBEY=False, DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False,
                CONCURRENT_REQUESTS=32, CONCURRENT_REQUESTS_PER_DOMAIN=32, RANDOMIZE_DOWNLOAD_DELAY=False,
            )  # fmt: skip
        overrides.update(self.options.scrapy)
        return {"settings": overrides, "sources": parts}

    def run_child(self, parts: list[dict[str, Any]]) -> None:
        try:
            for record in run_child(self.child_job(parts), timeout=self.options.child_timeout):
                self.handle(record)
        except CrawlError as exc:
            for part in parts:
                self.error(part["source"]["id"], str(exc))
                self.rep(part["source"]["id"]).failed = True

    def handle(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind == "stats":
            self.report.child_stats = {k: v for k, v in record.items() if k != "type"}
            return
        source_id = record.get("source_id")
        if not source_id:
            return
        source = self.registry.get(source_id)
        url = record.get("url") or ""
        if kind == "article":
            self.article(source, record)
        elif kind == "unchanged":
            self.count(source_id, "unchanged")
        elif kind == "refused":
            self.count(source_id, "refused")
            self.error(source_id, f"{url}: {record.get('reason')}")
            if record.get("role"):  # the sitemap or listing page itself was refused
                self.rep(source_id).source_errors += 1
        elif kind == "dropped":
            reason = str(record.get("reason") or "")
            if reason.startswith("duplicate"):  # fetched, but the same page as another one of this run
                self.count(source_id, "fetched")
                self.count(source_id, "duplicate")
            else:
                self.count(source_id, "failed")
                self.error(source_id, reason)
        elif kind == "source_error":
            self.error(source_id, f"{url}: {record.get('reason')}")
            self.rep(source_id).source_errors += 1
        elif kind == "failed":
            self.count(source_id, "failed")
            self.error(source_id, f"{url}: {record.get('reason')}")

    def article(self, source: Source, record: dict[str, Any]) -> None:
        url = record.get("final_url") or record["url"]
        state_entry = {k: record.get(k) for k in ("lastmod", "etag", "last_modified")}
        if record.get("quarantine"):
            self.count(source.id, "fetched")
            self.quarantine(source.id, url, str(record["quarantine"]), str(record.get("raw") or ""))
            self.remember(source.id, record["url"], state_entry)
            return
        item = make_item(
            source_id=source.id, kind=source.kind, url=url, title=record.get("title") or "",
            text=record.get("text") or "", method=str(source.method), run_id=self.run_id,
            fetched_url=record.get("final_url"), author=record.get("author"),
            published_at=parse_time(record.get("published_at"), tz=self.tz), language=record.get("language"),
        )  # fmt: skip
        self.offer(source, item, state_entry)
        if canonical_url(record["url"]) != item.url:  # listed under another URL (redirect): remember both
            self.remember(source.id, record["url"], state_entry)

    # -- the run -------------------------------------------------------------------------------
    def due(self, source: Source, now: datetime) -> bool:
        if not self.options.only_due:
            return True
        health = health_mod.load_health(self.store, source.id)
        return health is None or health.next_due_at is None or health.next_due_at <= now

    def run(self) -> CrawlReport:
        now = utcnow()
        sources = [s for s in self.registry.enabled() if self.options.only is None or s.id in self.options.only]
        sources = [s for s in sources if s.method != Method.push and self.due(s, now)]
        parts: list[dict[str, Any]] = []
        for source in sources:
            self.rep(source.id)
            if source.method == Method.export:
                self.import_export(source)
                continue
            entries: list[dict[str, Any]] = []
            if source.method == Method.rss:
                entries = self.poll_feed(source)
                if not entries:
                    continue
            parts.append({
                "source": source.model_dump(mode="json"),
                "entries": entries,
                "state": self.state(source.id)["articles"],
            })  # fmt: skip
        if parts:
            self.run_child(parts)
        self.flush()
        self.finish(sources)
        return self.report

    def finish(self, sources: Iterable[Source]) -> None:
        for source in sources:
            rep = self.rep(source.id)
            counts = rep.counts
            nothing = counts.fetched == 0 and counts.unchanged == 0
            if not rep.failed and nothing and (counts.failed or rep.source_errors):
                rep.failed = True
            if source.id in self.states:
                health_mod.save_state(self.store, source.id, self.states[source.id])
            seen = counts.fetched + counts.unchanged + counts.failed + counts.duplicate
            health: SourceHealth = health_mod.record_run(
                self.store, source, counts, failed=rep.failed, error="; ".join(rep.errors[:3]) or None, seen=seen
            )
            rep.status, rep.interval_minutes = health.status_text, health.interval_minutes
        self.report.finished_at = utcnow()


def new_run_id() -> str:
    return f"crawl-{utcnow():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def collect_once(
    registry: Registry,
    *,
    sink: Sink,
    store: Store,
    settings: Settings,
    run_id: str | None = None,
    options: CollectOptions | None = None,
    relevance: RelevanceFilter | None = None,
) -> CrawlReport:
    """Collect every enabled source of the registry once; per-source counts in the report and in the
    store's ``source_health`` collection. ``relevance`` defaults to the gazetteer filter."""
    run = _Run(
        registry, sink=sink, store=store, settings=settings, run_id=run_id or new_run_id(),
        options=options or CollectOptions(), relevance=relevance,
    )  # fmt: skip
    return run.run()


def import_file(
    path: Path,
    source: Source,
    *,
    sink: Sink,
    store: Store,
    settings: Settings,
    relevance: RelevanceFilter | None = None,
) -> CrawlReport:
    """Import one social export file for a source (the ``mediawatch import`` command)."""
    registry = Registry(sources=[source], base_dir=path.parent)
    run = _Run(registry, sink=sink, store=store, settings=settings, run_id=new_run_id(),
               options=CollectOptions(), relevance=relevance)  # fmt: skip
    run.rep(source.id)
    run.import_export(source, Path(path).read_bytes())
    run.flush()
    run.finish([source])
    return run.report
