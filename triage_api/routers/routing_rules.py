"""Routing rules as data: analysts read them, admins edit them (validated, audit-logged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from triage_api.deps import AdminUser, SettingsDep, StaffUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.schemas import Deleted, RoutingRuleIn, RoutingRulePublic, RoutingRulesPublic
from triage_api.services import routing_rules as service

router = APIRouter(prefix="/api/v1/routing-rules", tags=["routing rules"], responses=COMMON_RESPONSES)
RuleId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get("", summary="Every routing rule")
def list_rules(store: StoreDep, user: StaffUser) -> RoutingRulesPublic:
    return RoutingRulesPublic(data=service.list_rules(store))


@router.get("/{rule_id}", summary="One routing rule")
def get_rule(rule_id: RuleId, store: StoreDep, user: StaffUser) -> RoutingRulePublic:
    return service.get_rule(store, rule_id=rule_id)


@router.put("/{rule_id}", summary="Create or replace a rule (expected_version 0: create only; n: update n)")
def put_rule(
    rule_id: RuleId, body: RoutingRuleIn, store: StoreDep, user: AdminUser, settings: SettingsDep
) -> RoutingRulePublic:
    return service.put_rule(
        store,
        rule_id=rule_id,
        rule=body.rule,
        expected_version=body.expected_version,
        actor=user.username,
        config_dir=settings.config_dir,
    )


@router.delete("/{rule_id}", summary="Delete a rule")
def delete_rule(rule_id: RuleId, store: StoreDep, user: AdminUser) -> Deleted:
    service.delete_rule(store, rule_id=rule_id, actor=user.username)
    return Deleted(deleted=True)
