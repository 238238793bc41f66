"""The queue: incidents with filters and counts by status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from records.schema import TOPIC_IDS, FlagKind, IncidentStatus
from store.base import IncidentQuery
from triage_api.deps import ClockDep, StoreDep
from triage_api.pages.common import AnyPageUser, StaffPageUser, render
from triage_api.roles import Role
from triage_api.services import queue as queue_service
from triage_api.services import workflow

router = APIRouter(include_in_schema=False)
OPEN = [IncidentStatus.new, IncidentStatus.triaged, IncidentStatus.assigned, IncidentStatus.responding]


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    store: StoreDep,
    user: AnyPageUser,
    clock: ClockDep,
    status: Annotated[str, Query(max_length=20)] = "open",
    topic: Annotated[str, Query(max_length=50)] = "",
    district: Annotated[str, Query(max_length=100)] = "",
    flag: Annotated[str, Query(max_length=50)] = "",
    unit: Annotated[str, Query(max_length=200)] = "",
    min_severity: Annotated[int, Query(ge=0, le=5)] = 0,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    done: Annotated[int | None, Query(ge=0, le=100)] = None,
    failed: Annotated[int | None, Query(ge=0, le=100)] = None,
) -> HTMLResponse:
    if user.role is Role.unit:
        unit = user.unit or "\x00no-unit"
    base = IncidentQuery(
        owner_unit=unit or None,
        topics=[topic] if topic else [],
        districts=[district] if district else [],
        flags=[flag] if flag else [],
        min_severity=min_severity or None,
    )
    known = {s.value for s in IncidentStatus}
    statuses = OPEN if status == "open" else [IncidentStatus(status)] if status in known else []
    page = store.list_incidents(base.model_copy(update={"statuses": statuses, "limit": 50, "cursor": cursor}))
    counts = queue_service.counts_by_status(store, query=base)
    now = clock()
    locks = workflow.live_locks(store, now=now)
    rows = [(i, locks.get(i.id)) for i in page.items]
    filters = {
        "status": status,
        "topic": topic,
        "district": district,
        "flag": flag,
        "unit": "" if user.role is Role.unit else unit,
        "min_severity": min_severity,
    }
    flash = None
    if done is not None:
        flash = f"Đã xử lý {done} sự việc." + (f" {failed} sự việc không thực hiện được." if failed else "")
    return render(
        request,
        "queue.html",
        user,
        flash=flash,
        can_bulk=user.is_staff,
        rows=rows,
        counts=counts,
        open_count=sum(counts[s.value] for s in OPEN),
        filters=filters,
        next_cursor=page.next_cursor,
        topics=TOPIC_IDS,
        flags=[f.value for f in FlagKind],
        now=now,
    )


@router.post("/queue/bulk")
def queue_bulk(
    store: StoreDep,
    user: StaffPageUser,
    clock: ClockDep,
    ids: Annotated[list[str], Form(max_length=100)],
    action: Annotated[str, Form(max_length=50)],
    unit: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """Bulk actions from the queue: triage the selected incidents, or assign them to one unit."""
    if action == "triage":
        outcomes = workflow.bulk(
            store,
            ids=ids,
            action="transition",
            to=IncidentStatus.triaged,
            unit=None,
            assignee=None,
            user=user,
            now=clock(),
        )
    elif action == "assign" and unit.strip():
        outcomes = workflow.bulk(
            store, ids=ids, action="assign", to=None, unit=unit, assignee=None, user=user, now=clock()
        )
    else:
        return RedirectResponse("/queue?done=0&failed=" + str(len(ids)), status_code=status.HTTP_303_SEE_OTHER)
    ok = sum(1 for o in outcomes if o.ok)
    return RedirectResponse(f"/queue?done={ok}&failed={len(outcomes) - ok}", status_code=status.HTTP_303_SEE_OTHER)
