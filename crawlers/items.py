"""What the spiders yield (``ArticleItem``, every field defaults to ``None``) and how a collected
document becomes a pipeline ``records.schema.Item``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from records.identity import canonical_url, nfc
from records.schema import Item, Provenance, SourceKind


@dataclass
class ArticleItem:
    """One fetched article page, extracted in the crawl child and streamed to the parent as JSON."""

    source_id: str | None = None
    url: str | None = None  # the URL as listed (feed link, sitemap loc, listing href)
    final_url: str | None = None  # after redirects
    method: str | None = None
    status: int | None = None
    title: str | None = None
    text: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO 8601 UTC
    language: str | None = None
    lastmod: str | None = None  # sitemap <lastmod>
    etag: str | None = None
    last_modified: str | None = None
    entry: dict[str, Any] | None = None  # the feed entry that linked it
    fixes: list[str] = field(default_factory=list)  # text repairs applied
    quarantine: str | None = None  # reason, when the text could not be repaired
    raw: str | None = None  # the page text kept for quarantine
    html: str | None = None  # the decoded page, between the spider and the extract step only

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_item(
    *,
    source_id: str,
    kind: SourceKind | str,
    url: str,
    title: str,
    text: str,
    method: str,
    run_id: str | None,
    fetched_url: str | None = None,
    author: str | None = None,
    published_at: datetime | None = None,
    language: str | None = None,
    reach: int | None = None,
    relevance: list[str] | None = None,
) -> Item:
    """A pipeline item with canonical URL, NFC text, content hash and deterministic id."""
    title, text = nfc(title).strip(), nfc(text).strip()
    canonical = canonical_url(url)
    return Item.identified(
        url=canonical,
        source_id=source_id,
        kind=kind,
        title=title,
        text=text,
        author=nfc(author).strip() if author else None,
        published_at=published_at,
        language=language,
        reach=reach,
        provenance=Provenance(
            crawler_run=run_id, method=method, fetched_url=fetched_url or url, relevance=relevance or []
        ),
    )
