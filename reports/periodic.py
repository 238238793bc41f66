"""The plan's periodic report (section IV "Chế độ báo cáo"): six-month and year-end, as .docx.

Section IV asks departments and districts to report the results of policy communication work every
six months and at year end to the information and communications department, which consolidates
them for the provincial People's Committee. This module writes that report in the usual form of a
Vietnamese administrative report (issuer and national motto header, number and date line, title,
"Kính gửi", numbered parts I–IV, recipients and signature block) with the monitoring results
organised by the plan's tasks (II.3, II.4, II.5, II.7, I.1), tables and figures from the store,
and one CSV per table beside the document. Parts the software cannot know (assessment, next
tasks, proposals) are left as marked places for the unit to fill in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from alerts.messages import FLAG_NAMES, KIND_NAMES, STATUS_NAMES, number, topic_name
from mediawatch.settings import Settings
from records.errors import InputError
from records.schema import utcnow
from reports import charts
from reports.digest import SOURCE_KIND_NAMES, VERDICT_NAMES
from reports.figures import alert_counts, all_incidents, incident_figures, unit_names, volume
from reports.policy_watch import list_policies, overlapping, policy_coverage
from store.base import ItemQuery, Store

_PERIOD = re.compile(r"^(\d{4})(?:-H([12]))?$")
ISSUER_PARENT = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"
ISSUER = "TỔ CÔNG TÁC THÔNG TIN TRUYỀN THÔNG"
RECIPIENT = "Sở Thông tin và Truyền thông"
PLACE = "Quảng Nam"
TO_FILL = "[Đơn vị bổ sung]"


@dataclass(frozen=True)
class Period:
    label: str  # "2026-H2" or "2026"
    title: str  # "6 tháng cuối năm 2026"
    start: date
    end: date  # exclusive


def parse_period(period: str) -> Period:
    """``2026-H1``, ``2026-H2`` (six months) or ``2026`` (the year)."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise InputError(f"period must look like 2026-H1, 2026-H2 or 2026, got {period!r}")
    year = int(match.group(1))
    half = match.group(2)
    if half == "1":
        return Period(period, f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 7, 1))
    if half == "2":
        return Period(period, f"6 tháng cuối năm {year}", date(year, 7, 1), date(year + 1, 1, 1))
    return Period(period, f"năm {year}", date(year, 1, 1), date(year + 1, 1, 1))


Cell = str | int | float | None


def fmt(value: Cell) -> str:
    """A cell as the document shows it (Vietnamese number format; "–" for no value)."""
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return number(value)
    return value


@dataclass
class Table:
    """One table of the report, written both into the document and as a CSV file."""

    name: str  # CSV file suffix
    caption: str
    header: list[str]
    rows: list[list[Cell]]
    widths_cm: tuple[float, ...] = ()  # column widths in the document (default: equal)

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.header)
        writer.writerows([["" if v is None else v for v in row] for row in self.rows])
        return buffer.getvalue()


def _row(*cells: Cell) -> list[Cell]:
    return list(cells)


def _local(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def _months(start: date, end: date) -> list[tuple[date, date]]:
    out = []
    current = start
    while current < end:
        nxt = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
        out.append((current, min(nxt, end)))
        current = nxt
    return out


def _hours(value: float | None) -> str:
    return f"{number(value)} giờ" if value is not None else "–"


def build_tables(
    store: Store, period: Period, tz: ZoneInfo, units: dict[str, str] | None = None
) -> tuple[dict[str, Table], dict[str, bytes], dict]:
    """The report's tables, figures (PNG) and headline numbers, all from the store."""
    units = units or {}
    since, until = _local(period.start, tz), _local(period.end, tz)
    vol = volume(store, since, until, tz, daily=False)
    inc = incident_figures(store, since, until, top_n=10)
    alerts = alert_counts(store, since, until)
    incidents = all_incidents(store)
    tables: dict[str, Table] = {}

    tables["tong_hop"] = Table(
        "tong_hop",
        "Bảng 1. Tổng hợp kết quả theo dõi thông tin",
        ["Chỉ tiêu", "Số lượng"],
        [
            ["Tin, bài được thu thập", vol.total],
            *[_row(f"  Trong đó: {SOURCE_KIND_NAMES.get(k, k)}", n) for k, n in vol.by_kind.items()],
            ["Tin có dấu hiệu cần kiểm tra", vol.flagged_items],
            ["Sự việc mới phát sinh", inc.opened],
            ["Sự việc đã xử lý xong", inc.resolved],
            ["Sự việc còn đang xử lý cuối kỳ", inc.open_at_end],
            ["Trung vị thời gian phản hồi đầu tiên (giờ)", inc.median_response_hours],
            ["Cảnh báo đã phát", sum(alerts.values())],
        ],
    )
    month_rows: list[list[Cell]] = []
    for start, end in _months(period.start, period.end):
        s, e = _local(start, tz), _local(end, tz)
        month_rows.append([
            f"{start.month:02d}/{start.year}",
            store.count(ItemQuery(since=s, until=e)),
            store.count(ItemQuery(since=s, until=e, flagged=True)),
            sum(1 for i in incidents if s <= i.first_seen < e),
            sum(1 for i in incidents if i.resolved_at is not None and s <= i.resolved_at < e),
        ])
    tables["theo_thang"] = Table(
        "theo_thang", "Bảng 2. Diễn biến theo tháng",
        ["Tháng", "Tin, bài", "Tin có dấu hiệu", "Sự việc mới", "Sự việc xử lý xong"], month_rows,
    )
    tables["theo_chu_de"] = Table(
        "theo_chu_de", "Bảng 3. Thông tin theo chủ đề", ["Chủ đề", "Số tin, bài"],
        [[topic_name(t), n] for t, n in vol.by_topic.items()],
    )
    tables["theo_dia_ban"] = Table(
        "theo_dia_ban", "Bảng 4. Thông tin theo địa bàn", ["Địa bàn", "Số tin, bài"],
        [[d, n] for d, n in vol.by_district.items()],
    )
    tables["dau_hieu"] = Table(
        "dau_hieu", "Bảng 5. Tin có dấu hiệu sai sự thật, lừa đảo, kích động thù ghét",
        ["Loại dấu hiệu", "Số tin", "Số sự việc mới"],
        [[FLAG_NAMES[k], vol.by_flag.get(k, 0), inc.by_flag.get(k, 0)]
         for k in ("misinformation", "scam", "hate_speech")],
    )
    tables["ket_luan"] = Table(
        "ket_luan", "Bảng 6. Kết luận các sự việc đã xử lý xong", ["Kết luận", "Số sự việc"],
        [[VERDICT_NAMES.get(v, v), n] for v, n in inc.by_verdict.items()],
    )
    tables["don_vi"] = Table(
        "don_vi", "Bảng 9. Kết quả phản hồi, cung cấp thông tin theo đơn vị",
        ["Đơn vị", "Sự việc được giao", "Đã xử lý xong", "Xử lý xong có hạn", "Trong đó đúng hạn",
         "Trung vị thời gian phản hồi đầu tiên (giờ)"],
        widths_cm=(5.0, 2.2, 2.2, 2.2, 2.2, 2.2),
        rows=[[units.get(u.unit, u.unit), u.assigned, u.resolved, u.with_deadline, u.resolved_on_time,
          u.median_response_hours]
         for u in inc.units],
    )
    tables["su_viec"] = Table(
        "su_viec", "Bảng 8. Các sự việc nổi bật trong kỳ",
        ["Sự việc", "Chủ đề", "Địa bàn", "Mức độ", "Số tin trong kỳ", "Trạng thái", "Đơn vị chủ trì"],
        [[i.title, ", ".join(topic_name(t) for t in i.topics), ", ".join(i.districts), f"{i.severity}/5",
          n, STATUS_NAMES.get(str(i.status), str(i.status)), units.get(i.owner_unit or "", i.owner_unit)]
         for i, n in inc.top],
        widths_cm=(4.6, 1.9, 2.3, 1.2, 1.4, 1.6, 3.0),
    )
    tables["canh_bao"] = Table(
        "canh_bao", "Bảng 7. Cảnh báo khủng hoảng truyền thông đã phát", ["Loại cảnh báo", "Số cảnh báo"],
        [[KIND_NAMES.get(k, k), n] for k, n in alerts.items()],
    )
    policy_rows: list[list[Cell]] = []
    for policy in overlapping(list_policies(store), since, until, tz):
        cov = policy_coverage(store, policy, since=since, until=until, tz=tz, n_concerns=5)
        policy_rows.append([
            policy.title,
            f"{policy.opens:%d/%m/%Y} – {policy.closes:%d/%m/%Y}",
            cov.volume,
            "; ".join(p for p, _ in cov.concerns) or None,
            "; ".join(f"{label}: {number(n)}" for label, n in cov.reactions.items()),
        ])
    tables["chinh_sach"] = Table(
        "chinh_sach", "Bảng 10. Dư luận về các dự thảo chính sách lấy ý kiến trong kỳ",
        ["Dự thảo", "Thời gian lấy ý kiến", "Số tin, bài", "Nội dung được nhắc đến nhiều", "Tín hiệu phản hồi"],
        policy_rows,
        widths_cm=(4.0, 2.6, 1.6, 3.8, 4.0),
    )
    months = tables["theo_thang"].rows
    figures = {
        "theo_thang": charts.line([str(r[0]) for r in months], [int(r[1] or 0) for r in months],
                                  "Số tin, bài theo tháng"),
        "theo_chu_de": charts.hbar([topic_name(t) for t in vol.by_topic], list(vol.by_topic.values()),
                                   "Số tin, bài theo chủ đề"),
        "theo_dia_ban": charts.hbar(list(vol.by_district)[:18], list(vol.by_district.values())[:18],
                                    "Số tin, bài theo địa bàn"),
    }
    responded = sum(len(u.response_hours) for u in inc.units)
    tables["nhiem_vu"] = Table(
        "nhiem_vu", "Phụ lục. Số liệu theo nhiệm vụ của Kế hoạch",
        ["Nhiệm vụ (mục của Kế hoạch)", "Chủ trì theo Kế hoạch", "Số liệu trong kỳ"],
        widths_cm=(6.0, 4.0, 6.0),
        rows=
        [
            ["Theo dõi thông tin trên báo chí, cung cấp thông tin cho báo chí (II.3)", "Ban Tuyên giáo Tỉnh ủy",
             f"{number(vol.total)} tin, bài được theo dõi; {number(responded)} sự việc có phản hồi đầu tiên"],
            ["Quản lý thông tin trên báo chí, mạng xã hội (II.4.a)", "Sở Thông tin và Truyền thông",
             f"{number(vol.flagged_items)} tin, bài có dấu hiệu cần kiểm tra"],
            ["Phát hiện tin sai sự thật, cung cấp thông tin chính xác (II.4.b)", "Ban Tuyên giáo Tỉnh ủy",
             f"{number(inc.by_flag.get('misinformation', 0))} sự việc có dấu hiệu tin sai sự thật; "
             f"{number(inc.by_verdict.get('false', 0))} sự việc kết luận sai sự thật"],
            ["Xử lý sự cố, khủng hoảng truyền thông (II.7.c)", "Tổ công tác thông tin truyền thông tỉnh",
             f"{number(sum(alerts.values()))} cảnh báo; {number(inc.opened)} sự việc mới, "
             f"{number(inc.resolved)} sự việc xử lý xong"],
            ["Truyền thông dự thảo chính sách (I.1)", "Các sở, ban, ngành; UBND cấp huyện",
             f"{number(len(policy_rows))} dự thảo được theo dõi dư luận"],
        ],
    )
    headline = {
        "total": vol.total, "flagged": vol.flagged_items, "opened": inc.opened, "resolved": inc.resolved,
        "open_at_end": inc.open_at_end, "median_response_hours": inc.median_response_hours,
        "alerts": sum(alerts.values()), "units": len([u for u in inc.units if u.assigned or u.resolved]),
        "top_topic": next(iter(vol.by_topic), None), "policies": len(policy_rows),
    }
    return tables, figures, headline


# -- document ---------------------------------------------------------------------------------
def _para(doc, text: str = "", *, bold: bool = False, italic: bool = False, align=None, size: float | None = None,
          indent: bool = False):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.0)
    return p


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, size: float = 12,
               align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.text = ""
    lines = text.split("\n")
    p = cell.paragraphs[0]
    for n, line in enumerate(lines):
        if n:
            p = cell.add_paragraph()
        p.alignment = align
        run = p.add_run(line)
        run.bold = bold
        run.italic = italic
        run.font.size = Pt(size)


def _header(doc, issued: date) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_text(table.cell(0, 0), f"{ISSUER_PARENT}\n{ISSUER}", bold=True)
    _cell_text(table.cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", bold=True)
    _cell_text(table.cell(1, 0), "Số:       /BC-TCT")
    _cell_text(table.cell(1, 1), f"{PLACE}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
               italic=True)


def _table(doc, table: Table) -> None:
    _para(doc, table.caption, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    empty: list[Cell] = ["Không có số liệu trong kỳ", *([""] * (len(table.header) - 1))]
    rows = table.rows or [empty]
    t = doc.add_table(rows=1 + len(rows), cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, head in enumerate(table.header):
        _cell_text(t.cell(0, c), head, bold=True, size=11)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            numeric = isinstance(value, int | float)
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric and c else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(t.cell(r, c), fmt(value), size=11, align=align)
    if table.widths_cm:
        t.autofit = False
        for column, width in zip(t.columns, table.widths_cm, strict=False):
            column.width = Cm(width)  # the grid LibreOffice reads
        for row in t.rows:
            for cell, width in zip(row.cells, table.widths_cm, strict=False):
                cell.width = Cm(width)
    doc.add_paragraph()


def _figure(doc, png: bytes, caption: str) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, caption, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)


def _heading(doc, text: str) -> None:
    _para(doc, text, bold=True)


def _bullets(doc, lines: Sequence[str]) -> None:
    for line in lines:
        _para(doc, f"- {line}", indent=True)


def build_report(
    store: Store, period: str, *, out: Path, settings: Settings, clock: Callable[[], datetime] = utcnow
) -> Path:
    """Write the period's report to ``out`` (.docx) and its tables as CSV beside it; returns ``out``."""
    tz = ZoneInfo(settings.timezone)
    p = parse_period(period)
    tables, figures, h = build_tables(store, p, tz, unit_names(settings.config_dir))
    issued = clock().astimezone(tz).date()

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)

    _header(doc, issued)
    _para(doc)
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    _para(doc, f"Kết quả công tác truyền thông chính sách {p.title}", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "(Theo mục IV. Chế độ báo cáo, Kế hoạch triển khai thực hiện Chỉ thị số 07/CT-TTg ngày 21/3/2023 "
               "của Thủ tướng Chính phủ trên địa bàn tỉnh Quảng Nam)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          size=12)
    _para(doc, f"Kính gửi: {RECIPIENT}.", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"Thực hiện chế độ báo cáo tại mục IV của Kế hoạch, {ISSUER.capitalize()} báo cáo kết quả theo dõi, "
               f"xử lý thông tin trên báo chí, mạng xã hội {p.title} "
               f"(từ ngày {p.start:%d/%m/%Y} đến hết ngày {p.end - timedelta(days=1):%d/%m/%Y}) "
               "như sau:", indent=True)

    _heading(doc, "I. KẾT QUẢ THỰC HIỆN")
    _heading(doc, "1. Theo dõi thông tin trên báo chí, mạng xã hội (mục II.3 và II.7.c của Kế hoạch)")
    top_topic = topic_name(h["top_topic"]) if h["top_topic"] else "–"
    _para(doc, f"Trong kỳ, hệ thống đã thu thập và phân loại {number(h['total'])} tin, bài về tỉnh trên báo chí, "
               f"trang thông tin chính thống và mạng xã hội; chủ đề được quan tâm nhiều nhất là {top_topic}. "
               "Chi tiết tại Bảng 1 đến Bảng 4.", indent=True)
    _table(doc, tables["tong_hop"])
    _table(doc, tables["theo_thang"])
    _figure(doc, figures["theo_thang"], "Hình 1. Số tin, bài theo tháng")
    _table(doc, tables["theo_chu_de"])
    _figure(doc, figures["theo_chu_de"], "Hình 2. Số tin, bài theo chủ đề")
    _table(doc, tables["theo_dia_ban"])
    _figure(doc, figures["theo_dia_ban"], "Hình 3. Số tin, bài theo địa bàn")

    _heading(doc, "2. Phát hiện, xử lý tin giả, tin sai sự thật (mục II.4 của Kế hoạch)")
    _para(doc, f"Hệ thống đã nêu dấu hiệu cần kiểm tra đối với {number(h['flagged'])} tin, bài; mỗi dấu hiệu được "
               "cán bộ xem xét trước khi kết luận. Ý kiến phản ánh, góp ý, phê bình của người dân không bị coi là tin "
               "sai sự thật. Biện pháp xử lý là cung cấp thông tin chính xác qua kênh chính thống.", indent=True)
    _table(doc, tables["dau_hieu"])
    _table(doc, tables["ket_luan"])

    _heading(doc, "3. Xử lý sự cố, khủng hoảng truyền thông (mục II.7.c của Kế hoạch)")
    _para(doc, f"Trong kỳ có {number(h['opened'])} sự việc mới, {number(h['resolved'])} sự việc đã xử lý xong, "
               f"{number(h['open_at_end'])} sự việc còn đang xử lý cuối kỳ; đã phát {number(h['alerts'])} cảnh báo "
               "khi thông tin tăng đột biến hoặc sự việc nghiêm trọng.", indent=True)
    _table(doc, tables["canh_bao"])
    _table(doc, tables["su_viec"])

    _heading(doc, "4. Cung cấp thông tin, phản hồi dư luận (mục II.3, II.5.c và II.7.b của Kế hoạch)")
    _para(doc, f"{number(h['units'])} đơn vị được giao xử lý sự việc trong kỳ; trung vị thời gian từ khi phát hiện "
               f"đến phản hồi đầu tiên là {_hours(h['median_response_hours'])}.", indent=True)
    _table(doc, tables["don_vi"])

    _heading(doc, "5. Truyền thông dự thảo chính sách (mục I.1 của Kế hoạch)")
    _para(doc, f"Theo dõi dư luận về {number(h['policies'])} dự thảo chính sách lấy ý kiến trong kỳ.", indent=True)
    _table(doc, tables["chinh_sach"])

    _table(doc, tables["nhiem_vu"])

    _heading(doc, "II. ĐÁNH GIÁ CHUNG")
    _heading(doc, "1. Ưu điểm")
    _bullets(doc, [TO_FILL])
    _heading(doc, "2. Tồn tại, hạn chế và nguyên nhân")
    issues = []
    if h["open_at_end"]:
        issues.append(f"Còn {number(h['open_at_end'])} sự việc chưa xử lý xong đến cuối kỳ.")
    late = [str(r[0]) for r in tables["don_vi"].rows if r[4] != r[3]]
    if late:
        issues.append("Một số đơn vị còn sự việc xử lý quá hạn: " + ", ".join(late) + ".")
    _bullets(doc, [*issues, TO_FILL])
    _heading(doc, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    _bullets(doc, [TO_FILL])
    _heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
    _bullets(doc, [TO_FILL])
    _para(doc, f"Trên đây là báo cáo kết quả công tác truyền thông chính sách {p.title}, kính gửi {RECIPIENT} "
               "tổng hợp, báo cáo Ủy ban nhân dân tỉnh./.", indent=True)

    sign = doc.add_table(rows=1, cols=2)
    _cell_text(sign.cell(0, 0), "Nơi nhận:\n- Như trên;\n- UBND tỉnh (b/c);\n- Lưu: VT.", size=11,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_text(sign.cell(0, 1), "THỦ TRƯỞNG ĐƠN VỊ\n(Ký, ghi rõ họ tên)", bold=True)
    _para(doc, f"Số liệu lấy từ hệ thống MediaWatch; thời gian theo giờ Việt Nam. Các bảng kèm theo dạng CSV: "
               f"{out.stem}_<bảng>.csv.", italic=True, size=10)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    for table in tables.values():
        (out.parent / f"{out.stem}_{table.name}.csv").write_text(table.csv_text(), encoding="utf-8-sig")
    return out
