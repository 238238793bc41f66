"""Severity ordering: flags, spread and high-stakes topics each raise it; it stays within 1–5."""

from __future__ import annotations

from datetime import timedelta

from incident_stories import T0

from incidents.severity import assess
from incidents.spread import SpreadPoint, compute_spread


def spread(n: int, sources: int = 1, *, minutes_apart: float = 60, reach: int = 0):
    return compute_spread(
        SpreadPoint(T0 + timedelta(minutes=i * minutes_apart), f"s{i % sources}", reach) for i in range(n)
    )


def severity(flags=None, n=1, sources=1, topics=(), **kw) -> int:
    return assess(flags=flags or {}, spread=spread(n, sources, **kw), topics=list(topics)).severity


def test_severity_ordering() -> None:
    ladder = [
        severity(),  # one unflagged item
        severity(n=6, sources=2),  # a story
        severity({"misinformation": 0.6}, n=6, sources=2),  # the story carries a false claim
        severity({"misinformation": 0.95}, n=6, sources=2),  # ... with high confidence
        severity({"misinformation": 0.95}, n=25, sources=6, topics=["disaster"]),  # widely, about a disaster
    ]
    assert ladder == sorted(ladder) and ladder[0] == 1 and ladder[-1] == 5
    assert len(set(ladder)) == 5


def test_high_stakes_topics_rank_higher() -> None:
    for topic in ("disaster", "health"):
        assert severity({"scam": 0.7}, topics=[topic]) == severity({"scam": 0.7}, topics=["tourism_culture"]) + 1


def test_a_burst_counts_as_spread() -> None:
    slow = severity(n=8, sources=3, minutes_apart=120)
    fast_tail = assess(
        flags={},
        spread=compute_spread(
            [SpreadPoint(T0, "a"), SpreadPoint(T0 + timedelta(hours=10), "b")]
            + [SpreadPoint(T0 + timedelta(hours=20, minutes=i), f"c{i}") for i in range(6)]
        ),
        topics=[],
    )
    assert fast_tail.severity > severity(n=2, sources=2)
    assert any("tăng nhanh" in r for r in fast_tail.reasons)
    assert 1 <= slow <= 5


def test_reach_counts_as_spread() -> None:
    assert severity(n=2, sources=2, reach=20_000) > severity(n=2, sources=2)


def test_reasons_are_readable_vietnamese() -> None:
    result = assess(flags={"misinformation": 0.91}, spread=spread(6, 3), topics=["health"])
    text = " | ".join(result.reasons)
    assert "tin sai sự thật (điểm 0,91)" in text and "6 tin từ 3 nguồn" in text and "y tế" in text


def test_spread_items_per_hour() -> None:
    s = compute_spread(
        [SpreadPoint(T0 + timedelta(minutes=m), src, 10) for m, src in ((0, "a"), (10, "b"), (70, "a"), (200, "c"))]
    )
    assert [c for _, c in s.items_per_hour] == [2, 1, 1]
    assert s.sources == ["a", "b", "c"] and s.reach == 40 and s.peak_per_hour == 2
    assert s.first_seen == T0 and s.last_seen == T0 + timedelta(minutes=200)
