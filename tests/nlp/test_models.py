"""Shipped models: loading checks versions and integrity, prediction and explanations behave, artifacts are small."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp.models import (
    MANIFEST,
    TASKS,
    FeatureSpec,
    ShippedModels,
    TextClassifier,
    library_versions,
    version_mismatches,
)
from records.errors import ModelError

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
MAX_ARTIFACT_BYTES = 20 * 1024 * 1024


def _manifest() -> dict[str, str]:
    return json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))["models"]


@pytest.fixture(scope="module")
def shipped() -> ShippedModels:
    return ShippedModels.load(MODELS)


def _copy_model(tmp_path: Path, task: str) -> Path:
    folder = _manifest()[task]
    shutil.copytree(MODELS / folder, tmp_path / folder)
    (tmp_path / MANIFEST).write_text(json.dumps({"models": {task: folder}}), encoding="utf-8")
    return tmp_path / folder


def test_every_task_has_a_shipped_model_with_metadata_and_card() -> None:
    manifest = _manifest()
    for task in (*TASKS, "vntc"):
        folder = MODELS / manifest[task]
        assert folder.name.startswith(f"{task}_"), folder.name
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
        assert meta["task"] == task
        for lib in ("python", "scikit-learn", "numpy", "underthesea"):
            assert meta["versions"][lib], lib
        assert meta["data_sha256"] and all(len(h) == 64 for h in meta["data_sha256"].values())
        assert meta["hyper_parameters"] and meta["metrics"]
        if meta["mode"] != "multiclass":
            assert meta["thresholds"], "a flag or topic model records the threshold chosen on dev"
        card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
        assert "Criticism is not misinformation" in card
        assert "## Known limits" in card and "## Data and licences" in card


def test_artifacts_are_at_most_20_mb() -> None:
    artifacts = list(MODELS.glob("*/model.npz"))
    assert artifacts
    for path in artifacts:
        assert path.stat().st_size <= MAX_ARTIFACT_BYTES, f"{path} is {path.stat().st_size} bytes"


def test_loader_fails_on_a_library_version_mismatch(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path, "scam")
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn"):
        ShippedModels.load(tmp_path, tasks=["scam"])


def test_loader_fails_on_a_python_minor_mismatch_but_not_a_patch_difference() -> None:
    have = library_versions()
    major, minor, *_ = have["python"].split(".")
    assert version_mismatches({"python": f"{major}.{minor}.999"}, have) == []
    assert version_mismatches({"python": f"{major}.{int(minor) + 1}.0"}, have)


def test_loader_fails_on_a_replaced_artifact(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path, "scam")
    with (folder / "model.npz").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="checksum"):
        ShippedModels.load(tmp_path, tasks=["scam"])


def test_loader_fails_without_manifest_or_task(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train"):
        ShippedModels.load(tmp_path)
    _copy_model(tmp_path, "scam")
    with pytest.raises(ModelError, match="misinformation"):
        ShippedModels.load(tmp_path, tasks=["misinformation"])


def test_get_unknown_task_is_a_model_error(shipped: ShippedModels) -> None:
    with pytest.raises(ModelError):
        shipped.get("sentiment")


def test_weights_are_fortran_ordered_for_fast_single_document_prediction(shipped: ShippedModels) -> None:
    for task in TASKS:
        assert shipped.get(task).coef.flags.f_contiguous


def test_predict_proba_shapes_and_ranges(shipped: ShippedModels) -> None:
    texts = ["Bão số 9 đổ bộ Quảng Nam, nhiều nhà tốc mái", "Chúc mừng bạn trúng thưởng, chuyển phí nhận quà"]
    for task in TASKS:
        clf = shipped.get(task)
        proba = clf.predict_proba(texts)
        assert proba.shape == (2, len(clf.labels))
        assert np.all((proba >= 0) & (proba <= 1))
        if clf.mode == "binary":
            np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert shipped.get("topics").predict_proba([]).shape == (0, len(shipped.get("topics").labels))
    with pytest.raises(TypeError):
        shipped.get("scam").predict_proba("one string")  # type: ignore[arg-type]


def test_predict_all_equals_each_model(shipped: ShippedModels) -> None:
    texts = ["Đập Sông Tranh 2 sắp vỡ, chia sẻ gấp", "Bệnh viện tỉnh quá tải, bệnh nhân nằm ghép"]
    together = shipped.predict_all(texts)
    for task in TASKS:
        np.testing.assert_allclose(together[task], shipped.get(task).predict_proba(texts), rtol=1e-6)


def test_same_features_with_and_without_diacritics(shipped: ShippedModels) -> None:
    with_marks = "Thủy điện xả lũ, nước sông Thu Bồn dâng cao, bà con Đại Lộc sơ tán gấp"
    without = "Thuy dien xa lu, nuoc song Thu Bon dang cao, ba con Dai Loc so tan gap"
    for task in TASKS:
        clf = shipped.get(task)
        np.testing.assert_allclose(clf.predict_proba([with_marks]), clf.predict_proba([without]), rtol=1e-5)


def test_explain_returns_words_of_the_text_that_push_towards_the_label(shipped: ShippedModels) -> None:
    clf = shipped.get("scam")
    text = "Chúc mừng quý khách trúng thưởng xe SH, chuyển khoản phí trước bạ vào số tài khoản để nhận xe"
    reasons = clf.explain(text, "scam", k=4)
    assert 1 <= len(reasons) <= 4
    lowered = text.lower()
    for reason in reasons:
        assert reason in lowered, reason
        assert not reason.replace(" ", "").isdigit()
    words = [set(r.split()) for r in reasons]
    assert all(not (a & b) for i, a in enumerate(words) for b in words[i + 1 :]), "reasons share no word"
    with pytest.raises(KeyError):
        clf.explain(text, "hate_speech")


def test_explain_follows_the_sign_of_the_weights() -> None:
    spec = FeatureSpec(n_features=2**10)
    coef = np.zeros((1, spec.dim), dtype=np.float32)
    coef[0, spec.bucket("lua dao")] = 3.0
    coef[0, spec.bucket("canh bao")] = -3.0
    clf = TextClassifier(
        task="scam",
        labels=["not_scam", "scam"],
        mode="binary",
        spec=spec,
        idf=np.ones(spec.dim, dtype=np.float32),
        coef=coef,
        intercept=np.zeros(1),
        calib_a=np.ones(1),
        calib_b=np.zeros(1),
    )
    text = "Cảnh báo lừa đảo qua mạng"
    assert clf.explain(text, "scam", k=1) == ["lừa đảo"]
    assert clf.explain(text, "not_scam", k=1) == ["cảnh báo"]


def test_save_and_load_round_trip(tmp_path: Path, shipped: ShippedModels) -> None:
    clf = shipped.get("misinformation")
    clf.save(tmp_path)
    meta = dict(clf.metadata)
    meta.pop("artifact_sha256", None)
    (tmp_path / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    again = TextClassifier.from_folder(tmp_path)
    text = ["Tin đồn vỡ đập là sai sự thật, công ty thủy điện khẳng định"]
    np.testing.assert_allclose(again.predict_proba(text), clf.predict_proba(text), rtol=1e-6)
    assert again.thresholds == clf.thresholds


def test_model_folder_names_are_dated_reproducibly(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.training.train_all import folder_name

    monkeypatch.delenv("MEDIAWATCH_MODEL_DATE", raising=False)
    assert folder_name("scam", "logreg", "mwlabelled") == _manifest()["scam"], "a rebuild reproduces the folder"
    monkeypatch.setenv("MEDIAWATCH_MODEL_DATE", "20270101")
    assert folder_name("scam", "logreg", "mwlabelled") == "scam_logreg_mwlabelled_20270101"
    monkeypatch.setenv("MEDIAWATCH_MODEL_DATE", "2027-01-01")
    with pytest.raises(ValueError):
        folder_name("scam", "logreg", "mwlabelled")


def test_explanation_columns_do_not_depend_on_the_hash_seed() -> None:
    """Reasons sum per-column contributions in this order: it must be the same in every process."""
    import subprocess
    import sys

    code = (
        "from nlp.models import FeatureSpec; "
        "spec = FeatureSpec(n_features=2**18, ngram_max=2, fold=True, char_features=2**16); "
        "print(spec.char_columns('nguoiquangnam'))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(outputs) == 1


def test_segmented_words_fill_their_own_last_columns_and_survive_a_round_trip() -> None:
    """VNTC's spec hashes underthesea's words ("bóng_đá" as one token) after the n-gram columns."""
    spec = FeatureSpec(n_features=2**10, fold=False, segmented_features=2**8)
    assert spec.dim == 2**10 + 2**8
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    older = {k: v for k, v in spec.to_dict().items() if k != "segmented_features"}
    assert FeatureSpec.from_dict(older).segmented_features == 0  # metadata written before the field
    counts = spec.counts(["Đội tuyển bóng đá thắng"]).toarray()[0]
    compound = spec.n_features + spec.segmented_hasher().transform(["bóng_đá"]).indices[0]
    assert counts[compound] == 1.0
    assert counts[spec.n_features :].sum() == 3.0  # đội_tuyển, bóng_đá, thắng
    plain = FeatureSpec(n_features=2**10, fold=False)
    assert np.array_equal(counts[: spec.n_features], plain.counts(["Đội tuyển bóng đá thắng"]).toarray()[0])


def test_card_describes_the_features_of_its_own_spec() -> None:
    from nlp.training.cards import features_sentence

    folded = features_sentence(FeatureSpec(n_features=2**10, fold=True, char_features=2**8).to_dict())
    assert "no diacritics" in folded and "character n-grams" in folded and "segmentation" not in folded
    vntc_like = features_sentence(FeatureSpec(n_features=2**10, fold=False, segmented_features=2**8).to_dict())
    assert "diacritics kept" in vntc_like and "underthesea's segmentation" in vntc_like
