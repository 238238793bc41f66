"""Properties of spike episodes: within one episode every alert is at a higher level than the last;
a new episode needs the cooldown to pass below threshold; zero against zero never fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from alerts.models import SpikeThresholds
from alerts.spikes import Measurement, advance_episode, robust_baseline

COOLDOWN = timedelta(hours=6)
steps = st.lists(st.tuples(st.booleans(), st.integers(1, 5), st.integers(1, 180)), max_size=60)


@given(steps)
def test_alerts_only_start_or_escalate_an_episode(sequence) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    episode = None
    alerted: list[tuple[datetime, int]] = []  # (episode start, level) of each alert
    last_above = None
    for firing, level, minutes in sequence:
        now += timedelta(minutes=minutes)
        before = episode
        episode, due = advance_episode(episode, firing=firing, level=level, now=now, cooldown=COOLDOWN)
        if not firing:
            assert not due
            continue
        assert episode is not None
        if due:
            same = [lv for start, lv in alerted if start == episode.started_at]
            assert all(level > lv for lv in same), "an alert repeats or lowers the level of its episode"
            if before is None or (last_above is not None and now - last_above >= COOLDOWN):
                assert episode.started_at == now.replace(minute=0, second=0, microsecond=0)
            alerted.append((episode.started_at, level))
        last_above = now


@given(st.lists(st.integers(0, 0), min_size=1, max_size=28), st.integers(1, 24))
def test_zero_against_zero_never_fires(samples, window) -> None:
    expected, spread = robust_baseline(samples)
    m = Measurement("topic", "disaster", 0, expected, spread, tuple(samples), window)
    assert not m.fires(SpikeThresholds(min_count=1, min_ratio=1.0, min_score=0.0))


@given(st.lists(st.integers(0, 50), min_size=2, max_size=28), st.integers(0, 500))
def test_below_min_count_never_fires(samples, current) -> None:
    t = SpikeThresholds()
    expected, spread = robust_baseline(samples)
    m = Measurement("district", "Đại Lộc", current, expected, spread, tuple(samples), 3)
    if current < t.min_count:
        assert not m.fires(t)
    if m.fires(t):
        assert 1 <= m.level(t) <= 5 and m.ratio >= t.min_ratio
