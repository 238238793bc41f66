"""Search for the desk and the board: full text with filters, and aggregations (facets and histogram).
Board searches are audit-logged. There is no aggregation by author."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from store.base import FacetField
from triage_api.deps import ReaderUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.filters import SearchParamsDep
from triage_api.schemas import MAX_PAGE_SIZE, AggregationsPublic, ItemsPublic
from triage_api.services import search as search_service

router = APIRouter(prefix="/api/v1/search", tags=["search"], responses=COMMON_RESPONSES)


@router.get("", summary="Full-text search (diacritic-insensitive) with filters; best matches first")
def search(
    store: StoreDep,
    user: ReaderUser,
    params: SearchParamsDep,
    flagged: Annotated[bool | None, Query()] = None,
    order: Literal["auto", "newest", "relevance"] = "auto",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemsPublic:
    query = search_service.item_query(params, limit=limit, cursor=cursor, flagged=flagged)
    query = query.model_copy(update={"order": order})
    return search_service.items_page(store, query=query, user=user, what="search", params=params)


@router.get("/aggregations", summary="Counts by topic, district, flag, source and kind, and over time")
def aggregations(
    store: StoreDep,
    user: ReaderUser,
    params: SearchParamsDep,
    flagged: Annotated[bool | None, Query()] = None,
    interval: Literal["hour", "day"] = "day",
    histogram_by: Annotated[FacetField | None, Query(description="split the histogram by this facet")] = None,
) -> AggregationsPublic:
    query = search_service.item_query(params, flagged=flagged)
    search_service.audit_board_search(store, user=user, what="aggregations", params=params)
    return search_service.aggregate(store, query=query, interval=interval, histogram_by=histogram_by)
