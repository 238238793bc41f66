"""Flag thresholds are chosen for the whole flag formula (cues and dampeners), not the classifier alone."""

import numpy as np

from nlp.normalize import normalize
from nlp.training.flags import LEGITIMATE_KINDS, SystemCutoffs, constrained_threshold


def test_cutoffs_follow_cues_and_dampeners() -> None:
    texts = [normalize(t) for t in (
        "Hồ Phú Ninh sẽ xả tràn lớn vào tối mai",  # no cue: the model decides at the flag threshold
        "Cho em hỏi tin hồ Phú Ninh xả tràn lớn tối mai có thật không ạ?",  # a question: needs more
        "Sở khẳng định thông tin hồ Phú Ninh xả tràn lớn là sai sự thật, đề nghị không chia sẻ",  # a debunk
        "The dam will overflow tomorrow night, share now",  # not Vietnamese: the model is not used
    )]
    cut = SystemCutoffs("misinformation", texts)
    plain, question, debunk, english = cut.cutoffs
    assert 0.0 < plain <= 0.5 + 1e-6
    assert question > plain
    assert debunk > plain
    assert english == np.inf


def test_cue_evidence_alone_can_flag_a_scam() -> None:
    text = normalize("Chúc mừng bạn đã trúng thưởng! Chuyển khoản phí nhận thưởng vào Vietcombank 0123456789 "
                     "trong vòng 24 giờ, truy cập bit.ly/nhanqua")
    assert SystemCutoffs("scam", [text]).cutoffs[0] == 0.0


def test_constrained_threshold_uses_the_system_decision() -> None:
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.55])
    y = np.array([1, 1, 1, 0, 0])
    legit = np.array([False, False, False, True, True])
    plain = constrained_threshold(p, y, legit, min_precision=0.85, max_legit_rate=0.0)
    assert 0.6 < plain <= 0.7
    # a system that never flags the legitimate posts (dampened) can use a lower threshold
    never_legit = constrained_threshold(p, y, legit, min_precision=0.85, max_legit_rate=0.0,
                                        decide=lambda probs, t: (probs >= t) & ~legit)
    assert never_legit < plain


def test_questions_count_as_legitimate_content() -> None:
    assert {"question", "news", "criticism", "opinion", "complaint"} <= LEGITIMATE_KINDS


def test_cutoffs_use_the_rules_they_are_given() -> None:
    """An alternative formula (flag_crossauthor --rules) is what the threshold is chosen under."""
    import dataclasses

    from nlp.flags import load_flag_rules

    text = normalize("Hồ Phú Ninh sẽ xả tràn lớn vào tối mai")
    shipped = load_flag_rules()
    silent = dataclasses.replace(shipped.kinds["misinformation"], classifier_weight=0.0)
    rules = dataclasses.replace(shipped, kinds={**shipped.kinds, "misinformation": silent})
    assert SystemCutoffs("misinformation", [text]).cutoffs[0] < np.inf
    assert SystemCutoffs("misinformation", [text], rules=rules).cutoffs[0] == np.inf
