"""Alerts on the API and the page: history, acknowledge, resend, silences, and alert rules as data.

Readers (admin, analyst, board) see alerts, silences and rules; analysts and admins acknowledge,
resend and silence; only admins edit rules. Every change is audit-logged by ``alerts.engine`` /
``alerts.rules``. Page screens: ``/alerts``, ``/alerts/{id}``, ``/alerts/rules``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

import yaml
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from alerts.channels import DeliveryError
from alerts.channels.webhook import check_target
from alerts.engine import AlertEngine, list_alerts
from alerts.messages import DELIVERY_NAMES, FIGURE_NAMES, FLAG_NAMES, KIND_NAMES, number, topic_name
from alerts.models import Alert, AlertRule, ScopeType, Silence
from alerts.rules import delete_rule, get_rule, list_rules, parse_rule, save_rule
from mediawatch.settings import Settings
from records.errors import InputError
from store.base import Store
from triage_api.deps import AdminUser, ClockDep, ReaderUser, SettingsDep, StaffUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.pages.common import ReaderPageUser, StaffPageUser, page_user, render
from triage_api.roles import Principal, Role

AlertId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
RuleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
SilenceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
AdminPageUser = Annotated[Principal, Depends(page_user(Role.admin))]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlertsPublic(BaseModel):
    data: list[Alert]


class RulesPublic(BaseModel):
    data: list[AlertRule]


class RulePublic(BaseModel):
    rule: AlertRule
    version: int


class RuleIn(_In):
    rule: dict[str, Any]
    expected_version: int | None = Field(default=None, ge=0, description="0: create only; n: update version n")


class SilenceIn(_In):
    until: datetime
    rule_id: str | None = Field(default=None, max_length=64)
    scope: ScopeType | None = None
    scope_value: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", max_length=500)


class SilencesPublic(BaseModel):
    data: list[Silence]


class ResendIn(_In):
    channel: str | None = Field(default=None, max_length=500)


def engine_for(store: Store, settings: Settings, clock: Callable[[], datetime]) -> AlertEngine:
    return AlertEngine(store, settings, clock=clock)


def checked_rule(doc: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Validate a rule and refuse webhook targets the SSRF guard refuses (InputError → 400)."""
    rule = parse_rule(doc)
    for target in rule.channels:
        if target.type == "webhook" and target.url:
            try:
                check_target(target.url, settings)
            except DeliveryError as exc:
                raise InputError(str(exc)) from exc
    return rule.model_dump(mode="json")


api = APIRouter(prefix="/api/v1", tags=["alerts"], responses=COMMON_RESPONSES)


@api.get("/alerts", summary="The alert history, newest first")
def api_list_alerts(
    store: StoreDep,
    user: ReaderUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    open_only: Annotated[bool, Query(alias="open")] = False,
    kind: Annotated[str | None, Query(pattern="^(spike|breaking|incident)$")] = None,
) -> AlertsPublic:
    return AlertsPublic(data=list_alerts(store, limit=limit, kind=kind, open_only=open_only))


@api.get("/alerts/silences", summary="Silences in force")
def api_list_silences(store: StoreDep, settings: SettingsDep, clock: ClockDep, user: ReaderUser) -> SilencesPublic:
    return SilencesPublic(data=engine_for(store, settings, clock).silences(now=clock()))


@api.post("/alerts/silences", summary="Stop delivering matching alerts until a time (still recorded)")
def api_add_silence(
    body: SilenceIn, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffUser
) -> Silence:
    return engine_for(store, settings, clock).silence(
        actor=user.username,
        until=body.until,
        rule_id=body.rule_id,
        scope=body.scope,
        scope_value=body.scope_value,
        reason=body.reason,
    )


@api.delete("/alerts/silences/{silence_id}", summary="Remove a silence")
def api_delete_silence(
    silence_id: SilenceId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffUser
) -> dict[str, bool]:
    engine_for(store, settings, clock).unsilence(silence_id, actor=user.username)
    return {"deleted": True}


@api.get("/alerts/{alert_id}", summary="One alert with its deliveries")
def api_get_alert(
    alert_id: AlertId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: ReaderUser
) -> Alert:
    return engine_for(store, settings, clock).get_alert(alert_id)[0]


@api.post("/alerts/{alert_id}/ack", summary="Acknowledge an alert")
def api_ack(alert_id: AlertId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffUser) -> Alert:
    return engine_for(store, settings, clock).acknowledge(alert_id, actor=user.username)


@api.post("/alerts/{alert_id}/resend", summary="Queue an alert again on its channels (or one channel)")
def api_resend(
    alert_id: AlertId,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: StaffUser,
    body: ResendIn | None = None,
) -> Alert:
    return engine_for(store, settings, clock).resend(
        alert_id, actor=user.username, channel=body.channel if body else None
    )


@api.get("/alert-rules", summary="Every alert rule", tags=["alert rules"])
def api_list_rules(store: StoreDep, settings: SettingsDep, clock: ClockDep, user: ReaderUser) -> RulesPublic:
    engine_for(store, settings, clock).ensure_rules()
    return RulesPublic(data=list_rules(store))


@api.get("/alert-rules/{rule_id}", summary="One alert rule", tags=["alert rules"])
def api_get_rule(rule_id: RuleId, store: StoreDep, user: ReaderUser) -> RulePublic:
    rule, version = get_rule(store, rule_id)
    return RulePublic(rule=rule, version=version)


@api.put(
    "/alert-rules/{rule_id}",
    summary="Create or replace a rule (validated; webhook targets SSRF-checked)",
    tags=["alert rules"],
)
def api_put_rule(rule_id: RuleId, body: RuleIn, store: StoreDep, settings: SettingsDep, user: AdminUser) -> RulePublic:
    if body.rule.get("id", rule_id) != rule_id:
        raise InputError("the rule's id differs from the path")
    doc = checked_rule({**body.rule, "id": rule_id}, settings)
    rule = save_rule(store, doc, actor=user.username, expected_version=body.expected_version)
    return RulePublic(rule=rule, version=get_rule(store, rule.id)[1])


@api.delete("/alert-rules/{rule_id}", summary="Delete a rule", tags=["alert rules"])
def api_delete_rule(rule_id: RuleId, store: StoreDep, user: AdminUser) -> dict[str, bool]:
    delete_rule(store, rule_id, actor=user.username)
    return {"deleted": True}


# -- page ------------------------------------------------------------------------------------------
pages = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, user: Principal, **context: Any) -> HTMLResponse:
    return render(request, template, user, kind_names=KIND_NAMES, delivery_names=DELIVERY_NAMES, **context)


@pages.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: ReaderPageUser,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> HTMLResponse:
    engine = engine_for(store, settings, clock)
    return _page(
        request,
        "alerts.html",
        user,
        alerts=list_alerts(store, limit=200, open_only=open_only),
        silences=engine.silences(now=clock()),
        open_only=open_only,
        rule_ids=[r.id for r in list_rules(store)],
    )


@pages.get("/alerts/rules", response_class=HTMLResponse)
def alert_rules_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: ReaderPageUser,
    error: str | None = None,
) -> HTMLResponse:
    engine_for(store, settings, clock).ensure_rules()
    rules = [
        (r, yaml.safe_dump(r.model_dump(mode="json"), allow_unicode=True, sort_keys=False)) for r in list_rules(store)
    ]
    return _page(request, "alerts_rules.html", user, rules=rules, error=error)


@pages.post("/alerts/rules")
def alert_rules_save(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: AdminPageUser,
    rule_text: Annotated[str, Form(max_length=20_000)],
) -> Any:
    try:
        doc = yaml.safe_load(rule_text)
        if not isinstance(doc, dict):
            raise InputError("nội dung quy tắc phải là một bảng khóa–giá trị (YAML hoặc JSON)")
        save_rule(store, checked_rule(doc, settings), actor=user.username)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        return _rules_error(request, store, user, f"YAML không hợp lệ: {exc}")
    except InputError as exc:
        return _rules_error(request, store, user, str(exc))
    return RedirectResponse("/alerts/rules", status_code=303)


def _rules_error(request: Request, store: Store, user: Principal, message: str) -> HTMLResponse:
    rules = [
        (r, yaml.safe_dump(r.model_dump(mode="json"), allow_unicode=True, sort_keys=False)) for r in list_rules(store)
    ]
    return _page(request, "alerts_rules.html", user, rules=rules, error=message, status_code=400)


@pages.post("/alerts/silences")
def alerts_silence(
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: StaffPageUser,
    hours: Annotated[int, Form(ge=1, le=24 * 14)],
    rule_id: Annotated[str, Form(max_length=64)] = "",
    scope: Annotated[str, Form(pattern="^(|topic|district|incident|all)$")] = "",
    scope_value: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    engine_for(store, settings, clock).silence(
        actor=user.username,
        until=clock() + timedelta(hours=hours),
        rule_id=rule_id or None,
        scope=cast(ScopeType, scope) if scope else None,
        scope_value=scope_value or None,
        reason=reason,
    )
    return RedirectResponse("/alerts", status_code=303)


@pages.post("/alerts/silences/{silence_id}/delete")
def alerts_unsilence(
    silence_id: SilenceId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffPageUser
) -> RedirectResponse:
    engine_for(store, settings, clock).unsilence(silence_id, actor=user.username)
    return RedirectResponse("/alerts", status_code=303)


@pages.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    alert_id: AlertId,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: ReaderPageUser,
) -> HTMLResponse:
    alert, _ = engine_for(store, settings, clock).get_alert(alert_id)
    rows = figure_rows(alert, ZoneInfo(settings.timezone), request.app.state.unit_names)
    return _page(request, "alerts_detail.html", user, alert=alert, figure_rows=rows)


def figure_rows(alert: Alert, tz: ZoneInfo, unit_names: dict[str, str]) -> list[tuple[str, str]]:
    """The alert's figures as Vietnamese (label, value) rows for the page."""
    rows = []
    for key, value in alert.figures.items():
        if value is None or value == []:
            continue
        if key == "topics":
            shown = ", ".join(topic_name(t) for t in value)
        elif key == "flags":
            shown = ", ".join(FLAG_NAMES.get(f, f) for f in value)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif key == "episode_started_at":
            shown = datetime.fromisoformat(value).astimezone(tz).strftime("%H:%M %d/%m/%Y")
        elif key == "owner_unit":
            shown = unit_names.get(value, value)
        elif isinstance(value, int | float):
            shown = number(value)
        else:
            shown = str(value)
        rows.append((FIGURE_NAMES.get(key, key), shown))
    return rows


@pages.post("/alerts/{alert_id}/ack")
def alert_ack(
    alert_id: AlertId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffPageUser
) -> RedirectResponse:
    engine_for(store, settings, clock).acknowledge(alert_id, actor=user.username)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@pages.post("/alerts/{alert_id}/resend")
def alert_resend(
    alert_id: AlertId, store: StoreDep, settings: SettingsDep, clock: ClockDep, user: StaffPageUser
) -> RedirectResponse:
    engine_for(store, settings, clock).resend(alert_id, actor=user.username)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


router = APIRouter()
router.include_router(api)
router.include_router(pages)
