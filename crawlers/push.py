"""Items forwarded by officials or from the province's Zalo channel (push endpoint and CLI).

Payload (JSON object): ``text`` (required), ``url``, ``title``, ``source_id`` (default ``push``),
``kind`` (``social`` by default), ``page_name`` or ``author`` (as displayed), ``created_time``
(ISO 8601), ``reactions``, ``shares``, ``channel`` (e.g. ``zalo``), ``note``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from crawlers.extract import parse_time
from crawlers.items import make_item
from crawlers.textrepair import repair_text
from records.errors import InputError
from records.schema import Item, SourceKind

MAX_TEXT = 100_000


def item_from_push(payload: dict, *, received_by: str) -> Item:
    """Validate a forwarded item and build the pipeline ``Item`` (InputError on bad payloads;
    TextRepairError, an InputError, when its text is in an unreadable encoding)."""
    if not isinstance(payload, dict):
        raise InputError("push payload must be a JSON object")
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("push payload needs a non-empty 'text'")
    if len(text) > MAX_TEXT:
        raise InputError(f"push 'text' is longer than {MAX_TEXT} characters")
    title = payload.get("title") or ""
    if not isinstance(title, str):
        raise InputError("push 'title' must be a string")
    kind = payload.get("kind", "social")
    try:
        kind = SourceKind(kind)
    except ValueError as exc:
        raise InputError(f"push 'kind' must be one of {[k.value for k in SourceKind]}") from exc
    source_id = str(payload.get("source_id") or "push").strip()
    created_raw = payload.get("created_time") or payload.get("published_at")
    created = parse_time(str(created_raw)) if created_raw else None
    if created_raw and created is None:
        raise InputError(f"push 'created_time' is not a date: {created_raw!r}")
    reach = 0
    for key in ("reactions", "shares"):
        value: Any = payload.get(key, 0) or 0
        if not isinstance(value, int) or value < 0:
            raise InputError(f"push '{key}' must be a non-negative integer")
        reach += value
    text_fixed = repair_text(text, what="nội dung").text
    title_fixed = repair_text(title, what="tiêu đề").text if title else ""
    url = payload.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise InputError("push 'url' must be an http(s) URL")
    if not url:
        digest = hashlib.sha256(f"{source_id}\n{text_fixed}".encode()).hexdigest()[:16]
        url = f"https://push.invalid/{source_id}/{digest}"
    author = payload.get("page_name") or payload.get("author")
    channel = payload.get("channel")
    return make_item(
        source_id=source_id,
        kind=kind,
        url=url,
        title=title_fixed,
        text=text_fixed,
        method="push",
        run_id=f"push:{received_by}" + (f":{channel}" if channel else ""),
        author=str(author) if author else None,
        published_at=created,
        reach=reach if ("reactions" in payload or "shares" in payload) else None,
    )
