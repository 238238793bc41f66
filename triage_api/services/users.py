"""Users, API tokens and page sessions, kept in the store's "users", "api_tokens" and "sessions"
collections. Passwords are argon2 hashes; tokens and session ids are random and stored as digests
(tokens) or opaque keys (sessions). Every change of a user is audit-logged."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel

from records.errors import ConflictError, InputError, NotFoundError
from records.schema import AuditEntry
from store.base import Store
from triage_api import security
from triage_api.roles import Principal, Role

USERS = "users"
TOKENS = "api_tokens"
SESSIONS = "sessions"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserRecord(BaseModel):
    """A stored user (the password hash never leaves the service layer)."""

    username: str
    role: Role
    unit: str | None = None
    display_name: str | None = None
    active: bool = True
    password_hash: str
    created_at: datetime
    created_by: str


class NewUser(BaseModel):
    """What creating a user returns, once: the one-time password and an API token."""

    user: UserRecord
    password: str
    token: str


def _check(username: str, role: str, unit: str | None) -> tuple[Role, str | None]:
    if not _USERNAME.match(username):
        raise InputError("user name: 2–64 characters, lower-case letters, digits, '.', '_' or '-'")
    try:
        parsed = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}; expected one of: {', '.join(r.value for r in Role)}") from None
    unit = (unit or "").strip() or None
    if parsed is Role.unit and unit is None:
        raise InputError("a user with role 'unit' needs --unit (the unit it answers for)")
    return parsed, unit


def get_user(store: Store, *, username: str) -> UserRecord | None:
    record = store.get_record(USERS, username)
    return UserRecord.model_validate(record.doc) if record else None


def list_users(store: Store) -> list[UserRecord]:
    return [UserRecord.model_validate(r.doc) for r in store.list_records(USERS)]


def create_user(
    store: Store,
    *,
    username: str,
    role: str,
    unit: str | None = None,
    display_name: str | None = None,
    actor: str,
    now: datetime,
    password: str | None = None,
) -> NewUser:
    """Create a user with a one-time password (generated unless given) and a first API token."""
    parsed_role, unit = _check(username, role, unit)
    password = password or security.new_password()
    user = UserRecord(
        username=username,
        role=parsed_role,
        unit=unit,
        display_name=display_name,
        password_hash=security.hash_password(password),
        created_at=now,
        created_by=actor,
    )
    try:
        store.put_record(USERS, username, user.model_dump(mode="json"), expected_version=0)
    except ConflictError:
        raise ConflictError(f"user {username!r} already exists") from None
    token = issue_token(store, username=username, now=now, label="initial")
    store.append_audit(
        AuditEntry(
            actor=actor,
            action="user.create",
            target=f"user:{username}",
            details={"role": parsed_role.value, "unit": unit},
        )
    )
    return NewUser(user=user, password=password, token=token)


def update_user(
    store: Store,
    *,
    username: str,
    actor: str,
    role: str | None = None,
    unit: str | None = None,
    display_name: str | None = None,
    active: bool | None = None,
) -> UserRecord:
    """Change a user's role, unit, display name or active flag; audit-logged."""
    record = store.get_record(USERS, username)
    if record is None:
        raise NotFoundError(f"no user {username!r}")
    user = UserRecord.model_validate(record.doc)
    changes: dict[str, object] = {}
    new_role, new_unit = _check(username, role or user.role.value, unit if unit is not None else user.unit)
    if new_role != user.role:
        changes["role"] = new_role.value
    if new_unit != user.unit:
        changes["unit"] = new_unit
    if display_name is not None and display_name != user.display_name:
        changes["display_name"] = display_name
    if active is not None and active != user.active:
        changes["active"] = active
    if not changes:
        return user
    updated = user.model_copy(
        update={
            "role": new_role,
            "unit": new_unit,
            **{k: v for k, v in changes.items() if k in ("display_name", "active")},
        }
    )
    store.put_record(USERS, username, updated.model_dump(mode="json"), expected_version=record.version)
    if active is False:
        revoke_tokens(store, username=username)
    store.append_audit(AuditEntry(actor=actor, action="user.update", target=f"user:{username}", details=changes))
    return updated


def delete_user(store: Store, *, username: str, actor: str) -> None:
    """Remove a user and revoke its tokens; audit-logged (the audit log keeps its past actions)."""
    if not store.delete_record(USERS, username):
        raise NotFoundError(f"no user {username!r}")
    revoked = revoke_tokens(store, username=username)
    store.append_audit(
        AuditEntry(actor=actor, action="user.delete", target=f"user:{username}", details={"tokens_revoked": revoked})
    )


def issue_token(store: Store, *, username: str, now: datetime, label: str = "") -> str:
    """A new API token for a user; returns the token (only its digest is stored)."""
    token = security.new_token()
    store.put_record(
        TOKENS,
        security.token_digest(token),
        {"username": username, "created_at": now.isoformat(), "label": label},
        expected_version=0,
    )
    return token


def revoke_tokens(store: Store, *, username: str) -> int:
    count = 0
    for record in store.list_records(TOKENS):
        if record.doc.get("username") == username:
            count += int(store.delete_record(TOKENS, record.key))
    return count


def _active_principal(store: Store, username: str, **extra: object) -> Principal | None:
    user = get_user(store, username=username)
    if user is None or not user.active:
        return None
    return Principal(username=user.username, role=user.role, unit=user.unit, **extra)  # type: ignore[arg-type]


def principal_for_token(store: Store, *, token: str) -> Principal | None:
    """The active user a bearer token belongs to, or None."""
    if not token.startswith(security.TOKEN_PREFIX) or len(token) > 200:
        return None
    record = store.get_record(TOKENS, security.token_digest(token))
    if record is None:
        return None
    return _active_principal(store, str(record.doc.get("username", "")), auth="token")


def authenticate_password(store: Store, *, username: str, password: str) -> UserRecord | None:
    """The active user if the password matches (same cost whether or not the user exists)."""
    user = get_user(store, username=username) if _USERNAME.match(username) else None
    if user is None or not user.active:
        security.dummy_verify(password)
        return None
    return user if security.verify_password(user.password_hash, password) else None


def create_session(store: Store, *, username: str, now: datetime, max_age_s: int) -> tuple[str, str]:
    """A server-side page session; returns (session id, CSRF token)."""
    session_id = security.new_session_id()
    csrf = security.new_csrf_token()
    store.put_record(
        SESSIONS,
        session_id,
        {
            "username": username,
            "csrf": csrf,
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(seconds=max_age_s)).isoformat(),
        },
        expected_version=0,
    )
    return session_id, csrf


def principal_for_session(store: Store, *, session_id: str, now: datetime) -> Principal | None:
    """The active user of an unexpired session, with the session's CSRF token."""
    record = store.get_record(SESSIONS, session_id)
    if record is None:
        return None
    expires_at = datetime.fromisoformat(str(record.doc.get("expires_at")))
    if expires_at <= now:
        store.delete_record(SESSIONS, session_id)
        return None
    return _active_principal(
        store,
        str(record.doc.get("username", "")),
        auth="session",
        session_id=session_id,
        csrf_token=str(record.doc.get("csrf", "")),
    )


def delete_session(store: Store, *, session_id: str) -> None:
    store.delete_record(SESSIONS, session_id)
