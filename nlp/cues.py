"""Transparent cues (data in ``nlp/cues.yaml``): phrases and patterns that explain a flag.

One pass of one compiled matcher over the folded text finds every phrase of every group; a few
regular expressions (account numbers, links) run on the same folded text. Each group counts once,
with the first passage that triggered it as evidence for the reason shown to the analyst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
                 patterns: dict[str, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]], version: str) -> None:
        self.groups = groups
        self.version = version
        self._phrase_groups: dict[str, list[str]] = {}
        for group, items in phrases.items():
            for phrase in items:
                self._phrase_groups.setdefault(fold_phrase(phrase), []).append(group)
        self._matcher = PhraseMatcher(self._phrase_groups)
        self._patterns = patterns

    def find(self, text: FoldedText) -> list[CueHit]:
        """The cue groups present in ``text`` (one hit per group, first evidence), requirements applied."""
        first: dict[str, str] = {}
        for start, end, key in self._matcher.finditer(text.folded):
            for group in self._phrase_groups[key]:
                first.setdefault(group, text.original_span(start, end))
        for group, regexes in self._patterns.items():
            if group in first:
                continue
            for guard, regex in regexes:
                if guard is not None and guard.search(text.folded) is None:
                    continue
                match = regex.search(text.folded)
                if match:
                    first[group] = text.original_span(match.start(), match.end())
                    break
        hits = []
        for name, evidence in first.items():
            cue_group = self.groups[name]
            if cue_group.requires and not any(r in first for r in cue_group.requires):
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
            groups[name] = CueGroup(name, kind, weight, str(spec["label"]), tuple(spec.get("requires", ())))
            phrases[name] = [str(p) for p in spec.get("phrases", [])]
            patterns[name] = [_pattern(p) for p in spec.get("patterns", [])]
        for group in groups.values():
            unknown = [r for r in group.requires if r not in groups]
            if unknown:
                raise ValueError(f"group {group.name} requires unknown groups {unknown}")
        return CueSet(groups, phrases, patterns, str(data.get("version", "1")))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"cannot load cues from {path}: {exc}") from exc
