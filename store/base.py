"""The store interface: what every backend (SQLite by default, Elasticsearch at scale) provides.

The contract test suite in ``tests/store/contract.py`` is written against this interface only, and
runs against every backend.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from records.errors import InputError
from records.schema import (
    AuditEntry,
    Incident,
    IncidentStatus,
    Item,
    QuarantinedRecord,
    SourceKind,
    VersionedRecord,
)

T = TypeVar("T")

FacetField = Literal["topic", "district", "flag", "source", "kind"]
Interval = Literal["hour", "day"]


class ItemQuery(BaseModel):
    """Filters and full-text query over items. Empty lists mean 'any'."""

    text: str | None = None  # diacritic-insensitive full text; exact-diacritic matches rank higher
    since: datetime | None = None  # on Item.sort_time (published, else collected), inclusive
    until: datetime | None = None  # exclusive
    topics: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    kinds: list[SourceKind] = Field(default_factory=list)
    incident_id: str | None = None
    flagged: bool | None = None  # True: at least one flag; False: none
    limit: int = Field(default=20, ge=1, le=1000)
    cursor: str | None = None  # opaque, from Page.next_cursor
    order: Literal["auto", "newest", "relevance"] = "auto"  # auto: relevance with text, else newest


class IncidentQuery(BaseModel):
    statuses: list[IncidentStatus] = Field(default_factory=list)
    owner_unit: str | None = None
    assignee: str | None = None
    topics: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    min_severity: int | None = None
    since: datetime | None = None  # on last_seen
    until: datetime | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    cursor: str | None = None
    order: Literal["severity", "newest"] = "severity"  # severity desc then last_seen desc


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


class UpsertOutcome(StrEnum):
    created = "created"
    updated = "updated"  # same URL, changed text: the earlier text is kept in Item.versions
    unchanged = "unchanged"  # same URL, same content
    duplicate = "duplicate"  # other URL, same content hash as an existing item: linked, not stored twice


class UpsertResult(BaseModel):
    item_id: str  # the id under which the content is stored (the existing one for duplicates)
    outcome: UpsertOutcome
    submitted_id: str


class Bucket(BaseModel):
    start: datetime
    key: str | None  # facet value, or None for totals
    count: int


class ItemAnnotation(BaseModel):
    """Enrichment fields or incident link to replace on a stored item; ``None`` leaves a field as it is."""

    topics: list[str] | None = None
    places: list | None = None
    flags: list | None = None
    incident_id: str | None = None
    syndicated_with: list[str] | None = None
    clear_incident: bool = False  # remove the incident link; excludes incident_id

    def applied_to(self, item: Item) -> Item:
        """A validated copy of ``item`` with these fields replaced (``InputError`` when a value is invalid)."""
        changed = item.model_copy()
        try:
            for name in ("topics", "places", "flags", "incident_id", "syndicated_with"):
                value = getattr(self, name)
                if value is not None:
                    setattr(changed, name, value)
            if self.clear_incident:
                changed.incident_id = None
        except ValidationError as exc:
            raise InputError(f"invalid annotation for item {item.id}: {exc.errors()[0]['msg']}") from exc
        return changed


class Store(abc.ABC):
    """Everything MediaWatch keeps. Implementations are safe to share between threads."""

    # -- items -------------------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_items(self, items: Sequence[Item]) -> list[UpsertResult]:
        """Insert or update items idempotently, durably, in one batch; returns one result per input.

        Same URL, same content: unchanged. Same URL, changed content: updated, the earlier text
        appended to ``versions``. New URL but a content hash already stored: duplicate (the
        submitted URL is added to the stored item's ``syndicated_with``). When this returns, the
        batch is durable (the acknowledgement the crash test relies on).
        """

    @abc.abstractmethod
    def get_item(self, item_id: str) -> Item | None: ...

    @abc.abstractmethod
    def get_items(self, item_ids: Sequence[str]) -> list[Item]:
        """The items that exist, in the order asked."""

    def annotate_item(
        self,
        item_id: str,
        *,
        topics: list[str] | None = None,
        places: list | None = None,
        flags: list | None = None,
        incident_id: str | None = None,
        syndicated_with: list[str] | None = None,
        clear_incident: bool = False,
    ) -> Item:
        """Replace enrichment fields or the incident link without touching text or versions.

        ``None`` leaves a field as it is; ``clear_incident=True`` removes the incident link (an item an
        analyst took out of an incident), and cannot be combined with ``incident_id``.
        """
        if clear_incident and incident_id is not None:
            raise InputError("annotate_item: clear_incident and incident_id exclude each other")
        annotation = ItemAnnotation(
            topics=topics,
            places=places,
            flags=flags,
            incident_id=incident_id,
            syndicated_with=syndicated_with,
            clear_incident=clear_incident,
        )
        return self._annotate(item_id, annotation)

    @abc.abstractmethod
    def _annotate(self, item_id: str, annotation: ItemAnnotation) -> Item:
        """Store ``annotation.applied_to(item)`` atomically; ``NotFoundError`` when there is no such item."""

    @abc.abstractmethod
    def search(self, query: ItemQuery) -> Page[Item]:
        """Matching items, one page; pages stay stable while new items are inserted."""

    @abc.abstractmethod
    def count(self, query: ItemQuery) -> int: ...

    @abc.abstractmethod
    def facet_counts(self, query: ItemQuery, by: FacetField) -> dict[str, int]:
        """Number of matching items per topic / district / flag kind / source / kind."""

    @abc.abstractmethod
    def histogram(self, query: ItemQuery, *, interval: Interval, by: FacetField | None = None) -> list[Bucket]:
        """Matching items per hour or day (UTC), optionally split by a facet; empty buckets omitted."""

    @abc.abstractmethod
    def iter_items(self, query: ItemQuery, batch_size: int = 500) -> Iterator[Item]:
        """Every matching item (ignores limit and cursor), oldest first."""

    @abc.abstractmethod
    def delete_items(self, item_ids: Sequence[str]) -> int:
        """Delete items with their author fields and versions; returns how many existed."""

    # -- quarantine --------------------------------------------------------------------------
    @abc.abstractmethod
    def quarantine(self, record: QuarantinedRecord) -> str:
        """Keep input that could not be repaired; returns its id."""

    @abc.abstractmethod
    def list_quarantine(self, *, limit: int = 100, cursor: str | None = None) -> Page[QuarantinedRecord]: ...

    # -- incidents ---------------------------------------------------------------------------
    @abc.abstractmethod
    def create_incident(self, incident: Incident) -> Incident:
        """Create-only: ConflictError if the id exists. Returns it with version 1."""

    @abc.abstractmethod
    def get_incident(self, incident_id: str) -> Incident | None: ...

    @abc.abstractmethod
    def update_incident(self, incident: Incident) -> Incident:
        """Write if the stored version equals ``incident.version`` (else ConflictError); bumps it."""

    @abc.abstractmethod
    def list_incidents(self, query: IncidentQuery) -> Page[Incident]: ...

    @abc.abstractmethod
    def delete_incident(self, incident_id: str) -> bool: ...

    # -- small versioned documents (users, routing rules, known claims, alert rules/state, ...) --
    @abc.abstractmethod
    def put_record(
        self, collection: str, key: str, doc: dict, *, expected_version: int | None = None
    ) -> VersionedRecord:
        """Write a document. ``expected_version``: None = unconditional, 0 = create-only,
        n = only if the stored version is n. ConflictError otherwise."""

    @abc.abstractmethod
    def get_record(self, collection: str, key: str) -> VersionedRecord | None: ...

    @abc.abstractmethod
    def list_records(self, collection: str) -> list[VersionedRecord]:
        """Every document of a collection, ordered by key."""

    @abc.abstractmethod
    def delete_record(self, collection: str, key: str) -> bool: ...

    # -- audit -------------------------------------------------------------------------------
    @abc.abstractmethod
    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append atomically, assigning ``seq`` and the chained ``prev_hash``/``hash``
        (see ``records.audit.chain_hash``)."""

    @abc.abstractmethod
    def iter_audit(self, *, after_seq: int = 0) -> Iterator[AuditEntry]:
        """Audit entries in order."""

    # -- lifecycle ---------------------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
