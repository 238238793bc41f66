"""The sample content and its ground truth.

Content lives in YAML files under ``sample_site/data/`` (written for this project: fictional but realistic
Vietnamese items about Quảng Nam). Each entry gives its site, its time as an offset in hours from an
*anchor*, its text and its intended labels. ``load_items(anchor)`` expands syndicated copies, turns
offsets into times and returns one dict per item: the ground truth that tests and the demo compare
collected items with.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from records.districts import DISTRICTS
from records.schema import TOPIC_IDS
from records.textfold import fold

DATA_DIR = Path(__file__).with_name("data")
VN_TZ = timezone(timedelta(hours=7), "ICT")

FLAG_KINDS: tuple[str, ...] = ("misinformation", "scam", "hate_speech")
ROLES: tuple[str, ...] = (
    "news",  # ordinary news report
    "notice",  # official announcement, warning or emergency notice
    "criticism",  # complaint or criticism of authorities / services (legitimate, never flagged)
    "opinion",  # opinion, question, chat
    "hoax",  # false factual claim written to spread
    "debunk",  # official correction of a hoax
    "rumour_news",  # a news report about a rumour (not misinformation)
    "scam",  # fraud: impersonation, fake prize, phishing
    "scam_warning",  # official warning or news about scams (not a scam)
    "hate",  # contempt for a group
    "rude",  # rude to a person, but not hate speech
)


@dataclass(frozen=True)
class SiteSpec:
    """One virtual site of the sample server."""

    key: str
    source_id: str
    name: str
    kind: str  # press / official / social
    method: str  # rss / sitemap / listing / export
    prefix: str  # URL path prefix on the sample server
    national: bool = False


SITES: dict[str, SiteSpec] = {
    s.key: s
    for s in (
        SiteSpec("baoquangnam", "sample-baoquangnam", "Báo Quảng Nam điện tử (mẫu)", "press", "rss", "/baoquangnam/"),
        SiteSpec("datquang", "sample-datquang", "Tin Đất Quảng (mẫu)", "press", "sitemap", "/datquang/"),
        SiteSpec("vnnews", "sample-vnnews", "Thời sự Việt (mẫu, báo toàn quốc)", "press", "rss", "/vnnews/", True),
        SiteSpec(
            "portal",
            "sample-portal",
            "Cổng thông tin điện tử tỉnh Quảng Nam (mẫu)",
            "official",
            "listing",
            "/quangnam-gov/",
        ),
        SiteSpec(
            "social_json",
            "sample-social-pages",
            "Trang mạng xã hội địa phương (mẫu, JSON)",
            "social",
            "export",
            "/social/",
        ),
        SiteSpec("social_csv", "sample-social-groups", "Nhóm cộng đồng (mẫu, CSV)", "social", "export", "/social/"),
    )
}
_ARTICLE_DIR = {"baoquangnam": "tin", "datquang": "bai-viet", "vnnews": "thoi-su", "portal": "thong-bao"}
_REQUIRED = ("id", "site", "h", "text", "role")
_OPTIONAL = {
    "title",
    "author",
    "topics",
    "districts",
    "flags",
    "story",
    "claim",
    "copies",
    "criticism",
    "teencode",
    "in_province",
    "reactions",
    "shares",
    "comments",
    "burst",
}
_COPY_KEYS = {"id", "site", "h", "title", "replace", "author"}
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


class ContentError(ValueError):
    """A sample content file is malformed (a bug in the data, found at load)."""


def default_anchor() -> datetime:
    """Now, floored to the hour, in UTC: the flood burst then falls in the last hours of a live demo."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark (tone, vowel mark or đ)."""
    if "đ" in text or "Đ" in text:
        return True
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text))


def slugify(title: str, key: str) -> str:
    """A URL slug in the style of Vietnamese news sites: folded title plus a stable numeric id."""
    words = _SLUG_JUNK.sub("-", fold(title)).strip("-")[:80].rstrip("-")
    return f"{words}-{zlib.crc32(key.encode()) % 1_000_000:06d}"


@functools.cache
def _raw_entries() -> tuple[dict[str, Any], ...]:
    entries: list[dict[str, Any]] = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(loaded, list):
            raise ContentError(f"{path.name}: expected a list of items")
        for entry in loaded:
            _check_entry(entry, path.name)
            entries.append({**entry, "_file": path.stem})
    ids = [e["id"] for e in entries] + [c["id"] for e in entries for c in e.get("copies", [])]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ContentError(f"duplicate item ids: {sorted(dupes)}")
    return tuple(entries)


def _check_entry(entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise ContentError(f"{where}: item is not a mapping: {entry!r}")
    label = f"{where}:{entry.get('id')}"
    missing = [k for k in _REQUIRED if k not in entry]
    unknown = set(entry) - set(_REQUIRED) - _OPTIONAL
    if missing or unknown:
        raise ContentError(f"{label}: missing {missing}, unknown {sorted(unknown)}")
    site = SITES.get(entry["site"])
    if site is None:
        raise ContentError(f"{label}: unknown site {entry['site']!r}")
    if site.kind != "social" and not entry.get("title"):
        raise ContentError(f"{label}: press and official items need a title")
    if float(entry["h"]) > 0:
        raise ContentError(f"{label}: offset must be <= 0 hours (items are never in the future)")
    if entry["role"] not in ROLES:
        raise ContentError(f"{label}: unknown role {entry['role']!r}")
    for key, allowed in (("topics", TOPIC_IDS), ("districts", DISTRICTS), ("flags", FLAG_KINDS)):
        bad = set(entry.get(key, [])) - set(allowed)
        if bad:
            raise ContentError(f"{label}: unknown {key} {sorted(bad)}")
    for copy in entry.get("copies", []):
        if set(copy) - _COPY_KEYS or not {"id", "site", "h"} <= set(copy) or copy["site"] not in SITES:
            raise ContentError(f"{label}: bad copy {copy!r}")


def _post_id(key: str) -> str:
    return f"{100000000000000 + zlib.crc32(key.encode()) * 1000 + len(key)}"


def _page_slug(page_name: str) -> str:
    return _SLUG_JUNK.sub("", fold(page_name))[:40] or "page"


def _expand(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry itself plus one entry per syndicated copy (same text, optional small edits)."""
    out = [entry]
    for copy in entry.get("copies", []):
        text, title = entry["text"], copy.get("title", entry.get("title"))
        for old, new in copy.get("replace", []):
            if old not in text:
                raise ContentError(f"{entry['id']}: copy edit {old!r} not found in text")
            text = text.replace(old, new)
        out.append(
            {
                **{k: v for k, v in entry.items() if k != "copies"},
                "id": copy["id"],
                "site": copy["site"],
                "h": copy["h"],
                "title": title,
                "text": text,
                "author": copy.get("author", entry.get("author")),
                "_syndicated_from": entry["id"],
                "_edited": bool(copy.get("replace")) or title != entry.get("title"),
            }
        )
    return out


def _finish(entry: dict[str, Any], anchor: datetime, base_url: str | None) -> dict[str, Any]:
    site = SITES[entry["site"]]
    text = unicodedata.normalize("NFC", entry["text"].strip())
    title = unicodedata.normalize("NFC", (entry.get("title") or "").strip())
    role = entry["role"]
    item: dict[str, Any] = {
        "id": entry["id"],
        "site": site.key,
        "source_id": site.source_id,
        "kind": site.kind,
        "method": site.method,
        "national": site.national,
        "title": title,
        "text": text,
        "author": entry.get("author"),
        "hours": float(entry["h"]),
        "published_at": anchor + timedelta(hours=float(entry["h"])),
        "topics": list(entry.get("topics", [])),
        "districts": list(entry.get("districts", [])),
        "flags": list(entry.get("flags", [])),
        "role": role,
        "is_hoax": role == "hoax",
        "is_debunk": role == "debunk",
        "is_rumour_news": role == "rumour_news",
        "is_criticism": role == "criticism" or bool(entry.get("criticism")),
        "is_scam_warning": role == "scam_warning",
        "story": entry.get("story") or entry.get("claim"),
        "claim": entry.get("claim"),
        "syndicated_from": entry.get("_syndicated_from"),
        "edited_copy": bool(entry.get("_edited")),
        "no_diacritics": not has_diacritics(title + text),
        "teencode": bool(entry.get("teencode")),
        "burst": bool(entry.get("burst")) or entry["_file"] == "flood_burst",
        "in_province": bool(entry.get("in_province", True)),
        "file": entry["_file"],
    }
    if site.kind == "social":
        page = entry.get("author") or "Trang cộng đồng"
        item["page_name"] = page
        item["post_id"] = _post_id(entry["id"])
        item["reactions"] = int(entry.get("reactions", 0))
        item["shares"] = int(entry.get("shares", 0))
        item["comments"] = int(entry.get("comments", 0))
        item["path"] = None
        item["url"] = f"https://www.facebook.com/{_page_slug(page)}/posts/{item['post_id']}"
    else:
        item["path"] = f"{site.prefix}{_ARTICLE_DIR[site.key]}/{slugify(title, entry['id'])}.html"
        item["url"] = base_url.rstrip("/") + item["path"] if base_url else None
    return item


def load_items(anchor: datetime | None = None, *, base_url: str | None = None) -> list[dict[str, Any]]:
    """Every sample item with its intended labels, oldest first.

    ``anchor`` (timezone-aware; default: now floored to the hour) is the time offsets count from;
    with ``base_url`` the served items get absolute ``url`` values (social items always have one).
    """
    anchor = default_anchor() if anchor is None else anchor
    if anchor.tzinfo is None:
        raise ValueError("anchor must be timezone-aware")
    anchor = anchor.astimezone(UTC)
    items = [_finish(e, anchor, base_url) for raw in _raw_entries() for e in _expand(raw)]
    items.sort(key=lambda it: (it["published_at"], it["id"]))
    return items
