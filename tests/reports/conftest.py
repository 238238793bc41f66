"""Fixtures of the report tests: a SQLite store seeded with a known week, and settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from report_seed import WEEK_END, WEEK_START

from alerts.synthetic import make_item, random_week
from mediawatch.settings import REPO_ROOT, Settings
from records.schema import Incident, IncidentStatus, Verdict
from store.base import IncidentQuery
from store.sqlite_store import SQLiteStore


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, db=tmp_path / "reports.db", config_dir=REPO_ROOT / "config")  # type: ignore[call-arg]


def _incident(n: int, *, first_seen: datetime, unit: str, resolved_after_h: float | None,
              response_after_h: float | None, item_ids: list[str], severity: int = 3) -> Incident:
    return Incident(
        id=f"inc-{n}",
        title=f"Sự việc số {n}: tin đồn xả lũ",
        severity=severity,
        status=IncidentStatus.resolved if resolved_after_h is not None else IncidentStatus.assigned,
        verdict=Verdict.false if resolved_after_h is not None else None,
        item_ids=item_ids,
        topics=["disaster"],
        districts=["Đại Lộc"],
        flag_kinds=["misinformation"],
        sources=["bao-quang-nam"],
        first_seen=first_seen,
        last_seen=first_seen + timedelta(hours=3),
        owner_unit=unit,
        deadline=first_seen + timedelta(hours=24),
        resolved_at=first_seen + timedelta(hours=resolved_after_h) if resolved_after_h is not None else None,
        first_response_at=first_seen + timedelta(hours=response_after_h) if response_after_h is not None else None,
    )


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A known week: 1,200 random items in week 48, 150 the week before, 80 the week after, 12 items
    about a draft fee policy, three incidents (two resolved in the week) with known response times."""
    store = SQLiteStore(tmp_path / "reports.db")
    items = list(random_week(1200, WEEK_START.astimezone(UTC), seed=48))
    items += list(random_week(150, (WEEK_START - timedelta(days=7)).astimezone(UTC), seed=47))
    items += list(random_week(80, WEEK_END.astimezone(UTC), seed=49))
    policy_items = [
        make_item(
            i, WEEK_START + timedelta(days=1, hours=i), topics=["education"], districts=["Tam Kỳ"], tag="fee",
            title=f"Phụ huynh băn khoăn về mức thu học phí mới {i}",
            text="Dự thảo quy định mức thu học phí năm học mới; nhiều phụ huynh đề nghị giữ nguyên mức miễn giảm.",
            kind="social" if i % 2 else "press",
        )
        for i in range(12)
    ]
    for item in policy_items:
        item.author = "Nguyễn Văn Tác Giả"
    items += policy_items
    store.upsert_items(items)
    incident_items = [items[0].id, items[1].id]
    store.create_incident(_incident(1, first_seen=WEEK_START + timedelta(hours=10), unit="so_y_te",
                                    resolved_after_h=20, response_after_h=2, item_ids=incident_items, severity=4))
    store.create_incident(_incident(2, first_seen=WEEK_START + timedelta(days=2), unit="so_y_te",
                                    resolved_after_h=30, response_after_h=4, item_ids=[items[2].id]))
    store.create_incident(_incident(3, first_seen=WEEK_START + timedelta(days=3), unit="cong_an_tinh",
                                    resolved_after_h=None, response_after_h=1.5, item_ids=[items[3].id]))
    store.create_incident(_incident(4, first_seen=WEEK_START - timedelta(days=20), unit="cong_an_tinh",
                                    resolved_after_h=None, response_after_h=None, item_ids=[]))
    for incident in store.list_incidents(IncidentQuery(limit=100)).items:
        for item_id in incident.item_ids:
            store.annotate_item(item_id, incident_id=incident.id)
    yield store
    store.close()
