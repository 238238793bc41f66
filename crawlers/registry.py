"""The source registry: which sources are watched and how, as data (YAML). See docs/sources.md.

Minimal entry (other tools rely on it)::

    sources:
      - id: bao-quang-nam
        name: Báo Quảng Nam
        kind: press            # press | official | social
        method: rss            # rss | sitemap | listing | export | push
        url: https://baoquangnam.vn/rss/home.rss
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from records.errors import ConfigError, InputError
from records.schema import AuditEntry, SourceKind
from store.base import Store

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Method(StrEnum):
    rss = "rss"  # RSS or Atom feed; linked articles fetched unless fetch_articles is false
    sitemap = "sitemap"  # XML sitemap (or sitemap index); incremental by <lastmod>
    listing = "listing"  # listing pages whose links matching article_pattern are articles
    export = "export"  # a social platform export file (JSON/CSV) at a path or URL
    push = "push"  # items forwarded through the push endpoint / CLI; nothing to fetch


class Extraction(BaseModel):
    """Per-site overrides, only where the extractor fails: XPath expressions on the article page."""

    model_config = ConfigDict(extra="forbid")

    title_xpath: str | None = None
    text_xpath: str | None = None  # text of all matching nodes, one paragraph each
    author_xpath: str | None = None
    published_xpath: str | None = None  # text or @datetime/@content value, ISO 8601 or dd/mm/yyyy HH:MM


class Schedule(BaseModel):
    """Polling interval in minutes: starts at ``interval``; busy feeds go down to ``min``, repeats and
    failures back off up to ``max``."""

    model_config = ConfigDict(extra="forbid")

    interval: int = Field(default=30, ge=1)
    min: int = Field(default=5, ge=1)
    max: int = Field(default=360, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if not self.min <= self.interval <= self.max:
            raise ValueError("schedule needs min <= interval <= max")
        return self


class Source(BaseModel):
    """One watched source."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    kind: SourceKind
    method: Method
    url: str  # feed / sitemap / first listing page URL; for export: a file path or URL
    urls: list[str] = Field(default_factory=list)  # further feeds or listing pages of the same source
    national: bool = False  # a national outlet: keep only items about the province
    relevance_filter: bool | None = None  # default: on for national sources
    enabled: bool = True
    schedule: Schedule = Field(default_factory=Schedule)
    fetch_articles: bool = True  # rss: fetch the linked page; false: the entry itself is the item
    article_pattern: str | None = None  # listing/sitemap: regex an article URL must match
    max_pages: int = Field(default=3, ge=1, le=100)  # listing: pages followed via rel=next
    max_articles: int = Field(default=500, ge=1)  # per run
    encoding: str | None = None  # force a page encoding (e.g. windows-1258) where headers lie
    extraction: Extraction = Field(default_factory=Extraction)
    language: str = "vi"
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id: lower-case letters, digits, '-', '_' or '.', at most 64 characters")
        return value

    @field_validator("article_pattern")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"article_pattern is not a valid regular expression: {exc}") from exc
        return value

    @property
    def all_urls(self) -> list[str]:
        return [self.url, *[u for u in self.urls if u != self.url]]

    @property
    def needs_relevance(self) -> bool:
        return self.national if self.relevance_filter is None else self.relevance_filter


class Registry(BaseModel):
    """The whole registry; ``base_dir`` resolves relative export paths."""

    model_config = ConfigDict(extra="ignore")

    sources: list[Source]
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _unique_ids(self) -> Registry:
        seen: set[str] = set()
        for src in self.sources:
            if src.id in seen:
                raise ValueError(f"duplicate source id: {src.id}")
            seen.add(src.id)
        return self

    def get(self, source_id: str) -> Source:
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(source_id)

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def with_sources(self, extra: Sequence[Source]) -> Registry:
        """This registry plus sources added elsewhere (ids already in the file win)."""
        known = {s.id for s in self.sources}
        return Registry(sources=[*self.sources, *[s for s in extra if s.id not in known]], base_dir=self.base_dir)


def parse_registry(data: Any, *, base_dir: Path = Path(".")) -> Registry:
    """Validate a registry from already-parsed YAML/JSON data; ConfigError with the field path on failure."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError("registry: expected a mapping with a list 'sources:'")
    try:
        return Registry.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise ConfigError(f"registry: {problems}") from exc


def load_registry(path: Path) -> Registry:
    """Read and validate a registry YAML file (relative export paths resolve against its folder)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"registry: cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"registry: {path} is not valid YAML: {exc}") from exc
    return parse_registry(data, base_dir=path.resolve().parent)


ADDED = "source_additions"  # store collection of sources added through the API


def added_sources(store: Store) -> list[Source]:
    """Sources added through the API (kept in the store beside the registry file)."""
    return [Source.model_validate(r.doc) for r in store.list_records(ADDED)]


def add_source(store: Store, data: dict[str, Any], *, allow: Sequence[str], actor: str) -> Source:
    """Validate a user-supplied source, refuse URLs that fail the SSRF guard, store it (create-only:
    ConflictError if the id exists) and audit it. Exports must be http(s) URLs here: a path would let
    an API caller read local files."""
    from crawlers.ssrf import check_url

    try:
        source = Source.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise InputError(f"source: {problems}") from exc
    if source.method != Method.push:
        for url in source.all_urls:
            if not url.startswith(("http://", "https://")):
                raise InputError(f"source: {url!r} is not an http(s) URL")
            check_url(url, allow=allow)
    store.put_record(ADDED, source.id, source.model_dump(mode="json"), expected_version=0)
    store.append_audit(AuditEntry(actor=actor, action="source.add", target=source.id,
                                  details={"url": source.url, "method": str(source.method)}))  # fmt: skip
    return source


def remove_source(store: Store, source_id: str, *, actor: str) -> bool:
    """Remove a source added through the API (its health and crawl state stay for the record)."""
    removed = store.delete_record(ADDED, source_id)
    if removed:
        store.append_audit(AuditEntry(actor=actor, action="source.remove", target=source_id))
    return removed
