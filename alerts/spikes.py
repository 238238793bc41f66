"""Spike detection: a scope's current window against the same window of the day on earlier days.

For a topic, a district or the whole stream, the current window ``[now - W, now)`` is compared with
the same clock-time window on each of the previous ``baseline_days`` days (so the daily rhythm is
respected: 3 a.m. is compared with 3 a.m.). The baseline is the median of those samples and its
spread the scaled median absolute deviation; the score is robust to a past spike in the baseline.

A window fires only when it has at least ``min_count`` items, is ``min_ratio`` times the baseline
and scores at least ``min_score`` (so zero against zero, or three against one, never fires).
Baselines are cached in the store collection "alert_state" so a restarted engine reuses them; the
spike episodes (started, level alerted, last seen above threshold) are kept there too, so a spike
that goes on does not alert again until it escalates.

For incidents, "breaking" compares the latest hour with the incident's first hour.
"""

from __future__ import annotations

import contextlib
import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.models import AlertRule, SpikeThresholds
from records.errors import ConflictError
from store.base import IncidentQuery, ItemQuery, Store

STATE = "alert_state"
BASELINE_MAX_AGE = timedelta(minutes=30)
MAD_SCALE = 1.4826
MAX_LEVEL = 5


@dataclass(frozen=True)
class Measurement:
    """A scope's figures at one evaluation."""

    scope: str  # topic / district / all / incident
    value: str
    current: int
    expected: float
    spread: float
    samples: tuple[int, ...]
    window_hours: int

    @property
    def ratio(self) -> float:
        return self.current / (self.expected + 1.0)

    @property
    def score(self) -> float:
        return (self.current - self.expected) / max(self.spread, math.sqrt(self.expected + 1.0))

    def fires(self, t: SpikeThresholds) -> bool:
        return self.current >= t.min_count and self.ratio >= t.min_ratio and self.score >= t.min_score

    def level(self, t: SpikeThresholds) -> int:
        """1 at the firing ratio, one more each time the ratio grows by ``escalation_factor``."""
        steps = math.log(max(self.ratio, t.min_ratio) / t.min_ratio) / math.log(t.escalation_factor)
        return min(MAX_LEVEL, 1 + math.floor(steps + 1e-9))

    def figures(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "expected": round(self.expected, 2),
            "spread": round(self.spread, 2),
            "ratio": round(self.ratio, 2),
            "score": round(self.score, 2),
            "window_hours": self.window_hours,
            "baseline_samples": list(self.samples),
        }


@dataclass(frozen=True)
class Growth:
    """An incident's latest hour against its first hour."""

    incident_id: str
    first_hour: int
    latest_hour: int

    @property
    def ratio(self) -> float:
        return self.latest_hour / max(self.first_hour, 1)

    def fires(self, t: SpikeThresholds) -> bool:
        return self.latest_hour >= t.min_count and self.ratio >= t.breaking_factor

    def level(self, t: SpikeThresholds) -> int:
        steps = math.log(max(self.ratio, t.breaking_factor) / t.breaking_factor) / math.log(t.escalation_factor)
        return min(MAX_LEVEL, 1 + math.floor(steps + 1e-9))

    def figures(self) -> dict[str, Any]:
        return {"first_hour": self.first_hour, "latest_hour": self.latest_hour, "ratio": round(self.ratio, 2)}


def robust_baseline(samples: list[int]) -> tuple[float, float]:
    """Median and scaled MAD of the baseline samples (0, 0 when there are none)."""
    if not samples:
        return 0.0, 0.0
    median = float(statistics.median(samples))
    mad = float(statistics.median(abs(s - median) for s in samples))
    return median, MAD_SCALE * mad


def _facet(scope: str) -> str:
    return {"topic": "topic", "district": "district"}[scope]


def _window_counts(store: Store, scope: str, since: datetime, until: datetime) -> dict[str, int]:
    query = ItemQuery(since=since, until=until)
    if scope == "all":
        return {"all": store.count(query)}
    return store.facet_counts(query, _facet(scope))  # type: ignore[arg-type]


class SpikeDetector:
    """Measures topic / district / whole-stream windows and incident growth from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- windows ------------------------------------------------------------------------------
    def measure(self, rule: AlertRule, now: datetime) -> list[Measurement]:
        """One measurement per watched value of the rule's scope (values seen now or in the baseline)."""
        t = rule.thresholds
        window = timedelta(hours=t.window_hours)
        current = _window_counts(self.store, rule.scope, now - window, now)
        baselines = self._baselines(rule, now)
        values = set(rule.values) if rule.values else set(current) | set(baselines)
        out = []
        for value in sorted(values):
            samples = baselines.get(value, [0] * t.baseline_days)
            expected, spread = robust_baseline(samples)
            out.append(
                Measurement(
                    scope=rule.scope,
                    value=value,
                    current=int(current.get(value, 0)),
                    expected=expected,
                    spread=spread,
                    samples=tuple(samples),
                    window_hours=t.window_hours,
                )
            )
        return out

    def _baselines(self, rule: AlertRule, now: datetime) -> dict[str, list[int]]:
        """Per value, the counts of the same window on each earlier day (cached in "alert_state")."""
        t = rule.thresholds
        key = f"baseline:{rule.id}"
        signature = {"scope": rule.scope, "window_hours": t.window_hours, "baseline_days": t.baseline_days}
        record = self.store.get_record(STATE, key)
        if record is not None:
            doc = record.doc
            computed = datetime.fromisoformat(doc["computed_at"])
            if doc.get("signature") == signature and timedelta(0) <= now - computed < BASELINE_MAX_AGE:
                return {k: list(v) for k, v in doc["samples"].items()}
        window = timedelta(hours=t.window_hours)
        per_day: list[dict[str, int]] = []
        for day in range(1, t.baseline_days + 1):
            end = now - timedelta(days=day)
            per_day.append(_window_counts(self.store, rule.scope, end - window, end))
        values = set().union(*per_day) if per_day else set()
        samples = {v: [int(day.get(v, 0)) for day in per_day] for v in sorted(values)}
        doc = {"computed_at": now.isoformat(), "signature": signature, "samples": samples}
        # ConflictError: another engine cached the same figures first; ours are equally valid
        with contextlib.suppress(ConflictError):
            self.store.put_record(STATE, key, doc, expected_version=record.version if record else 0)
        return samples

    # -- incidents ----------------------------------------------------------------------------
    def incident_growth(self, rule: AlertRule, now: datetime) -> list[Growth]:
        """Incidents active in the last hour, at least two hours old: latest hour vs first hour."""
        hour = timedelta(hours=1)
        out = []
        for incident in self._active_incidents(now - hour):
            if now - incident.first_seen < 2 * hour:
                continue
            first = self.store.count(
                ItemQuery(incident_id=incident.id, since=incident.first_seen, until=incident.first_seen + hour)
            )
            latest = self.store.count(ItemQuery(incident_id=incident.id, since=now - hour, until=now))
            out.append(Growth(incident_id=incident.id, first_hour=first, latest_hour=latest))
        return out

    def _active_incidents(self, since: datetime) -> list:
        incidents = []
        cursor: str | None = None
        while True:
            page = self.store.list_incidents(IncidentQuery(since=since, limit=500, cursor=cursor))
            incidents.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return incidents

    def severe_incidents(self, min_severity: int, since: datetime) -> list:
        """Incidents seen since ``since`` at ``min_severity`` or above."""
        incidents = []
        cursor: str | None = None
        while True:
            page = self.store.list_incidents(
                IncidentQuery(min_severity=min_severity, since=since, limit=500, cursor=cursor)
            )
            incidents.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return incidents


@dataclass
class Episode:
    """A spike that is going on for one rule and scope value."""

    started_at: datetime
    level_alerted: int
    last_above_at: datetime

    def to_doc(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "level_alerted": self.level_alerted,
            "last_above_at": self.last_above_at.isoformat(),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Episode:
        return cls(
            started_at=datetime.fromisoformat(doc["started_at"]),
            level_alerted=int(doc["level_alerted"]),
            last_above_at=datetime.fromisoformat(doc["last_above_at"]),
        )


def episode_key(rule_id: str, scope: str, value: str) -> str:
    return f"episode:{rule_id}:{scope}:{value}"


def load_episode(store: Store, rule_id: str, scope: str, value: str) -> tuple[Episode | None, int]:
    """The persisted episode of one scope value and its record version (0: none)."""
    record = store.get_record(STATE, episode_key(rule_id, scope, value))
    if record is None:
        return None, 0
    return Episode.from_doc(record.doc), record.version


def save_episode(store: Store, rule_id: str, scope: str, value: str, episode: Episode | None, version: int) -> None:
    """Write (or, for None, end) an episode; ConflictError if another engine moved it meanwhile."""
    key = episode_key(rule_id, scope, value)
    if episode is None:
        if version:
            store.delete_record(STATE, key)
        return
    store.put_record(STATE, key, episode.to_doc(), expected_version=version)


def advance_episode(
    episode: Episode | None, *, firing: bool, level: int, now: datetime, cooldown: timedelta
) -> tuple[Episode | None, bool]:
    """The next state of a scope's episode, and whether an alert is due now (pure).

    An alert is due when a spike starts (no episode, or the last one cooled down) or escalates above
    the level already alerted; a spike that goes on at the same level stays quiet. The episode
    starts at the hour it was first seen, so the alert's key is stable if the engine restarts.
    """
    if episode is not None and now - episode.last_above_at >= cooldown:
        episode = None
    if not firing:
        return episode, False
    if episode is None:
        start = now.replace(minute=0, second=0, microsecond=0)
        return Episode(started_at=start, level_alerted=level, last_above_at=now), True
    episode = Episode(started_at=episode.started_at, level_alerted=episode.level_alerted, last_above_at=now)
    if level > episode.level_alerted:
        episode.level_alerted = level
        return episode, True
    return episode, False
