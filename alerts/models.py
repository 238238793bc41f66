"""Records of the alerting stage: rules, alerts, deliveries, silences.

They live as documents in the store's collections "alert_rules", "alerts" and "alert_state".
Alerts are about content (topics, districts, incidents), never about people.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from records.schema import TOPIC_IDS, utcnow

ScopeType = Literal["topic", "district", "incident", "all"]
ChannelType = Literal["webhook", "email", "telegram", "zalo"]
AlertKind = Literal["spike", "breaking", "incident"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelTarget(_Model):
    """Where an alert goes: a webhook URL, e-mail addresses, a Telegram chat or a Zalo OA user."""

    type: ChannelType
    url: str | None = None  # webhook
    to: list[str] = Field(default_factory=list)  # email
    chat_id: str | None = None  # telegram
    user_id: str | None = None  # zalo

    @model_validator(mode="after")
    def _has_target(self) -> ChannelTarget:
        needed = {"webhook": self.url, "email": self.to, "telegram": self.chat_id, "zalo": self.user_id}[self.type]
        if not needed:
            field = {"webhook": "url", "email": "to", "telegram": "chat_id", "zalo": "user_id"}[self.type]
            raise ValueError(f"a {self.type} channel needs '{field}'")
        return self

    @property
    def key(self) -> str:
        """Stable name of this target, used to deduplicate deliveries."""
        target = {"webhook": self.url, "email": ",".join(sorted(self.to)), "telegram": self.chat_id,
                  "zalo": self.user_id}[self.type]
        return f"{self.type}:{target}"


class QuietHours(_Model):
    """Local-time window (``settings.timezone``) in which non-critical alerts are held."""

    start: str = "22:00"
    end: str = "06:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        parts = value.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError("quiet hours are HH:MM")
        hour, minute = int(parts[0]), int(parts[1])
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError("quiet hours are HH:MM within a day")
        return f"{hour:02d}:{minute:02d}"


class SpikeThresholds(_Model):
    """When a scope's current window counts as a spike against its baseline."""

    window_hours: int = Field(default=3, ge=1, le=24)
    baseline_days: int = Field(default=7, ge=2, le=28)
    min_count: int = Field(default=10, ge=1)  # never alert below this many items in the window
    min_ratio: float = Field(default=3.0, ge=1.0)  # current / (expected + 1)
    min_score: float = Field(default=4.0, ge=0.0)  # robust z-score (median / MAD of the baseline)
    escalation_factor: float = Field(default=2.0, gt=1.0)  # re-alert when the ratio grows this much more
    cooldown_hours: int = Field(default=6, ge=1, le=72)  # an episode ends after this long below threshold
    breaking_factor: float = Field(default=4.0, gt=1.0)  # incidents: latest hour vs first hour
    min_severity: int = Field(default=4, ge=1, le=5)  # incidents: alert at this severity or higher


class AlertRule(_Model):
    """One alert rule, kept as data in collection "alert_rules"."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str
    enabled: bool = True
    kind: AlertKind = "spike"
    scope: ScopeType = "topic"
    values: list[str] = Field(default_factory=list)  # topics / districts to watch; empty: all
    thresholds: SpikeThresholds = Field(default_factory=SpikeThresholds)
    channels: list[ChannelTarget] = Field(default_factory=list)
    quiet_hours: QuietHours | None = None
    critical_level: int = Field(default=3, ge=1, le=5)  # alerts at this level or above ignore quiet hours

    @model_validator(mode="after")
    def _consistent(self) -> AlertRule:
        if self.kind in ("breaking", "incident") and self.scope != "incident":
            raise ValueError(f"a {self.kind} rule has scope 'incident'")
        if self.kind == "spike" and self.scope == "incident":
            raise ValueError("a spike rule watches a topic, a district or everything (incidents: 'breaking')")
        if self.kind == "spike" and self.scope == "topic":
            unknown = [v for v in self.values if v not in TOPIC_IDS]
            if unknown:
                raise ValueError(f"unknown topic ids: {unknown}")
        return self


class DeliveryStatus(StrEnum):
    pending = "pending"  # due at next_attempt_at
    held = "held"  # quiet hours: due when they end
    sent = "sent"
    failed = "failed"  # gave up after max attempts; resendable
    silenced = "silenced"  # the alert's scope was silenced; resendable


class Delivery(_Model):
    target: ChannelTarget
    status: DeliveryStatus = DeliveryStatus.pending
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    resends: int = 0  # bumped by a deliberate resend; part of the idempotency key


class Alert(_Model):
    """One alert: what fired, the figures behind it and where it went. Stored in collection "alerts"."""

    id: str
    dedup_key: str
    rule_id: str
    kind: AlertKind
    scope: ScopeType
    scope_value: str  # topic id, district name, incident id, or "all"
    level: int = Field(ge=1, le=5)
    critical: bool = False
    title: str
    message: str
    figures: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    silenced: bool = False
    deliveries: dict[str, Delivery] = Field(default_factory=dict)

    @property
    def scope_key(self) -> str:
        return f"{self.scope}:{self.scope_value}"


class Silence(_Model):
    """Alerts matching this (rule and/or scope) are recorded but not delivered until ``until``."""

    id: str
    rule_id: str | None = None
    scope: ScopeType | None = None
    scope_value: str | None = None
    until: datetime
    reason: str = ""
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)

    def matches(self, alert: Alert, now: datetime) -> bool:
        if now >= self.until:
            return False
        if self.rule_id and self.rule_id != alert.rule_id:
            return False
        if self.scope and self.scope != alert.scope:
            return False
        return not (self.scope_value and self.scope_value != alert.scope_value)


class DeliveryReport(_Model):
    """What one ``deliver_pending`` pass did."""

    sent: int = 0
    failed: int = 0  # attempts that failed this pass (will be retried unless given up)
    gave_up: int = 0
    held: int = 0
    errors: list[str] = Field(default_factory=list)
