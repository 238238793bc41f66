"""Rule validation for the admin API: clear InputError messages, and the remedy-is-information guard."""

from __future__ import annotations

import copy

import pytest

from mediawatch.settings import REPO_ROOT
from records.errors import InputError
from routing.rules import validate_rule
from routing.units import UnitDirectory

GOOD = {
    "id": "scam-hoi-an",
    "description": "Lừa đảo du khách ở Hội An",
    "match": {"kinds": ["scam"], "districts": ["Hội An"], "min_severity": 2},
    "lead": "cong_an_tinh",
    "partners": ["so_tttt", "by_district"],
    "action": "Phát cảnh báo công khai cho du khách và người dân trên kênh chính thức.",
    "deadline_hours": {"1": 48, "2": 24, "3": 12, "4": 6, "5": 3},
}


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return UnitDirectory.load(REPO_ROOT / "config")


def test_a_good_rule_validates(units: UnitDirectory) -> None:
    rule = validate_rule(GOOD, units=units)
    assert rule.deadline_hours[5] == 3 and rule.match.specificity == 2


def changed(path: str, value) -> dict:
    doc = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (changed("match.kinds", ["spam"]), "match.kinds"),
        (changed("match.kinds", []), "match.kinds"),
        (changed("match.topics", ["weather"]), "chủ đề không tồn tại: weather"),
        (changed("match.min_severity", 9), "match.min_severity"),
        (changed("deadline_hours", {"1": 48, "2": 24}), "mỗi mức độ"),
        (changed("deadline_hours", {"1": 4, "2": 8, "3": 12, "4": 24, "5": 48}), "không được có thời hạn dài hơn"),
        (changed("lead", "so_khong_ton_tai"), "không có đơn vị 'so_khong_ton_tai'"),
        (changed("lead", "by_source"), "chỉ dùng được cho đơn vị phối hợp"),
        (changed("partners", ["ban_bi_mat"]), "partners"),
        (changed("match.districts", ["Atlantis"]), "không biết địa bàn 'Atlantis'"),
        (changed("id", "Có dấu cách"), "trường 'id'"),
        (changed("action", KeyError), "trường 'action'"),
        (dict(GOOD, color="red"), "color"),
        (changed("action", "Yêu cầu gỡ bỏ bài viết và khóa tài khoản người đăng."), "cung cấp thông tin"),
        (changed("action", "Yeu cau go bai ngay lap tuc tren trang."), "cung cấp thông tin"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(units: UnitDirectory, doc: dict, needle: str) -> None:
    with pytest.raises(InputError) as err:
        validate_rule(doc, units=units)
    assert needle in str(err.value)
    assert str(err.value).startswith("Quy tắc định tuyến không hợp lệ")


def test_not_an_object() -> None:
    with pytest.raises(InputError, match="đối tượng JSON"):
        validate_rule(["not", "a", "rule"])


def test_configuration_problems_fail_loudly(tmp_path) -> None:
    import shutil

    from records.errors import ConfigError
    from routing.rules import load_routing_config

    with pytest.raises(ConfigError, match=r"units\.yaml"):
        UnitDirectory.load(tmp_path)
    shutil.copy(REPO_ROOT / "config" / "units.yaml", tmp_path / "units.yaml")
    text = (REPO_ROOT / "config" / "routing.yaml").read_text(encoding="utf-8")
    (tmp_path / "routing.yaml").write_text(text.replace("health: so_y_te", "health: so_khong_co"), encoding="utf-8")
    with pytest.raises(ConfigError, match="so_khong_co"):
        load_routing_config(tmp_path, UnitDirectory.load(tmp_path))
    (tmp_path / "routing.yaml").write_text(text.replace("lead: cong_an_tinh", "lead: so_khong_co"), encoding="utf-8")
    with pytest.raises(ConfigError, match="scam"):
        load_routing_config(tmp_path, UnitDirectory.load(tmp_path))


def test_every_district_has_its_peoples_committee(units: UnitDirectory) -> None:
    from sample_site.content import DISTRICTS

    for district in DISTRICTS:
        unit = units.get(units.district_unit(district) or "")
        assert unit is not None and unit.name.startswith("UBND ") and unit.name.endswith(district), district
