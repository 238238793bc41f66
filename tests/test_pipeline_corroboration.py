"""A post that repeats an official statement is not flagged as misinformation, whichever arrives first:
with the statement already stored the post is scored with it; with the post first, the official item's
arrival re-scores it, replaces its flags, audits the change and refreshes its incident."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidents.detector import IncidentDetector
from mediawatch.pipeline import Pipeline, recent_official_items
from nlp.enrich import Enricher
from records.schema import Item, SourceKind
from routing.engine import Router
from store.base import IncidentQuery
from store.sqlite_store import SQLiteStore
from tests.factories import CAU_LAU_BULLETIN as BULLETIN
from tests.factories import CAU_LAU_POST as POST

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOAX = "DAP DAK MI 4 VO ROI, nuoc dang do ve Dai Loc rat manh, chinh quyen giau khong bao."


def item(text: str, kind: SourceKind, minutes: int, title: str = "") -> Item:
    at = NOW - timedelta(minutes=minutes)
    return Item.identified(url=f"https://{kind.value}.example/{minutes}", source_id=f"src-{kind.value}", kind=kind,
                           title=title, text=text, published_at=at, collected_at=at)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "c.db") as s:
        yield s


def pipeline(store: SQLiteStore, enricher: Enricher) -> Pipeline:
    detector = IncidentDetector(store, Router.load(store, REPO / "config"), clock=lambda: NOW)
    return Pipeline(store, enricher, detector)


def flags(store: SQLiteStore, it: Item) -> set[str]:
    stored = store.get_item(it.id)
    assert stored is not None
    return {str(f.kind) for f in stored.flags}


def fresh_enricher() -> Enricher:
    """A new Enricher (holding no official statements yet), as a new process would load it."""
    return Enricher.load(models_dir=REPO / "models", config_dir=REPO / "config")


def test_the_post_alone_is_flagged_and_a_hoax_stays_flagged_beside_the_bulletin(store) -> None:
    fresh = fresh_enricher()
    post, hoax = item(POST, SourceKind.social, 100), item(HOAX, SourceKind.social, 90)
    pipeline(store, fresh).ingest([post])
    assert flags(store, post) == {"misinformation"}  # without the bulletin the model's question stands
    pipeline(store, fresh).ingest([item(BULLETIN, SourceKind.official, 120, "Cập nhật mưa lũ đến 15 giờ"), hoax])
    assert "misinformation" in flags(store, hoax)


def test_a_post_after_the_stored_bulletin_is_not_flagged(store) -> None:
    bulletin = item(BULLETIN, SourceKind.official, 120, "Cập nhật mưa lũ đến 15 giờ")
    pipeline(store, fresh_enricher()).ingest([bulletin])
    restarted = fresh_enricher()  # a new process: the bulletin comes back from the store
    restarted.add_official_statements(recent_official_items(store, now=NOW))
    assert restarted.official_statements > 0
    post = item(POST, SourceKind.social, 60)
    pipeline(store, restarted).ingest([post])
    assert flags(store, post) == set()


def test_the_bulletin_arriving_later_rescores_the_post_and_its_incident(store) -> None:
    run = pipeline(store, fresh_enricher())
    post = item(POST, SourceKind.social, 100)
    run.ingest([post])
    assert flags(store, post) == {"misinformation"}
    [incident] = store.list_incidents(IncidentQuery(limit=10)).items
    assert incident.kind == "misinformation"
    severity = incident.severity

    run.ingest([item(BULLETIN, SourceKind.official, 30, "Cập nhật mưa lũ đến 15 giờ")])
    assert flags(store, post) == set()
    assert run.stats.rescored == 1
    entries = [e for e in store.iter_audit() if e.action == "item.flags_rescored"]
    assert [e.target for e in entries] == [f"item:{post.id}"]
    assert entries[0].details["before"]["misinformation"] > 0.5 and entries[0].details["after"] == {}
    assert "Câu Lâu" in entries[0].details["statement"]
    refreshed = store.get_incident(incident.id)
    assert refreshed is not None and refreshed.severity < severity and "misinformation" not in refreshed.flag_kinds
