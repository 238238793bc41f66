"""Limits and malformed input: page sizes, body size, broken JSON, bad cursors; health and metrics
show no secrets; nothing aggregates by author."""

from __future__ import annotations

import json

from api_seed import SECRET


def test_page_size_above_200_is_refused(client, auth):
    r = client.get("/api/v1/search", params={"limit": 201}, headers=auth("analyst"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
    assert client.get("/api/v1/incidents", params={"limit": 200}, headers=auth("analyst")).status_code == 200
    assert client.get("/api/v1/audit", params={"limit": 500}, headers=auth("admin")).status_code == 422


def test_request_body_over_one_megabyte_is_413(client, auth):
    body = json.dumps({"text": "x" * 1_100_000})
    r = client.post(
        "/api/v1/incidents/inc-water/notes",
        content=body,
        headers={**auth("analyst"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_malformed_json_gets_a_clear_4xx(client, auth):
    r = client.post(
        "/api/v1/incidents/inc-water/notes",
        content=b'{"text": "unterminated',
        headers={**auth("analyst"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "JSON decode error" in r.text


def test_wrong_types_and_unknown_fields_are_422(client, auth):
    r = client.post(
        "/api/v1/incidents/inc-water/transition", json={"to": "nowhere", "version": "x"}, headers=auth("analyst")
    )
    assert r.status_code == 422 and {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "to"),
        ("body", "version"),
    }
    r = client.post("/api/v1/saved-searches", json={"name": "a", "author": "someone"}, headers=auth("board"))
    assert r.status_code == 422


def test_invalid_cursor_is_400(client, auth):
    r = client.get("/api/v1/search", params={"cursor": "not-a-cursor"}, headers=auth("analyst"))
    assert r.status_code == 400 and "cursor" in r.json()["detail"]


def test_invalid_token_is_401_with_challenge(client):
    r = client.get("/api/v1/incidents", headers={"Authorization": "Bearer mw_nope"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_healthz_and_metrics_show_no_secrets(client, auth, seed):
    client.get("/api/v1/incidents", headers=auth("analyst"))
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["store"] is True
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'mediawatch_http_requests_total{method="GET",route="/api/v1/incidents",status="200"} 1' in metrics.text
    assert 'mediawatch_incidents{status="new"} 1' in metrics.text
    for text in (health.text, metrics.text):
        assert SECRET not in text
        assert not any(token in text for token in seed.tokens.values())
        assert not any(password in text for password in seed.passwords.values())


def _aggregation_schemas(spec: dict) -> list[str]:
    """Names of query parameters and enum values of every aggregation/facet-like endpoint."""
    found: list[str] = []
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            for param in operation.get("parameters", []):
                if any(w in param["name"] for w in ("facet", "histogram", "group", "by", "aggregat", "rank")):
                    found.append(json.dumps(param))
        if any(w in path for w in ("aggregat", "facet", "rank", "top", "stats")):
            found.append(json.dumps(methods))
    return found


def test_no_endpoint_aggregates_or_filters_by_author(app, store):
    spec = app.openapi()
    aggregation_bits = _aggregation_schemas(spec)
    assert aggregation_bits, "the aggregation endpoint should be found"
    assert not any("author" in bit for bit in aggregation_bits)
    for path, methods in spec["paths"].items():
        assert "author" not in path
        for operation in methods.values():
            assert not any("author" in p["name"] for p in operation.get("parameters", [])), path
    from store.base import FacetField, ItemQuery

    assert "author" not in FacetField.__args__
    for facet in FacetField.__args__:
        counts = store.facet_counts(ItemQuery(), facet)
        assert not any(key.startswith("Tác giả") for key in counts)


def test_api_docs_page_lists_every_operation_without_external_scripts(client, app):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    for path in app.openapi()["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()


def test_a_422_raised_with_a_message_keeps_the_documented_shape(app, client, auth):
    from fastapi import HTTPException

    @app.get("/api/v1/_probe_422")
    def probe() -> dict:
        raise HTTPException(422, detail="item 0: needs a text")

    r = client.get("/api/v1/_probe_422")
    assert r.status_code == 422
    assert r.json() == {"detail": [{"type": "value_error", "loc": ["body"], "msg": "item 0: needs a text"}]}
    assert client.get("/api/v1/nope", headers=auth("admin")).json() == {"detail": "Not Found"}
