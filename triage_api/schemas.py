"""Request and response schemas of the API, in families: ``XIn`` (what a client sends),
``XPublic`` (one record as returned), ``XsPublic`` (a page of them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from records.schema import (
    AuditEntry,
    Flag,
    Incident,
    IncidentStatus,
    Item,
    PlaceMention,
    SourceKind,
    Verdict,
)

MAX_PAGE_SIZE = 200


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- items -----------------------------------------------------------------------------------------
class ItemPublic(BaseModel):
    """One item as the desk sees it (the author only as the source displays it; never aggregated)."""

    id: str
    url: str
    source_id: str
    kind: SourceKind
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    collected_at: datetime
    language: str | None
    topics: list[str]
    places: list[PlaceMention]
    flags: list[Flag]
    incident_id: str | None
    syndicated_with: list[str]
    reach: int | None
    earlier_versions: int

    @classmethod
    def from_item(cls, item: Item) -> ItemPublic:
        return cls(
            **item.model_dump(
                include={
                    "id",
                    "url",
                    "source_id",
                    "kind",
                    "title",
                    "text",
                    "author",
                    "published_at",
                    "collected_at",
                    "language",
                    "topics",
                    "places",
                    "flags",
                    "incident_id",
                    "syndicated_with",
                    "reach",
                }
            ),
            earlier_versions=len(item.versions),
        )


class ItemsPublic(BaseModel):
    data: list[ItemPublic]
    next_cursor: str | None = None
    total: int | None = None


# -- incidents -------------------------------------------------------------------------------------
class LockPublic(BaseModel):
    holder: str
    expires_at: datetime


class IncidentPublic(Incident):
    """An incident with its live lock (from the "locks" collection) and the transitions open to the caller."""

    model_config = ConfigDict(extra="forbid")
    allowed_transitions: list[IncidentStatus] = Field(default_factory=list)


class HourCount(BaseModel):
    start: datetime
    count: int


class IncidentDetail(IncidentPublic):
    """An incident with its items (flags and their reasons included) and items per hour."""

    items: list[ItemPublic] = Field(default_factory=list)
    suggested_items: list[ItemPublic] = Field(default_factory=list)
    timeline: list[HourCount] = Field(default_factory=list)


class IncidentsPublic(BaseModel):
    data: list[IncidentPublic]
    next_cursor: str | None = None


class TransitionIn(_In):
    to: IncidentStatus
    version: int = Field(ge=0, description="the incident version you read (stale → 409)")


class AssignIn(_In):
    unit: str = Field(min_length=1, max_length=500)
    assignee: str | None = Field(default=None, max_length=200)
    version: int = Field(ge=0)


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=10_000)


class LockIn(_In):
    ttl_seconds: int = Field(default=900, ge=30, le=4 * 3600)


class VerdictIn(_In):
    """Resolve with a verdict. A "false" verdict needs a named analyst, a source and a rationale.
    ``publish_claim`` (false only) adds the claim and the official correction to the known claims."""

    verdict: Verdict
    version: int = Field(ge=0)
    analyst: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=2000)
    rationale: str | None = Field(default=None, max_length=10_000)
    publish_claim: bool = False
    claim: str | None = Field(default=None, max_length=5000)
    correction: str | None = Field(default=None, max_length=10_000)
    correction_url: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _false_needs_evidence(self) -> VerdictIn:
        if self.verdict is Verdict.false:
            missing = [n for n in ("analyst", "source", "rationale") if not (getattr(self, n) or "").strip()]
            if missing:
                raise ValueError(
                    f"a 'false' verdict needs a named analyst, a source and a rationale; missing: {', '.join(missing)}"
                )
        if self.publish_claim:
            if self.verdict is not Verdict.false:
                raise ValueError("only a 'false' verdict can publish a known false claim")
            if not (self.claim or "").strip() or not (self.correction or "").strip():
                raise ValueError("publishing a known claim needs the claim text and the official correction")
        return self


class BulkIn(_In):
    ids: list[str] = Field(min_length=1, max_length=100)
    action: Literal["transition", "assign"]
    to: IncidentStatus | None = None
    unit: str | None = Field(default=None, max_length=500)
    assignee: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _complete(self) -> BulkIn:
        if self.action == "transition" and self.to is None:
            raise ValueError("bulk 'transition' needs 'to'")
        if self.action == "assign" and not (self.unit or "").strip():
            raise ValueError("bulk 'assign' needs 'unit'")
        return self


class BulkOutcome(BaseModel):
    id: str
    ok: bool
    status_code: int
    detail: str = ""
    version: int | None = None


class BulkPublic(BaseModel):
    results: list[BulkOutcome]


class MergeIn(_In):
    ids: list[str] = Field(min_length=2, max_length=50)


class SplitIn(_In):
    item_ids: list[str] = Field(min_length=1, max_length=500)


# -- search ----------------------------------------------------------------------------------------
class BucketPublic(BaseModel):
    start: datetime
    key: str | None
    count: int


class AggregationsPublic(BaseModel):
    """Counts of matching items by topic, district, flag kind, source and source kind, and over time.
    There is no author facet, by design."""

    total: int
    facets: dict[str, dict[str, int]]
    interval: Literal["hour", "day"]
    histogram_by: str | None
    histogram: list[BucketPublic]


class SearchParams(_In):
    """A saved query (the same fields as the search endpoint's filters)."""

    q: str | None = Field(default=None, max_length=500)
    topic: list[str] = Field(default_factory=list, max_length=20)
    district: list[str] = Field(default_factory=list, max_length=30)
    flag: list[str] = Field(default_factory=list, max_length=3)
    source: list[str] = Field(default_factory=list, max_length=50)
    kind: list[SourceKind] = Field(default_factory=list, max_length=3)
    since: datetime | None = None
    until: datetime | None = None


class SavedSearchIn(_In):
    name: str = Field(min_length=1, max_length=200)
    params: SearchParams = Field(default_factory=SearchParams)


class SavedSearchPublic(BaseModel):
    id: str
    owner: str
    name: str
    params: SearchParams
    created_at: datetime


class SavedSearchesPublic(BaseModel):
    data: list[SavedSearchPublic]


# -- routing rules ---------------------------------------------------------------------------------
class RoutingRulePublic(BaseModel):
    rule_id: str
    version: int
    rule: dict[str, Any]


class RoutingRulesPublic(BaseModel):
    data: list[RoutingRulePublic]


class RoutingRuleIn(_In):
    rule: dict[str, Any] = Field(description="the rule document (validated by routing.rules.validate_rule)")
    expected_version: int | None = Field(default=None, ge=0, description="0: create only; n: update version n")


# -- known claims ----------------------------------------------------------------------------------
class KnownClaimIn(_In):
    claim: str = Field(min_length=1, max_length=5000)
    correction: str = Field(min_length=1, max_length=10_000)
    correction_url: str | None = Field(default=None, max_length=2000)
    source: str = Field(min_length=1, max_length=2000)
    incident_id: str | None = Field(default=None, max_length=200)


class KnownClaimUpdate(KnownClaimIn):
    expected_version: int = Field(ge=1)


class KnownClaimPublic(BaseModel):
    claim_id: str
    version: int
    claim: str
    correction: str
    correction_url: str | None
    source: str
    added_by: str
    added_at: datetime
    incident_id: str | None


class KnownClaimsPublic(BaseModel):
    data: list[KnownClaimPublic]


# -- users -----------------------------------------------------------------------------------------
class UserPublic(BaseModel):
    username: str
    role: str
    unit: str | None
    display_name: str | None
    active: bool
    created_at: datetime
    created_by: str


class UsersPublic(BaseModel):
    data: list[UserPublic]


class UserCreate(_In):
    username: str = Field(min_length=2, max_length=64)
    role: Literal["admin", "analyst", "board", "unit"]
    unit: str | None = Field(default=None, max_length=500)
    display_name: str | None = Field(default=None, max_length=200)


class UserCreated(BaseModel):
    """Shown once: the one-time password and the first API token."""

    user: UserPublic
    password: str
    token: str


class UserUpdate(_In):
    role: Literal["admin", "analyst", "board", "unit"] | None = None
    unit: str | None = Field(default=None, max_length=500)
    display_name: str | None = Field(default=None, max_length=200)
    active: bool | None = None


# -- audit -----------------------------------------------------------------------------------------
class AuditPublic(BaseModel):
    data: list[AuditEntry]
    next_after_seq: int | None = None


class AuditVerification(BaseModel):
    ok: bool
    checked: int
    message: str


class Deleted(BaseModel):
    deleted: bool
