"""The one Vietnamese wording of each fixed value analysts read (page, alerts, digests, reports).

Topic names and unit names are configuration (``config/topics.yaml``, ``config/units.yaml``); these
are the values defined by the schema itself.
"""

from __future__ import annotations

FLAG_LABELS: dict[str, str] = {
    "misinformation": "Tin sai sự thật",
    "scam": "Lừa đảo",
    "hate_speech": "Ngôn từ thù địch",
}

STATUS_LABELS: dict[str, str] = {
    "new": "Mới",
    "triaged": "Đã phân loại",
    "assigned": "Đã giao",
    "responding": "Đang xử lý",
    "resolved": "Đã kết luận",
}

VERDICT_LABELS: dict[str, str] = {
    "false": "Sai sự thật",
    "misleading": "Gây hiểu lầm",
    "true": "Đúng sự thật",
    "unverifiable": "Không thể kiểm chứng",
    "not_actionable": "Không cần xử lý",
}

SOURCE_KIND_LABELS: dict[str, str] = {
    "press": "Báo chí",
    "social": "Mạng xã hội",
    "official": "Nguồn chính thống",
}
