"""First-hand sightings dampen the misinformation flag unless the text also carries a hoax marker (`unless`)."""

from pathlib import Path

import pytest

from nlp.cues import load_cues
from nlp.flags import load_flag_rules, score_flags
from nlp.matching import FoldedText
from nlp.normalize import normalize
from records.errors import ConfigError

CUES = load_cues()
RULES = load_flag_rules()


def groups(text: str) -> set[str]:
    return {h.group.name for h in CUES.find(FoldedText.of(normalize(text)))}


@pytest.mark.parametrize(
    "text",
    [
        "Vừa đi ngang cầu Câu Lâu thấy nước lên sát mặt cầu, ai đi qua đoạn đó chạy chậm nha",
        "Vua thay xe tai lat o doc Le Trach, moi nguoi di duong khac",  # written without diacritics
        "loa xã vừa báo mai cúp điện từ 7h, nhà nào cần thì tích nước trước nha",
    ],
)
def test_a_first_hand_sighting_with_advice_is_recognised(text: str) -> None:
    assert "first_hand" in groups(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mình vừa đi ngang đập Sông Tranh 2 thấy nứt đập rồi, sắp vỡ đập, bà con chạy ngay",  # alarming_event
        "Vừa thấy trực thăng chở xác người ở Nam Trà My, chia sẻ ngay cho mọi người biết",  # share_call
        "Vua thay xe cong an chan duong, chinh quyen dang giau chuyen gi do",  # authorities_hide
    ],
)
def test_a_sighting_with_a_hoax_marker_is_not_dampened(text: str) -> None:
    assert "first_hand" not in groups(text)


def test_the_dampener_lowers_the_misinformation_score_and_says_why() -> None:
    text = "Vừa đi ngang cầu Giao Thủy thấy nước lên nhanh, bà con ven sông kê đồ lên cao"
    hits = CUES.find(FoldedText.of(normalize(text)))
    plain = [h for h in hits if h.group.name != "first_hand"]
    proba = {"misinformation": 0.8}
    with_damper = score_flags(RULES, hits=hits, claim=None, proba=proba, official=False)
    without = score_flags(RULES, hits=plain, claim=None, proba=proba, official=False)
    before = next(f for f in without if f.kind.value == "misinformation")
    after = next(f for f in with_damper if f.kind.value == "misinformation")  # a confident model still flags
    assert after.score < before.score
    assert any(r.startswith("Đã giảm điểm vì: Người viết tự thấy tại chỗ") for r in after.reasons)


def test_unless_names_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_text(
        "groups:\n"
        "  seen:\n    kind: dampen\n    weight: 0.3\n    label: x\n    unless: [nowhere]\n    phrases: [vừa thấy]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unless names unknown groups"):
        load_cues(path)


def test_unless_drops_the_group_only_when_the_other_is_found(tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_text(
        "groups:\n"
        "  alarm:\n    kind: misinformation\n    weight: 0.2\n    label: a\n    phrases: [vỡ đập]\n"
        "  seen:\n    kind: dampen\n    weight: 0.3\n    label: s\n    unless: [alarm]\n    phrases: [vừa thấy]\n",
        encoding="utf-8",
    )
    cues = load_cues(path)
    found = [h.group.name for h in cues.find(FoldedText.of(normalize("vừa thấy nước lên")))]
    assert found == ["seen"]
    found = sorted(h.group.name for h in cues.find(FoldedText.of(normalize("vừa thấy vỡ đập"))))
    assert found == ["alarm"]
