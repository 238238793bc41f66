"""Authenticated push of forwarded items (officials, the province's Zalo channel bot).

Callers: a user token with role admin, analyst or unit, or the integration token
``MEDIAWATCH_PUSH_TOKEN`` (``Authorization: Bearer <token>``). Each item goes through the pipeline
(enrich → store → detect) when the app has one, else straight to the store; text in an unreadable
encoding is quarantined with its reason (never dropped), other bad payloads answer 422.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from crawlers.errors import TextRepairError
from crawlers.push import item_from_push
from records.errors import InputError
from records.schema import AuditEntry, Item, QuarantinedRecord
from triage_api.deps import HooksDep, SettingsDep, StoreDep, optional_user
from triage_api.errors import COMMON_RESPONSES
from triage_api.roles import Role

router = APIRouter(prefix="/api/v1/push", tags=["push"], responses=COMMON_RESPONSES)
_bearer = HTTPBearer(auto_error=False, description="user API token or MEDIAWATCH_PUSH_TOKEN")
PUSH_ROLES = (Role.admin, Role.analyst, Role.unit)
MAX_ITEMS = 100
RAW = 200_000


class PushResult(BaseModel):
    index: int
    status: str  # created | updated | unchanged | duplicate | quarantined
    item_id: str | None = None
    reason: str | None = None


class PushResponse(BaseModel):
    received_by: str
    results: list[PushResult] = Field(default_factory=list)


async def push_caller(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """Who is pushing: the integration token, or a user allowed to forward items."""
    token = settings.push_token.get_secret_value() if settings.push_token else None
    if credentials is not None and token and hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        return "push-token"
    user = await optional_user(request, store, credentials)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="authentication required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if user.role not in PUSH_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"role '{user.role.value}' may not push items")
    return user.username


@router.post("", summary="Forward one item, or {'items': [...]} (at most 100)")
def push_items(
    store: StoreDep,
    hooks: HooksDep,
    received_by: Annotated[str, Depends(push_caller)],
    payload: Annotated[dict[str, Any], Body()],
) -> PushResponse:
    raw_items = payload.get("items") if "items" in payload else [payload]
    if not isinstance(raw_items, list) or not raw_items or len(raw_items) > MAX_ITEMS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"send one item or 1–{MAX_ITEMS} 'items'")
    response = PushResponse(received_by=received_by)
    items: list[tuple[int, Item]] = []
    for index, raw in enumerate(raw_items):
        try:
            items.append((index, item_from_push(raw, received_by=received_by)))
        except TextRepairError as exc:
            record = QuarantinedRecord(
                source_id=str(raw.get("source_id") or "push"),
                url=raw.get("url"),
                reason=str(exc),
                raw=str(raw)[:RAW],
            )
            record_id = store.quarantine(record)
            response.results.append(PushResult(index=index, status="quarantined", item_id=record_id, reason=str(exc)))
        except InputError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"item {index}: {exc}") from exc
    if items:
        sink = hooks.pipeline.ingest if hooks.pipeline is not None else store.upsert_items
        results = {r.submitted_id: r for r in sink([item for _, item in items])}
        for index, item in items:
            result = results.get(item.id)
            outcome = result.outcome.value if result is not None else "quarantined"
            response.results.append(PushResult(index=index, status=outcome, item_id=result.item_id if result else None))
            details = {"source_id": item.source_id, "outcome": outcome}
            store.append_audit(AuditEntry(actor=received_by, action="item.push", target=item.id, details=details))
    response.results.sort(key=lambda r: r.index)
    return response
