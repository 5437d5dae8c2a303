"""Named segment maps (resources/segments/*.toml): which scores make which segment, in two languages."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import pandas as pd

from core.resources import RESOURCES
from core.segments.rfm import to_five

MAP_DIR = RESOURCES / "segments"
MAP_IDS = ("rfm11", "rfgrid", "cn8", "value")
HIGH_LOW_AXES = ("r", "f", "m")


@dataclass(frozen=True)
class SegmentLabel:
    """A segment's id, names and one-line descriptions in English and 简体中文."""

    id: str
    name: str
    name_zh: str
    description: str
    description_zh: str

    def text(self, lang: str) -> tuple[str, str]:
        return (self.name_zh, self.description_zh) if lang.startswith("zh") else (self.name, self.description)


@dataclass(frozen=True)
class SegmentMap:
    """A segment map as its data file states it."""

    id: str
    name: str
    name_zh: str
    kind: str  # "grid" (score cells), "high_low" (above/below the mean) or "tiers" (value shares)
    labels: dict[str, SegmentLabel]
    order: tuple[str, ...]
    min_customers: int = 1
    smaller: str | None = None
    rows: str = "r"
    columns: str = "f"
    grid: tuple[tuple[str, ...], ...] = ()
    cells: dict[str, str] = field(default_factory=dict)
    shares: tuple[float, ...] = ()

    def cell_segments(self) -> dict[str, str]:
        """Every possible cell of the map → its segment (the partition the tests check)."""
        if self.kind == "grid":
            return {f"{5 - i}{j + 1}": seg for i, row in enumerate(self.grid) for j, seg in enumerate(row)}
        if self.kind == "high_low":
            return dict(self.cells)
        return {seg: seg for seg in self.order}


@cache
def load_map(map_id: str) -> SegmentMap:
    if map_id not in MAP_IDS:
        raise ValueError(f"map must be one of {', '.join(MAP_IDS)}, got {map_id!r}")
    with (MAP_DIR / f"{map_id}.toml").open("rb") as f:
        data = tomllib.load(f)
    shares = tuple(data.get("shares", ()))
    return SegmentMap(
        id=data["id"], name=data["name"], name_zh=data["name_zh"], kind=data["kind"],
        labels=_labels(data["segments"], tuple(data["order"]), shares), order=tuple(data["order"]), min_customers=data.get("min_customers", 1),
        smaller=data.get("smaller"), rows=data.get("rows", "r"), columns=data.get("columns", "f"),
        grid=tuple(tuple(row) for row in data.get("grid", ())), cells=dict(data.get("cells", {})),
        shares=shares)


def _labels(specs: dict, order: tuple[str, ...], shares: tuple[float, ...]) -> dict[str, SegmentLabel]:
    """Labels from the map file; value-tier descriptions get the tier's share filled in."""
    labels = {}
    for seg, spec in specs.items():
        fill = {"share": f"{shares[order.index(seg)] * 100:g}"} if shares else {}
        labels[seg] = SegmentLabel(seg, spec["name"], spec["name_zh"],
                                   spec["description"].format(**fill), spec["description_zh"].format(**fill))
    return labels


def with_shares(segment_map: SegmentMap, shares: tuple[float, ...]) -> SegmentMap:
    """The value-tier map with the seller's own shares (its descriptions say them)."""
    with (MAP_DIR / f"{segment_map.id}.toml").open("rb") as f:
        specs = tomllib.load(f)["segments"]
    return replace(segment_map, shares=tuple(shares), labels=_labels(specs, segment_map.order, shares))


def assign(segment_map: SegmentMap, features: pd.DataFrame, scores: pd.DataFrame, bins: int | dict,
           high_low: dict[str, float] | None = None, shares: tuple[float, ...] | None = None) -> pd.Series:
    """The segment id of every customer under `segment_map`."""
    if segment_map.kind == "grid":
        # Own thresholds give an axis its own number of scores: place each axis on 1…5 by its own.
        per_axis = bins if isinstance(bins, dict) else dict.fromkeys(("r", "f", "m"), bins)
        five = {axis: to_five(scores[axis].to_numpy(), per_axis[axis]) for axis in ("r", "f", "m")}
        five["fm"] = (five["f"].astype(int) + five["m"] + 1) // 2  # mean of F and M, half up
        grid = np.array(segment_map.grid, dtype=object)
        return pd.Series(grid[5 - five[segment_map.rows], five[segment_map.columns] - 1],
                         index=features.index, dtype="str")
    if segment_map.kind == "high_low":
        limits = high_low_limits(features, high_low)
        high = {"r": features["recency"] <= limits["r"], "f": features["frequency"] > limits["f"],
                "m": features["monetary"] > limits["m"]}
        code = pd.Series("", index=features.index)
        for axis in HIGH_LOW_AXES:
            code = code + np.where(high[axis], "H", "L")
        return code.map(segment_map.cells).astype("str")
    return value_tiers(features["monetary"], shares or segment_map.shares, segment_map.order)


def high_low_limits(features: pd.DataFrame, given: dict[str, float] | None = None) -> dict[str, float]:
    """The high/low split per axis: the seller's threshold, else the mean of all customers.
    High recency = bought at most that many days ago; high F and M = above the limit."""
    means = {"r": features["recency"].mean(), "f": features["frequency"].mean(),
             "m": features["monetary"].mean()}
    return {axis: float((given or {}).get(axis, means[axis])) for axis in HIGH_LOW_AXES}


def value_tiers(monetary: pd.Series, shares: tuple[float, ...], names: tuple[str, ...]) -> pd.Series:
    """Tiers by net sales rank: the first share of customers (largest spend first) is the first
    tier, and so on. Equal spend always shares a tier (its best rank decides)."""
    if abs(sum(shares) - 1) > 1e-9 or len(shares) != len(names):
        raise ValueError(f"value tier shares must be {len(names)} numbers adding up to 1, got {shares}")
    # Share of customers who spent strictly more: below 0.2 is the top 20 %, and so on.
    ahead = (monetary.rank(method="min", ascending=False).to_numpy() - 1) / max(len(monetary), 1)
    bounds = np.cumsum(shares)
    tier = np.searchsorted(bounds, ahead + 1e-12, side="right").clip(0, len(names) - 1)
    return pd.Series(np.array(names, dtype=object)[tier], index=monetary.index, dtype="str")
