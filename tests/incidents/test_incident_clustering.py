"""Online clustering through the detector on a SQLite store: copies, paraphrases and posts without
diacritics join one incident; other stories on the same topic stay apart; short texts are only
suggested; the time window holds; a restarted detector continues."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from incident_stories import (
    DAM_NO_DIACRITICS,
    DAM_ORIGINAL,
    DAM_PARAPHRASE,
    DAM_SHORT,
    DAM_SYNDICATED,
    T0,
    UNRELATED_DAM,
    UNRELATED_FLOOD,
    UNRELATED_FLOOD_2,
    UNRELATED_SAME_DAM,
    UNRELATED_SAME_PLACE,
    make_item,
    misinformation_flag,
)

from incidents.detector import IncidentDetector
from records.schema import IncidentStatus, Item, SourceKind
from store.base import IncidentQuery

REPO = Path(__file__).resolve().parents[2]


def ingest(store, detector, items: list[Item]):
    store.upsert_items(items)
    return detector.process(items)


def dam_story() -> list[Item]:
    return [
        make_item(*DAM_ORIGINAL, source="baoquangnam", flags=[misinformation_flag()], district="Đại Lộc"),
        make_item(*DAM_SYNDICATED, source="tuoitre", at=T0 + timedelta(minutes=30), district="Đại Lộc"),
        make_item(*DAM_PARAPHRASE, source="vnexpress", at=T0 + timedelta(minutes=50), district="Đại Lộc"),
        make_item(
            *DAM_NO_DIACRITICS, source="fb-page-a", kind=SourceKind.social, at=T0 + timedelta(hours=1), reach=1200
        ),
    ]


def unrelated() -> list[Item]:
    at = T0 + timedelta(minutes=40)
    return [
        make_item(*UNRELATED_FLOOD, source="baoquangnam", at=at, flags=[misinformation_flag()]),
        make_item(*UNRELATED_FLOOD_2, source="tuoitre", at=at),
        make_item(*UNRELATED_DAM, source="vnexpress", at=at),
        make_item(*UNRELATED_SAME_DAM, source="thanhnien", at=at, flags=[misinformation_flag()]),
        make_item(*UNRELATED_SAME_PLACE, source="baodanang", at=at, flags=[misinformation_flag()]),
    ]


def test_copies_paraphrases_and_undiacritised_posts_join_one_incident(store, detector) -> None:
    story = dam_story()
    incidents = ingest(store, detector, story[:1]) + ingest(store, detector, story[1:])
    ids = {i.id for i in incidents}
    assert len(ids) == 1
    incident = store.get_incident(ids.pop())
    assert incident is not None
    assert set(incident.item_ids) == {i.id for i in story}
    assert {i.incident_id for i in store.get_items([i.id for i in story])} == {incident.id}
    assert incident.sources == ["baoquangnam", "tuoitre", "vnexpress", "fb-page-a"]
    assert incident.first_seen == T0 and incident.last_seen == T0 + timedelta(hours=1)
    assert incident.reach == 1200
    assert incident.title == DAM_ORIGINAL[0] or incident.title in {DAM_SYNDICATED[0], DAM_PARAPHRASE[0]}
    assert incident.districts == ["Đại Lộc"]


def test_unrelated_stories_on_the_same_topic_stay_apart(store, detector) -> None:
    story = dam_story()
    others = unrelated()
    ingest(store, detector, story)
    ingest(store, detector, others)
    dam_incident = store.get_item(story[0].id).incident_id
    for item in store.get_items([i.id for i in others]):
        assert item.incident_id != dam_incident, item.title
    incident = store.get_incident(dam_incident)
    assert not set(incident.item_ids) & {i.id for i in others}
    assert not set(incident.suggested_item_ids) & {i.id for i in others}
    # each flagged unrelated item got an incident of its own
    flagged = [i for i in store.get_items([i.id for i in others]) if i.flags]
    assert len({i.incident_id for i in flagged}) == len(flagged) == 3


def test_short_texts_are_only_suggested(store, detector) -> None:
    story = dam_story()
    ingest(store, detector, story)
    short = make_item(*DAM_SHORT, source="fb-page-b", kind=SourceKind.social, at=T0 + timedelta(hours=1))
    ingest(store, detector, [short])
    incident = store.get_incident(store.get_item(story[0].id).incident_id)
    assert short.id in incident.suggested_item_ids
    assert short.id not in incident.item_ids
    assert not store.get_item(short.id).incident_id


def test_a_flagged_short_post_suggested_to_an_incident_opens_no_second_one(store, detector) -> None:
    ingest(store, detector, dam_story())
    short = make_item(
        *DAM_SHORT, source="fb-page-b", kind=SourceKind.social, at=T0 + timedelta(hours=1),
        flags=[misinformation_flag()],
    )
    touched = ingest(store, detector, [short])
    assert len(touched) == 1 and short.id in touched[0].suggested_item_ids
    assert len(store.list_incidents(IncidentQuery()).items) == 1


def test_time_window_is_respected(store, detector, clock) -> None:
    story = dam_story()
    ingest(store, detector, story[:2])
    late = make_item(*DAM_PARAPHRASE, source="vnexpress", at=T0 + timedelta(days=4), n=2)
    clock.advance(days=4)
    ingest(store, detector, [late])
    first = store.get_item(story[0].id).incident_id
    assert store.get_item(late.id).incident_id != first
    assert late.id not in store.get_incident(first).item_ids


def test_resolved_incidents_take_no_new_items(store, detector) -> None:
    story = dam_story()
    ingest(store, detector, story[:2])
    incident = store.get_incident(store.get_item(story[0].id).incident_id)
    incident.status = IncidentStatus.resolved
    store.update_incident(incident)
    ingest(store, detector, story[2:3])
    assert story[2].id not in store.get_incident(incident.id).item_ids


def test_a_restarted_detector_continues_the_story(store, router, clock) -> None:
    story = dam_story()
    first = IncidentDetector(store, router, clock=clock)
    ingest(store, first, story[:2])
    second = IncidentDetector(store, router, clock=clock)  # a new process: the index comes from the store
    ingest(store, second, story[2:])
    incident_ids = {i.incident_id for i in store.get_items([i.id for i in story])}
    assert len(incident_ids) == 1 and None not in incident_ids


def test_unflagged_items_make_an_incident_only_as_a_story(store, detector) -> None:
    story = [
        make_item(*DAM_ORIGINAL, source="baoquangnam", topics=["infrastructure"]),
        make_item(*DAM_SYNDICATED, source="baoquangnam", at=T0 + timedelta(hours=5), topics=["infrastructure"]),
        make_item(*DAM_PARAPHRASE, source="baoquangnam", at=T0 + timedelta(hours=9), topics=["infrastructure"]),
    ]
    assert ingest(store, detector, story) == []  # three items, one source: not yet a story
    fourth = make_item(*DAM_NO_DIACRITICS, source="fb-page-a", kind=SourceKind.social, at=T0 + timedelta(hours=10),
                       topics=["infrastructure"])
    incidents = ingest(store, detector, [fourth])
    assert len(incidents) == 1
    assert incidents[0].kind == "public_concern"
    assert set(incidents[0].item_ids) == {i.id for i in [*story, fourth]}


def test_a_crisis_topic_in_a_burst_is_a_crisis_spike(store, detector) -> None:
    story = dam_story()
    for item in story:
        item.flags = []
    incidents = ingest(store, detector, story[:3])  # three disaster items from three sources within an hour
    assert len(incidents) == 1 and incidents[0].kind == "crisis_spike"
    assert incidents[0].routing is not None and incidents[0].routing.rule_id == "crisis_spike"


def test_no_author_field_is_read_by_incidents_or_routing() -> None:
    for folder in ("incidents", "routing"):
        for path in (REPO / folder).glob("*.py"):
            assert "author" not in path.read_text(encoding="utf-8"), path


def test_a_lost_index_is_rebuilt_from_open_incidents(store, router, clock) -> None:
    from incidents.state import CLUSTERS

    story = dam_story()
    ingest(store, IncidentDetector(store, router, clock=clock), story[:2])
    for record in store.list_records(CLUSTERS):  # as if the run stopped before saving its clusters
        store.delete_record(CLUSTERS, record.key)
    restarted = IncidentDetector(store, router, clock=clock)
    ingest(store, restarted, story[2:])
    assert len({i.incident_id for i in store.get_items([i.id for i in story])}) == 1
