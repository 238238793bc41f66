"""The alert engine: evaluate rules into deduplicated alerts, deliver them, keep their history.

Alerts live in collection "alerts" (one document each, keyed by a hash of the dedup key, written
create-only so an alert exists once however often or by however many engines it is evaluated).
Per-channel deliveries are claimed before sending (a short lease written with the record's version,
so two engines never send the same delivery), retried with exponential back-off, held during a
rule's quiet hours unless critical, and resendable. Every webhook / chat / e-mail delivery carries
a delivery id that stays the same across retries, so a receiver can drop a repeat after a crash
between sending and recording.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts import messages
from alerts.channels import DeliveryError, OutgoingAlert, Sender, sender_for
from alerts.models import (
    Alert,
    AlertRule,
    Delivery,
    DeliveryReport,
    DeliveryStatus,
    QuietHours,
    ScopeType,
    Silence,
)
from alerts.rules import COLLECTION as RULES
from alerts.rules import list_rules, seed_rules
from alerts.spikes import STATE, SpikeDetector, advance_episode, load_episode, save_episode
from mediawatch.settings import Settings
from records.errors import ConfigError, ConflictError, InputError, MediaWatchError, NotFoundError
from records.schema import AuditEntry, Incident, utcnow

log = logging.getLogger(__name__)

ALERTS = "alerts"
OUTBOX_PREFIX = "outbox:"
SILENCE_PREFIX = "silence:"
SEEDED_KEY = "rules_seeded"
CLAIM_LEASE = timedelta(minutes=2)
SEVERE_LOOKBACK = timedelta(hours=24)
LEVEL_STATE_TTL = timedelta(days=30)  # per-incident "level alerted" marks are forgotten after this
LEVEL_PREFIXES = ("breaking:", "incident:")


def alert_id_for(dedup_key: str) -> str:
    return "al-" + hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:20]


def delivery_id_for(alert: Alert, key: str, delivery: Delivery) -> str:
    return f"{alert.id}.{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}.{delivery.resends}"


def in_quiet_hours(quiet: QuietHours, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When ``now`` falls in the quiet window, the UTC time it ends; else None."""
    local = now.astimezone(tz)
    start = time.fromisoformat(quiet.start)
    end = time.fromisoformat(quiet.end)
    t = local.time().replace(tzinfo=None)
    if start == end:
        return None
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(now.tzinfo)


class AlertEngine:
    """Evaluates the rules in "alert_rules" against the store and delivers what fires."""

    def __init__(
        self,
        store,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        senders: Mapping[str, Sender] | None = None,
        max_attempts: int = 8,
        retry_base: timedelta = timedelta(seconds=30),
        retry_cap: timedelta = timedelta(hours=1),
        seed_defaults: bool = True,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.detector = SpikeDetector(store)
        self._senders = dict(senders or {})
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.tz = ZoneInfo(settings.timezone)
        self.seed_defaults = seed_defaults
        self._unit_names: dict[str, str] | None = None

    # -- rules --------------------------------------------------------------------------------
    def ensure_rules(self) -> None:
        """Seed the default rules once per store (later edits and deletions are respected)."""
        if not self.seed_defaults or self.store.get_record(STATE, SEEDED_KEY) is not None:
            return
        seed_rules(self.store, self.settings.config_dir)
        with contextlib.suppress(ConflictError):
            self.store.put_record(STATE, SEEDED_KEY, {"at": self.clock().isoformat()}, expected_version=0)

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self) -> list[Alert]:
        """Run every enabled rule once; returns the alerts created by this call (new ones only)."""
        self.ensure_rules()
        now = self.clock()
        silences = self.silences(now=now)
        created: list[Alert] = []
        for rule in list_rules(self.store):
            if not rule.enabled:
                continue
            if rule.kind == "spike":
                created += self._evaluate_spikes(rule, now, silences)
            elif rule.kind == "breaking":
                created += self._evaluate_breaking(rule, now, silences)
            else:
                created += self._evaluate_incidents(rule, now, silences)
        self._prune_levels(now)
        return created

    def _prune_levels(self, now: datetime) -> None:
        """Forget per-incident alert levels not touched for LEVEL_STATE_TTL (keeps alert_state small)."""
        for record in self.store.list_records(STATE):
            expired = record.key.startswith(LEVEL_PREFIXES) and "at" in record.doc and (
                now - datetime.fromisoformat(record.doc["at"]) > LEVEL_STATE_TTL
            )
            if expired:
                self.store.delete_record(STATE, record.key)

    def _evaluate_spikes(self, rule: AlertRule, now: datetime, silences: list[Silence]) -> list[Alert]:
        created = []
        cooldown = timedelta(hours=rule.thresholds.cooldown_hours)
        for m in self.detector.measure(rule, now):
            firing = m.fires(rule.thresholds)
            level = m.level(rule.thresholds) if firing else 0
            episode, version = load_episode(self.store, rule.id, m.scope, m.value)
            if episode is None and not firing:
                continue
            new_episode, due = advance_episode(episode, firing=firing, level=level, now=now, cooldown=cooldown)
            if due and new_episode is not None:
                figures = m.figures() | {"episode_started_at": new_episode.started_at.isoformat()}
                escalated = episode is not None and new_episode.started_at == episode.started_at
                alert = self._new_alert(
                    rule,
                    dedup_key=f"{rule.id}|{m.scope}:{m.value}|{new_episode.started_at.isoformat()}|L{level}",
                    scope=m.scope,  # type: ignore[arg-type]
                    value=m.value,
                    level=level,
                    title=messages.spike_title(m.scope, m.value),
                    message=messages.spike_message(m.scope, m.value, m.figures(), level, escalated=escalated),
                    figures=figures,
                    now=now,
                    silences=silences,
                )
                if alert is not None:
                    created.append(alert)
            try:
                save_episode(self.store, rule.id, m.scope, m.value, new_episode, version)
            except ConflictError:
                log.info("episode %s/%s moved by another engine", rule.id, m.value)
        return created

    def _bump_level(self, key: str, level: int) -> tuple[bool, int]:
        record = self.store.get_record(STATE, key)
        done = int(record.doc.get("level", 0)) if record else 0
        return level > done, (record.version if record else 0)

    def _save_level(self, key: str, level: int, version: int, now: datetime) -> None:
        try:
            self.store.put_record(STATE, key, {"level": level, "at": now.isoformat()}, expected_version=version)
        except ConflictError:
            log.info("alert level %s moved by another engine", key)

    def _evaluate_breaking(self, rule: AlertRule, now: datetime, silences: list[Silence]) -> list[Alert]:
        created = []
        for growth in self.detector.incident_growth(rule, now):
            if not growth.fires(rule.thresholds):
                continue
            level = growth.level(rule.thresholds)
            state_key = f"breaking:{rule.id}:{growth.incident_id}"
            due, version = self._bump_level(state_key, level)
            if not due:
                continue
            incident = self.store.get_incident(growth.incident_id)
            title = incident.title if incident else growth.incident_id
            alert = self._new_alert(
                rule,
                dedup_key=f"{rule.id}|breaking:{growth.incident_id}|L{level}",
                scope="incident",
                value=growth.incident_id,
                level=level,
                title=messages.breaking_title(title),
                message=messages.breaking_message(growth.figures(), level),
                figures=growth.figures(),
                now=now,
                silences=silences,
            )
            if alert is not None:
                created.append(alert)
            self._save_level(state_key, level, version, now)
        return created

    def _evaluate_incidents(self, rule: AlertRule, now: datetime, silences: list[Silence]) -> list[Alert]:
        created = []
        for incident in self.detector.severe_incidents(rule.thresholds.min_severity, now - SEVERE_LOOKBACK):
            state_key = f"incident:{rule.id}:{incident.id}"
            due, version = self._bump_level(state_key, incident.severity)
            if not due:
                continue
            figures = self._incident_figures(incident)
            alert = self._new_alert(
                rule,
                dedup_key=f"{rule.id}|incident:{incident.id}|S{incident.severity}",
                scope="incident",
                value=incident.id,
                level=incident.severity,
                title=messages.incident_title(incident.title, incident.severity),
                message=messages.incident_message(figures),
                figures=figures,
                now=now,
                silences=silences,
            )
            if alert is not None:
                created.append(alert)
            self._save_level(state_key, incident.severity, version, now)
        return created

    def _unit_name(self, unit_id: str | None) -> str | None:
        if unit_id is None:
            return None
        if self._unit_names is None:
            from triage_api.labels import load_unit_names

            self._unit_names = load_unit_names(self.settings.config_dir)
        return self._unit_names.get(unit_id, unit_id)

    def _incident_figures(self, incident: Incident) -> dict:
        deadline = incident.deadline.astimezone(self.tz).strftime("%H:%M %d/%m/%Y") if incident.deadline else None
        return {
            "incident_id": incident.id,
            "severity": incident.severity,
            "items": len(incident.item_ids),
            "sources": len(incident.sources),
            "topics": list(incident.topics),
            "districts": list(incident.districts),
            "flags": list(incident.flag_kinds),
            "owner_unit": self._unit_name(incident.owner_unit),
            "suggested_action": incident.routing.suggested_action if incident.routing else None,
            "deadline": deadline,
        }

    def _new_alert(
        self,
        rule: AlertRule,
        *,
        dedup_key: str,
        scope: ScopeType,
        value: str,
        level: int,
        title: str,
        message: str,
        figures: dict,
        now: datetime,
        silences: list[Silence],
    ) -> Alert | None:
        """Create the alert once (create-only write); None when it already exists."""
        alert = Alert(
            id=alert_id_for(dedup_key),
            dedup_key=dedup_key,
            rule_id=rule.id,
            kind=rule.kind,
            scope=scope,
            scope_value=value,
            level=level,
            critical=level >= rule.critical_level,
            title=title,
            message=message,
            figures=figures,
            created_at=now,
        )
        alert.silenced = any(s.matches(alert, now) for s in silences)
        status = DeliveryStatus.silenced if alert.silenced else DeliveryStatus.pending
        alert.deliveries = {
            target.key: Delivery(target=target, status=status, next_attempt_at=now) for target in rule.channels
        }
        if alert.deliveries and not alert.silenced:
            self.store.put_record(STATE, OUTBOX_PREFIX + alert.id, {"at": now.isoformat()})
        try:
            self.store.put_record(ALERTS, alert.id, alert.model_dump(mode="json"), expected_version=0)
        except ConflictError:
            return None
        log.info("alert %s: %s", alert.id, alert.title)
        return alert

    # -- delivery -----------------------------------------------------------------------------
    def _sender(self, channel_type: str) -> Sender:
        if channel_type not in self._senders:
            self._senders[channel_type] = sender_for(channel_type)
        return self._senders[channel_type]

    def _link(self, alert: Alert) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/alerts/{alert.id}"

    def _outgoing(self, alert: Alert, key: str, delivery: Delivery) -> OutgoingAlert:
        return OutgoingAlert(
            alert_id=alert.id,
            delivery_id=delivery_id_for(alert, key, delivery),
            kind=alert.kind,
            scope=alert.scope,
            scope_value=alert.scope_value,
            level=alert.level,
            critical=alert.critical,
            title=alert.title,
            message=alert.message,
            link=self._link(alert),
            created_at=alert.created_at.isoformat(),
            figures=alert.figures,
        )

    def _backoff(self, attempts: int) -> timedelta:
        return min(self.retry_base * (2 ** max(attempts - 1, 0)), self.retry_cap)

    def deliver_pending(self) -> DeliveryReport:
        """Send every due delivery once; failures are rescheduled with back-off (see ``max_attempts``)."""
        report = DeliveryReport()
        now = self.clock()
        silences = self.silences(now=now)
        rules = {r.id: r for r in list_rules(self.store)}
        for record in self.store.list_records(STATE):
            if not record.key.startswith(OUTBOX_PREFIX):
                continue
            alert_id = record.key[len(OUTBOX_PREFIX):]
            if not self._deliver_alert(alert_id, now, silences, rules, report):
                self.store.delete_record(STATE, record.key)
        return report

    def _deliver_alert(
        self, alert_id: str, now: datetime, silences: list[Silence], rules: dict[str, AlertRule],
        report: DeliveryReport,
    ) -> bool:
        """Work on one alert's due deliveries; returns whether any remain open (pending / held)."""
        try:
            return self._deliver_due(alert_id, now, silences, rules, report)
        except ConflictError:
            return True  # another engine is working on this alert; it stays in the outbox

    def _deliver_due(
        self, alert_id: str, now: datetime, silences: list[Silence], rules: dict[str, AlertRule],
        report: DeliveryReport,
    ) -> bool:
        record = self.store.get_record(ALERTS, alert_id)
        if record is None:
            return False
        alert = Alert.model_validate(record.doc)
        version = record.version
        silenced = any(s.matches(alert, now) for s in silences)
        rule = rules.get(alert.rule_id)
        quiet_end = in_quiet_hours(rule.quiet_hours, now, self.tz) if rule and rule.quiet_hours else None
        for key in list(alert.deliveries):
            delivery = alert.deliveries[key]
            if delivery.status not in (DeliveryStatus.pending, DeliveryStatus.held):
                continue
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                continue
            if silenced:
                delivery.status = DeliveryStatus.silenced
                version = self._write(alert, version)
                continue
            if quiet_end is not None and not alert.critical:
                delivery.status = DeliveryStatus.held
                delivery.next_attempt_at = quiet_end
                version = self._write(alert, version)
                report.held += 1
                continue
            # claim: a lease so that no other engine sends this delivery meanwhile
            delivery.attempts += 1
            delivery.status = DeliveryStatus.pending
            delivery.next_attempt_at = now + CLAIM_LEASE
            version = self._write(alert, version)
            try:
                self._sender(delivery.target.type)(self._outgoing(alert, key, delivery), delivery.target, self.settings)
            except (DeliveryError, ConfigError) as exc:
                delivery.last_error = str(exc)[:500]
                report.failed += 1
                report.errors.append(f"{alert.id} {key}: {delivery.last_error}")
                if delivery.attempts >= self.max_attempts:
                    delivery.status = DeliveryStatus.failed
                    delivery.next_attempt_at = None
                    report.gave_up += 1
                else:
                    delivery.next_attempt_at = now + self._backoff(delivery.attempts)
            else:
                delivery.status = DeliveryStatus.sent
                delivery.sent_at = self.clock()
                delivery.next_attempt_at = None
                delivery.last_error = None
                report.sent += 1
            version = self._write(alert, version)
        return any(d.status in (DeliveryStatus.pending, DeliveryStatus.held) for d in alert.deliveries.values())

    def _write(self, alert: Alert, version: int) -> int:
        return self.store.put_record(ALERTS, alert.id, alert.model_dump(mode="json"), expected_version=version).version

    # -- history and actions ------------------------------------------------------------------
    def get_alert(self, alert_id: str) -> tuple[Alert, int]:
        record = self.store.get_record(ALERTS, alert_id)
        if record is None:
            raise NotFoundError(f"no alert {alert_id!r}")
        return Alert.model_validate(record.doc), record.version

    def acknowledge(self, alert_id: str, *, actor: str) -> Alert:
        """Record that a person has seen and taken the alert in hand (audited)."""
        alert, version = self.get_alert(alert_id)
        if alert.acknowledged_at is None:
            alert.acknowledged_by = actor
            alert.acknowledged_at = self.clock()
            self._write(alert, version)
            self.store.append_audit(AuditEntry(actor=actor, action="alert.acknowledge", target=f"alert:{alert_id}"))
        return alert

    def resend(self, alert_id: str, *, actor: str, channel: str | None = None) -> Alert:
        """Queue the alert again on its channels (or one channel key); a new delivery id is used."""
        alert, version = self.get_alert(alert_id)
        keys = [channel] if channel else list(alert.deliveries)
        if channel and channel not in alert.deliveries:
            raise NotFoundError(f"alert {alert_id} has no channel {channel!r}")
        now = self.clock()
        for key in keys:
            d = alert.deliveries[key]
            if d.status in (DeliveryStatus.pending, DeliveryStatus.held) and d.attempts == 0:
                continue
            d.status = DeliveryStatus.pending
            d.attempts = 0
            d.resends += 1
            d.next_attempt_at = now
            d.last_error = None
        self.store.put_record(STATE, OUTBOX_PREFIX + alert.id, {"at": now.isoformat()})
        self._write(alert, version)
        self.store.append_audit(
            AuditEntry(actor=actor, action="alert.resend", target=f"alert:{alert_id}", details={"channels": keys})
        )
        return alert

    def silence(
        self,
        *,
        actor: str,
        until: datetime,
        rule_id: str | None = None,
        scope: ScopeType | None = None,
        scope_value: str | None = None,
        reason: str = "",
    ) -> Silence:
        """Stop delivering matching alerts until ``until`` (they are still recorded); audited."""
        now = self.clock()
        if until <= now:
            raise InputError("a silence must end in the future")
        if not (rule_id or scope or scope_value):
            raise InputError("a silence needs a rule, a scope or a scope value")
        if rule_id and self.store.get_record(RULES, rule_id) is None:
            raise NotFoundError(f"no alert rule {rule_id!r}")
        silence = Silence(
            id=uuid.uuid4().hex[:12], rule_id=rule_id, scope=scope, scope_value=scope_value, until=until,
            reason=reason, created_by=actor, created_at=now,
        )
        self.store.put_record(STATE, SILENCE_PREFIX + silence.id, silence.model_dump(mode="json"), expected_version=0)
        self.store.append_audit(
            AuditEntry(actor=actor, action="alert.silence", target=f"silence:{silence.id}",
                       details=silence.model_dump(mode="json"))
        )
        return silence

    def unsilence(self, silence_id: str, *, actor: str) -> None:
        if not self.store.delete_record(STATE, SILENCE_PREFIX + silence_id):
            raise NotFoundError(f"no silence {silence_id!r}")
        self.store.append_audit(AuditEntry(actor=actor, action="alert.unsilence", target=f"silence:{silence_id}"))

    def silences(self, *, now: datetime | None = None) -> list[Silence]:
        """Silences in force (all of them when ``now`` is None)."""
        out = []
        for record in self.store.list_records(STATE):
            if record.key.startswith(SILENCE_PREFIX):
                silence = Silence.model_validate(record.doc)
                if now is None or silence.until > now:
                    out.append(silence)
        return out

    # -- loop ---------------------------------------------------------------------------------
    def run_once(self) -> tuple[list[Alert], DeliveryReport]:
        return self.evaluate(), self.deliver_pending()

    def run_continuous(self, *, poll_seconds: float = 15.0, stop: threading.Event | None = None) -> None:
        """Evaluate and deliver every ``poll_seconds`` until ``stop`` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.run_once()
            except MediaWatchError:
                # a store or configuration failure in one pass: logged, retried at the next poll
                log.exception("alert pass failed; retrying in %.0f s", poll_seconds)
            stop.wait(poll_seconds)


def list_alerts(store, *, limit: int = 100, kind: str | None = None, open_only: bool = False) -> list[Alert]:
    """The alert history, newest first."""
    alerts = [Alert.model_validate(r.doc) for r in store.list_records(ALERTS)]
    if kind:
        alerts = [a for a in alerts if a.kind == kind]
    if open_only:
        alerts = [a for a in alerts if a.acknowledged_at is None]
    alerts.sort(key=lambda a: a.created_at, reverse=True)
    return alerts[:limit]
