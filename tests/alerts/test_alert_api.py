"""Alerts and policy watch through the API and the page: who may do what, and that it is done."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from alerts.engine import AlertEngine
from mediawatch.settings import REPO_ROOT, Settings
from records.schema import Incident
from triage_api.app import create_app
from triage_api.services import users as users_service

NOW = datetime(2026, 11, 18, 5, 0, tzinfo=UTC)
ROLES = ("admin", "analyst", "board", "unit")


@pytest.fixture
def api(store, tmp_path, clock) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], dict[str, str]]]:
    clock.now = NOW
    settings = Settings(_env_file=None, secret_key="alerts-test-secret-0123456789", db=tmp_path / "unused.db",  # type: ignore[call-arg]
                        config_dir=REPO_ROOT / "config", ssrf_allow=[])
    headers, passwords = {}, {}
    for role in ROLES:
        unit = "so_y_te" if role == "unit" else None
        user = users_service.create_user(store, username=f"{role}1", role=role, unit=unit, actor="setup", now=NOW)
        headers[role] = {"Authorization": f"Bearer {user.token}"}
        passwords[role] = user.password
    store.create_incident(Incident(id="inc-dap", title="Tin đồn vỡ đập thủy điện ở Phước Sơn", severity=4,
                                   first_seen=NOW - timedelta(hours=3), last_seen=NOW - timedelta(minutes=10),
                                   topics=["disaster"], districts=["Phước Sơn"]))
    AlertEngine(store, settings, clock=clock).evaluate()
    with TestClient(create_app(settings, store=store, clock=clock)) as client:
        yield client, headers, passwords


def test_alert_routes_respect_roles_and_do_the_work(api) -> None:
    client, h, _ = api
    listed = client.get("/api/v1/alerts", headers=h["board"])
    assert listed.status_code == 200
    (alert,) = listed.json()["data"]
    assert alert["kind"] == "incident" and alert["scope_value"] == "inc-dap"
    assert client.get("/api/v1/alerts", headers=h["unit"]).status_code == 403
    assert client.get("/api/v1/alerts").status_code == 401

    assert client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=h["board"]).status_code == 403
    acked = client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=h["analyst"])
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "analyst1"
    assert client.get("/api/v1/alerts?open=true", headers=h["admin"]).json()["data"] == []
    assert client.get("/api/v1/alerts/al-missing", headers=h["admin"]).status_code == 404

    until = (NOW + timedelta(hours=2)).isoformat()
    body = {"until": until, "scope": "topic", "scope_value": "disaster", "reason": "họp báo"}
    assert client.post("/api/v1/alerts/silences", json=body, headers=h["board"]).status_code == 403
    silence = client.post("/api/v1/alerts/silences", json=body, headers=h["analyst"])
    assert silence.status_code == 200
    assert [s["id"] for s in client.get("/api/v1/alerts/silences", headers=h["board"]).json()["data"]] == [
        silence.json()["id"]
    ]
    past = {"until": (NOW - timedelta(hours=1)).isoformat(), "scope": "all"}
    assert client.post("/api/v1/alerts/silences", json=past, headers=h["analyst"]).status_code == 400
    assert client.delete(f"/api/v1/alerts/silences/{silence.json()['id']}", headers=h["admin"]).status_code == 200


def test_rules_are_read_by_readers_and_edited_by_admins_only(api) -> None:
    client, h, _ = api
    rules = client.get("/api/v1/alert-rules", headers=h["board"])
    assert rules.status_code == 200
    assert {r["id"] for r in rules.json()["data"]} >= {"spike-topic", "spike-district", "severe-incident"}
    current = client.get("/api/v1/alert-rules/spike-topic", headers=h["analyst"]).json()
    edited = {**current["rule"], "thresholds": {**current["rule"]["thresholds"], "min_count": 25}}
    body = {"rule": edited, "expected_version": current["version"]}
    assert client.put("/api/v1/alert-rules/spike-topic", json=body, headers=h["analyst"]).status_code == 403
    saved = client.put("/api/v1/alert-rules/spike-topic", json=body, headers=h["admin"])
    assert saved.status_code == 200 and saved.json()["rule"]["thresholds"]["min_count"] == 25
    stale = client.put("/api/v1/alert-rules/spike-topic", json=body, headers=h["admin"])
    assert stale.status_code == 409
    invalid = {"rule": {**edited, "values": ["weather"]}}
    assert client.put("/api/v1/alert-rules/spike-topic", json=invalid, headers=h["admin"]).status_code == 400
    # a webhook on a private address is refused when the rule is saved
    private = {"rule": {**edited, "channels": [{"type": "webhook", "url": "http://127.0.0.1:9/hook"}]}}
    refused = client.put("/api/v1/alert-rules/spike-topic", json=private, headers=h["admin"])
    assert refused.status_code == 400 and "refused" in refused.json()["detail"]
    assert client.delete("/api/v1/alert-rules/spike-topic", headers=h["analyst"]).status_code == 403
    assert client.delete("/api/v1/alert-rules/spike-topic", headers=h["admin"]).status_code == 200


def test_policies_api(api) -> None:
    client, h, _ = api
    body = {"title": "Dự thảo quy định học phí", "keywords": ["học phí"], "opens": "2026-11-01",
            "closes": "2026-12-31"}
    assert client.post("/api/v1/policies", json=body, headers=h["board"]).status_code == 403
    created = client.post("/api/v1/policies", json=body, headers=h["analyst"])
    assert created.status_code == 201
    pid = created.json()["id"]
    assert [p["id"] for p in client.get("/api/v1/policies", headers=h["board"]).json()["data"]] == [pid]
    coverage = client.get(f"/api/v1/policies/{pid}", headers=h["board"])
    assert coverage.status_code == 200 and coverage.json()["volume"] == 0
    bad = {**body, "closes": "2026-10-01"}
    assert client.post("/api/v1/policies", json=bad, headers=h["analyst"]).status_code == 400
    assert client.get("/api/v1/policies", headers=h["unit"]).status_code == 403


def _login(client: TestClient, username: str, password: str) -> str:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    done = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/alerts")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_alert_and_policy_pages(api) -> None:
    client, _, passwords = api
    csrf = _login(client, "analyst1", passwords["analyst"])
    page = client.get("/alerts")
    assert page.status_code == 200 and "Sự việc mức nghiêm trọng 4/5" in page.text
    alert_id = re.search(r'href="/alerts/(al-[0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    detail = client.get(f"/alerts/{alert_id}")
    assert "Chưa xác nhận." in detail.text
    assert client.post(f"/alerts/{alert_id}/ack", data={}, follow_redirects=False).status_code == 403  # no CSRF
    acked = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf})
    assert acked.status_code == 200 and "Đã xác nhận bởi analyst1" in acked.text
    assert client.get("/alerts/rules").status_code == 200
    # analysts may not edit rules on the page
    assert client.post("/alerts/rules", data={"csrf_token": csrf, "rule_text": "id: x\nname: x"}).status_code == 403
    added = client.post("/policies", data={"csrf_token": csrf, "title": "Dự thảo phí đỗ xe", "keywords": "phí đỗ xe",
                                           "opens": "2026-11-01", "closes": "2026-12-01"})
    assert added.status_code == 200 and "Dự thảo phí đỗ xe" in added.text and "Mức độ quan tâm" in added.text


def test_admin_edits_a_rule_on_the_page(api) -> None:
    client, _, passwords = api
    csrf = _login(client, "admin1", passwords["admin"])
    text = "id: dai-loc\nname: Đại Lộc\nkind: spike\nscope: district\nvalues: [Đại Lộc]\n"
    saved = client.post("/alerts/rules", data={"csrf_token": csrf, "rule_text": text})
    assert saved.status_code == 200 and 'id="rule-dai-loc"' in saved.text
    broken = client.post("/alerts/rules", data={"csrf_token": csrf, "rule_text": "id: [unclosed"})
    assert broken.status_code == 400 and "YAML không hợp lệ" in broken.text
