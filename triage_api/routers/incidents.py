"""Incidents: the queue, one incident with its items, and the workflow actions."""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from records.errors import ConfigError
from records.schema import Incident, IncidentStatus
from store.base import IncidentQuery, Store
from triage_api.deps import ClockDep, CurrentUser, HooksDep, RouterDep, StoreDep, require_roles
from triage_api.errors import COMMON_RESPONSES
from triage_api.roles import Principal, Role
from triage_api.schemas import (
    MAX_PAGE_SIZE,
    AssignIn,
    BulkIn,
    BulkPublic,
    IncidentDetail,
    IncidentPublic,
    IncidentsPublic,
    ItemPublic,
    LockIn,
    LockPublic,
    MergeIn,
    NoteIn,
    SplitIn,
    TransitionIn,
    VerdictIn,
)
from triage_api.services import workflow
from triage_api.services.search import as_utc

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], responses=COMMON_RESPONSES)

Worker = Annotated[Principal, Depends(require_roles("admin", "analyst", "unit"))]
Staff = Annotated[Principal, Depends(require_roles("admin", "analyst"))]
IncidentId = Annotated[str, Path(min_length=1, max_length=200)]


def to_public(
    store: Store, incident: Incident, *, user: Principal, now: datetime, locks: dict[str, LockPublic] | None = None
) -> IncidentPublic:
    """The public form; ``locks`` (from ``workflow.live_locks``) saves one read per incident in lists."""
    lock = (
        locks.get(incident.id) if locks is not None else workflow.current_lock(store, incident_id=incident.id, now=now)
    )
    data = incident.model_dump()
    data["lock"] = {"holder": lock.holder, "expires_at": lock.expires_at} if lock else None
    return IncidentPublic(**data, allowed_transitions=workflow.allowed_transitions(user, incident))


@router.get("", summary="The queue: incidents with filters, most severe first")
def list_incidents(
    store: StoreDep,
    user: CurrentUser,
    clock: ClockDep,
    status: Annotated[list[IncidentStatus] | None, Query(description="any of these states")] = None,
    unit: Annotated[str | None, Query(max_length=500, description="owner unit")] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    topic: Annotated[list[str] | None, Query()] = None,
    district: Annotated[list[str] | None, Query()] = None,
    flag: Annotated[list[str] | None, Query()] = None,
    min_severity: Annotated[int | None, Query(ge=1, le=5)] = None,
    since: Annotated[datetime | None, Query(description="last seen at or after")] = None,
    until: Annotated[datetime | None, Query(description="last seen before")] = None,
    order: Literal["severity", "newest"] = "severity",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> IncidentsPublic:
    if user.role is Role.unit:
        unit = user.unit or "\x00no-unit"
    query = IncidentQuery(
        statuses=status or [],
        owner_unit=unit,
        assignee=assignee,
        topics=topic or [],
        districts=district or [],
        flags=flag or [],
        min_severity=min_severity,
        since=as_utc(since),
        until=as_utc(until),
        order=order,
        limit=limit,
        cursor=cursor,
    )
    page = store.list_incidents(query)
    now = clock()
    locks = workflow.live_locks(store, now=now)
    return IncidentsPublic(
        data=[to_public(store, i, user=user, now=now, locks=locks) for i in page.items], next_cursor=page.next_cursor
    )


@router.get("/{incident_id}", summary="One incident with its items, their flags and reasons, and items per hour")
def get_incident(incident_id: IncidentId, store: StoreDep, user: CurrentUser, clock: ClockDep) -> IncidentDetail:
    incident = workflow.get_visible(store, incident_id=incident_id, user=user)
    items = store.get_items(incident.item_ids)
    suggested = store.get_items(incident.suggested_item_ids)
    public = to_public(store, incident, user=user, now=clock())
    return IncidentDetail(
        **public.model_dump(),
        items=[ItemPublic.from_item(i) for i in items],
        suggested_items=[ItemPublic.from_item(i) for i in suggested],
        timeline=workflow.items_per_hour(items),
    )


@router.post("/{incident_id}/transition", summary="Move an incident to another state (not to resolved)")
def transition(
    incident_id: IncidentId, body: TransitionIn, store: StoreDep, user: Worker, clock: ClockDep
) -> IncidentPublic:
    now = clock()
    saved = workflow.transition(store, incident_id=incident_id, to=body.to, version=body.version, user=user, now=now)
    return to_public(store, saved, user=user, now=now)


@router.post("/{incident_id}/assign", summary="Assign to a unit and optionally a person")
def assign(incident_id: IncidentId, body: AssignIn, store: StoreDep, user: Staff, clock: ClockDep) -> IncidentPublic:
    now = clock()
    saved = workflow.assign(
        store, incident_id=incident_id, unit=body.unit, assignee=body.assignee, version=body.version, user=user, now=now
    )
    return to_public(store, saved, user=user, now=now)


@router.post("/{incident_id}/notes", summary="Add a note")
def add_note(incident_id: IncidentId, body: NoteIn, store: StoreDep, user: Worker, clock: ClockDep) -> IncidentPublic:
    now = clock()
    saved = workflow.add_note(store, incident_id=incident_id, text=body.text, user=user, now=now)
    return to_public(store, saved, user=user, now=now)


@router.post("/{incident_id}/lock", summary="Take or extend the expiring lock (409 if another user holds it)")
def lock(incident_id: IncidentId, body: LockIn, store: StoreDep, user: Worker, clock: ClockDep) -> LockPublic:
    return workflow.acquire_lock(store, incident_id=incident_id, user=user, now=clock(), ttl_seconds=body.ttl_seconds)


@router.delete("/{incident_id}/lock", summary="Release your lock (admins may break any)")
def unlock(incident_id: IncidentId, store: StoreDep, user: Worker, clock: ClockDep) -> IncidentPublic:
    now = clock()
    workflow.release_lock(store, incident_id=incident_id, user=user, now=now)
    incident = workflow.get_visible(store, incident_id=incident_id, user=user)
    return to_public(store, incident, user=user, now=now)


@router.post("/{incident_id}/verdict", summary="Resolve with a verdict; 'false' needs analyst, source, rationale")
def verdict(
    incident_id: IncidentId, body: VerdictIn, store: StoreDep, user: Staff, clock: ClockDep, hooks: HooksDep
) -> IncidentPublic:
    now = clock()
    saved = workflow.resolve(
        store, incident_id=incident_id, verdict=body, user=user, now=now, on_claims_changed=hooks.on_claims_changed
    )
    return to_public(store, saved, user=user, now=now)


@router.post("/bulk", summary="One action on many incidents; one outcome per id")
def bulk(body: BulkIn, store: StoreDep, user: Staff, clock: ClockDep) -> BulkPublic:
    results = workflow.bulk(
        store,
        ids=body.ids,
        action=body.action,
        to=body.to,
        unit=body.unit,
        assignee=body.assignee,
        user=user,
        now=clock(),
    )
    return BulkPublic(results=results)


def _incident_service() -> ModuleType:
    try:
        from incidents import service
    except ImportError as exc:
        raise ConfigError(f"incident merging is not available: {exc}") from exc
    return service


@router.post("/merge", summary="Merge incidents into one (the first id is kept)")
def merge(body: MergeIn, store: StoreDep, user: Staff, clock: ClockDep, routing: RouterDep) -> IncidentPublic:
    now = clock()
    for incident_id in body.ids:
        workflow.get_visible(store, incident_id=incident_id, user=user)
        workflow.check_writable(store, incident_id=incident_id, user=user, now=now)
    merged = _incident_service().merge_incidents(
        store, list(dict.fromkeys(body.ids)), actor=user.username, router=routing
    )
    return to_public(store, merged, user=user, now=now)


@router.post("/{incident_id}/split", summary="Move items out of an incident into a new one")
def split(
    incident_id: IncidentId, body: SplitIn, store: StoreDep, user: Staff, clock: ClockDep, routing: RouterDep
) -> IncidentPublic:
    now = clock()
    workflow.get_visible(store, incident_id=incident_id, user=user)
    workflow.check_writable(store, incident_id=incident_id, user=user, now=now)
    created = _incident_service().split_incident(
        store, incident_id, list(dict.fromkeys(body.item_ids)), actor=user.username, router=routing
    )
    return to_public(store, created, user=user, now=now)
