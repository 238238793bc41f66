"""End-to-end collection against the local mock site: every article once, robots.txt obeyed, per-host
concurrency respected, duplicates merged, legacy encodings repaired or quarantined, nothing lost."""

from __future__ import annotations

from pathlib import Path

from crawl_mocksite import MockSite, fast_options

from crawlers.collect import collect_once
from crawlers.health import list_health
from crawlers.registry import parse_registry
from crawlers.relevance import RelevanceFilter
from records.identity import canonical_url
from store.base import ItemQuery

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site"


def registry_for(site: MockSite):
    return parse_registry(
        {
            "sources": [
                {
                    "id": "bqn",
                    "name": "Báo Quảng Nam",
                    "kind": "press",
                    "method": "rss",
                    "url": site.url("/bqn/feed.rss"),
                },
                {
                    "id": "portal",
                    "name": "Cổng TTĐT tỉnh",
                    "kind": "official",
                    "method": "listing",
                    "url": site.url("/portal/tin-tuc/index.html"),
                    "article_pattern": r"/tin-tuc/[a-z0-9-]+-\d+\.html$",
                },
                {
                    "id": "national",
                    "name": "Báo toàn quốc",
                    "kind": "press",
                    "method": "sitemap",
                    "national": True,
                    "url": site.url("/sitemap_index.xml"),
                    "article_pattern": "/thoi-su/",
                },
                {
                    "id": "legacy",
                    "name": "Trang bảng mã cũ",
                    "kind": "official",
                    "method": "rss",
                    "url": site.url("/legacy/feed.rss"),
                },
                {
                    "id": "zalo",
                    "name": "Kênh Zalo OA",
                    "kind": "social",
                    "method": "rss",
                    "url": site.url("/social/channel.rss"),
                    "fetch_articles": False,
                },
                {
                    "id": "fb-export",
                    "name": "Trang cộng đồng",
                    "kind": "social",
                    "method": "export",
                    "url": str(RESOURCES / "social" / "export.json"),
                },
            ]
        }
    )


PLACES = ["Quảng Nam", "Đại Lộc", "Hội An", "Tam Kỳ", "Núi Thành", "Đăk Mi", "Vu Gia"]


def test_collects_every_article_once_politely_and_loses_nothing(mock_site, store, crawl_settings):
    registry = registry_for(mock_site)
    report = collect_once(
        registry,
        sink=store.upsert_items,
        store=store,
        settings=crawl_settings,
        options=fast_options(),
        relevance=RelevanceFilter.from_names(PLACES),
    )
    paths = mock_site.paths()

    # robots.txt obeyed: fetched once, nothing under /private/ requested (listed by the feed and the portal)
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")], "\n".join(paths)
    assert report.sources["bqn"].counts.refused >= 1
    # 1–2 requests at a time per host
    assert max(mock_site.max_in_flight.values()) <= 2
    # the feed's tracking-parameter and fragment copies of one article: fetched once
    assert sum(p.startswith("/bqn/hoi-an-du-lich-10002.html") for p in paths) == 1

    items = {i.url: i for i in store.iter_items(ItemQuery())}
    base = canonical_url(mock_site.base_url)
    bqn = store.get_item(next(i.id for u, i in items.items() if u.endswith("/bqn/lu-dai-loc-10001.html")))
    assert bqn is not None and bqn.title.startswith("Nước lũ dâng cao ở Đại Lộc")
    assert bqn.author == "Lê Văn Minh"
    assert bqn.published_at is not None and bqn.published_at.isoformat() == "2024-10-28T01:30:00+00:00"
    assert bqn.language == "vi" and "utm_source" not in bqn.url
    assert bqn.provenance.method == "rss" and bqn.provenance.crawler_run == report.run_id
    # syndicated copy on the national site: linked to the original, not stored twice
    assert report.sources["national"].counts.duplicate == 1
    assert [s.rsplit("/", 1)[1] for s in bqn.syndicated_with] == ["lu-dai-loc-30003.html"]
    # national source: only the item about the province is kept, and why
    national = [i for i in items.values() if i.source_id == "national"]
    assert [i.title for i in national] == ["Thủy điện ở miền Trung đồng loạt xả lũ"]
    assert any("Quảng Nam" in r or "quang nam" in r for r in national[0].provenance.relevance)
    assert report.sources["national"].counts.irrelevant == 1
    # official listing with pagination: three notices, the duplicate link fetched once
    portal = sorted(i.url for i in items.values() if i.source_id == "portal")
    assert [u.rsplit("/", 1)[1] for u in portal] == [
        "ho-tro-ngu-dan-20003.html",
        "lay-y-kien-du-thao-20002.html",
        "thong-bao-xa-lu-20001.html",
    ]
    assert sum(p.startswith("/portal/tin-tuc/thong-bao-xa-lu-20001.html") for p in paths) == 1
    # legacy encodings repaired to the same Unicode text; the unreadable page quarantined with a reason
    legacy = {i.url.rsplit("/", 1)[1]: i for i in items.values() if i.source_id == "legacy"}
    expected = "Tỉnh Quảng Nam thông báo về tình hình mưa lũ tại huyện Đại Lộc"
    for name in ("tcvn3-40001.html", "vni-40002.html", "cp1258-40003.html", "mojibake-40004.html", "nfd-40005.html"):
        assert expected in legacy[name].text, name
        assert legacy[name].title.startswith("Thông báo khẩn về mưa lũ ở Đại Lộc (bản tin số "), name
    quarantined = store.list_quarantine(limit=100).items
    assert any(q.url and q.url.endswith("unknown-40006.html") and "bảng mã" in q.reason for q in quarantined)
    # social channel feed: posts are the entries themselves; export: reach = reactions + shares
    zalo = [i for i in items.values() if i.source_id == "zalo"]
    assert len(zalo) == 2 and all(i.kind == "social" for i in zalo)
    fb = {i.url: i for i in items.values() if i.source_id == "fb-export"}
    assert fb["https://facebook.com/quangnam.cong.dong/posts/1001"].reach == 155
    assert fb["https://facebook.com/quangnam.cong.dong/posts/1002"].author == "Cộng đồng Quảng Nam"

    # nothing lost: every document is in exactly one bucket
    for source_id, rep in report.sources.items():
        c = rep.counts
        stored = sum(1 for i in items.values() if i.source_id == source_id)
        assert c.fetched == c.new + c.duplicate + c.unchanged + c.irrelevant + c.quarantined, source_id
        assert stored == c.new, source_id
    assert report.sources["legacy"].counts.failed == 1  # the feed links a page that does not exist (404)
    assert report.sources["fb-export"].counts.quarantined == 2  # a post without id, a post with a bad date
    assert base  # the mock site is what was crawled

    # a second run fetches no article again: lastmod / validators / seen state
    mock_site.requests.clear()
    again = collect_once(
        registry,
        sink=store.upsert_items,
        store=store,
        settings=crawl_settings,
        options=fast_options(),
        relevance=RelevanceFilter.from_names(PLACES),
    )
    article_hits = [p for p in mock_site.paths() if p.endswith(".html") and "index" not in p]
    not_modified = [h for _, p, h in mock_site.requests if p in article_hits and "If-None-Match" in h]
    assert len(article_hits) == len(not_modified)  # only conditional requests, answered 304
    assert sum(r.counts.new for r in again.sources.values()) == 0
    assert store.count(ItemQuery()) == len(items)
    health = {h.source_id: h for h in list_health(store)}
    assert set(health) == {"bqn", "portal", "national", "legacy", "zalo", "fb-export"}
    assert health["bqn"].status == "ok" and health["bqn"].totals.new == 3
    assert health["bqn"].last_success_at is not None
    # busy the first time (most entries new): polled more often; nothing new the second time: less often
    assert report.sources["bqn"].interval_minutes < 30
    assert health["bqn"].interval_minutes > report.sources["bqn"].interval_minutes
