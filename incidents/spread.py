"""An incident's spread over time, computed from its items: first and last seen, sources, items per
hour, growth and reach (the sum of what the sources report as reactions + shares)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from records.schema import Item


@dataclass(frozen=True)
class SpreadPoint:
    """One item's contribution: when, from which source, with what reach."""

    at: datetime
    source_id: str
    reach: int = 0


@dataclass(frozen=True)
class Spread:
    first_seen: datetime
    last_seen: datetime
    item_count: int
    sources: list[str]  # in order of first appearance
    reach: int
    items_per_hour: list[tuple[datetime, int]]  # UTC hours with at least one item, in order
    peak_per_hour: int
    last_hour: int  # items in the hour up to last_seen
    growth: float  # last_hour ÷ the mean hourly rate over the incident's life (≥ 1 hour)

    @property
    def source_count(self) -> int:
        return len(self.sources)


def compute_spread(points: Iterable[SpreadPoint]) -> Spread:
    """The spread of a non-empty set of points (ValueError when empty)."""
    ordered = sorted(points, key=lambda p: p.at)
    if not ordered:
        raise ValueError("an incident's spread needs at least one item")
    first, last = ordered[0].at, ordered[-1].at
    hours: Counter[datetime] = Counter(p.at.replace(minute=0, second=0, microsecond=0) for p in ordered)
    last_hour = sum(1 for p in ordered if last - p.at < timedelta(hours=1))
    life_hours = max(1.0, (last - first).total_seconds() / 3600)
    return Spread(
        first_seen=first,
        last_seen=last,
        item_count=len(ordered),
        sources=list(dict.fromkeys(p.source_id for p in ordered)),
        reach=sum(max(0, p.reach) for p in ordered),
        items_per_hour=sorted(hours.items()),
        peak_per_hour=max(hours.values()),
        last_hour=last_hour,
        growth=last_hour / (len(ordered) / life_hours),
    )


def spread_of_items(items: Iterable[Item]) -> Spread:
    """The spread of stored items (what the incident page's timeline shows)."""
    return compute_spread(SpreadPoint(i.sort_time, i.source_id, i.reach or 0) for i in items)
