"""Hand-written Vietnamese test texts: one story told several ways, and unrelated stories on the same topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from records.identity import content_hash
from records.schema import Flag, FlagKind, Item, SourceKind
from records.textfold import fold
from tests.factories import build_item

T0 = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)

DAM_ORIGINAL = (
    "Thủy điện Đăk Mi 4 tăng lưu lượng xả lũ, hạ du Đại Lộc ngập sâu",
    "Chiều 19/10, Công ty cổ phần Thủy điện Đăk Mi 4 thông báo tăng lưu lượng xả qua tràn lên 2.500 m3/s. "
    "Nước sông Vu Gia lên nhanh khiến nhiều thôn ở các xã Đại Hồng, Đại Lãnh, Đại Quang của huyện Đại Lộc "
    "bị ngập sâu. Chính quyền địa phương đã di dời hơn 300 hộ dân đến nơi an toàn và yêu cầu người dân "
    "không qua lại các ngầm tràn.",
)
# The same article republished by another paper with a new headline and a closing sentence added.
DAM_SYNDICATED = (
    "Đăk Mi 4 xả lũ 2.500 m3/s, nhiều xã ở Đại Lộc chìm trong nước",
    DAM_ORIGINAL[1] + " Lực lượng chức năng đang túc trực tại các điểm xung yếu.",
)
# A paraphrase: other words, same facts.
DAM_PARAPHRASE = (
    "Hạ du Vu Gia ngập nặng sau khi Đăk Mi 4 nâng mức xả tràn",
    "Sau khi thủy điện Đăk Mi 4 nâng lưu lượng xả tràn lên khoảng 2.500 m3/s vào chiều 19/10, mực nước sông "
    "Vu Gia dâng nhanh. Các xã Đại Hồng, Đại Lãnh và Đại Quang (huyện Đại Lộc) có nhiều thôn ngập sâu, "
    "hơn 300 hộ dân đã được di dời.",
)
# A social post that says it without diacritics.
DAM_NO_DIACRITICS = (
    "",
    "Dak Mi 4 dang xa lu 2.500 m3/s, nuoc song Vu Gia len nhanh lam, cac xa Dai Hong Dai Lanh Dai Quang "
    "huyen Dai Loc ngap sau het roi. Nghe noi da di doi hon 300 ho dan, moi nguoi o ha du can than.",
)
# Short posts: only ever suggested.
DAM_SHORT = ("", "Đăk Mi 4 xả lũ 2.500 m3/s, Đại Lộc ngập sâu!")

# Same topic (disaster, floods), other stories.
UNRELATED_FLOOD = (
    "Sạt lở núi ở Nam Trà My, chia cắt nhiều tuyến đường",
    "Mưa lớn kéo dài làm sạt lở nghiêm trọng trên tuyến ĐT616 đoạn qua xã Trà Mai, huyện Nam Trà My. "
    "Hàng nghìn khối đất đá đổ xuống mặt đường khiến giao thông bị chia cắt hoàn toàn. Ngành giao thông "
    "đang huy động máy móc để thông tuyến trong ngày.",
)
UNRELATED_FLOOD_2 = (
    "Nông Sơn: nước lũ dâng cao, chợ Trung Phước ngập gần một mét",
    "Nước sông Thu Bồn dâng cao trong đêm qua làm khu vực chợ Trung Phước, huyện Nông Sơn ngập gần một mét. "
    "Tiểu thương đã kịp di chuyển hàng hóa lên cao, chưa có thiệt hại về người.",
)
UNRELATED_DAM = (
    "Thủy điện Sông Tranh 2 điều tiết hồ chứa, Bắc Trà My cảnh báo người dân",
    "Công ty Thủy điện Sông Tranh 2 thông báo điều tiết nước hồ chứa từ 14 giờ hôm nay. UBND huyện Bắc Trà My "
    "đề nghị người dân vùng hạ du sông Tranh không đánh bắt cá, không neo đậu thuyền trên sông.",
)


def make_item(
    title: str,
    text: str,
    *,
    source: str,
    at: datetime = T0,
    n: int = 0,
    kind: SourceKind = SourceKind.press,
    topics: list[str] | None = None,
    flags: list[Flag] | None = None,
    district: str | None = None,
    reach: int | None = None,
) -> Item:
    return build_item(
        url=f"https://{source}.example.vn/bai-{n}-{content_hash(title, text)[:10]}",
        title=title,
        text=text,
        source_id=source,
        kind=kind,
        published_at=at,
        collected_at=at + timedelta(minutes=5),
        topics=topics if topics is not None else ["disaster"],
        districts=[district] if district else [],
        flags=flags or [],
        reach=reach,
    )


def misinformation_flag(score: float = 0.9) -> Flag:
    return Flag(kind=FlagKind.misinformation, score=score, reasons=["giống tin sai đã xác minh"])


def scam_flag(score: float = 0.9) -> Flag:
    return Flag(kind=FlagKind.scam, score=score, reasons=["yêu cầu chuyển tiền"])


def folded(text: str) -> str:
    return fold(text)

# Same dam and district, another event: must not join the discharge story.
UNRELATED_SAME_PLACE = (
    "Đại Lộc: khởi công cầu Hà Nha mới bắc qua sông Vu Gia",
    "Sáng nay, UBND huyện Đại Lộc tổ chức lễ khởi công xây dựng cầu Hà Nha mới bắc qua sông Vu Gia với tổng "
    "vốn đầu tư 250 tỷ đồng. Cây cầu dài 900 m, dự kiến hoàn thành sau 24 tháng, giúp người dân các xã "
    "Đại Đồng, Đại Hồng đi lại thuận tiện, nhất là vào mùa mưa lũ.",
)
UNRELATED_SAME_DAM = (
    "Thủy điện Đăk Mi 4 bị xử phạt vì vận hành hồ chứa sai quy trình",
    "Thanh tra Bộ Công Thương vừa ra quyết định xử phạt Công ty cổ phần Thủy điện Đăk Mi 4 số tiền 120 triệu "
    "đồng do vận hành hồ chứa không đúng quy trình liên hồ chứa trên lưu vực sông Vu Gia - Thu Bồn trong "
    "mùa khô năm nay.",
)
