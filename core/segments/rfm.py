"""RFM scores: each customer's recency, frequency and monetary on a 1…N scale, higher is better."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Axis → the feature it scores and whether a larger value is better.
AXES = {"r": ("recency", False), "f": ("frequency", True), "m": ("monetary", True)}
BINS = (3, 4, 5)


@dataclass
class AxisCuts:
    """How one axis was scored: the cut points (in days, orders or money) and what came out.

    Recency cuts are upper bounds ("within N days" scores above), frequency and monetary cuts are
    lower bounds ("more than N" scores above).
    """

    axis: str
    method: str  # "quantile" or "custom"
    cuts: list[float]
    bins: int
    distinct_scores: int
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"method": self.method, "cuts": [round(c, 4) for c in self.cuts], "bins": self.bins,
                "distinct_scores": self.distinct_scores}


def score_axis(values: pd.Series, bins: int, higher_is_better: bool,
               cuts: list[float] | None = None, axis: str = "") -> tuple[np.ndarray, AxisCuts]:
    """Scores 1…bins. Equal values always get the same score (no rank tie-breaking by file order).

    Quantile cut points sit at 1/bins, 2/bins, … of the values; when many customers share a value
    (most buy once) several cut points coincide, some scores stay empty, and a note says so.
    """
    data = values.to_numpy(dtype=float)
    method = "custom" if cuts is not None else "quantile"
    if cuts is None:
        # inverted_cdf keeps the cut points on values customers really have ("more than 2 orders").
        cuts = [float(np.quantile(data, k / bins, method="inverted_cdf")) for k in range(1, bins)
                ] if len(data) else []
    else:
        cuts = sorted(float(c) for c in cuts)
        bins = len(cuts) + 1
    edges = np.asarray(cuts)
    if higher_is_better:
        scores = 1 + np.searchsorted(edges, data, side="left")  # cuts strictly below the value
    else:
        scores = 1 + (len(edges) - np.searchsorted(edges, data, side="left"))  # cuts ≥ the value
    scores = scores.astype(np.int8)
    distinct = int(len(np.unique(scores)))
    info = AxisCuts(axis, method, cuts, bins, distinct)
    if len(data) and distinct < bins and method == "quantile":
        common = pd.Series(data).value_counts(normalize=True)
        info.notes.append(("segments.fewer_scores", {
            "axis": axis, "used": distinct, "bins": bins,
            "share": f"{common.iloc[0]:.0%}", "value": f"{common.index[0]:g}"}))
    elif len(data) and distinct < bins:
        info.notes.append(("segments.fewer_scores_custom", {"axis": axis, "used": distinct, "bins": bins}))
    return scores, info


def rfm_scores(features: pd.DataFrame, bins: int = 5,
               custom: dict[str, list[float]] | None = None) -> tuple[pd.DataFrame, dict[str, AxisCuts]]:
    """R, F and M scores of every customer, and the cut points used per axis."""
    if bins not in BINS:
        raise ValueError(f"bins must be one of {BINS}, got {bins!r}")
    scores, cuts = {}, {}
    for axis, (column, higher) in AXES.items():
        scores[axis], cuts[axis] = score_axis(features[column], bins, higher,
                                              (custom or {}).get(axis), axis)
    return pd.DataFrame(scores, index=features.index), cuts


def to_five(scores: np.ndarray, bins: int) -> np.ndarray:
    """Scores on a 1…bins scale placed on the 1…5 scale the segment maps are drawn on."""
    if bins == 5:
        return scores
    return (1 + np.floor((scores - 1) * 4 / (bins - 1) + 0.5)).astype(np.int8)
