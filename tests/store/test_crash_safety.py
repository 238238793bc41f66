"""Kill the ingest process with SIGKILL at random moments; every acknowledged item must be stored
exactly once and the database must pass its integrity checks."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from records.audit import verify_chain
from store.base import ItemQuery
from store.sqlite_store import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 6


def run_and_kill(db: Path, seed: int, round_: int, delay: float, *, after_first_ack: bool = False) -> list[str]:
    """Start the child, SIGKILL it ``delay`` seconds after it is ready (or after its first ack, so a
    slow machine still tests something); the ids it acknowledged."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(seed), str(round_)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    assert ready == b"READY\n", proc.stderr.read().decode() if proc.stderr else ready
    first = proc.stdout.readline() if after_first_ack else b""
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    acked: list[str] = []
    for line in (first + out).decode().split("\n")[:-1]:  # the last piece has no newline: not acknowledged
        assert line.startswith("ACK "), line
        acked += line.split()[1:]
    return acked


def test_acknowledged_items_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    db = tmp_path / "crash.db"
    acked: set[str] = set()
    for round_ in range(ROUNDS):
        delay = rng.uniform(0.05, 0.8)
        acked |= set(run_and_kill(db, seed=7, round_=round_, delay=delay, after_first_ack=round_ % 2 == 0))
    assert acked, "the child acknowledged nothing: the test proved nothing"

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in raw.execute("SELECT id FROM items")]
    hashes = [r[0] for r in raw.execute("SELECT content_hash FROM items")]
    raw.close()
    assert len(ids) == len(set(ids)), "an item is stored twice"
    assert len(hashes) == len(set(hashes)), "the same content is stored twice"
    missing = acked - set(ids)
    assert not missing, f"{len(missing)} acknowledged items were lost"

    with SQLiteStore(db) as store:
        conn = store._conn()
        conn.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
        assert store.count(ItemQuery()) == len(ids)
        assert store.count(ItemQuery(text="tin")) == len(ids)  # every stored item is in the text index
        assert verify_chain(store.iter_audit())[0]
