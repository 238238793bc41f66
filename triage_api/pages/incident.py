"""One incident: its items with flags and reasons, the timeline, routing, notes, audit trail, and the
workflow actions as CSRF-protected forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from records.errors import ConflictError, InputError, NotFoundError
from records.schema import IncidentStatus, Verdict
from store.base import Store
from triage_api.charts import bar_chart
from triage_api.deps import ClockDep, HooksDep, StoreDep
from triage_api.errors import ForbiddenError
from triage_api.pages.common import AnyPageUser, StaffPageUser, WorkerPageUser, render
from triage_api.roles import Principal
from triage_api.schemas import VerdictIn
from triage_api.services import audit as audit_service
from triage_api.services import workflow

router = APIRouter(include_in_schema=False)

DONE_VI = {
    "transition": "Đã chuyển trạng thái.",
    "assign": "Đã giao việc.",
    "note": "Đã thêm ghi chú.",
    "lock": "Đã khóa sự việc để xử lý.",
    "unlock": "Đã mở khóa.",
    "verdict": "Đã kết luận sự việc.",
}
VERDICT_HELP = "Kết luận “Sai sự thật” cần ghi rõ người phân tích, nguồn xác minh và lý do."


def _page(
    request: Request,
    store: Store,
    *,
    incident_id: str,
    user: Principal,
    now: datetime,
    status_code: int = 200,
    flash: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    try:
        incident = workflow.get_visible(store, incident_id=incident_id, user=user)
    except NotFoundError:
        return render(request, "not_found.html", user, status_code=404, what="sự việc")
    items = store.get_items(incident.item_ids)
    suggested = store.get_items(incident.suggested_item_ids)
    timeline = workflow.items_per_hour(items)
    zone = ZoneInfo(request.app.state.settings.timezone)
    chart = bar_chart(
        [(h.start.astimezone(zone), h.count) for h in timeline],
        title="Số tin theo giờ",
        label_format="%H:%M",
    )
    return render(
        request,
        "incident.html",
        user,
        status_code=status_code,
        flash=flash,
        error=error,
        incident=incident,
        items=sorted(items, key=lambda i: i.sort_time),
        suggested=suggested,
        chart=chart,
        lock=workflow.current_lock(store, incident_id=incident.id, now=now),
        transitions=workflow.allowed_transitions(user, incident),
        can_resolve=workflow.can_resolve(user, incident),
        can_assign=user.is_staff and incident.status is not IncidentStatus.resolved,
        can_work=user.role.value in ("admin", "analyst", "unit"),
        trail=audit_service.latest(store, limit=30, target=f"incident:{incident.id}"),
        verdicts=[v.value for v in Verdict],
        form=form or {},
        now=now,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, incident_id: str, store: StoreDep, user: AnyPageUser, clock: ClockDep, done: str = ""
) -> HTMLResponse:
    return _page(request, store, incident_id=incident_id, user=user, now=clock(), flash=DONE_VI.get(done))


def _after(
    request: Request,
    store: Store,
    incident_id: str,
    user: Principal,
    now: datetime,
    action: str,
    run: Callable[[], object],
    form: dict[str, str] | None = None,
) -> Response:
    """Run an action; redirect back with a message, or re-render the page with the error."""
    try:
        run()
    except ConflictError as exc:
        return _page(
            request,
            store,
            incident_id=incident_id,
            user=user,
            now=now,
            status_code=409,
            error=f"Xung đột: {exc}. Hãy tải lại trang.",
            form=form,
        )
    except (InputError, ForbiddenError) as exc:
        code = 403 if isinstance(exc, ForbiddenError) else 400
        return _page(
            request, store, incident_id=incident_id, user=user, now=now, status_code=code, error=str(exc), form=form
        )
    except NotFoundError:
        return render(request, "not_found.html", user, status_code=404, what="sự việc")
    return RedirectResponse(f"/incidents/{incident_id}?done={action}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/incidents/{incident_id}/actions/transition")
def do_transition(
    request: Request,
    incident_id: str,
    store: StoreDep,
    user: WorkerPageUser,
    clock: ClockDep,
    to: Annotated[IncidentStatus, Form()],
    version: Annotated[int, Form(ge=0)],
) -> Response:
    now = clock()
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "transition",
        lambda: workflow.transition(store, incident_id=incident_id, to=to, version=version, user=user, now=now),
    )


@router.post("/incidents/{incident_id}/actions/assign")
def do_assign(
    request: Request,
    incident_id: str,
    store: StoreDep,
    user: StaffPageUser,
    clock: ClockDep,
    unit: Annotated[str, Form(min_length=1, max_length=500)],
    version: Annotated[int, Form(ge=0)],
    assignee: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    now = clock()
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "assign",
        lambda: workflow.assign(
            store, incident_id=incident_id, unit=unit, assignee=assignee, version=version, user=user, now=now
        ),
    )


@router.post("/incidents/{incident_id}/actions/note")
def do_note(
    request: Request,
    incident_id: str,
    store: StoreDep,
    user: WorkerPageUser,
    clock: ClockDep,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    now = clock()
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "note",
        lambda: workflow.add_note(store, incident_id=incident_id, text=text, user=user, now=now),
    )


@router.post("/incidents/{incident_id}/actions/lock")
def do_lock(request: Request, incident_id: str, store: StoreDep, user: WorkerPageUser, clock: ClockDep) -> Response:
    now = clock()
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "lock",
        lambda: workflow.acquire_lock(store, incident_id=incident_id, user=user, now=now, ttl_seconds=900),
    )


@router.post("/incidents/{incident_id}/actions/unlock")
def do_unlock(request: Request, incident_id: str, store: StoreDep, user: WorkerPageUser, clock: ClockDep) -> Response:
    now = clock()
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "unlock",
        lambda: workflow.release_lock(store, incident_id=incident_id, user=user, now=now),
    )


@router.post("/incidents/{incident_id}/actions/verdict")
def do_verdict(
    request: Request,
    incident_id: str,
    store: StoreDep,
    user: StaffPageUser,
    clock: ClockDep,
    hooks: HooksDep,
    version: Annotated[int, Form(ge=0)],
    verdict: Annotated[str, Form(max_length=50)] = "",
    analyst: Annotated[str, Form(max_length=200)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
    rationale: Annotated[str, Form(max_length=10_000)] = "",
    publish_claim: Annotated[str, Form(max_length=10)] = "",
    claim: Annotated[str, Form(max_length=5000)] = "",
    correction: Annotated[str, Form(max_length=10_000)] = "",
    correction_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    now = clock()
    form = {
        "verdict": verdict,
        "analyst": analyst,
        "source": source,
        "rationale": rationale,
        "publish_claim": publish_claim,
        "claim": claim,
        "correction": correction,
        "correction_url": correction_url,
    }
    if verdict not in {v.value for v in Verdict}:
        return _page(
            request,
            store,
            incident_id=incident_id,
            user=user,
            now=now,
            status_code=422,
            error="Hãy chọn một kết luận.",
            form=form,
        )
    try:
        body = VerdictIn(
            verdict=Verdict(verdict),
            version=version,
            analyst=analyst or None,
            source=source or None,
            rationale=rationale or None,
            publish_claim=bool(publish_claim),
            claim=claim or None,
            correction=correction or None,
            correction_url=correction_url or None,
        )
    except ValidationError as exc:
        message = VERDICT_HELP
        if any("known claim" in str(e.get("msg", "")) for e in exc.errors()):
            message = "Công bố vào kho tin sai cần có nội dung tin sai và thông tin đính chính chính thức."
        return _page(
            request, store, incident_id=incident_id, user=user, now=now, status_code=422, error=message, form=form
        )
    return _after(
        request,
        store,
        incident_id,
        user,
        now,
        "verdict",
        lambda: workflow.resolve(
            store, incident_id=incident_id, verdict=body, user=user, now=now, on_claims_changed=hooks.on_claims_changed
        ),
        form=form,
    )
