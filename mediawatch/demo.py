"""The main job, offline: crawl the bundled sample sources, enrich, store, detect and route incidents,
raise alerts at a local sink, write the digest and the periodic report, then (optionally) serve.

Every stage is the real one; only the sources and the alert target are local.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mediawatch.demo_sink import LocalSink
from mediawatch.pipeline import Pipeline
from mediawatch.settings import Settings
from records.schema import utcnow
from store.base import IncidentQuery, ItemQuery, Store

if TYPE_CHECKING:
    from crawlers.collect import CrawlReport

Say = Callable[[str], None]

DEMO_ANALYST = "phan-tich-vien"
DEMO_ADMIN = "quan-tri"
DEMO_SCRAPY_OVERRIDES = {"DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_START_DELAY": 0.05, "AUTOTHROTTLE_MAX_DELAY": 1.0}


@dataclass
class DemoSummary:
    """What the demo did, for its closing line and for tests."""

    items: int = 0
    incidents: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    alerts_delivered: int = 0
    quarantined: int = 0
    digest_path: Path | None = None
    report_path: Path | None = None
    sources: dict[str, dict[str, int]] = field(default_factory=dict)

    def line(self) -> str:
        flags = ", ".join(f"{k} {v}" for k, v in sorted(self.flags.items())) or "none"
        return (
            f"demo: {self.items} items, {self.incidents} incidents, flags by kind: {flags}; "
            f"{self.alerts} alerts ({self.alerts_delivered} delivered), {self.quarantined} quarantined"
        )


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def half_year(moment: datetime) -> str:
    return f"{moment.year}-H{1 if moment.month <= 6 else 2}"


def run_demo(
    settings: Settings,
    store: Store,
    pipeline: Pipeline,
    *,
    out_dir: Path,
    anchor: datetime | None = None,
    say: Say = print,
) -> DemoSummary:
    """Run every stage once over the sample sources, feeding ``pipeline`` (see ``build_pipeline``);
    returns what happened."""
    from crawlers.collect import CollectOptions, collect_once
    from crawlers.registry import load_registry
    from reports.digest import build_digest
    from reports.periodic import build_report
    from sample_site.server import SampleSite

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = DemoSummary()
    # The sample timeline ends now, so the flood burst is what the alert window sees.
    anchor = anchor or utcnow().replace(microsecond=0)

    with SampleSite(anchor=anchor) as site, LocalSink(log_path=out_dir / "alerts-received.jsonl") as sink:
        registry_path = site.write_registry(out_dir / "sample-sources.yaml")
        say(f"Nguồn mẫu đang chạy tại {site.base_url} (danh mục nguồn: {registry_path})")
        # The sample sources are ours, on loopback: allow exactly that host past the SSRF guard and
        # shorten the politeness delay (robots.txt and the per-host limit still apply).
        options = CollectOptions(allow=["127.0.0.1"], scrapy=DEMO_SCRAPY_OVERRIDES)
        report = collect_once(
            load_registry(registry_path), sink=pipeline.ingest, store=store, settings=settings, options=options
        )
        summary.sources = _source_counts(report)
        for source_id, counts in summary.sources.items():
            say(f"  nguồn {source_id}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

        say("Phát hiện đột biến và gửi cảnh báo tới điểm nhận cục bộ ...")
        raised, delivered = _raise_alerts(store, settings, sink_url=sink.url)
        summary.alerts = len(raised)
        summary.alerts_delivered = delivered
        for alert in raised:
            say(f"  cảnh báo: {alert.title}")
        say(f"  điểm nhận cục bộ {sink.url} đã nhận {len(sink.received)} thông báo")

    week = iso_week(anchor)
    digest = build_digest(store, week, settings=settings)
    summary.digest_path = digest.write(out_dir / f"digest-{week}.html")
    period = half_year(anchor)
    summary.report_path = build_report(store, period, out=out_dir / f"report-{period}.docx", settings=settings)
    say(f"Bản tin tuần: {summary.digest_path}")
    say(f"Báo cáo định kỳ: {summary.report_path}")

    summary.items = store.count(ItemQuery())
    summary.flags = store.facet_counts(ItemQuery(), "flag")
    summary.incidents = _count_incidents(store)
    summary.quarantined = len(store.list_quarantine(limit=1000).items)
    (out_dir / "demo-summary.json").write_text(
        json.dumps(
            {
                "items": summary.items,
                "incidents": summary.incidents,
                "flags": summary.flags,
                "alerts": summary.alerts,
                "alerts_delivered": summary.alerts_delivered,
                "quarantined": summary.quarantined,
                "sources": summary.sources,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return summary


def _source_counts(report: CrawlReport) -> dict[str, dict[str, int]]:
    return {source_id: rep.counts.model_dump() for source_id, rep in report.sources.items()}


def _count_incidents(store: Store) -> int:
    total, cursor = 0, None
    while True:
        page = store.list_incidents(IncidentQuery(limit=1000, cursor=cursor))
        total += len(page.items)
        cursor = page.next_cursor
        if not cursor:
            return total


def _raise_alerts(store: Store, settings: Settings, *, sink_url: str) -> tuple[list, int]:
    """Point every alert rule at the local sink (signed webhook, delivered at once: the demo has
    no quiet hours), evaluate the rules, deliver; returns (alerts raised, deliveries made)."""
    from pydantic import SecretStr

    from alerts.engine import AlertEngine
    from alerts.rules import list_rules, save_rule

    alert_settings = settings.model_copy(
        update={
            "webhook_secret": settings.webhook_secret or SecretStr(secrets.token_urlsafe(32)),
            "ssrf_allow": [*settings.ssrf_allow, "127.0.0.1"],
        }
    )
    engine = AlertEngine(store, alert_settings, clock=utcnow)
    engine.ensure_rules()
    for rule in list_rules(store):
        doc = rule.model_dump(mode="json")
        doc["channels"] = [c for c in doc["channels"] if c.get("url") != sink_url] + [
            {"type": "webhook", "url": sink_url}
        ]
        doc["quiet_hours"] = None
        save_rule(store, doc, actor="demo")
    raised = engine.evaluate()
    report = engine.deliver_pending()
    return raised, report.sent
