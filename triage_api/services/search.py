"""Item search and aggregations for the desk and the board. Board searches are audit-logged.

Aggregations are by topic, district, flag kind, source and source kind, and over time; never by
author (``FACETS`` is the closed list)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from records.schema import AuditEntry
from store.base import FacetField, ItemQuery
from store.base import Store as StoreT
from triage_api.roles import Principal, Role
from triage_api.schemas import AggregationsPublic, BucketPublic, ItemPublic, ItemsPublic, SearchParams

FACETS: tuple[FacetField, ...] = ("topic", "district", "flag", "source", "kind")


def as_utc(value: datetime | None) -> datetime | None:
    """Naive times from a query string are taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def item_query(
    params: SearchParams, *, limit: int = 20, cursor: str | None = None, flagged: bool | None = None
) -> ItemQuery:
    text = (params.q or "").strip() or None
    return ItemQuery(
        text=text,
        since=as_utc(params.since),
        until=as_utc(params.until),
        topics=params.topic,
        districts=params.district,
        flags=params.flag,
        sources=params.source,
        kinds=params.kind,
        flagged=flagged,
        limit=limit,
        cursor=cursor,
    )


def audit_board_search(store: StoreT, *, user: Principal, what: str, params: SearchParams) -> None:
    """Every search by a board member is logged with its query (accountability for the board)."""
    if user.role is not Role.board:
        return
    store.append_audit(
        AuditEntry(
            actor=user.username,
            action="search.board",
            target=what,
            details=params.model_dump(mode="json", exclude_defaults=True),
        )
    )


def items_page(store: StoreT, *, query: ItemQuery, user: Principal, what: str, params: SearchParams) -> ItemsPublic:
    """One page of matching items for ``user`` (a board member's search is audit-logged first)."""
    audit_board_search(store, user=user, what=what, params=params)
    page = store.search(query)
    return ItemsPublic(
        data=[ItemPublic.from_item(i) for i in page.items], next_cursor=page.next_cursor, total=page.total
    )


def aggregate(
    store: StoreT,
    *,
    query: ItemQuery,
    interval: Literal["hour", "day"],
    histogram_by: FacetField | None,
    facets: tuple[FacetField, ...] = FACETS,
) -> AggregationsPublic:
    """Facet counts and a histogram of the matching items."""
    unpaged = query.model_copy(update={"cursor": None})
    counts: dict[str, dict[str, int]] = {facet: store.facet_counts(unpaged, facet) for facet in facets}
    buckets = store.histogram(unpaged, interval=interval, by=histogram_by)
    return AggregationsPublic(
        total=store.count(unpaged),
        facets=counts,
        interval=interval,
        histogram_by=histogram_by,
        histogram=[BucketPublic(start=b.start, key=b.key, count=b.count) for b in buckets],
    )
