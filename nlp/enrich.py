"""The Enricher: normalise, segment, find places, topics and flags (with reasons) for items.

    enricher = Enricher.load(models_dir=Path("models"), config_dir=Path("config"), claims=load_claims(store))
    items = enricher.enrich(items)          # pure: returns enriched copies, writes nothing
    enricher.analyze({"id": "1", "text": "..."})  # the `mediawatch analyze` contract (docs/analyze.md)

Shipped models are required: ``load`` raises ``ModelError`` when they are missing or were built
with other library versions. ``require_models=False`` exists for unit tests of the rule parts only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.claims import ClaimIndex, ClaimMatch, KnownClaim
from nlp.corroboration import Corroboration, OfficialStatements
from nlp.cues import CueSet, load_cues
from nlp.explain_batch import BatchExplainer, BatchScores
from nlp.flags import FLAG_KINDS, FlagRules, load_flag_rules, score_flags
from nlp.language import detect_language
from nlp.matching import FoldedText
from nlp.normalize import normalize
from nlp.places import Gazetteer, load_gazetteer
from nlp.segment import Segmenter
from nlp.topics import TopicRules, load_topic_config, load_topic_rules
from records.errors import InputError
from records.schema import Flag, Item, PlaceMention, SourceKind

if TYPE_CHECKING:
    from nlp.models import ShippedModels, TextClassifier

MAX_ID_CHARS = 512


@dataclass(frozen=True)
class Analysis:
    """What enrichment found in one text."""

    language: str
    topics: list[str]
    places: list[PlaceMention]
    flags: list[Flag]


def join_title(title: str, text: str) -> str:
    """The classifier input: ``normalize(title + "\\n" + text)`` (the contract with nlp.models)."""
    return normalize(f"{title}\n{text}" if title else text)


def _rescale(p: float, model_threshold: float, flag_threshold: float) -> float:
    """Map a probability so the model's own decision threshold lands on the flag threshold."""
    if not 0.0 < model_threshold < 1.0:
        return p
    if p < model_threshold:
        return p / model_threshold * flag_threshold
    return flag_threshold + (p - model_threshold) / (1.0 - model_threshold) * (1.0 - flag_threshold)


class Enricher:
    """Everything enrichment needs, loaded once (models, gazetteer, rules, cues, known claims)."""

    def __init__(
        self,
        *,
        models: ShippedModels | None,
        gazetteer: Gazetteer,
        topic_rules: TopicRules,
        topic_threshold: float,
        cues: CueSet,
        flag_rules: FlagRules,
        claims: Sequence[KnownClaim] = (),
        segmenter: Segmenter | None = None,
    ) -> None:
        self.models = models
        self.gazetteer = gazetteer
        self.topic_rules = topic_rules
        self.topic_threshold = topic_threshold
        self.cues = cues
        self.flag_rules = flag_rules
        self.segmenter = segmenter or Segmenter()
        self._claims = ClaimIndex(claims)
        self._official = OfficialStatements()
        self._batch_explainer = BatchExplainer()

    @classmethod
    def load(
        cls,
        *,
        models_dir: Path,
        config_dir: Path,
        claims: Sequence[KnownClaim] = (),
        require_models: bool = True,
        gazetteer_path: Path | None = None,
    ) -> Enricher:
        """Load models, gazetteer, rules and cues; ``ModelError`` if models are missing or mismatched.

        ``require_models=False`` (tests of the rule parts only) skips the classifiers entirely.
        """
        models = None
        if require_models:
            from nlp.models import ShippedModels

            models = ShippedModels.load(Path(models_dir))
        _names, topic_threshold = load_topic_config(Path(config_dir))
        return cls(
            models=models,
            gazetteer=load_gazetteer(gazetteer_path),
            topic_rules=load_topic_rules(),
            topic_threshold=topic_threshold,
            cues=load_cues(),
            flag_rules=load_flag_rules(config_dir=Path(config_dir)),
            claims=claims,
        )

    # -- known claims ------------------------------------------------------------------------------
    def set_claims(self, claims: Sequence[KnownClaim]) -> None:
        """Replace the known false claims (rebuilds the claim index; milliseconds for hundreds)."""
        self._claims = ClaimIndex(claims)

    @property
    def claims(self) -> list[KnownClaim]:
        return list(self._claims.claims)

    # -- official statements -----------------------------------------------------------------------
    def add_official_statements(self, items: Sequence[Item]) -> None:
        """Remember the official items among ``items``: later posts that repeat them are corroborated
        (``nlp.corroboration``). The pipeline feeds it recent stored items and each new batch."""
        self._official.add(items)

    def corroborations(self, items: Sequence[Item]) -> list[Corroboration | None]:
        """For each item, the recent official statement it repeats (None for official items themselves)."""
        return self._corroborations(
            [join_title(item.title, item.text) for item in items],
            [item.kind == SourceKind.official for item in items],
            [item.sort_time for item in items],
        )

    def _corroborations(
        self, texts: Sequence[str], official: Sequence[bool], times: Sequence[datetime | None]
    ) -> list[Corroboration | None]:
        """``OfficialStatements.match`` of the texts that are not themselves official (those get None)."""
        return self._official.match(
            ["" if off else text for text, off in zip(texts, official, strict=True)],
            times,
            min_similarity=self.flag_rules.corroboration_min_similarity,
        )

    @property
    def official_statements(self) -> int:
        """How many official sentences (and sentence pairs) are held for corroboration."""
        return len(self._official)

    # -- enrichment --------------------------------------------------------------------------------
    def enrich(self, items: Sequence[Item]) -> list[Item]:
        """Enriched copies of ``items`` (topics, places, flags, language, segmented); no side effects."""
        texts = [join_title(item.title, item.text) for item in items]
        title_chars = [len(normalize(item.title)) if item.title else 0 for item in items]
        official = [item.kind == SourceKind.official for item in items]
        # Collected items are about the province: they come from its own sources or were kept by the
        # relevance filter, so ambiguous place names in them count (analyze makes no such assumption).
        corroborations = self._corroborations(texts, official, [item.sort_time for item in items])
        analyses = self._analyse(texts, title_chars, official, province_context=True, corroborations=corroborations)
        out = []
        for item, text, analysis in zip(items, texts, analyses, strict=True):
            update: dict[str, Any] = {
                "language": analysis.language,
                "topics": analysis.topics,
                "places": analysis.places,
                "flags": analysis.flags,
                "segmented": self.segmenter.segment(text) if text else "",
            }
            out.append(item.model_copy(update=update))
        return out

    def analyze(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """One `mediawatch analyze` output object for one input record (docs/analyze.md).

        Raises ``InputError`` for a record that breaks the input contract (no usable id, wrong types).
        """
        return self.analyze_many([record])[0]

    def analyze_many(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``analyze`` for a batch (classifiers run once per batch); raises on the first bad record."""
        parsed = [parse_record(r) for r in records]
        texts = [join_title(title, text) for _id, title, text, _off in parsed]
        title_chars = [len(normalize(title)) if title else 0 for _id, title, _text, _off in parsed]
        official = [off for *_rest, off in parsed]
        # Records carry no time: every statement held is compared (the pipeline's window still applies to
        # what is held: the stored official items of the last 72 hours).
        corroborations = self._corroborations(texts, official, [None] * len(texts))
        analyses = self._analyse(texts, title_chars, official, corroborations=corroborations)
        return [
            {
                "id": record_id,
                "language": a.language,
                "topics": a.topics,
                "places": [
                    {"mention": p.mention, "district": p.district, "name": p.name, "type": p.place_type}
                    for p in a.places
                ],
                "flags": [{"kind": str(f.kind), "score": f.score, "reasons": list(f.reasons)} for f in a.flags],
            }
            for (record_id, *_rest), a in zip(parsed, analyses, strict=True)
        ]

    def _analyse(
        self,
        texts: list[str],
        title_chars: list[int],
        official: list[bool],
        *,
        province_context: bool = False,
        corroborations: Sequence[Corroboration | None] | None = None,
    ) -> list[Analysis]:
        folded = [FoldedText.of(t) for t in texts]
        languages = [detect_language(t) for t in texts]
        batch = BatchScores(self.models, texts, self._batch_explainer) if self.models is not None and texts else None
        probabilities = self._probabilities(batch, languages)
        claim_matches: list[ClaimMatch | None] = self._claims.match(
            texts, min_similarity=self.flag_rules.claim_min_similarity, folded=[f.folded for f in folded]
        )
        out = []
        for i, text in enumerate(texts):
            places = self.gazetteer.find(
                text, title_chars=title_chars[i], folded=folded[i], province_context=province_context
            )
            rule_scores = self.topic_rules.scores(folded[i].folded)
            topic_proba, topic_thresholds = probabilities[i]["topics"] if probabilities else ({}, {})
            topics = self.topic_rules.decide(rule_scores, topic_proba, topic_thresholds)
            hits = self.cues.find(folded[i])
            flag_proba = {k: v[0] for k, v in probabilities[i].items() if k in FLAG_KINDS} if probabilities else {}
            raw_proba = {k: v[2] for k, v in probabilities[i].items() if k in FLAG_KINDS} if probabilities else {}
            flags = score_flags(
                self.flag_rules,
                hits=hits,
                claim=claim_matches[i],
                proba=flag_proba,
                official=official[i],
                explain=self._explainer(batch, i),
                shown_proba=raw_proba,
                corroboration=corroborations[i] if corroborations is not None else None,
            )
            out.append(Analysis(languages[i], topics, places, flags))
        return out

    def _probabilities(self, batch: BatchScores | None, languages: list[str]) -> list[dict[str, Any]] | None:
        """Per text: {"topics": (proba by label, thresholds), kind: (rescaled p, label, p)}; None without models.

        Classifiers are trained on Vietnamese: for other languages their output is not used.
        """
        if self.models is None or batch is None:
            return None
        raw = batch.proba
        topics_clf = self.models.get("topics")
        topic_thresholds = {lab: topics_clf.thresholds.get(lab, self.topic_threshold) for lab in topics_clf.labels}
        out: list[dict[str, Any]] = []
        for i, language in enumerate(languages):
            row: dict[str, Any] = {}
            use = language == "vi"
            topic_row = raw["topics"][i] if use else np.zeros(len(topics_clf.labels))
            row["topics"] = ({lab: float(topic_row[j]) for j, lab in enumerate(topics_clf.labels)}, topic_thresholds)
            for kind in FLAG_KINDS:
                clf = self.models.get(kind)
                label = _positive_label(clf, kind)
                p = float(raw[kind][i, clf.labels.index(label)]) if use else 0.0
                rescaled = _rescale(p, clf.threshold(label), self.flag_rules.kinds[kind].threshold)
                row[kind] = (rescaled, label, p)
            out.append(row)
        return out

    def _explainer(self, batch: BatchScores | None, index: int) -> Callable[[str], list[str]]:
        """``TextClassifier.explain`` of text ``index`` of the batch, from the batch's hashed counts."""

        def explain(kind: str) -> list[str]:
            if self.models is None or batch is None:
                return []
            clf = self.models.get(kind)
            return batch.explain(clf, _positive_label(clf, kind), index, k=5)

        return explain


def _positive_label(clf: TextClassifier, kind: str) -> str:
    """The label of ``clf`` that means ``kind`` (binary models: the second label)."""
    if kind in clf.labels:
        return kind
    if clf.mode == "binary":
        return clf.labels[1]
    for label in clf.labels:
        if kind.split("_")[0] in label:
            return label
    return clf.labels[-1]


def parse_record(record: Mapping[str, Any]) -> tuple[str, str, str, bool]:
    """(id, title, text, official) of an analyze input record; ``InputError`` when unusable."""
    if not isinstance(record, Mapping):
        raise InputError("a line must be a JSON object")
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int) or str(record_id).strip() == "":
        raise InputError('missing or invalid "id" (a non-empty string or an integer)')
    record_id = str(record_id)
    if len(record_id) > MAX_ID_CHARS:
        raise InputError(f'"id" longer than {MAX_ID_CHARS} characters')
    text = record.get("text")
    title = record.get("title")
    if text is None:
        text = ""
    if title is None:
        title = ""
    if not isinstance(text, str):
        raise InputError('"text" must be a string')
    if not isinstance(title, str):
        raise InputError('"title" must be a string')
    kind = record.get("kind")
    return record_id, title, text, kind == SourceKind.official.value
