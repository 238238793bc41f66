"""Topic keyword rules and transparent cues, on folded text (with or without diacritics)."""

from pathlib import Path

import pytest

from nlp.cues import load_cues
from nlp.matching import FoldedText
from nlp.normalize import normalize
from nlp.topics import TopicScore, load_topic_config, load_topic_rules
from records.errors import ConfigError
from records.schema import TOPIC_IDS

RULES = load_topic_rules()
CUES = load_cues()


def topics(text: str) -> list[str]:
    return RULES.decide(RULES.scores(FoldedText.of(normalize(text)).folded))


def groups(text: str) -> set[str]:
    return {h.group.name for h in CUES.find(FoldedText.of(normalize(text)))}


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Mưa lũ khiến nhiều nhà ở Đại Lộc ngập sâu", "disaster"),
        ("mua lu khien nhieu nha o dai loc ngap sau", "disaster"),
        ("Xe tải lật trên quốc lộ 1A, một người tử vong trong vụ tai nạn giao thông", "accident"),
        ("Công an bắt giữ đối tượng trộm cắp xe máy", "public_order"),
        ("Bệnh viện Đa khoa tỉnh tiếp nhận 30 ca sốt xuất huyết", "health"),
        ("Học sinh được miễn học phí năm học mới", "education"),
        ("Người dân chưa nhận tiền đền bù giải phóng mặt bằng", "land"),
        ("Nhà máy xả nước thải gây ô nhiễm sông", "environment"),
        ("Giá lúa tăng, doanh nghiệp đẩy mạnh xuất khẩu", "economy"),
        ("Du khách đổ về phố cổ dịp lễ hội", "tourism_culture"),
        ("Tuyến đường xuống cấp, ổ gà khắp nơi; khu dân cư mất điện", "infrastructure"),
        ("Lấy ý kiến dự thảo nghị quyết về thủ tục hành chính", "governance"),
    ],
)
def test_each_topic_has_working_rules(text: str, topic: str) -> None:
    assert topic in topics(text)


def test_rules_are_multi_label_and_negative_phrases_subtract() -> None:
    text = "Lũ lụt làm sạt lở tuyến đường, cây cầu bị cuốn trôi, mất điện"
    assert {"disaster", "infrastructure"} <= set(topics(text))
    assert "disaster" not in topics("Cơn bão giá ập đến chợ")
    assert topics("Hôm nay trời đẹp, tôi đi dạo") == []


def test_decide_combines_rules_with_classifier() -> None:
    weak = {"health": TopicScore(RULES.support, ("suc khoe",))}
    assert RULES.decide(weak) == []
    assert RULES.decide(weak, {"health": 0.3}, {"health": 0.5}) == ["health"]
    assert RULES.decide({}, {"economy": 0.9}, {"economy": 0.5}) == ["economy"]
    assert RULES.decide({}, {"economy": 0.4}, {"economy": 0.5}) == []


def test_topic_config_names_every_topic() -> None:
    names, threshold = load_topic_config(Path("config"))
    assert set(names) == set(TOPIC_IDS)
    assert names["tourism_culture"] == "Du lịch – Văn hóa"
    assert 0 < threshold < 1


def test_bad_rules_file_fails_loudly(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("threshold: 1\nsupport: 0.5\ntopics:\n  weather: {keywords: {mưa: 1}}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_topic_rules(bad)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Chia sẻ ngay cho mọi người biết!", "share_call"),
        ("chia se ngay cho moi nguoi biet", "share_call"),
        ("Người nhà làm trong nhà máy nói vậy", "anonymous_insider"),
        ("Chính quyền giấu dân chuyện này", "authorities_hide"),
        ("Uống vào khỏi hoàn toàn", "impossible_certainty"),
        ("Vui lòng chuyển khoản phí nhận thưởng", "money_transfer"),
        ("Chúc mừng bạn đã trúng thưởng", "prize"),
        ("ck vào vietcombank 0123 456 789 ngay", "account_number"),
        ("Truy cập bit.ly/3xYz9 để nhận", "suspicious_link"),
        ("vào dichvucong-gov.com để khai báo", "suspicious_link"),
        ("Vui lòng đọc mã OTP cho nhân viên", "data_request"),
        ("Việc nhẹ lương cao, nhận hoa hồng", "easy_money"),
        ("Công an bác bỏ thông tin sai sự thật", "debunk"),
        ("Cảnh báo thủ đoạn lừa đảo mạo danh", "official_warning"),
        ("Người dân phản ánh đường hư hỏng", "complaint"),
    ],
)
def test_cue_groups(text: str, group: str) -> None:
    assert group in groups(text)


def test_official_domain_is_not_a_lookalike() -> None:
    assert "suspicious_link" not in groups("Tra cứu tại dichvucong.gov.vn hoặc quangnam.gov.vn")


def test_impersonation_needs_pressure_or_money() -> None:
    assert "impersonation" not in groups("Nhân viên điện lực sửa đường dây ở Tam Kỳ")
    assert "impersonation" in groups("Tôi là nhân viên điện lực, nếu không nộp phí trong 24h sẽ bị cắt điện")


def test_cue_reason_quotes_the_text_as_written() -> None:
    hits = CUES.find(FoldedText.of(normalize("KHẨN CẤP: share ngay kẻo muộn")))
    reasons = {h.group.name: h.reason for h in hits}
    assert reasons["share_call"] == "Kêu gọi chia sẻ gấp: «share ngay»"
    assert reasons["urgency"] == "Giục giã khẩn cấp: «KHẨN CẤP»"
