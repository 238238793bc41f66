"""Jinja2 environment of the analysts' page: Vietnamese labels, local time, topic names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

from records.labels_vi import FLAG_LABELS, SOURCE_KIND_LABELS, STATUS_LABELS, VERDICT_LABELS
from routing.rules import KIND_LABELS_VI

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

STATUS_VI = STATUS_LABELS
VERDICT_VI = VERDICT_LABELS
FLAG_VI = FLAG_LABELS
INCIDENT_KIND_VI = KIND_LABELS_VI
KIND_VI = SOURCE_KIND_LABELS
ACTION_VI = {
    "incident.transition": "Chuyển trạng thái",
    "incident.reopen": "Mở lại sự việc",
    "incident.assign": "Giao việc",
    "incident.note": "Thêm ghi chú",
    "incident.lock": "Khóa để xử lý",
    "incident.unlock": "Mở khóa",
    "incident.verdict": "Kết luận",
    "incident.merge": "Gộp sự việc",
    "incident.split": "Tách sự việc",
    "known_claim.create": "Thêm tin sai đã xác minh",
    "known_claim.update": "Sửa tin sai đã xác minh",
    "known_claim.delete": "Gỡ tin sai đã xác minh",
    "routing_rule.create": "Thêm quy tắc định tuyến",
    "routing_rule.update": "Sửa quy tắc định tuyến",
    "routing_rule.delete": "Xóa quy tắc định tuyến",
    "user.create": "Tạo người dùng",
    "user.update": "Sửa người dùng",
    "user.delete": "Xóa người dùng",
    "user.token": "Cấp mã truy cập API",
    "search.board": "Tìm kiếm (Ban Tuyên giáo)",
    "auth.login": "Đăng nhập",
}
ROLE_VI = {"admin": "Quản trị", "analyst": "Phân tích viên", "board": "Ban Tuyên giáo", "unit": "Đơn vị"}


def details_text(details: dict[str, Any]) -> str:
    """An audit entry's details as one readable line (empty values left out)."""
    return "; ".join(f"{key}: {value}" for key, value in details.items() if value not in (None, "", [], {}))


def safe_href(url: str | None) -> str:
    """Only http(s) links reach an ``href`` (a pushed or crawled item could carry ``javascript:``)."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else "#"


def _labeller(table: dict[str, str]) -> Callable[[object], str]:
    """A filter: the label of a value, or the value itself where the table has none."""
    return lambda value: table.get(str(value), str(value))


def build_templates(*, timezone: str, topic_names: dict[str, str], unit_names: dict[str, str]) -> Jinja2Templates:
    """Templates with the page's filters and label tables as globals."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    zone = ZoneInfo(timezone)

    def local_time(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
        if value is None:
            return "—"
        return value.astimezone(zone).strftime(fmt)

    env = templates.env
    env.filters["local_time"] = local_time
    env.filters["topic_name"] = lambda topic: topic_names.get(topic, topic)
    env.filters["unit_name"] = lambda unit: unit_names.get(unit, unit) if unit else "—"
    env.filters["status_vi"] = _labeller(STATUS_VI)
    verdict_vi = _labeller(VERDICT_VI)
    env.filters["verdict_vi"] = lambda v: verdict_vi(v) if v else "—"
    env.filters["flag_vi"] = _labeller(FLAG_VI)
    env.filters["incident_kind_vi"] = _labeller(INCIDENT_KIND_VI)
    env.filters["kind_vi"] = _labeller(KIND_VI)
    env.filters["action_vi"] = _labeller(ACTION_VI)
    env.filters["details_text"] = details_text
    env.filters["safe_href"] = safe_href
    env.filters["role_vi"] = _labeller(ROLE_VI)
    env.globals.update(
        STATUS_VI=STATUS_VI,
        VERDICT_VI=VERDICT_VI,
        FLAG_VI=FLAG_VI,
        ROLE_VI=ROLE_VI,
        TOPIC_NAMES=topic_names,
        UNIT_NAMES=unit_names,
    )
    return templates
