"""store.bench runs end to end on a small corpus and reports every figure (no timing assertions)."""

from __future__ import annotations

from store.bench import generate_items, run


def test_bench_reports_its_figures() -> None:
    figures = run(n_items=300, reps=1)
    assert figures["n_items"] == 300 and figures["backend"] == "sqlite"
    for key in ("ingest_items_per_s", "search_p50_ms", "search_p95_ms", "aggregation_p50_ms", "db_mb"):
        assert isinstance(figures[key], int | float) and figures[key] > 0, key


def test_generated_items_are_valid_and_distinct() -> None:
    items = generate_items(50, seed=3)
    assert len({i.id for i in items}) == 50 and len({i.content_hash for i in items}) == 50
    assert any(i.flags for i in generate_items(200, seed=3))
