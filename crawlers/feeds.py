"""RSS and Atom: screen the fetched bytes with defusedxml, then parse them with feedparser.

feedparser is always handed the bytes we fetched (wrapped in a stream), never a URL or a path: it
would open local files or fetch on its own. Conditional GET and the polling interval live in
``collect`` and ``health``.
"""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import defusedxml
import defusedxml.ElementTree
import feedparser
import lxml.html
from lxml import etree

from crawlers.errors import FeedError, UnsafeXML

_DTD_ENTITY = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[|<!DOCTYPE[^>]*(SYSTEM|PUBLIC)\s", re.I)


@dataclass
class FeedEntry:
    """One entry of a feed, JSON-serialisable (it travels to the crawl child)."""

    url: str
    title: str = ""
    summary: str = ""  # entry content/summary as plain text
    author: str | None = None
    published: str | None = None  # ISO 8601 UTC
    updated: str | None = None
    guid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def screen_xml(body: bytes) -> None:
    """Refuse XML that declares entities or DTDs (billion laughs, external entities) before any parser
    that might expand them sees it. Malformed XML is left to feedparser's lenient parser."""
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden) as exc:
        raise UnsafeXML(f"XML refused: {type(exc).__name__}") from exc
    except defusedxml.ElementTree.ParseError:
        if _DTD_ENTITY.search(body[:65536]):
            raise UnsafeXML("XML refused: malformed document with entity or DTD declarations") from None


def _html_to_text(fragment: str) -> str:
    if not fragment or "<" not in fragment:
        return (fragment or "").strip()
    try:
        root = lxml.html.fromstring(fragment)
    except (etree.ParserError, ValueError):
        return fragment.strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = [" ".join(p.text_content().split()) for p in root.iter("p", "li", "div") if not len(p.xpath(".//p"))]
    text = "\n".join(b for b in blocks if b) if blocks else root.text_content()
    return text.strip()


def _iso(struct: Any) -> str | None:
    if not struct:
        return None
    return datetime.fromtimestamp(calendar.timegm(struct), UTC).isoformat()


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Entries of an RSS/Atom document. FeedError when it is not a feed at all (a broken but
    readable feed still yields its entries: real feeds are often slightly malformed)."""
    screen_xml(body)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        raise FeedError(f"{url}: not a usable feed ({type(problem).__name__ if problem else 'no entries'})")
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        guid = entry.get("id")
        if not link and guid and str(guid).startswith(("http://", "https://")):
            link = guid
        if not link:
            continue
        content = ""
        if entry.get("content"):
            content = entry.content[0].get("value", "")
        content = content or entry.get("summary", "")
        entries.append(
            FeedEntry(
                url=link.strip(),
                title=_html_to_text(entry.get("title", "")),
                summary=_html_to_text(content),
                author=entry.get("author") or None,
                published=_iso(dict.get(entry, "published_parsed")),
                updated=_iso(dict.get(entry, "updated_parsed")),  # dict.get: no deprecated fallback
                guid=str(guid) if guid else None,
            )
        )
    return entries
