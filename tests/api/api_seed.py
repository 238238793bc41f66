"""Seed data of the API tests: users of every role, items with flags, incidents owned by two units,
and a settable clock. Built once per session by ``tests/api/conftest.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from records.schema import Flag, Incident, IncidentStatus, Item, SourceKind
from store.sqlite_store import SQLiteStore
from tests.factories import build_item
from triage_api.services import users as users_service

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
SECRET = "test-secret-key-0123456789abcdef"
ROLE_USERS = {"admin": "admin1", "analyst": "analyst1", "board": "board1", "unit": "unit1"}
UNIT = "so_y_te"
OTHER_UNIT = "cong_an_tinh"


@dataclass
class Seed:
    path: Path
    tokens: dict[str, str] = field(default_factory=dict)  # username → API token
    passwords: dict[str, str] = field(default_factory=dict)
    item_ids: list[str] = field(default_factory=list)


def make_item(
    n: int,
    *,
    title: str,
    text: str,
    topics: list[str],
    district: str | None,
    flags: list[Flag],
    source: str = "baoquangnam",
    kind: SourceKind = SourceKind.press,
    hours_ago: float = 0,
) -> Item:
    return build_item(
        url=f"https://{source}.example.vn/bai-{n}",
        title=title,
        text=text,
        source_id=source,
        kind=kind,
        author=f"Tác giả {n}",
        published_at=NOW - timedelta(hours=hours_ago),
        collected_at=NOW,
        language="vi",
        topics=topics,
        districts=[district] if district else [],
        flags=flags,
    )


def seed_items() -> list[Item]:
    misinfo = Flag(kind="misinformation", score=0.91, reasons=["Giống tin sai đã xác minh: 'nước nhiễm độc'"])
    scam = Flag(kind="scam", score=0.88, reasons=["Yêu cầu chuyển tiền", "Giả danh công an"])
    return [
        make_item(
            1,
            title="Tin đồn nước máy Tam Kỳ nhiễm độc",
            text="Nhiều người chia sẻ nước máy bị nhiễm độc.",
            topics=["health"],
            district="Tam Kỳ",
            flags=[misinfo],
            kind=SourceKind.social,
            source="fb",
            hours_ago=5,
        ),
        make_item(
            2,
            title="Nước máy Tam Kỳ nhiễm độc, đừng uống",
            text="Chia sẻ: nước máy nhiễm độc, không uống.",
            topics=["health"],
            district="Tam Kỳ",
            flags=[misinfo],
            kind=SourceKind.social,
            source="fb",
            hours_ago=3,
        ),
        make_item(
            3,
            title="Giả danh công an gọi điện đòi chuyển tiền",
            text="Người dân Hội An nhận cuộc gọi lừa đảo.",
            topics=["public_order"],
            district="Hội An",
            flags=[scam],
            hours_ago=2,
        ),
        make_item(
            4,
            title="Lũ lụt ở Đại Lộc, nước sông Vu Gia dâng cao",
            text="Mưa lớn gây lũ lụt tại Đại Lộc.",
            topics=["disaster"],
            district="Đại Lộc",
            flags=[],
            hours_ago=1,
        ),
        make_item(
            5,
            title="Người dân phàn nàn về học phí",
            text="Phụ huynh Điện Bàn góp ý về học phí tăng.",
            topics=["education"],
            district="Điện Bàn",
            flags=[],
            hours_ago=30,
        ),
    ]


def seed_incidents(items: list[Item]) -> list[Incident]:
    def incident(iid: str, members: list[Item], **kw: object) -> Incident:
        return Incident(
            id=iid,
            title=members[0].title,
            item_ids=[i.id for i in members],
            topics=sorted({t for i in members for t in i.topics}),
            districts=sorted({d for i in members for d in i.districts}),
            flag_kinds=sorted({f for i in members for f in i.flag_kinds}),
            sources=sorted({i.source_id for i in members}),
            first_seen=min(i.sort_time for i in members),
            last_seen=max(i.sort_time for i in members),
            created_at=NOW,
            updated_at=NOW,
            **kw,  # type: ignore[arg-type]
        )

    return [
        incident("inc-water", items[0:2], severity=4, owner_unit=UNIT, kind="misinformation"),
        incident("inc-scam", items[2:3], severity=3, owner_unit=OTHER_UNIT, status=IncidentStatus.assigned),
        incident("inc-flood", items[3:4], severity=2, owner_unit=UNIT, status=IncidentStatus.assigned),
    ]


def build_seed(path: Path) -> Seed:
    """Create the seeded store file at ``path`` and return what the tests need to use it."""
    store = SQLiteStore(path)
    result = Seed(path=path)
    try:
        for role, username in ROLE_USERS.items():
            created = users_service.create_user(
                store, username=username, role=role, unit=UNIT if role == "unit" else None, actor="setup", now=NOW
            )
            result.tokens[username] = created.token
            result.passwords[username] = created.password
        other = users_service.create_user(store, username="unit2", role="unit", unit=OTHER_UNIT, actor="setup", now=NOW)
        result.tokens["unit2"] = other.token
        result.passwords["unit2"] = other.password
        items = seed_items()
        store.upsert_items(items)
        result.item_ids = [i.id for i in items]
        for inc in seed_incidents(items):
            store.create_incident(inc)
            for member in inc.item_ids:
                store.annotate_item(member, incident_id=inc.id)
    finally:
        store.close()
    return result
