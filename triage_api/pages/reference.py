"""Reference screens: the known false claims (staff add and withdraw them) and the routing rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from records.errors import ConflictError, NotFoundError
from triage_api.deps import ClockDep, HooksDep, StoreDep
from triage_api.pages.common import ReaderPageUser, StaffPageUser, render
from triage_api.services import claims as claims_service
from triage_api.services import routing_rules as rules_service

router = APIRouter(include_in_schema=False)
DONE_VI = {"added": "Đã thêm tin sai đã xác minh.", "withdrawn": "Đã gỡ tin sai khỏi kho."}


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, store: StoreDep, user: ReaderPageUser, done: str = "") -> HTMLResponse:
    claims = sorted(claims_service.list_claims(store), key=lambda c: c.added_at, reverse=True)
    return render(request, "claims.html", user, claims=claims, flash=DONE_VI.get(done))


@router.post("/claims")
def add_claim(
    store: StoreDep,
    user: StaffPageUser,
    clock: ClockDep,
    hooks: HooksDep,
    claim: Annotated[str, Form(min_length=1, max_length=5000)],
    correction: Annotated[str, Form(min_length=1, max_length=10_000)],
    source: Annotated[str, Form(min_length=1, max_length=2000)],
    correction_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    claims_service.create_claim(
        store,
        claim=claim,
        correction=correction,
        source=source,
        correction_url=correction_url or None,
        actor=user.username,
        now=clock(),
        on_claims_changed=hooks.on_claims_changed,
    )
    return RedirectResponse("/claims?done=added", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/claims/{claim_id}/delete")
def withdraw_claim(request: Request, claim_id: str, store: StoreDep, user: StaffPageUser, hooks: HooksDep) -> Response:
    try:
        claims_service.delete_claim(
            store, claim_id=claim_id, actor=user.username, on_claims_changed=hooks.on_claims_changed
        )
    except (NotFoundError, ConflictError):
        return render(request, "not_found.html", user, status_code=404, what="tin sai đã xác minh")
    return RedirectResponse("/claims?done=withdrawn", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/routing", response_class=HTMLResponse)
def routing_page(request: Request, store: StoreDep, user: StaffPageUser) -> HTMLResponse:
    rules = sorted(rules_service.list_rules(store), key=lambda r: (r.rule.get("priority", 100), r.rule_id))
    return render(request, "routing.html", user, rules=rules)
