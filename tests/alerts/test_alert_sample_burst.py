"""The sample site's flood burst (ground-truth labels, no models) raises a signed alert at a loopback
sink once, and the rest of the sample content does not — what `make run` shows with real enrichment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.engine import AlertEngine
from alerts.sink import LocalWebhookSink, attach_channel
from records.identity import canonical_url, content_hash, item_id
from records.schema import Item, PlaceMention, SourceKind
from sample_site.content import load_items

ANCHOR = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 22:00 in Quảng Nam: inside the default quiet hours


def _items() -> list[Item]:
    out = []
    for d in load_items(ANCHOR, base_url="http://127.0.0.1:8765"):
        url = canonical_url(d["url"])
        out.append(Item(
            id=item_id(url), url=url, content_hash=content_hash(d.get("title") or "", d["text"]),
            source_id=d["source_id"], kind=SourceKind(d["kind"]), title=d.get("title") or "", text=d["text"],
            published_at=d["published_at"], collected_at=ANCHOR, topics=d["topics"],
            places=[PlaceMention(mention=x, district=x) for x in d["districts"]],
        ))
    return out


def test_the_sample_flood_burst_alerts_once_at_the_local_sink(store, settings, clock) -> None:
    store.upsert_items(_items())
    clock.now = ANCHOR + timedelta(minutes=20)
    engine = AlertEngine(store, settings, clock=clock)
    engine.ensure_rules()
    with LocalWebhookSink(secret=b"test-webhook-secret") as sink:
        changed = attach_channel(store, {"type": "webhook", "url": sink.url}, actor="demo", drop_quiet_hours=True)
        assert set(changed) >= {"spike-topic", "spike-district"}
        created, report = engine.run_once()
        assert report.sent == len(created) >= 1
        assert sink.wait_for(len(created), timeout=10)
        scopes = {(a.payload["scope"], a.payload["scope_value"]) for a in sink.arrivals}
        assert ("topic", "disaster") in scopes
        assert all(a.signature_ok for a in sink.arrivals)
        assert not any(value in ("scam", "health", "education") for _, value in scopes)
        # the next pass, and a restarted engine, add nothing
        clock.advance(minutes=5)
        assert AlertEngine(store, settings, clock=clock).run_once()[0] == []
        assert sink.repeats == 0 and len(sink.arrivals) == len(created)
