"""The audit log on the page: the latest entries, the chain's verification, the CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from triage_api.deps import StoreDep
from triage_api.pages.common import StaffPageUser, render
from triage_api.services import audit as audit_service

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    store: StoreDep,
    user: StaffPageUser,
    target: Annotated[str, Query(max_length=300)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> HTMLResponse:
    ok, checked, message = audit_service.verify(store)
    entries = audit_service.latest(store, limit=limit, target=target or None)
    return render(request, "audit.html", user, entries=entries, ok=ok, checked=checked, message=message, target=target)


@router.get("/audit/export.csv")
def audit_export(store: StoreDep, user: StaffPageUser) -> StreamingResponse:
    return StreamingResponse(
        audit_service.iter_csv(store),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mediawatch-audit.csv"'},
    )
