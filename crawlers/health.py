"""Per-source health (collection ``source_health``) and crawl state (collection ``crawl_state``).

Health answers "is this source still being collected?": counts of the last run and in total, last
success, consecutive failures, the current polling interval and a status with Vietnamese text for
the page. Crawl state is what makes crawls incremental: per feed its validators (ETag /
Last-Modified), per article URL the sitemap lastmod, validators and content hash last seen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from crawlers.registry import Schedule, Source
from records.schema import utcnow
from store.base import Store

HEALTH = "source_health"
STATE = "crawl_state"
FAILING_AFTER = 3  # consecutive failed runs before a source is reported as failing
MAX_STATE_ARTICLES = 5000  # per source, most recently seen kept


class Status(StrEnum):
    ok = "ok"
    degraded = "degraded"  # the last run failed, or some documents failed
    failing = "failing"  # FAILING_AFTER or more consecutive failed runs
    never = "never"  # not collected yet


STATUS_TEXT = {
    Status.ok: "Hoạt động bình thường",
    Status.degraded: "Có lỗi ở lần thu thập gần nhất",
    Status.failing: "Lỗi liên tục, cần kiểm tra nguồn",
    Status.never: "Chưa thu thập",
}


class RunCounts(BaseModel):
    fetched: int = 0  # documents fetched (articles, posts, entries used as items)
    new: int = 0  # stored as new or changed items
    duplicate: int = 0  # already stored (same URL and content, or the same content elsewhere)
    unchanged: int = 0  # not fetched again: not modified / lastmod unchanged / already seen
    failed: int = 0  # documents that could not be fetched or parsed
    quarantined: int = 0  # kept in quarantine with a reason
    irrelevant: int = 0  # national items dropped by the province relevance filter (counted, not lost)
    refused: int = 0  # robots.txt or SSRF refusals

    def add(self, other: RunCounts) -> RunCounts:
        return RunCounts(**{k: getattr(self, k) + getattr(other, k) for k in type(self).model_fields})


class SourceHealth(BaseModel):
    source_id: str
    name: str = ""
    method: str = ""
    status: Status = Status.never
    status_text: str = STATUS_TEXT[Status.never]
    last_run: RunCounts = Field(default_factory=RunCounts)
    totals: RunCounts = Field(default_factory=RunCounts)
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    interval_minutes: int = 30
    next_due_at: datetime | None = None


def next_interval(current: int, schedule: Schedule, *, new: int, seen: int, failed: bool) -> int:
    """The next polling interval in minutes (Media Cloud rss-fetcher style, bounded by the schedule):
    a failure doubles it; nothing new grows it by half; a busy source (more than half of what it
    listed was new, so items may be slipping past) halves it; otherwise it drifts back to the base."""
    if failed:
        value = current * 2
    elif new == 0:
        value = int(current * 1.5) + 1
    elif seen and new * 2 > seen:
        value = current // 2
    else:
        value = (current + schedule.interval) // 2
    return max(schedule.min, min(schedule.max, value))


def load_health(store: Store, source_id: str) -> SourceHealth | None:
    record = store.get_record(HEALTH, source_id)
    return SourceHealth.model_validate(record.doc) if record else None


def list_health(store: Store) -> list[SourceHealth]:
    """Health of every source ever collected, ordered by id."""
    return [SourceHealth.model_validate(r.doc) for r in store.list_records(HEALTH)]


def record_run(
    store: Store,
    source: Source,
    counts: RunCounts,
    *,
    failed: bool,
    error: str | None,
    seen: int,
    now: datetime | None = None,
) -> SourceHealth:
    """Fold one run's counts into the stored health of a source and save it."""
    now = now or utcnow()
    health = load_health(store, source.id) or SourceHealth(
        source_id=source.id, interval_minutes=source.schedule.interval
    )
    health.name, health.method = source.name, str(source.method)
    health.last_run = counts
    health.totals = health.totals.add(counts)
    health.last_run_at = now
    if failed:
        health.consecutive_failures += 1
        health.last_error = error
    else:
        health.consecutive_failures = 0
        health.last_success_at = now
        health.last_error = error  # partial problems of a successful run stay visible
    if health.consecutive_failures >= FAILING_AFTER:
        health.status = Status.failing
    elif failed or counts.failed or counts.quarantined:
        health.status = Status.degraded
    else:
        health.status = Status.ok
    health.status_text = STATUS_TEXT[health.status]
    health.interval_minutes = next_interval(
        health.interval_minutes, source.schedule, new=counts.new, seen=seen, failed=failed
    )
    health.next_due_at = now + timedelta(minutes=health.interval_minutes)
    store.put_record(HEALTH, source.id, health.model_dump(mode="json"))
    return health


def load_state(store: Store, source_id: str) -> dict[str, Any]:
    """Crawl state of a source: ``{"feeds": {url: {etag, last_modified}}, "articles": {url: {...}}}``."""
    record = store.get_record(STATE, source_id)
    doc = dict(record.doc) if record else {}
    doc.setdefault("feeds", {})
    doc.setdefault("articles", {})
    return doc


def save_state(store: Store, source_id: str, state: dict[str, Any]) -> None:
    articles: dict[str, Any] = state.get("articles", {})
    if len(articles) > MAX_STATE_ARTICLES:
        newest = sorted(articles.items(), key=lambda kv: kv[1].get("seen", ""), reverse=True)
        state["articles"] = dict(newest[:MAX_STATE_ARTICLES])
    store.put_record(STATE, source_id, state)
