"""Routing per DESIGN.md's table, one row per incident kind; rules live in the store and admins' edits apply."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mediawatch.settings import REPO_ROOT
from records.schema import Incident
from routing.engine import Router
from routing.rules import COLLECTION
from store.sqlite_store import SQLiteStore

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
INFO_PARTNERS = ["so_tttt", "ban_tuyen_giao", "hoi_nha_bao"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "routing.db")
    yield s
    s.close()


@pytest.fixture
def router(store: SQLiteStore) -> Router:
    return Router.load(store, REPO_ROOT / "config")


def incident(kind: str | None, *, topics=(), districts=(), sources=(), severity: int = 3, flags=()) -> Incident:
    return Incident(
        id="inc-test",
        title="t",
        kind=kind,
        topics=list(topics),
        districts=list(districts),
        sources=list(sources),
        flag_kinds=list(flags),
        severity=severity,
        first_seen=NOW,
        last_seen=NOW,
    )


# (incident, rule that fires, lead unit, partner units) — DESIGN.md "Routing (from the plan)"
TABLE = [
    (incident("misinformation", topics=["health"]), "misinformation", "so_y_te", INFO_PARTNERS),
    (incident("misinformation", districts=["Hội An"]), "misinformation", "ubnd_hoi_an", INFO_PARTNERS),
    (incident("misinformation", topics=["disaster"], districts=["Đại Lộc"]), "misinformation", "bch_pctt_tkcn",
     INFO_PARTNERS),
    (incident("misinformation"), "misinformation", "to_cong_tac_tttt", INFO_PARTNERS),
    (incident("crisis_spike", topics=["disaster"], districts=["Dai Loc"]), "crisis_spike", "to_cong_tac_tttt",
     ["bch_pctt_tkcn", "ubnd_dai_loc"]),
    (incident("scam", topics=["public_order"]), "scam", "cong_an_tinh", ["so_tttt"]),
    (incident("hate_speech", districts=["Nam Giang"]), "hate_speech", "so_tttt", ["cong_an_tinh"]),
    (incident("press_issue", sources=["baoquangnam"]), "press_issue", "so_tttt", ["press:baoquangnam"]),
    (incident("public_concern", topics=["education"], districts=["Tam Kỳ"]), "public_concern", "ubnd_tam_ky",
     ["so_tttt"]),
    (incident("public_concern", topics=["education"]), "public_concern", "so_gd_dt", ["so_tttt"]),
    # no kind recorded: derived from the flags
    (incident(None, flags=["scam"]), "scam", "cong_an_tinh", ["so_tttt"]),
    (incident(None, flags=["misinformation"], topics=["land"]), "misinformation", "so_nn_mt", INFO_PARTNERS),
]


@pytest.mark.parametrize(("case", "rule_id", "lead", "partners"), TABLE)
def test_routing_follows_the_plan(router: Router, case: Incident, rule_id: str, lead: str, partners: list[str]) -> None:
    decision = router.route(case, now=NOW)
    assert decision.rule_id == rule_id
    assert decision.lead_unit == lead
    assert decision.partner_units == partners
    assert decision.suggested_action


TOPIC_DEPARTMENTS = {
    "health": "so_y_te",
    "education": "so_gd_dt",
    "land": "so_nn_mt",
    "environment": "so_nn_mt",
    "infrastructure": "so_xay_dung",
    "tourism_culture": "so_vh_tt_dl",
    "economy": "so_tai_chinh",
    "public_order": "cong_an_tinh",
    "accident": "cong_an_tinh",
    "disaster": "bch_pctt_tkcn",
    "governance": "vp_ubnd_tinh",
}


@pytest.mark.parametrize(("topic", "unit"), sorted(TOPIC_DEPARTMENTS.items()))
def test_misinformation_goes_to_the_topic_department(router: Router, topic: str, unit: str) -> None:
    assert router.route(incident("misinformation", topics=[topic]), now=NOW).lead_unit == unit


def test_the_remedy_for_misinformation_is_information(router: Router) -> None:
    action = router.route(incident("misinformation", topics=["health"]), now=NOW).suggested_action
    assert "thông tin chính xác" in action and "kênh chính thức" in action and "báo chí" in action


def test_deadlines_shorten_with_severity(router: Router) -> None:
    deadlines = [router.route(incident("scam", severity=s), now=NOW).deadline for s in range(1, 6)]
    assert all(d is not None and d > NOW for d in deadlines)
    assert deadlines == sorted(deadlines, reverse=True) and deadlines[0] > deadlines[-1]
    assert deadlines[-1] == NOW + timedelta(hours=3)  # config/routing.yaml: scam, severity 5


def test_every_unit_named_by_the_rules_is_in_the_directory(router: Router) -> None:
    for case, *_ in TABLE:
        decision = router.route(case, now=NOW)
        for unit in [decision.lead_unit, *decision.partner_units]:
            assert unit.startswith("press:") or router.units.get(unit) is not None, unit


def test_seeding_happens_once_and_edits_apply(store: SQLiteStore, router: Router) -> None:
    record = store.get_record(COLLECTION, "scam")
    assert record is not None
    doc = dict(record.doc, lead="so_tttt", partners=["cong_an_tinh"])
    store.put_record(COLLECTION, "scam", router.validate(doc).model_dump(mode="json"))
    Router.load(store, REPO_ROOT / "config")  # a restart must not overwrite the admin's edit
    decision = router.route(incident("scam"), now=NOW)
    assert (decision.lead_unit, decision.partner_units) == ("so_tttt", ["cong_an_tinh"])


def test_a_disabled_rule_falls_back_to_the_task_force(store: SQLiteStore, router: Router) -> None:
    record = store.get_record(COLLECTION, "hate_speech")
    store.put_record(COLLECTION, "hate_speech", dict(record.doc, enabled=False))
    decision = router.route(incident("hate_speech"), now=NOW)
    assert decision.rule_id == "fallback" and decision.lead_unit == "to_cong_tac_tttt"


def test_a_more_specific_rule_wins_at_equal_priority(store: SQLiteStore, router: Router) -> None:
    base = store.get_record(COLLECTION, "misinformation").doc
    special = dict(
        base,
        id="misinformation-health-severe",
        match={"kinds": ["misinformation"], "topics": ["health"], "min_severity": 4},
        partners=[*base["partners"], "to_cong_tac_tttt"],
    )
    store.put_record(COLLECTION, special["id"], router.validate(special).model_dump(mode="json"))
    assert router.route(incident("misinformation", topics=["health"], severity=4), now=NOW).rule_id == special["id"]
    assert router.route(incident("misinformation", topics=["health"], severity=3), now=NOW).rule_id == "misinformation"


def test_an_invalid_stored_rule_fails_at_start_up_and_is_skipped_later(store: SQLiteStore, router: Router) -> None:
    from records.errors import ConfigError

    broken = dict(store.get_record(COLLECTION, "scam").doc, lead="so_da_giai_the")
    store.put_record(COLLECTION, "scam", broken)  # written behind the API's back
    with pytest.raises(ConfigError, match="scam"):
        Router.load(store, REPO_ROOT / "config")
    decision = router.route(incident("scam"), now=NOW)
    assert decision.rule_id == "fallback" and decision.lead_unit == "to_cong_tac_tttt"
