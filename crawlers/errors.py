"""Errors of the collection package.

    records.errors.InputError
    └── CrawlError                 a source could not be collected
        ├── SSRFRefused            a URL resolves to an address we refuse to contact
        ├── FetchError             the HTTP fetch failed (status, timeout, connection, size cap)
        │   └── TooLarge           body or decompressed body above the cap
        ├── FeedError              the feed bytes are not a usable RSS/Atom document
        ├── UnsafeXML              the XML declares entities or DTDs (screened by defusedxml)
        ├── TextRepairError        text in an unknown or broken encoding (quarantined)
        └── ExportError            a social export file is malformed
"""

from __future__ import annotations

from records.errors import InputError


class CrawlError(InputError):
    """A source or one of its documents could not be collected."""


class SSRFRefused(CrawlError):
    """The URL's host resolves to a loopback, private, link-local or reserved address."""


class FetchError(CrawlError):
    """The HTTP request failed."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TooLarge(FetchError):
    """The response body (or its decompressed form) is above the configured cap."""


class FeedError(CrawlError):
    """The fetched bytes are not a usable feed."""


class UnsafeXML(FeedError):
    """The XML uses entity declarations or external DTDs; refused before parsing."""


class TextRepairError(CrawlError):
    """The text is in an encoding we cannot identify or repair; ``reason`` is for operators."""


class ExportError(CrawlError):
    """A social export file is malformed."""
