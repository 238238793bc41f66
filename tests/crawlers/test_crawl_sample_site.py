"""The demo's sample sites (sample_site, H5) collected through the registry they write: every article
once, robots.txt obeyed, national items about other provinces dropped and counted, exact syndicated
copies linked rather than stored twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawl_mocksite import fast_options

from crawlers.collect import collect_once
from crawlers.registry import load_registry
from records.identity import canonical_url, content_hash
from sample_site.render import ROBOTS_DISALLOW
from sample_site.server import SampleSite
from store.base import ItemQuery


def test_sample_sites_are_collected_completely(tmp_path: Path, store, crawl_settings) -> None:
    with SampleSite(anchor=datetime(2026, 11, 20, 9, tzinfo=UTC)) as site:
        registry = load_registry(site.write_registry(tmp_path / "sample-sources.yaml"))
        report = collect_once(registry, sink=store.upsert_items, store=store, settings=crawl_settings,
                              options=fast_options())  # fmt: skip
        hits = list(site.hits)
        expected = site.items
    assert not [h for h in hits if h.startswith(ROBOTS_DISALLOW)]
    stored = {i.url: i for i in store.iter_items(ItemQuery())}
    irrelevant = [i for i in expected if i["national"] and not i["in_province"]]
    # exact copies (same title and text) are linked to the first one; edited copies are separate items
    hashes: set[str] = set()
    copies = 0
    for entry in expected:
        if entry in irrelevant:
            continue
        digest = content_hash(entry["title"], entry["text"]) if entry["kind"] != "social" else entry["id"]
        copies += digest in hashes
        hashes.add(digest)
    totals = report.totals
    assert totals.fetched == len(expected)
    assert totals.irrelevant == len(irrelevant)
    assert totals.new == len(stored) == len(expected) - len(irrelevant) - totals.duplicate
    assert totals.failed == totals.quarantined == totals.refused == 0
    assert totals.duplicate == copies, (totals, copies)
    kept = {canonical_url(i["url"]) for i in expected if i not in irrelevant and i["kind"] == "social"}
    assert kept <= set(stored)
