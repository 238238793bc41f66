"""Topic rules phrases added for the topics weakest across authors (economy, infrastructure, environment, ...)."""

import pytest

from nlp.matching import FoldedText
from nlp.normalize import normalize
from nlp.topics import load_topic_rules

RULES = load_topic_rules()


def rule_topics(text: str) -> set[str]:
    return set(RULES.decide(RULES.scores(FoldedText.of(normalize(text)).folded)))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Công ty cấp nước thông báo ngừng cấp nước để sửa đường ống", "infrastructure"),
        ("cong ty cap nuoc thong bao ngung cap nuoc de sua duong ong", "infrastructure"),
        ("Thôn mình cuối cùng cũng có điện lưới quốc gia", "infrastructure"),
        ("Năm nay tiêu trúng mùa mà rớt giá", "economy"),
        ("hop tac xa ky hop dong bao tieu dua luoi", "economy"),
        ("Trại heo xả nước thải bốc mùi cả xóm", "environment"),
        ("Kiểm lâm phát hiện rừng tự nhiên bị chặt phá", "environment"),
        ("cong an bat doi tuong trom xe, thu giu tang vat", "public_order"),
        ("Sở Y tế khuyến cáo phòng bệnh cho trẻ", "health"),
        ("Thanh tra chỉ ra sai phạm, HĐND tỉnh yêu cầu làm rõ", "governance"),
        ("uong nuoc chanh moi sang la het soi than", "health"),
        ("Đoàn kiểm tra ATTP lấy mẫu ở chợ Tam Kỳ", "health"),
        ("Cửa hàng thanh lý tủ lạnh cũ, giảm giá 50%", "economy"),
    ],
)
def test_new_phrases_fire_with_and_without_diacritics(text: str, topic: str) -> None:
    assert topic in rule_topics(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # Support-weight phrases (below the rules' threshold) need the classifier to agree.
        ("Giá bán hôm nay thế nào", "economy"),
        ("Lượt xem lên nhanh quá", "disaster"),
        ("Mọi người chuyển tiền chưa", "public_order"),
        ("Sàn đầu tư này là gì", "economy"),
        ("Sàn đầu tư này là gì", "public_order"),
    ],
)
def test_support_phrases_do_not_assign_a_topic_alone(text: str, topic: str) -> None:
    assert topic not in rule_topics(text)
    score = RULES.scores(FoldedText.of(normalize(text)).folded)[topic].score
    assert RULES.support <= score < RULES.threshold
