"""Saved searches (collection "saved_searches"): a name and the search filters, owned by a user."""

from __future__ import annotations

import uuid
from datetime import datetime

from records.errors import NotFoundError
from store.base import Store
from triage_api.roles import Principal, Role
from triage_api.schemas import SavedSearchIn, SavedSearchPublic

SAVED_SEARCHES = "saved_searches"
MAX_PER_USER = 200


def _visible(user: Principal, saved: SavedSearchPublic) -> bool:
    return user.role is Role.admin or saved.owner == user.username


def list_saved(store: Store, *, user: Principal) -> list[SavedSearchPublic]:
    found = [SavedSearchPublic.model_validate(r.doc) for r in store.list_records(SAVED_SEARCHES)]
    return [s for s in found if _visible(user, s)]


def get_saved(store: Store, *, search_id: str, user: Principal) -> SavedSearchPublic:
    record = store.get_record(SAVED_SEARCHES, search_id)
    saved = SavedSearchPublic.model_validate(record.doc) if record else None
    if saved is None or not _visible(user, saved):
        raise NotFoundError(f"no saved search {search_id}")
    return saved


def create_saved(store: Store, *, body: SavedSearchIn, user: Principal, now: datetime) -> SavedSearchPublic:
    from records.errors import InputError

    if sum(1 for s in list_saved(store, user=user) if s.owner == user.username) >= MAX_PER_USER:
        raise InputError(f"at most {MAX_PER_USER} saved searches per user")
    saved = SavedSearchPublic(
        id=f"ss-{uuid.uuid4().hex[:12]}", owner=user.username, name=body.name, params=body.params, created_at=now
    )
    store.put_record(SAVED_SEARCHES, saved.id, saved.model_dump(mode="json"), expected_version=0)
    return saved


def delete_saved(store: Store, *, search_id: str, user: Principal) -> None:
    get_saved(store, search_id=search_id, user=user)
    store.delete_record(SAVED_SEARCHES, search_id)
