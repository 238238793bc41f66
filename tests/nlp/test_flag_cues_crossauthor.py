"""Cue phrases added for a new writer's wording: generic hoax conventions and criticism/debunk vocabulary.

Each is written with and without diacritics (matching is on folded text) and in a second context, so a
phrase that only works for one sentence fails here.
"""

import pytest

from nlp.cues import load_cues
from nlp.matching import FoldedText
from nlp.normalize import normalize
from records.textfold import fold

CUES = load_cues()


def groups(text: str) -> set[str]:
    return {h.group.name for h in CUES.find(FoldedText.of(normalize(text)))}


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Mình có người quen làm trong ban chỉ huy, nói đêm nay xả lũ lớn lắm", "anonymous_insider"),
        ("Người nhà làm bên bệnh viện kể là đã có 3 ca tử vong", "anonymous_insider"),
        ("Thông báo chính thức chưa ra đâu nhưng mai nghỉ học chắc rồi", "anonymous_insider"),
        ("Đập nứt rồi bà con ơi, share giúp mình với", "share_call"),
        ("Xin mọi người chia sẻ để bà con vùng hạ du biết mà chạy", "share_call"),
        ("Công ty đưa tiền cho gia đình để im lặng, báo chí không hay biết", "authorities_hide"),
        ("Xã giấu nhẹm vụ này mấy tháng nay", "authorities_hide"),
        ("Uống nước lá này mỗi sáng là khỏi, không cần đi khám", "miracle_cure"),
    ],
)
def test_hoax_conventions_are_misinformation_cues(text: str, group: str) -> None:
    assert group in groups(text)
    assert group in groups(fold(text))  # the same without diacritics


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Chợ xây xong bỏ trống, tiền tỷ đổ sông đổ biển, lãng phí quá", "complaint"),
        ("Cắt nước không báo trước, dân phải đi mua nước bình", "complaint"),
        ("Đừng lấy cớ làm du lịch mà rào hết bãi biển", "complaint"),
        ("Clip lan truyền thực chất được quay ở tỉnh khác, báo đã đối chiếu với video gốc", "debunk"),
        ("Chuyên gia cho biết không thể dự báo đỉnh lũ trước nhiều tháng", "debunk"),
        ("Người dân không đi lại qua đập tràn, theo dõi bản tin chính thức", "official_warning"),
    ],
)
def test_criticism_and_debunk_wording_dampens(text: str, group: str) -> None:
    assert group in groups(text)
    assert group in groups(fold(text))
