"""Users (admins only), and who am I (everyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from records.errors import NotFoundError
from triage_api.deps import AdminUser, ClockDep, CurrentUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.schemas import Deleted, UserCreate, UserCreated, UserPublic, UsersPublic, UserUpdate
from triage_api.services import users as service

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=COMMON_RESPONSES)
Username = Annotated[str, Path(min_length=2, max_length=64)]


def _public(user: service.UserRecord) -> UserPublic:
    return UserPublic.model_validate(user.model_dump(exclude={"password_hash"}))


@router.get("/me", summary="The calling user")
def me(store: StoreDep, user: CurrentUser) -> UserPublic:
    record = service.get_user(store, username=user.username)
    if record is None:
        raise NotFoundError("your user no longer exists")
    return _public(record)


@router.get("", summary="Every user")
def list_users(store: StoreDep, user: AdminUser) -> UsersPublic:
    return UsersPublic(data=[_public(u) for u in service.list_users(store)])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a user; returns its one-time password and token")
def create_user(body: UserCreate, store: StoreDep, user: AdminUser, clock: ClockDep) -> UserCreated:
    created = service.create_user(
        store,
        username=body.username,
        role=body.role,
        unit=body.unit,
        display_name=body.display_name,
        actor=user.username,
        now=clock(),
    )
    return UserCreated(user=_public(created.user), password=created.password, token=created.token)


@router.get("/{username}", summary="One user")
def get_user(username: Username, store: StoreDep, user: AdminUser) -> UserPublic:
    record = service.get_user(store, username=username)
    if record is None:
        raise NotFoundError(f"no user {username!r}")
    return _public(record)


@router.patch("/{username}", summary="Change a user's role, unit, name or active flag")
def update_user(username: Username, body: UserUpdate, store: StoreDep, user: AdminUser) -> UserPublic:
    updated = service.update_user(
        store,
        username=username,
        actor=user.username,
        role=body.role,
        unit=body.unit,
        display_name=body.display_name,
        active=body.active,
    )
    return _public(updated)


@router.delete("/{username}", summary="Delete a user and revoke its tokens")
def delete_user(username: Username, store: StoreDep, user: AdminUser) -> Deleted:
    service.delete_user(store, username=username, actor=user.username)
    return Deleted(deleted=True)
