"""The sample server serves every feed, page and export, politely (robots.txt, conditional GET)."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.robotparser
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import httpx
import lxml.html
import pytest
from lxml import etree

from crawlers.registry import load_registry
from sample_site.content import SITES
from sample_site.render import ADMIN_PATHS, EXPORT_PATHS, FEED_PATHS, LISTING_PATH, SITEMAP_PATHS
from sample_site.server import SampleSite

ANCHOR = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite(anchor=ANCHOR) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def _site_items(site: SampleSite, key: str) -> list[dict]:
    return [it for it in site.items if it["site"] == key]


def test_binds_an_ephemeral_loopback_port(site: SampleSite) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    assert not site.base_url.endswith(":0")


def test_every_served_path_answers(site: SampleSite, client: httpx.Client) -> None:
    for path in site.paths:
        response = client.get(site.url(path))
        assert response.status_code == 200, path
        assert response.content, path
    assert client.get(site.url("/baoquangnam/tin/khong-co-bai-nay.html")).status_code == 404


def test_rss_feeds_parse_and_link_to_the_articles(site: SampleSite, client: httpx.Client) -> None:
    for key, path in FEED_PATHS.items():
        feed = feedparser.parse(client.get(site.url(path)).content)
        assert not feed.bozo, feed.get("bozo_exception")
        expected = {it["url"]: it for it in _site_items(site, key)}
        assert {e.link for e in feed.entries} == set(expected)
        for entry in feed.entries:
            truth = expected[entry.link]
            assert entry.title == truth["title"]
            published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
            assert published == truth["published_at"].replace(microsecond=0)


def test_article_pages_carry_the_metadata_extractors_read(site: SampleSite, client: httpx.Client) -> None:
    for it in [i for i in site.items if i["path"]][::7]:
        tree = lxml.html.fromstring(client.get(it["url"]).content)
        assert tree.findtext(".//title").startswith(it["title"])
        assert tree.xpath("string(//meta[@property='og:title']/@content)") == it["title"]
        assert tree.xpath("string(//meta[@name='author']/@content)") == (it["author"] or "")
        published = datetime.fromisoformat(tree.xpath("string(//meta[@property='article:published_time']/@content)"))
        assert published == it["published_at"]
        body = [p.text_content() for p in tree.xpath("//article//p")]
        assert " ".join(body).split() == it["text"].split()
        assert tree.xpath("//footer") and tree.xpath("//*[contains(@class,'comments')]//p")


def test_sitemap_lists_every_article_with_lastmod(site: SampleSite, client: httpx.Client) -> None:
    root = etree.fromstring(client.get(site.url(SITEMAP_PATHS["datquang"])).content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root}
    expected = {it["url"]: it["published_at"] for it in _site_items(site, "datquang")}
    assert set(entries) == set(expected)
    assert all(datetime.fromisoformat(entries[url]) == when for url, when in expected.items())


def test_portal_listing_pages_follow_rel_next(site: SampleSite, client: httpx.Client) -> None:
    url: str | None = site.url(LISTING_PATH)
    found: list[str] = []
    pages = 0
    while url:
        tree = lxml.html.fromstring(client.get(url).content)
        found += [urljoin(url, h) for h in tree.xpath("//div[@class='news-list']//a/@href")]
        nxt = tree.xpath("//a[@rel='next']/@href")
        url = urljoin(url, nxt[0]) if nxt else None
        pages += 1
    assert pages >= 2
    assert sorted(found) == sorted(it["url"] for it in _site_items(site, "portal"))


def test_social_exports_have_the_contract_keys(site: SampleSite, client: httpx.Client) -> None:
    keys = ["post_id", "url", "page_name", "text", "created_time", "reactions", "shares", "comments"]
    posts = json.loads(client.get(site.url(EXPORT_PATHS["social_json"])).content)
    rows = list(csv.DictReader(io.StringIO(client.get(site.url(EXPORT_PATHS["social_csv"])).text)))
    for key, records in (("social_json", posts), ("social_csv", rows)):
        truth = {it["post_id"]: it for it in _site_items(site, key)}
        assert {r["post_id"] for r in records} == set(truth)
        for record in records:
            assert list(record) == keys
            created = datetime.fromisoformat(record["created_time"])
            assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 7 * 3600
            assert created == truth[record["post_id"]]["published_at"]
            assert record["text"] == truth[record["post_id"]]["text"]


def test_robots_txt_disallows_the_admin_paths(site: SampleSite, client: httpx.Client) -> None:
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(client.get(site.url("/robots.txt")).text.splitlines())
    for path in ADMIN_PATHS.values():
        assert not parser.can_fetch("MediaWatchBot", site.url(path)), path
    for it in site.items[::10]:
        assert parser.can_fetch("MediaWatchBot", it["url"]) or it["kind"] == "social"
    for spec in SITES.values():
        if spec.kind != "social":
            assert client.get(site.url(spec.prefix + "robots.txt")).status_code == 200


def test_conditional_get_answers_304(site: SampleSite, client: httpx.Client) -> None:
    url = site.url(FEED_PATHS["baoquangnam"])
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.head(url).status_code == 200


def test_hits_record_requests(site: SampleSite, client: httpx.Client) -> None:
    client.get(site.url("/vnnews/?probe=1"))
    assert "/vnnews/?probe=1" in site.hits


def test_registry_points_crawlers_at_the_server(site: SampleSite, tmp_path: Path, client: httpx.Client) -> None:
    registry = load_registry(site.write_registry(tmp_path / "sources.yaml"))
    by_id = {s.id: s for s in registry.sources}
    assert set(by_id) == {spec.source_id for spec in SITES.values()}
    for spec in SITES.values():
        source = by_id[spec.source_id]
        assert (source.kind.value, source.method.value, source.national) == (spec.kind, spec.method, spec.national)
        assert client.get(source.url).status_code == 200
    portal = by_id[SITES["portal"].source_id]
    assert all(re.search(portal.article_pattern or "", it["url"]) for it in _site_items(site, "portal"))
    assert not re.search(portal.article_pattern or "", site.url(ADMIN_PATHS["portal"]))


def test_registry_with_export_files(site: SampleSite, tmp_path: Path) -> None:
    registry = load_registry(site.write_registry(tmp_path / "sources.yaml", exports_as_files=True))
    exports = [s for s in registry.sources if s.method.value == "export"]
    assert len(exports) == 2
    for source in exports:
        path = Path(source.url)
        assert path.is_file() and path.read_bytes()


def test_not_running_is_an_error() -> None:
    idle = SampleSite(anchor=ANCHOR)
    with pytest.raises(RuntimeError):
        _ = idle.paths
