"""The sample content meets the minimums the demo and the evaluation rely on (from the ground truth)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from records.schema import TOPIC_IDS
from records.textfold import fold
from sample_site.content import DISTRICTS, SITES, ContentError, _check_entry, default_anchor, load_items

ANCHOR = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return load_items(ANCHOR)


def test_volume_and_time_span(items: list[dict]) -> None:
    assert len(items) >= 150
    times = [it["published_at"] for it in items]
    assert max(times) <= ANCHOR
    assert max(times) - min(times) >= timedelta(days=16)
    assert len({it["id"] for it in items}) == len(items)
    assert len({it["url"] for it in items if it["url"]}) == len([it for it in items if it["url"]])


def test_every_topic_and_district_is_covered(items: list[dict]) -> None:
    topics = Counter(t for it in items for t in it["topics"])
    districts = Counter(d for it in items for d in it["districts"])
    assert set(topics) == set(TOPIC_IDS)
    assert set(districts) == set(DISTRICTS)
    assert min(topics.values()) >= 3


def test_every_site_has_items(items: list[dict]) -> None:
    per_site = Counter(it["site"] for it in items)
    assert set(per_site) == set(SITES)
    assert all(n >= 10 for n in per_site.values())


def test_labels_are_consistent_with_roles(items: list[dict]) -> None:
    for it in items:
        assert ("misinformation" in it["flags"]) == it["is_hoax"], it["id"]
        assert ("scam" in it["flags"]) == (it["role"] == "scam"), it["id"]
        assert ("hate_speech" in it["flags"]) == (it["role"] == "hate"), it["id"]
        if it["is_criticism"] or it["is_debunk"] or it["is_rumour_news"] or it["is_scam_warning"]:
            assert it["flags"] == [], it["id"]


def test_hoaxes_spread_with_paraphrases_debunks_and_news(items: list[dict]) -> None:
    by_claim: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        if it["claim"]:
            by_claim[it["claim"]].append(it)
    assert len(by_claim) >= 4
    for claim, group in by_claim.items():
        hoaxes = [it for it in group if it["is_hoax"]]
        assert len(hoaxes) >= 3, claim
        assert len({it["text"] for it in hoaxes}) == len(hoaxes), claim  # paraphrased, not copies
        assert any(it["no_diacritics"] for it in hoaxes), claim
        debunks = [it for it in group if it["is_debunk"]]
        assert debunks and all(it["kind"] == "official" for it in debunks), claim
        assert any(it["is_rumour_news"] for it in group), claim
        first_hoax = min(it["published_at"] for it in hoaxes)
        assert all(d["published_at"] > first_hoax for d in debunks), claim
    dam_hoaxes = [it for g in by_claim.values() for it in g if it["is_hoax"] and "dap" in fold(it["text"])]
    assert any("dak mi 4" in fold(it["text"]) or "song tranh 2" in fold(it["text"]) for it in dam_hoaxes)


def test_scams_hate_and_their_hard_negatives(items: list[dict]) -> None:
    roles = Counter(it["role"] for it in items)
    assert roles["scam"] >= 6 and roles["scam_warning"] >= 4
    assert roles["hate"] >= 4 and roles["rude"] >= 3
    assert roles["criticism"] >= 15 and roles["news"] + roles["notice"] >= 60
    scam_text = " ".join(fold(it["text"]) for it in items if it["role"] == "scam")
    for cue in ("chuyen khoan", "otp", ".top", "cong an", "evn"):
        assert cue in scam_text, cue


def test_informal_writing_is_present(items: list[dict]) -> None:
    assert sum(it["no_diacritics"] for it in items) >= 8
    assert sum(it["teencode"] for it in items) >= 5
    assert all(not it["no_diacritics"] for it in items if it["kind"] != "social")


def test_syndicated_story_on_several_press_sites(items: list[dict]) -> None:
    copies = [it for it in items if it["syndicated_from"]]
    assert copies
    by_id = {it["id"]: it for it in items}
    origin = by_id[copies[0]["syndicated_from"]]
    family = [origin, *[c for c in copies if c["syndicated_from"] == origin["id"]]]
    assert len({it["site"] for it in family}) >= 3
    family_ids = {it["id"] for it in family}
    urls = {it["url"] for it in load_items(ANCHOR, base_url="http://127.0.0.1:1") if it["id"] in family_ids}
    assert len(urls) == len(family)
    exact = [c for c in family[1:] if not c["edited_copy"]]
    edited = [c for c in family[1:] if c["edited_copy"]]
    assert exact and exact[0]["text"] == origin["text"]
    assert edited and edited[0]["text"] != origin["text"]


def test_flood_burst_stands_out_of_a_quiet_baseline(items: list[dict]) -> None:
    window = timedelta(hours=6)
    burst = [it for it in items if ANCHOR - window <= it["published_at"] <= ANCHOR]
    assert len(burst) >= 30
    assert {"social", "press", "official"} <= {it["kind"] for it in burst}
    assert {"Đại Lộc", "Nông Sơn", "Duy Xuyên", "Hội An"} <= {d for it in burst for d in it["districts"]}
    assert any(it["is_hoax"] for it in burst)
    baseline = [it["published_at"] for it in items if it["published_at"] < ANCHOR - window]
    busiest_baseline = max(sum(1 for t in baseline if start <= t < start + window) for start in baseline)
    assert busiest_baseline * 4 <= len(burst)


def test_other_province_items_come_from_the_national_source(items: list[dict]) -> None:
    outside = [it for it in items if not it["in_province"]]
    assert len(outside) >= 2
    assert all(it["national"] and it["districts"] == [] for it in outside)


def test_anchor_moves_every_timestamp() -> None:
    later = ANCHOR + timedelta(days=3)
    a, b = load_items(ANCHOR), load_items(later)
    assert [it["id"] for it in a] == [it["id"] for it in b]
    assert all(y["published_at"] - x["published_at"] == timedelta(days=3) for x, y in zip(a, b, strict=True))
    with pytest.raises(ValueError):
        load_items(datetime(2026, 3, 10, 9, 0))  # naive


def test_default_anchor_is_the_current_hour() -> None:
    anchor = default_anchor()
    assert anchor.tzinfo is not None and anchor.minute == anchor.second == anchor.microsecond == 0
    assert timedelta(0) <= datetime.now(UTC) - anchor < timedelta(hours=1, minutes=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "x", "site": "baoquangnam", "h": -1, "text": "t", "role": "news"},  # no title
        {"id": "x", "site": "nowhere", "h": -1, "text": "t", "role": "news", "title": "T"},
        {"id": "x", "site": "social_json", "h": 2, "text": "t", "role": "news"},  # in the future
        {"id": "x", "site": "social_json", "h": -1, "text": "t", "role": "news", "topics": ["weather"]},
        {"id": "x", "site": "social_json", "h": -1, "text": "t", "role": "news", "districts": ["Huế"]},
        {"id": "x", "site": "social_json", "h": -1, "text": "t", "role": "gossip"},
        {"id": "x", "site": "social_json", "h": -1, "text": "t", "role": "news", "colour": "red"},
    ],
)
def test_malformed_content_is_refused(bad: dict) -> None:
    with pytest.raises(ContentError):
        _check_entry(bad, "test.yaml")
