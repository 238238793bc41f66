"""Items: one item, or a filtered, paginated list (newest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from records.errors import NotFoundError
from triage_api.deps import ReaderUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.filters import SearchParamsDep
from triage_api.schemas import MAX_PAGE_SIZE, ItemPublic, ItemsPublic
from triage_api.services import search as search_service

router = APIRouter(prefix="/api/v1/items", tags=["items"], responses=COMMON_RESPONSES)


@router.get("", summary="Items matching filters, newest first")
def list_items(
    store: StoreDep,
    user: ReaderUser,
    params: SearchParamsDep,
    flagged: Annotated[bool | None, Query(description="true: only flagged items; false: only unflagged")] = None,
    incident_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemsPublic:
    query = search_service.item_query(params, limit=limit, cursor=cursor, flagged=flagged)
    query = query.model_copy(update={"incident_id": incident_id, "order": "newest" if not params.q else "auto"})
    return search_service.items_page(store, query=query, user=user, what="items", params=params)


@router.get("/{item_id}", summary="One item with its flags and their reasons")
def get_item(
    item_id: Annotated[str, Path(min_length=1, max_length=200)], store: StoreDep, user: ReaderUser
) -> ItemPublic:
    item = store.get_item(item_id)
    if item is None:
        raise NotFoundError(f"no item {item_id}")
    return ItemPublic.from_item(item)
