"""Severity 1–5 of an incident, from its flags (kind and score), its spread and its topics, with the
reasons in Vietnamese for the analyst's page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from incidents.spread import Spread

HIGH_SCORE = 0.85
HIGH_STAKES_TOPICS: tuple[str, ...] = ("disaster", "health")  # lives at stake: one step higher
FLAG_LABELS_VI = {"misinformation": "tin sai sự thật", "scam": "lừa đảo", "hate_speech": "phát ngôn thù hằn"}
TOPIC_LABELS_VI = {"disaster": "thiên tai", "health": "y tế"}


@dataclass(frozen=True)
class Assessment:
    severity: int
    reasons: list[str]


def _score_vi(score: float) -> str:
    return f"{score:.2f}".replace(".", ",")


def assess(*, flags: Mapping[str, float], spread: Spread, topics: Sequence[str]) -> Assessment:
    """Points: flags up to 2 (misinformation or scam: 1, 2 with a high score; hate speech: 1, 2 only
    with a high score and wide spread), spread up to 2 (≥ 5 items; ≥ 20 items or ≥ 4 sources or reach
    ≥ 10 000; a burst of ≥ 5 items in the last hour at ≥ 3× the usual rate), topic 1 (disaster, health).
    Severity = 1 + points, at most 5."""
    reasons: list[str] = []
    flag_points = 0
    for kind in ("misinformation", "scam", "hate_speech"):
        score = flags.get(kind)
        if score is None:
            continue
        points = 2 if score >= HIGH_SCORE else 1
        if kind == "hate_speech" and spread.item_count < 5:
            points = 1
        if points > flag_points:
            flag_points = points
        reasons.append(f"cờ {FLAG_LABELS_VI[kind]} (điểm {_score_vi(score)})")
    spread_points = 0
    if spread.item_count >= 5:
        spread_points += 1
    if spread.item_count >= 20 or spread.source_count >= 4 or spread.reach >= 10_000:
        spread_points += 1
    if spread.last_hour >= 5 and spread.growth >= 3:
        spread_points += 1
        reasons.append(f"tăng nhanh: {spread.last_hour} tin trong giờ gần nhất")
    spread_points = min(spread_points, 2)
    if spread_points:
        reasons.append(
            f"lan truyền: {spread.item_count} tin từ {spread.source_count} nguồn"
            + (f", lượt tương tác {spread.reach:,}".replace(",", ".") if spread.reach else "")
        )
    topic_points = 0
    for topic in HIGH_STAKES_TOPICS:
        if topic in topics:
            topic_points = 1
            reasons.append(f"chủ đề {TOPIC_LABELS_VI[topic]}")
            break
    severity = min(5, 1 + flag_points + spread_points + topic_points)
    return Assessment(severity=severity, reasons=reasons or ["chưa có dấu hiệu nghiêm trọng"])
