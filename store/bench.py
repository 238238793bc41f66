"""Store benchmark: ingest rate, search and aggregation latency of the SQLite store at n items.

Items are generated from a small Vietnamese vocabulary with a Zipf-like word distribution, so
common words match a large share of the corpus (the expensive case) and rare words a handful.
"""

from __future__ import annotations

import functools
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from records.districts import DISTRICTS
from records.identity import canonical_url
from records.schema import TOPIC_IDS, Flag, FlagKind, Item, PlaceMention, SourceKind
from store.base import ItemQuery
from store.sqlite_store import BATCH_SIZE, SQLiteStore

COMMON = [
    "tỉnh",
    "huyện",
    "xã",
    "người",
    "dân",
    "của",
    "và",
    "có",
    "được",
    "cho",
    "các",
    "những",
    "một",
    "trong",
    "đã",
    "với",
    "không",
    "này",
    "là",
    "đến",
    "từ",
    "theo",
    "ngày",
    "năm",
    "về",
    "khi",
    "lũ",
    "lụt",
    "mưa",
    "bão",
    "nước",
    "đường",
    "cầu",
    "trường",
    "học",
    "sinh",
    "bệnh",
    "viện",
    "giá",
    "đất",
    "dự",
    "án",
    "công",
    "an",
    "cán",
    "bộ",
    "chính",
    "quyền",
    "du",
    "lịch",
    "phố",
    "cổ",
    "biển",
    "cá",
    "lúa",
    "điện",
    "sạt",
    "lở",
    "thủy",
    "điện",
    "hồ",
    "chứa",
    "xả",
    "cứu",
    "hộ",
]
SOURCES = tuple(f"source-{n:02d}" for n in range(40))
_ONSETS = ("b", "c", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t", "th", "tr", "v", "x")
_RIMES = ("a", "à", "á", "ả", "ã", "ạ", "ăn", "âm", "ê", "ền", "ô", "ơi", "ư", "ướng", "uy", "iếu", "oàn", "ưởng")


def _rare_words(rng: random.Random, n: int) -> list[str]:
    return list(dict.fromkeys(rng.choice(_ONSETS) + rng.choice(_RIMES) + rng.choice(_RIMES) for _ in range(n)))


def generate_items(n: int, *, seed: int = 1, start: datetime | None = None) -> list[Item]:
    """``n`` Vietnamese-like items over 60 days with topics, districts, sources and some flags."""
    rng = random.Random(seed)
    rare = _rare_words(rng, 5000)
    vocab = list(COMMON) + rare
    cum = list(itertools.accumulate(1.0 / (rank + 1) ** 1.1 for rank in range(len(vocab))))
    start = start or datetime(2026, 9, 1, tzinfo=UTC)
    items = []
    for k in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(60, 220))
        title = " ".join(rng.choices(vocab, cum_weights=cum, k=8)).capitalize()
        text = " ".join(words)
        url = f"https://bench.example.vn/{k}.html"
        flags = [Flag(kind=FlagKind.scam, score=0.8, reasons=["chuyển tiền"])] if rng.random() < 0.05 else []
        items.append(
            Item.identified(
                url=canonical_url(url),
                source_id=rng.choice(SOURCES),
                kind=rng.choice(list(SourceKind)),
                title=title,
                text=text,
                published_at=start + timedelta(seconds=rng.randrange(60 * 86400)),
                topics=rng.sample(TOPIC_IDS, rng.randint(0, 2)),
                places=[PlaceMention(mention=d, district=d) for d in rng.sample(DISTRICTS, rng.randint(0, 2))],
                flags=flags,
            )
        )
    return items


def _timed(fn: Callable[[], object], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def run(n_items: int = 100_000, *, reps: int = 15, seed: int = 1) -> dict[str, float | int | str]:
    """Ingest ``n_items`` into a fresh SQLite store, then time searches and aggregations."""
    t = time.perf_counter()
    items = generate_items(n_items, seed=seed)
    gen_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="mw-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        store = SQLiteStore(path)
        try:
            t = time.perf_counter()
            for start in range(0, n_items, BATCH_SIZE):
                store.upsert_items(items[start : start + BATCH_SIZE])
            ingest_s = time.perf_counter() - t
            sample = items[: min(10_000, n_items)]
            t = time.perf_counter()
            for start in range(0, len(sample), BATCH_SIZE):
                store.upsert_items(sample[start : start + BATCH_SIZE])
            reupsert_s = time.perf_counter() - t

            rng = random.Random(seed + 1)
            rare_words = [w for w in _rare_words(random.Random(seed), 5000)[-500:]]
            end = max(i.sort_time for i in items)
            week = ItemQuery(since=end - timedelta(days=7))
            queries: dict[str, list[ItemQuery]] = {
                "common_term": [ItemQuery(text=w) for w in ("tỉnh", "lũ lụt", "người dân", "cầu")],
                "common_folded": [ItemQuery(text=w) for w in ("tinh", "lu lut", "nguoi dan", "thuy dien")],
                "rare_term": [ItemQuery(text=rng.choice(rare_words)) for _ in range(4)],
                "common_term_filtered": [
                    ItemQuery(text="lũ lụt", topics=["disaster"], since=end - timedelta(days=7)),
                    ItemQuery(text="mưa bão", districts=["Đại Lộc", "Hội An"]),
                    ItemQuery(text="tỉnh", flagged=True),
                ],
                "newest_no_text": [ItemQuery(), ItemQuery(sources=["source-03"]), ItemQuery(topics=["health"])],
                "newest_filtered": [
                    ItemQuery(districts=["Nông Sơn"], since=end - timedelta(days=14)),
                    ItemQuery(kinds=[SourceKind.social], flags=["scam"]),
                ],
            }
            figures: dict[str, float | int | str] = {}
            all_ms: list[float] = []
            for name, qs in queries.items():
                ms: list[float] = []
                for q in qs:
                    store.search(q)  # warm
                    ms += _timed(functools.partial(store.search, q), reps)
                figures[f"search_{name}_p50_ms"] = _p(ms, 0.5)
                figures[f"search_{name}_p95_ms"] = _p(ms, 0.95)
                all_ms += ms
            page1 = store.search(ItemQuery(text="lũ lụt"))
            second = ItemQuery(text="lũ lụt", cursor=page1.next_cursor)
            next_ms = _timed(lambda: store.search(second), reps)
            figures["search_next_page_p50_ms"] = _p(next_ms, 0.5)
            all_ms += next_ms
            agg: list[float] = []
            for fn in (
                lambda: store.facet_counts(ItemQuery(), "topic"),
                lambda: store.facet_counts(week, "district"),
                lambda: store.facet_counts(ItemQuery(text="lũ lụt"), "source"),
                lambda: store.histogram(week, interval="hour", by="topic"),
                lambda: store.histogram(ItemQuery(), interval="day", by="district"),
                lambda: store.count(ItemQuery(text="người dân")),
            ):
                agg += _timed(fn, max(3, reps // 3))
            figures.update(
                {
                    "backend": "sqlite",
                    "n_items": n_items,
                    "batch_size": BATCH_SIZE,
                    "generate_items_s": round(gen_s, 1),
                    "ingest_items_per_s": round(n_items / ingest_s),
                    "reupsert_unchanged_items_per_s": round(len(sample) / reupsert_s),
                    "search_p50_ms": round(statistics.median(all_ms), 2),
                    "search_p95_ms": _p(all_ms, 0.95),
                    "aggregation_p50_ms": round(statistics.median(agg), 2),
                    "aggregation_p95_ms": _p(agg, 0.95),
                    "db_mb": round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6, 1),
                }
            )
        finally:
            store.close()
    return figures
