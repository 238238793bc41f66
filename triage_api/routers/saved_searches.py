"""Saved searches: a user's named queries (admins see everyone's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from triage_api.deps import ClockDep, ReaderUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.schemas import Deleted, SavedSearchesPublic, SavedSearchIn, SavedSearchPublic
from triage_api.services import saved_searches as service

router = APIRouter(prefix="/api/v1/saved-searches", tags=["saved searches"], responses=COMMON_RESPONSES)
SearchId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("", summary="Your saved searches")
def list_saved(store: StoreDep, user: ReaderUser) -> SavedSearchesPublic:
    return SavedSearchesPublic(data=service.list_saved(store, user=user))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Save a search")
def create_saved(body: SavedSearchIn, store: StoreDep, user: ReaderUser, clock: ClockDep) -> SavedSearchPublic:
    return service.create_saved(store, body=body, user=user, now=clock())


@router.get("/{search_id}", summary="One saved search")
def get_saved(search_id: SearchId, store: StoreDep, user: ReaderUser) -> SavedSearchPublic:
    return service.get_saved(store, search_id=search_id, user=user)


@router.delete("/{search_id}", summary="Delete a saved search")
def delete_saved(search_id: SearchId, store: StoreDep, user: ReaderUser) -> Deleted:
    service.delete_saved(store, search_id=search_id, user=user)
    return Deleted(deleted=True)
