"""Leave-one-author-out scores in the flag classifiers' calibration and threshold choice."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nlp.models import FeatureSpec
from nlp.training.flags import author_of, author_oof_scores, fit_flag_classifier


def test_author_of_reads_the_other_authors_source() -> None:
    assert author_of({"source": "third_author"}) == "third_author"
    assert author_of({"source": "mediawatch-authored"}) == "project"
    assert author_of({}) == "project"


def test_each_authors_scores_come_from_a_model_that_never_saw_that_author() -> None:
    # One private feature per row: a model fitted without a row cannot weigh that row's feature, so every
    # row of the held-out author gets the same score (the intercept); a leak would spread them.
    n = 12
    x = sp.identity(n, format="csr")
    y = np.array([1, 0] * (n // 2))
    authors = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    scores = author_oof_scores(x, y, authors, c=1.0)
    assert scores is not None
    for group in ("a", "b", "c"):
        held = np.array(authors) == group
        assert np.ptp(scores[held]) < 1e-9
    assert author_oof_scores(x, y, ["a"] * n, c=1.0) is None  # one author: nothing to leave out


def _records(author: str, n: int) -> list[dict[str, object]]:
    hoax = "chia sẻ gấp trước khi bị xóa, đập sắp vỡ"
    news = "UBND huyện họp bàn kế hoạch sửa đường"
    return [
        {"text": f"{hoax if i % 2 else news} số {i} {author}", "label": "misinformation" if i % 2 else "other",
         "kind": "fake" if i % 2 else "ordinary_news", "source": author}
        for i in range(n)
    ]


def test_fit_uses_an_author_run_only_when_several_authors_wrote_the_rows() -> None:
    spec = FeatureSpec(n_features=2**10, ngram_max=1, fold=True)
    kwargs = {"spec": spec, "repeats": 1, "c_grid": (1.0,), "system": False}
    mixed = _records("second_author", 20) + _records("third_author", 20)
    several = fit_flag_classifier("misinformation", mixed, [], **kwargs)  # type: ignore[arg-type]
    assert several.cv_metrics is not None and several.cv_metrics["author_runs"] == 1
    assert several.cv_metrics["n"] == 2 * len(mixed)  # one random-fold run + one leave-one-author-out run
    single = fit_flag_classifier("misinformation", _records("third_author", 40), [], **kwargs)  # type: ignore[arg-type]
    assert single.cv_metrics is not None and single.cv_metrics["author_runs"] == 0
    off = fit_flag_classifier("misinformation", mixed, [], by_author=False, **kwargs)  # type: ignore[arg-type]
    assert off.cv_metrics is not None and off.cv_metrics["author_runs"] == 0
