"""The access-control matrix: every route of the app × role → the expected HTTP status.

``tests/api/test_access_matrix.py`` sends each row's request once per role (anonymous, or a bearer
token of a user with that role) to a fresh copy of the seeded store (``tests/api/conftest.py``: users
admin1, analyst1, board1, unit1 of unit ``so_y_te``; incidents inc-water and inc-flood owned by
``so_y_te``, inc-scam owned by ``cong_an_tinh``), and fails when a route of the app has no row here.

Other teams: append rows for your routes (one per method and route template) to ``MATRIX``, e.g.

    row("GET", "/api/v1/alerts", anonymous=401, admin=200, analyst=200, board=200, unit=403),
    row("POST", "/api/v1/alerts/{alert_id}/ack", params={"alert_id": "nope"}, json={},
        anonymous=401, admin=404, analyst=404, board=403, unit=403),

Statuses after the role gate may be any answer of an allowed caller (200, 201, 404 for an id that
does not exist, 422 for a body you did not send); what matters is 401 for anonymous callers and 403
for roles that may not. Page routes redirect anonymous callers to the login form (303).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from records.identity import item_id

ROLES: tuple[str, ...] = ("anonymous", "admin", "analyst", "board", "unit")

# Default values of path parameters (a row's ``params`` override them).
SAMPLE_PARAMS: dict[str, str] = {
    "incident_id": "inc-water",
    "item_id": item_id("https://baoquangnam.example.vn/bai-4"),
    "search_id": "ss-does-not-exist",
    "rule_id": "rule-does-not-exist",
    "claim_id": "claim-does-not-exist",
    "username": "board1",
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # the route template exactly as the app declares it
    expect: dict[str, int]
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None  # form fields (page forms)
    query: dict[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def url(self) -> str:
        values = {**SAMPLE_PARAMS, **self.params}
        return self.path.format(**values)


def row(
    method: str,
    path: str,
    *,
    anonymous: int,
    admin: int,
    analyst: int,
    board: int,
    unit: int,
    params: dict[str, str] | None = None,
    json: Any = None,
    data: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> Row:
    expect = {"anonymous": anonymous, "admin": admin, "analyst": analyst, "board": board, "unit": unit}
    return Row(method, path, expect, params or {}, json, data, query)


def readers(method: str, path: str, ok: int = 200, **kw: Any) -> Row:
    """Admin, analyst and board may; unit may not."""
    return row(method, path, anonymous=401, admin=ok, analyst=ok, board=ok, unit=403, **kw)


def staff(method: str, path: str, ok: int = 200, **kw: Any) -> Row:
    """Admin and analyst may; board and unit may not."""
    return row(method, path, anonymous=401, admin=ok, analyst=ok, board=403, unit=403, **kw)


def admins(method: str, path: str, ok: int = 200, **kw: Any) -> Row:
    return row(method, path, anonymous=401, admin=ok, analyst=403, board=403, unit=403, **kw)


def everyone(method: str, path: str, ok: int = 200, **kw: Any) -> Row:
    return row(method, path, anonymous=401, admin=ok, analyst=ok, board=ok, unit=ok, **kw)


def page(method: str, path: str, *, admin: int, analyst: int, board: int, unit: int, **kw: Any) -> Row:
    """A page route: anonymous callers are sent to the login form."""
    return row(method, path, anonymous=303, admin=admin, analyst=analyst, board=board, unit=unit, **kw)


RULE = {
    "match": {"kinds": ["scam"]},
    "lead": "cong_an_tinh",
    "partners": ["so_tttt"],
    "action": "Phát cảnh báo công khai cho người dân về thủ đoạn lừa đảo",
    "deadline_hours": {"1": 48, "2": 24, "3": 12, "4": 6, "5": 2},
}
CLAIM = {"claim": "Nước máy nhiễm độc", "correction": "Nước máy đạt chuẩn", "source": "Sở Y tế"}

MATRIX: list[Row] = [
    # -- operations --------------------------------------------------------------------------------
    row("GET", "/healthz", anonymous=200, admin=200, analyst=200, board=200, unit=200),
    row("GET", "/metrics", anonymous=200, admin=200, analyst=200, board=200, unit=200),
    row("GET", "/api/v1/docs", anonymous=200, admin=200, analyst=200, board=200, unit=200),
    # -- incidents ---------------------------------------------------------------------------------
    everyone("GET", "/api/v1/incidents"),
    everyone("GET", "/api/v1/incidents/{incident_id}"),
    row(
        "GET",
        "/api/v1/incidents/{incident_id}",
        params={"incident_id": "inc-scam"},
        anonymous=401,
        admin=200,
        analyst=200,
        board=200,
        unit=404,
    ),
    row(
        "POST",
        "/api/v1/incidents/{incident_id}/transition",
        json={"to": "triaged", "version": 1},
        anonymous=401,
        admin=200,
        analyst=200,
        board=403,
        unit=403,
    ),
    row(
        "POST",
        "/api/v1/incidents/{incident_id}/transition",
        params={"incident_id": "inc-flood"},
        json={"to": "responding", "version": 1},
        anonymous=401,
        admin=200,
        analyst=200,
        board=403,
        unit=200,
    ),
    staff("POST", "/api/v1/incidents/{incident_id}/assign", json={"unit": "so_y_te", "version": 1}),
    row(
        "POST",
        "/api/v1/incidents/{incident_id}/notes",
        json={"text": "ghi chú"},
        anonymous=401,
        admin=200,
        analyst=200,
        board=403,
        unit=200,
    ),
    row(
        "POST",
        "/api/v1/incidents/{incident_id}/lock",
        json={},
        anonymous=401,
        admin=200,
        analyst=200,
        board=403,
        unit=200,
    ),
    row("DELETE", "/api/v1/incidents/{incident_id}/lock", anonymous=401, admin=200, analyst=200, board=403, unit=200),
    staff("POST", "/api/v1/incidents/{incident_id}/verdict", json={"verdict": "true", "version": 1}),
    staff("POST", "/api/v1/incidents/bulk", json={"ids": ["inc-water"], "action": "transition", "to": "triaged"}),
    staff("POST", "/api/v1/incidents/merge", json={"ids": ["inc-water", "inc-flood"]}),
    staff("POST", "/api/v1/incidents/{incident_id}/split", json={"item_ids": [item_id("https://fb.example.vn/bai-2")]}),
    # -- items and search --------------------------------------------------------------------------
    readers("GET", "/api/v1/items"),
    readers("GET", "/api/v1/items/{item_id}"),
    readers("GET", "/api/v1/search", query={"q": "lũ lụt"}),
    readers("GET", "/api/v1/search/aggregations"),
    readers("GET", "/api/v1/saved-searches"),
    readers("POST", "/api/v1/saved-searches", ok=201, json={"name": "Lũ lụt", "params": {"q": "lũ lụt"}}),
    readers("GET", "/api/v1/saved-searches/{search_id}", ok=404),
    readers("DELETE", "/api/v1/saved-searches/{search_id}", ok=404),
    # -- routing rules -----------------------------------------------------------------------------
    staff("GET", "/api/v1/routing-rules"),
    staff("GET", "/api/v1/routing-rules/{rule_id}", ok=404),
    admins(
        "PUT",
        "/api/v1/routing-rules/{rule_id}",
        params={"rule_id": "scam-matrix"},
        json={"rule": RULE, "expected_version": 0},
    ),
    admins("DELETE", "/api/v1/routing-rules/{rule_id}", ok=404),
    # -- known claims ------------------------------------------------------------------------------
    readers("GET", "/api/v1/known-claims"),
    staff("POST", "/api/v1/known-claims", ok=201, json=CLAIM),
    readers("GET", "/api/v1/known-claims/{claim_id}", ok=404),
    staff("PUT", "/api/v1/known-claims/{claim_id}", ok=404, json={**CLAIM, "expected_version": 1}),
    staff("DELETE", "/api/v1/known-claims/{claim_id}", ok=404),
    # -- users -------------------------------------------------------------------------------------
    everyone("GET", "/api/v1/users/me"),
    admins("GET", "/api/v1/users"),
    admins("POST", "/api/v1/users", ok=201, json={"username": "new-board", "role": "board"}),
    admins("GET", "/api/v1/users/{username}"),
    admins("PATCH", "/api/v1/users/{username}", json={"display_name": "Ban Tuyên giáo"}),
    admins("DELETE", "/api/v1/users/{username}"),
    # -- audit -------------------------------------------------------------------------------------
    staff("GET", "/api/v1/audit"),
    staff("GET", "/api/v1/audit/verify"),
    staff("GET", "/api/v1/audit/export.csv"),
    # -- the page ----------------------------------------------------------------------------------
    row("GET", "/login", anonymous=200, admin=303, analyst=303, board=303, unit=303),
    row("POST", "/login", data={}, anonymous=422, admin=422, analyst=422, board=422, unit=422),
    page("POST", "/logout", admin=303, analyst=303, board=303, unit=303),
    page("GET", "/", admin=303, analyst=303, board=303, unit=303),
    page("GET", "/queue", admin=200, analyst=200, board=200, unit=200),
    page(
        "POST",
        "/queue/bulk",
        data={"ids": "inc-water", "action": "triage"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page("GET", "/incidents/{incident_id}", admin=200, analyst=200, board=200, unit=200),
    page(
        "GET",
        "/incidents/{incident_id}",
        params={"incident_id": "inc-scam"},
        admin=200,
        analyst=200,
        board=200,
        unit=404,
    ),
    page(
        "POST",
        "/incidents/{incident_id}/actions/transition",
        data={"to": "triaged", "version": "1"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page(
        "POST",
        "/incidents/{incident_id}/actions/assign",
        data={"unit": "so_y_te", "version": "1"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page(
        "POST",
        "/incidents/{incident_id}/actions/note",
        data={"text": "ghi chú"},
        admin=303,
        analyst=303,
        board=403,
        unit=303,
    ),
    page("POST", "/incidents/{incident_id}/actions/lock", data={}, admin=303, analyst=303, board=403, unit=303),
    page("POST", "/incidents/{incident_id}/actions/unlock", data={}, admin=303, analyst=303, board=403, unit=303),
    page(
        "POST",
        "/incidents/{incident_id}/actions/verdict",
        data={"verdict": "true", "version": "1"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page("GET", "/search", admin=200, analyst=200, board=200, unit=403),
    page("POST", "/search/save", data={"name": "Lũ", "q": "lũ"}, admin=303, analyst=303, board=303, unit=403),
    page("GET", "/dashboard", admin=200, analyst=200, board=200, unit=403),
    page("GET", "/sources", admin=200, analyst=200, board=200, unit=403),
    page("GET", "/claims", admin=200, analyst=200, board=200, unit=403),
    page(
        "POST",
        "/claims",
        data={"claim": "Nước máy nhiễm độc", "correction": "Nước máy đạt chuẩn", "source": "Sở Y tế"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page("POST", "/claims/{claim_id}/delete", data={}, admin=404, analyst=404, board=403, unit=403),
    page("GET", "/routing", admin=200, analyst=200, board=403, unit=403),
    page("GET", "/audit", admin=200, analyst=200, board=403, unit=403),
    page("GET", "/audit/export.csv", admin=200, analyst=200, board=403, unit=403),
]

# -- alerts, alert rules, silences and policy watch (H8: triage_api/routers/alerts.py, policies.py) ----------------
_ALERT = {"alert_id": "al-does-not-exist"}
_SILENCE = {"silence_id": "silence-does-not-exist"}
_POLICY = {"policy_id": "pol-does-not-exist"}
_POLICY_BODY = {
    "title": "Dự thảo quy định học phí",
    "keywords": ["học phí"],
    "opens": "2026-11-01",
    "closes": "2026-12-31",
}
MATRIX += [
    readers("GET", "/api/v1/alerts"),
    readers("GET", "/api/v1/alerts/silences"),
    staff("POST", "/api/v1/alerts/silences", json={"until": "2030-01-01T00:00:00+00:00", "scope": "all"}),
    staff("DELETE", "/api/v1/alerts/silences/{silence_id}", ok=404, params=_SILENCE),
    readers("GET", "/api/v1/alerts/{alert_id}", ok=404, params=_ALERT),
    staff("POST", "/api/v1/alerts/{alert_id}/ack", ok=404, params=_ALERT, json={}),
    staff("POST", "/api/v1/alerts/{alert_id}/resend", ok=404, params=_ALERT, json={}),
    readers("GET", "/api/v1/alert-rules"),
    readers("GET", "/api/v1/alert-rules/{rule_id}", ok=404),
    admins(
        "PUT",
        "/api/v1/alert-rules/{rule_id}",
        params={"rule_id": "matrix-rule"},
        json={"rule": {"name": "Quy tắc thử"}},
    ),
    admins("DELETE", "/api/v1/alert-rules/{rule_id}", ok=404),
    readers("GET", "/api/v1/policies"),
    staff("POST", "/api/v1/policies", ok=201, json=_POLICY_BODY),
    readers("GET", "/api/v1/policies/{policy_id}", ok=404, params=_POLICY),
    staff("DELETE", "/api/v1/policies/{policy_id}", ok=404, params=_POLICY),
    page("GET", "/alerts", admin=200, analyst=200, board=200, unit=403),
    page("GET", "/alerts/rules", admin=200, analyst=200, board=200, unit=403),
    page("GET", "/alerts/{alert_id}", params=_ALERT, admin=404, analyst=404, board=404, unit=403),
    page(
        "POST",
        "/alerts/rules",
        data={"rule_text": "id: matrix-rule\nname: Quy tắc thử\n"},
        admin=303,
        analyst=403,
        board=403,
        unit=403,
    ),
    page("POST", "/alerts/silences", data={"hours": "2", "scope": "all"}, admin=303, analyst=303, board=403, unit=403),
    page(
        "POST",
        "/alerts/silences/{silence_id}/delete",
        params=_SILENCE,
        data={},
        admin=404,
        analyst=404,
        board=403,
        unit=403,
    ),
    page("POST", "/alerts/{alert_id}/ack", params=_ALERT, data={}, admin=404, analyst=404, board=403, unit=403),
    page("POST", "/alerts/{alert_id}/resend", params=_ALERT, data={}, admin=404, analyst=404, board=403, unit=403),
    page("GET", "/policies", admin=200, analyst=200, board=200, unit=403),
    page(
        "POST",
        "/policies",
        data={"title": "Dự thảo phí đỗ xe", "keywords": "phí đỗ xe", "opens": "2026-11-01", "closes": "2026-12-01"},
        admin=303,
        analyst=303,
        board=403,
        unit=403,
    ),
    page("GET", "/policies/{policy_id}", params=_POLICY, admin=404, analyst=404, board=404, unit=403),
]

# -- collection (H2: triage_api/routers/sources.py, push.py) ---------------------------------------------------------
MATRIX += [
    readers("GET", "/api/v1/sources"),
    readers("GET", "/api/v1/sources/{source_id}", ok=404, params={"source_id": "source-does-not-exist"}),
    admins(
        "POST",
        "/api/v1/sources",
        ok=201,
        json={
            "id": "matrix-source",
            "name": "Nguồn thử",
            "kind": "press",
            "method": "rss",
            "url": "https://93.184.216.34/rss",
        },
    ),
    admins("DELETE", "/api/v1/sources/{source_id}", ok=404, params={"source_id": "source-does-not-exist"}),
    row(
        "POST",
        "/api/v1/push",
        json={"text": "Tin chuyển tiếp từ Zalo: cảnh báo lừa đảo", "channel": "zalo"},
        anonymous=401,
        admin=200,
        analyst=200,
        board=403,
        unit=200,
    ),
]
