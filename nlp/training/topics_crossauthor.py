"""Cross-author measurement of the topic tagger: fit on one author's rows, measure on another's.

    python -m nlp.training.topics_crossauthor

Directions: the project's own topic set (all splits) → the second author's set, and back. Each fit runs
the shipped recipe (``train_topics``: 5-fold CV on the fit rows for C and per-topic thresholds, VNTC
off) and reports micro/macro/per-topic F1 of the classifier alone and of the whole decision (keyword rules
+ classifier, as the Enricher decides). The keyword rules are the current ``nlp/topic_rules.yaml``, whose
weights were set after reading both sets, so "system" figures are not blind for the rules.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from nlp.models import FeatureSpec
from nlp.training.common import LABELLED_DIR, heldout_keys, read_jsonl, without_heldout
from nlp.training.topics import second_author_records, train_topics

SPEC = FeatureSpec(n_features=2**18, ngram_max=2, fold=True)


def directions() -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    heldout = heldout_keys()
    own = without_heldout(read_jsonl(LABELLED_DIR / "topics.jsonl"), heldout)
    second = second_author_records(heldout)
    return {"own_to_second_author": (own, second), "second_author_to_own": (second, own)}


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
