"""Every segment map is a complete partition: each possible score cell names exactly one segment."""
import itertools

import numpy as np
import pandas as pd
import pytest

from core.segments.maps import MAP_IDS, assign, load_map
from core.segments.rfm import BINS


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_map_labels_are_complete_in_both_languages(map_id):
    segment_map = load_map(map_id)
    assert list(segment_map.labels) and set(segment_map.order) == set(segment_map.labels)
    for label in segment_map.labels.values():
        assert all([label.name, label.name_zh, label.description, label.description_zh])
        assert "{" not in label.description + label.description_zh
    assert "other" not in " ".join(segment_map.order).lower()


@pytest.mark.parametrize("map_id", [m for m in MAP_IDS if load_map(m).kind == "grid"])
def test_grid_maps_name_every_cell_once_and_use_every_segment(map_id):
    segment_map = load_map(map_id)
    cells = segment_map.cell_segments()
    assert sorted(cells) == [f"{r}{c}" for r in range(1, 6) for c in range(1, 6)]
    assert set(cells.values()) == set(segment_map.order)


def test_cn8_names_each_high_low_combination_once():
    cells = load_map("cn8").cell_segments()
    assert sorted(cells) == sorted("".join(p) for p in itertools.product("HL", repeat=3))
    assert len(set(cells.values())) == 8


@pytest.mark.parametrize("bins", BINS)
@pytest.mark.parametrize("map_id", [m for m in MAP_IDS if load_map(m).kind == "grid"])
def test_every_score_combination_gets_exactly_one_segment(map_id, bins):
    combos = list(itertools.product(range(1, bins + 1), repeat=3))
    scores = pd.DataFrame(combos, columns=["r", "f", "m"]).astype(np.int8)
    features = pd.DataFrame(index=scores.index)
    segments = assign(load_map(map_id), features, scores, bins)
    assert segments.notna().all() and segments.isin(load_map(map_id).order).all()
    if bins == 5:
        assert set(segments) == set(load_map(map_id).order)


def test_value_tier_shares_add_up_and_tie_customers_together():
    segment_map = load_map("value")
    assert sum(segment_map.shares) == pytest.approx(1.0)
    features = pd.DataFrame({"monetary": [100.0] * 4 + [1.0] * 6})
    tiers = assign(segment_map, features, pd.DataFrame(index=features.index), 5)
    assert tiers[:4].nunique() == 1 and tiers[4:].nunique() == 1
