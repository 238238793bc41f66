"""Retention with a frozen clock: each rule deletes exactly when its period ends, never before."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mediawatch.settings import Settings
from records.schema import Flag, FlagKind, Incident, IncidentStatus, Item, SourceKind
from store.retention import apply_retention
from store.sqlite_store import SQLiteStore
from tests.factories import build_item

C0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)  # when every test item was collected
AUTHOR = "Nguyễn Văn Tácgiả"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "retention.db")
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db=tmp_path / "retention.db",
        retention_days_unflagged=90,
        retention_days_unflagged_social=30,
        retention_days_after_close=365,
    )


def item(name: str, *, kind: SourceKind = SourceKind.press, flagged: bool = False) -> Item:
    return build_item(
        url=f"https://example.vn/{name}",
        title=name,
        text=f"Nội dung {name} về lũ lụt ở Đại Lộc.",
        source_id="src",
        kind=kind,
        author=AUTHOR,
        published_at=C0 - timedelta(hours=1),
        collected_at=C0,
        flags=[Flag(kind=FlagKind.misinformation, score=0.9, reasons=["thử"])] if flagged else [],
    )


@pytest.fixture
def population(store: SQLiteStore) -> dict[str, Item]:
    items = {
        "press": item("press"),
        "social": item("social", kind=SourceKind.social),
        "flagged": item("flagged", kind=SourceKind.social, flagged=True),
        "open": item("open"),
        "open_flagged": item("open-flagged", kind=SourceKind.social, flagged=True),
        "closed": item("closed", kind=SourceKind.social, flagged=True),
        "suggested": item("suggested", kind=SourceKind.social),
    }
    store.upsert_items(list(items.values()))
    for name, status, resolved in (("open", IncidentStatus.assigned, None), ("closed", IncidentStatus.resolved, 10)):
        ids = [items[name].id] + ([items["open_flagged"].id] if name == "open" else [])
        store.create_incident(
            Incident(
                id=f"inc-{name}",
                title=name,
                status=status,
                item_ids=ids,
                suggested_item_ids=[items["suggested"].id] if name == "open" else [],
                first_seen=C0,
                last_seen=C0,
                resolved_at=C0 + timedelta(days=resolved) if resolved else None,
            )
        )
        for i in ids:
            store.annotate_item(i, incident_id=f"inc-{name}")
    return items


def alive(store: SQLiteStore, items: dict[str, Item]) -> set[str]:
    found = {i.id for i in store.get_items([i.id for i in items.values()])}
    return {name for name, i in items.items() if i.id in found}


def at_day(days: float) -> datetime:
    return C0 + timedelta(days=days)


def test_each_rule_deletes_when_its_period_ends(store, settings, population) -> None:
    everything = set(population)
    kept = {"open", "open_flagged", "suggested"}  # an open incident keeps its items and suggestions
    steps = [
        (29.9, everything),
        (30, everything - {"social"}),  # social never flagged: first to go
        (89.9, everything - {"social"}),
        (90, everything - {"social", "press"}),  # other items never flagged
        (364.9, {"flagged", "closed"} | kept),
        (365, {"closed"} | kept),  # flagged, in no incident: the after-close period
        (374.9, {"closed"} | kept),
        (375, kept),  # resolved on day 10, + 365 days
        (2000, kept),
    ]
    for day, expected in steps:
        apply_retention(store, settings, now=at_day(day))
        assert alive(store, population) == expected, f"day {day}"


def test_dry_run_counts_and_deletes_nothing(store, settings, population) -> None:
    report = apply_retention(store, settings, now=at_day(400), dry_run=True)
    assert alive(store, population) == set(population)
    assert (report.deleted_unflagged, report.deleted_unflagged_social) == (1, 1)
    assert (report.deleted_flagged, report.deleted_after_close, report.kept_open_incident) == (1, 1, 3)
    assert report.deleted == 4 and sorted(report.deleted_ids) == sorted(
        population[n].id for n in ("press", "social", "flagged", "closed")
    )


def test_deleted_items_take_their_author_with_them(store, settings, population) -> None:
    def rows_with_author() -> int:
        with sqlite3.connect(settings.db) as conn:  # what is on disk, not what the store chooses to return
            return conn.execute("SELECT count(*) FROM items WHERE doc LIKE ?", (f"%{AUTHOR}%",)).fetchone()[0]

    assert rows_with_author() == len(population)
    report = apply_retention(store, settings, now=at_day(31))
    assert rows_with_author() == len(population) - 1
    assert report.deleted_ids == [population["social"].id]
    assert store.get_item(population["social"].id) is None
    remaining = store.get_items([i.id for i in population.values()])
    assert all(i.author == AUTHOR for i in remaining)  # the others keep theirs until their own period ends
    entries = list(store.iter_audit())
    assert entries[-1].action == "retention.apply" and entries[-1].details["deleted_unflagged_social"] == 1
    assert AUTHOR not in repr([e.details for e in entries])
