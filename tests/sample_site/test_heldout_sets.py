"""The held-out evaluation set (v3) is well-formed, big enough, derived consistently and unchanged unless its
datasheet says so. These tests read only counts and hashes; they never print a text."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from nlp.training.common import OTHER_AUTHOR_DIRS
from records.schema import TOPIC_IDS
from sample_site.content import DISTRICTS, has_diacritics

HELDOUT = Path(__file__).resolve().parents[2] / "nlp" / "labelled" / "heldout"
RETIRED = [(folder, path.relative_to(folder).as_posix()) for folder in OTHER_AUTHOR_DIRS
           for path in sorted(folder.rglob("*.jsonl"))]
LABELS = {
    "misinformation.jsonl": {"misinformation", "not_misinformation"},
    "scam.jsonl": {"scam", "not_scam"},
    "hate.jsonl": {"hate_speech", "not_hate_speech"},
}
MINIMUM = {"misinformation.jsonl": 250, "scam.jsonl": 120, "hate.jsonl": 120, "topics.jsonl": 200, "places.jsonl": 150,
           "src/topics_general.jsonl": 150, "src/places_only.jsonl": 120}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (HELDOUT / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _datasheet_hash(folder: Path, name: str) -> str:
    readme = (folder / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^\| {re.escape(name)} \| ([0-9a-f]{{64}}) \|$", readme, re.M)
    assert match, f"no sha256 for {name} in {folder.name}/README.md"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_file_matches_the_hash_in_the_datasheet(name: str) -> None:
    assert hashlib.sha256((HELDOUT / name).read_bytes()).hexdigest() == _datasheet_hash(HELDOUT, name)


@pytest.mark.parametrize(("folder", "name"), RETIRED, ids=[f"{f.name}/{n}" for f, n in RETIRED])
def test_retired_sets_are_unchanged_since_their_retirement(folder: Path, name: str) -> None:
    """Retired held-out sets are training data now, but a row never changes without the datasheet saying so."""
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == _datasheet_hash(folder, name)


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_rows_are_well_formed_and_unique(name: str) -> None:
    rows = _rows(name)
    assert len(rows) >= MINIMUM[name]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"].casefold() for r in rows}) == len(rows)
    for row in rows:
        assert row["text"].strip() and unicodedata.normalize("NFC", row["text"]) == row["text"]
        assert row["no_diacritics"] == (not has_diacritics(row["text"]))
        if name in LABELS:
            assert row["label"] in LABELS[name] and row["category"]
        if "topics" in row:
            assert set(row["topics"]) <= set(TOPIC_IDS)
        if "districts" in row:
            assert set(row["districts"]) <= set(DISTRICTS)
        assert "topics" in row or "districts" in row


def test_derived_topic_and_place_files_are_up_to_date() -> None:
    from nlp.training.heldout_build import build

    for name, text in build(HELDOUT).items():
        stale = f"{name} is stale: run python -m nlp.training.heldout_build"
        assert (HELDOUT / name).read_text(encoding="utf-8") == text, stale


def test_misinformation_mix_of_false_claims_and_hard_negatives() -> None:
    rows = _rows("misinformation.jsonl")
    share = sum(r["label"] == "misinformation" for r in rows) / len(rows)
    assert 0.35 <= share <= 0.45
    negatives = Counter(r["category"] for r in rows if r["label"] == "not_misinformation")
    for category in ("rumour_news", "official_debunk", "official_warning", "complaint", "criticism", "opinion", "news"):
        assert negatives[category] >= 10, category
    assert sum(r["no_diacritics"] for r in rows) >= 20


def test_scam_and_hate_have_their_hard_negatives() -> None:
    scam = Counter(r["category"] for r in _rows("scam.jsonl") if r["label"] == "not_scam")
    hate = Counter(r["category"] for r in _rows("hate.jsonl") if r["label"] == "not_hate_speech")
    assert scam["scam_warning"] >= 15
    assert hate["rude_personal"] >= 15


def test_topics_and_places_cover_the_taxonomies() -> None:
    topics = Counter(t for r in _rows("topics.jsonl") for t in r["topics"])
    assert set(topics) == set(TOPIC_IDS) and min(topics.values()) >= 20
    places = _rows("places.jsonl")
    districts = Counter(d for r in places for d in r["districts"])
    assert set(districts) == set(DISTRICTS) and min(districts.values()) >= 5
    categories = Counter(r["category"] for r in places)
    assert categories["ambiguous_out"] >= 10
    assert all(r["districts"] == [] for r in places if r["category"] == "ambiguous_out")
    assert sum(r["no_diacritics"] and r["districts"] != [] for r in places) >= 20
