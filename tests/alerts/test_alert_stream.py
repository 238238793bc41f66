"""A simulated stream: a quiet week, a flood burst, a slow rise and a night with nothing.

Hourly counts are injected into a SQLite store and the engine is evaluated hour by hour with a
frozen clock; the test asserts when alerts fire and when they do not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.engine import AlertEngine
from alerts.models import Alert
from alerts.rules import get_rule
from alerts.synthetic import make_item, spread_in_hour

START = datetime(2026, 11, 9, tzinfo=UTC)  # day 0; days 0-8 are quiet, the flood comes on day 9
# a daily rhythm of the flood-prone district's disaster news: nothing at night, a few items by day
RHYTHM = [0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 2, 2, 3, 3, 2, 2, 3, 2, 2, 1, 1, 1, 0, 0]
FLOOD_DAY = 9
FLOOD_HOURS = {12: 30, 13: 30, 14: 30, 15: 30, 16: 30, 17: 30}


def _seed(store) -> None:
    items = []
    n = 0
    for day in range(FLOOD_DAY + 2):
        for hour in range(24):
            start = START + timedelta(days=day, hours=hour)
            disaster = RHYTHM[hour]
            if day == FLOOD_DAY:
                disaster = FLOOD_HOURS.get(hour, disaster)
            for at in spread_in_hour(start, disaster):
                items.append(make_item(n, at, topics=["disaster"], districts=["Đại Lộc"]))
                n += 1
            # slow rise: health news in Tam Kỳ grows 10 % a day, by day only
            health = round(2 * 1.1**day) if 7 <= hour <= 20 else 0
            for at in spread_in_hour(start, health):
                items.append(make_item(n, at, topics=["health"], districts=["Tam Kỳ"]))
                n += 1
    # a night with nothing but a stray item: three environment items at 02:00 of day 8
    for at in spread_in_hour(START + timedelta(days=8, hours=2), 3):
        items.append(make_item(n, at, topics=["environment"], districts=["Nông Sơn"]))
        n += 1
    store.upsert_items(items)


def _run(engine: AlertEngine, clock, until: datetime) -> list[tuple[datetime, Alert]]:
    fired = []
    while clock.now < until:
        clock.advance(hours=1)
        fired += [(clock.now, a) for a in engine.evaluate()]
    return fired


def test_stream_alerts_fire_on_the_burst_only(store, settings, clock) -> None:
    _seed(store)
    clock.now = START + timedelta(days=7)
    engine = AlertEngine(store, settings, clock=clock)

    # quiet days (with their night hours of zero against zero, the slow rise and the stray night items)
    quiet = _run(engine, clock, START + timedelta(days=FLOOD_DAY, hours=12))
    assert quiet == []

    # the flood burst: topic and district alert in the first hour of the burst
    burst = _run(engine, clock, START + timedelta(days=FLOOD_DAY, hours=18))
    first_hour = START + timedelta(days=FLOOD_DAY, hours=13)
    scopes_first = {(a.scope, a.scope_value) for at, a in burst if at == first_hour}
    assert scopes_first == {("topic", "disaster"), ("district", "Đại Lộc")}
    assert all(a.kind == "spike" for _, a in burst)
    assert not any(a.scope_value in ("health", "Tam Kỳ", "environment", "Nông Sơn") for _, a in burst)

    # while it goes on, a scope alerts again only when its level rises (escalation), never twice a level
    for scope in (("topic", "disaster"), ("district", "Đại Lộc")):
        levels = [a.level for _, a in burst if (a.scope, a.scope_value) == scope]
        assert levels == sorted(set(levels)), levels
        assert len(levels) < 5  # five evaluations with the burst on, fewer alerts
    topic_alerts = [a for _, a in burst if a.scope == "topic"]
    assert topic_alerts[0].figures["current"] >= 30
    assert topic_alerts[0].figures["expected"] <= 10
    assert "Thiên tai" in topic_alerts[0].title and "Tăng đột biến" in topic_alerts[0].title

    # after the burst: the episode cools down, no new alerts for the rest of the day and the next one
    after = _run(engine, clock, START + timedelta(days=FLOOD_DAY + 2))
    assert after == []


def test_stream_alert_state_survives_a_restart(store, settings, clock) -> None:
    _seed(store)
    clock.now = START + timedelta(days=FLOOD_DAY, hours=13)
    first = AlertEngine(store, settings, clock=clock).evaluate()
    assert {(a.scope, a.scope_value) for a in first} == {("topic", "disaster"), ("district", "Đại Lộc")}
    # a new engine (a restarted process) on the same store, same hour and the next: the spike goes on
    # at the same level, so nothing new
    again = AlertEngine(store, settings, clock=clock).evaluate()
    assert again == []
    baseline = store.get_record("alert_state", "baseline:spike-topic")
    assert baseline is not None and baseline.doc["samples"]["disaster"]


def test_a_new_burst_after_the_cooldown_alerts_again(store, settings, clock) -> None:
    items = [
        make_item(i, START + timedelta(days=d, hours=h, minutes=i % 60), topics=["accident"], districts=["Hội An"])
        for i, (d, h) in enumerate((d, h) for d in range(8) for h in (9, 10, 11))
    ]
    burst_times = [START + timedelta(days=8, hours=10, minutes=m) for m in range(0, 60, 3)]
    late_times = [START + timedelta(days=8, hours=20, minutes=m) for m in range(0, 60, 3)]
    items += [make_item(1000 + i, at, topics=["accident"], tag="b") for i, at in enumerate(burst_times + late_times)]
    store.upsert_items(items)
    engine = AlertEngine(store, settings, clock=clock)
    clock.now = START + timedelta(days=8, hours=11)
    first = [a for a in engine.evaluate() if a.scope == "topic"]
    assert [a.scope_value for a in first] == ["accident"]
    rule, _ = get_rule(store, "spike-topic")
    assert rule.thresholds.cooldown_hours < 9
    clock.now = START + timedelta(days=8, hours=21)  # ten hours later: a new episode
    again = [a for a in engine.evaluate() if a.scope == "topic"]
    assert [a.scope_value for a in again] == ["accident"]
    assert again[0].figures["episode_started_at"] != first[0].figures["episode_started_at"]


def test_breaking_fires_when_an_incident_grows_far_faster_than_in_its_first_hour(store, settings, clock) -> None:
    from records.schema import Incident

    first_seen = START + timedelta(days=8, hours=6)
    items = [make_item(i, first_seen + timedelta(minutes=20 * i), topics=["disaster"], incident_id="inc-lu", tag="i")
             for i in range(3)]  # three items in the first hour
    store.create_incident(Incident(id="inc-lu", title="Tin đồn vỡ đê sông Thu Bồn", first_seen=first_seen,
                                   last_seen=first_seen + timedelta(hours=1), severity=2))
    store.upsert_items(items)
    engine = AlertEngine(store, settings, clock=clock)

    def grow(hour: int, count: int) -> None:
        start = first_seen + timedelta(hours=hour)
        store.upsert_items([make_item(100 * hour + k, at, topics=["disaster"], incident_id="inc-lu", tag="i")
                            for k, at in enumerate(spread_in_hour(start, count))])
        incident = store.get_incident("inc-lu")
        incident.last_seen = start + timedelta(minutes=59)
        store.update_incident(incident)

    grow(1, 4)  # steady: four in the second hour
    clock.now = first_seen + timedelta(hours=2)
    assert [a for a in engine.evaluate() if a.kind == "breaking"] == []
    grow(2, 14)  # 14 against 3 in the first hour: 4.7 times
    clock.now = first_seen + timedelta(hours=3)
    breaking = [a for a in engine.evaluate() if a.kind == "breaking"]
    assert [(a.scope_value, a.level) for a in breaking] == [("inc-lu", 1)]
    assert breaking[0].figures == {"first_hour": 3, "latest_hour": 14, "ratio": 4.67}
    assert "Tin đồn vỡ đê sông Thu Bồn" in breaking[0].title
    grow(3, 15)  # still growing at the same pace: no second alert
    clock.now = first_seen + timedelta(hours=4)
    assert [a for a in engine.evaluate() if a.kind == "breaking"] == []
    grow(4, 30)  # ten times the first hour: escalates
    clock.now = first_seen + timedelta(hours=5)
    assert [(a.kind, a.level) for a in engine.evaluate() if a.kind == "breaking"] == [("breaking", 2)]
