"""Vietnamese texts of alerts (what the on-duty officer reads): titles, messages, labels."""

from __future__ import annotations

from typing import Any

from records.labels_vi import FLAG_LABELS, STATUS_LABELS

TOPIC_NAMES: dict[str, str] = {
    "disaster": "Thiên tai",
    "accident": "Tai nạn",
    "public_order": "An ninh trật tự",
    "health": "Y tế",
    "education": "Giáo dục",
    "land": "Đất đai",
    "environment": "Môi trường",
    "economy": "Kinh tế",
    "tourism_culture": "Du lịch – Văn hóa",
    "infrastructure": "Hạ tầng",
    "governance": "Chính sách – Hành chính",
}

FLAG_NAMES: dict[str, str] = FLAG_LABELS

KIND_NAMES: dict[str, str] = {"spike": "Tăng đột biến", "breaking": "Lan nhanh", "incident": "Sự việc nghiêm trọng"}

STATUS_NAMES: dict[str, str] = STATUS_LABELS

DELIVERY_NAMES: dict[str, str] = {
    "pending": "Đang chờ gửi",
    "held": "Giữ lại (giờ yên lặng)",
    "sent": "Đã gửi",
    "failed": "Gửi thất bại",
    "silenced": "Tạm tắt",
}


FIGURE_NAMES: dict[str, str] = {
    "current": "Số tin trong khung giờ hiện tại",
    "expected": "Mức thường (trung vị cùng khung giờ các ngày trước)",
    "spread": "Độ dao động của mức thường",
    "ratio": "Số lần so với mức thường",
    "score": "Điểm bất thường",
    "window_hours": "Độ dài khung giờ (giờ)",
    "baseline_samples": "Số tin cùng khung giờ các ngày trước (gần nhất trước)",
    "episode_started_at": "Đợt tăng bắt đầu lúc",
    "first_hour": "Số tin trong giờ đầu tiên",
    "latest_hour": "Số tin trong 1 giờ qua",
    "incident_id": "Mã sự việc",
    "severity": "Mức nghiêm trọng",
    "items": "Số tin",
    "sources": "Số nguồn",
    "topics": "Chủ đề",
    "districts": "Địa bàn",
    "flags": "Dấu hiệu",
    "owner_unit": "Đơn vị chủ trì",
    "suggested_action": "Đề xuất xử lý",
    "deadline": "Hạn phản hồi",
}


def topic_name(topic_id: str) -> str:
    return TOPIC_NAMES.get(topic_id, topic_id)


def number(value: float, digits: int = 1) -> str:
    """Vietnamese number formatting: decimal comma, dot for thousands."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def scope_label(scope: str, value: str) -> str:
    if scope == "topic":
        return f"chủ đề {topic_name(value)}"
    if scope == "district":
        return f"địa bàn {value}"
    if scope == "all":
        return "toàn bộ nguồn tin"
    return f"sự việc {value}"


def spike_title(scope: str, value: str) -> str:
    return f"Tăng đột biến thông tin về {scope_label(scope, value)}"


def spike_message(scope: str, value: str, figures: dict[str, Any], level: int, *, escalated: bool) -> str:
    hours = figures["window_hours"]
    lead = "Tiếp tục tăng. " if escalated else ""
    return (
        f"{lead}Trong {hours} giờ qua có {number(figures['current'])} tin về {scope_label(scope, value)}, "
        f"gấp {number(figures['ratio'])} lần mức thường (trung vị {number(figures['expected'])} tin "
        f"cùng khung giờ các ngày trước). Mức cảnh báo {level}/5. "
        "Đề nghị Tổ công tác thông tin truyền thông tỉnh kiểm tra, chuẩn bị thông tin chính thống."
    )


def breaking_title(incident_title: str) -> str:
    return f"Sự việc đang lan nhanh: {incident_title}"


def breaking_message(figures: dict[str, Any], level: int) -> str:
    return (
        f"Trong 1 giờ qua có {number(figures['latest_hour'])} tin về sự việc này, gấp "
        f"{number(figures['ratio'])} lần giờ đầu tiên ({number(figures['first_hour'])} tin). "
        f"Mức cảnh báo {level}/5. Đề nghị kiểm tra và phản hồi kịp thời."
    )


def incident_title(incident_title: str, severity: int) -> str:
    return f"Sự việc mức nghiêm trọng {severity}/5: {incident_title}"


def incident_message(figures: dict[str, Any]) -> str:
    parts = [f"Đã ghi nhận {number(figures['items'])} tin từ {number(figures['sources'])} nguồn."]
    if figures.get("topics"):
        parts.append("Chủ đề: " + ", ".join(topic_name(t) for t in figures["topics"]) + ".")
    if figures.get("districts"):
        parts.append("Địa bàn: " + ", ".join(figures["districts"]) + ".")
    if figures.get("flags"):
        parts.append("Dấu hiệu: " + ", ".join(FLAG_NAMES.get(f, f) for f in figures["flags"]) + ".")
    if figures.get("owner_unit"):
        parts.append(f"Đơn vị chủ trì: {figures['owner_unit']}.")
    if figures.get("suggested_action"):
        parts.append(f"Đề xuất: {figures['suggested_action']}.")
    if figures.get("deadline"):
        parts.append(f"Hạn phản hồi: {figures['deadline']}.")
    return " ".join(parts)
