"""Gazetteer: communes, dams and landmarks resolve to their district, with and without diacritics."""

import pytest

from nlp.places import load_gazetteer

GAZ = load_gazetteer()


def districts(text: str) -> list[str | None]:
    return [p.district for p in GAZ.find(text)]


def test_all_eighteen_units_are_known() -> None:
    assert len(GAZ.districts) == 18
    assert {"Tam Kỳ", "Hội An", "Điện Bàn", "Tây Giang", "Nam Trà My"} <= set(GAZ.districts)
    assert GAZ.version


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Lũ lụt ở Đại Lộc", "Đại Lộc"),
        ("lu lut o dai loc", "Đại Lộc"),
        ("Sạt lở tại xã Trà Leng", "Nam Trà My"),
        ("sat lo tai xa tra leng", "Nam Trà My"),
        ("Thủy điện Đăk Mi 4 xả lũ", "Phước Sơn"),
        ("thuy dien dak mi 4 xa lu", "Phước Sơn"),
        ("Khách đông ở phố cổ Hội An", "Hội An"),
        ("Tàu cập cảng Kỳ Hà", "Núi Thành"),
        ("TX Điện Bàn mở rộng đường", "Điện Bàn"),
        ("H. Đại Lộc cấm đường", "Đại Lộc"),
        ("Ngập ở phường Vĩnh Điện", "Điện Bàn"),
        ("thánh địa Mỹ Sơn đón khách", "Duy Xuyên"),
        ("Sông Tranh 2 rung chấn", "Bắc Trà My"),
    ],
)
def test_mention_resolves_to_district(text: str, district: str) -> None:
    assert district in districts(text)


def test_longest_match_first_and_river_resolves_to_null() -> None:
    found = GAZ.find("Nước sông Thu Bồn và sông Tam Kỳ dâng cao")
    assert [(p.name, p.district, p.place_type) for p in found] == [
        ("Thu Bồn", None, "river"),
        ("sông Tam Kỳ", None, "river"),
    ]


def test_diacritics_decide_between_folded_twins() -> None:
    assert GAZ.find("xã Tam Thành, Quảng Nam")[0].district == "Phú Ninh"
    assert GAZ.find("xã Tam Thanh, Quảng Nam")[0].district == "Tam Kỳ"
    assert GAZ.find("xã Tam Thạnh, Quảng Nam")[0].district == "Núi Thành"


@pytest.mark.parametrize("text", ["Chị Trà My ở Hà Nội nấu ăn", "Đến Tân Bình, TP Hồ Chí Minh", "Mỹ Sơn ở Ninh Thuận"])
def test_ambiguous_names_ignored_out_of_context(text: str) -> None:
    assert GAZ.find(text) == []


def test_ambiguous_name_counts_in_province_context() -> None:
    assert "Bắc Trà My" in districts("Mưa lớn ở Trà My, Quảng Nam")
    assert "Nam Giang" in districts("Sạt lở ở Nam Giang, gần Thạnh Mỹ, tỉnh Quảng Nam")
    assert districts("Nam Giang") == []
    assert districts("huyện Nam Giang") == ["Nam Giang"]


def test_title_flag_and_distinct_mentions() -> None:
    title = "Lũ ở Hội An"
    found = GAZ.find(title + "\n" + "Hội An ngập sâu, Hoi An mất điện", title_chars=len(title))
    assert len(found) == 1
    assert found[0].in_title


def test_word_boundaries() -> None:
    assert GAZ.find("Tamkyxx Hoianz") == []


def test_caller_known_province_context_lets_ambiguous_names_count() -> None:
    text = "Mưa lớn kéo dài ở Phước Sơn, nhiều tuyến đường bị sạt lở"
    assert GAZ.find(text) == []
    found = GAZ.find(text, province_context=True)
    assert [(p.mention, p.district) for p in found] == [("Phước Sơn", "Phước Sơn")]
