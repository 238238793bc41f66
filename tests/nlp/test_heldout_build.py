"""The held-out set's topic and place files are derived from its authors' files by fixed rules."""

from __future__ import annotations

import json
from pathlib import Path

from nlp.training import heldout_build


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _row(rid: str, text: str, topics: list[str], districts: list[str], **extra: str) -> dict:
    return {"id": rid, "text": text, "topics": topics, "districts": districts, "no_diacritics": False, **extra}


def _folder(tmp_path: Path) -> Path:
    _write(tmp_path / "misinformation.jsonl", [
        _row("mis-1", "Tin giả vỡ đập ở Bắc Trà My", ["disaster"], ["Bắc Trà My"], label="misinformation",
             category="fake_disaster_warning"),
        _row("mis-2", "Người dân hỏi về đường hỏng", ["infrastructure"], [], label="not_misinformation",
             category="complaint"),
    ])
    _write(tmp_path / "scam.jsonl", [
        _row("scam-1", "Chuyển tiền để nhận thưởng", [], ["Tam Kỳ"], label="scam", category="fake_prize"),
        _row("scam-2", "Công an cảnh báo lừa đảo", ["public_order"], [], label="not_scam", category="scam_warning"),
    ])
    _write(tmp_path / "hate.jsonl", [
        _row("hate-1", "Một câu không có chủ đề", [], [], label="not_hate_speech", category="opinion"),
        _row("hate-2", "Lễ hội của đồng bào ở Tây Giang", ["tourism_culture"], ["Tây Giang"],
             label="not_hate_speech", category="neutral_group_mention"),
    ])
    _write(tmp_path / "src" / "topics_general.jsonl", [
        _row("gen-1", "Lễ hội của đồng bào ở Tây Giang", ["tourism_culture"], ["Tây Giang"]),  # duplicate text
        _row("gen-2", "Chợ Hội An đông khách", ["economy"], ["Hội An"]),
    ])
    _write(tmp_path / "src" / "places_only.jsonl", [
        _row("pla-1", "Xã Bình Minh, thị xã Bình Minh, Vĩnh Long", [], [], category="ambiguous_out"),
        _row("pla-2", "Nước lên ở Ái Nghĩa", ["disaster"], ["Đại Lộc"], category="town"),
    ])
    return tmp_path


def test_topics_take_the_rows_the_rules_name_once_each(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in heldout_build.build(_folder(tmp_path))["topics.jsonl"].splitlines()]
    assert [r["origin"] for r in rows] == ["mis-1", "mis-2", "scam-2", "hate-2", "gen-2", "pla-2"]
    assert [r["id"] for r in rows] == [f"top-{i:04d}" for i in range(1, 7)]


def test_places_take_rows_naming_a_district_and_every_place_row(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in heldout_build.build(_folder(tmp_path))["places.jsonl"].splitlines()]
    assert [(r["origin"], r["category"]) for r in rows] == [
        ("mis-1", "mixed"), ("scam-1", "mixed"), ("hate-2", "mixed"), ("gen-2", "mixed"),
        ("pla-1", "ambiguous_out"), ("pla-2", "town"),
    ]
    assert rows[4]["districts"] == []


def test_write_then_check_round_trips_and_detects_a_stale_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "README.md").write_text("# Datasheet\n\nHand-written part.\n", encoding="utf-8")
    stats = heldout_build.write(folder)
    assert stats["topics.jsonl"]["n"] == 6 and stats["places.jsonl"]["no_district"] == 1
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Datasheet\n\nHand-written part.\n") and readme.count(heldout_build.README_START) == 1
    heldout_build.write(folder)  # idempotent: the generated section is replaced, not appended
    assert (folder / "README.md").read_text(encoding="utf-8") == readme
    assert heldout_build.main(["--check", "--folder", str(folder)]) == 0
    (folder / "places.jsonl").write_text("", encoding="utf-8")
    assert heldout_build.main(["--check", "--folder", str(folder)]) == 1


def test_everyday_set_is_derived_from_its_source_file_when_present(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert "everyday3.jsonl" not in heldout_build.build(folder)
    (folder / "src" / "everyday_v3.txt").write_text(
        "# label=0 | kind=everyday_post | reg=social\n"
        "Sáng mai ai đi Quế Sơn cho em quá giang với\n"
        "# label=1 | kind=fake_disaster_warning | reg=social_nodiacritics\n"
        "Thuy dien xa lu khan cap dem nay\n",
        encoding="utf-8",
    )
    rows = [json.loads(line) for line in heldout_build.build(folder)["everyday3.jsonl"].splitlines()]
    assert [(r["id"], r["label"], r["category"], r["no_diacritics"]) for r in rows] == [
        ("day3-0001", "not_misinformation", "everyday_post", False),
        ("day3-0002", "misinformation", "fake_disaster_warning", True),
    ]
