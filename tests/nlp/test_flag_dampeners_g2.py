"""Complaints asking the commune to act and plain incident news dampen the misinformation flag."""

import pytest

from nlp.cues import load_cues
from nlp.flags import load_flag_rules, score_flags
from nlp.matching import FoldedText
from nlp.normalize import normalize

CUES = load_cues()
RULES = load_flag_rules()


def hits(text: str) -> list:
    return CUES.find(FoldedText.of(normalize(text)))


def misinformation_score(text: str, p: float) -> float:
    flags = score_flags(RULES, hits=hits(text), claim=None, proba={"misinformation": p}, official=False)
    return next((f.score for f in flags if f.kind == "misinformation"), 0.0)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Bãi rác cuối thôn bốc mùi cả tuần nay, mong xã cho xe xuống chở đi.", "complaint"),
        ("bai rac cuoi thon boc mui ca tuan nay, mong xa cho xe xuong cho di", "complaint"),
        ("Ngôi nhà bị cháy lúc rạng sáng, người dân đã dập tắt đám cháy, không có thiệt hại về người.", "reporting"),
        ("Mì Quảng ở quê vẫn ngon hơn ngoài phố, ý kiến riêng thôi.", "complaint"),
    ],
)
def test_new_dampener_phrases_are_found(text: str, group: str) -> None:
    assert group in {h.group.name for h in hits(text)}


def test_hoax_without_dampener_phrases_is_not_dampened() -> None:
    text = "Đập thủy điện đã nứt, tối nay nước sẽ tràn về ba xã hạ du."
    assert not {h.group.name for h in hits(text)} & {"complaint", "reporting"}


def test_complaint_scores_below_the_same_model_probability_without_it() -> None:
    p = 0.6
    plain = misinformation_score("Nước thải chảy ra biển, cá chết dạt vào bờ.", p)
    complaint = misinformation_score("Nước thải chảy ra biển, cá chết dạt vào bờ, mong xã xuống kiểm tra.", p)
    assert plain >= RULES.kinds["misinformation"].threshold
    assert complaint < plain
    assert complaint < RULES.kinds["misinformation"].threshold
