"""Alert rules as data: validated, kept in store collection "alert_rules", seeded from YAML.

Every change by a person is written to the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from alerts.models import AlertRule
from records.errors import ConfigError, InputError, NotFoundError
from records.schema import AuditEntry
from store.base import Store

COLLECTION = "alert_rules"
DEFAULT_FILE = "alert_rules.yaml"


def parse_rule(doc: dict[str, Any]) -> AlertRule:
    """A rule from a plain document; InputError with readable reasons when it is invalid."""
    try:
        return AlertRule.model_validate(doc)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'rule'}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid alert rule: {reasons}") from exc


def load_default_rules(config_dir: Path) -> list[AlertRule]:
    """The default rules shipped in ``config/alert_rules.yaml``."""
    path = config_dir / DEFAULT_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"alert rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"alert rules file {path} is not valid YAML: {exc}") from exc
    try:
        return [parse_rule(doc) for doc in data.get("rules", [])]
    except InputError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def seed_rules(store: Store, config_dir: Path) -> int:
    """Write the default rules that the store does not hold yet (never overwrites edits); returns how many."""
    existing = {r.key for r in store.list_records(COLLECTION)}
    added = 0
    for rule in load_default_rules(config_dir):
        if rule.id not in existing:
            store.put_record(COLLECTION, rule.id, rule.model_dump(mode="json"), expected_version=0)
            added += 1
    return added


def list_rules(store: Store) -> list[AlertRule]:
    return [AlertRule.model_validate(r.doc) for r in store.list_records(COLLECTION)]


def get_rule(store: Store, rule_id: str) -> tuple[AlertRule, int]:
    """A rule and its record version (for optimistic updates)."""
    record = store.get_record(COLLECTION, rule_id)
    if record is None:
        raise NotFoundError(f"no alert rule {rule_id!r}")
    return AlertRule.model_validate(record.doc), record.version


def save_rule(store: Store, doc: dict[str, Any], *, actor: str, expected_version: int | None = None) -> AlertRule:
    """Create or replace a rule after validation (``expected_version`` 0 = create-only); audited."""
    rule = parse_rule(doc)
    store.put_record(COLLECTION, rule.id, rule.model_dump(mode="json"), expected_version=expected_version)
    store.append_audit(
        AuditEntry(actor=actor, action="alert_rule.save", target=f"alert_rule:{rule.id}",
                   details={"rule": rule.model_dump(mode="json")})
    )
    return rule


def delete_rule(store: Store, rule_id: str, *, actor: str) -> None:
    if not store.delete_record(COLLECTION, rule_id):
        raise NotFoundError(f"no alert rule {rule_id!r}")
    store.append_audit(AuditEntry(actor=actor, action="alert_rule.delete", target=f"alert_rule:{rule_id}"))
