"""Public benchmark training (VNTC model, ViCTSD/ViHSD comparison models) on tiny synthetic data."""

from __future__ import annotations

import inspect
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.models import FeatureSpec, TextClassifier, library_versions
from nlp.training import public_benchmarks as pb
from nlp.training import vntc

TOPIC_WORDS = {
    "The thao": ["bóng đá", "cầu thủ", "trận đấu", "huấn luyện viên", "bàn thắng"],
    "Kinh doanh": ["cổ phiếu", "doanh nghiệp", "lãi suất", "thị trường", "xuất khẩu"],
    "Suc khoe": ["bệnh viện", "bác sĩ", "vắc xin", "điều trị", "sức khỏe"],
}
FILLER = ["hôm nay", "theo đó", "cho biết", "người dân", "năm nay", "tại đây", "mới đây", "nhiều"]


def _doc(rng: random.Random, label: str) -> str:
    words = rng.choices(TOPIC_WORDS[label], k=4) + rng.choices(FILLER, k=6)
    rng.shuffle(words)
    return " ".join(words) + f" số {rng.randint(0, 10**6)}"


def _vntc_records(n_per_label: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {"text": _doc(rng, label), "label": label, "doc_id": f"{prefix}_{label}_{i}"}
        for label in sorted(TOPIC_WORDS)
        for i in range(n_per_label)
    ]


# Like VNTC_SPEC: n-grams as written plus underthesea's words (segmented in worker processes by train_vntc,
# in-process by the loaded model: the round-trip test checks that both give the same probabilities).
SMALL_SPEC = FeatureSpec(n_features=2**12, ngram_max=2, fold=False, segmented_features=2**8)


# -- de-duplication ----------------------------------------------------------------------------------
def test_test_texts_that_occur_in_train_are_dropped() -> None:
    train = [{"text": "Giá vàng tăng mạnh", "label": "a"}, {"text": "Trận đấu hấp dẫn", "label": "b"}]
    test = [
        {"text": "  giá VÀNG   tăng mạnh ", "label": "a"},  # same text: other case and spaces
        {"text": "Giá vàng giảm nhẹ", "label": "a"},
        {"text": "Trận đấu hấp dẫn", "label": "b"},
    ]
    kept, dropped = vntc.vntc_test_deduplicated(train, test)
    assert [r["text"] for r in kept] == ["Giá vàng giảm nhẹ"] and dropped == 2
    kept2, dropped2 = pb.without_train_texts(test, train)
    assert kept2 == kept and dropped2 == 2


def test_validation_slice_is_deterministic_disjoint_and_never_repeats_a_fitted_text() -> None:
    train = _vntc_records(60, seed=1, prefix="tr")
    train.append({**train[0], "doc_id": "copy_of_first"})  # same text under another id
    fit_a, val_a = vntc.validation_split(train)
    fit_b, val_b = vntc.validation_split(list(train))
    assert np.array_equal(fit_a, fit_b) and np.array_equal(val_a, val_b)
    assert not (fit_a & val_a).any() and val_a.sum() > 0 and fit_a.sum() > val_a.sum()
    fitted_texts = {r["text"] for r, f in zip(train, fit_a, strict=True) if f}
    assert all(r["text"] not in fitted_texts for r, v in zip(train, val_a, strict=True) if v)


def test_validation_slice_holds_the_latest_documents_of_each_group() -> None:
    """VNTC ids number each section/newspaper in crawl order: the slice is the most recent of each group."""
    rng = random.Random(3)
    train = [
        {"text": _doc(rng, label), "label": label, "doc_id": f"{code}_{paper}_ ({n})"}
        for label, code in (("The thao", "TT"), ("Kinh doanh", "KD"))
        for paper, numbers in (("VNE", range(1, 41)), ("NLD", range(500, 520)))
        for n in numbers
    ]
    rng.shuffle(train)
    _, val = vntc.validation_split(train, share=0.25)
    held = {r["doc_id"] for r, v in zip(train, val, strict=True) if v}
    expected = {f"{c}_VNE_ ({n})" for c in ("TT", "KD") for n in range(31, 41)}
    expected |= {f"{c}_NLD_ ({n})" for c in ("TT", "KD") for n in range(515, 520)}
    assert held == expected


# -- selection sees no test rows ---------------------------------------------------------------------
def test_selection_functions_take_no_test_rows() -> None:
    assert list(inspect.signature(vntc.choose_c).parameters) == ["x_fit", "y_fit", "x_val", "y_val", "grid"]
    assert list(inspect.signature(pb.choose_on_dev).parameters) == [
        "train", "dev", "n_labels", "preparations", "grid"
    ]


def _toxic_split(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        toxic = i % 4 == 0
        words = rng.choices(["đồ ngu", "cút đi", "mất dạy"] if toxic else ["bài viết hay", "cảm ơn"], k=2)
        words += rng.choices(["bài báo", "tác giả", "chính quyền", "người dân", "hôm qua"], k=4)
        if rng.random() < 0.1:  # label noise
            toxic = not toxic
        out.append({"text": " ".join(words) + f" {i}", "label": "toxic" if toxic else "non_toxic"})
    return out


def test_comparison_choice_does_not_depend_on_test_labels() -> None:
    train, dev, test = _toxic_split(160, 1), _toxic_split(60, 2), _toxic_split(60, 3)
    labels = ["non_toxic", "toxic"]
    grid = (("svm", 0.3), ("lr", 3.0))
    honest = pb.benchmark(train, dev, test, labels, positive="toxic", grid=grid, preparations=("lower",))
    flipped = [{**r, "label": "non_toxic" if r["label"] == "toxic" else "toxic"} for r in test]
    other = pb.benchmark(train, dev, flipped, labels, positive="toxic", grid=grid, preparations=("lower",))
    assert honest["chosen_on_dev"] == other["chosen_on_dev"]
    assert honest["macro_f1"] > 0.7 > other["macro_f1"]  # the test figure is measured, not chosen
    assert {t["algo"] for t in honest["dev_grid"]} == {"svm", "lr"}


def test_best_offsets_finds_the_threshold_that_separates_dev() -> None:
    scores = np.column_stack([np.zeros(6), np.array([-0.9, -0.7, -0.6, -0.2, 0.3, 0.8])])
    y = np.array([0, 0, 0, 1, 1, 1])
    offsets, f1 = pb.best_offsets(scores, y)
    assert f1 == pytest.approx(1.0)
    assert np.array_equal(pb.predict(scores, offsets), y)


# -- VNTC model: training and the artifact -----------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_vntc() -> tuple[vntc.VntcResult, list[dict[str, Any]]]:
    train = _vntc_records(40, seed=5, prefix="tr")
    test = _vntc_records(15, seed=6, prefix="te") + train[:4]  # four test texts also in train
    return vntc.train_vntc(train, test, SMALL_SPEC), test


def test_vntc_training_reports_deduplicated_test_and_choice_on_validation(tiny_vntc: Any) -> None:
    result, test = tiny_vntc
    m = result.metrics
    assert m["dropped_test_texts_also_in_train"] == 4
    assert m["test_dedup"]["n"] == len(test) - 4 and m["test_full"]["n"] == len(test)
    assert m["test_dedup"]["accuracy"] > 0.9  # separable synthetic topics
    assert [t["C"] for t in m["validation"]["c_grid"]] == sorted(vntc.C_GRID)
    assert result.hyper["C"] in vntc.C_GRID


def test_vntc_choice_does_not_depend_on_test_labels(tiny_vntc: Any) -> None:
    result, test = tiny_vntc
    train = _vntc_records(40, seed=5, prefix="tr")
    shuffled_labels = [{**r, "label": sorted(TOPIC_WORDS)[(i + 1) % 3]} for i, r in enumerate(test)]
    other = vntc.train_vntc(train, shuffled_labels, SMALL_SPEC)
    assert other.hyper["C"] == result.hyper["C"] and other.hyper["temperature"] == result.hyper["temperature"]
    assert other.metrics["test_full"]["accuracy"] < result.metrics["test_full"]["accuracy"]


def test_vntc_artifact_round_trips_through_the_loader(tiny_vntc: Any, tmp_path: Path) -> None:
    result, test = tiny_vntc
    clf = result.clf
    path = clf.save(tmp_path)
    with np.load(path, allow_pickle=False) as arrays:
        assert arrays["coef"].dtype == np.float16
    meta = {
        "task": clf.task,
        "labels": clf.labels,
        "mode": clf.mode,
        "features": clf.spec.to_dict(),
        "versions": library_versions(),
    }
    (tmp_path / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    loaded = TextClassifier.from_folder(tmp_path)
    texts = [r["text"] for r in test]
    assert loaded.labels == clf.labels and loaded.spec == clf.spec
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), rtol=1e-5, atol=1e-6)


def test_three_class_comparison_runs_with_both_algorithms() -> None:
    rng = random.Random(7)
    cues = {"CLEAN": ["cảm ơn", "hay quá"], "OFFENSIVE": ["đồ ngu", "vãi"], "HATE": ["bọn mọi", "cút về nước"]}

    def split(n: int) -> list[dict[str, Any]]:
        return [
            {"text": " ".join(rng.choices(cues[lab], k=2) + rng.choices(FILLER, k=3)), "label": lab}
            for lab in ("CLEAN", "CLEAN", "OFFENSIVE", "HATE")
            for _ in range(n)
        ]

    out = pb.benchmark(split(30), split(10), split(10), ["CLEAN", "OFFENSIVE", "HATE"],
                       grid=(("svm", 1.0), ("lr", 10.0)), preparations=("lower",))
    assert set(out["per_class_f1"]) == {"CLEAN", "OFFENSIVE", "HATE"}
    assert len(out["chosen_on_dev"]["offsets"]) == 3 and out["chosen_on_dev"]["offsets"][0] == 0.0
    assert out["macro_f1"] > 0.8


def test_column_weights_are_smooth_idf_to_a_power() -> None:
    counts = SMALL_SPEC.counts(["bóng đá hay", "bóng đá dở", "giá vàng"])
    plain = vntc.column_weights(counts, 1.0)
    squared = vntc.column_weights(counts, 2.0)
    np.testing.assert_allclose(squared, plain**2, rtol=1e-6)
    bong = SMALL_SPEC.bucket("bóng")
    vang = SMALL_SPEC.bucket("vàng")
    assert squared[bong] < squared[vang]  # a word in more documents weighs less
