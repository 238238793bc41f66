"""Bootstrap intervals of the held-out figures: they bracket the measured value, repeat exactly, narrow as
the set grows, and reach the model cards beside each target."""

from __future__ import annotations

import numpy as np

from nlp.training.confidence import binary_intervals, micro_f1_interval, pooled_ratio_interval
from nlp.training.evaluate import card_section


def _binary(copies: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.array([1] * 8 + [0] * 12)
    flagged = np.array([1] * 7 + [0] + [1] * 2 + [0] * 10)  # recall 7/8, precision 7/9, 2 of 12 negatives
    legit = np.array([0] * 8 + [1] * 6 + [0] * 6)  # the two flagged negatives are legitimate posts
    return np.tile(y, copies), np.tile(flagged, copies), np.tile(legit, copies)


def test_binary_intervals_bracket_the_measured_figures_and_repeat() -> None:
    y, flagged, legit = _binary(5)
    ci = binary_intervals(y, flagged, legit)
    assert ci["recall"][0] < 7 / 8 < ci["recall"][1]
    assert ci["precision"][0] < 7 / 9 < ci["precision"][1]
    assert ci["legitimate_flagged_rate"][0] < 2 / 6 < ci["legitimate_flagged_rate"][1]
    assert binary_intervals(y, flagged, legit) == ci
    assert "legitimate_flagged_rate" not in binary_intervals(y, flagged)
    assert binary_intervals(np.array([]), np.array([])) == {}


def test_intervals_narrow_as_the_set_grows() -> None:
    small, large = binary_intervals(*_binary(2)), binary_intervals(*_binary(40))
    for metric in ("precision", "recall", "f1", "legitimate_flagged_rate"):
        assert large[metric][1] - large[metric][0] < small[metric][1] - small[metric][0], metric


def test_micro_f1_and_pooled_ratio_intervals() -> None:
    y = np.tile(np.array([[1, 0], [0, 1], [1, 1], [0, 0]]), (10, 1))
    pred = np.tile(np.array([[1, 0], [1, 1], [1, 0], [0, 0]]), (10, 1))  # tp 3, fp 1, fn 1: F1 0.75
    low, high = micro_f1_interval(y, pred)["micro_f1"]
    assert low < 0.75 < high
    found, expected = np.tile(np.array([1, 0, 2, 0]), 10), np.tile(np.array([1, 1, 2, 0]), 10)  # 3 of 4
    low, high = pooled_ratio_interval("district_recall", found, expected)["district_recall"]
    assert low < 0.75 < high <= 1.0


def test_card_shows_the_interval_beside_the_target() -> None:
    report = {
        "heldout_scam_system": {
            "data_sha256": "x",
            "metrics": {"precision": 0.91, "recall": 0.88, "f1": 0.898, "n": 130,
                        "ci95": {"f1": [0.84, 0.94], "recall": [0.8, 0.95], "precision": [0.84, 0.97]}},
        }
    }
    section = card_section("scam", report)
    assert "f1 >= 0.9: NOT met (95% CI 0.84–0.94)" in section
