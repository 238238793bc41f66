"""The incident workflow: visibility, transitions, assignment, notes, locks, verdicts, bulk actions.

    new ──► triaged ──► assigned ──► responding ──► resolved (verdict)
     └──────────────────►┘  ◄──┘ (unassign)         ▲
    any open state ───────────────── verdict ───────┘      resolved ──► triaged (admin reopens)

Every write checks the caller's lock rights and the optimistic ``version`` (stale → ConflictError),
and is audit-logged. Locks live in the store's "locks" collection (key: incident id) so taking one
does not change the incident's version.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from records.errors import ConflictError, InputError, NotFoundError
from records.schema import AuditEntry, Incident, IncidentStatus, Item, Note, Verdict
from store.base import Store
from triage_api.errors import ForbiddenError
from triage_api.roles import Principal, Role
from triage_api.schemas import BulkOutcome, HourCount, LockPublic, VerdictIn

LOCKS = "locks"
KNOWN_CLAIMS = "known_claims"

S = IncidentStatus
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.new: frozenset({S.triaged, S.assigned}),
    S.triaged: frozenset({S.assigned}),
    S.assigned: frozenset({S.responding, S.triaged}),
    S.responding: frozenset(),
    S.resolved: frozenset({S.triaged}),  # reopen: admins only
}
UNIT_TRANSITIONS: frozenset[tuple[IncidentStatus, IncidentStatus]] = frozenset({(S.assigned, S.responding)})


def can_see(user: Principal, incident: Incident) -> bool:
    """Staff and the board see every incident; a unit sees only those routed to it."""
    if user.role is Role.unit:
        return bool(user.unit) and incident.owner_unit == user.unit
    return True


def get_visible(store: Store, *, incident_id: str, user: Principal) -> Incident:
    """The incident, or NotFoundError when it does not exist or is not the caller's to see."""
    incident = store.get_incident(incident_id)
    if incident is None or not can_see(user, incident):
        raise NotFoundError(f"no incident {incident_id}")
    return incident


def allowed_transitions(user: Principal, incident: Incident) -> list[IncidentStatus]:
    """The target states the caller may move this incident to with a plain transition."""
    targets = TRANSITIONS[incident.status]
    if user.role is Role.admin:
        return sorted(targets, key=list(S).index)
    if user.role is Role.analyst:
        return sorted((t for t in targets if incident.status is not S.resolved), key=list(S).index)
    if user.role is Role.unit and can_see(user, incident):
        return [t for t in targets if (incident.status, t) in UNIT_TRANSITIONS]
    return []


def can_resolve(user: Principal, incident: Incident) -> bool:
    return user.role in (Role.admin, Role.analyst) and incident.status is not S.resolved


# -- locks -----------------------------------------------------------------------------------------
def current_lock(store: Store, *, incident_id: str, now: datetime) -> LockPublic | None:
    """The unexpired lock on an incident, if any (expired locks are free)."""
    record = store.get_record(LOCKS, incident_id)
    if record is None:
        return None
    lock = LockPublic.model_validate(record.doc)
    return lock if lock.expires_at > now else None


def check_writable(store: Store, *, incident_id: str, user: Principal, now: datetime) -> None:
    """ConflictError if another user holds an unexpired lock on the incident."""
    _check_lock(store, incident_id, user, now)


def live_locks(store: Store, *, now: datetime) -> dict[str, LockPublic]:
    """Every unexpired lock, by incident id (one read, for pages of incidents)."""
    locks = {record.key: LockPublic.model_validate(record.doc) for record in store.list_records(LOCKS)}
    return {key: lock for key, lock in locks.items() if lock.expires_at > now}


def _check_lock(store: Store, incident_id: str, user: Principal, now: datetime) -> None:
    lock = current_lock(store, incident_id=incident_id, now=now)
    if lock is not None and lock.holder != user.username:
        raise ConflictError(f"incident {incident_id} is locked by {lock.holder} until {lock.expires_at.isoformat()}")


def acquire_lock(store: Store, *, incident_id: str, user: Principal, now: datetime, ttl_seconds: int) -> LockPublic:
    """Take (or extend) the lock; ConflictError if another user holds an unexpired one."""
    get_visible(store, incident_id=incident_id, user=user)
    record = store.get_record(LOCKS, incident_id)
    if record is not None:
        held = LockPublic.model_validate(record.doc)
        if held.holder != user.username and held.expires_at > now:
            raise ConflictError(
                f"incident {incident_id} is locked by {held.holder} until {held.expires_at.isoformat()}"
            )
    lock = LockPublic(holder=user.username, expires_at=now + timedelta(seconds=ttl_seconds))
    store.put_record(LOCKS, incident_id, lock.model_dump(mode="json"), expected_version=record.version if record else 0)
    _audit(store, user, "incident.lock", incident_id, {"expires_at": lock.expires_at.isoformat()})
    return lock


def release_lock(store: Store, *, incident_id: str, user: Principal, now: datetime) -> bool:
    """Release the caller's lock (admins may break anyone's); returns whether a lock was removed."""
    get_visible(store, incident_id=incident_id, user=user)
    record = store.get_record(LOCKS, incident_id)
    if record is None:
        return False
    held = LockPublic.model_validate(record.doc)
    if held.holder != user.username and held.expires_at > now and user.role is not Role.admin:
        raise ConflictError(f"incident {incident_id} is locked by {held.holder}; only they or an admin can release it")
    removed = store.delete_record(LOCKS, incident_id)
    _audit(store, user, "incident.unlock", incident_id, {"holder": held.holder})
    return removed


# -- writes ----------------------------------------------------------------------------------------
def _audit(store: Store, user: Principal, action: str, incident_id: str, details: dict[str, Any]) -> None:
    """One audit entry by ``user`` about the incident."""
    store.append_audit(
        AuditEntry(actor=user.username, action=action, target=f"incident:{incident_id}", details=details)
    )


def _prepare(store: Store, incident_id: str, user: Principal, version: int | None, now: datetime) -> Incident:
    incident = get_visible(store, incident_id=incident_id, user=user)
    _check_lock(store, incident_id, user, now)
    if version is not None and incident.version != version:
        raise ConflictError(
            f"incident {incident_id} changed since you read it (version {incident.version}, you sent {version})"
        )
    return incident


def _responded(incident: Incident, user: Principal, now: datetime) -> dict[str, object]:
    if incident.first_response_at is None and user.role in (Role.analyst, Role.unit, Role.admin):
        return {"first_response_at": now}
    return {}


def _save(store: Store, incident: Incident, update: dict[str, object], now: datetime) -> Incident:
    changed = incident.model_copy(update={**update, "updated_at": now})
    Incident.model_validate(changed.model_dump())  # model_copy skips validation; check before writing
    return store.update_incident(changed)


def transition(
    store: Store, *, incident_id: str, to: IncidentStatus, version: int, user: Principal, now: datetime
) -> Incident:
    """Move an incident to another state (resolving goes through ``resolve``)."""
    incident = _prepare(store, incident_id, user, version, now)
    if to is S.resolved:
        raise InputError("to resolve an incident, give a verdict (POST .../verdict)")
    if to not in allowed_transitions(user, incident):
        if user.role is Role.board or (user.role is Role.unit and to is not S.responding):
            raise ForbiddenError(f"role '{user.role.value}' may not move an incident to '{to.value}'")
        raise InputError(f"cannot move an incident from '{incident.status.value}' to '{to.value}'")
    update: dict[str, object] = {"status": to, **_responded(incident, user, now)}
    if incident.status is S.resolved:  # reopening clears the verdict
        update.update(verdict=None, verdict_source=None, verdict_rationale=None, verdict_by=None, resolved_at=None)
    saved = _save(store, incident, update, now)
    _audit(
        store,
        user,
        "incident.reopen" if incident.status is S.resolved else "incident.transition",
        incident_id,
        {"from": incident.status.value, "to": to.value, "version": saved.version},
    )
    return saved


def assign(
    store: Store, *, incident_id: str, unit: str, assignee: str | None, version: int, user: Principal, now: datetime
) -> Incident:
    """Hand an incident to a unit and optionally a person; new/triaged incidents become 'assigned'."""
    incident = _prepare(store, incident_id, user, version, now)
    if incident.status is S.resolved:
        raise InputError("a resolved incident cannot be assigned; reopen it first")
    update: dict[str, object] = {"owner_unit": unit.strip(), "assignee": (assignee or "").strip() or None}
    if incident.status in (S.new, S.triaged):
        update["status"] = S.assigned
    update.update(_responded(incident, user, now))
    saved = _save(store, incident, update, now)
    _audit(
        store,
        user,
        "incident.assign",
        incident_id,
        {
            "unit": saved.owner_unit,
            "assignee": saved.assignee,
            "previous_unit": incident.owner_unit,
            "previous_assignee": incident.assignee,
            "status": saved.status.value,
            "version": saved.version,
        },
    )
    return saved


def add_note(store: Store, *, incident_id: str, text: str, user: Principal, now: datetime) -> Incident:
    """Append a note (retried on a concurrent write; refused while another user holds the lock)."""
    for _attempt in range(3):
        incident = _prepare(store, incident_id, user, None, now)
        note = Note(author=user.username, text=text.strip(), at=now)
        try:
            saved = _save(store, incident, {"notes": [*incident.notes, note]}, now)
        except ConflictError:
            continue
        _audit(store, user, "incident.note", incident_id, {"text": note.text[:500], "version": saved.version})
        return saved
    raise ConflictError(f"incident {incident_id} keeps changing; try again")


def resolve(
    store: Store,
    *,
    incident_id: str,
    verdict: VerdictIn,
    user: Principal,
    now: datetime,
    on_claims_changed: Callable[[], None] | None = None,
) -> Incident:
    """Resolve with a verdict; a 'false' verdict may publish the claim and correction as a known claim."""
    incident = _prepare(store, incident_id, user, verdict.version, now)
    if not can_resolve(user, incident):
        if user.role not in (Role.admin, Role.analyst):
            raise ForbiddenError(f"role '{user.role.value}' may not give verdicts")
        raise InputError("the incident is already resolved; reopen it first")
    update: dict[str, object] = {
        "status": S.resolved,
        "verdict": verdict.verdict,
        "verdict_source": (verdict.source or "").strip() or None,
        "verdict_rationale": (verdict.rationale or "").strip() or None,
        "verdict_by": (verdict.analyst or "").strip() or user.username,
        "resolved_at": now,
        **_responded(incident, user, now),
    }
    claim_id: str | None = None
    if verdict.publish_claim and verdict.verdict is Verdict.false:
        claim_id = f"claim-{uuid.uuid4().hex[:12]}"
        update["known_claim_id"] = claim_id
    saved = _save(store, incident, update, now)
    _audit(
        store,
        user,
        "incident.verdict",
        incident_id,
        {
            "from": incident.status.value,
            "verdict": verdict.verdict.value,
            "analyst": update["verdict_by"],
            "source": update["verdict_source"],
            "rationale": update["verdict_rationale"],
            "known_claim_id": claim_id,
            "version": saved.version,
        },
    )
    lock = current_lock(store, incident_id=incident_id, now=now)
    if lock is None or lock.holder == user.username:  # the work is done: free the incident (and drop stale locks)
        store.delete_record(LOCKS, incident_id)
    if claim_id is not None:
        from triage_api.services import claims as claims_service

        claims_service.create_claim(
            store,
            claim_id=claim_id,
            claim=verdict.claim or "",
            correction=verdict.correction or "",
            correction_url=verdict.correction_url,
            source=verdict.source or "",
            incident_id=incident_id,
            actor=user.username,
            now=now,
            on_claims_changed=on_claims_changed,
        )
    return saved


def bulk(
    store: Store,
    *,
    ids: Sequence[str],
    action: str,
    to: IncidentStatus | None,
    unit: str | None,
    assignee: str | None,
    user: Principal,
    now: datetime,
) -> list[BulkOutcome]:
    """Apply one action to many incidents at their current versions; one outcome per id."""
    outcomes: list[BulkOutcome] = []
    for incident_id in dict.fromkeys(ids):
        try:
            current = get_visible(store, incident_id=incident_id, user=user)
            if action == "transition" and to is not None:
                saved = transition(store, incident_id=incident_id, to=to, version=current.version, user=user, now=now)
            else:
                saved = assign(
                    store,
                    incident_id=incident_id,
                    unit=unit or "",
                    assignee=assignee,
                    version=current.version,
                    user=user,
                    now=now,
                )
            outcomes.append(BulkOutcome(id=incident_id, ok=True, status_code=200, version=saved.version))
        except NotFoundError as exc:
            outcomes.append(BulkOutcome(id=incident_id, ok=False, status_code=404, detail=str(exc)))
        except ConflictError as exc:
            outcomes.append(BulkOutcome(id=incident_id, ok=False, status_code=409, detail=str(exc)))
        except InputError as exc:
            outcomes.append(BulkOutcome(id=incident_id, ok=False, status_code=400, detail=str(exc)))
        except ForbiddenError as exc:
            outcomes.append(BulkOutcome(id=incident_id, ok=False, status_code=403, detail=str(exc)))
    return outcomes


# -- reading ---------------------------------------------------------------------------------------
def items_per_hour(items: Sequence[Item]) -> list[HourCount]:
    """The incident's timeline: how many of its items appeared in each hour (UTC), gaps filled with 0."""
    hours = Counter(i.sort_time.replace(minute=0, second=0, microsecond=0) for i in items)
    if not hours:
        return []
    start, end = min(hours), max(hours)
    span = int((end - start).total_seconds() // 3600)
    if span > 24 * 14:  # long-running incidents: only the hours that had items
        return [HourCount(start=h, count=hours[h]) for h in sorted(hours)]
    return [
        HourCount(start=start + timedelta(hours=k), count=hours.get(start + timedelta(hours=k), 0))
        for k in range(span + 1)
    ]
