"""Policy watch on the API and the page (plan section I.1): register draft policies, see their coverage.

Readers (admin, analyst, board) see policies and their coverage; analysts and admins register and
remove them (audit-logged). Page screens: ``/policies`` and ``/policies/{id}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from reports.policy_watch import (
    Policy,
    add_policy,
    delete_policy,
    get_policy,
    list_policies,
    policy_coverage,
    window_bounds,
)
from store.base import Store
from triage_api.deps import ReaderUser, SettingsDep, StaffUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.pages.common import ReaderPageUser, StaffPageUser, render

PolicyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=300)
    keywords: list[str] = Field(min_length=1, max_length=20)
    opens: date
    closes: date
    note: str = Field(default="", max_length=2000)


class PoliciesPublic(BaseModel):
    data: list[Policy]


class ExamplePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    title: str
    url: str
    source_id: str
    kind: str
    published_at: datetime


class CoveragePublic(BaseModel):
    """``reports.policy_watch.PolicyCoverage`` as the API shows it (examples without their reach)."""

    model_config = ConfigDict(from_attributes=True)

    policy: Policy
    since: datetime
    until: datetime
    volume: int
    by_kind: dict[str, int]
    by_day: list[tuple[date, int]]
    topics: dict[str, int]
    concerns: list[tuple[str, int]]
    reactions: dict[str, int]
    examples: list[ExamplePublic]


def coverage_of(store: Store, policy: Policy, timezone: str) -> CoveragePublic:
    tz = ZoneInfo(timezone)
    since, until = window_bounds(policy, tz)
    return CoveragePublic.model_validate(policy_coverage(store, policy, since=since, until=until, tz=tz))


api = APIRouter(prefix="/api/v1/policies", tags=["policy watch"], responses=COMMON_RESPONSES)


@api.get("", summary="The registered draft policies")
def api_list(store: StoreDep, user: ReaderUser) -> PoliciesPublic:
    return PoliciesPublic(data=list_policies(store))


@api.post("", summary="Register a draft policy to watch", status_code=201)
def api_add(body: PolicyIn, store: StoreDep, user: StaffUser) -> Policy:
    return add_policy(
        store,
        title=body.title,
        keywords=body.keywords,
        opens=body.opens,
        closes=body.closes,
        note=body.note,
        actor=user.username,
    )


@api.get("/{policy_id}", summary="A policy's coverage and public reaction over its consultation window")
def api_coverage(policy_id: PolicyId, store: StoreDep, settings: SettingsDep, user: ReaderUser) -> CoveragePublic:
    return coverage_of(store, get_policy(store, policy_id), settings.timezone)


@api.delete("/{policy_id}", summary="Stop watching a policy")
def api_delete(policy_id: PolicyId, store: StoreDep, user: StaffUser) -> dict[str, bool]:
    delete_policy(store, policy_id, actor=user.username)
    return {"deleted": True}


pages = APIRouter(include_in_schema=False)


@pages.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, store: StoreDep, user: ReaderPageUser) -> HTMLResponse:
    return render(request, "policies.html", user, policies=list_policies(store))


@pages.post("/policies")
def policies_add(
    request: Request,
    store: StoreDep,
    user: StaffPageUser,
    title: Annotated[str, Form(max_length=300)],
    keywords: Annotated[str, Form(max_length=2000)],
    opens: Annotated[date, Form()],
    closes: Annotated[date, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    policy = add_policy(
        store,
        title=title,
        keywords=[k for k in keywords.split(",") if k.strip()],
        opens=opens,
        closes=closes,
        note=note,
        actor=user.username,
    )
    return RedirectResponse(f"/policies/{policy.id}", status_code=303)


@pages.get("/policies/{policy_id}", response_class=HTMLResponse)
def policy_page(
    request: Request, policy_id: PolicyId, store: StoreDep, settings: SettingsDep, user: ReaderPageUser
) -> HTMLResponse:
    coverage = coverage_of(store, get_policy(store, policy_id), settings.timezone)
    return render(request, "policies_detail.html", user, c=coverage)


router = APIRouter()
router.include_router(api)
router.include_router(pages)
