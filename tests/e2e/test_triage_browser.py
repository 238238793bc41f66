"""End to end in headless Debian Chromium (Playwright): log in, open an incident, resolve it as false
with a source and a rationale, and check that the audit log shows the verdict and verifies.
Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian Chromium is not installed at /usr/bin/chromium"),
]


def _seed(path: Path) -> dict[str, str]:
    from records.identity import content_hash, item_id
    from records.schema import Flag, Incident, Item, PlaceMention, RoutingDecision, SourceKind
    from store.sqlite_store import SQLiteStore
    from triage_api.services import users

    now = datetime.now(UTC).replace(microsecond=0)
    store = SQLiteStore(path)
    try:
        passwords = {
            name: users.create_user(store, username=name, role=role, actor="setup", now=now).password
            for name, role in (("phantich1", "analyst"), ("quantri1", "admin"))
        }
        flag = Flag(kind="misinformation", score=0.87, reasons=["Trùng khớp tin sai đã biết: nước máy nhiễm độc"])
        items = []
        for n, hours in enumerate((6, 4, 3, 1)):
            url = f"https://mxh.example.vn/bai-viet-{n}"
            title = f"Cảnh báo: nước máy Tam Kỳ nhiễm độc, không được uống (chia sẻ {n + 1})"
            text = "Tin nhắn lan truyền nói nước máy ở Tam Kỳ bị nhiễm độc, người dân không nên sử dụng."
            items.append(
                Item(
                    id=item_id(url),
                    url=url,
                    content_hash=content_hash(title, text),
                    source_id="mxh",
                    kind=SourceKind.social,
                    title=title,
                    text=text,
                    published_at=now - timedelta(hours=hours),
                    topics=["health"],
                    places=[PlaceMention(mention="Tam Kỳ", district="Tam Kỳ")],
                    flags=[flag],
                )
            )
        store.upsert_items(items)
        store.create_incident(
            Incident(
                id="inc-nuoc-may",
                title="Tin đồn nước máy Tam Kỳ nhiễm độc",
                item_ids=[i.id for i in items],
                topics=["health"],
                districts=["Tam Kỳ"],
                flag_kinds=["misinformation"],
                sources=["mxh"],
                first_seen=items[0].sort_time,
                last_seen=items[-1].sort_time,
                severity=4,
                owner_unit="so_y_te",
                kind="misinformation",
                deadline=now + timedelta(hours=6),
                routing=RoutingDecision(
                    rule_id="misinformation",
                    lead_unit="so_y_te",
                    partner_units=["so_tttt", "ban_tuyen_giao"],
                    suggested_action="Người phát ngôn Sở Y tế công bố thông tin chính xác trên kênh chính thức.",
                    deadline=now + timedelta(hours=6),
                ),
            )
        )
    finally:
        store.close()
    return passwords


class _ServerThread:
    """uvicorn serving the app on 127.0.0.1 with an OS-chosen port, in a background thread."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    from mediawatch.settings import REPO_ROOT, Settings
    from triage_api.app import create_app

    db = tmp_path / "e2e.db"
    passwords = _seed(db)
    settings = Settings(secret_key="e2e-secret-key-0123456789abcdef", db=db, config_dir=REPO_ROOT / "config")
    app = create_app(settings)  # the lifespan opens (and closes) the store
    with _ServerThread(app) as base_url:
        yield base_url, passwords, db


@pytest.fixture
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            locale="vi-VN",
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _login(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_analyst_resolves_an_incident_and_the_audit_log_verifies(served, page):
    from playwright.sync_api import expect

    base_url, passwords, db = served
    _login(page, base_url, "phantich1", passwords["phantich1"])
    expect(page).to_have_url(re.compile(r"/queue$"))
    expect(page.locator("h1")).to_have_text("Hàng đợi sự việc")
    page.screenshot(path=str(ARTIFACTS / "e2e-1-queue.png"), full_page=True)

    page.click("text=Tin đồn nước máy Tam Kỳ nhiễm độc")
    expect(page).to_have_url(re.compile(r"/incidents/inc-nuoc-may$"))
    expect(page.locator("#incident-status")).to_have_text("Mới")
    expect(page.locator(".reasons").first).to_contain_text("Trùng khớp tin sai đã biết")
    expect(page.locator("svg.chart")).to_have_count(1)
    page.click("#lock-button")
    expect(page.locator(".lockbox")).to_contain_text("phantich1")
    page.screenshot(path=str(ARTIFACTS / "e2e-2-incident.png"), full_page=True)

    # A "false" verdict without a source is refused with the reason shown.
    page.select_option("#verdict", "false")
    page.fill("#rationale", "Kết quả xét nghiệm mẫu nước đạt quy chuẩn.")
    page.click("#resolve-button")
    expect(page.locator(".error")).to_contain_text("nguồn xác minh")

    page.select_option("#verdict", "false")
    page.fill("#analyst", "Nguyễn Thị Phân Tích")
    page.fill("#source", "Thông cáo của Sở Y tế Quảng Nam")
    page.fill("#rationale", "Kết quả xét nghiệm mẫu nước đạt quy chuẩn.")
    page.check("#publish_claim")
    page.fill("#claim", "Nước máy Tam Kỳ bị nhiễm độc")
    page.fill("#correction", "Sở Y tế khẳng định nước máy Tam Kỳ đạt quy chuẩn, người dân yên tâm sử dụng.")
    page.click("#resolve-button")
    expect(page.locator(".flash")).to_have_text("Đã kết luận sự việc.")
    expect(page.locator("#incident-status")).to_have_text("Đã kết luận")
    expect(page.locator("#incident-verdict")).to_have_text("Sai sự thật")
    page.screenshot(path=str(ARTIFACTS / "e2e-3-resolved.png"), full_page=True)

    page.click("text=Nhật ký kiểm toán")
    expect(page.locator("#audit-verify")).to_contain_text("Chuỗi băm toàn vẹn")
    expect(page.locator("#audit-table")).to_contain_text("incident.verdict")
    expect(page.locator("#audit-table")).to_contain_text("known_claim.create")
    page.screenshot(path=str(ARTIFACTS / "e2e-4-audit.png"), full_page=True)

    page.click("text=Tìm kiếm")
    page.fill("input[name=q]", "nuoc may tam ky")  # without diacritics
    page.click("button.primary")
    expect(page.locator("article.item").first).to_contain_text("nước máy Tam Kỳ")
    page.screenshot(path=str(ARTIFACTS / "e2e-5-search.png"), full_page=True)
    page.click("text=Tổng quan")
    expect(page.locator("svg.chart")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "e2e-6-dashboard.png"), full_page=True)

    from records.audit import verify_chain
    from store.sqlite_store import SQLiteStore

    store = SQLiteStore(db)
    try:
        ok, _, message = verify_chain(store.iter_audit())
        verdicts = [e for e in store.iter_audit() if e.action == "incident.verdict"]
        incident = store.get_incident("inc-nuoc-may")
    finally:
        store.close()
    assert ok, message
    assert verdicts[0].actor == "phantich1" and verdicts[0].details["verdict"] == "false"
    assert incident is not None and incident.verdict_source == "Thông cáo của Sở Y tế Quảng Nam"
