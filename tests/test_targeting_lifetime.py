"""Churn risk and lifetime value reach the strategies: the per-segment facts match an independent
count over the fitted model, lapsed segments' texts name who to win back with those numbers in
English and 中文, and a shop with too little history gets no such text (and no crash)."""
import datetime as dt
import glob
from functools import cache

import numpy as np
import pandas as pd
import pytest

from core.clv import customer_lifetime
from core.importing import import_files
from core.segments import segment
from core.targeting.facts import segment_facts
from core.targeting.lifetime import horizon_weeks
from core.targeting.strategies import strategies
from core.targeting.texts import money
from core.trends import WINNABLE
from tests.conftest import DATA, ROOT


@cache
def demo(map_id: str = "rfm11"):
    book = import_files(sorted(glob.glob(str(ROOT / "resources" / "demo" / "*.csv"))))
    seg = segment(book, map_id)
    return book, seg, segment_facts(seg, book)


def test_lifetime_facts_match_an_independent_count():
    book, seg, facts = demo()
    orders = book.orders[(book.orders["status"] == "paid") & (book.orders["currency"] == seg.currency)
                         & book.orders["customer_key"].isin(seg.customers.index)]
    purchases = pd.DataFrame({"customer": orders["customer_key"], "date": orders["placed_at"],
                              "value": orders["order_total"] - orders["refunded"]})
    result = customer_lifetime(purchases, seg.analysis_date - dt.timedelta(days=1), horizon_weeks())
    assert result.trusted
    table = result.customers.join(seg.customers["segment"])
    for sid in seg.order:
        mine = table[table["segment"] == sid]
        winnable = mine[(mine["repeat_purchases"] > 0) & (mine["p_alive"] >= WINNABLE)]
        assert facts.loc[sid, "winnable_customers"] == len(winnable), sid
        assert facts.loc[sid, "winnable_value"] == pytest.approx(winnable["expected_value"].sum(), abs=0.01), sid
        assert facts.loc[sid, "expected_value"] == pytest.approx(mine["expected_value"].sum(), abs=0.01), sid
    assert facts["expected_value"].sum() == pytest.approx(result.customers["expected_value"].sum(), abs=0.1)
    assert (facts["clv_weeks"] == 26).all() and (facts["winnable_threshold"] == WINNABLE).all()


@pytest.mark.parametrize("lang, words", [("en", "Win back first the {n} of them"), ("zh_CN", "优先挽回其中 {n} 位")])
def test_lapsed_segments_name_who_to_win_back_with_the_sellers_numbers(lang, words):
    _, seg, facts = demo()
    plans = strategies(seg, facts, lang)
    for sid in ("at_risk", "cant_lose"):
        n = int(facts.loc[sid, "winnable_customers"])
        texts = [a.text for a in plans[sid].actions if a.mix == "promotion"]
        found = [text for text in texts if words.format(n=n) in text]
        assert len(found) == 1, (sid, texts)
        assert money(facts.loc[sid, "winnable_value"], seg.currency, lang) in found[0]
    # Active segments get no win-back sentence.
    assert not any("Win back first" in a.text or "优先挽回" in a.text for a in plans["champions"].actions)


def test_cn8_win_back_segments_get_it_too():
    _, seg, facts = demo("cn8")
    plans = strategies(seg, facts, "en")
    assert any("Win back first" in a.text for a in plans["important_win_back"].actions)


def test_too_little_history_leaves_the_facts_missing_and_the_text_out():
    book = import_files([DATA / "exports" / "generic_transactions_minimal" / "transactions.csv"])
    seg = segment(book, "value")
    facts = segment_facts(seg, book)
    assert facts["winnable_customers"].isna().all() and facts["expected_value"].isna().all()
    for lang in ("en", "zh_CN"):
        for plan in strategies(seg, facts, lang).values():
            assert not any("purchase model" in a.text or "购买模型" in a.text for a in plan.actions)


def test_facts_stay_fast_on_a_larger_book():
    """The models are fitted once per plan, on at most 20,000 customers."""
    from core.targeting.lifetime import FIT_ON, lifetime_facts

    book, seg, _ = demo()
    import time
    started = time.perf_counter()
    lifetime_facts(seg, book)
    assert time.perf_counter() - started < 5.0 and FIT_ON == 20_000
    assert np.isfinite(demo()[2]["expected_value"]).all()


def test_the_lifetime_models_are_fitted_once_per_currency_and_date_whatever_the_map(demo_book):
    """A plan re-runs on every edit; the map and its options do not change who the customers are,
    so the fit is kept per book, currency and analysis date (and equals a fresh fit)."""
    from core.targeting.lifetime import _fitted, customer_lifetime_table

    weeks = horizon_weeks()
    rfm, value = segment(demo_book, "rfm11"), segment(demo_book, "value", shares=(0.1, 0.3, 0.6))
    assert set(rfm.customers.index) == set(value.customers.index)
    first = customer_lifetime_table(rfm, demo_book, weeks)
    assert customer_lifetime_table(value, demo_book, weeks) is first
    pd.testing.assert_frame_equal(first.customers, _fitted(value, demo_book, weeks).customers)
    cny = segment(demo_book, "rfm11", currency="CNY")
    other = customer_lifetime_table(cny, demo_book, weeks)
    assert other is not first and set(other.customers.index) != set(first.customers.index)
