"""Report benchmark: build time of the weekly digest (and the six-month report) over a week of
``n_items`` synthetic items in a temporary SQLite store, with incidents and a watched policy."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from alerts.synthetic import random_week
from mediawatch.settings import Settings
from records.schema import Incident, IncidentStatus
from reports.digest import build_digest, week_bounds
from reports.periodic import build_report
from reports.policy_watch import add_policy

WEEK = "2026-W48"


def _incidents(start: datetime, n: int) -> list[Incident]:
    units = ["so_y_te", "cong_an_tinh", "so_gd_dt", "ubnd_dai_loc"]
    out = []
    for k in range(n):
        first = start + timedelta(hours=k % 160)
        resolved = k % 3 == 0
        out.append(Incident(
            id=f"bench-inc-{k}", title=f"Sự việc mô phỏng {k}", severity=1 + k % 5, first_seen=first,
            last_seen=first + timedelta(hours=2), owner_unit=units[k % len(units)],
            status=IncidentStatus.resolved if resolved else IncidentStatus.assigned,
            first_response_at=first + timedelta(hours=1 + k % 7),
            resolved_at=first + timedelta(hours=10) if resolved else None, deadline=first + timedelta(hours=24),
        ))
    return out


def run(*, n_items: int = 100_000, n_incidents: int = 300, with_report: bool = True) -> dict[str, float | int | str]:
    """Insert a week of items, then time ``build_digest`` (and ``build_report`` for the half-year)."""
    from store.sqlite_store import SQLiteStore

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    since, _ = week_bounds(WEEK, tz)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, db=Path(tmp) / "bench.db")  # type: ignore[call-arg]
        store = SQLiteStore(settings.db)
        started = time.perf_counter()
        batch = []
        for item in random_week(n_items, since, seed=11):
            batch.append(item)
            if len(batch) == 5000:
                store.upsert_items(batch)
                batch = []
        if batch:
            store.upsert_items(batch)
        insert_s = time.perf_counter() - started
        for incident in _incidents(since, n_incidents):
            store.create_incident(incident)
        add_policy(store, title="Dự thảo quy định mức thu học phí", keywords=["học phí", "khoản thu"],
                   opens=date(2026, 11, 20), closes=date(2026, 12, 20), actor="bench")
        started = time.perf_counter()
        digest = build_digest(store, WEEK, settings=settings)
        digest_s = time.perf_counter() - started
        figures: dict[str, float | int | str] = {
            "items": n_items,
            "incidents": n_incidents,
            "insert_s": round(insert_s, 2),
            "digest_build_s": round(digest_s, 2),
            "digest_html_kb": round(len(digest.html.encode("utf-8")) / 1024, 1),
            "digest_total_matches": int(digest.figures["total"] == n_items),
            "policy_items": int(digest.figures["policies"][0]["volume"]) if digest.figures["policies"] else 0,
        }
        if with_report:
            started = time.perf_counter()
            build_report(store, "2026-H2", out=Path(tmp) / "report.docx", settings=settings)
            figures["report_build_s"] = round(time.perf_counter() - started, 2)
        store.close()
    return figures
