"""Topics: analyst-editable keyword rules (``nlp/topic_rules.yaml``) combined with the trained classifier.

Rule score of a topic = sum of the weights of the distinct phrases found on the folded text
(negative phrases subtract; ``ignore`` phrases match but count for no topic, so the topic words inside
them do not count either). Decision per topic:
- rules alone: score ≥ ``threshold``;
- classifier alone: probability ≥ its threshold (per label from the model metadata, else
  ``classifier_threshold`` of ``config/topics.yaml``);
- together: score ≥ ``support`` and probability ≥ half the classifier threshold.
The shipped model's per-topic thresholds are chosen by cross-validation for this whole decision
(``nlp.training.topics.system_thresholds``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
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
                 version: str, ignore: Iterable[str] = ()) -> None:
        self.threshold = threshold
        self.support = support
        self.version = version
        # Ignored phrases match like keywords (so the longer phrase wins) but count for no topic.
        self._by_phrase: dict[str, list[tuple[str, float]]] = {fold_phrase(p): [] for p in ignore}
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


    def score_matrix(self, folded_texts: Sequence[str]) -> np.ndarray:
        """Rule scores as an array, texts × ``TOPIC_IDS`` (0 where no phrase of a topic matched)."""
        out = np.zeros((len(folded_texts), len(TOPIC_IDS)))
        for i, folded in enumerate(folded_texts):
            for topic, score in self.scores(folded).items():
                out[i, TOPIC_IDS.index(topic)] = score.score
        return out

    def decide_matrix(self, rule_scores: np.ndarray, proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """``decide`` for many texts at once (0/1 array, texts × topics; columns in ``TOPIC_IDS`` order)."""
        return (
            (rule_scores >= self.threshold)
            | (proba >= thresholds)
            | ((rule_scores >= self.support) & (proba >= thresholds / 2))
        ).astype(int)


def load_topic_rules(path: Path | None = None) -> TopicRules:
    """Load keyword rules (default ``nlp/topic_rules.yaml``); ``ConfigError`` when malformed."""
    path = path or DEFAULT_RULES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        weights = {
            topic: {**(spec.get("keywords") or {}), **(spec.get("negative") or {})}
            for topic, spec in data["topics"].items()
        }
        ignore = [str(p) for p in data.get("ignore") or []]
        return TopicRules(weights, threshold=float(data["threshold"]), support=float(data["support"]),
                          version=str(data.get("version", "1")), ignore=ignore)
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
