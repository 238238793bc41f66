"""The pipeline's spine: a batch of collected items is enriched, stored and handed to detection.

collect (crawlers) ──► normalise + enrich (nlp) ──► store ──► detect + route (incidents, routing)
Alerts and reports read the store afterwards (alerts/, reports/).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mediawatch.settings import Settings
from records.schema import AuditEntry, Incident, Item, QuarantinedRecord, SourceKind
from store.base import ItemQuery, Store, UpsertOutcome, UpsertResult

if TYPE_CHECKING:
    from nlp.corroboration import Corroboration

log = logging.getLogger(__name__)
RESCORE_ACTOR = "system:enricher"


class ItemEnricher(Protocol):
    def enrich(self, items: Sequence[Item]) -> list[Item]: ...


@runtime_checkable
class CorroboratingEnricher(ItemEnricher, Protocol):
    """An enricher that remembers official items and finds later posts repeating them (``nlp.Enricher``)."""

    def add_official_statements(self, items: Sequence[Item]) -> None: ...

    def corroborations(self, items: Sequence[Item]) -> list[Corroboration | None]: ...


class IncidentProcessor(Protocol):
    def process(self, items: Sequence[Item]) -> list[Incident]: ...


@dataclass
class PipelineStats:
    """Running totals of what the pipeline did, for the CLI's summary."""

    received: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    rescored: int = 0  # stored posts whose flags changed because a later official item corroborated them
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
        if isinstance(self.enricher, CorroboratingEnricher):
            self.enricher.add_official_statements(items)  # a post in this batch may repeat one of them
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
            stored += self._rescore_repeated_statements(stored)
            if self.detector is not None:
                for incident in self.detector.process(stored):
                    self.stats.incidents_touched.add(incident.id)
            if self.on_stored is not None:
                self.on_stored(stored)
        return results

    def _rescore_repeated_statements(self, stored: list[Item]) -> list[Item]:
        """Posts flagged as misinformation before an official item that they repeat was collected: their
        flags are recomputed (only the corroboration can have changed), replaced when they differ and the
        change audited. Returns the items whose flags changed, for detection to refresh their incidents."""
        official = [i for i in stored if i.kind == SourceKind.official]
        enricher = self.enricher
        if not official or not isinstance(enricher, CorroboratingEnricher):
            return []
        from nlp.corroboration import DEFAULT_WINDOW

        times = [i.sort_time for i in official]
        query = ItemQuery(flags=["misinformation"], kinds=[SourceKind.social, SourceKind.press],
                          since=min(times) - DEFAULT_WINDOW, until=max(times) + DEFAULT_WINDOW, limit=1000)
        fresh = {i.id for i in stored}
        candidates = [i for i in self.store.iter_items(query) if i.id not in fresh]
        if not candidates:
            return []
        found = {i.id: c for i, c in zip(candidates, enricher.corroborations(candidates), strict=True) if c}
        repeated = [i for i in candidates if i.id in found]
        changed: list[Item] = []
        for before, after in zip(repeated, enricher.enrich(repeated) if repeated else [], strict=True):
            if after.flags == before.flags:
                continue
            statement = found[before.id].statement
            self.store.annotate_item(before.id, flags=after.flags)
            self.store.append_audit(AuditEntry(
                actor=RESCORE_ACTOR, action="item.flags_rescored", target=f"item:{before.id}",
                details={"cause": "official_corroboration", "official_item": statement.item_id,
                         "statement": statement.text, "similarity": found[before.id].similarity,
                         "before": {str(f.kind): f.score for f in before.flags},
                         "after": {str(f.kind): f.score for f in after.flags}},
            ))
            changed.append(after)
        self.stats.rescored += len(changed)
        return self.store.get_items([i.id for i in changed])

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


def recent_official_items(store: Store, *, now: datetime | None = None) -> list[Item]:
    """The stored items from official sources of the corroboration window (``nlp.corroboration``)."""
    from nlp.corroboration import DEFAULT_WINDOW, MAX_STATEMENT_ITEMS

    since = (now or datetime.now(UTC)) - DEFAULT_WINDOW
    query = ItemQuery(kinds=[SourceKind.official], since=since, limit=1000, order="newest")
    return list(islice(store.iter_items(query), MAX_STATEMENT_ITEMS))


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
    enricher.add_official_statements(recent_official_items(store))
    detector = IncidentDetector(store, Router.load(store, settings.config_dir))
    return Pipeline(store, enricher, detector)
