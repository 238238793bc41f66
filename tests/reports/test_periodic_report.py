"""The plan's periodic report: a .docx with the expected tables and figures, CSVs beside it."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest
from docx import Document
from report_seed import TZ

from alerts.messages import number, topic_name
from records.errors import InputError
from reports.periodic import build_report, parse_period
from reports.policy_watch import add_policy
from store.base import ItemQuery

H2_START = datetime(2026, 7, 1, tzinfo=TZ)
H2_END = datetime(2027, 1, 1, tzinfo=TZ)
EXPECTED_CSV = ["tong_hop", "theo_thang", "theo_chu_de", "theo_dia_ban", "dau_hieu", "ket_luan", "don_vi",
                "su_viec", "canh_bao", "chinh_sach", "nhiem_vu"]


def _table_with_header(doc, first: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first)


def test_six_month_report_has_the_plan_form_tables_and_csvs(seeded, settings, tmp_path) -> None:
    add_policy(seeded, title="Dự thảo quy định mức thu học phí", keywords=["học phí"], opens=date(2026, 11, 20),
               closes=date(2026, 12, 20), actor="analyst1")
    out = build_report(seeded, "2026-H2", out=tmp_path / "bc" / "bao-cao-2026-H2.docx", settings=settings,
                       clock=lambda: datetime(2027, 1, 5, 3, tzinfo=UTC))
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(c.text for row in doc.tables[0].rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header and "Độc lập - Tự do - Hạnh phúc" in header
    assert "ngày 05 tháng 01 năm 2027" in header
    assert "BÁO CÁO" in text and "6 tháng cuối năm 2026" in text and "mục IV" in text
    for part in ("I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG", "IV. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert part in text
    assert len(doc.inline_shapes) == 3  # the three figures

    period = ItemQuery(since=H2_START, until=H2_END)
    summary = _table_with_header(doc, "Chỉ tiêu")
    assert summary.rows[1].cells[1].text == number(seeded.count(period))
    topics = _table_with_header(doc, "Chủ đề")
    shown = {r.cells[0].text: r.cells[1].text for r in topics.rows[1:]}
    assert shown == {topic_name(t): number(n) for t, n in seeded.facet_counts(period, "topic").items()}
    months = _table_with_header(doc, "Tháng")
    assert [r.cells[0].text for r in months.rows[1:]] == [f"{m:02d}/2026" for m in range(7, 13)]
    units = _table_with_header(doc, "Đơn vị")
    assert {r.cells[0].text for r in units.rows[1:]} == {"Sở Y tế", "Công an tỉnh"}
    tasks = _table_with_header(doc, "Nhiệm vụ (mục của Kế hoạch)")
    assert [r.cells[0].text.rsplit("(", 1)[1] for r in tasks.rows[1:]] == ["II.3)", "II.4.a)", "II.4.b)", "II.7.c)",
                                                                          "I.1)"]
    assert tasks.rows[1].cells[2].text.startswith(number(seeded.count(period)))
    policies = _table_with_header(doc, "Dự thảo")
    assert policies.rows[1].cells[0].text == "Dự thảo quy định mức thu học phí"

    for name in EXPECTED_CSV:
        assert (out.parent / f"{out.stem}_{name}.csv").exists(), name
    with (out.parent / f"{out.stem}_theo_chu_de.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Chủ đề", "Số tin, bài"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == {
        topic_name(t): n for t, n in seeded.facet_counts(period, "topic").items()
    }
    with (out.parent / f"{out.stem}_don_vi.csv").open(encoding="utf-8-sig") as fh:
        unit_rows = {r[0]: r for r in csv.reader(fh)}
    # two assigned, two resolved (after 20 h and 30 h against a 24 h deadline: one on time), median 3 h
    assert unit_rows["Sở Y tế"][1:] == ["2", "2", "2", "1", "3.0"]


def test_year_report_and_periods(seeded, settings, tmp_path) -> None:
    out = build_report(seeded, "2026", out=tmp_path / "nam.docx", settings=settings)
    doc = Document(str(out))
    assert any("năm 2026" in p.text for p in doc.paragraphs)
    months = _table_with_header(doc, "Tháng")
    assert len(months.rows) == 13
    assert parse_period("2026-H1").end == date(2026, 7, 1)


@pytest.mark.parametrize("bad", ["2026-H3", "26", "2026-Q1", "H2-2026"])
def test_bad_periods_are_refused(bad) -> None:
    with pytest.raises(InputError):
        parse_period(bad)
