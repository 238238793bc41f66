"""The audit log: read it, verify its hash chain, export it as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from triage_api.deps import StaffUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.schemas import MAX_PAGE_SIZE, AuditPublic, AuditVerification
from triage_api.services import audit as service

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=COMMON_RESPONSES)


@router.get("", summary="Audit entries after a sequence number, oldest first, with filters")
def list_audit(
    store: StoreDep,
    user: StaffUser,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=200, description="an action or an action family")] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
) -> AuditPublic:
    entries, next_after = service.page(
        store, after_seq=after_seq, limit=limit, actor=actor, action=action, target=target
    )
    return AuditPublic(data=entries, next_after_seq=next_after)


@router.get("/verify", summary="Verify the hash chain of the whole log")
def verify(store: StoreDep, user: StaffUser) -> AuditVerification:
    ok, checked, message = service.verify(store)
    return AuditVerification(ok=ok, checked=checked, message=message)


@router.get(
    "/export.csv",
    summary="The whole log as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, one row per entry"}},
)
def export_csv(store: StoreDep, user: StaffUser) -> StreamingResponse:
    return StreamingResponse(
        service.iter_csv(store),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mediawatch-audit.csv"'},
    )
