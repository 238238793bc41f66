"""Quality gate: the shipped models keep their metric floors on data they were never trained or tuned on.

Floors, ceilings and the sha256 of each evaluation set live in ``models/eval_baseline.json``.
- A changed evaluation set fails until the baseline records its new hash (in the same, visible commit).
- A floor is never lowered silently: every floor must be at least the highest value it had in any
  committed version of the baseline (ceilings: at most the lowest), unless the baseline's ``lowered``
  list names that set and metric with a reason.
The issue's targets are recorded beside the floors; where a target is not met the floor is the honest
measured figure minus a small margin, and the model card says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nlp.models import ShippedModels
from nlp.training.evaluate import EvalSet, data_hash, eval_sets, load_models

REPO = Path(__file__).resolve().parents[2]
BASELINE_PATH = REPO / "models" / "eval_baseline.json"
BASELINE: dict[str, Any] = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
SETS: dict[str, EvalSet] = {es.name: es for es in eval_sets()}


@pytest.fixture(scope="module")
def models() -> ShippedModels:
    return load_models(REPO / "models")


def test_baseline_covers_every_evaluation_set() -> None:
    assert set(BASELINE["sets"]) == set(SETS), "eval_baseline.json and nlp.training.evaluate disagree on the sets"
    for name, entry in BASELINE["sets"].items():
        assert entry.get("floors") or entry.get("ceilings"), f"{name} has no floor"


@pytest.mark.parametrize("name", sorted(BASELINE["sets"]))
def test_metric_floors(name: str, models: ShippedModels) -> None:
    entry = BASELINE["sets"][name]
    es = SETS[name]
    assert data_hash(es.files, es.split) == entry["data_sha256"], (
        f"evaluation data of {name} changed: re-measure and update models/eval_baseline.json in the same commit"
    )
    metrics = es.run(models)
    for metric, floor in entry.get("floors", {}).items():
        assert metrics[metric] >= floor, f"{name}: {metric} {metrics[metric]} fell below its floor {floor}"
    for metric, ceiling in entry.get("ceilings", {}).items():
        assert metrics[metric] <= ceiling, f"{name}: {metric} {metrics[metric]} rose above its ceiling {ceiling}"


def _committed_baselines() -> list[dict[str, Any]]:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("no git history to compare the floors with")
    rel = str(BASELINE_PATH.relative_to(REPO))
    revs = subprocess.run(
        [git, "log", "--format=%H", "--", rel], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    out = []
    for rev in revs:
        shown = subprocess.run([git, "show", f"{rev}:{rel}"], cwd=REPO, capture_output=True, text=True, check=False)
        if shown.returncode == 0:
            out.append(json.loads(shown.stdout))
    return out


def test_floors_are_never_lowered_silently() -> None:
    allowed = {(e["set"], e["metric"]) for e in BASELINE.get("lowered", []) if e.get("reason")}
    problems = []
    for old in _committed_baselines():
        for name, old_entry in old.get("sets", {}).items():
            new_entry = BASELINE["sets"].get(name)
            if new_entry is None:
                if not any(s == name for s, _m in allowed):
                    problems.append(f"{name} was removed")
                continue
            for metric, old_floor in old_entry.get("floors", {}).items():
                new_floor = new_entry.get("floors", {}).get(metric)
                if (new_floor is None or new_floor < old_floor) and (name, metric) not in allowed:
                    problems.append(f"{name}.{metric}: floor {old_floor} -> {new_floor}")
            for metric, old_ceiling in old_entry.get("ceilings", {}).items():
                new_ceiling = new_entry.get("ceilings", {}).get(metric)
                if (new_ceiling is None or new_ceiling > old_ceiling) and (name, metric) not in allowed:
                    problems.append(f"{name}.{metric}: ceiling {old_ceiling} -> {new_ceiling}")
    assert not problems, "floors lowered without a 'lowered' entry and reason: " + "; ".join(problems)
