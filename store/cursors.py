"""Opaque page cursors: a small JSON payload, URL-safe base64. Shared by every store backend."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from records.errors import InputError


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, *, kind: str) -> dict[str, Any]:
    """The payload of a cursor made by ``encode_cursor`` for the same ``kind`` of listing.

    Raises InputError for anything else (a cursor is user input on the API).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InputError("invalid page cursor") from exc
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise InputError("invalid page cursor")
    return payload
