"""The detector's benchmark runs and its generated stories are recovered (quality, not speed)."""

from __future__ import annotations

from incidents.bench import pair_scores, run


def test_pair_scores_count_pairs() -> None:
    truth = {"a": 1, "b": 1, "c": 2, "d": 2}
    assert pair_scores(truth, {"a": "x", "b": "x", "c": "y", "d": "y"}) == (1.0, 1.0)
    precision, recall = pair_scores(truth, {"a": "x", "b": "x", "c": "x", "d": "y"})
    assert (round(precision, 3), recall) == (0.333, 0.5)


def test_bench_recovers_the_generated_stories() -> None:
    figures = run(n_items=300, batch_size=50)
    assert figures["detector_items"] == 300 and figures["detector_items_per_s"] > 0
    assert figures["detector_pair_precision"] >= 0.95
    assert figures["detector_pair_recall"] >= 0.9
    assert figures["detector_incidents"] > 0
