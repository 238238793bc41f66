"""The analysts' page over the seeded store: login (CSRF, throttling), the screens, form actions."""

from __future__ import annotations

import re

from api_seed import ROLE_USERS


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, seed, who: str = "analyst"):
    username = ROLE_USERS.get(who, who)
    form = client.get("/login")
    assert form.status_code == 200
    response = client.post(
        "/login",
        data={"username": username, "password": seed.passwords[username], "csrf_token": _csrf(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response


def test_login_sets_an_httponly_lax_session_cookie_and_opens_the_queue(client, seed):
    response = login(client, seed)
    cookie = response.headers["set-cookie"]
    assert "mw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert "Hàng đợi sự việc" in queue.text and "Tin đồn nước máy Tam Kỳ nhiễm độc" in queue.text
    assert "Y tế" in queue.text  # Vietnamese topic name from config/topics.yaml


def test_pages_redirect_anonymous_users_to_login(client):
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/queue")


def test_login_without_csrf_token_is_refused(client, seed):
    client.get("/login")
    response = client.post("/login", data={"username": "analyst1", "password": seed.passwords["analyst1"]})
    assert response.status_code == 403
    assert "mw_session" not in response.headers.get("set-cookie", "")


def test_login_is_throttled_after_five_failures_per_user(client, seed):
    for _ in range(5):
        token = _csrf(client.get("/login").text)
        bad = client.post("/login", data={"username": "analyst1", "password": "wrong", "csrf_token": token})
        assert bad.status_code == 401
    token = _csrf(client.get("/login").text)
    right = client.post(
        "/login", data={"username": "analyst1", "password": seed.passwords["analyst1"], "csrf_token": token}
    )
    assert right.status_code == 429 and "Retry-After" in right.headers


def test_login_throttle_expires_after_the_window(client, seed, clock):
    for _ in range(5):
        token = _csrf(client.get("/login").text)
        client.post("/login", data={"username": "analyst1", "password": "wrong", "csrf_token": token})
    clock.advance(minutes=6)
    login(client, seed)


def test_form_action_without_csrf_token_is_refused(client, seed, store):
    login(client, seed)
    response = client.post("/incidents/inc-water/actions/note", data={"text": "ghi chú"})
    assert response.status_code == 403
    assert store.get_incident("inc-water").notes == []


def test_resolve_as_false_through_the_page_needs_evidence_then_is_audited(client, seed, store):
    login(client, seed)
    page = client.get("/incidents/inc-water")
    assert page.status_code == 200
    assert "Giống tin sai đã xác minh" in page.text  # the flag's reasons are shown
    assert "<svg" in page.text  # the timeline chart
    token = _csrf(page.text)
    version = store.get_incident("inc-water").version
    missing = client.post(
        "/incidents/inc-water/actions/verdict",
        data={"csrf_token": token, "verdict": "false", "version": version, "analyst": "analyst1"},
    )
    assert missing.status_code == 422 and "nguồn xác minh" in missing.text
    done = client.post(
        "/incidents/inc-water/actions/verdict",
        data={
            "csrf_token": token,
            "verdict": "false",
            "version": version,
            "analyst": "Nguyễn Văn A",
            "source": "Thông cáo của Công ty Cấp thoát nước Quảng Nam",
            "rationale": "Kết quả xét nghiệm mẫu nước đạt chuẩn.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    incident = store.get_incident("inc-water")
    assert incident.status == "resolved" and incident.verdict == "false" and incident.verdict_by == "Nguyễn Văn A"
    audit = client.get("/audit")
    assert (
        audit.status_code == 200 and "incident.verdict" in audit.text and 'id="audit-verify" class="ok"' in audit.text
    )


def test_board_can_search_and_its_searches_are_audited_but_cannot_act(client, seed, store):
    login(client, seed, "board")
    page = client.get("/search", params={"q": "lu lut"})
    assert page.status_code == 200 and "Lũ lụt ở Đại Lộc" in page.text
    assert any(e.action == "search.board" and e.actor == "board1" for e in store.iter_audit())
    token = _csrf(client.get("/queue").text)
    response = client.post("/incidents/inc-water/actions/note", data={"text": "x", "csrf_token": token})
    assert response.status_code == 403


def test_unit_sees_only_its_incidents(client, seed):
    login(client, seed, "unit")
    queue = client.get("/queue")
    assert "Tin đồn nước máy" in queue.text and "Giả danh công an" not in queue.text
    assert client.get("/incidents/inc-scam").status_code == 404
    assert client.get("/search").status_code == 403


def test_dashboard_sources_and_logout(client, seed, store):
    store.put_record(
        "source_health",
        "baoquangnam",
        {"source_id": "baoquangnam", "name": "Báo Quảng Nam", "status": "failing", "status_text": "Lỗi liên tục"},
    )
    login(client, seed)
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and "Tam Kỳ" in dashboard.text and "<polyline" in dashboard.text
    sources = client.get("/sources")
    assert sources.status_code == 200 and "Báo Quảng Nam" in sources.text
    token = _csrf(sources.text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_bulk_triage_from_the_queue(client, seed, store):
    login(client, seed)
    token = _csrf(client.get("/queue").text)
    response = client.post(
        "/queue/bulk",
        data={"csrf_token": token, "action": "triage", "ids": ["inc-water", "inc-does-not-exist"]},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/queue?done=1&failed=1"
    assert store.get_incident("inc-water").status == "triaged"
    assert "Đã xử lý 1 sự việc. 1 sự việc không thực hiện được." in client.get(response.headers["location"]).text


def test_session_cookie_on_the_api_needs_the_csrf_header_for_writes(client, seed):
    login(client, seed)
    assert client.get("/api/v1/incidents").status_code == 200
    token = _csrf(client.get("/queue").text)
    refused = client.post("/api/v1/incidents/inc-water/notes", json={"text": "ghi chú"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    accepted = client.post(
        "/api/v1/incidents/inc-water/notes", json={"text": "ghi chú"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 200


def test_a_forged_session_cookie_is_ignored(client):
    client.cookies.set("mw_session", "forged-session-id")
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/incidents").status_code == 401


def test_verdict_form_needs_a_chosen_verdict(client, seed, store):
    login(client, seed)
    page = client.get("/incidents/inc-water")
    assert '<option value="">— Chọn kết luận —</option>' in page.text
    version = store.get_incident("inc-water").version
    response = client.post(
        "/incidents/inc-water/actions/verdict", data={"csrf_token": _csrf(page.text), "verdict": "", "version": version}
    )
    assert response.status_code == 422 and "Hãy chọn một kết luận." in response.text
    assert store.get_incident("inc-water").status == "new"


def test_known_claims_page_adds_and_withdraws_with_audit(client, seed, store):
    login(client, seed)
    page = client.get("/claims")
    assert page.status_code == 200 and "Kho chưa có tin sai nào." in page.text
    added = client.post(
        "/claims",
        data={
            "csrf_token": _csrf(page.text),
            "claim": "Vỡ đập thủy điện Đắk Mi 4",
            "correction": "Đập an toàn, đang vận hành bình thường.",
            "source": "Ban Chỉ huy PCTT tỉnh",
        },
        follow_redirects=True,
    )
    assert "Vỡ đập thủy điện Đắk Mi 4" in added.text and "Đã thêm tin sai đã xác minh." in added.text
    claim_id = store.list_records("known_claims")[0].key
    client.post(f"/claims/{claim_id}/delete", data={"csrf_token": _csrf(added.text)})
    assert store.list_records("known_claims") == []
    assert [e.action for e in store.iter_audit() if e.target == f"known_claim:{claim_id}"] == [
        "known_claim.create",
        "known_claim.delete",
    ]


def test_routing_page_lists_rules_with_unit_names(client, seed, store):
    store.put_record(
        "routing_rules",
        "scam",
        {
            "id": "scam",
            "match": {"kinds": ["scam"]},
            "lead": "cong_an_tinh",
            "partners": ["so_tttt"],
            "action": "Phát cảnh báo công khai",
            "deadline_hours": {"1": 48, "5": 2},
        },
    )
    login(client, seed)
    page = client.get("/routing")
    assert page.status_code == 200 and "Công an tỉnh" in page.text and "Lừa đảo" in page.text
