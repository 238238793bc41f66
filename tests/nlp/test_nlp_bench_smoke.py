"""nlp.bench.run on a tiny corpus: every figure is there and the fast segmentation is in use (no timing asserted)."""

from __future__ import annotations

from nlp.bench import build_corpus, run


def test_bench_reports_every_figure_on_a_tiny_corpus() -> None:
    figures = run(3_000)
    assert figures["corpus_chars"] >= 3_000 and figures["corpus_items"] == len(build_corpus(3_000)[0])
    assert figures["segmentation_fast_path"] is True
    for key in (
        "segmentation_chars_per_s_per_core",
        "enrichment_chars_per_s_per_core",
        "fast_segmentation_chars_per_s_per_core",
        "fresh_text_word_tokenize_chars_per_s_per_core",
        "fresh_text_fast_chars_per_s_per_core",
        "fresh_text_chars",
    ):
        assert figures[key] > 0, key
    rates = figures["enrichment_chars_per_s_per_core"] / figures["segmentation_chars_per_s_per_core"]
    assert abs(figures["enrichment_to_segmentation_ratio"] - rates) < 0.01
