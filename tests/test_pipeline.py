"""The pipeline sink: enrich → store → detect, idempotent, and nothing lost when enrichment fails."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from mediawatch.pipeline import Pipeline
from records.identity import content_hash, item_id
from records.schema import Flag, FlagKind, Incident, Item, SourceKind
from store.sqlite_store import SQLiteStore


def make_item(n: int, text: str | None = None) -> Item:
    url = f"https://baoquangnam.example/bai-{n}"
    body = text or f"Bài số {n} về lũ lụt ở Đại Lộc"
    return Item(
        id=item_id(url),
        url=url,
        content_hash=content_hash("", body),
        source_id="bqn",
        kind=SourceKind.press,
        text=body,
    )


class TagEnricher:
    """Adds a flag to items whose text says 'hoax'; raises on items whose text says 'boom'."""

    def enrich(self, items: Sequence[Item]) -> list[Item]:
        out = []
        for item in items:
            if "boom" in item.text:
                raise ValueError("cannot segment this text")
            flags = (
                [Flag(kind=FlagKind.misinformation, score=0.9, reasons=["giống tin sai đã xác minh"])]
                if "hoax" in item.text
                else []
            )
            out.append(item.model_copy(update={"flags": flags}))
        return out


class RecordingDetector:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def process(self, items: Sequence[Item]) -> list[Incident]:
        self.seen.extend(i.id for i in items)
        return []


@pytest.fixture
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "p.db") as s:
        yield s


def test_ingest_enriches_stores_and_detects_once(store: SQLiteStore) -> None:
    detector = RecordingDetector()
    pipeline = Pipeline(store, TagEnricher(), detector)
    items = [make_item(1), make_item(2, "tin hoax về vỡ đập")]
    first = pipeline.ingest(items)
    again = pipeline.ingest(items)
    assert [r.outcome.value for r in first] == ["created", "created"]
    assert [r.outcome.value for r in again] == ["unchanged", "unchanged"]
    assert detector.seen == [items[0].id, items[1].id]  # unchanged items are not re-detected
    stored = store.get_item(items[1].id)
    assert stored is not None and stored.flag_kinds == ["misinformation"]
    assert pipeline.stats.outcomes == {"created": 2, "unchanged": 2}


def test_item_that_breaks_enrichment_is_quarantined_not_lost(store: SQLiteStore) -> None:
    pipeline = Pipeline(store, TagEnricher())
    good, bad = make_item(1), make_item(2, "boom")
    results = pipeline.ingest([good, bad])
    assert [r.item_id for r in results] == [good.id]
    quarantined = store.list_quarantine().items
    assert len(quarantined) == 1
    assert quarantined[0].url == bad.url
    assert "cannot segment this text" in quarantined[0].reason
    assert pipeline.stats.quarantined == 1


class ClaimRecordingEnricher(TagEnricher):
    def __init__(self) -> None:
        self.claims: list = []

    def set_claims(self, claims: Sequence) -> None:
        self.claims = list(claims)


def test_refresh_claims_loads_the_stores_known_claims_into_the_matcher(store: SQLiteStore) -> None:
    enricher = ClaimRecordingEnricher()
    pipeline = Pipeline(store, enricher)
    store.put_record(
        "known_claims",
        "dam-burst",
        {"claim": "Đập Đắk Mi 4 đã vỡ", "correction": "Đập an toàn, đang vận hành bình thường"},
    )
    pipeline.refresh_claims()
    assert [c.claim_id for c in enricher.claims] == ["dam-burst"]
    assert enricher.claims[0].correction.startswith("Đập an toàn")
