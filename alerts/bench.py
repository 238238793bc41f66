"""Alert benchmark: latency from an item entering the store to its alert at a local webhook sink,
with the engine in continuous mode (``run_continuous``) on a temporary SQLite store.

Each trial stores a burst of items about one district (a quiet week of baseline before it) and
waits for the signed webhook to arrive at ``alerts.sink.LocalWebhookSink`` on 127.0.0.1. Latency ≈ the time
to the next poll plus one evaluation and one delivery, so it is bounded by ``poll_seconds``.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from alerts.engine import AlertEngine
from alerts.rules import save_rule
from alerts.sink import LocalWebhookSink
from alerts.synthetic import DISTRICTS, make_item
from mediawatch.settings import Settings
from records.schema import utcnow


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(*, quick: bool = False, poll_seconds: float | None = None, trials: int | None = None,
        baseline_per_day: int = 300) -> dict[str, float | int | str]:
    """Measure store→sink alert latency over several trials; returns p50/p95/max in seconds."""
    from store.sqlite_store import SQLiteStore

    poll = poll_seconds if poll_seconds is not None else (1.0 if quick else 5.0)
    n_trials = trials if trials is not None else (3 if quick else 12)
    n_trials = min(n_trials, len(DISTRICTS))
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, LocalWebhookSink(secret=b"bench-secret") as sink:
        store = SQLiteStore(Path(tmp) / "bench.db")
        settings = Settings(_env_file=None, db=Path(tmp) / "bench.db", webhook_secret=SecretStr("bench-secret"),  # type: ignore[call-arg]
                            ssrf_allow=["127.0.0.1"])
        now = utcnow()
        # a quiet week: items spread over the past 8 days, every district now and then
        baseline = []
        n = 0
        for day in range(1, 9):
            for k in range(baseline_per_day):
                at = now - timedelta(days=day, minutes=(k * 4801) % (24 * 60))
                baseline.append(make_item(n, at, topics=["economy"], districts=[DISTRICTS[k % len(DISTRICTS)]],
                                          tag="base"))
                n += 1
        store.upsert_items(baseline)
        save_rule(store, {"id": "bench-district", "name": "Bench", "kind": "spike", "scope": "district",
                          "thresholds": {"window_hours": 1, "min_count": 10, "min_ratio": 3.0, "min_score": 3.0},
                          "channels": [{"type": "webhook", "url": sink.url}]}, actor="bench")
        engine = AlertEngine(store, settings, seed_defaults=False, retry_base=timedelta(seconds=1))
        started = time.perf_counter()
        engine.evaluate()
        first_eval = time.perf_counter() - started
        stop = threading.Event()
        loop = threading.Thread(target=engine.run_continuous, kwargs={"poll_seconds": poll, "stop": stop}, daemon=True)
        loop.start()
        try:
            for trial in range(n_trials):
                district = DISTRICTS[trial]
                before = len(sink.arrivals)
                burst = [make_item(10_000 * (trial + 1) + i, utcnow() - timedelta(seconds=30 + i), topics=["disaster"],
                                   districts=[district], tag="burst") for i in range(25)]
                t0 = time.perf_counter()
                store.upsert_items(burst)
                timeout = poll * 3 + 30
                if not sink.wait_for(before + 1, timeout=timeout):
                    raise RuntimeError(f"no alert for {district} within {timeout:.0f} s")
                arrival = sink.arrivals[before]
                if arrival.payload.get("scope_value") != district:
                    raise RuntimeError(f"unexpected alert {arrival.payload.get('title')!r}")
                latencies.append(arrival.at - t0)
                time.sleep(poll * (0.13 + 0.61 * ((trial * 7) % 10) / 10))  # de-phase the next burst and the poll
        finally:
            stop.set()
            loop.join(poll + 30)
            store.close()
    return {
        "trials": len(latencies),
        "poll_seconds": poll,
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(_percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3),
        "first_evaluation_s": round(first_eval, 3),
        "baseline_items": n,
        "alerts_at_sink": len(sink.arrivals),
        "repeated_deliveries": sink.repeats,
        "unsigned_or_bad_signature": sum(not a.signature_ok for a in sink.arrivals),
    }
