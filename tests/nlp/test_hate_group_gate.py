"""The hate-speech flag requires a group-target cue: it must find groups as people write them (with and
without diacritics, collective words + a region, people or faith) and stay silent on rudeness to one person."""

import pytest

from nlp.cues import load_cues
from nlp.flags import load_flag_rules
from nlp.matching import FoldedText
from nlp.normalize import normalize

CUES = load_cues()
REQUIRED = set(load_flag_rules().kinds["hate_speech"].requires)


def names_a_group(text: str) -> bool:
    return bool(REQUIRED & {h.group.name for h in CUES.find(FoldedText.of(normalize(text)))})


@pytest.mark.parametrize(
    "text",
    [
        "Dân Thanh Hóa ở đâu là loạn ở đó",
        "may dua quang ngai qua day toan an trom",
        "Người Cơ Tu trên núi lười lắm",
        "bon nguoi hoa lam an gian doi",
        "Mấy bà đi chùa toàn mê tín",
        "Bọn Công giáo chỉ biết nghe lời cha xứ",
        "Người khuyết tật sống chỉ làm gánh nặng",
        "tụi câm điếc bán vé số giả vờ",
        "Đàn bà thì đừng cho lái xe",
        "Người chuyển giới là thứ quái thai",
        "nguoi dan toc toan an bam",
    ],
)
def test_group_mentions_open_the_gate(text: str) -> None:
    assert names_a_group(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mày ngu như bò vậy mà cũng đòi làm quản lý",
        "Thằng cha bán cá cân điêu, mặt dày",
        "Đm trời nóng vãi, đi làm về như cá khô",
        "Con mẹ chủ trọ keo kiệt, cúp nước cả ngày",
        "Tháng năm này lúa được mùa",
        "Cán bộ xã làm ăn tắc trách, vô trách nhiệm",
    ],
)
def test_rudeness_to_one_person_and_untargeted_profanity_do_not(text: str) -> None:
    assert not names_a_group(text)


def test_other_author_rows_get_stable_splits_and_the_training_gate_is_the_flag_rule() -> None:
    from nlp.training.hate_speech import group_gate, other_author_records

    rows = other_author_records()
    for source in ("second_author", "third_author"):
        splits = {r["split"] for r in rows if r["source"] == source}
        assert splits == {"train", "dev", "test"}, f"{source}/hate.jsonl is part of the hate training data"
    assert [r["split"] for r in rows] == [r["split"] for r in other_author_records()]
    texts = ["Dân Thanh Hóa ở đâu là loạn ở đó", "Mày ngu như bò vậy mà cũng đòi làm quản lý"]
    assert group_gate([normalize(t) for t in texts]).tolist() == [names_a_group(t) for t in texts] == [True, False]
