"""Every number the digest and the periodic report show, read from the store (never estimated).

Content only: counts by topic, district, source kind, flag kind, incidents and units. Nothing here
groups by author or account.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from records.schema import Incident, IncidentStatus
from store.base import IncidentQuery, ItemQuery, Store

NO_UNIT = "(chưa giao đơn vị)"


def unit_names(config_dir: Path) -> dict[str, str]:
    """Unit id → Vietnamese name from ``config/units.yaml`` (ids shown as they are when absent)."""
    from triage_api.labels import load_unit_names

    names = load_unit_names(config_dir)
    names[NO_UNIT] = NO_UNIT
    return names


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


@dataclass
class Volume:
    """Items in a period: totals and facets."""

    total: int
    by_topic: dict[str, int]
    by_district: dict[str, int]
    by_kind: dict[str, int]
    flagged_items: int
    by_flag: dict[str, int]
    by_day: list[tuple[date, int]]  # local days


def volume(store: Store, since: datetime, until: datetime, tz: ZoneInfo, *, daily: bool = True) -> Volume:
    q = ItemQuery(since=since, until=until)
    flagged = ItemQuery(since=since, until=until, flagged=True)
    by_day: list[tuple[date, int]] = []
    if daily:
        day = since.astimezone(tz).date()
        end = until.astimezone(tz)
        while local_midnight(day, tz) < end:
            start = max(local_midnight(day, tz), since)
            stop = min(local_midnight(day + timedelta(days=1), tz), until)
            by_day.append((day, store.count(ItemQuery(since=start, until=stop))))
            day += timedelta(days=1)
    return Volume(
        total=store.count(q),
        by_topic=store.facet_counts(q, "topic"),
        by_district=store.facet_counts(q, "district"),
        by_kind=store.facet_counts(q, "kind"),
        flagged_items=store.count(flagged),
        by_flag=store.facet_counts(flagged, "flag"),
        by_day=by_day,
    )


def all_incidents(store: Store) -> list[Incident]:
    """Every incident (paged through the store)."""
    out: list[Incident] = []
    cursor: str | None = None
    while True:
        page = store.list_incidents(IncidentQuery(limit=1000, cursor=cursor, order="newest"))
        out.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return out


def _within(at: datetime | None, since: datetime, until: datetime) -> bool:
    return at is not None and since <= at < until


@dataclass
class UnitStats:
    unit: str
    assigned: int = 0  # incidents of the unit first seen in the period
    resolved: int = 0  # resolved in the period
    resolved_on_time: int = 0  # of those, resolved by the deadline (where one was set)
    with_deadline: int = 0
    response_hours: list[float] = field(default_factory=list)  # first response in the period

    @property
    def median_response_hours(self) -> float | None:
        return round(statistics.median(self.response_hours), 1) if self.response_hours else None


@dataclass
class IncidentFigures:
    opened: int  # first seen in the period
    resolved: int  # resolved in the period
    open_at_end: int  # first seen before the end and not resolved by then
    by_verdict: dict[str, int]  # verdicts of incidents resolved in the period
    by_status: dict[str, int]  # current status of incidents opened in the period
    by_flag: dict[str, int]  # incidents opened in the period per flag kind
    units: list[UnitStats]
    median_response_hours: float | None
    top: list[tuple[Incident, int]]  # (incident, items in the period), most severe first


def incident_figures(store: Store, since: datetime, until: datetime, *, top_n: int = 10) -> IncidentFigures:
    incidents = all_incidents(store)
    opened = [i for i in incidents if _within(i.first_seen, since, until)]
    resolved = [i for i in incidents if _within(i.resolved_at, since, until)]
    open_at_end = [
        i for i in incidents if i.first_seen < until and (i.resolved_at is None or i.resolved_at >= until)
    ]
    units: dict[str, UnitStats] = {}

    def unit(i: Incident) -> UnitStats:
        name = i.owner_unit or NO_UNIT
        return units.setdefault(name, UnitStats(name))

    for i in opened:
        unit(i).assigned += 1
    for i in resolved:
        u = unit(i)
        u.resolved += 1
        if i.deadline is not None and i.resolved_at is not None:
            u.with_deadline += 1
            u.resolved_on_time += int(i.resolved_at <= i.deadline)
    all_hours = []
    for i in incidents:
        if _within(i.first_response_at, since, until) and i.first_response_at is not None:
            hours = max((i.first_response_at - i.first_seen).total_seconds() / 3600, 0.0)
            unit(i).response_hours.append(hours)
            all_hours.append(hours)
    active = [i for i in incidents if i.first_seen < until and i.last_seen >= since]
    active.sort(key=lambda i: (-i.severity, -len(i.item_ids), i.id))
    top = []
    for i in active[: top_n * 3]:
        in_period = store.count(ItemQuery(incident_id=i.id, since=since, until=until))
        if in_period:
            top.append((i, in_period))
    top.sort(key=lambda t: (-t[0].severity, -t[1], t[0].id))
    flags: Counter[str] = Counter()
    for i in opened:
        flags.update(set(i.flag_kinds))
    return IncidentFigures(
        opened=len(opened),
        resolved=len(resolved),
        open_at_end=len(open_at_end),
        by_verdict=dict(Counter(str(i.verdict) for i in resolved if i.verdict is not None).most_common()),
        by_status=dict(Counter(str(i.status) for i in opened).most_common()),
        by_flag=dict(flags.most_common()),
        units=sorted(units.values(), key=lambda u: (-u.assigned - u.resolved, u.unit)),
        median_response_hours=round(statistics.median(all_hours), 1) if all_hours else None,
        top=top[:top_n],
    )


def alert_counts(store: Store, since: datetime, until: datetime) -> dict[str, int]:
    """Alerts raised in the period, per kind (spike / breaking / incident)."""
    counts: Counter[str] = Counter()
    for record in store.list_records("alerts"):
        created = datetime.fromisoformat(record.doc["created_at"])
        if since <= created < until:
            counts[record.doc["kind"]] += 1
    return dict(counts.most_common())


def is_resolved(i: Incident) -> bool:
    return i.status == IncidentStatus.resolved
