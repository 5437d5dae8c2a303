"""Campaigns (core/campaigns.py, `main.py campaign …`): the stratified control draw, the file and
its failures, and the measurement — a planted uplift is recovered, and with no effect the 95 %
interval holds zero in about 95 % of seeded repetitions."""
import datetime as dt
import json
import os
import time

import numpy as np
import pandas as pd
import pytest

from core import campaigns as C
from core.cli import main
from core.i18n import set_language
from core.model import OrderBook, empty_lines, empty_orders
from core.segments import segment

START = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def own_folder(tmp_path, monkeypatch):
    """Every test its own config folder: no campaign leaks into another test (or the report's)."""
    monkeypatch.setenv("SEGMENTDESK_CONFIG_DIR", str(tmp_path / "config"))
    yield
    set_language("en")


# --- a constructed shop ---------------------------------------------------------------------------

def book_of(frame: pd.DataFrame) -> OrderBook:
    """An OrderBook from columns order_id, customer_key, placed_at, order_total (paid, USD)."""
    o = frame.assign(platform="Shopify", status=frame.get("status", "paid"), currency=frame.get("currency", "USD"),
                     refunded=0.0, placed_at=pd.to_datetime(frame["placed_at"], utc=True))
    o = pd.concat([empty_orders(), o], ignore_index=True)[empty_orders().columns]
    return OrderBook(orders=o, lines=empty_lines())


def history(n: int, seed: int = 1) -> pd.DataFrame:
    """n customers with 1–3 paid orders in the year before START, spend log-normal."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 4, n)
    who = np.repeat(np.arange(n), counts)
    days = rng.integers(0, 360, len(who))
    return pd.DataFrame({"order_id": [f"h{i}" for i in range(len(who))],
                         "customer_key": [f"c{i}@shop.test" for i in who],
                         "placed_at": pd.Timestamp(START) - pd.Timedelta(days=365) + pd.to_timedelta(days, "D"),
                         "order_total": rng.lognormal(3.5, 0.6, len(who)).round(2)})


def later_orders(campaign: C.Campaign, p: dict, days: int = 30, seed: int = 2, spend=(3.5, 0.6)) -> pd.DataFrame:
    """One order in the `days` after the start for each member who buys: probability p[group]."""
    rng = np.random.default_rng(seed)
    m = campaign.members
    buys = rng.random(len(m)) < m["group"].map(p).to_numpy()
    keys = m.index[buys]
    return pd.DataFrame({"order_id": [f"l{i}" for i in range(len(keys))], "customer_key": keys,
                         "placed_at": pd.Timestamp(START) + pd.to_timedelta(rng.integers(0, days, len(keys)), "D"),
                         "order_total": rng.lognormal(*spend, len(keys)).round(2)})


@pytest.fixture(scope="module")
def shop():
    frame = history(3000)
    book = book_of(frame)
    return frame, book, segment(book, "value")


def plan(seg, share=0.1, seed=7, segments=None, name="Spring"):
    return C.new_campaign(seg, segments or list(seg.labels), name, START, control_share=share, seed=seed)


# --- the control draw -----------------------------------------------------------------------------

def test_control_draw_is_stratified_seeded_and_never_everyone():
    strata = np.array(["high"] * 200 + ["medium"] * 300 + ["low"] * 500)
    control = C.draw_control(strata, 0.1, np.random.default_rng(5))
    assert control.sum() == 100
    assert [int(control[strata == s].sum()) for s in ("high", "medium", "low")] == [20, 30, 50]
    again = C.draw_control(strata, 0.1, np.random.default_rng(5))
    assert (again == control).all()
    assert (C.draw_control(strata, 0.1, np.random.default_rng(6)) != control).any()
    assert C.draw_control(strata, 0.0, np.random.default_rng(5)).sum() == 0
    assert C.draw_control(np.array(["a", "b"]), 0.1, np.random.default_rng(1)).sum() == 1  # one, not none
    assert C.draw_control(np.array(["a"]), 0.5, np.random.default_rng(1)).sum() == 0  # never all
    uneven = C.draw_control(np.array(["a"] * 7 + ["b"] * 3), 0.25, np.random.default_rng(2))
    assert uneven.sum() == 2  # round(2.5) = 2, shared by largest remainder


def test_campaign_members_groups_and_balance(shop):
    _frame, _book, seg = shop
    campaign = plan(seg, segments=["high", "medium"])
    members = seg.customers[seg.customers["segment"].isin(["high", "medium"])]
    assert set(campaign.members.index) == set(members.index)
    assert campaign.size("control") == round(len(members) * 0.1)
    b = C.balance(campaign)
    for tier in ("high", "medium"):  # each tier gives a tenth of itself
        total = b["campaign"]["tiers"][tier] + b["control"]["tiers"][tier]
        assert abs(b["control"]["tiers"][tier] - total * 0.1) <= 1
    assert b["campaign"]["customers"] + b["control"]["customers"] == len(members)
    # The groups look alike: median spend within 15 % of each other.
    assert b["control"]["median_monetary"] == pytest.approx(b["campaign"]["median_monetary"], rel=0.15)
    same = plan(seg, segments=["high", "medium"])
    assert (same.members["group"] == campaign.members["group"]).all()  # the seed makes the draw again


def test_bad_plans_are_refused_in_words(shop):
    _frame, _book, seg = shop
    with pytest.raises(C.CampaignError, match="name"):
        C.new_campaign(seg, ["high"], "  ", START)
    with pytest.raises(C.CampaignError, match="nobody"):
        C.new_campaign(seg, ["no_such_segment"], "X", START)
    with pytest.raises(ValueError, match="control share"):
        C.new_campaign(seg, ["high"], "X", START, control_share=1.0)


# --- statistics -----------------------------------------------------------------------------------

def test_newcombe_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 − 48/80, method 10.
    d, low, high = C.newcombe_difference(56, 70, 48, 80)
    assert float(d) == pytest.approx(0.2)
    assert (round(float(low), 4), round(float(high), 4)) == (0.0524, 0.3339)


def test_welch_matches_scipy():
    # scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95) on these samples
    # (written down: importing scipy.stats costs seconds).
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(3, 1, 80), rng.lognormal(3.2, 0.5, 25)
    d, low, high = C.welch_difference(a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b))
    assert (float(low), float(high)) == pytest.approx((-8.68592263426893, 22.086695301117178))
    assert float(d) == pytest.approx(a.mean() - b.mean())
    same = C.welch_difference(0.0, 0.0, 10, 0.0, 0.0, 10)  # nobody bought: no spread, no interval width
    assert [float(x) for x in same] == [0.0, 0.0, 0.0]


def test_intervals_hold_zero_in_about_95_percent_of_repetitions_without_an_effect():
    """400 seeded repetitions of a small campaign (150 members, 20 % control, stratified by three
    tiers), everyone buying again with the same probability: the repeat-purchase interval holds
    0 in about 95 % of them, and so does the money interval. Vectorised: a fraction of a second."""
    reps, n, share = 400, 150, 0.2
    strata = np.array(["high"] * 30 + ["medium"] * 45 + ["low"] * 75)
    p_buy = np.where(strata == "high", 0.35, np.where(strata == "medium", 0.25, 0.15))  # tiers differ
    rng = np.random.default_rng(2024)
    control = np.array([C.draw_control(strata, share, np.random.default_rng(seed)) for seed in range(reps)])
    bought = rng.random((reps, n)) < p_buy
    spend = np.where(bought, rng.lognormal(3.5, 0.5, (reps, n)), 0.0)
    n_c, n_t = control.sum(1), (~control).sum(1)
    d, low, high = C.newcombe_difference((bought & ~control).sum(1), n_t, (bought & control).sum(1), n_c)
    coverage = float(((low <= 0) & (high >= 0)).mean())
    assert 0.93 <= coverage <= 0.975, coverage

    def mean_var(mask):
        x = np.where(mask, spend, np.nan)
        return np.nanmean(x, 1), np.nanvar(x, 1, ddof=1)

    (mt, vt), (mc, vc) = mean_var(~control), mean_var(control)
    _d, low, high = C.welch_difference(mt, vt, n_t, mc, vc, n_c)
    money = float(((low <= 0) & (high >= 0)).mean())
    assert 0.92 <= money <= 0.98, money


def test_more_days_grows_as_the_square_of_the_missing_evidence():
    u = C.Uplift(0.05, -0.01, 0.11, "newcombe")  # z = 0.05 / (0.12 / 3.92) ≈ 1.63
    assert C.more_days(u, 10) == 5  # 10 × (1.96 / 1.63)² ≈ 14.4 days in all
    assert C.more_days(C.Uplift(0.0, -0.05, 0.05, "newcombe"), 10) is None  # no sign of a difference
    assert C.more_days(C.Uplift(0.001, -0.1, 0.1, "newcombe"), 10) is None  # over a year


# --- results --------------------------------------------------------------------------------------

def test_a_planted_uplift_is_recovered(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.3, seed=11)
    planted = 0.30 - 0.18
    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.30, "control": 0.18})]))
    res = C.campaign_results(campaign, later, 30)
    u = res.uplift["repeat_share"]
    assert u.low < planted < u.high and u.low > 0, u
    assert res.status == "worth_it"
    mean_spend = float(np.exp(3.5 + 0.6 ** 2 / 2))
    money = res.uplift["net_per_customer"]
    assert money.low < planted * mean_spend < money.high, money
    text = C.verdict(res, "en")
    assert text.startswith("Worth it: +") and "points of repeat purchase, interval +" in text
    assert C.verdict(res, "zh_CN").startswith("值得：复购率提升 +")
    g = res.groups["campaign"]
    assert g.customers == campaign.size("campaign") and g.absent == 0 and g.orders == g.buyers
    assert len(res.daily) == 30 and res.daily["campaign_share"].iloc[-1] == pytest.approx(g.repeat_share)
    assert res.daily["control_share"].is_monotonic_increasing
    data = C.results_json(res, "en")
    assert {"campaign", "name", "start", "end", "window_days", "covered_days", "data_first", "data_last", "currency",
            "status", "more_days", "groups", "uplift", "interval", "verdict", "notes", "daily", "migration",
            "changed_segment"} <= set(data)
    assert data["uplift"]["repeat_share"]["method"] == "newcombe"
    assert data["migration"] and sum(r["campaign"] + r["control"] for r in data["migration"]) == len(campaign.members)
    assert data["changed_segment"]["campaign"]["changed"] > 0  # new orders moved some up a value tier
    json.dumps(data)  # plain JSON, no NaN objects


def test_harm_too_early_and_not_yet(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.3, seed=3)
    worse = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.10, "control": 0.25})]))
    assert C.campaign_results(campaign, worse, 30, migration=False).status == "harm"
    small = plan(seg, share=0.1, seed=3, segments=["high"])  # 600 customers, 60 held back
    slight = book_of(pd.concat([frame, later_orders(small, {"campaign": 0.22, "control": 0.18}, days=10)]))
    res = C.campaign_results(small, slight, 30, migration=False)
    assert res.status == "too_early" and res.covered_days == 10
    text = C.verdict(res, "en")
    assert text.startswith("Too early to say: the interval") and "Counted over 10 of the 30 days" in text
    if res.more_days:
        assert f"about {res.more_days} more day" in text
    else:
        assert "same rate" in text
    none_yet = C.campaign_results(campaign, book_of(frame), 30)
    assert none_yet.status == "no_data" and none_yet.covered_days == 0
    assert "No orders from 2025-03-01 on" in C.verdict(none_yet, "en")


def test_without_a_control_group_it_says_what_it_cannot_tell(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.0, segments=["high"])
    assert campaign.size("control") == 0
    later = book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.3, "control": 0.0})]))
    res = C.campaign_results(campaign, later, 30, migration=False)
    assert res.status == "no_control" and res.uplift == {} and res.groups["control"] is None
    assert "without a control group there is no telling" in C.verdict(res, "en")
    assert "没有对照组" in C.verdict(res, "zh_CN")
    assert C.results_json(res)["groups"]["control"] is None


def test_customers_absent_from_the_later_data_are_counted_and_said(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.2, segments=["high"])
    gone = set(campaign.members.index[:50])
    later_frame = pd.concat([frame, later_orders(campaign, {"campaign": 0.3, "control": 0.3})])
    later_frame = later_frame[~later_frame["customer_key"].isin(gone)]
    res = C.campaign_results(campaign, book_of(later_frame), 30)
    absent = res.groups["campaign"].absent + res.groups["control"].absent
    assert absent == 50
    note = [C.note_text(n, "en") for n in res.notes if n[0] == "campaigns.note.absent"]
    assert note and "no order at all in the data" in note[0] and "counted as not buying again" in note[0]
    assert res.outcomes.loc[sorted(gone), "bought"].eq(False).all()
    changed = C.changed_segment(res)
    assert changed["campaign"]["not_segmented"] + changed["control"]["not_segmented"] == 50
    assert changed["campaign"]["segmented"] + changed["campaign"]["not_segmented"] == campaign.size("campaign")


def test_a_gap_and_other_currencies_are_said(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.2, segments=["high"])
    later = later_orders(campaign, {"campaign": 0.5, "control": 0.5})
    later["currency"] = np.where(np.arange(len(later)) % 10 == 0, "EUR", "USD")
    later = later[later["placed_at"] >= pd.Timestamp(START) + pd.Timedelta(days=3)]  # an export from day 3
    res = C.campaign_results(campaign, book_of(later), 30, migration=False)
    ids = [n[0] for n in res.notes]
    assert "campaigns.note.gap" in ids and "campaigns.note.other_currency" in ids
    assert res.groups["campaign"].orders > res.groups["campaign"].money_orders


def test_results_table_has_every_measure_and_the_verdict(shop):
    frame, _book, seg = shop
    campaign = plan(seg, share=0.3, seed=11)
    res = C.campaign_results(campaign, book_of(pd.concat([frame, later_orders(campaign, {"campaign": 0.3,
                                                                                        "control": 0.2})])), 30,
                             migration=False)
    table = C.results_table(res, "zh_CN")
    assert list(table.columns) == ["指标", "活动组", "对照组", "提升", "95% 区间下限", "95% 区间上限"]
    assert table.iloc[2, 0] == "再次购买比例" and table.iloc[2, 3] == pytest.approx(res.uplift["repeat_share"].estimate, abs=1e-6)
    assert table.iloc[9, 0].startswith("值得")


# --- the file -------------------------------------------------------------------------------------

def test_file_round_trip_readable_and_in_the_config_folder(shop):
    _frame, _book, seg = shop
    campaign = plan(seg, segments=["high"], name="春季 win-back!")
    path = C.save_campaign(campaign)
    assert path.parent == C.campaigns_dir() and path.name == "2025-03-01-春季-win-back.json"
    text = path.read_text("utf-8")
    data = json.loads(text)
    assert data["format"] == C.FORMAT and data["format_version"] == C.FORMAT_VERSION and data["seed"] == 7
    assert text.count("\n") > len(campaign.members)  # one member per line: readable in an editor
    again = C.load_campaign(path)
    pd.testing.assert_frame_equal(again.members, campaign.members, check_dtype=False)
    assert (again.name, again.start, again.segments, again.seed) == (campaign.name, START, ["high"], 7)
    second = C.save_campaign(plan(seg, segments=["high"], name="春季 win-back!"))
    assert second.name == "2025-03-01-春季-win-back-2.json"  # never over another campaign
    found, problems = C.list_campaigns()
    assert [c.path for c in found] == [path, second] or [c.path for c in found] == [second, path]
    assert problems == []
    assert C.find_campaign("2025-03-01-春季-win-back").path == path
    assert C.find_campaign("春季 WIN-BACK!").name == "春季 win-back!"
    with pytest.raises(C.CampaignError, match="No campaign called “nope”"):
        C.find_campaign("nope")
    C.delete_campaign(again)
    assert not path.exists()


def _broken(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize("edit, expected", [
    (lambda text: text[: len(text) // 2], "is not valid JSON (line"),
    (lambda text: "[1, 2, 3]", "is not a SegmentDesk campaign file"),
    (lambda text: text.replace('"format_version": 1', '"format_version": 2'),
     "was written by a newer SegmentDesk (campaign format 2; this version reads format 1 and older)"),
    (lambda text: text.replace('"group": "campaign"', '"group": "maybe"', 1),
     "].group” should be “campaign” or “control”, found maybe"),
    (lambda text: text.replace('"start": "2025-03-01"', '"start": "soon"'), "“start” should be a date YYYY-MM-DD"),
    (lambda text: text.replace('"seed": 7', '"seed": "seven"'), "“seed” should be a whole number from 0"),
    (lambda text: text.replace('"control_share": 0.1', '"control_share": 3'), "“control_share” should be between"),
])
def test_a_broken_file_gives_a_clear_message_and_is_left_alone(shop, edit, expected):
    _frame, _book, seg = shop
    path = C.save_campaign(plan(seg, segments=["high"]))
    broken = _broken(path.parent, "broken.json", edit(path.read_text("utf-8")))
    before = broken.read_bytes()
    with pytest.raises(C.CampaignError) as caught:
        C.load_campaign(broken)
    message = caught.value.problem.message()
    assert expected in message and "broken.json" in message
    assert broken.read_bytes() == before
    campaigns, problems = C.list_campaigns()  # the good one is still listed
    assert [c.path for c in campaigns] == [path] and len(problems) == 1
    assert caught.value.problem.message("zh_CN") != message  # and said in Chinese too


def test_a_missing_file_is_named():
    with pytest.raises(C.CampaignError) as caught:
        C.load_campaign(C.campaigns_dir() / "gone.json")
    assert "gone.json does not exist" in caught.value.problem.message()
    assert "不存在" in caught.value.problem.message("zh_CN")


def test_a_save_that_dies_midway_loses_nothing(shop, monkeypatch):
    _frame, _book, seg = shop
    campaign = plan(seg, segments=["high"])
    path = C.save_campaign(campaign)
    before = path.read_bytes()
    original = C.to_json_text

    def dies(c):
        text = original(c)
        raise KeyboardInterrupt  # as a kill during the write: the temporary file is half written

    campaign.name = "Renamed"
    monkeypatch.setattr(C, "to_json_text", dies)
    with pytest.raises(KeyboardInterrupt):
        C.save_campaign(campaign)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left
    # A temporary file a killed process left behind is never listed, and the next save removes it.
    stale = path.parent / f".{path.name}.dead.tmp"
    stale.write_text('{"half": ', encoding="utf-8")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert [c.path for c in C.list_campaigns()[0]] == [path] and C.list_campaigns()[1] == []
    monkeypatch.setattr(C, "to_json_text", original)
    C.save_campaign(campaign)
    assert not stale.exists() and C.load_campaign(path).name == "Renamed"


# --- the command line -----------------------------------------------------------------------------

def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as stop:
        status = stop.code
    finally:
        set_language("en")
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A plain transaction export of 400 customers before START."""
    folder = tmp_path_factory.mktemp("exports")
    frame = history(400, seed=4)
    rows = pd.DataFrame({"order_id": frame["order_id"], "customer_id": frame["customer_key"].str.split("@").str[0],
                         "email": frame["customer_key"], "order_date": frame["placed_at"].dt.strftime("%Y-%m-%d"),
                         "amount": frame["order_total"].map("{:.2f}".format)})
    rows.to_csv(folder / "before.csv", index=False)
    return folder, rows


def test_cli_new_list_show_results(capsys, exports, tmp_path):
    folder, rows = exports
    before = str(folder / "before.csv")
    out_list = tmp_path / "list.csv"
    status, out, err = run(capsys, "campaign", "new", before, "--map", "value", "--segment", "high",
                           "--name", "Spring", "--start", "2025-03-01", "--seed", "5", "-o", str(out_list), "--json")
    assert status == 0, err
    made = json.loads(out)
    assert {"id", "name", "path", "start", "map", "segments", "currency", "control_share", "seed", "members",
            "campaign_group", "control_group", "actions", "balance", "export"} <= set(made)
    assert made["seed"] == 5 and made["control_group"] == round(made["members"] * 0.1)
    assert made["actions"] and made["actions"][0]["mix"] == "goal"  # the segment's strategy by default
    listed = pd.read_csv(out_list, encoding="utf-8-sig")
    campaign = C.load_campaign(made["path"])
    assert len(listed) == made["campaign_group"] == made["export"]["rows"]
    assert set(listed.iloc[:, 0]).isdisjoint(set(campaign.keys("control")))  # the control group gets nothing

    status, out, _ = run(capsys, "campaign", "list", "--json")
    assert status == 0 and [c["id"] for c in json.loads(out)["campaigns"]] == [made["id"]]
    status, out, _ = run(capsys, "--lang", "zh_CN", "campaign", "show", "Spring")
    assert status == 0 and "开始时的两组" in out and "对照组" in out

    later = pd.concat([rows, pd.DataFrame({"order_id": ["n1", "n2"], "customer_id": ["c0", "c1"],
                                           "email": ["c0@shop.test", "c1@shop.test"],
                                           "order_date": ["2025-03-04", "2025-03-05"], "amount": ["20.00", "30.00"]})])
    later.to_csv(tmp_path / "after.csv", index=False)
    status, out, err = run(capsys, "campaign", "results", made["id"], str(tmp_path / "after.csv"), "--json",
                           "--window", "14")
    assert status == 0, err
    data = json.loads(out)
    assert data["window_days"] == 14 and data["covered_days"] == 5 and data["status"] in ("too_early", "too_few",
                                                                                          "worth_it", "harm")
    assert data["groups"]["campaign"]["customers"] == made["campaign_group"]
    status, out, _ = run(capsys, "campaign", "results", made["id"], str(tmp_path / "after.csv"))
    assert status == 0 and "Share who bought again" in out and "Counted over 5 of the 30 days" in out


def test_cli_refuses_in_words(capsys, exports):
    folder, _rows = exports
    status, _out, err = run(capsys, "campaign", "show", "nothing-here")
    assert status == 2 and "No campaign called “nothing-here”" in err
    status, _out, err = run(capsys, "campaign", "new", str(folder / "before.csv"), "--segment", "high",
                            "--name", "X", "--control", "1.5")
    assert status == 2 and "control share" in err
    status, _out, err = run(capsys, "campaign", "new", str(folder / "before.csv"), "--map", "value", "--segment",
                            "nobody", "--name", "X")
    assert status == 2 and "nobody" in err
    status, out, _ = run(capsys, "campaign", "list")
    assert status == 0 and "No campaigns in" in out
