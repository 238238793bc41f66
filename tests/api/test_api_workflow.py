"""The incident workflow through the API: transitions, assignment, locks, versions, verdicts,
known claims, unit visibility, bulk actions and the audit trail."""

from __future__ import annotations

import csv
import io

import pytest

from records.audit import verify_chain


def _get(client, auth, who="analyst", incident="inc-water"):
    response = client.get(f"/api/v1/incidents/{incident}", headers=auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_incident_detail_has_items_flags_reasons_and_timeline(client, auth):
    detail = _get(client, auth)
    assert detail["items"][0]["title"].startswith("Tin đồn nước máy")
    assert detail["items"][0]["flags"][0]["reasons"]
    assert sum(h["count"] for h in detail["timeline"]) == 2
    assert len(detail["timeline"]) == 3  # 5 h and 3 h ago: three hourly buckets, the middle one empty
    assert "triaged" in detail["allowed_transitions"]


def test_workflow_to_resolution_sets_response_times_and_is_audited(client, auth, store, clock):
    v = _get(client, auth)["version"]
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("analyst")
    )
    assert r.status_code == 200, r.text
    assert r.json()["first_response_at"] is not None
    clock.advance(minutes=10)
    r = client.post(
        "/api/v1/incidents/inc-water/assign",
        json={"unit": "so_y_te", "assignee": "Trần Thị B", "version": r.json()["version"]},
        headers=auth("analyst"),
    )
    assert r.status_code == 200 and r.json()["status"] == "assigned" and r.json()["assignee"] == "Trần Thị B"
    r = client.post(
        "/api/v1/incidents/inc-water/transition",
        json={"to": "responding", "version": r.json()["version"]},
        headers=auth("unit"),
    )
    assert r.status_code == 200 and r.json()["status"] == "responding"
    r = client.post(
        "/api/v1/incidents/inc-water/verdict",
        json={"verdict": "misleading", "version": r.json()["version"]},
        headers=auth("analyst"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "resolved" and body["verdict"] == "misleading" and body["resolved_at"]
    actions = [(e.action, e.target) for e in store.iter_audit()]
    for action in ("incident.transition", "incident.assign", "incident.verdict"):
        assert (action, "incident:inc-water") in actions
    assert verify_chain(store.iter_audit())[0]


def test_stale_version_is_a_conflict(client, auth):
    v = _get(client, auth)["version"]
    ok = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("analyst")
    )
    assert ok.status_code == 200
    stale = client.post(
        "/api/v1/incidents/inc-water/assign", json={"unit": "so_y_te", "version": v}, headers=auth("analyst")
    )
    assert stale.status_code == 409 and "changed since you read it" in stale.json()["detail"]


def test_lock_blocks_other_writers_until_it_expires(client, auth, clock):
    r = client.post("/api/v1/incidents/inc-water/lock", json={"ttl_seconds": 300}, headers=auth("analyst"))
    assert r.status_code == 200 and r.json()["holder"] == "analyst1"
    assert _get(client, auth, "admin")["lock"]["holder"] == "analyst1"
    other = client.post("/api/v1/incidents/inc-water/lock", json={}, headers=auth("admin"))
    assert other.status_code == 409
    v = _get(client, auth)["version"]
    blocked = client.post("/api/v1/incidents/inc-water/notes", json={"text": "xem lại"}, headers=auth("admin"))
    assert blocked.status_code == 409 and "locked by analyst1" in blocked.json()["detail"]
    own = client.post("/api/v1/incidents/inc-water/notes", json={"text": "đang xác minh"}, headers=auth("analyst"))
    assert own.status_code == 200 and own.json()["notes"][-1]["text"] == "đang xác minh"
    clock.advance(seconds=301)
    assert _get(client, auth, "admin")["lock"] is None
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v + 1}, headers=auth("admin")
    )
    assert r.status_code == 200, r.text


def test_release_lock_lets_others_write(client, auth):
    client.post("/api/v1/incidents/inc-water/lock", json={}, headers=auth("analyst"))
    assert client.delete("/api/v1/incidents/inc-water/lock", headers=auth("board")).status_code == 403
    assert client.delete("/api/v1/incidents/inc-water/lock", headers=auth("analyst")).status_code == 200
    assert client.post("/api/v1/incidents/inc-water/lock", json={}, headers=auth("admin")).status_code == 200


@pytest.mark.parametrize("missing", ["analyst", "source", "rationale"])
def test_false_verdict_needs_analyst_source_and_rationale(client, auth, missing):
    body = {
        "verdict": "false",
        "version": _get(client, auth)["version"],
        "analyst": "Nguyễn Văn A",
        "source": "Sở Y tế",
        "rationale": "Mẫu nước đạt chuẩn",
    }
    body[missing] = "  "
    r = client.post("/api/v1/incidents/inc-water/verdict", json=body, headers=auth("analyst"))
    assert r.status_code == 422
    assert "named analyst, a source and a rationale" in r.text and missing in r.text


def test_false_verdict_can_publish_a_known_claim_and_refresh_the_matcher(settings, store, clock, auth):
    from fastapi.testclient import TestClient

    from triage_api.app import create_app

    calls: list[int] = []
    app = create_app(settings, store=store, clock=clock, on_claims_changed=lambda: calls.append(1))
    with TestClient(app) as client:
        version = _get(client, auth)["version"]
        r = client.post(
            "/api/v1/incidents/inc-water/verdict",
            json={
                "verdict": "false",
                "version": version,
                "analyst": "Nguyễn Văn A",
                "source": "Sở Y tế",
                "rationale": "Mẫu nước đạt chuẩn",
                "publish_claim": True,
                "claim": "Nước máy Tam Kỳ bị nhiễm độc",
                "correction": "Sở Y tế khẳng định nước máy Tam Kỳ đạt quy chuẩn.",
                "correction_url": "https://soyte.quangnam.gov.vn/thong-cao",
            },
            headers=auth("analyst"),
        )
        assert r.status_code == 200, r.text
        claim_id = r.json()["known_claim_id"]
        claims = client.get("/api/v1/known-claims", headers=auth("board")).json()["data"]
    assert calls == [1]
    assert [c["claim_id"] for c in claims] == [claim_id]
    doc = store.get_record("known_claims", claim_id).doc
    assert set(doc) == {
        "claim_id",
        "claim",
        "correction",
        "correction_url",
        "source",
        "added_by",
        "added_at",
        "incident_id",
    }
    assert doc["incident_id"] == "inc-water" and doc["added_by"] == "analyst1"
    assert any(e.action == "known_claim.create" for e in store.iter_audit())


def test_unit_sees_only_incidents_routed_to_it(client, auth):
    listed = client.get("/api/v1/incidents", headers=auth("unit")).json()["data"]
    assert {i["id"] for i in listed} == {"inc-water", "inc-flood"}
    assert client.get("/api/v1/incidents?unit=cong_an_tinh", headers=auth("unit")).json()["data"] != []
    assert {
        i["owner_unit"] for i in client.get("/api/v1/incidents?unit=cong_an_tinh", headers=auth("unit")).json()["data"]
    } == {"so_y_te"}
    assert client.get("/api/v1/incidents/inc-scam", headers=auth("unit")).status_code == 404
    assert client.get("/api/v1/incidents/inc-scam", headers=auth("unit2")).status_code == 200
    v = _get(client, auth, "admin", "inc-scam")["version"]
    r = client.post(
        "/api/v1/incidents/inc-scam/transition", json={"to": "responding", "version": v}, headers=auth("unit")
    )
    assert r.status_code == 404


def test_unit_cannot_triage_or_give_verdicts(client, auth):
    v = _get(client, auth, "unit")["version"]
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("unit")
    )
    assert r.status_code == 403
    r = client.post("/api/v1/incidents/inc-water/verdict", json={"verdict": "true", "version": v}, headers=auth("unit"))
    assert r.status_code == 403


def test_invalid_transition_is_a_clear_400(client, auth):
    v = _get(client, auth)["version"]
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "responding", "version": v}, headers=auth("analyst")
    )
    assert r.status_code == 400 and "cannot move" in r.json()["detail"]
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "resolved", "version": v}, headers=auth("analyst")
    )
    assert r.status_code == 400 and "verdict" in r.json()["detail"]


def test_only_admin_reopens(client, auth):
    v = _get(client, auth)["version"]
    r = client.post(
        "/api/v1/incidents/inc-water/verdict", json={"verdict": "true", "version": v}, headers=auth("analyst")
    )
    v = r.json()["version"]
    assert r.json()["allowed_transitions"] == []
    denied = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("analyst")
    )
    assert denied.status_code == 400
    reopened = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("admin")
    )
    assert reopened.status_code == 200 and reopened.json()["verdict"] is None


def test_bulk_reports_one_outcome_per_incident(client, auth):
    client.post("/api/v1/incidents/inc-scam/lock", json={}, headers=auth("admin"))
    r = client.post(
        "/api/v1/incidents/bulk",
        json={"ids": ["inc-water", "inc-scam", "nope"], "action": "assign", "unit": "so_tttt"},
        headers=auth("analyst"),
    )
    assert r.status_code == 200
    outcomes = {o["id"]: o["status_code"] for o in r.json()["results"]}
    assert outcomes == {"inc-water": 200, "inc-scam": 409, "nope": 404}
    assert _get(client, auth)["owner_unit"] == "so_tttt"


def test_audit_api_verifies_and_exports_csv(client, auth, store):
    v = _get(client, auth)["version"]
    client.post("/api/v1/incidents/inc-water/transition", json={"to": "triaged", "version": v}, headers=auth("analyst"))
    verify = client.get("/api/v1/audit/verify", headers=auth("admin")).json()
    assert verify["ok"] and verify["checked"] == len(list(store.iter_audit()))
    listed = client.get("/api/v1/audit?action=incident", headers=auth("analyst")).json()["data"]
    assert [e["action"] for e in listed] == ["incident.transition"]
    exported = client.get("/api/v1/audit/export.csv", headers=auth("admin"))
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[-1]["action"] == "incident.transition" and rows[-1]["actor"] == "analyst1"
    assert len(rows) == verify["checked"]


def test_board_searches_are_audited_with_their_query(client, auth, store):
    r = client.get("/api/v1/search", params={"q": "nuoc may", "district": "Tam Kỳ"}, headers=auth("board"))
    assert r.status_code == 200 and {i["id"] for i in r.json()["data"]}
    entry = [e for e in store.iter_audit() if e.action == "search.board"][-1]
    assert entry.actor == "board1" and entry.details == {"q": "nuoc may", "district": ["Tam Kỳ"]}
    client.get("/api/v1/search", params={"q": "nuoc may"}, headers=auth("analyst"))
    assert sum(1 for e in store.iter_audit() if e.action == "search.board") == 1


def test_search_is_diacritic_insensitive_and_aggregates_without_authors(client, auth):
    r = client.get("/api/v1/search", params={"q": "lu lut"}, headers=auth("analyst")).json()
    assert [i["title"] for i in r["data"]] == ["Lũ lụt ở Đại Lộc, nước sông Vu Gia dâng cao"]
    agg = client.get("/api/v1/search/aggregations", params={"interval": "hour"}, headers=auth("board")).json()
    assert agg["total"] == 5
    assert agg["facets"]["district"]["Tam Kỳ"] == 2 and agg["facets"]["flag"]["misinformation"] == 2
    assert set(agg["facets"]) == {"topic", "district", "flag", "source", "kind"}
    assert sum(b["count"] for b in agg["histogram"]) == 5


def test_saved_searches_belong_to_their_owner(client, auth):
    created = client.post(
        "/api/v1/saved-searches", json={"name": "Nước máy", "params": {"q": "nuoc may"}}, headers=auth("board")
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    assert [s["id"] for s in client.get("/api/v1/saved-searches", headers=auth("board")).json()["data"]] == [sid]
    assert client.get(f"/api/v1/saved-searches/{sid}", headers=auth("analyst")).status_code == 404
    assert client.get(f"/api/v1/saved-searches/{sid}", headers=auth("admin")).status_code == 200
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=auth("board")).json() == {"deleted": True}


def test_users_api_creates_with_one_time_password_and_token(client, auth, store):
    r = client.post(
        "/api/v1/users", json={"username": "unit9", "role": "unit", "unit": "so_y_te"}, headers=auth("admin")
    )
    assert r.status_code == 201
    token = r.json()["token"]
    assert "password_hash" not in r.text
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "unit9" and me.json()["role"] == "unit"
    stored = store.get_record("users", "unit9").doc
    assert stored["password_hash"].startswith("$argon2") and r.json()["password"] not in str(stored)
    assert all(token not in str(rec.doc) and rec.key != token for rec in store.list_records("api_tokens"))
    assert (
        client.post("/api/v1/users", json={"username": "x9", "role": "unit"}, headers=auth("admin")).status_code == 400
    )
    disabled = client.patch("/api/v1/users/unit9", json={"active": False}, headers=auth("admin"))
    assert disabled.status_code == 200
    assert client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert [e.action for e in store.iter_audit() if e.target == "user:unit9"] == ["user.create", "user.update"]


def test_routing_rules_are_validated_and_audited(client, auth, store):
    rule = {
        "id": "scam-default",
        "match": {"kinds": ["scam"]},
        "lead": "cong_an_tinh",
        "partners": ["so_tttt"],
        "action": "Cảnh báo công khai cho người dân",
        "deadline_hours": {"1": 48, "2": 24, "3": 12, "4": 6, "5": 2},
    }
    r = client.put(
        "/api/v1/routing-rules/scam-default", json={"rule": rule, "expected_version": 0}, headers=auth("admin")
    )
    assert r.status_code == 200, r.text
    assert (
        client.put("/api/v1/routing-rules/scam-default", json={"rule": rule}, headers=auth("analyst")).status_code
        == 403
    )
    bad = client.put(
        "/api/v1/routing-rules/bad-one",
        json={"rule": {**rule, "id": "bad-one", "lead": "no_such_unit"}},
        headers=auth("admin"),
    )
    assert bad.status_code == 400 and "no_such_unit" in bad.json()["detail"]
    assert [e.action for e in store.iter_audit() if e.target.startswith("routing_rule:")] == ["routing_rule.create"]


def test_resolving_releases_the_resolvers_lock(client, auth):
    client.post("/api/v1/incidents/inc-water/lock", json={}, headers=auth("analyst"))
    v = _get(client, auth)["version"]
    r = client.post(
        "/api/v1/incidents/inc-water/verdict", json={"verdict": "true", "version": v}, headers=auth("analyst")
    )
    assert r.status_code == 200 and r.json()["lock"] is None
