"""The push endpoint (user tokens by role, the integration token, quarantine of unreadable text) and
the source-health endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from crawlers.health import RunCounts, record_run
from crawlers.registry import Method, Source
from mediawatch.settings import Settings
from records.schema import SourceKind, utcnow
from store.base import ItemQuery
from triage_api.app import create_app
from triage_api.services import users as users_service

PUSH_TOKEN = "integration-token-for-tests-0123456789"


@pytest.fixture
def api(store, tmp_path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(secret_key=SecretStr("s" * 40), push_token=SecretStr(PUSH_TOKEN), db=tmp_path / "unused.db")
    tokens = {}
    for role in ("admin", "analyst", "board", "unit"):
        created = users_service.create_user(
            store,
            username=f"{role}1",
            role=role,
            unit="so_y_te" if role == "unit" else None,
            actor="setup",
            now=utcnow(),
        )
        tokens[role] = created.token
    with TestClient(create_app(settings, store=store)) as client:
        yield client, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_push_by_role_and_integration_token(api, store) -> None:
    client, tokens = api
    body = {"text": "Tin chuyển tiếp: cảnh báo lừa đảo giả danh Điện lực Quảng Nam", "channel": "zalo"}
    assert client.post("/api/v1/push", json=body).status_code == 401
    assert client.post("/api/v1/push", json=body, headers=bearer("wrong-token")).status_code == 401
    assert client.post("/api/v1/push", json=body, headers=bearer(tokens["board"])).status_code == 403
    answer = client.post("/api/v1/push", json=body, headers=bearer(tokens["unit"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "created" and answer.json()["received_by"] == "unit1"
    again = client.post("/api/v1/push", json={"items": [body]}, headers=bearer(PUSH_TOKEN))
    assert again.json()["received_by"] == "push-token"
    assert again.json()["results"][0]["status"] == "unchanged"
    (item,) = store.iter_items(ItemQuery())
    assert item.provenance.method == "push" and item.provenance.crawler_run == "push:unit1:zalo"
    assert [e.action for e in store.iter_audit() if e.target == item.id] == ["item.push", "item.push"]


def test_push_quarantines_unreadable_text_and_refuses_bad_payloads(api, store) -> None:
    client, tokens = api
    broken = {"text": "Qu\ufffd\ufffdng Nam th\ufffd\ufffdng b\ufffd\ufffdo \ufffd\ufffd\ufffd \ufffd\ufffd"}
    answer = client.post("/api/v1/push", json={"items": [broken]}, headers=bearer(tokens["analyst"]))
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "quarantined"
    assert "bảng mã" in store.list_quarantine().items[0].reason
    bad = client.post("/api/v1/push", json={"text": ""}, headers=bearer(tokens["analyst"]))
    assert bad.status_code == 422 and "text" in bad.text
    too_many = client.post("/api/v1/push", json={"items": [{"text": "x"}] * 101}, headers=bearer(tokens["admin"]))
    assert too_many.status_code == 422


def test_source_health_endpoint(api, store) -> None:
    client, tokens = api
    source = Source(
        id="pctt", name="Ban Chỉ huy PCTT", kind=SourceKind.official, method=Method.listing, url="https://x"
    )
    for _ in range(3):
        record_run(store, source, RunCounts(failed=2), failed=True, error="HTTP 500", seen=2)
    ok = Source(id="bqn", name="Báo Quảng Nam", kind=SourceKind.press, method=Method.rss, url="https://y")
    record_run(store, ok, RunCounts(fetched=5, new=5), failed=False, error=None, seen=5)
    assert client.get("/api/v1/sources", headers=bearer(tokens["unit"])).status_code == 403
    listing = client.get("/api/v1/sources", headers=bearer(tokens["board"])).json()
    assert [row["source_id"] for row in listing["data"]] == ["pctt", "bqn"]  # failing first
    assert listing["data"][0]["status_text"] == "Lỗi liên tục, cần kiểm tra nguồn"
    one = client.get("/api/v1/sources/bqn", headers=bearer(tokens["analyst"])).json()
    assert one["last_run"]["new"] == 5 and one["last_success_at"]
    assert client.get("/api/v1/sources/nope", headers=bearer(tokens["analyst"])).status_code == 404


def test_admins_add_sources_checked_against_ssrf(api, store) -> None:
    client, tokens = api
    entry = {"id": "so-xay-dung", "name": "Sở Xây dựng", "kind": "official", "method": "listing",
             "url": "https://93.184.216.34/tin-tuc"}  # fmt: skip
    assert client.post("/api/v1/sources", json=entry, headers=bearer(tokens["analyst"])).status_code == 403
    created = client.post("/api/v1/sources", json=entry, headers=bearer(tokens["admin"]))
    assert created.status_code == 201, created.text
    assert created.json()["schedule"]["interval"] == 30
    assert client.post("/api/v1/sources", json=entry, headers=bearer(tokens["admin"])).status_code == 409
    for url in ("http://127.0.0.1:8000/admin", "http://169.254.169.254/latest/meta-data/", "/etc/passwd"):
        bad = client.post("/api/v1/sources", json={**entry, "id": "x", "url": url}, headers=bearer(tokens["admin"]))
        assert bad.status_code in (400, 422), url
    bad_kind = client.post(
        "/api/v1/sources", json={**entry, "id": "y", "kind": "blog"}, headers=bearer(tokens["admin"])
    )
    assert bad_kind.status_code in (400, 422)
    from crawlers.registry import added_sources, parse_registry

    merged = parse_registry({"sources": []}).with_sources(added_sources(store))
    assert [s.id for s in merged.sources] == ["so-xay-dung"]
    assert client.delete("/api/v1/sources/so-xay-dung", headers=bearer(tokens["admin"])).json() == {"deleted": True}
    assert client.delete("/api/v1/sources/so-xay-dung", headers=bearer(tokens["admin"])).status_code == 404
    assert [e.action for e in store.iter_audit() if e.target == "so-xay-dung"] == ["source.add", "source.remove"]
