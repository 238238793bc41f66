"""Topics: analyst-editable keyword rules (``nlp/topic_rules.yaml``) combined with the trained classifier.

Rule score of a topic = sum of the weights of the distinct phrases found on the folded text
(negative phrases subtract). Decision per topic:
- rules alone: score ≥ ``threshold``;
- classifier alone: probability ≥ its threshold (per label from the model metadata, else
  ``classifier_threshold`` of ``config/topics.yaml``);
- together: score ≥ ``support`` and probability ≥ half the classifier threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlp.matching import PhraseMatcher, fold_phrase
from records.errors import ConfigError
from records.schema import TOPIC_IDS

DEFAULT_RULES = Path(__file__).parent / "topic_rules.yaml"


@dataclass(frozen=True)
class TopicScore:
    score: float
    phrases: tuple[str, ...] = field(default=())


class TopicRules:
    """Keyword rules of every topic, matched in one pass."""

    def __init__(self, weights: Mapping[str, Mapping[str, float]], *, threshold: float, support: float,
                 version: str) -> None:
        self.threshold = threshold
        self.support = support
        self.version = version
        self._by_phrase: dict[str, list[tuple[str, float]]] = {}
        for topic, phrases in weights.items():
            if topic not in TOPIC_IDS:
                raise ConfigError(f"topic rules name unknown topic {topic!r}")
            for phrase, weight in phrases.items():
                self._by_phrase.setdefault(fold_phrase(phrase), []).append((topic, float(weight)))
        self._matcher = PhraseMatcher(self._by_phrase)

    def scores(self, folded: str) -> dict[str, TopicScore]:
        """Rule score and matched phrases per topic (only topics with at least one phrase)."""
        seen: set[str] = set()
        totals: dict[str, float] = {}
        phrases: dict[str, list[str]] = {}
        for _start, _end, key in self._matcher.finditer(folded):
            if key in seen:
                continue
            seen.add(key)
            for topic, weight in self._by_phrase[key]:
                totals[topic] = totals.get(topic, 0.0) + weight
                if weight > 0:
                    phrases.setdefault(topic, []).append(key)
        return {t: TopicScore(round(s, 4), tuple(phrases.get(t, ()))) for t, s in totals.items()}

    def decide(self, scores: Mapping[str, TopicScore], proba: Mapping[str, float] | None = None,
               thresholds: Mapping[str, float] | None = None) -> list[str]:
        """Topic ids assigned (in TOPIC_IDS order) from rule scores and optional classifier probabilities."""
        proba = proba or {}
        thresholds = thresholds or {}
        out = []
        for topic in TOPIC_IDS:
            rule = scores[topic].score if topic in scores else 0.0
            p = proba.get(topic, 0.0)
            t = thresholds.get(topic, 0.5)
            if rule >= self.threshold or p >= t or (rule >= self.support and p >= t / 2):
                out.append(topic)
        return out


def load_topic_rules(path: Path | None = None) -> TopicRules:
    """Load keyword rules (default ``nlp/topic_rules.yaml``); ``ConfigError`` when malformed."""
    path = path or DEFAULT_RULES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        weights = {
            topic: {**(spec.get("keywords") or {}), **(spec.get("negative") or {})}
            for topic, spec in data["topics"].items()
        }
        return TopicRules(weights, threshold=float(data["threshold"]), support=float(data["support"]),
                          version=str(data.get("version", "1")))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"cannot load topic rules from {path}: {exc}") from exc


def load_topic_config(config_dir: Path) -> tuple[dict[str, str], float]:
    """Vietnamese topic names and the default classifier threshold from ``config_dir/topics.yaml``."""
    path = Path(config_dir) / "topics.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = {str(t["id"]): str(t["name"]) for t in data["topics"]}
        threshold = float(data.get("classifier_threshold", 0.5))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"cannot load topic configuration {path}: {exc}") from exc
    unknown = set(names) - set(TOPIC_IDS)
    missing = set(TOPIC_IDS) - set(names)
    if unknown or missing:
        raise ConfigError(f"{path}: topics differ from records.schema.TOPIC_IDS (unknown {unknown}, missing {missing})")
    return names, threshold
