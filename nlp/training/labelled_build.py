"""Build the labelled JSONL sets from their compact source files (authoring aid; the JSONL files are the data).

Source format: blocks introduced by a header line ``# label=1 | kind=... | reg=social``, followed by one
example per line; `` // `` separates an optional title from the body. In topic files (header
``label=topics``) each line starts with its topics in brackets, abbreviated: ``[dis,inf] text``
(``[]`` = none of the eleven topics). Lines are
assigned ``train`` / ``dev`` / ``test`` by a hash of their folded text, so the split is stable when
examples are added or reordered.

    python -m nlp.training.labelled_build SRC_DIR PREFIX TASK OUT.jsonl
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from nlp.normalize import normalize
from nlp.training.common import split_of
from records.textfold import fold

HARD_NEGATIVE_KINDS = frozenset(
    {
        "official_debunk",
        "official_warning",
        "news_about_rumour",
        "criticism",
        "complaint",
        "everyday_post",
        "eyewitness_report",
        "opinion",
        "question",
        "ordinary_news",
        "scam_warning",
        "scam_arrest_news",
        "legit_bank_notice",
        "legit_offer",
    }
)


TOPIC_ABBREVIATIONS = {
    "dis": "disaster",
    "acc": "accident",
    "ord": "public_order",
    "hea": "health",
    "edu": "education",
    "lan": "land",
    "env": "environment",
    "eco": "economy",
    "tou": "tourism_culture",
    "inf": "infrastructure",
    "gov": "governance",
}


def split_key(text: str) -> str:
    """Identity of an example for de-duplication and split assignment (folded, normalised)."""
    return hashlib.sha1(" ".join(fold(normalize(text)).split()).encode("utf-8")).hexdigest()


def has_diacritics(text: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text)) or "đ" in text.lower()


def parse(paths: list[Path], prefix: str, task: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    header: dict[str, str] = {}
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                header = dict(part.strip().split("=", 1) for part in line[1:].split("|"))
                continue
            topics: list[str] | None = None
            if header["label"] == "topics":
                tags, _, line = line[1:].partition("] ")
                topics = [TOPIC_ABBREVIATIONS[t.strip()] for t in tags.split(",") if t.strip()]
            title, _, body = line.partition(" // ") if " // " in line else ("", "", line)
            key = split_key(f"{title}\n{body}")
            if key in seen:
                continue
            seen.add(key)
            positive = header["label"] == "1"
            kind = header["kind"]
            rec: dict[str, Any] = {
                "id": f"{prefix}-{key[:10]}",
                "title": title,
                "text": body,
                "label": topics if topics is not None else (task if positive else f"not_{task}"),
                "kind": kind,
                "hard_negative": topics is None and (not positive) and kind in HARD_NEGATIVE_KINDS,
                "register": header.get("reg", ""),
                "diacritics": has_diacritics(line),
                "split": split_of(key),
                "source": "mediawatch-authored",
            }
            records.append(rec)
    return records


def main(argv: list[str]) -> int:
    src, prefix, task, out = Path(argv[0]), argv[1], argv[2], Path(argv[3])
    records = parse(sorted(src.glob(f"{prefix}_*.txt")), prefix, task)
    with out.open("w", encoding="utf-8") as handle:
        for rec in records:
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{out}: {len(records)} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
