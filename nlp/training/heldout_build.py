"""Compose the held-out set's topic and place files from what its authors wrote, and its datasheet figures.

The authors of the held-out set write three labelled files (``misinformation.jsonl``, ``scam.jsonl``,
``hate.jsonl``; each row also carries ``topics`` and ``districts``) and two source files under ``src/``
(``topics_general.jsonl``: ordinary province texts with topics and districts; ``places_only.jsonl``: texts
that test place recognition, with a ``category``). This module derives, deterministically:

- ``topics.jsonl``: every misinformation row, the ``not_scam`` rows (a scam post's topic is ill-defined),
  the hate rows with a topic, every general row and the place rows with a topic;
- ``places.jsonl``: every row of the labelled and general files that names a district (category
  ``mixed``) and every place row with its own category (including those expecting no district);
- ``everyday3.jsonl`` and ``criticism.jsonl`` (each when its source ``src/everyday_v3.txt`` /
  ``src/criticism_v1.txt`` exists), written in the compact source format of ``nlp.training.labelled_build``:
  an everyday-posts set (everyday posts, eyewitness reports and complaints that the misinformation flag
  must leave alone, and hoaxes in the same casual style; the first two such sets were retired into
  training, ``nlp/labelled/train/fifth_author``) and a criticism set (criticism, complaints, opinion, news
  and questions, and hoaxes);
- ``stats.json`` and the generated counts/hash section of ``README.md``.

It prints counts only, never texts: whoever runs it may be the person who evaluates on the set.
``python -m nlp.training.heldout_build [--check]`` (``--check``: fail if the committed files differ).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.training.common import HELDOUT_DIR, read_jsonl

LABELLED_FILES = ("misinformation.jsonl", "scam.jsonl", "hate.jsonl")
GENERAL_FILE = Path("src") / "topics_general.jsonl"
PLACES_FILE = Path("src") / "places_only.jsonl"
# Sets written in the compact source format: derived file -> (its source, the id prefix of its rows).
COMPACT_SETS: dict[str, tuple[Path, str]] = {
    "everyday3.jsonl": (Path("src") / "everyday_v3.txt", "day3"),
    "criticism.jsonl": (Path("src") / "criticism_v1.txt", "crit"),
}
DERIVED_FILES = ("topics.jsonl", "places.jsonl")
HASHED_FILES = (*LABELLED_FILES, *DERIVED_FILES, str(GENERAL_FILE), str(PLACES_FILE))
README_START = "<!-- counts:start -->"
README_END = "<!-- counts:end -->"


def _dump(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _numbered(prefix: str, picked: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rows ``{id, text, **fields, origin, no_diacritics}`` for each (source row, fields), numbered in order;
    a text already taken (case-insensitive) is skipped."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row, fields in picked:
        key = row["text"].casefold()
        if key not in seen:
            seen.add(key)
            out.append({"id": f"{prefix}-{len(out) + 1:04d}", "text": row["text"], **fields, "origin": row["id"],
                        "no_diacritics": row["no_diacritics"]})
    return out


def _topic_rows(folder: Path) -> list[dict[str, Any]]:
    def picked() -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
        for name, keep in (
            ("misinformation.jsonl", lambda r: True),
            ("scam.jsonl", lambda r: r["label"] == "not_scam"),
            ("hate.jsonl", lambda r: bool(r["topics"])),
            (str(GENERAL_FILE), lambda r: True),
            (str(PLACES_FILE), lambda r: bool(r["topics"])),
        ):
            yield from ((r, {"topics": list(r["topics"])}) for r in read_jsonl(folder / name) if keep(r))

    return _numbered("top", picked())


def _place_rows(folder: Path) -> list[dict[str, Any]]:
    def picked() -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
        for name in (*LABELLED_FILES, str(GENERAL_FILE)):
            yield from ((r, {"districts": list(r["districts"]), "category": "mixed"})
                        for r in read_jsonl(folder / name) if r["districts"])
        yield from ((r, {"districts": list(r["districts"]), "category": r["category"]})
                    for r in read_jsonl(folder / PLACES_FILE))

    return _numbered("place", picked())


def _compact_rows(source: Path, prefix: str) -> list[dict[str, Any]]:
    """A compact-format set from its source file: ``{id, text, label, category, no_diacritics, register}``."""
    from nlp.training.labelled_build import parse

    rows = parse([source], prefix, "misinformation")
    return [
        {"id": f"{prefix}-{i:04d}", "text": f"{r['title']}\n{r['text']}" if r["title"] else r["text"],
         "label": r["label"], "category": r["kind"], "no_diacritics": not r["diacritics"], "register": r["register"]}
        for i, r in enumerate(rows, start=1)
    ]


def _compact_present(folder: Path) -> list[str]:
    """The compact-format files whose source exists in ``folder``."""
    return [name for name, (source, _) in COMPACT_SETS.items() if (folder / source).is_file()]


def _hashed_files(folder: Path) -> tuple[str, ...]:
    return (*HASHED_FILES, *_compact_present(folder))


def _stats(folder: Path) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    for name in _hashed_files(folder):
        rows = read_jsonl(folder / name)
        entry: dict[str, Any] = {
            "n": len(rows),
            "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest(),
            "no_diacritics": sum(bool(r["no_diacritics"]) for r in rows),
        }
        if rows and "label" in rows[0]:
            entry["labels"] = dict(sorted(Counter(r["label"] for r in rows).items()))
            entry["categories"] = dict(sorted(Counter(f"{r['label']}/{r['category']}" for r in rows).items()))
        elif rows and "category" in rows[0]:
            entry["categories"] = dict(sorted(Counter(r["category"] for r in rows).items()))
        if rows and "topics" in rows[0] and name in DERIVED_FILES:
            entry["topics"] = dict(sorted(Counter(t for r in rows for t in r["topics"]).items()))
            entry["multi_label"] = sum(len(r["topics"]) > 1 for r in rows)
            entry["no_topic"] = sum(not r["topics"] for r in rows)
        if rows and "districts" in rows[0] and name == "places.jsonl":
            entry["districts"] = dict(sorted(Counter(d for r in rows for d in r["districts"]).items()))
            entry["no_district"] = sum(not r["districts"] for r in rows)
        stats[name] = entry
    return stats


def readme_section(stats: dict[str, Any]) -> str:
    """The generated part of the datasheet: counts per file and the integrity table."""
    lines = [README_START, "### Counts (generated by `python -m nlp.training.heldout_build`)", ""]
    for name, entry in stats.items():
        parts = [f"{entry['n']} rows, {entry['no_diacritics']} without diacritics"]
        for key in ("labels", "categories", "topics", "districts"):
            if key in entry:
                parts.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in entry[key].items()))
        for key in ("multi_label", "no_topic", "no_district"):
            if key in entry:
                parts.append(f"{key.replace('_', ' ')}: {entry[key]}")
        lines.append(f"- **{name}**: " + "; ".join(parts) + ".")
    lines += ["", "### Integrity (sha256)", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {name} | {entry['sha256']} |" for name, entry in stats.items()]
    lines.append(README_END)
    return "\n".join(lines) + "\n"


def build(folder: Path = HELDOUT_DIR) -> dict[str, str]:
    """The derived files' contents (file name -> text), computed from the authors' files."""
    out = {"topics.jsonl": _dump(_topic_rows(folder)), "places.jsonl": _dump(_place_rows(folder))}
    for name in _compact_present(folder):
        source, prefix = COMPACT_SETS[name]
        out[name] = _dump(_compact_rows(folder / source, prefix))
    return out


def write(folder: Path = HELDOUT_DIR) -> dict[str, Any]:
    for name, text in build(folder).items():
        (folder / name).write_text(text, encoding="utf-8")
    stats = _stats(folder)
    (folder / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    section = readme_section(stats)
    if README_START in text:
        text = text[: text.index(README_START)] + section + text[text.index(README_END) + len(README_END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    readme.write_text(text, encoding="utf-8")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.training.heldout_build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed derived files are stale")
    parser.add_argument("--folder", type=Path, default=HELDOUT_DIR)
    args = parser.parse_args(argv)
    if args.check:
        stale = [n for n, text in build(args.folder).items() if (args.folder / n).read_text(encoding="utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    stats = write(args.folder)
    json.dump({n: {"n": e["n"], "no_diacritics": e["no_diacritics"]} for n, e in stats.items()}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
