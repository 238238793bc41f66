"""The pipeline's spine: a batch of collected items is enriched, stored and handed to detection.

collect (crawlers) ──► normalise + enrich (nlp) ──► store ──► detect + route (incidents, routing)
Alerts and reports read the store afterwards (alerts/, reports/).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mediawatch.settings import Settings
from records.schema import Incident, Item, QuarantinedRecord
from store.base import Store, UpsertOutcome, UpsertResult

log = logging.getLogger(__name__)


class ItemEnricher(Protocol):
    def enrich(self, items: Sequence[Item]) -> list[Item]: ...




class IncidentProcessor(Protocol):
    def process(self, items: Sequence[Item]) -> list[Incident]: ...


@dataclass
class PipelineStats:
    """Running totals of what the pipeline did, for the CLI's summary."""

    received: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    incidents_touched: set[str] = field(default_factory=set)

    def count(self, results: Sequence[UpsertResult]) -> None:
        for result in results:
            self.outcomes[result.outcome.value] = self.outcomes.get(result.outcome.value, 0) + 1


class Pipeline:
    """``ingest`` is the sink the crawlers feed: enrich → store → detect. Safe to call repeatedly
    with the same items (the store's upsert is idempotent)."""

    def __init__(
        self,
        store: Store,
        enricher: ItemEnricher,
        detector: IncidentProcessor | None = None,
        *,
        on_stored: Callable[[list[Item]], None] | None = None,
    ) -> None:
        self.store = store
        self.enricher = enricher
        self.detector = detector
        self.on_stored = on_stored
        self.stats = PipelineStats()

    def ingest(self, items: list[Item]) -> list[UpsertResult]:
        """Enrich, store and detect one batch; returns the store's result for each stored item.

        An item that enrichment cannot handle is quarantined with the reason, never dropped.
        """
        self.stats.received += len(items)
        enriched = self._enrich(items)
        results = self.store.upsert_items(enriched) if enriched else []
        self.stats.count(results)
        changed = list(
            dict.fromkeys(
                r.item_id for r in results if r.outcome in (UpsertOutcome.created, UpsertOutcome.updated)
            )
        )
        if changed:
            stored = self.store.get_items(changed)
            if self.detector is not None:
                for incident in self.detector.process(stored):
                    self.stats.incidents_touched.add(incident.id)
            if self.on_stored is not None:
                self.on_stored(stored)
        return results

    def refresh_claims(self) -> None:
        """Reload the known false claims from the store into the matcher (after an analyst adds one)."""
        from nlp.claims import load_claims

        set_claims = getattr(self.enricher, "set_claims", None)
        if set_claims is not None:
            set_claims(load_claims(self.store))

    def _enrich(self, items: list[Item]) -> list[Item]:
        try:
            return self.enricher.enrich(items)
        except Exception:  # boundary: fall back to one item at a time and quarantine failures
            log.warning("batch enrichment failed; retrying item by item", exc_info=True)
        enriched: list[Item] = []
        for item in items:
            try:
                enriched.extend(self.enricher.enrich([item]))
            except Exception as exc:  # recorded in quarantine with its reason, not swallowed
                self.stats.quarantined += 1
                self.store.quarantine(
                    QuarantinedRecord(
                        source_id=item.source_id,
                        url=item.url,
                        reason=f"enrichment failed: {type(exc).__name__}: {exc}",
                        raw=item.model_dump_json()[:200_000] + "\n" + traceback.format_exc(limit=3),
                    )
                )
        return enriched


def build_pipeline(settings: Settings, store: Store) -> Pipeline:
    """The production pipeline: shipped models and gazetteer, known claims from the store, incident
    detection with routing from ``settings.config_dir``. Raises ModelError if models are missing."""
    from incidents.detector import IncidentDetector
    from nlp.claims import load_claims
    from nlp.enrich import Enricher
    from routing.engine import Router

    enricher = Enricher.load(
        models_dir=settings.models_dir, config_dir=settings.config_dir, claims=load_claims(store)
    )
    detector = IncidentDetector(store, Router.load(store, settings.config_dir))
    return Pipeline(store, enricher, detector)
