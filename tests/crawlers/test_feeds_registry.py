"""Feeds parsed from bytes only, unsafe XML refused, broken feeds tolerated; the registry format and
the shipped Quảng Nam registry; incremental planning; the adaptive interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.errors import FeedError, UnsafeXML
from crawlers.feeds import parse_feed
from crawlers.health import next_interval
from crawlers.registry import Method, Schedule, load_registry, parse_registry
from crawlers.spiders.articles import plan
from mediawatch.settings import REPO_ROOT
from records.errors import ConfigError

SITE = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site"


def test_rss_entries_with_times_in_utc() -> None:
    entries = parse_feed((SITE / "bqn" / "feed.rss").read_bytes(), url="https://baoquangnam.vn/rss")
    assert len(entries) == 5
    first = entries[0]
    assert first.title == "Nước lũ dâng cao ở Đại Lộc, hơn 200 hộ dân được sơ tán"
    assert first.published == "2024-10-28T01:30:00+00:00"
    assert first.summary == "Sáng 28/10, nước sông Vu Gia dâng cao."


def test_broken_feed_still_yields_its_entries() -> None:
    entries = parse_feed((SITE / "legacy" / "feed.rss").read_bytes(), url="https://x.vn/rss")
    assert [e.url.rsplit("/", 1)[1] for e in entries][:6] == [
        "tcvn3-40001.html",
        "vni-40002.html",
        "cp1258-40003.html",
        "mojibake-40004.html",
        "nfd-40005.html",
        "unknown-40006.html",
    ]


def test_entity_expansion_and_external_entities_are_refused() -> None:
    with pytest.raises(UnsafeXML):
        parse_feed((SITE / "evil.rss").read_bytes(), url="x")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item>'
        b"<title>&x;</title></item></channel></rss>"
    )
    with pytest.raises(UnsafeXML):
        parse_feed(xxe, url="x")


def test_a_path_or_url_is_content_never_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.rss"
    secret.write_bytes((SITE / "bqn" / "feed.rss").read_bytes())
    for text in (str(secret).encode(), secret.as_uri().encode()):
        with pytest.raises(FeedError):
            parse_feed(text, url="x")


def test_atom_feed() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Sở Y tế</title>'
        '<entry><title>Khuyến cáo phòng sốt xuất huyết</title><link href="https://soyte.quangnam.gov.vn/tin/1"/>'
        "<id>tag:soyte,1</id><updated>2024-10-28T09:00:00+07:00</updated><author><name>Sở Y tế</name></author>"
        "<summary>Người dân Tam Kỳ chủ động diệt lăng quăng.</summary></entry></feed>"
    ).encode()
    (entry,) = parse_feed(atom, url="https://soyte.quangnam.gov.vn/atom")
    assert entry.url == "https://soyte.quangnam.gov.vn/tin/1" and entry.author == "Sở Y tế"
    assert entry.updated == "2024-10-28T02:00:00+00:00"


def test_shipped_registry_is_valid_and_realistic() -> None:
    registry = load_registry(REPO_ROOT / "config" / "sources.yaml")
    ids = {s.id for s in registry.sources}
    assert len(ids) == len(registry.sources) >= 15
    kinds = {s.kind for s in registry.sources}
    assert kinds == {"press", "official", "social"}
    assert {s.method for s in registry.sources} >= {
        Method.rss,
        Method.sitemap,
        Method.listing,
        Method.export,
        Method.push,
    }
    national = [s for s in registry.sources if s.national]
    assert national and all(s.needs_relevance for s in national)
    assert any("quangnam.gov.vn" in s.url for s in registry.sources)
    assert any("baoquangnam.vn" in s.url for s in registry.sources)


def test_minimal_entry_and_errors(tmp_path: Path) -> None:
    minimal = parse_registry(
        {"sources": [{"id": "a", "name": "A", "kind": "press", "method": "rss", "url": "https://a.vn/rss"}]}
    )
    assert minimal.sources[0].schedule.interval == 30 and not minimal.sources[0].needs_relevance
    with pytest.raises(ConfigError, match="duplicate source id"):
        parse_registry({"sources": [minimal.sources[0].model_dump(), minimal.sources[0].model_dump()]})
    with pytest.raises(ConfigError, match=r"sources\.0\.method"):
        parse_registry({"sources": [{"id": "a", "name": "A", "kind": "press", "method": "ftp", "url": "x"}]})
    with pytest.raises(ConfigError, match="list 'sources:'"):
        parse_registry({"source": []})
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_registry(bad)


def test_incremental_plan() -> None:
    assert plan(None, "2024-10-28") == "fetch"
    assert plan({"lastmod": "2024-10-28"}, "2024-10-28") == "skip"
    assert plan({"lastmod": "2024-10-27"}, "2024-10-28") == "fetch"
    assert plan({"lastmod": "2024-10-27", "etag": '"x"'}, "2024-10-28") == "conditional"
    assert plan({"etag": '"x"'}, None) == "conditional"
    assert plan({"hash": "abc"}, None) == "skip"


def test_adaptive_interval_is_bounded() -> None:
    schedule = Schedule(interval=30, min=5, max=120)
    assert next_interval(30, schedule, new=8, seen=10, failed=False) == 15  # busy: more often
    assert next_interval(6, schedule, new=8, seen=10, failed=False) == 5  # not below min
    assert next_interval(30, schedule, new=0, seen=10, failed=False) == 46  # repeats: back off
    assert next_interval(100, schedule, new=0, seen=10, failed=True) == 120  # failures: up to max
    assert next_interval(60, schedule, new=2, seen=10, failed=False) == 45  # some news: towards base


def test_sitemaps_plain_news_and_index() -> None:
    from crawlers.spiders.sitemap import read_sitemap

    news = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.vn/1.html</loc>'
        b"<news:news><news:publication><news:name>A</news:name></news:publication>"
        b"<news:publication_date>2024-10-28T08:00:00+07:00</news:publication_date></news:news></url>"
        b"<url><loc> https://a.vn/2.html </loc><lastmod>2024-10-29</lastmod></url><url><loc>https://a.vn/3</loc></url>"
        b"</urlset>"
    )
    kind, entries = read_sitemap(news)
    assert kind == "urlset"
    assert [(e["loc"], e["lastmod"]) for e in entries] == [
        ("https://a.vn/1.html", "2024-10-28T08:00:00+07:00"),
        ("https://a.vn/2.html", "2024-10-29"),
        ("https://a.vn/3", ""),
    ]
    kind, entries = read_sitemap((SITE / "sitemap_index.xml").read_bytes())
    assert kind == "sitemapindex" and entries[0]["loc"].endswith("/national/sitemap-news.xml")
