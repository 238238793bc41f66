"""Enricher with classifiers: probabilities feed topics and flags; the model's reason names its words.

Tiny in-memory linear models (nlp.models.TextClassifier) with hand-set weights stand in for the
shipped ones, so these tests pin the integration, not the quality of any trained model.
"""

from pathlib import Path

import numpy as np
import pytest

from nlp.cues import load_cues
from nlp.enrich import Enricher, _rescale
from nlp.flags import load_flag_rules
from nlp.models import FeatureSpec, ShippedModels, TextClassifier
from nlp.places import load_gazetteer
from nlp.topics import load_topic_rules
from records.schema import TOPIC_IDS

SPEC = FeatureSpec(n_features=2**12, ngram_max=2)


def _model(task: str, labels: list[str], mode: str, words: dict[str, list[float]], threshold: float) -> TextClassifier:
    n_scores = 1 if mode == "binary" else len(labels)
    coef = np.zeros((n_scores, SPEC.n_features), dtype=np.float32)
    for word, weights in words.items():
        coef[:, SPEC.bucket(word)] = weights
    return TextClassifier(
        task=task, labels=labels, mode=mode, spec=SPEC, idf=np.ones(SPEC.n_features, dtype=np.float32), coef=coef,
        intercept=np.full(n_scores, -4.0), calib_a=np.ones(n_scores), calib_b=np.zeros(n_scores),
        thresholds={label: threshold for label in labels},
    )


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    topic_words = {"sieu": [0.0] * len(TOPIC_IDS)}
    topic_words["sieu"][TOPIC_IDS.index("economy")] = 12.0
    models = ShippedModels(
        {
            "topics": _model("topics", list(TOPIC_IDS), "multilabel", topic_words, 0.4),
            "misinformation": _model("misinformation", ["not_misinformation", "misinformation"], "binary",
                                     {"bua": [12.0]}, 0.3),
            "scam": _model("scam", ["not_scam", "scam"], "binary", {"xu": [12.0]}, 0.5),
            "hate_speech": _model("hate_speech", ["not_hate_speech", "hate_speech"], "binary", {"ghet": [12.0]}, 0.5),
        },
        Path("models"),
    )
    return Enricher(models=models, gazetteer=load_gazetteer(), topic_rules=load_topic_rules(), topic_threshold=0.5,
                    cues=load_cues(), flag_rules=load_flag_rules())


def test_classifier_alone_raises_a_flag_with_its_words(enricher: Enricher) -> None:
    out = enricher.analyze({"id": "1", "text": "Chuyện bùa chú ở làng"})
    flags = {f["kind"]: f for f in out["flags"]}
    assert set(flags) == {"misinformation"}
    (reason,) = flags["misinformation"]["reasons"]
    assert reason.startswith("Mô hình: xác suất ") and "bùa" in reason


def test_classifier_topic_without_rules(enricher: Enricher) -> None:
    out = enricher.analyze({"id": "2", "text": "Siêu thị mới mở cửa"})
    assert out["topics"] == ["economy"]


def test_non_vietnamese_text_ignores_classifiers(enricher: Enricher) -> None:
    out = enricher.analyze({"id": "3", "text": "The bua of the village is a story that they tell"})
    assert out["language"] == "en"
    assert out["flags"] == [] and out["topics"] == []


def test_rescale_maps_model_threshold_onto_flag_threshold() -> None:
    assert _rescale(0.3, 0.3, 0.5) == pytest.approx(0.5)
    assert _rescale(0.15, 0.3, 0.5) == pytest.approx(0.25)
    assert _rescale(1.0, 0.3, 0.5) == pytest.approx(1.0)
    assert _rescale(0.0, 0.3, 0.5) == 0.0
    assert _rescale(0.7, 0.0, 0.5) == 0.7


def test_official_source_and_debunk_lower_the_model_score(enricher: Enricher) -> None:
    text = "Chuyện bùa chú ở làng"
    social = enricher.analyze({"id": "4", "text": text, "kind": "social"})["flags"]
    official = enricher.analyze({"id": "5", "text": text, "kind": "official"})["flags"]
    assert [f["kind"] for f in social] == ["misinformation"]
    assert official == []
    debunk = enricher.analyze({"id": "6", "text": "Bác bỏ tin đồn bùa chú ở làng, thông tin sai sự thật"})["flags"]
    social_score = social[0]["score"]
    assert all(f["score"] < social_score for f in debunk)


def test_hate_speech_needs_a_named_group(enricher: Enricher) -> None:
    alone = enricher.analyze({"id": "7", "text": "Ghét ghê"})["flags"]
    group = enricher.analyze({"id": "8", "text": "Ghét bọn dân tộc"})["flags"]
    assert alone == []
    assert [f["kind"] for f in group] == ["hate_speech"]
    assert any(r.startswith("Nhắm vào một nhóm người: «bọn dân tộc»") for r in group[0]["reasons"])
