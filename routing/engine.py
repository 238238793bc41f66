"""The router: picks the rule that fires for an incident and resolves its units and deadline."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from records.errors import ConfigError, ConflictError, InputError
from records.schema import FlagKind, Incident, RoutingDecision
from routing.rules import (
    COLLECTION,
    IncidentKind,
    RoutingConfig,
    RoutingRule,
    load_routing_config,
    validate_rule,
)
from routing.units import UnitDirectory, district_key
from store.base import Store

log = logging.getLogger(__name__)

FALLBACK_RULE_ID = "fallback"


def kind_of(incident: Incident) -> IncidentKind:
    """The incident's routing kind: its ``kind`` when set, else derived from its flags."""
    if incident.kind is not None and incident.kind in IncidentKind.__members__:
        return IncidentKind(incident.kind)
    flags = set(incident.flag_kinds)
    if FlagKind.scam in flags:
        return IncidentKind.scam
    if FlagKind.misinformation in flags:
        return IncidentKind.misinformation
    if FlagKind.hate_speech in flags:
        return IncidentKind.hate_speech
    return IncidentKind.public_concern


def seed_rules(store: Store, rules: list[RoutingRule]) -> int:
    """Write the configured rules into the store if its collection is empty; returns how many were written."""
    if store.list_records(COLLECTION):
        return 0
    written = 0
    for rule in rules:
        try:
            store.put_record(COLLECTION, rule.id, rule.model_dump(mode="json"), expected_version=0)
            written += 1
        except ConflictError:  # another process seeded it first
            continue
    return written


class Router:
    """Routes incidents with the rules in the store's ``routing_rules`` collection (read on each call,
    so an admin's edit applies to the next decision)."""

    def __init__(self, store: Store, units: UnitDirectory, config: RoutingConfig) -> None:
        self.store = store
        self.units = units
        self.config = config
        self._district_units = {district_key(d): u for d, u in config.district_units.items()}

    @classmethod
    def load(cls, store: Store, config_dir: Path) -> Router:
        """Read units and routing configuration; seed the store's rules from it when there are none."""
        units = UnitDirectory.load(Path(config_dir))
        config, rules = load_routing_config(Path(config_dir), units)
        seeded = seed_rules(store, rules)
        if seeded:
            log.info("seeded %d routing rules from %s", seeded, config_dir)
        router = cls(store, units, config)
        router.rules(strict=True)  # a stored rule the configuration no longer supports fails at start-up
        return router

    # -- rules ------------------------------------------------------------------------------
    def rules(self, *, strict: bool = False) -> list[RoutingRule]:
        """The stored rules in the order they are tried: priority, then the more specific, then id.

        An invalid stored rule raises ConfigError when ``strict`` (start-up); otherwise it is skipped
        with an error in the log, and the other rules (or the fallback) route the incident."""
        rules = []
        for record in self.store.list_records(COLLECTION):
            try:
                rules.append(validate_rule(record.doc, units=self.units))
            except InputError as exc:
                if strict:
                    raise ConfigError(f"stored routing rule {record.key!r} is invalid: {exc}") from exc
                log.error("skipping invalid stored routing rule %r: %s", record.key, exc)
        return sorted(rules, key=lambda r: (r.priority, -r.match.specificity, r.id))

    def validate(self, doc: dict) -> RoutingRule:
        """``validate_rule`` against this router's unit directory (for the admin API)."""
        return validate_rule(doc, units=self.units)

    # -- resolution -------------------------------------------------------------------------
    def topic_unit(self, topics: list[str]) -> str | None:
        for topic in topics:
            unit = self.config.topic_units.get(topic)
            if unit:
                return unit
        return None

    def district_unit(self, districts: list[str]) -> str | None:
        for district in districts:
            unit = self._district_units.get(district_key(district)) or self.units.district_unit(district)
            if unit:
                return unit
        return None

    def _resolve(self, token: str, incident: Incident) -> list[str]:
        if token == "by_topic":
            found = self.topic_unit(incident.topics)
            return [found] if found else []
        if token == "by_district":
            found = self.district_unit(incident.districts)
            return [found] if found else []
        if token == "by_topic_or_district":
            found = self.topic_unit(incident.topics) or self.district_unit(incident.districts)
            return [found] if found else []
        if token == "by_district_or_topic":
            found = self.district_unit(incident.districts) or self.topic_unit(incident.topics)
            return [found] if found else []
        if token == "by_source":
            return [f"press:{source}" for source in incident.sources]
        return [token]

    def route(self, incident: Incident, *, now: datetime) -> RoutingDecision:
        """The decision of the first rule that matches, with ``rule_id`` naming it.

        The deadline is ``now`` plus the rule's hours for the incident's severity. When no rule
        matches (e.g. an admin disabled one), the configured fallback unit gets the incident.
        """
        kind = kind_of(incident)
        keys = {district_key(d) for d in incident.districts}
        for rule in self.rules():
            if not rule.matches(kind=kind, topics=incident.topics, district_keys=keys, severity=incident.severity):
                continue
            leads = self._resolve(rule.lead, incident)
            lead = leads[0] if leads else self.config.fallback_unit
            partners: list[str] = []
            for token in rule.partners:
                partners.extend(p for p in self._resolve(token, incident) if p != lead and p not in partners)
            return RoutingDecision(
                rule_id=rule.id,
                lead_unit=lead,
                partner_units=partners,
                suggested_action=rule.action,
                deadline=now + timedelta(hours=rule.deadline_hours[incident.severity]),
                decided_at=now,
            )
        return RoutingDecision(
            rule_id=FALLBACK_RULE_ID,
            lead_unit=self.config.fallback_unit,
            partner_units=[],
            suggested_action=self.config.fallback_action,
            deadline=now + timedelta(hours=self.config.fallback_deadline_hours),
            decided_at=now,
        )
