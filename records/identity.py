"""Canonical identity of an item: canonical URL, NFC text, content hash and item id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "zarsrc",
        "zalo_source",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "ref",
        "refer",
        "source",
        "cmpid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "gidzl",
        "ttclid",
        "yclid",
        "mibextid",
        "sfnsn",
        "rdid",
        "_rdc",
        "_rdr",
    }
)
_TRACKING_PREFIXES = ("utm_", "__cft__", "__tn__")  # Facebook writes __cft__[0]=..., __tn__=...
_MOBILE_PREFIXES = ("m.", "mobile.", "amp.", "www.")
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Unicode NFC, the one normal form every stored text is in."""
    return unicodedata.normalize("NFC", text)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop mobile/www host prefixes, tracking parameters, fragments and
    a trailing slash; sort the remaining query parameters."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "https").lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").lower()
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path or "/"
    if path.endswith("/") and path != "/":
        path = path.rstrip("/")
    if path.endswith("/amp"):
        path = path[: -len("/amp")] or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the NFC, whitespace-collapsed, case-folded title and text."""
    norm = _SPACES.sub(" ", nfc(f"{title}\n{text}")).strip().casefold()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def item_id(url: str) -> str:
    """Deterministic item id: the hash of the canonical URL (also the Elasticsearch ``_id``)."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:24]
