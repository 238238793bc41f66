"""Hostile and broken hosts: timeouts, 5xx with retries, a redirect to a private address, a gzip bomb,
entity-expansion XML, a source that keeps failing."""

from __future__ import annotations

from crawl_mocksite import BOMB_SIZE, MockSite, fast_options

from crawlers.collect import collect_once
from crawlers.health import FAILING_AFTER, Status, load_health
from crawlers.registry import parse_registry
from crawlers.relevance import RelevanceFilter
from store.base import ItemQuery

NO_FILTER = RelevanceFilter.from_names(["Quảng Nam"])


def test_slow_failing_redirecting_and_bombing_hosts(mock_site: MockSite, store, crawl_settings):
    registry = parse_registry(
        {
            "sources": [
                {
                    "id": "hazards",
                    "name": "Hazards",
                    "kind": "press",
                    "method": "rss",
                    "url": mock_site.url("/hazards.rss"),
                }
            ]
        }
    )
    report = collect_once(
        registry,
        sink=store.upsert_items,
        store=store,
        settings=crawl_settings,
        relevance=NO_FILTER,
        options=fast_options(scrapy={"DOWNLOAD_MAXSIZE": 2 * 1024 * 1024}, max_bytes=2 * 1024 * 1024),
    )
    rep = report.sources["hazards"]
    paths = mock_site.paths()
    # retried once with back-off, then counted as failed (5xx and timeout alike)
    assert paths.count("/fail/loi-60002.html") == 2
    assert paths.count("/slow/cham-60001.html") == 2
    assert any("loi-60002" in e and "HTTP 500" in e for e in rep.errors)
    assert any("cham-60001" in e and "TimeoutError" in e for e in rep.errors)
    # the redirect to 10.255.255.1 is refused by the SSRF guard, after the redirect
    assert paths.count("/redirect-private/noi-bo-60003.html") == 1
    assert any("noi-bo-60003" in e and "non-public address 10.255.255.1" in e for e in rep.errors)
    # an ordinary redirect is followed and the item stored under its final URL
    stored = [i.url for i in store.iter_items(ItemQuery())]
    assert len(stored) == 1 and stored[0].endswith("/bqn/hoc-phi-tam-ky-10003.html")
    # the gzip bomb stops at the cap: the child never held the inflated body
    assert any("bom-60005" in e and "DOWNLOAD_MAXSIZE" in e for e in rep.errors)
    assert report.child_stats["ru_maxrss_kb"] * 1024 < BOMB_SIZE
    # every linked document accounted for
    c = rep.counts
    assert (c.new, c.failed, c.refused) == (1, 3, 1)
    # the redirect and the direct link lead to one page: fetched twice, stored once, one duplicate
    assert (c.fetched, c.duplicate) == (2, 1)
    assert c.fetched == c.new + c.duplicate + c.unchanged + c.irrelevant + c.quarantined
    assert not rep.failed  # the source itself works; its documents failed
    assert load_health(store, "hazards").status == Status.degraded


def test_a_source_that_keeps_failing_is_reported_as_failing(mock_site: MockSite, store, crawl_settings):
    registry = parse_registry(
        {
            "sources": [
                {
                    "id": "down",
                    "name": "Trang lỗi",
                    "kind": "official",
                    "method": "rss",
                    "url": mock_site.url("/fail/feed.rss"),
                    "schedule": {"interval": 10, "min": 5, "max": 60},
                },
                {"id": "evil", "name": "XML độc", "kind": "press", "method": "rss", "url": mock_site.url("/evil.rss")},
            ]
        }
    )
    intervals = []
    for _ in range(FAILING_AFTER):
        report = collect_once(
            registry,
            sink=store.upsert_items,
            store=store,
            settings=crawl_settings,
            options=fast_options(),
            relevance=NO_FILTER,
        )
        assert report.sources["down"].failed
        intervals.append(load_health(store, "down").interval_minutes)
    health = load_health(store, "down")
    assert health.status == Status.failing and health.consecutive_failures == FAILING_AFTER
    assert health.status_text == "Lỗi liên tục, cần kiểm tra nguồn"
    assert "HTTP 500" in (health.last_error or "")
    assert intervals == [20, 40, 60]  # backs off, bounded by the schedule's max
    # entity expansion refused before parsing; the feed kept in quarantine with the reason
    evil = load_health(store, "evil")
    assert evil.status == Status.failing and "EntitiesForbidden" in (evil.last_error or "")
    reasons = [q.reason for q in store.list_quarantine().items if q.source_id == "evil"]
    assert len(reasons) == 1 and "EntitiesForbidden" in reasons[0]  # the same bad feed is kept once
    assert store.count(ItemQuery()) == 0


def test_robots_txt_also_guards_feeds(mock_site: MockSite, store, crawl_settings):
    registry = parse_registry(
        {"sources": [{"id": "hidden", "name": "Feed cấm", "kind": "press", "method": "rss",
                      "url": mock_site.url("/private/feed.rss")}]}
    )  # fmt: skip
    report = collect_once(registry, sink=store.upsert_items, store=store, settings=crawl_settings,
                          options=fast_options(), relevance=NO_FILTER)  # fmt: skip
    assert mock_site.paths() == ["/robots.txt"]
    assert report.sources["hidden"].failed and report.sources["hidden"].counts.refused == 1
    assert "robots.txt" in (load_health(store, "hidden").last_error or "")
