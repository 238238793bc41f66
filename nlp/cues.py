"""Transparent cues (data in ``nlp/cues.yaml``): phrases and patterns that explain a flag.

One pass of one compiled matcher over the folded text finds every phrase of every group; a few
regular expressions (account numbers, links) run on the same folded text. Each group counts once,
with the first passage that triggered it as evidence for the reason shown to the analyst.

A group marked ``negatable`` ignores a passage that a negation word governs ("không yêu cầu chuyển
tiền", "đừng bấm vào link"): a warning that quotes a scam's wording does not carry the scam's cue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.matching import FoldedText, PhraseMatcher, fold_phrase
from records.errors import ConfigError

DEFAULT_CUES = Path(__file__).parent / "cues.yaml"
KINDS = ("misinformation", "scam", "hate_speech", "dampen")


@dataclass(frozen=True)
class CueGroup:
    name: str
    kind: str
    weight: float
    label: str  # Vietnamese, shown in reasons
    requires: tuple[str, ...] = ()
    negatable: bool = False  # a passage governed by a negation word does not count
    unless: tuple[str, ...] = ()  # the group does not count when one of these groups is present


@dataclass(frozen=True)
class Negation:
    """Which words negate a following cue passage, and how far back they are looked for.

    Words are compared as written (lower case): folding would merge "đừng" with "đúng" and "dùng".
    """

    words: frozenset[str] = frozenset()  # không, đừng, chẳng ... and their spellings without diacritics
    window: int = 4  # words before the passage, within its clause
    # a negation word right after one of these words does not negate: key "*" for every negation word
    # ("nếu không"), or the negation word itself ("ứng dung", "sử dung" written without diacritics)
    not_after: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def governs(self, before: str) -> bool:
        """True when a negation word ends ``before`` (the text preceding a passage) within ``window`` words."""
        if not self.words:
            return False
        words = _WORD.findall(_CLAUSE_END.split(before.lower())[-1])
        for i in range(len(words) - 1, max(len(words) - 1 - self.window, -1), -1):
            if words[i] in self.words and not (i > 0 and self._excused(words[i - 1], words[i])):
                return True
        return False

    def _excused(self, before: str, word: str) -> bool:
        return before in self.not_after.get("*", ()) or before in self.not_after.get(word, ())


_CLAUSE_END = re.compile(r"[.!?;:,\n]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CueHit:
    group: CueGroup
    evidence: str  # the passage as written in the text

    @property
    def reason(self) -> str:
        return f"{self.group.label}: «{self.evidence}»"


class CueSet:
    """All cue groups, matched together."""

    def __init__(self, groups: dict[str, CueGroup], phrases: dict[str, list[str]],
                 patterns: dict[str, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]], version: str,
                 negation: Negation | None = None) -> None:
        self.groups = groups
        self.version = version
        self.negation = negation or Negation()
        self._phrase_groups: dict[str, list[str]] = {}
        for group, items in phrases.items():
            for phrase in items:
                self._phrase_groups.setdefault(fold_phrase(phrase), []).append(group)
        self._matcher = PhraseMatcher(self._phrase_groups)
        self._patterns = patterns

    def find(self, text: FoldedText) -> list[CueHit]:
        """The cue groups present in ``text`` (one hit per group, first evidence), requirements applied."""
        first: dict[str, str] = {}
        folded = text.folded
        for start, end, key in self._matcher.finditer(folded):
            negated: bool | None = None
            for group in self._phrase_groups[key]:
                if group in first:
                    continue
                if self.groups[group].negatable:
                    if negated is None:
                        negated = self.negation.governs(text.original_span(max(0, start - 120), start))
                    if negated:
                        continue
                first[group] = text.original_span(start, end)
        for group, regexes in self._patterns.items():
            if group in first:
                continue
            negatable = self.groups[group].negatable
            for guard, regex in regexes:
                if guard is not None and guard.search(folded) is None:
                    continue
                match = next((m for m in regex.finditer(folded)
                              if not (negatable and self.negation.governs(
                                  text.original_span(max(0, m.start() - 120), m.start())))), None)
                if match:
                    first[group] = text.original_span(match.start(), match.end())
                    break
        hits = []
        for name, evidence in first.items():
            cue_group = self.groups[name]
            if cue_group.requires and not any(r in first for r in cue_group.requires):
                continue
            if any(u in first for u in cue_group.unless):
                continue
            hits.append(CueHit(cue_group, _shorten(evidence)))
        return hits


def _shorten(evidence: str, limit: int = 80) -> str:
    evidence = " ".join(evidence.split())
    return evidence if len(evidence) <= limit else evidence[: limit - 1] + "…"


def _pattern(spec: str | dict[str, str]) -> tuple[re.Pattern[str] | None, re.Pattern[str]]:
    """A pattern, optionally with a cheap ``guard`` regex that must match first (speed only)."""
    if isinstance(spec, str):
        return None, re.compile(spec)
    return (re.compile(spec["guard"]) if spec.get("guard") else None), re.compile(spec["pattern"])


def load_cues(path: Path | None = None) -> CueSet:
    """Load cue groups from YAML (default ``nlp/cues.yaml``); ``ConfigError`` when malformed."""
    path = path or DEFAULT_CUES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        groups: dict[str, CueGroup] = {}
        phrases: dict[str, list[str]] = {}
        patterns: dict[str, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]] = {}
        for name, spec in data["groups"].items():
            kind = str(spec["kind"])
            if kind not in KINDS:
                raise ValueError(f"group {name}: unknown kind {kind!r}")
            weight = float(spec["weight"])
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"group {name}: weight {weight} outside [0, 1]")
            groups[name] = CueGroup(name, kind, weight, str(spec["label"]), tuple(spec.get("requires", ())),
                                    bool(spec.get("negatable", False)), tuple(spec.get("unless", ())))
            phrases[name] = [str(p) for p in spec.get("phrases", [])]
            patterns[name] = [_pattern(p) for p in spec.get("patterns", [])]
        for group in groups.values():
            for key, names in (("requires", group.requires), ("unless", group.unless)):
                unknown = [r for r in names if r not in groups]
                if unknown:
                    raise ValueError(f"group {group.name}: {key} names unknown groups {unknown}")
        neg = data.get("negation") or {}
        def words(items: list[Any]) -> frozenset[str]:
            return frozenset(unicodedata.normalize("NFC", str(w)).lower() for w in items)

        negation = Negation(
            words(neg.get("words", [])),
            int(neg.get("window", 4)),
            {str(k): words(v) for k, v in (neg.get("not_after") or {}).items()},
        )
        return CueSet(groups, phrases, patterns, str(data.get("version", "1")), negation)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"cannot load cues from {path}: {exc}") from exc
