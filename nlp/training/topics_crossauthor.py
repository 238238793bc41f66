"""Cross-author measurement of the topic tagger: fit on one author's rows, measure on another's.

    python -m nlp.training.topics_crossauthor

Directions: leave one author out. Authors: the project's own topic set (all splits, ``own``) and each
retired held-out set (``second_author``, ``third_author``); each direction fits on all the other authors
and measures on the one left out. Each fit runs
the shipped recipe (``train_topics``: 5-fold CV on the fit rows for C and per-topic thresholds, VNTC
off) and reports micro/macro/per-topic F1 of the classifier alone and of the whole decision (keyword rules
+ classifier, as the Enricher decides). The keyword rules are the current ``nlp/topic_rules.yaml``, whose
phrases and weights were set after reading all three authors' sets, so "system" figures are not blind for
the rules.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from nlp.models import FeatureSpec
from nlp.training.common import LABELLED_DIR, heldout_keys, read_jsonl, without_heldout
from nlp.training.topics import other_author_records, train_topics

SPEC = FeatureSpec(n_features=2**18, ngram_max=2, fold=True)


def directions() -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    heldout = heldout_keys()
    own = without_heldout(read_jsonl(LABELLED_DIR / "topics.jsonl"), heldout)
    by_author: dict[str, list[dict[str, Any]]] = {"own": own}
    for record in other_author_records(heldout):
        by_author.setdefault(record["source"], []).append(record)
    return {
        f"others_to_{name}": ([r for other, rows in by_author.items() if other != name for r in rows], held)
        for name, held in by_author.items()
    }


def measure(fit: list[dict[str, Any]], test: list[dict[str, Any]]) -> dict[str, Any]:
    result = train_topics(SPEC, [], vntc_weights=(0.0,), fit_test=(fit, test))
    m = result.metrics
    return {
        "fit": len(fit),
        "test": len(test),
        "classifier": m["test"],
        "system": m["test_system"],
        "C": result.hyper["C"],
        "thresholds": result.hyper["thresholds"],
    }


def main(argv: list[str]) -> int:
    wanted = argv or list(directions())
    out = {name: measure(*sets) for name, sets in directions().items() if name in wanted}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
