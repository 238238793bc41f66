"""Flags with scores and readable reasons: known claims + transparent cues + classifiers.

The formula and every weight and threshold are data (``nlp/flag_rules.yaml``, documented there).
Only flags at or above their kind's threshold are returned, each with at least one reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlp.claims import ClaimMatch, comma
from nlp.corroboration import Corroboration
from nlp.cues import CueHit
from records.errors import ConfigError
from records.schema import Flag, FlagKind

DEFAULT_RULES = Path(__file__).parent / "flag_rules.yaml"
FLAG_KINDS: tuple[str, ...] = tuple(k.value for k in FlagKind)


@dataclass(frozen=True)
class KindRule:
    threshold: float
    classifier_weight: float
    cue_weight: float
    dampen: tuple[str, ...]
    classifier_dampen: float = 0.0  # share of the dampening applied to the classifier's probability
    official_source_factor: float = 1.0  # the score of an item from an official source is multiplied by this
    requires: tuple[str, ...] = ()  # cue groups of which one must be present for the flag (none: no condition)
    official_corroboration: bool = False  # a post repeating a recent official statement is dampened


@dataclass(frozen=True)
class FlagRules:
    kinds: dict[str, KindRule]
    official_boost: float
    claim_min_similarity: float
    claim_full_similarity: float
    claim_min_score: float
    model_reason_min_probability: float
    corroboration_min_similarity: float = 0.55
    corroboration_weight: float = 0.0

    def claim_score(self, similarity: float) -> float:
        lo, hi = self.claim_min_similarity, self.claim_full_similarity
        if similarity < lo:
            return 0.0
        if similarity >= hi or hi <= lo:
            return 1.0
        return self.claim_min_score + (1.0 - self.claim_min_score) * (similarity - lo) / (hi - lo)


def _noisy_or(values: Sequence[float]) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - min(max(value, 0.0), 1.0)
    return 1.0 - remaining


def score_flags(
    rules: FlagRules,
    *,
    hits: Sequence[CueHit],
    claim: ClaimMatch | None,
    proba: Mapping[str, float],
    official: bool,
    explain: Callable[[str], list[str]] | None = None,
    shown_proba: Mapping[str, float] | None = None,
    corroboration: Corroboration | None = None,
) -> list[Flag]:
    """The flags at or above threshold, in FLAG_KINDS order, each with its reasons.

    ``proba`` is what enters the score (rescaled to the flag threshold); ``shown_proba`` is the
    model's own probability, shown in the reason (defaults to ``proba``). ``corroboration``: a recent
    official statement the text repeats; it dampens kinds with ``official_corroboration`` unless one of
    the kind's own cues is present or the text matches a known false claim (a hoax that quotes an official
    fact keeps its evidence).
    """
    dampers = {h.group.name: h for h in hits if h.group.kind == "dampen"}
    flags: list[Flag] = []
    for kind in FLAG_KINDS:
        rule = rules.kinds[kind]
        kind_hits = [h for h in hits if h.group.kind == kind]
        if rule.requires and not any(h.group.name in rule.requires for h in kind_hits):
            continue
        cues = _noisy_or([h.group.weight for h in kind_hits])
        claim_part = rules.claim_score(claim.similarity) if (claim is not None and kind == "misinformation") else 0.0
        evidence = _noisy_or([claim_part, rule.cue_weight * cues])
        active_dampers = [dampers[name] for name in rule.dampen if name in dampers]
        boost = rules.official_boost if official else 1.0
        damp_weights = [min(0.95, h.group.weight * boost) for h in active_dampers]
        damp_reasons = [h.reason for h in active_dampers]
        if corroboration is not None and rule.official_corroboration and not kind_hits and claim_part == 0:
            damp_weights.append(rules.corroboration_weight)
            damp_reasons.append(corroboration.reason)
        damp = _noisy_or(damp_weights)
        p = float(proba.get(kind, 0.0))
        model_part = rule.classifier_weight * p * (1.0 - rule.classifier_dampen * damp)
        score = _noisy_or([model_part, (1.0 - damp) * evidence])
        if official:
            score *= rule.official_source_factor
        score = round(min(max(score, 0.0), 1.0), 4)
        if score < rule.threshold:
            continue
        reasons: list[str] = []
        if claim_part > 0 and claim is not None:
            reasons.append(claim.reason)
        reasons.extend(h.reason for h in kind_hits)
        if p >= rules.model_reason_min_probability or not reasons:
            words = explain(kind) if explain is not None else []
            shown = (shown_proba or proba).get(kind, p)
            model = f"Mô hình: xác suất {comma(shown)}"
            reasons.append(model + (f"; các từ mạnh nhất: {', '.join(words)}" if words else ""))
        if damp_reasons and (evidence > 0 or (p > 0 and rule.classifier_dampen > 0)):
            reasons.append("Đã giảm điểm vì: " + "; ".join(damp_reasons))
        if official and rule.official_source_factor < 1.0:
            reasons.append("Nguồn chính thức: điểm đã được giảm")
        flags.append(Flag(kind=FlagKind(kind), score=score, reasons=reasons))
    return flags


def load_flag_rules(path: Path | None = None, *, config_dir: Path | None = None) -> FlagRules:
    """Flag rules from ``nlp/flag_rules.yaml``, overridden key by key by ``config_dir/flags.yaml`` if present."""
    path = path or DEFAULT_RULES
    data = _read(path)
    if config_dir is not None and (Path(config_dir) / "flags.yaml").is_file():
        data = _merge(data, _read(Path(config_dir) / "flags.yaml"))
    try:
        kinds = {}
        for kind in FLAG_KINDS:
            spec = data["kinds"][kind]
            threshold = float(spec["threshold"])
            if not 0.0 < threshold <= 1.0:
                raise ValueError(f"{kind}: threshold {threshold} outside (0, 1]")
            kinds[kind] = KindRule(threshold, float(spec["classifier_weight"]), float(spec["cue_weight"]),
                                   tuple(spec.get("dampen") or ()), float(spec.get("classifier_dampen", 0.0)),
                                   float(spec.get("official_source_factor", 1.0)), tuple(spec.get("requires") or ()),
                                   bool(spec.get("official_corroboration", False)))
        claims = data["claims"]
        corroboration = data.get("corroboration") or {}
        for key in ("min_similarity", "weight"):
            if not 0.0 <= float(corroboration.get(key, 0.0)) <= 1.0:
                raise ValueError(f"corroboration.{key} {corroboration[key]} outside [0, 1]")
        return FlagRules(
            kinds=kinds,
            official_boost=float(data["official_boost"]),
            claim_min_similarity=float(claims["min_similarity"]),
            claim_full_similarity=float(claims["full_similarity"]),
            claim_min_score=float(claims["min_score"]),
            model_reason_min_probability=float(data["model_reason_min_probability"]),
            corroboration_min_similarity=float(corroboration.get("min_similarity", 0.55)),
            corroboration_weight=float(corroboration.get("weight", 0.0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"malformed flag rules ({path}): {exc!r}") from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read flag rules {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
