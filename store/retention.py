"""Retention: delete what MediaWatch no longer needs to keep, with the author fields it came with.

The rules (periods from ``Settings``), for each item, by when it was collected:

1. An item of an incident that is not resolved is kept, and so is an item suggested to one (an analyst
   has yet to decide about it).
2. An item of a resolved incident is deleted ``retention_days_after_close`` days after the incident
   was resolved.
3. Any other flagged item is deleted ``retention_days_after_close`` days after it was collected.
4. An item never flagged and in no incident is deleted after ``retention_days_unflagged`` days, or
   ``retention_days_unflagged_social`` days for social items (they go first).

Deleting an item deletes its author field, versions and index entries (``Store.delete_items``).
Every run that deletes writes one audit entry with the counts (never an item's content or author).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from records.schema import AuditEntry, Incident, IncidentStatus, Item, SourceKind
from store.base import IncidentQuery, ItemQuery, Store

if TYPE_CHECKING:
    from mediawatch.settings import Settings

ACTOR = "system:retention"
DELETE_BATCH = 500


class RetentionReport(BaseModel):
    now: datetime
    dry_run: bool
    examined: int = 0
    deleted_unflagged: int = 0
    deleted_unflagged_social: int = 0
    deleted_flagged: int = 0
    deleted_after_close: int = 0  # items of resolved incidents
    kept_open_incident: int = 0
    deleted_ids: list[str] = []

    @property
    def deleted(self) -> int:
        return self.deleted_unflagged + self.deleted_unflagged_social + self.deleted_flagged + self.deleted_after_close


def _resolved_at(incident: Incident) -> datetime:
    return incident.resolved_at or incident.updated_at


def _suggested_to_open_incidents(store: Store) -> set[str]:
    open_statuses: list[IncidentStatus] = [s for s in IncidentStatus if s != IncidentStatus.resolved]
    found: set[str] = set()
    cursor: str | None = None
    while True:
        page = store.list_incidents(IncidentQuery(statuses=open_statuses, limit=1000, cursor=cursor))
        for incident in page.items:
            found.update(incident.suggested_item_ids)
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


def apply_retention(
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    dry_run: bool = False,
) -> RetentionReport:
    """Apply the retention rules as of ``now`` (pass a fixed time in tests); ``dry_run`` only counts."""
    report = RetentionReport(now=now, dry_run=dry_run)
    unflagged = timedelta(days=settings.retention_days_unflagged)
    unflagged_social = timedelta(days=settings.retention_days_unflagged_social)
    after_close = timedelta(days=settings.retention_days_after_close)
    # Items are ordered by published time (else collected); an item collected before the cut-off was
    # normally published before it too, so this bound only narrows the scan.
    horizon = now - min(unflagged, unflagged_social, after_close)
    incidents: dict[str, Incident | None] = {}
    doomed: list[str] = []
    awaiting = _suggested_to_open_incidents(store)

    def incident_of(item: Item) -> Incident | None:
        if not item.incident_id:
            return None
        if item.incident_id not in incidents:
            incidents[item.incident_id] = store.get_incident(item.incident_id)
        return incidents[item.incident_id]

    for item in store.iter_items(ItemQuery(until=horizon)):
        report.examined += 1
        if item.id in awaiting:
            report.kept_open_incident += 1
            continue
        incident = incident_of(item)
        if incident is not None:
            if incident.status != IncidentStatus.resolved:
                report.kept_open_incident += 1
                continue
            if now >= _resolved_at(incident) + after_close:
                report.deleted_after_close += 1
                doomed.append(item.id)
            continue
        age = now - item.collected_at
        if item.flags:
            if age >= after_close:
                report.deleted_flagged += 1
                doomed.append(item.id)
        elif item.kind == SourceKind.social:
            if age >= unflagged_social:
                report.deleted_unflagged_social += 1
                doomed.append(item.id)
        elif age >= unflagged:
            report.deleted_unflagged += 1
            doomed.append(item.id)
    report.deleted_ids = doomed
    if dry_run or not doomed:
        return report
    for start in range(0, len(doomed), DELETE_BATCH):
        store.delete_items(doomed[start : start + DELETE_BATCH])
    store.append_audit(
        AuditEntry(
            actor=ACTOR,
            action="retention.apply",
            target="items",
            details={
                "deleted": report.deleted,
                "deleted_unflagged": report.deleted_unflagged,
                "deleted_unflagged_social": report.deleted_unflagged_social,
                "deleted_flagged": report.deleted_flagged,
                "deleted_after_close": report.deleted_after_close,
                "kept_open_incident": report.kept_open_incident,
                "retention_days": {
                    "unflagged": settings.retention_days_unflagged,
                    "unflagged_social": settings.retention_days_unflagged_social,
                    "after_close": settings.retention_days_after_close,
                },
            },
        )
    )
    return report
