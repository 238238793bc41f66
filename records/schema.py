"""Typed records that travel through the pipeline: items, incidents, flags, places, audit entries.

Everything the stores keep and the API returns is one of these models. Times are timezone-aware
UTC ``datetime`` values; text is NFC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from records.identity import content_hash, item_id

TOPIC_IDS: tuple[str, ...] = (
    "disaster",
    "accident",
    "public_order",
    "health",
    "education",
    "land",
    "environment",
    "economy",
    "tourism_culture",
    "infrastructure",
    "governance",
)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the one clock everything reads; tests may patch it)."""
    return datetime.now(UTC)


class SourceKind(StrEnum):
    press = "press"
    social = "social"
    official = "official"


class FlagKind(StrEnum):
    misinformation = "misinformation"
    scam = "scam"
    hate_speech = "hate_speech"


class IncidentStatus(StrEnum):
    new = "new"
    triaged = "triaged"
    assigned = "assigned"
    responding = "responding"
    resolved = "resolved"


class Verdict(StrEnum):
    false = "false"
    misleading = "misleading"
    true = "true"
    unverifiable = "unverifiable"
    not_actionable = "not_actionable"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Flag(_Model):
    """A question for a human: a kind, a score and the reasons behind it (never empty)."""

    kind: FlagKind
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(min_length=1)


class PlaceMention(_Model):
    """A place named in an item, resolved to its former district-level unit where possible."""

    mention: str
    district: str | None = None
    name: str | None = None  # canonical gazetteer name of the place itself (commune, dam, ...)
    place_type: str | None = None  # district, commune, ward, river, dam, landmark, ...
    in_title: bool = False


class ItemVersion(_Model):
    """An earlier text of an article whose text changed."""

    content_hash: str
    title: str
    text: str
    seen_at: datetime


class Provenance(_Model):
    """Where an item came from: which crawler run, by which method, from which fetched URL."""

    crawler_run: str | None = None
    method: str | None = None  # rss, sitemap, listing, export, push
    fetched_url: str | None = None
    relevance: list[str] = Field(default_factory=list)  # why a national item was kept


class Item(_Model):
    """One article, post or comment."""

    id: str  # records.identity.item_id(url)
    url: str  # canonical URL
    content_hash: str  # records.identity.content_hash(title, text)
    source_id: str
    kind: SourceKind
    title: str = ""
    text: str = ""
    author: str | None = None  # as the source displays it; dropped with the item at retention
    published_at: datetime | None = None
    collected_at: datetime = Field(default_factory=utcnow)
    language: str | None = None
    topics: list[str] = Field(default_factory=list)
    places: list[PlaceMention] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    provenance: Provenance = Field(default_factory=Provenance)
    versions: list[ItemVersion] = Field(default_factory=list)
    syndicated_with: list[str] = Field(default_factory=list)  # canonical URLs of copies on other sites
    reach: int | None = None  # reactions + shares where the source gives them
    incident_id: str | None = None
    segmented: str | None = None  # underthesea tokens joined by "_" within words, for indexing

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in TOPIC_IDS]
        if unknown:
            raise ValueError(f"unknown topic ids: {unknown}")
        return value

    @property
    def districts(self) -> list[str]:
        """Distinct districts named, in order of first mention."""
        return list(dict.fromkeys(p.district for p in self.places if p.district))

    @property
    def flag_kinds(self) -> list[str]:
        return [str(f.kind) for f in self.flags]

    @property
    def sort_time(self) -> datetime:
        """The time an item is ordered and counted by: published, else collected."""
        return self.published_at or self.collected_at

    @classmethod
    def identified(
        cls, *, url: str, source_id: str, kind: SourceKind | str, title: str = "", text: str = "", **fields: Any
    ) -> Item:
        """An item whose id and content hash come from ``records.identity`` (as a crawler's would);
        ``fields``: any other field. The URL is stored as given."""
        return cls(id=item_id(url), url=url, content_hash=content_hash(title, text), source_id=source_id,
                   kind=SourceKind(kind), title=title, text=text, **fields)


class RoutingDecision(_Model):
    """Which routing rule fired for an incident, and what it asks for."""

    rule_id: str
    lead_unit: str
    partner_units: list[str] = Field(default_factory=list)
    suggested_action: str
    deadline: datetime | None = None
    decided_at: datetime = Field(default_factory=utcnow)


class Note(_Model):
    author: str  # the analyst's user name (an accountable user, not a monitored person)
    text: str
    at: datetime = Field(default_factory=utcnow)


class Lock(_Model):
    holder: str
    expires_at: datetime


class Incident(_Model):
    """Items about one story or claim within a time window."""

    id: str
    title: str
    status: IncidentStatus = IncidentStatus.new
    verdict: Verdict | None = None
    verdict_source: str | None = None
    verdict_rationale: str | None = None
    verdict_by: str | None = None  # the named analyst who gave the verdict (an accountable user)
    severity: int = Field(default=1, ge=1, le=5)
    kind: str | None = None  # routing kind (routing.rules.IncidentKind): misinformation, scam, crisis_spike, ...
    item_ids: list[str] = Field(default_factory=list)
    suggested_item_ids: list[str] = Field(default_factory=list)  # similar, awaiting an analyst
    topics: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    flag_kinds: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    first_seen: datetime
    last_seen: datetime
    reach: int = 0
    owner_unit: str | None = None
    assignee: str | None = None
    deadline: datetime | None = None
    routing: RoutingDecision | None = None
    notes: list[Note] = Field(default_factory=list)
    lock: Lock | None = None
    known_claim_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None
    version: int = 0  # optimistic concurrency: bumped by the store on every update


class QuarantinedRecord(_Model):
    """Input that could not be repaired: kept with a reason an operator can read."""

    id: str = ""
    source_id: str | None = None
    url: str | None = None
    reason: str
    raw: str  # the payload as received (decoded with replacement where needed)
    received_at: datetime = Field(default_factory=utcnow)


class AuditEntry(_Model):
    """One line of the append-only, hash-chained audit log."""

    seq: int = 0
    at: datetime = Field(default_factory=utcnow)
    actor: str
    action: str
    target: str
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class VersionedRecord(_Model):
    """A small document in a named collection (users, rules, known claims, ...) with its version."""

    collection: str
    key: str
    version: int
    doc: dict[str, Any]
