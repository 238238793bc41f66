"""Counting incidents for the queue's summary (the store pages incidents without totals)."""

from __future__ import annotations

from records.schema import IncidentStatus
from store.base import IncidentQuery, Store

COUNT_CAP = 20_000


def count_incidents(store: Store, *, query: IncidentQuery) -> int:
    """How many incidents match (walks the pages; stops at ``COUNT_CAP``)."""
    count = 0
    page_query = query.model_copy(update={"limit": 1000, "cursor": None, "order": "newest"})
    while count < COUNT_CAP:
        page = store.list_incidents(page_query)
        count += len(page.items)
        if page.next_cursor is None:
            break
        page_query = page_query.model_copy(update={"cursor": page.next_cursor})
    return count


def counts_by_status(store: Store, *, query: IncidentQuery) -> dict[str, int]:
    """Matching incidents per status (the query's own status filter is ignored)."""
    return {
        status.value: count_incidents(store, query=query.model_copy(update={"statuses": [status]}))
        for status in IncidentStatus
    }
