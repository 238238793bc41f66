"""Cross-author measurement of the misinformation and scam flags (a development tool; training never calls it).

Several authors wrote labelled flag data: the project (``nlp/labelled/train/<task>.jsonl``, rows without a
``source`` from ``other_author_records``) and the retired held-out sets (``second_author``,
``third_author``, ``fourth_author``: v1, v2 and v3's flag files; ``fifth_author``: the two everyday-posts
sets, misinformation only; their rows' ``source``). Leave one author
out: each direction fits the shipped recipe on the other authors and measures on the one left out, through
the classifier alone and through the whole Enricher (cues, dampeners, rescaling, thresholds:
``analyze_many``). The project's rows enter a fit through their train+dev splits (as in the shipped model)
and are measured on all splits. Never reads ``nlp/labelled/heldout/`` (training data drops its texts via
``heldout_keys`` as usual).

    python -m nlp.training.flag_crossauthor --task misinformation [--direction others_to_third_author] [--shipped]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.models import ShippedModels, TextClassifier
from nlp.training.common import (
    LABELLED_DIR,
    OTHER_AUTHOR_DIRS,
    REPO_ROOT,
    binary_metrics,
    heldout_keys,
    model_text,
    read_jsonl,
    without_heldout,
)
from nlp.training.flags import (
    C_GRID,
    EXTRA_NEGATIVES,
    LEGITIMATE_KINDS,
    fit_flag_classifier,
    other_author_records,
)

MAX_LEGIT_RATE = {"misinformation": 0.05, "scam": 1.0}
PROJECT = "project"
AUTHORS = (PROJECT, *(folder.name for folder in OTHER_AUTHOR_DIRS))


def rows_by_author(
    project: Sequence[dict[str, Any]], others: Sequence[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by author: ``project`` for the project's rows, else each other-author row's ``source``."""
    out: dict[str, list[dict[str, Any]]] = {PROJECT: list(project)}
    for row in others:
        out.setdefault(str(row["source"]), []).append(row)
    return out


def loao_directions(
    by_author: dict[str, list[dict[str, Any]]],
) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """``others_to_<author>`` -> (fit rows: every other author's, the project's without its test split; test rows).

    The project's test split never enters a fit, as in the shipped model; as the left-out author, all of
    its rows are measured.
    """
    def fit_rows(author: str) -> list[dict[str, Any]]:
        rows = by_author[author]
        return [r for r in rows if r.get("split") != "test"] if author == PROJECT else list(rows)

    return {
        f"others_to_{held}": ([r for a in by_author if a != held for r in fit_rows(a)], list(by_author[held]))
        for held in by_author
    }


def project_records(task: str, path: Path | None = None) -> list[dict[str, Any]]:
    return read_jsonl(path or LABELLED_DIR / f"{task}.jsonl")


def extra_negatives(task: str) -> list[dict[str, Any]]:
    files = [LABELLED_DIR / f"{name}.jsonl" for name in EXTRA_NEGATIVES[task]]
    return [r for path in files for r in read_jsonl(path) if r["split"] != "test"]


def measure(
    task: str, records: Sequence[dict[str, Any]], flagged: np.ndarray
) -> dict[str, Any]:
    """P/R/F1, legitimate-content flag rate and the flagged rate per kind of example."""
    y = np.array([r["label"] == task for r in records], dtype=int)
    out: dict[str, Any] = binary_metrics(y, flagged.astype(int))
    legit = np.array([r.get("kind") in LEGITIMATE_KINDS for r in records])
    if task == "misinformation" and legit.any():
        out["legitimate_flagged_rate"] = round(float(flagged[legit].mean()), 4)
    by: dict[str, str] = {}
    for kind in sorted({str(r.get("kind")) for r in records}):
        mask = np.array([str(r.get("kind")) == kind for r in records])
        lab = "+" if records[int(np.argmax(mask))]["label"] == task else "-"
        by[f"{lab}{kind}"] = f"{int(flagged[mask].sum())}/{int(mask.sum())}"
    out["flagged_by_kind"] = by
    return out


RULE_FILES: dict[str, Path | None] = {"cues": None, "rules": None}  # alternative cue/rule files (--cues, --rules)


def alternative_formula() -> tuple[Any, Any]:
    """The flag rules and cue lists given with ``--rules`` / ``--cues`` (None where the shipped file is used)."""
    from nlp.cues import load_cues
    from nlp.flags import load_flag_rules

    rules = RULE_FILES["rules"]
    cues = RULE_FILES["cues"]
    return (
        load_flag_rules(rules, config_dir=REPO_ROOT / "config") if rules is not None else None,
        load_cues(cues) if cues is not None else None,
    )


def system_flagged(
    clf: TextClassifier, task: str, records: Sequence[dict[str, Any]], formula: tuple[Any, Any] = (None, None)
) -> tuple[np.ndarray, list[Any]]:
    """Whether the whole Enricher flags each record with ``clf`` as the task's model (others as shipped;
    ``formula`` = ``alternative_formula()``: the rules and cue lists given with ``--rules`` / ``--cues``
    replace the shipped ones)."""
    from nlp.enrich import Enricher

    enricher = Enricher.load(models_dir=REPO_ROOT / "models", config_dir=REPO_ROOT / "config")
    rules, cues = formula
    if cues is not None:
        enricher.cues = cues
    if rules is not None:
        enricher.flag_rules = rules
    assert enricher.models is not None
    models = {t: enricher.models.get(t) for t in enricher.models.tasks}
    models[task] = clf
    enricher.models = ShippedModels(models, enricher.models.models_dir)
    texts = [f"{r['title']}\n{r['text']}" if r.get("title") else r["text"] for r in records]
    results = enricher.analyze_many([{"id": str(i), "text": t} for i, t in enumerate(texts)])
    flags = [[f for f in res["flags"] if f["kind"] == task] for res in results]
    return np.array([bool(f) for f in flags]), flags


def classifier_flagged(clf: TextClassifier, task: str, records: Sequence[dict[str, Any]]) -> np.ndarray:
    proba = clf.predict_proba([model_text(r) for r in records])[:, clf.labels.index(task)]
    return np.asarray(proba >= clf.threshold(task))


def run(task: str, train: Sequence[dict[str, Any]], test: Sequence[dict[str, Any]], *, repeats: int,
        show_errors: bool, by_author: bool = True, c_grid: Sequence[float] | None = None) -> dict[str, Any]:
    from nlp.training.train_all import FLAG_SPEC

    heldout = heldout_keys()
    formula = alternative_formula()  # the threshold is chosen under the same formula the system applies
    fitted = fit_flag_classifier(
        task, without_heldout(list(train), heldout), without_heldout(extra_negatives(task), heldout),
        spec=FLAG_SPEC, max_legit_rate=MAX_LEGIT_RATE[task], repeats=repeats, by_author=by_author,
        c_grid=tuple(c_grid) if c_grid else C_GRID, rules=formula[0], cues=formula[1],
    )
    sys_flag, flags = system_flagged(fitted.clf, task, test, formula)
    out = {
        "C": fitted.c, "threshold": fitted.threshold, "cv_f1": fitted.cv_f1,
        "classifier": measure(task, test, classifier_flagged(fitted.clf, task, test)),
        "system": measure(task, test, sys_flag),
    }
    if show_errors:
        print_errors(task, test, sys_flag, flags)
    return out


def print_errors(task: str, records: Sequence[dict[str, Any]], flagged: np.ndarray, flags: list[Any]) -> None:
    for rec, hit, fl in zip(records, flagged, flags, strict=True):
        if hit != (rec["label"] == task):
            why = " | ".join(fl[0]["reasons"]) if fl else ""
            print(f"{'FP' if hit else 'FN'} [{rec.get('kind')}] {rec['text'][:220]!r}\n    {why[:300]}")


def tune_rules(task: str, *, c: float, folds: int = 5) -> list[dict[str, Any]]:
    """Pooled cross-validation of the flag rules' classifier share, cue weight and dampening share.

    Pooled = the project's train+dev and every second-author row. Each record gets an out-of-fold
    calibrated probability (5 folds, the decision threshold chosen on the pooled out-of-fold scores as
    in training), then the whole flag formula (``nlp.flags.score_flags``, cues found once) is applied
    for each rule variant; rows are sorted by F1 among variants meeting the legitimate-content limit.
    """
    import dataclasses

    from nlp.cues import CueHit, load_cues
    from nlp.enrich import _rescale
    from nlp.flags import load_flag_rules, score_flags
    from nlp.language import detect_language
    from nlp.matching import FoldedText
    from nlp.training.common import fit_idf, platt, tfidf
    from nlp.training.flags import constrained_threshold, oof_scores
    from nlp.training.train_all import FLAG_SPEC

    heldout = heldout_keys()
    own = [r for r in project_records(task) if r["split"] != "test"] + other_author_records(task)
    own = without_heldout(own, heldout)
    extra = without_heldout(extra_negatives(task), heldout)
    records = own + extra
    texts = [model_text(r) for r in records]
    y = np.array([r["label"] == task for r in records], dtype=int)
    counts = FLAG_SPEC.counts(texts)
    x = tfidf(counts, fit_idf(counts))
    s = oof_scores(x, y, c=c, folds=folds)
    a, b = platt(s, y)
    p = 1.0 / (1.0 + np.exp(-(a * s + b)))
    n = len(own)
    legit = np.array([r.get("kind") in LEGITIMATE_KINDS for r in own])
    t = constrained_threshold(p[:n], y[:n], legit, min_precision=0.85, max_legit_rate=MAX_LEGIT_RATE[task])
    cues = load_cues()
    base = load_flag_rules()
    hits = [cues.find(FoldedText.of(text)) for text in texts[:n]]
    use = [detect_language(text) == "vi" for text in texts[:n]]
    rows = []
    q_base = cues.groups["question"].weight
    grid = [(cw, cd, q_base) for cw in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0) for cd in (0.3, 0.5, 0.7)]
    grid += [(base.kinds[task].cue_weight, base.kinds[task].classifier_dampen, qw) for qw in (0.2, 0.6, 0.8, 0.9)]
    for cw, cd, qw in grid:
        rule = dataclasses.replace(base.kinds[task], cue_weight=cw, classifier_dampen=cd)
        rules = dataclasses.replace(base, kinds={**base.kinds, task: rule})
        q_group = dataclasses.replace(cues.groups["question"], weight=qw)
        flagged = np.array([
            any(f.kind == task for f in score_flags(
                rules, hits=[CueHit(q_group, x.evidence) if x.group.name == "question" else x for x in h],
                claim=None, official=False, proba={task: _rescale(float(pi), t, rule.threshold) if u else 0.0}))
            for h, pi, u in zip(hits, p[:n], use, strict=True)
        ])
        m = measure(task, own, flagged)
        ok = m.get("legitimate_flagged_rate", 0.0) <= MAX_LEGIT_RATE[task]
        rows.append({"cue_weight": cw, "classifier_dampen": cd, "question_weight": qw, "ok": ok, "f1": m["f1"],
                     "precision": m["precision"], "recall": m["recall"],
                     "legit": m.get("legitimate_flagged_rate"),
                     "shipped_rules": rule == base.kinds[task] and qw == q_base,
                     "by_kind": m["flagged_by_kind"],
                     "classifier_f1": binary_metrics(y[:n], (p[:n] >= t).astype(int))["f1"]})
    rows.sort(key=lambda r: (r["ok"], r["f1"]), reverse=True)
    return rows


def shipped_in_sample(task: str) -> set[str]:
    """Authors whose rows the shipped model was fitted on (from its metadata's data hashes)."""
    manifest = json.loads((REPO_ROOT / "models" / "shipped.json").read_text(encoding="utf-8"))["models"]
    meta = json.loads((REPO_ROOT / "models" / manifest[task] / "metadata.json").read_text(encoding="utf-8"))
    files = set(meta.get("data_sha256", {}))
    return {a for a in AUTHORS if a != PROJECT and any(f"/{a}/" in f for f in files)} | {PROJECT}


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """One line per direction: system P/R/F1 and legitimate-content rate."""
    out = {}
    for name, value in report.items():
        m = value["system"]
        out[name] = {k: m.get(k) for k in ("precision", "recall", "f1", "legitimate_flagged_rate")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(EXTRA_NEGATIVES), required=True)
    parser.add_argument("--direction", nargs="*", default=None, metavar="others_to_AUTHOR",
                        help=f"leave-one-author-out directions (default all): others_to_{{{','.join(AUTHORS)}}}")
    parser.add_argument("--shipped", action="store_true",
                        help="measure the shipped model on each author (marked in_sample where it was fitted on it)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--c-grid", type=float, nargs="+", help="C values to choose from (default flags.C_GRID)")
    parser.add_argument("--no-by-author", action="store_true",
                        help="the earlier recipe: calibration and threshold on random folds only")
    parser.add_argument("--tune-rules", type=float, metavar="C",
                        help="pooled CV of cue_weight and classifier_dampen with the classifier at this C")
    parser.add_argument("--cues", type=Path, help="cue file for the system (default nlp/cues.yaml)")
    parser.add_argument("--rules", type=Path, help="flag rules file for the system (default nlp/flag_rules.yaml)")
    parser.add_argument("--project-file", type=Path, help="the project's labelled file (e.g. an older version)")
    args = parser.parse_args(argv)
    task = args.task
    RULE_FILES["cues"], RULE_FILES["rules"] = args.cues, args.rules
    if args.tune_rules:
        for row in tune_rules(task, c=args.tune_rules):
            by_kind = row.pop("by_kind")
            print(json.dumps(row, ensure_ascii=False) + (f"\n  {json.dumps(by_kind)}" if row["shipped_rules"] else ""))
        return 0
    by_author = rows_by_author(project_records(task, args.project_file), other_author_records(task))
    directions = loao_directions(by_author)
    wanted = args.direction or list(directions)
    unknown = [d for d in wanted if d not in directions]
    if unknown:
        parser.error(f"unknown directions {unknown}; choose from {list(directions)}")
    report: dict[str, Any] = {}
    if args.shipped:
        clf = ShippedModels.load(REPO_ROOT / "models", tasks=[task]).get(task)
        in_sample = shipped_in_sample(task)
        formula = alternative_formula()
        for author, rows in by_author.items():
            sys_flag, flags = system_flagged(clf, task, rows, formula)
            report[f"shipped_on_{author}"] = {
                "in_sample": author in in_sample,
                "classifier": measure(task, rows, classifier_flagged(clf, task, rows)),
                "system": measure(task, rows, sys_flag),
            }
            if args.errors:
                print(f"== shipped on {author}")
                print_errors(task, rows, sys_flag, flags)
    for name in wanted:
        train, test = directions[name]
        if args.errors:
            print(f"== {name}")
        report[name] = run(task, train, test, repeats=args.repeats, show_errors=args.errors,
                           by_author=not args.no_by_author, c_grid=args.c_grid)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(summary(report), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
