"""Gazetteer rules added for collected items: other-province qualifiers, bare prefix-only names after a
place word, diacritics as written, district names overlapping a commune name, compact abbreviations."""

import pytest

from nlp.places import load_gazetteer

GAZ = load_gazetteer()


def districts(text: str, *, context: bool = True) -> list[str | None]:
    return [p.district for p in GAZ.find(text, province_context=context)]


@pytest.mark.parametrize(
    "text",
    [
        "Thị xã Bình Minh, tỉnh Vĩnh Long khánh thành cầu mới",
        "Xã Phú Ninh, huyện Tam Nông, tỉnh Phú Thọ có ổ dịch",
        "Kẹt xe ở Tân Bình, TP.HCM suốt buổi sáng",
        "Làng nghề ở xã Phước Sơn, huyện Tuy Phước vào mùa",
        "Công an phường An Mỹ, TP Tuy Hòa bắt đối tượng",
        "Mỹ Sơn ở Ninh Thuận có nắng nóng",
        "ngắm bình minh ở biển rất đẹp",
        "cong an xa dang xu ly vu viec",
    ],
)
def test_names_placed_elsewhere_or_common_words_do_not_count_even_in_province_context(text: str) -> None:
    assert districts(text) == []


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Nước máy ở Đông Phú đục ngầu", "Quế Sơn"),
        ("Chợ Hà Lam nhộn nhịp ngày giáp Tết", "Thăng Bình"),
        ("Ghe lật trên sông đoạn qua Duy Phước", "Duy Xuyên"),
        ("nong dan o binh lam thu hoach que", "Hiệp Đức"),
        ("Tai nạn trên quốc lộ đoạn qua Điện Thắng", "Điện Bàn"),
        ("Công an thị trấn Tắc Pỏ tuần tra", "Nam Trà My"),
        ("que Hiep Duc nam nay duoc gia", "Hiệp Đức"),
        ("TP.Tam Kỳ mưa lớn", "Tam Kỳ"),
        ("Cháy kho hàng trong KCN Tam Hiệp", "Núi Thành"),
        ("xã Tam Hòa, huyện Núi Thành", "Núi Thành"),
    ],
)
def test_collected_item_mentions_resolve(text: str, district: str) -> None:
    assert district in districts(text)


def test_unmarked_name_in_a_text_with_diacritics_is_read_as_written() -> None:
    assert districts("Các bãi tắm ở Tam Thanh tạm cấm tắm biển") == ["Tam Kỳ"]
    assert districts("cac bai tam o tam thanh tam cam tam bien") == [None]  # Tam Thanh / Thành / Thạnh


def test_bare_prefix_only_name_needs_a_place_word_and_an_enumeration_of_home_places_is_kept() -> None:
    assert districts("Bình Minh đến sớm") == []
    assert districts("Du khách đến Hội An, Đà Nẵng ngày càng đông") == ["Hội An"]
    assert districts("Bà con ở Bình Dương gửi quà về quê") == []  # also another province's name


def test_analyze_path_keeps_the_strict_rule() -> None:
    assert districts("Nước máy ở Đông Phú đục ngầu", context=False) == []


def test_da_nang_does_not_place_a_name_elsewhere_since_the_2025_merger() -> None:
    assert districts("Khách đông ở phường Cẩm Phô, TP Đà Nẵng") == ["Hội An"]


def test_a_bare_prefix_only_name_in_a_list_of_places_counts() -> None:
    assert districts("Các bãi tắm Tam Thanh, Bình Minh tạm cấm tắm biển") == ["Tam Kỳ", "Thăng Bình"]
    assert districts("Hội An, bình minh đến sớm") == ["Hội An"]
