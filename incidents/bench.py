"""Benchmark: items per second through ``IncidentDetector.process`` on a generated stream.

The stream mixes stories (one base text republished with edits, by several sources, within hours),
some flagged, with unrelated one-off items; items are stored first (not timed), then processed in
batches as the pipeline would. Figures are measured in one run on an embedded SQLite store.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incidents.detector import IncidentDetector
from mediawatch.settings import REPO_ROOT
from records.identity import item_id
from records.schema import TOPIC_IDS, Flag, FlagKind, Item, SourceKind
from routing.engine import Router
from store.base import IncidentQuery
from store.sqlite_store import SQLiteStore

PLACES = ["Tam Kỳ", "Hội An", "Điện Bàn", "Đại Lộc", "Duy Xuyên", "Quế Sơn", "Nông Sơn", "Thăng Bình", "Núi Thành"]
ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t", "th",
          "tr", "v", "x"]
RIMES = ["a", "à", "á", "ả", "ã", "ạ", "ai", "an", "ang", "anh", "ao", "ăn", "ăng", "âm", "ân", "âu", "e", "em", "en",
         "ê", "ên", "i", "im", "in", "inh", "o", "oa", "oan", "ói", "ong", "ô", "ôi", "ông", "ơ", "ơi", "u", "uân",
         "ung", "ư", "ưa", "ước", "ương", "ười", "y", "yên"]
# A Zipf-like vocabulary of Vietnamese-looking syllables: a few very common, most rare (like real text).
VOCAB = [o + r for o in ONSETS for r in RIMES]
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCAB))]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(VOCAB, WEIGHTS, k=words)) + f" ở {rng.choice(PLACES)} {rng.randint(1, 9999)}."


def _edit(rng: random.Random, text: str, rate: float) -> str:
    words = text.split()
    return " ".join(rng.choices(VOCAB, WEIGHTS)[0] if rng.random() < rate else w for w in words)


def generate(n_items: int, *, start: datetime, seed: int = 7) -> tuple[list[Item], dict[str, int]]:
    """About half the items belong to stories of 3–12 items; the rest are one-offs. ~10 % are flagged.

    Returns the items (in collection order) and each item's story number."""
    rng = random.Random(seed)
    items: list[Item] = []
    story_of: dict[str, int] = {}
    story = 0
    while len(items) < n_items:
        story += 1
        at = start + timedelta(minutes=rng.randint(0, 48 * 60))
        topic = rng.choice(TOPIC_IDS)
        base_title, base_text = _text(rng, 12), _text(rng, 80)
        copies = rng.randint(3, 12) if rng.random() < 0.12 else 1
        flagged = rng.random() < 0.1
        for k in range(copies):
            n = len(items)
            url = f"https://nguon{n % 40}.example.vn/bai/{n}"
            title = base_title if k == 0 else _edit(rng, base_title, 0.3)
            text = base_text if k == 0 else _edit(rng, base_text, 0.15)
            story_of[item_id(url)] = story
            items.append(
                Item.identified(
                    url=url,
                    source_id=f"nguon{n % 40}",
                    kind=SourceKind.social if n % 3 == 0 else SourceKind.press,
                    title=title,
                    text=text,
                    published_at=at + timedelta(minutes=rng.randint(0, 240)),
                    collected_at=at + timedelta(minutes=300),
                    topics=[topic],
                    flags=[Flag(kind=FlagKind.misinformation, score=0.8, reasons=["bench"])] if flagged else [],
                    reach=rng.randint(0, 500),
                )
            )
    items = items[:n_items]
    items.sort(key=lambda i: i.collected_at)
    return items, story_of


def pair_scores(truth: dict[str, int], found: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of the clustering against the generator's stories."""
    from collections import Counter

    joint = Counter((truth[i], found[i]) for i in truth if i in found)
    by_truth = Counter(truth[i] for i in truth if i in found)
    by_found = Counter(found[i] for i in truth if i in found)

    def pairs(counts: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    same_both = pairs(joint)
    precision = same_both / pairs(by_found) if pairs(by_found) else 1.0
    recall = same_both / pairs(by_truth) if pairs(by_truth) else 1.0
    return precision, recall


def run(n_items: int = 5_000, batch_size: int = 100) -> dict[str, float | int | str]:
    start = datetime(2026, 10, 18, tzinfo=UTC)
    items, story_of = generate(n_items, start=start)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        try:
            for i in range(0, len(items), 1000):
                store.upsert_items(items[i : i + 1000])
            router = Router.load(store, REPO_ROOT / "config")
            detector = IncidentDetector(store, router, clock=lambda: start + timedelta(hours=60))
            batch_seconds: list[float] = []
            cpu_began = time.process_time()
            began = time.perf_counter()
            for i in range(0, len(items), batch_size):
                t = time.perf_counter()
                detector.process(items[i : i + batch_size])
                batch_seconds.append(time.perf_counter() - t)
            elapsed = time.perf_counter() - began
            cpu = time.process_time() - cpu_began
            precision, recall = pair_scores(story_of, dict(detector.index.item_cluster))
            incidents = store.list_incidents(IncidentQuery(limit=1)).total
            if incidents is None:
                incidents = len(store.list_incidents(IncidentQuery(limit=1000)).items)
            batch_seconds.sort()
            return {
                "detector_items": len(items),
                "detector_items_per_s": round(len(items) / elapsed, 1),
                "detector_items_per_cpu_s": round(len(items) / cpu, 1),
                "detector_pair_precision": round(precision, 3),
                "detector_pair_recall": round(recall, 3),
                "detector_batch_size": batch_size,
                "detector_batch_p95_ms": round(1000 * batch_seconds[int(0.95 * (len(batch_seconds) - 1))], 1),
                "detector_clusters_in_index": len(detector.index.clusters),
                "detector_incidents": incidents,
                "detector_store": "sqlite",
            }
        finally:
            store.close()
