"""Enrichment throughput beside underthesea ``word_tokenize`` alone, on the same corpus, in one run.

Figures are characters per CPU-second of this process ("per core": everything here runs in one
thread). The corpus is the sample sites' content (``sample_site.content``), every text made
unique by a numbered prefix so no cache can skip work, repeated up to ``corpus_chars``; known
claims are the sample hoaxes' claims when the content names them. The segmentation cache is
disabled for the measurement: the ratio compares like with like.

Segmentation inside enrichment is ``nlp.fast_word_tokenize`` (word_tokenize's exact output, built
cheaper, with per-token and per-n-gram caches). The corpus repeats the sample texts, which favours
those caches, so ``fresh_text_*`` measures, once over the labelled training texts (which the corpus
does not contain): word_tokenize alone, a new ``FastWordTokenizer`` (empty caches), and the whole
enrichment by a newly loaded Enricher whose segmenter has empty caches. The issue's ratio is quoted
from ``fresh_text_enrichment_to_segmentation_ratio``, the conservative one.

``classifiers_only`` is the shipped models' probabilities as enrichment computes them
(``nlp.explain_batch.BatchScores``: hashed counts with cached word columns, the same matrices);
``predict_all`` is the same probabilities through ``ShippedModels.predict_all``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlp.claims import KnownClaim
from nlp.enrich import Enricher, join_title
from nlp.explain_batch import BatchScores
from nlp.fast_word_tokenize import FastWordTokenizer, fast_word_tokenizer
from nlp.segment import Segmenter
from records.schema import Item, SourceKind

REPO = Path(__file__).resolve().parent.parent
BATCH = 50


def _sample_records() -> list[dict[str, Any]]:
    from sample_site.content import load_items

    return load_items()


def build_corpus(corpus_chars: int) -> tuple[list[Item], list[KnownClaim]]:
    """Items totalling about ``corpus_chars`` characters, and the known claims of the sample hoaxes."""
    records = _sample_records()
    claims: dict[str, KnownClaim] = {}
    for rec in records:
        claim = rec.get("claim")
        if isinstance(claim, str) and claim and rec.get("is_hoax"):
            claims.setdefault(claim, KnownClaim(claim_id=f"bench-{len(claims)}", claim=rec["text"][:300]))
    items: list[Item] = []
    total = 0
    n = 0
    while total < corpus_chars:
        rec = records[n % len(records)]
        text = f"Bản tin số {n}. {rec['text']}"
        title = rec.get("title") or ""
        url = f"https://bench.invalid/{n}"
        items.append(
            Item.identified(url=url, source_id=str(rec["source_id"]), kind=rec["kind"], title=title, text=text)
        )
        total += len(title) + len(text)
        n += 1
    return items, list(claims.values())


def _fresh_items(limit_chars: int) -> list[Item]:
    """The labelled training texts as items (title and text as crawled), about ``limit_chars`` in all."""
    import json

    items: list[Item] = []
    total = 0
    for path in sorted((REPO / "nlp" / "labelled" / "train").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                rec = json.loads(line)
                title, text = rec.get("title") or "", rec.get("text") or ""
                if total >= limit_chars or not text.strip():
                    continue
                url = f"https://bench.invalid/fresh/{path.stem}/{n}"
                items.append(
                    Item.identified(url=url, source_id="bench", kind=SourceKind.social, title=title, text=text)
                )
                total += len(title) + len(text)
    return items


def _paragraphs(items: list[Item]) -> list[str]:
    """The non-empty paragraphs of the items' titles and texts, as the segmenter sees them."""
    return [p for item in items for p in f"{item.title}\n{item.text}".split("\n") if p.strip()]


def _cpu_seconds(fn: Callable[[], object]) -> tuple[float, float]:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    fn()
    return time.process_time() - cpu0, time.perf_counter() - wall0


def run(corpus_chars: int = 2_000_000, *, models_dir: Path | None = None, config_dir: Path | None = None) -> dict:
    """Measure enrichment and segmentation alone on the same corpus; returns the figures."""
    from underthesea import word_tokenize

    items, claims = build_corpus(corpus_chars)
    chars = sum(len(i.title) + len(i.text) for i in items)
    enricher = Enricher.load(models_dir=models_dir or REPO / "models", config_dir=config_dir or REPO / "config",
                             claims=claims)
    enricher.segmenter = Segmenter(cache_size=0)
    enricher.enrich(items[:5])  # warm-up: lazy tables, first-call costs
    word_tokenize("Khởi động.")

    paragraphs = _paragraphs(items)

    def segment_only() -> None:
        for paragraph in paragraphs:
            word_tokenize(paragraph, format="text")

    def enrich_all() -> None:
        for start in range(0, len(items), BATCH):
            enricher.enrich(items[start : start + BATCH])

    records = [{"id": i.id, "title": i.title, "text": i.text, "kind": str(i.kind)} for i in items]

    def analyse_only() -> None:  # everything but segmentation (the `mediawatch analyze` path)
        for start in range(0, len(records), BATCH):
            enricher.analyze_many(records[start : start + BATCH])

    normalized = [join_title(i.title, i.text) for i in items]

    def classifiers_only() -> None:  # the shipped models' share of the rest, as enrichment runs them
        if enricher.models is not None:
            for start in range(0, len(normalized), BATCH):
                BatchScores(enricher.models, normalized[start : start + BATCH], enricher._batch_explainer)

    def predict_all_only() -> None:  # the same probabilities through ShippedModels.predict_all
        if enricher.models is not None:
            for start in range(0, len(normalized), BATCH):
                enricher.models.predict_all(normalized[start : start + BATCH])

    seg_cpu, seg_wall = _cpu_seconds(segment_only)
    enr_cpu, enr_wall = _cpu_seconds(enrich_all)
    rest_cpu, _rest_wall = _cpu_seconds(analyse_only)
    clf_cpu, _clf_wall = _cpu_seconds(classifiers_only)
    predict_all_cpu, _pa_wall = _cpu_seconds(predict_all_only)
    fast_segment = fast_word_tokenizer().word_tokenize

    def fast_segment_only() -> None:  # the same paragraphs as segment_only, through the fast path
        for paragraph in paragraphs:
            fast_segment(paragraph)

    fast_seg_cpu, _fs_wall = _cpu_seconds(fast_segment_only)
    fresh_items = _fresh_items(min(corpus_chars, 300_000))
    fresh_item_chars = sum(len(i.title) + len(i.text) for i in fresh_items)
    fresh = _paragraphs(fresh_items)
    fresh_chars = sum(map(len, fresh))
    fresh_ref_cpu, _fr_wall = _cpu_seconds(lambda: [word_tokenize(p, format="text") for p in fresh])
    fresh_tokenizer = FastWordTokenizer()  # empty caches
    fresh_fast_cpu, _ff_wall = _cpu_seconds(lambda: [fresh_tokenizer.word_tokenize(p) for p in fresh])
    fresh_enricher = Enricher.load(models_dir=models_dir or REPO / "models", config_dir=config_dir or REPO / "config",
                                   claims=claims)
    fresh_enricher.segmenter = Segmenter(cache_size=0, tokenize=FastWordTokenizer().word_tokenize)
    fresh_enr_cpu, _fe_wall = _cpu_seconds(
        lambda: [fresh_enricher.enrich(fresh_items[s : s + BATCH]) for s in range(0, len(fresh_items), BATCH)]
    )
    seg_rate = chars / seg_cpu
    enr_rate = chars / enr_cpu
    return {
        "corpus_chars": chars,
        "corpus_items": len(items),
        "known_claims": len(claims),
        "segmentation_chars_per_s_per_core": round(seg_rate),
        "enrichment_chars_per_s_per_core": round(enr_rate),
        "enrichment_to_segmentation_ratio": round(enr_rate / seg_rate, 3),
        "enrichment_without_segmentation_chars_per_s_per_core": round(chars / rest_cpu),
        "classifiers_only_chars_per_s_per_core": round(chars / clf_cpu) if clf_cpu > 0 else 0,
        "predict_all_chars_per_s_per_core": round(chars / predict_all_cpu) if predict_all_cpu > 0 else 0,
        "rules_matching_claims_chars_per_s_per_core": round(chars / max(rest_cpu - clf_cpu, 1e-9)),
        "segmentation_fast_path": fast_word_tokenizer().fast,
        "fast_segmentation_chars_per_s_per_core": round(chars / fast_seg_cpu) if fast_seg_cpu > 0 else 0,
        "fresh_text_chars": fresh_chars,
        "fresh_text_word_tokenize_chars_per_s_per_core": round(fresh_chars / fresh_ref_cpu) if fresh_ref_cpu else 0,
        "fresh_text_fast_chars_per_s_per_core": round(fresh_chars / fresh_fast_cpu) if fresh_fast_cpu else 0,
        "fresh_text_items": len(fresh_items),
        "fresh_text_enrichment_chars_per_s_per_core": round(fresh_item_chars / fresh_enr_cpu),
        "fresh_text_enrichment_to_segmentation_ratio": round(fresh_ref_cpu / fresh_enr_cpu, 3),
        "segmentation_cpu_s": round(seg_cpu, 2),
        "enrichment_cpu_s": round(enr_cpu, 2),
        "enrichment_wall_s": round(enr_wall, 2),
        "segmentation_wall_s": round(seg_wall, 2),
    }
