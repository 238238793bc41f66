"""Vietnamese labels from configuration, with the ids as the fallback."""

from __future__ import annotations

from records.schema import TOPIC_IDS
from triage_api.labels import load_topic_names, load_unit_names


def test_topic_names_come_from_config_topics_yaml(tmp_path):
    (tmp_path / "topics.yaml").write_text(
        "topics:\n  - {id: disaster, name: Thiên tai}\n  - {id: health, name: Y tế}\n", encoding="utf-8"
    )
    names = load_topic_names(tmp_path)
    assert names["disaster"] == "Thiên tai" and names["health"] == "Y tế"
    assert names["land"] == "land"  # not in the file: its id


def test_topic_names_fall_back_to_ids_without_the_file(tmp_path):
    assert load_topic_names(tmp_path) == {t: t for t in TOPIC_IDS}
    assert load_unit_names(tmp_path) == {}


def test_unit_names_from_units_yaml(tmp_path):
    (tmp_path / "units.yaml").write_text(
        "units:\n  - {id: so_y_te, name: Sở Y tế}\n  - {id: cong_an_tinh, name: Công an tỉnh}\n", encoding="utf-8"
    )
    assert load_unit_names(tmp_path) == {"so_y_te": "Sở Y tế", "cong_an_tinh": "Công an tỉnh"}


def test_only_http_links_reach_an_href():
    from triage_api.templating import safe_href

    assert safe_href("https://baoquangnam.vn/bai-1") == "https://baoquangnam.vn/bai-1"
    assert safe_href("javascript:alert(1)") == "#"
    assert safe_href(" JavaScript:alert(1)") == "#"
    assert safe_href(None) == "#"
