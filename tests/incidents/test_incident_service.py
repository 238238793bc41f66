"""Analysts' operations keep items, incidents, spread, severity, routing, clusters and the audit log consistent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from incident_stories import (
    DAM_NO_DIACRITICS,
    DAM_ORIGINAL,
    DAM_PARAPHRASE,
    DAM_SHORT,
    DAM_SYNDICATED,
    T0,
    UNRELATED_FLOOD,
    UNRELATED_SAME_DAM,
    make_item,
    misinformation_flag,
    scam_flag,
)

from incidents import service
from incidents.state import resolve_incident_id
from records.errors import ConflictError, InputError, NotFoundError
from records.schema import IncidentStatus, Lock, SourceKind


@pytest.fixture
def story(store, detector):
    items = [
        make_item(*DAM_ORIGINAL, source="baoquangnam", flags=[misinformation_flag()], district="Đại Lộc"),
        make_item(*DAM_SYNDICATED, source="tuoitre", at=T0 + timedelta(minutes=30)),
        make_item(*DAM_PARAPHRASE, source="vnexpress", at=T0 + timedelta(minutes=50)),
        make_item(*DAM_NO_DIACRITICS, source="fb-a", kind=SourceKind.social, at=T0 + timedelta(hours=1), reach=500),
    ]
    other = make_item(*UNRELATED_SAME_DAM, source="thanhnien", at=T0 + timedelta(minutes=40), flags=[scam_flag()],
                      reach=70)
    store.upsert_items([*items, other])
    detector.process([*items, other])
    a = store.get_item(items[0].id).incident_id
    b = store.get_item(other.id).incident_id
    assert a and b and a != b
    return {"items": items, "other": other, "a": a, "b": b}


def last_audit(store):
    return list(store.iter_audit())[-1]


def test_merge_moves_everything_and_redirects(store, router, clock, detector, story) -> None:
    merged = service.merge_incidents(store, [story["a"], story["b"]], actor="analyst.lan", router=router, clock=clock)
    assert merged.id == story["a"]
    all_ids = {i.id for i in story["items"]} | {story["other"].id}
    assert set(merged.item_ids) == all_ids
    assert {i.incident_id for i in store.get_items(list(all_ids))} == {merged.id}
    assert store.get_incident(story["b"]) is None and resolve_incident_id(store, story["b"]) == merged.id
    assert set(merged.sources) == {"baoquangnam", "tuoitre", "vnexpress", "fb-a", "thanhnien"}
    assert merged.reach == 570
    # the scam flag now decides the kind, and the routing follows it
    assert merged.kind == "scam" and merged.routing.rule_id == "scam" and merged.owner_unit == "cong_an_tinh"
    entry = last_audit(store)
    assert (entry.actor, entry.action, entry.target) == ("analyst.lan", "incident.merge", f"incident:{merged.id}")
    assert entry.details["merged"] == [story["b"]]
    # the running detector sees the merge: a copy of the absorbed story joins the merged incident
    copy = make_item("Tiêu đề khác", UNRELATED_SAME_DAM[1], source="baodanang", at=T0 + timedelta(hours=2))
    store.upsert_items([copy])
    detector.process([copy])
    assert store.get_item(copy.id).incident_id == merged.id


def test_split_makes_a_consistent_new_incident(store, router, clock, story) -> None:
    moving = [story["items"][2].id, story["items"][3].id]
    before = store.get_incident(story["a"])
    new = service.split_incident(store, story["a"], moving, actor="analyst.lan", router=router, clock=clock)
    old = store.get_incident(story["a"])
    assert set(new.item_ids) == set(moving) and not set(old.item_ids) & set(moving)
    assert set(old.item_ids) | set(new.item_ids) == set(before.item_ids)
    assert new.sources == ["vnexpress", "fb-a"] and old.sources == ["baoquangnam", "tuoitre"]
    assert new.reach == 500 and old.reach == 0
    assert new.title == DAM_PARAPHRASE[0] or new.title.startswith("Dak Mi 4")
    assert new.routing is not None and new.owner_unit == new.routing.lead_unit
    assert {i.incident_id for i in store.get_items(moving)} == {new.id}
    actions = [(e.action, e.target) for e in store.iter_audit()][-2:]
    assert actions == [("incident.split", f"incident:{old.id}"), ("incident.create", f"incident:{new.id}")]


def test_add_accepts_a_suggestion_and_remove_takes_an_item_out(store, router, clock, detector, story) -> None:
    short = make_item(*DAM_SHORT, source="fb-b", kind=SourceKind.social, at=T0 + timedelta(hours=1), reach=30)
    store.upsert_items([short])
    detector.process([short])
    assert short.id in store.get_incident(story["a"]).suggested_item_ids
    added = service.add_items(store, story["a"], [short.id], actor="analyst.lan", router=router, clock=clock)
    assert short.id in added.item_ids and short.id not in added.suggested_item_ids
    assert store.get_item(short.id).incident_id == added.id and added.reach == 530
    assert last_audit(store).action == "incident.add_items"

    social = story["items"][3].id
    removed = service.remove_items(store, story["a"], [social], actor="analyst.lan", router=router, clock=clock)
    assert social not in removed.item_ids and "fb-a" not in removed.sources and removed.reach == 30
    assert store.get_item(social).incident_id is None
    assert last_audit(store).details["removed"] == [social]


def test_operations_refuse_what_makes_no_sense(store, clock, story) -> None:
    a, b = story["a"], story["b"]
    with pytest.raises(InputError):
        service.merge_incidents(store, [a, a], actor="x", clock=clock)
    with pytest.raises(NotFoundError):
        service.merge_incidents(store, [a, "inc-none"], actor="x", clock=clock)
    with pytest.raises(InputError):
        service.split_incident(store, a, [i.id for i in story["items"]], actor="x", clock=clock)
    stray = make_item(*UNRELATED_FLOOD, source="baoquangnam", at=T0)
    store.upsert_items([stray])
    with pytest.raises(InputError):
        service.split_incident(store, a, [stray.id], actor="x", clock=clock)
    with pytest.raises(InputError):
        service.add_items(store, a, [story["other"].id], actor="x", clock=clock)  # belongs to b
    incident = store.get_incident(b)
    incident.lock = Lock(holder="analyst.minh", expires_at=clock() + timedelta(minutes=5))
    store.update_incident(incident)
    with pytest.raises(ConflictError):
        service.merge_incidents(store, [a, b], actor="analyst.lan", clock=clock)
    incident = store.get_incident(a)
    incident.status = IncidentStatus.resolved
    store.update_incident(incident)
    with pytest.raises(InputError):
        service.remove_items(store, a, [story["items"][1].id], actor="x", clock=clock)
