"""The detector behind the pipeline's sink (enrichment stubbed: the items arrive already labelled)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from incident_stories import DAM_ORIGINAL, DAM_PARAPHRASE, DAM_SYNDICATED, T0, make_item, misinformation_flag

from mediawatch.pipeline import Pipeline
from records.schema import Item
from store.base import IncidentQuery


class AlreadyEnriched:
    def enrich(self, items: Sequence[Item]) -> list[Item]:
        return list(items)


def test_ingest_twice_makes_one_incident(store, detector) -> None:
    pipeline = Pipeline(store, AlreadyEnriched(), detector)
    batch = [
        make_item(*DAM_ORIGINAL, source="baoquangnam", flags=[misinformation_flag()]),
        make_item(*DAM_SYNDICATED, source="tuoitre", at=T0 + timedelta(minutes=30)),
    ]
    pipeline.ingest(batch)
    pipeline.ingest(batch)  # a re-crawl: unchanged items do not reach the detector again
    pipeline.ingest([make_item(*DAM_PARAPHRASE, source="vnexpress", at=T0 + timedelta(minutes=50))])
    incidents = store.list_incidents(IncidentQuery()).items
    assert len(incidents) == 1 and len(incidents[0].item_ids) == 3
    assert pipeline.stats.incidents_touched == {incidents[0].id}
