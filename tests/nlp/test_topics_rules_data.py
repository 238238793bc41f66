"""Topic rules' ignore list, precise phrases on folded text, and the pooled topic training data."""

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.matching import FoldedText
from nlp.normalize import normalize
from nlp.topics import load_topic_rules
from nlp.training.common import dedup_key, model_text, other_author_files, read_jsonl
from nlp.training.topics import CV_FOLDS, cv_fold, system_thresholds, topic_training_sets
from records.schema import TOPIC_IDS

RULES = load_topic_rules()


@pytest.fixture(scope="module")
def pooled() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return topic_training_sets(set())


def rule_topics(text: str) -> set[str]:
    return set(RULES.decide(RULES.scores(FoldedText.of(normalize(text)).folded)))


def test_ignored_names_hide_the_topic_words_inside_them() -> None:
    named = "Sở Nông nghiệp và Môi trường thông báo kết quả kiểm tra"
    assert RULES.scores(FoldedText.of(normalize(named)).folded) == {}
    assert RULES.scores(FoldedText.of("so nong nghiep va moi truong thong bao").folded) == {}
    # The same words outside the name still count.
    assert "environment" in rule_topics("Ô nhiễm môi trường ở sông Bàn Thạch ngày càng nặng")


def test_ignore_list_is_data(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    body = "threshold: 1\nsupport: 0.5\ntopics:\n  environment: {keywords: {môi trường: 1.0}}\n"
    rules.write_text(body, encoding="utf-8")
    assert "environment" in load_topic_rules(rules).scores("bao ve moi truong")
    rules.write_text("ignore: [bảo vệ môi trường]\n" + body, encoding="utf-8")
    assert load_topic_rules(rules).scores("bao ve moi truong") == {}


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("canh bao song than vao bo bien Hoi An", "disaster"),
        ("Cảnh báo sóng thần vào bờ biển Hội An", "disaster"),
        ("hai xe may tong nhau tren quoc lo 14E", "accident"),
        ("co nguoi goi dien gia danh cong an doi chuyen tien", "public_order"),
        ("nha may xa thai ra song, ca chet hang loat", "environment"),
        ("cup dien ca ngay khong bao truoc", "infrastructure"),
    ],
)
def test_added_phrases_fire_with_and_without_diacritics(text: str, topic: str) -> None:
    assert topic in rule_topics(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Words common to many topics no longer decide a topic alone.
        ("Công ty thủy lợi mời phóng viên kiểm tra thân đập", "infrastructure"),
        ("Dân trong phố cổ kê đồ lên cao", "tourism_culture"),
        ("Quyết định của UBND huyện về việc này", "governance"),
    ],
)
def test_common_words_do_not_assign_a_topic_alone(text: str, topic: str) -> None:
    assert topic not in rule_topics(text)


def test_training_set_pools_every_author_and_keeps_the_test_split_out(
    pooled: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    fit, test = pooled
    by_source = Counter(r.get("source") for r in fit)
    assert by_source["second_author"] > 400 and by_source["third_author"] > 600
    assert by_source["mediawatch-authored"] > 500 and len(by_source) == 3
    test_keys = {dedup_key(model_text(r)) for r in test}
    fit_keys = [dedup_key(model_text(r)) for r in fit]
    assert not test_keys & set(fit_keys)
    assert len(fit_keys) == len(set(fit_keys))
    assert all(isinstance(r["label"], list) for r in fit)


def test_training_set_drops_heldout_texts() -> None:
    first = read_jsonl(other_author_files("topics.jsonl")[-1])[0]
    fit, _test = topic_training_sets({dedup_key(first["text"])})
    assert first["text"] not in {r["text"] for r in fit}


def test_cv_folds_are_deterministic_and_balanced(pooled: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    fit, _test = pooled
    folds = [cv_fold(model_text(r)) for r in fit]
    assert folds == [cv_fold(model_text(r)) for r in fit]
    counts = [folds.count(k) for k in range(CV_FOLDS)]
    assert min(counts) > 0.6 * len(fit) / CV_FOLDS


def test_decide_matrix_agrees_with_decide() -> None:
    rng = np.random.default_rng(7)
    texts = [
        "Mưa lũ khiến nhiều nhà ở Đại Lộc ngập sâu",
        "cong an bat giu doi tuong trom cap",
        "Sở Nông nghiệp và Môi trường họp báo",
        "Hôm nay trời đẹp, tôi đi dạo",
    ]
    scores = [RULES.scores(FoldedText.of(normalize(t)).folded) for t in texts]
    matrix = RULES.score_matrix([FoldedText.of(normalize(t)).folded for t in texts])
    proba = rng.uniform(0, 1, size=(len(texts), len(TOPIC_IDS)))
    thresholds = rng.uniform(0.2, 0.6, size=len(TOPIC_IDS))
    decided = RULES.decide_matrix(matrix, proba, thresholds)
    for i, score in enumerate(scores):
        by_topic = dict(zip(TOPIC_IDS, proba[i], strict=True))
        expected = RULES.decide(score, by_topic, dict(zip(TOPIC_IDS, thresholds, strict=True)))
        assert [t for j, t in enumerate(TOPIC_IDS) if decided[i, j]] == expected


def test_system_thresholds_account_for_the_rules() -> None:
    # Topic 0: the rules already find every positive, so the classifier threshold can be strict;
    # without rules support the best threshold sits between the positives' and negatives' probabilities.
    y = np.zeros((6, len(TOPIC_IDS)), dtype=int)
    y[:3, 0] = 1
    proba = np.full((6, len(TOPIC_IDS)), 0.05)
    proba[:3, 0] = [0.35, 0.4, 0.45]
    proba[3:, 0] = [0.2, 0.25, 0.3]
    no_rules = np.zeros_like(proba)
    with_rules = no_rules.copy()
    with_rules[:3, 0] = RULES.threshold
    loose = system_thresholds(RULES, no_rules, proba, y)[0]
    strict = system_thresholds(RULES, with_rules, proba, y)[0]
    assert 0.3 < loose <= 0.35
    assert strict > 0.45


def test_cross_author_directions_leave_one_author_out() -> None:
    from nlp.training.topics_crossauthor import directions

    sets = directions()
    assert set(sets) == {"others_to_own", "others_to_second_author", "others_to_third_author"}
    for name in ("second_author", "third_author"):
        fit, test = sets[f"others_to_{name}"]
        assert test and all(r.get("source") == name for r in test)
        assert fit and all(r.get("source") != name for r in fit)
        assert {r["source"] for r in fit} == {"mediawatch-authored", *({"second_author", "third_author"} - {name})}
    own_fit, own_test = sets["others_to_own"]
    assert {r["source"] for r in own_fit} == {"second_author", "third_author"}
    assert own_test and {r["source"] for r in own_test} == {"mediawatch-authored"}
