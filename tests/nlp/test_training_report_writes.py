"""Training runs at once keep each other's entries in the shared JSON files of models/ (shipped.json,
training_report.json): every update is a locked read-modify-write with an atomic replace."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from nlp.training.common import update_json_file, write_manifest


def _add_keys(path: str, prefix: str, count: int) -> None:
    for n in range(count):
        update_json_file(Path(path), lambda d, key=f"{prefix}{n}", value=n: {**d, key: value})


def test_concurrent_writers_lose_no_entry(tmp_path: Path) -> None:
    path = tmp_path / "training_report.json"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_add_keys, args=(str(path), prefix, 60)) for prefix in ("a", "b", "c")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data) == 180
    assert not list(tmp_path.glob("*.tmp")), "temporary files are renamed into place, never left behind"


def test_manifest_keeps_other_tasks_sorted(tmp_path: Path) -> None:
    (tmp_path / "shipped.json").write_text(json.dumps({"models": {"topics": "topics_x"}}), encoding="utf-8")
    write_manifest({"scam": "scam_y"}, models_dir=tmp_path)
    written = (tmp_path / "shipped.json").read_text(encoding="utf-8")
    assert json.loads(written) == {"models": {"scam": "scam_y", "topics": "topics_x"}}
    assert written.index('"scam"') < written.index('"topics"') and written.endswith("}\n")
