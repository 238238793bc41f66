"""Evaluation of the shipped models on data they were never trained or tuned on (the quality gate's engine).

Each evaluation set has a name, the data files it reads (hashed into ``models/eval_baseline.json``) and a
function returning metrics. Two families:

- ``heldout_*``: the independent held-out set (``nlp/labelled/heldout/``, v4: written by authors who read
  neither the training data nor the rules; v1, v2 and v3's flag files were retired into training data),
  measured with the classifier alone (``*_classifier``) and through the whole Enricher (``*_system``:
  cues + known claims + classifier + topic rules + gazetteer), as the issue's item 8 asks. Places are
  measured on the collected-item path (``heldout_places_system``, province context, as the pipeline runs)
  and through ``mediawatch analyze`` (``heldout_places_analyze``).
- public and own test splits: ViHOS test, ViHSD test (binary, de-duplicated against ViHOS train/dev),
  VNTC test (de-duplicated against train, deterministic 2,000-document subsample to keep the gate quick;
  the model card has the full figure), and the ``test`` split of the project's labelled sets.

``python -m nlp.training.evaluate`` prints every set's metrics as JSON and writes
``models/eval_report.json``; it never changes a model. Floors live in ``models/eval_baseline.json`` and
are checked by ``tests/nlp/test_quality_gate.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from nlp.models import ShippedModels
from nlp.training.common import (
    HELDOUT_DIR,
    LABELLED_DIR,
    MODELS_DIR,
    REPO_ROOT,
    SHARED_DATA,
    binary_metrics,
    dedup_key,
    drop_overlap,
    model_text,
    read_jsonl,
)
from nlp.training.confidence import binary_intervals, micro_f1_interval, pooled_ratio_interval
from nlp.training.flags import evaluate_flag
from nlp.training.heldout_build import COMPACT_SETS
from nlp.training.topics import evaluate_topics
from records.schema import TOPIC_IDS, Item, SourceKind

LEGITIMATE_HELDOUT_CATEGORIES = frozenset(
    {"complaint", "criticism", "opinion", "news", "question", "everyday_post", "eyewitness_report"}
)
VNTC_GATE_SAMPLE = 2000
CONFIG_DIR = REPO_ROOT / "config"


@dataclass(frozen=True)
class EvalSet:
    name: str
    files: tuple[Path, ...]
    run: Callable[[ShippedModels], dict[str, Any]]
    split: str | None = None  # hash only this split's records of a labelled file
    description: str = ""


def data_hash(files: Sequence[Path], split: str | None = None) -> str:
    """sha256 over the evaluation data (for a labelled set: only the records of ``split``)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode("utf-8"))
        if split is None:
            digest.update(path.read_bytes())
        else:
            for rec in read_jsonl(path):
                if rec.get("split") == split:
                    digest.update(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


# -- held-out set, classifier alone ------------------------------------------------------------------
def _heldout(name: str) -> list[dict[str, Any]]:
    return read_jsonl(HELDOUT_DIR / name)


def _binary_heldout_classifier(models: ShippedModels, task: str, file: str) -> dict[str, Any]:
    clf = models.get(task)
    records = _heldout(file)
    proba = clf.predict_proba([model_text(r) for r in records])[:, clf.labels.index(task)]
    return _binary_with_categories(records, task, proba >= clf.threshold(task))


def _binary_with_categories(records: Sequence[dict[str, Any]], task: str, flagged: np.ndarray) -> dict[str, Any]:
    y = np.array([r["label"] == task for r in records], dtype=int)
    out: dict[str, Any] = binary_metrics(y, flagged.astype(int))
    legit = np.array([r.get("category") in LEGITIMATE_HELDOUT_CATEGORIES for r in records])
    legit_errors = legit if task == "misinformation" and legit.any() else None
    if legit_errors is not None:
        out["legitimate_flagged_rate"] = round(float(flagged[legit].mean()), 4)
        out["legitimate_n"] = int(legit.sum())
    out["ci95"] = binary_intervals(y, flagged, legit_errors)
    by_cat: dict[str, dict[str, float]] = {}
    for cat in sorted({str(r.get("category")) for r in records}):
        mask = np.array([str(r.get("category")) == cat for r in records])
        by_cat[cat] = {"n": int(mask.sum()), "flagged_rate": round(float(flagged[mask].mean()), 4)}
    out["flagged_rate_by_category"] = by_cat
    return out


def _topics_heldout_classifier(models: ShippedModels) -> dict[str, Any]:
    records = [{"text": r["text"], "label": r["topics"]} for r in _heldout("topics.jsonl")]
    return evaluate_topics(models.get("topics"), records)


# -- held-out set, whole system (Enricher) -------------------------------------------------------------
@cache
def _enricher(models_dir: Path) -> Any:
    from nlp.enrich import Enricher

    return Enricher.load(models_dir=models_dir, config_dir=CONFIG_DIR)


def _analyze(models: ShippedModels, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    enricher = _enricher(models.models_dir)
    return enricher.analyze_many([{"id": str(i), "text": r["text"]} for i, r in enumerate(records)])


def _binary_heldout_system(models: ShippedModels, task: str, file: str) -> dict[str, Any]:
    records = _heldout(file)
    results = _analyze(models, records)
    flagged = np.array([any(f["kind"] == task for f in res["flags"]) for res in results])
    return _binary_with_categories(records, task, flagged)


def _topics_heldout_system(models: ShippedModels) -> dict[str, Any]:
    records = _heldout("topics.jsonl")
    results = _analyze(models, records)
    y = np.zeros((len(records), len(TOPIC_IDS)), dtype=int)
    pred = np.zeros_like(y)
    for i, (rec, res) in enumerate(zip(records, results, strict=True)):
        for t in rec["topics"]:
            y[i, TOPIC_IDS.index(t)] = 1
        for t in res["topics"]:
            pred[i, TOPIC_IDS.index(t)] = 1
    return {
        "micro_f1": round(float(f1_score(y, pred, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "n": len(records),
        "ci95": micro_f1_interval(y, pred),
    }


def _district_scores(records: Sequence[dict[str, Any]], found_per_record: Sequence[set[str]]) -> dict[str, Any]:
    wanted = [set(rec["districts"]) for rec in records]
    found_rows = np.array([len(want & got) for want, got in zip(wanted, found_per_record, strict=True)])
    expected_rows = np.array([len(want) for want in wanted])
    extra = sum(len(got - want) for want, got in zip(wanted, found_per_record, strict=True))
    expected, found = int(expected_rows.sum()), int(found_rows.sum())
    return {
        "district_recall": round(found / max(expected, 1), 4),
        "district_precision": round(found / max(found + extra, 1), 4),
        "expected": expected,
        "n": len(records),
        "ci95": pooled_ratio_interval("district_recall", found_rows, expected_rows),
    }


def _places_heldout_system(models: ShippedModels) -> dict[str, Any]:
    """Districts as the pipeline finds them in collected items (``Enricher.enrich``: province context).

    The held-out labelling rule reads every text as an item of the Quảng Nam stream, which is what a
    collected item is; ambiguous names that the text itself puts in another province must still be refused.
    """
    records = _heldout("places.jsonl")
    enricher = _enricher(models.models_dir)
    items = [
        Item.identified(url=f"https://heldout.invalid/places/{i}", source_id="heldout", kind=SourceKind.social,
                        text=r["text"])
        for i, r in enumerate(records)
    ]
    enriched = enricher.enrich(items)
    return _district_scores(records, [{p.district for p in item.places if p.district} for item in enriched])


def _places_heldout_analyze(models: ShippedModels) -> dict[str, Any]:
    """Districts through ``mediawatch analyze`` (no province context: ambiguous names need the text's support)."""
    records = _heldout("places.jsonl")
    results = _analyze(models, records)
    return _district_scores(records, [{p["district"] for p in res["places"] if p["district"]} for res in results])


# -- public and own test splits ----------------------------------------------------------------------
def _labelled_test(models: ShippedModels, task: str) -> dict[str, Any]:
    records = [r for r in read_jsonl(LABELLED_DIR / f"{task}.jsonl") if r["split"] == "test"]
    if task == "topics":
        return evaluate_topics(models.get("topics"), records)
    out = evaluate_flag(models.get(task), task, records)
    out.pop("by_kind", None)
    return out


def _vihos_test(models: ShippedModels) -> dict[str, Any]:
    clf = models.get("hate_speech")
    records = read_jsonl(SHARED_DATA / "vihos" / "test.jsonl")
    proba = clf.predict_proba([model_text({"text": r["text"]}) for r in records])[:, 1]
    y = np.array([r["label"] == "hate_offensive" for r in records], dtype=int)
    return binary_metrics(y, (proba >= clf.threshold("hate_speech")).astype(int))


def _vihsd_binary(models: ShippedModels) -> dict[str, Any]:
    clf = models.get("hate_speech")
    vihos = [r for s in ("train", "dev") for r in read_jsonl(SHARED_DATA / "vihos" / f"{s}.jsonl")]
    records, dropped = drop_overlap(read_jsonl(SHARED_DATA / "vihsd" / "test.jsonl"), vihos)
    proba = clf.predict_proba([model_text({"text": r["text"]}) for r in records])[:, 1]
    y = np.array([r["label"] in ("OFFENSIVE", "HATE") for r in records], dtype=int)
    return {**binary_metrics(y, (proba >= clf.threshold("hate_speech")).astype(int)), "dropped_overlap": dropped}


def vntc_gate_sample() -> list[dict[str, Any]]:
    """Deterministic subsample of VNTC test, de-duplicated against train (sorted by hash of doc_id)."""
    train = read_jsonl(SHARED_DATA / "vntc" / "train.jsonl.gz")
    test, _ = drop_overlap(read_jsonl(SHARED_DATA / "vntc" / "test.jsonl.gz"), train)
    test.sort(key=lambda r: hashlib.sha256(r["doc_id"].encode("utf-8")).hexdigest())
    return test[:VNTC_GATE_SAMPLE]


def _vntc(models: ShippedModels) -> dict[str, Any]:
    clf = models.get("vntc")
    records = vntc_gate_sample()
    pred = clf.predict_proba([model_text(r) for r in records]).argmax(axis=1)
    y = np.array([clf.labels.index(r["label"]) for r in records])
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "n": len(records),
    }


def eval_sets() -> list[EvalSet]:
    ho = HELDOUT_DIR
    sets = [
        EvalSet("own_test_misinformation", (LABELLED_DIR / "misinformation.jsonl",),
                lambda m: _labelled_test(m, "misinformation"), split="test"),
        EvalSet("own_test_scam", (LABELLED_DIR / "scam.jsonl",), lambda m: _labelled_test(m, "scam"), split="test"),
        EvalSet("own_test_topics", (LABELLED_DIR / "topics.jsonl",), lambda m: _labelled_test(m, "topics"),
                split="test"),
        EvalSet("own_test_hate_speech", (LABELLED_DIR / "hate_speech.jsonl",),
                lambda m: _labelled_test(m, "hate_speech"), split="test"),
        EvalSet("vihos_test", (SHARED_DATA / "vihos" / "test.jsonl",), _vihos_test),
        EvalSet("vihsd_test_binary_dedup",
                (SHARED_DATA / "vihsd" / "test.jsonl", SHARED_DATA / "vihos" / "train.jsonl",
                 SHARED_DATA / "vihos" / "dev.jsonl"), _vihsd_binary),
        EvalSet("vntc_test_dedup_sample2000",
                (SHARED_DATA / "vntc" / "test.jsonl.gz", SHARED_DATA / "vntc" / "train.jsonl.gz"), _vntc),
    ]
    if (ho / "misinformation.jsonl").is_file():
        for short, task in (("misinformation", "misinformation"), ("scam", "scam"), ("hate", "hate_speech")):
            sets += _binary_heldout_sets(short, task)
        sets += [
            EvalSet("heldout_topics_classifier", (ho / "topics.jsonl",), _topics_heldout_classifier),
            EvalSet("heldout_topics_system", (ho / "topics.jsonl",), _topics_heldout_system),
            EvalSet("heldout_places_system", (ho / "places.jsonl",), _places_heldout_system),
            EvalSet("heldout_places_analyze", (ho / "places.jsonl",), _places_heldout_analyze),
        ]
    for name in COMPACT_SETS:  # the misinformation sets written in heldout_build's compact format
        if (ho / name).is_file():
            sets += _binary_heldout_sets(name.removesuffix(".jsonl"), "misinformation")
    return sets


def _binary_heldout_sets(short: str, task: str) -> list[EvalSet]:
    """``heldout_<short>_classifier`` and ``heldout_<short>_system``: ``<short>.jsonl`` of the held-out folder
    measured for ``task`` with the classifier alone and through the whole Enricher."""
    file = f"{short}.jsonl"
    return [
        EvalSet(f"heldout_{short}_classifier", (HELDOUT_DIR / file,),
                partial(_binary_heldout_classifier, task=task, file=file)),
        EvalSet(f"heldout_{short}_system", (HELDOUT_DIR / file,),
                partial(_binary_heldout_system, task=task, file=file)),
    ]


# Which metrics each set pins (floors: higher is better; ceilings: lower is better) and the targets.
GATED: dict[str, dict[str, Any]] = {
    "own_test_misinformation": {"floors": ["precision", "recall"], "ceilings": ["legitimate_flagged_rate"]},
    "own_test_scam": {"floors": ["f1"]},
    "own_test_topics": {"floors": ["micro_f1"]},
    "own_test_hate_speech": {"floors": ["f1"]},
    "vihos_test": {"floors": ["f1", "macro_f1"]},
    "vihsd_test_binary_dedup": {"floors": ["recall", "macro_f1"]},
    # The 0.932 VNTC floor is judged on the whole de-duplicated test split (model card), not this sample.
    "vntc_test_dedup_sample2000": {"floors": ["accuracy", "macro_f1"]},
    "heldout_misinformation_classifier": {
        "floors": ["precision", "recall"],
        "ceilings": ["legitimate_flagged_rate"],
        "targets": {"precision": 0.85, "recall": 0.85, "legitimate_flagged_rate": 0.05},
    },
    "heldout_misinformation_system": {
        "floors": ["precision", "recall"],
        "ceilings": ["legitimate_flagged_rate"],
        "targets": {"precision": 0.85, "recall": 0.85, "legitimate_flagged_rate": 0.05},
    },
    # Everyday posts and eyewitness reports (and hoaxes in their style): the misinformation flag's noise on
    # ordinary social content. The targets are for criticism and news; the same limits are used here.
    # (The first two such sets, everyday and everyday2, were retired into training: train/fifth_author.)
    "heldout_everyday3_classifier": {"floors": ["recall"], "ceilings": ["legitimate_flagged_rate"]},
    "heldout_everyday3_system": {
        "floors": ["precision", "recall"],
        "ceilings": ["legitimate_flagged_rate"],
        "targets": {"precision": 0.85, "recall": 0.85, "legitimate_flagged_rate": 0.05},
    },
    # A second criticism-and-news set (criticism, complaints, opinion, news, questions; and hoaxes): the
    # issue's limit measured on more than v4's 96 legitimate posts.
    "heldout_criticism_classifier": {"floors": ["recall"], "ceilings": ["legitimate_flagged_rate"]},
    "heldout_criticism_system": {
        "floors": ["precision", "recall"],
        "ceilings": ["legitimate_flagged_rate"],
        "targets": {"precision": 0.85, "recall": 0.85, "legitimate_flagged_rate": 0.05},
    },
    "heldout_scam_classifier": {"floors": ["f1"], "targets": {"f1": 0.9}},
    "heldout_scam_system": {"floors": ["f1"], "targets": {"f1": 0.9}},
    "heldout_hate_classifier": {"floors": ["f1"], "targets": {"f1": 0.8}},
    "heldout_hate_system": {"floors": ["f1"], "targets": {"f1": 0.8}},
    "heldout_topics_classifier": {"floors": ["micro_f1"], "targets": {"micro_f1": 0.8}},
    "heldout_topics_system": {"floors": ["micro_f1"], "targets": {"micro_f1": 0.8}},
    "heldout_places_system": {"floors": ["district_recall"], "targets": {"district_recall": 0.9}},
    "heldout_places_analyze": {"floors": ["district_recall"]},
}


def target_met(metric: str, value: float, target: float) -> bool:
    lower_is_better = metric.endswith("_rate")
    return value <= target if lower_is_better else value >= target


def propose_baseline(report: dict[str, dict[str, Any]], *, margin: float = 0.02) -> dict[str, Any]:
    """A baseline from measured figures: floors = measured - margin, ceilings = measured + margin.

    Used by a person to write ``models/eval_baseline.json``; the gate then refuses any later drop.
    """
    sets: dict[str, Any] = {}
    for name, entry in report.items():
        gated = GATED[name]
        m = entry["metrics"]
        targets = gated.get("targets", {})
        sets[name] = {
            "data_sha256": entry["data_sha256"],
            "floors": {k: round(max(m[k] - margin, 0.0), 3) for k in gated.get("floors", [])},
            "ceilings": {k: round(min(m[k] + margin, 1.0), 3) for k in gated.get("ceilings", [])},
            "measured": {k: m[k] for k in [*gated.get("floors", []), *gated.get("ceilings", [])]},
            "targets": targets,
            "targets_met": {k: target_met(k, m[k], v) for k, v in targets.items()},
        }
        if not sets[name]["ceilings"]:
            del sets[name]["ceilings"]
    return {"sets": sets, "lowered": []}


CARD_SETS: dict[str, tuple[str, ...]] = {
    "misinformation": (
        "own_test_misinformation",
        "heldout_misinformation_classifier",
        "heldout_misinformation_system",
        "heldout_everyday3_classifier",
        "heldout_everyday3_system",
        "heldout_criticism_classifier",
        "heldout_criticism_system",
    ),
    "scam": ("own_test_scam", "heldout_scam_classifier", "heldout_scam_system"),
    "hate_speech": (
        "own_test_hate_speech",
        "vihos_test",
        "vihsd_test_binary_dedup",
        "heldout_hate_classifier",
        "heldout_hate_system",
    ),
    "topics": (
        "own_test_topics",
        "heldout_topics_classifier",
        "heldout_topics_system",
        "heldout_places_system",
        "heldout_places_analyze",
    ),
    "vntc": ("vntc_test_dedup_sample2000",),
}
CARD_START = "<!-- evaluation:start -->"
CARD_END = "<!-- evaluation:end -->"
SET_NOTES = {
    "own_test": "test split of the project's labelled set (same author as the training data; never tuned on)",
    "heldout": "independent held-out set v4, nlp/labelled/heldout (authors who read neither the training data nor the "
               "rules; never trained or tuned on, evaluated once)",
    "classifier": "this classifier alone at its shipped threshold",
    "system": "whole Enricher: known claims + cues + classifier (+ topic rules, gazetteer), flag present or not",
    "places_system": "districts found in collected items (Enricher.enrich, province context)",
    "places_analyze": "districts through `mediawatch analyze` (no province context)",
}


def card_section(task: str, report: dict[str, dict[str, Any]]) -> str:
    lines = [
        CARD_START,
        "## Evaluation on data never trained or tuned on (quality gate)",
        "",
        "Written by `python -m nlp.training.evaluate`; floors in `models/eval_baseline.json`, checked by",
        "`tests/nlp/test_quality_gate.py`. Held-out targets of issue 4 item 8 are marked met / NOT met, with a",
        "95 % bootstrap interval over the set's rows (`nlp/training/confidence.py`): the sets are small.",
        "",
        "| set | what | metrics | targets |",
        "|---|---|---|---|",
    ]
    for name in CARD_SETS[task]:
        if name not in report:
            continue
        m = report[name]["metrics"]
        gated = GATED[name]
        keys = [*gated.get("floors", []), *gated.get("ceilings", [])]
        shown = ", ".join(f"{k} {m[k]}" for k in keys) + f" (n={m.get('n', '?')})"
        notes = [v for k, v in SET_NOTES.items() if k in name and not (k in ("system", "analyze") and "places" in name)]
        what = "; ".join(notes) or "public test split, de-duplicated"
        targets = ", ".join(
            f"{k} {'<=' if k.endswith('_rate') else '>='} {v}: {'met' if target_met(k, m[k], v) else 'NOT met'}"
            + (f" (95% CI {m['ci95'][k][0]}–{m['ci95'][k][1]})" if k in m.get("ci95", {}) else "")
            for k, v in gated.get("targets", {}).items()
        )
        lines.append(f"| {name} | {what} | {shown} | {targets or '-'} |")
    lines.append(CARD_END)
    return "\n".join(lines) + "\n"


def update_cards(report: dict[str, dict[str, Any]], models_dir: Path = MODELS_DIR) -> None:
    """Replace the evaluation section of each shipped model's card with the figures of ``report``."""
    manifest = json.loads((models_dir / "shipped.json").read_text(encoding="utf-8"))["models"]
    for task, folder in manifest.items():
        if task not in CARD_SETS:
            continue
        path = models_dir / folder / "MODEL_CARD.md"
        text = path.read_text(encoding="utf-8")
        if CARD_START in text:
            text = text[: text.index(CARD_START)] + text[text.index(CARD_END) + len(CARD_END) :].lstrip("\n")
        path.write_text(text.rstrip("\n") + "\n\n" + card_section(task, report), encoding="utf-8")


def load_models(models_dir: Path = MODELS_DIR) -> ShippedModels:
    return ShippedModels.load(models_dir, tasks=("topics", "misinformation", "scam", "hate_speech", "vntc"))


def run_all(models: ShippedModels, names: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for es in eval_sets():
        if names is None or es.name in names:
            out[es.name] = {"data_sha256": data_hash(es.files, es.split), "metrics": es.run(models)}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print (and with no set names, save) the metrics of every evaluation set; ``--propose`` prints a baseline."""
    parser = argparse.ArgumentParser(
        prog="python -m nlp.training.evaluate",
        description="Evaluate the shipped models on every evaluation set (or the named ones). Without set names "
        "the report is written to models/eval_report.json and the evaluation sections of the model cards "
        "are rewritten; the models themselves are never changed.",
    )
    parser.add_argument("sets", nargs="*", help=f"evaluation set names (default: all): {', '.join(GATED)}")
    parser.add_argument("--propose", action="store_true", help="print a baseline (floors = measured - 0.02)")
    parser.add_argument("--no-write", action="store_true", help="do not write the report or the cards")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sets) - set(GATED))
    if unknown:
        parser.error(f"unknown evaluation set(s): {', '.join(unknown)}")
    names = args.sets or None
    report = run_all(load_models(), names)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if names is None and not args.no_write:
        (MODELS_DIR / "eval_report.json").write_text(text + "\n", encoding="utf-8")
        update_cards(report)
    if args.propose:
        print(json.dumps(propose_baseline(report), ensure_ascii=False, indent=2))
    elif names or args.no_write:
        print(text)
    else:
        print(f"evaluated {len(report)} sets: models/eval_report.json, card sections updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["EvalSet", "data_hash", "dedup_key", "eval_sets", "load_models", "run_all", "vntc_gate_sample"]
