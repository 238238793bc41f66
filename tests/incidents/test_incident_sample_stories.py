"""The detector on the sample sites' content (sample_site/data, written by another team with its ground
truth): hoax posts of one claim surface together, and no incident mixes labelled stories.

The sample's enrichment labels (topics, districts, flags) stand in for the NLP stage. The clustering
thresholds were chosen looking at this set and at tests/incidents/incident_stories.py, so these floors
are a regression gate, not an unbiased estimate.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from records.identity import content_hash, item_id
from records.schema import Flag, Item, PlaceMention, SourceKind
from sample_site.content import load_items
from store.base import IncidentQuery

ANCHOR = datetime(2026, 10, 20, 12, tzinfo=UTC)


def sample_items() -> tuple[list[Item], dict[str, dict]]:
    items, truth = [], {}
    for r in load_items(ANCHOR, base_url="http://sample.test"):
        item = Item(
            id=item_id(r["url"]),
            url=r["url"],
            content_hash=content_hash(r["title"], r["text"]),
            source_id=r["source_id"],
            kind=SourceKind(r["kind"]),
            title=r["title"],
            text=r["text"],
            published_at=r["published_at"],
            collected_at=r["published_at"] + timedelta(minutes=10),
            topics=r["topics"],
            places=[PlaceMention(mention=d, district=d) for d in r["districts"]],
            flags=[Flag(kind=f, score=0.9, reasons=["nhãn mẫu"]) for f in r["flags"]],
            reach=(r.get("reactions", 0) + r.get("shares", 0)) or None,
        )
        items.append(item)
        truth[item.id] = r
    return items, truth


def test_sample_claims_surface_together_and_stories_do_not_mix(store, router) -> None:
    from incidents.detector import IncidentDetector

    items, truth = sample_items()
    store.upsert_items(items)
    detector = IncidentDetector(store, router, clock=lambda: ANCHOR)
    for start in range(0, len(items), 20):
        detector.process(items[start : start + 20])
    incidents = store.list_incidents(IncidentQuery(limit=1000)).items
    seen: dict[str, set[str]] = {}
    for incident in incidents:
        for i in [*incident.item_ids, *incident.suggested_item_ids]:
            seen.setdefault(i, set()).add(incident.id)

    hoaxes = [i.id for i in items if truth[i.id]["role"] == "hoax"]
    pairs = [(a, b) for a, b in itertools.combinations(hoaxes, 2) if truth[a]["claim"] == truth[b]["claim"]]
    together = sum(bool(seen.get(a, set()) & seen.get(b, set())) for a, b in pairs)
    assert together / len(pairs) >= 0.8, f"{together}/{len(pairs)} pairs of one claim surface together"
    member_of = {i: incident.id for incident in incidents for i in incident.item_ids}
    joined = sum(member_of.get(a) is not None and member_of.get(a) == member_of.get(b) for a, b in pairs)
    assert joined / len(pairs) >= 0.5, f"{joined}/{len(pairs)} pairs of one claim in one incident"

    mixed = [
        (incident.id, truth[a]["story"], truth[b]["story"])
        for incident in incidents
        for a, b in itertools.combinations(incident.item_ids, 2)
        if truth[a]["story"] and truth[b]["story"] and truth[a]["story"] != truth[b]["story"]
    ]
    assert not mixed, mixed
    # every flagged sample item is in an incident or shown as a suggestion on one
    flagged = [i.id for i in items if i.flags]
    assert all(seen.get(i) for i in flagged)
