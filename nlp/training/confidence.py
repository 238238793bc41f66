"""95 % bootstrap confidence intervals for the held-out figures (the sets have 100-800 rows, so a target a
point or two away from a measured figure is within the noise, and readers should see how much).

Percentile bootstrap over the set's rows: ``RESAMPLES`` resamples of the row indices with replacement, drawn
from a fixed seed, so a re-run gives the same interval. Every function takes per-row arrays and returns
``{metric: [low, high]}`` rounded to three decimals.
"""

from __future__ import annotations

import numpy as np

RESAMPLES = 2000
SEED = 20261127


def resamples(n: int, *, resamples: int = RESAMPLES, seed: int = SEED) -> np.ndarray:
    """``resamples`` x ``n`` row indices drawn with replacement (deterministic for a given ``n``)."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _interval(values: np.ndarray) -> list[float]:
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return [round(float(low), 3), round(float(high), 3)]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den per resample, NaN where the resample has no denominator (left out of the percentiles)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1), np.nan)


def binary_intervals(
    y: np.ndarray, flagged: np.ndarray, legitimate: np.ndarray | None = None
) -> dict[str, list[float]]:
    """Precision, recall and F1 of ``flagged`` against ``y`` (0/1 per row); with ``legitimate`` (a mask of
    the rows whose flagging is an error on legitimate content), ``legitimate_flagged_rate`` too."""
    y, flagged = np.asarray(y, dtype=bool), np.asarray(flagged, dtype=bool)
    if len(y) == 0:
        return {}
    idx = resamples(len(y))
    truth, pred = y[idx], flagged[idx]
    tp = (truth & pred).sum(axis=1)
    fp = (~truth & pred).sum(axis=1)
    fn = (truth & ~pred).sum(axis=1)
    out = {
        "precision": _interval(_ratio(tp, tp + fp)),
        "recall": _interval(_ratio(tp, tp + fn)),
        "f1": _interval(_ratio(2 * tp, 2 * tp + fp + fn)),
    }
    if legitimate is not None and np.asarray(legitimate).any():
        legit = np.asarray(legitimate, dtype=bool)[idx]
        out["legitimate_flagged_rate"] = _interval(_ratio((legit & pred).sum(axis=1), legit.sum(axis=1)))
    return out


def micro_f1_interval(y: np.ndarray, pred: np.ndarray) -> dict[str, list[float]]:
    """Micro-F1 of a multi-label decision (rows x labels, 0/1), resampling rows."""
    y, pred = np.asarray(y, dtype=bool), np.asarray(pred, dtype=bool)
    if len(y) == 0:
        return {}
    tp_row = (y & pred).sum(axis=1)
    fp_row = (~y & pred).sum(axis=1)
    fn_row = (y & ~pred).sum(axis=1)
    idx = resamples(len(y))
    tp, fp, fn = tp_row[idx].sum(axis=1), fp_row[idx].sum(axis=1), fn_row[idx].sum(axis=1)
    return {"micro_f1": _interval(_ratio(2 * tp, 2 * tp + fp + fn))}


def pooled_ratio_interval(name: str, numerator: np.ndarray, denominator: np.ndarray) -> dict[str, list[float]]:
    """``sum(numerator) / sum(denominator)`` over resampled rows (e.g. districts found / districts expected)."""
    numerator, denominator = np.asarray(numerator), np.asarray(denominator)
    if len(numerator) == 0:
        return {}
    idx = resamples(len(numerator))
    return {name: _interval(_ratio(numerator[idx].sum(axis=1), denominator[idx].sum(axis=1)))}
