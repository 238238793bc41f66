"""API benchmark: p50 / p95 latency of the queue and of search at ``n_items`` items on the embedded
SQLite store, under a bounded load from a few concurrent in-process clients (httpx ASGI transport).

``run(n_items=100_000)`` builds a synthetic corpus (deterministic, seeded), ingests it, then sends a
fixed number of requests per scenario and reports the measured latencies. No prints; returns figures.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from mediawatch.settings import REPO_ROOT, Settings
from records.identity import content_hash, item_id
from records.schema import TOPIC_IDS, Flag, FlagKind, Incident, IncidentStatus, Item, PlaceMention, SourceKind
from records.textfold import fold
from store.sqlite_store import SQLiteStore

DISTRICTS = ("Tam Kỳ", "Hội An", "Điện Bàn", "Đại Lộc", "Duy Xuyên", "Quế Sơn", "Núi Thành", "Thăng Bình")
# Phrases that carry a topic (an item quotes a few of its topics' phrases) ...
TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "disaster": ("mưa lớn gây lũ lụt", "thủy điện xả lũ", "sạt lở đất vùng núi", "nước sông Vu Gia dâng cao"),
    "accident": ("tai nạn giao thông trên quốc lộ", "cháy nhà dân", "đuối nước khi tắm sông"),
    "public_order": ("công an bắt giữ nghi phạm", "thủ đoạn lừa đảo chuyển tiền", "trộm cắp tài sản"),
    "health": ("sốt xuất huyết gia tăng", "bệnh viện tiếp nhận bệnh nhân", "an toàn thực phẩm"),
    "education": ("học phí năm học mới", "kỳ thi tốt nghiệp", "trường học xuống cấp"),
    "land": ("giải phóng mặt bằng dự án", "bồi thường đất đai", "cấp sổ đỏ chậm"),
    "environment": ("ô nhiễm nguồn nước", "rác thải sinh hoạt", "chặt hạ cây xanh"),
    "economy": ("giá lúa tăng", "thu hút đầu tư", "ngư dân trúng mùa cá"),
    "tourism_culture": ("du khách đến phố cổ", "lễ hội đèn lồng", "di sản Mỹ Sơn"),
    "infrastructure": ("sửa chữa cầu yếu", "mất điện diện rộng", "cấp nước sinh hoạt"),
    "governance": ("dự thảo quy định mới", "thủ tục hành chính", "tiếp công dân"),
}
# ... among ordinary words drawn with a Zipf-like frequency, as in real text.
_FILLER = (
    "người dân cho biết hiện nay chính quyền địa phương đã đang sẽ thông tin thêm về việc này trong những ngày "
    "tới theo phản ánh của nhiều hộ gia đình tại khu vực xã phường thôn tổ dân phố cơ quan chức năng kiểm tra "
    "xử lý kịp thời đồng thời khuyến cáo bà con chú ý theo dõi cập nhật tình hình mới nhất sáng chiều tối hôm qua "
    "năm nay tháng trước tuần sau ông bà anh chị em cán bộ lãnh đạo đơn vị huyện thị xã thành phố tỉnh trung ương "
    "kế hoạch triển khai thực hiện kiểm tra giám sát báo cáo đánh giá kết quả nguyên nhân biện pháp khắc phục"
)
WORDS = _FILLER.split()
WORD_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(WORDS))]
SEARCH_TERMS = (
    "lũ lụt",
    "thuy dien xa lu",
    "lừa đảo chuyển tiền",
    "Hội An",
    "sốt xuất huyết",
    "giải phóng mặt bằng",
    "hoc phi",
    "di sản Mỹ Sơn",
)
QUEUE_FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"status": "new"},
    {"topic": "disaster"},
    {"district": "Hội An"},
    {"flag": "misinformation"},
    {"min_severity": "3"},
)


def _corpus(n_items: int, *, now: datetime, rng: random.Random) -> Iterator[Item]:
    for n in range(n_items):
        topics = rng.sample(TOPIC_IDS, k=rng.choice((1, 1, 1, 2)))
        district = rng.choice(DISTRICTS)
        phrases = [rng.choice(TOPIC_PHRASES[t]) for t in topics for _ in range(rng.randint(1, 3))]
        filler = rng.choices(WORDS, weights=WORD_WEIGHTS, k=rng.randint(30, 120))
        title = f"{phrases[0].capitalize()} ở {district}"
        text = " ".join(filler[: len(filler) // 2] + phrases + filler[len(filler) // 2 :]) + f" tại {district}."
        flags = []
        if rng.random() < 0.08:
            flags.append(
                Flag(
                    kind=FlagKind(rng.choice(["misinformation", "scam", "hate_speech"])),
                    score=0.8,
                    reasons=["dấu hiệu tổng hợp cho bài đo"],
                )
            )
        url = f"https://bench{n % 40}.example.vn/bai/{n}"
        yield Item(
            id=item_id(url),
            url=url,
            content_hash=content_hash(title, f"{text} {n}"),
            source_id=f"bench{n % 40}",
            kind=SourceKind.social if n % 3 == 0 else SourceKind.press,
            title=title,
            text=text,
            published_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
            collected_at=now,
            language="vi",
            topics=topics,
            places=[PlaceMention(mention=district, district=district)],
            flags=flags,
        )


def _build_store(path: Path, n_items: int, now: datetime) -> tuple[SQLiteStore, float]:
    rng = random.Random(7)
    store = SQLiteStore(path)
    started = time.perf_counter()
    batch: list[Item] = []
    item_ids: list[str] = []
    for item in _corpus(n_items, now=now, rng=rng):
        batch.append(item)
        if len(batch) == 1000:
            store.upsert_items(batch)
            item_ids += [i.id for i in batch]
            batch = []
    if batch:
        store.upsert_items(batch)
        item_ids += [i.id for i in batch]
    ingest_s = time.perf_counter() - started
    statuses = list(IncidentStatus)
    for k in range(max(10, n_items // 100)):
        members = rng.sample(item_ids, k=rng.randint(1, 6))
        seen = now - timedelta(hours=rng.randint(0, 24 * 60))
        store.create_incident(
            Incident(
                id=f"bench-inc-{k}",
                title=f"Sự việc thử nghiệm số {k}",
                status=statuses[k % len(statuses)],
                severity=rng.randint(1, 5),
                item_ids=members,
                topics=[rng.choice(TOPIC_IDS)],
                districts=[rng.choice(DISTRICTS)],
                flag_kinds=["misinformation"] if k % 4 == 0 else [],
                first_seen=seen - timedelta(hours=2),
                last_seen=seen,
                owner_unit="so_y_te" if k % 2 else "cong_an_tinh",
            )
        )
    return store, ingest_s


async def _load(app: FastAPI, token: str, paths: list[tuple[str, dict[str, str]]], concurrency: int) -> list[float]:
    """Send the requests from ``concurrency`` clients; returns each request's latency in order of completion
    (the same order as ``paths`` when ``concurrency`` is 1)."""
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue()
    for entry in paths:
        queue.put_nowait(entry)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            path, params = queue.get_nowait()
            started = time.perf_counter()
            response = await client.get(path, params=params, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{path} {params}: HTTP {response.status_code}: {response.text[:200]}")

    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def run(n_items: int = 100_000, requests_per_scenario: int = 300, concurrency: int = 4) -> dict[str, float | int | str]:
    """Measure API latency for the queue and search at ``n_items`` items; returns the figures."""
    from triage_api.app import create_app
    from triage_api.services import users

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="mediawatch-api-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        store, ingest_s = _build_store(db, n_items, now)
        try:
            token = users.create_user(store, username="bench", role="analyst", actor="bench", now=now).token
            secret = SecretStr("bench-secret-key-0123456789")
            settings = Settings(secret_key=secret, db=db, config_dir=REPO_ROOT / "config")
            app = create_app(settings, store=store)
            rng = random.Random(11)
            queue_paths = [
                ("/api/v1/incidents", {**rng.choice(QUEUE_FILTERS), "limit": "50"})
                for _ in range(requests_per_scenario)
            ]
            search_paths = [
                ("/api/v1/search", {"q": rng.choice(SEARCH_TERMS), "limit": "20"}) for _ in range(requests_per_scenario)
            ]
            asyncio.run(_load(app, token, queue_paths[:20] + search_paths[:20], concurrency))  # warm caches
            queue_lat = asyncio.run(_load(app, token, queue_paths, concurrency))
            search_lat = asyncio.run(_load(app, token, search_paths, concurrency))
            unaccented = [p for p in search_paths if fold(p[1]["q"]) == p[1]["q"].lower()]
            accented = [p for p in search_paths if p not in unaccented]
            unaccented_lat = asyncio.run(_load(app, token, unaccented, concurrency))
            accented_lat = asyncio.run(_load(app, token, accented, concurrency))
        finally:
            store.close()
    queue_p50, queue_p95 = _percentiles(queue_lat)
    search_p50, search_p95 = _percentiles(search_lat)
    _, unaccented_p95 = _percentiles(unaccented_lat)
    _, accented_p95 = _percentiles(accented_lat)
    return {
        "n_items": n_items,
        "incidents": max(10, n_items // 100),
        "requests_per_scenario": requests_per_scenario,
        "concurrency": concurrency,
        "client": "httpx ASGI transport, in process",
        "ingest_items_per_s": round(n_items / ingest_s, 1),
        "queue_p50_ms": round(queue_p50, 2),
        "queue_p95_ms": round(queue_p95, 2),
        "search_p50_ms": round(search_p50, 2),
        "search_p95_ms": round(search_p95, 2),
        "search_accented_query_p95_ms": round(accented_p95, 2),
        "search_unaccented_query_p95_ms": round(unaccented_p95, 2),
        "search_terms": len(SEARCH_TERMS),
        "target_p95_ms": 100,
    }
