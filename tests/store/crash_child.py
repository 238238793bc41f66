"""Child process of the crash test: ingest batches forever, print an ack line after each one.

Usage: python crash_child.py DB SEED ROUND. Each ack line is ``ACK <id> <id> ...``, written and
flushed only after ``upsert_items`` returned (the durability promise under test).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta

from records.identity import canonical_url, content_hash, item_id
from records.schema import Item, SourceKind
from store.sqlite_store import SQLiteStore

WORDS = ("lũ", "lụt", "mưa", "bão", "đường", "cầu", "trường", "học", "giá", "đất", "Đại", "Lộc", "Hội", "An")


def make(n: int, rng: random.Random, round_: int) -> Item:
    url = f"https://crash.example.vn/tin/{n}"
    title = f"Tin {n} " + " ".join(rng.sample(WORDS, 3))
    text = " ".join(rng.choices(WORDS, k=40)) + f" r{round_}" * rng.randint(0, 1)
    return Item(
        id=item_id(url),
        url=canonical_url(url),
        content_hash=content_hash(title, text),
        source_id="crash",
        kind=SourceKind.press,
        title=title,
        text=text,
        published_at=datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=n),
    )


def main() -> None:
    path, seed, round_ = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed * 1000 + round_)
    store = SQLiteStore(path)
    print("READY", flush=True)
    start = round_ * 100_000
    n = start
    while True:
        size = rng.randint(20, 400)
        batch = [make(k, rng, round_) for k in range(n, n + size)]
        # re-send some items of earlier rounds: they must not be stored twice
        batch += [make(rng.randrange(0, max(1, start)), rng, round_) for _ in range(rng.randint(0, 20))]
        results = store.upsert_items(batch)
        sys.stdout.write("ACK " + " ".join(r.item_id for r in results) + "\n")
        sys.stdout.flush()
        n += size


if __name__ == "__main__":
    main()
