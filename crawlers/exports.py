"""Social platform exports: a JSON array (or CSV with the same header) of public posts.

Keys: ``post_id, url, page_name, text, created_time`` (ISO 8601 with offset), ``reactions, shares,
comments``. We never scrape logged-in platforms: an operator exports what the page or group shows
publicly and imports the file. ``Item.reach`` = reactions + shares; ``author`` is the page or group
name as displayed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from crawlers.errors import ExportError
from crawlers.extract import DEFAULT_TZ, parse_time

EXPORT_KEYS = ("post_id", "url", "page_name", "text", "created_time", "reactions", "shares", "comments")


@dataclass
class ExportPost:
    post_id: str
    url: str
    page_name: str | None
    text: str
    created_at: datetime | None
    reach: int | None


@dataclass
class BadRow:
    """A row that could not be read: kept for quarantine with the reason."""

    index: int
    reason: str
    raw: str


def _count(value: Any, key: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).replace(",", "").replace(".", "").strip())
    except ValueError as exc:
        raise ValueError(f"{key} is not a number: {value!r}") from exc
    if number < 0:
        raise ValueError(f"{key} is negative: {value!r}")
    return number


def _rows(data: bytes) -> list[dict[str, Any]]:
    text = data.decode("utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ExportError(f"export is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        if not isinstance(rows, list):
            raise ExportError("JSON export must be an array of posts")
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames or "post_id" not in reader.fieldnames:
        raise ExportError(f"CSV export needs a header with {', '.join(EXPORT_KEYS)}")
    return list(reader)


def read_export(
    data: bytes, *, source_id: str, tz: tzinfo = DEFAULT_TZ
) -> Iterator[ExportPost | BadRow]:
    """Posts of an export file; malformed rows come out as ``BadRow`` (quarantined by the caller)."""
    for index, row in enumerate(_rows(data)):
        raw = json.dumps(row, ensure_ascii=False, default=str)
        if not isinstance(row, dict):
            yield BadRow(index, f"dòng {index + 1}: không phải một đối tượng JSON", raw)
            continue
        post_id = str(row.get("post_id") or "").strip()
        text = str(row.get("text") or "").strip()
        if not post_id or not text:
            yield BadRow(index, f"dòng {index + 1}: thiếu post_id hoặc text", raw)
            continue
        try:
            reach = _count(row.get("reactions"), "reactions") + _count(row.get("shares"), "shares")
        except ValueError as exc:
            yield BadRow(index, f"dòng {index + 1}: {exc}", raw)
            continue
        created = parse_time(str(row.get("created_time") or ""), tz=tz)
        if row.get("created_time") and created is None:
            yield BadRow(index, f"dòng {index + 1}: created_time không đọc được: {row.get('created_time')!r}", raw)
            continue
        url = str(row.get("url") or "").strip() or f"https://social.invalid/{source_id}/{post_id}"
        yield ExportPost(
            post_id=post_id,
            url=url,
            page_name=(str(row.get("page_name")).strip() or None) if row.get("page_name") else None,
            text=text,
            created_at=created,
            reach=reach,
        )
