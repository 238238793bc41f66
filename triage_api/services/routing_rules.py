"""Routing rules as data (collection "routing_rules"): admins edit them through the API; each change
is validated by ``routing.rules.validate_rule`` (H6) and audit-logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from records.errors import InputError, NotFoundError
from records.schema import AuditEntry
from store.base import Store
from triage_api.schemas import RoutingRulePublic

ROUTING_RULES = "routing_rules"


def _validated(rule_id: str, rule: dict[str, Any], config_dir: Path | None) -> dict[str, Any]:
    from routing.rules import validate_rule
    from routing.units import UnitDirectory

    units = UnitDirectory.load(config_dir) if config_dir is not None and (config_dir / "units.yaml").is_file() else None
    rule = {"id": rule_id, **rule}
    try:
        checked = validate_rule(rule, units=units)  # raises InputError with a readable (Vietnamese) message
    except (ValidationError, TypeError) as exc:
        raise InputError(f"invalid routing rule: {exc}") from exc
    doc = checked.model_dump(mode="json") if isinstance(checked, BaseModel) else dict(checked or rule)
    for key in ("rule_id", "id"):
        if key in doc and doc[key] not in (None, rule_id):
            raise InputError(f"the rule's {key} {doc[key]!r} does not match the path's {rule_id!r}")
    return doc


def list_rules(store: Store) -> list[RoutingRulePublic]:
    return [RoutingRulePublic(rule_id=r.key, version=r.version, rule=r.doc) for r in store.list_records(ROUTING_RULES)]


def get_rule(store: Store, *, rule_id: str) -> RoutingRulePublic:
    record = store.get_record(ROUTING_RULES, rule_id)
    if record is None:
        raise NotFoundError(f"no routing rule {rule_id}")
    return RoutingRulePublic(rule_id=record.key, version=record.version, rule=record.doc)


def put_rule(
    store: Store,
    *,
    rule_id: str,
    rule: dict[str, Any],
    expected_version: int | None,
    actor: str,
    config_dir: Path | None = None,
) -> RoutingRulePublic:
    """Create or replace a rule (``expected_version``: 0 create-only, n update of version n); unit ids
    are checked against ``config_dir/units.yaml`` when given."""
    doc = _validated(rule_id, rule, config_dir)
    before = store.get_record(ROUTING_RULES, rule_id)
    record = store.put_record(ROUTING_RULES, rule_id, doc, expected_version=expected_version)
    store.append_audit(
        AuditEntry(
            actor=actor,
            action="routing_rule.update" if before else "routing_rule.create",
            target=f"routing_rule:{rule_id}",
            details={"before": before.doc if before else None, "after": doc, "version": record.version},
        )
    )
    return RoutingRulePublic(rule_id=rule_id, version=record.version, rule=doc)


def delete_rule(store: Store, *, rule_id: str, actor: str) -> None:
    before = store.get_record(ROUTING_RULES, rule_id)
    if before is None or not store.delete_record(ROUTING_RULES, rule_id):
        raise NotFoundError(f"no routing rule {rule_id}")
    store.append_audit(
        AuditEntry(
            actor=actor, action="routing_rule.delete", target=f"routing_rule:{rule_id}", details={"before": before.doc}
        )
    )
