"""`mediawatch demo --no-serve`: the main job runs every stage on the sample sources and exits 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sample_site.content import load_items

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAWATCH_")}
    proc = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "--db", str(out / "demo.db"), "demo", "--no-serve", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return proc, out


def test_demo_exits_zero_with_a_one_line_summary(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, _out = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("demo: ") and "items" in last and "incidents" in last and "flags by kind" in last


def test_demo_collects_every_relevant_sample_item_once(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _proc, out = demo_run
    summary = json.loads((out / "demo-summary.json").read_text(encoding="utf-8"))
    truth = load_items(None)
    # Items the province relevance filter must drop, and exact syndicated copies, are not new items.
    expected_max = len(truth)
    assert 0.9 * expected_max <= summary["items"] <= expected_max
    assert summary["quarantined"] == 0
    assert summary["incidents"] >= 5
    assert summary["flags"].get("misinformation", 0) >= 2
    assert summary["flags"].get("scam", 0) >= 2


def test_demo_raises_the_flood_alert_at_the_local_sink(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _proc, out = demo_run
    summary = json.loads((out / "demo-summary.json").read_text(encoding="utf-8"))
    assert summary["alerts_delivered"] >= 1
    received = [json.loads(line) for line in (out / "alerts-received.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any("disaster" in json.dumps(r["payload"], ensure_ascii=False) for r in received)


def test_demo_writes_digest_and_report(demo_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _proc, out = demo_run
    digests = list(out.glob("digest-*.html"))
    reports = list(out.glob("report-*.docx"))
    assert digests and reports
    assert "Bản tin" in digests[0].read_text(encoding="utf-8")
