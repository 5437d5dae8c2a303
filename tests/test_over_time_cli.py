"""The over-time commands (cohorts, migration, clv, forecast): their JSON contracts, the CDNOW
parameters through the whole import → CLI path, and the traps that must give a message, not a crash."""
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from core.cli import COMMANDS
from tests.conftest import ROOT, run_cli

run = run_cli  # (exit status, stdout, stderr) of main.py run in this process

DEMO = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))
CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"  # see SOURCES.md there
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee (2005), CDNOW, 39 weeks


def transactions(path, rows) -> str:
    """A plain transaction table, the layout that imports without a mapping file."""
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    """The CDNOW sample written as order_id, customer_id, order_date, amount (one order per record)."""
    if not CDNOW.exists():
        pytest.skip("tests/data/cdnow/CDNOW_sample.txt is missing")
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str}, names=["customer", "index", "date", "cds", "dollars"])
    rows = zip(range(1, len(raw) + 1), raw["customer"],
               pd.to_datetime(raw["date"].astype(str)).dt.strftime("%Y-%m-%d"), raw["dollars"].map("{:.2f}".format))
    return transactions(tmp_path_factory.mktemp("cdnow") / "cdnow.csv", rows), raw


def test_the_commands_are_registered():
    assert {"cohorts", "migration", "clv", "forecast", "trends"} <= set(COMMANDS)


def test_clv_from_a_transactions_csv_reproduces_the_published_cdnow_fit(capsys, cdnow_csv):
    path, raw = cdnow_csv
    status, out, err = run(capsys, "clv", path, "--calibration-end", "1997-09-30", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert {"model", "params", "log_likelihood", "customers", "gamma_gamma", "trusted", "summary",
            "win_back_first", "notes", "calibration", "horizon_weeks"} <= set(data)
    assert data["model"] == "bg_nbd+gamma_gamma" and data["trusted"] and data["notes"] == []
    assert data["customers"] == raw["customer"].nunique() == 2357 and data["repeat_customers"] == 946
    assert data["calibration"] == {"start": "1997-01-01", "end": "1997-09-30", "weeks": 38.857}
    assert set(data["params"]) == {"r", "alpha", "a", "b"}
    for name, value in PUBLISHED.items():  # two significant digits, as published (in fact three)
        assert float(f"{data['params'][name]:.2g}") == float(f"{value:.2g}"), name
        assert data["params"][name] == pytest.approx(value, rel=5e-3), name
    assert data["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)  # the paper's maximised LL
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():  # Fader & Hardie (2013)
        assert data["gamma_gamma"][name] == pytest.approx(value, rel=5e-3), name
    # The weeks after the calibration: within 15 % of the repeat purchases that really happened.
    holdout = data["holdout"]
    assert holdout["weeks"] == pytest.approx(39.0, abs=0.01)
    assert holdout["expected_purchases"] == pytest.approx(holdout["actual_purchases"], rel=0.15)
    later = raw[raw["date"] > 19970930].drop_duplicates(["customer", "date"])
    assert holdout["actual_purchases"] == len(later)


def test_clv_cli_gives_the_same_figures_as_core(capsys, cdnow_csv):
    """The import path (CSV → orders → purchases) loses nothing: core on the raw file agrees."""
    from core.clv import customer_lifetime

    path, raw = cdnow_csv
    purchases = pd.DataFrame({"customer": raw["customer"], "date": pd.to_datetime(raw["date"].astype(str)),
                              "value": raw["dollars"]})
    direct = customer_lifetime(purchases, dt.date(1997, 9, 30), 26.0)
    data = json.loads(run(capsys, "clv", path, "--calibration-end", "1997-09-30", "--json")[1])
    for name in PUBLISHED:
        assert data["params"][name] == pytest.approx(direct.bgnbd[name], rel=1e-5)  # JSON keeps 6 decimals
    assert data["summary"]["expected_value"] == pytest.approx(direct.customers["expected_value"].sum(), abs=0.01)


def test_clv_summary_and_win_back_add_up(capsys, cdnow_csv, tmp_path):
    path, _ = cdnow_csv
    out_csv = tmp_path / "clv.csv"
    status, out, err = run(capsys, "clv", path, "--calibration-end", "1997-09-30", "--csv", str(out_csv), "--json")
    assert status == 0, err
    data, table = json.loads(out), pd.read_csv(out_csv, encoding="utf-8-sig")
    assert len(table) == data["customers"] and table["customer_key"].is_unique
    assert table["expected_value"].sum() == pytest.approx(data["summary"]["expected_value"], abs=0.5)
    assert np.allclose(table["expected_value"], table["expected_purchases"] * table["expected_spend"], rtol=1e-3, atol=0.02)
    winnable = table[(table["repeat_purchases"] > 0) & (table["p_alive"] >= data["summary"]["winnable_threshold"])]
    assert data["summary"]["winnable_customers"] == len(winnable)
    assert data["summary"]["winnable_value"] == pytest.approx(winnable["expected_value"].sum(), abs=0.5)
    first = data["win_back_first"]
    priority = [(1 - c["p_alive"]) * c["net_sales"] for c in first]
    assert len(first) == 20 and priority == sorted(priority, reverse=True)
    assert all(c["p_alive"] >= 0.1 for c in first)


def test_clv_text_in_both_languages(capsys, cdnow_csv):
    path, _ = cdnow_csv
    status, english, _ = run(capsys, "clv", path, "--calibration-end", "1997-09-30")
    assert status == 0 and "r 0.243, alpha 4.414, a 0.793, b 2.426" in english and "Win back first" in english
    status, chinese, _ = run(capsys, "--lang", "zh", "clv", path, "--calibration-end", "1997-09-30")
    assert status == 0 and "购买模型：r 0.243" in chinese and "优先挽回" in chinese


def test_one_time_buyers_only_fall_back_and_say_so(capsys, tmp_path):
    start = dt.date(2025, 1, 1)
    rows = [(i, f"c{i}", (start + dt.timedelta(days=i * 2)).isoformat(), 20 + i % 7) for i in range(1, 81)]
    status, out, err = run(capsys, "clv", transactions(tmp_path / "once.csv", rows), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["model"] == "simple_rate" and not data["trusted"] and data["repeat_customers"] == 0
    assert data["params"] == {"r": None, "alpha": None, "a": None, "b": None} and data["log_likelihood"] is None
    assert "80 customers, 0 of them bought again" in data["notes"][0]
    assert data["summary"]["expected_value"] > 0 and data["win_back_first"] == []


def test_zero_and_negative_spend_after_refunds_never_predict_negative_value(capsys, cdnow_csv, tmp_path):
    """Refund rows written as negative amounts: a repeat day worth 0 after refunds is left out of the
    spend model (with a note); a customer whose money was all refunded is worth 0, not less."""
    _, raw = cdnow_csv
    rows = list(zip(range(1, len(raw) + 1), raw["customer"],
                    pd.to_datetime(raw["date"].astype(str)).dt.strftime("%Y-%m-%d"), raw["dollars"]))
    repeat = raw.duplicated("customer") & (raw.index % 5 == 0) & (raw["date"] <= 19970930)
    refunds = [(len(rows) + i + 1, c, d, -v) for i, (_, c, d, v) in enumerate(r for r, keep in zip(rows, repeat) if keep)]
    status, out, err = run(capsys, "clv", transactions(tmp_path / "refunds.csv", rows + refunds),
                           "--calibration-end", "1997-09-30", "--json", "--csv", str(tmp_path / "c.csv"))
    assert status == 0, err
    data = json.loads(out)
    assert data["trusted"] and any("spent nothing after refunds" in note for note in data["notes"])
    table = pd.read_csv(tmp_path / "c.csv")
    assert (table["expected_spend"] > 0).all() and np.isfinite(table["expected_value"]).all()
    few = [(1, "a", "2025-01-01", 10), (2, "a", "2025-01-20", 12), (3, "b", "2025-01-05", 8), (4, "b", "2025-01-06", -20)]
    status, out, _ = run(capsys, "clv", transactions(tmp_path / "few.csv", few), "--csv", "-")
    table = pd.read_csv(__import__("io").StringIO(out)).set_index("customer_key")
    assert status == 0 and table.loc["other:b", "expected_value"] == 0.0 and table.loc["other:a", "expected_value"] > 0


def test_too_little_history_is_a_plain_message_with_fallback_figures(capsys, tmp_path):
    rows = [(1, "a", "2025-01-01", 10), (2, "a", "2025-01-20", 12), (3, "b", "2025-01-05", 8)]
    status, out, err = run(capsys, "clv", transactions(tmp_path / "short.csv", rows), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert not data["trusted"] and data["customers"] == 2 and "need more history" in data["notes"][0]
    # The fallback is the customer's own rate over at least 12 weeks: a (2 purchases) → 2/12 × 26.
    assert data["summary"]["expected_purchases"] == pytest.approx(2 / 12 * 26 + 1 / 12 * 26, abs=0.01)
    status, out, _ = run(capsys, "clv", transactions(tmp_path / "short.csv", rows), "--calibration-end", "2024-12-31")
    assert status == 0 and "No paid orders of identified customers on or before 2024-12-31" in out


def test_bad_parameters_are_messages(capsys, tmp_path):
    path = transactions(tmp_path / "t.csv", [(1, "a", "2025-01-01", 10)])
    status, _, err = run(capsys, "clv", path, "--calibration-end", "30.09.1997")
    assert status == 2 and "write it as YYYY-MM-DD" in err
    status, _, err = run(capsys, "clv", path, "--horizon", "0")
    assert status == 2 and "number of weeks" in err
    status, _, err = run(capsys, "clv", path, "--csv", path)
    assert status == 2 and "never overwritten" in err
    status, _, err = run(capsys, "forecast", path, "--horizon", "9")
    assert status == 2 and "invalid choice" in err
    status, _, err = run(capsys, "migration", *DEMO, "--before", "2026-06-30", "--after", "2026-06-01")
    assert status == 2 and "must come before" in err
    status, _, err = run(capsys, "cohorts", str(tmp_path / "missing.csv"))
    assert status == 2 and "does not exist" in err


def test_cohorts_json_against_a_hand_count(capsys, tmp_path):
    rows = [(1, "a", "2025-01-03", 10), (2, "b", "2025-01-20", 5), (3, "a", "2025-02-02", 7),
            (4, "c", "2025-02-10", 4), (5, "b", "2025-03-15", 9), (6, "c", "2025-03-31", 1)]
    status, out, err = run(capsys, "cohorts", transactions(tmp_path / "c.csv", rows), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["period"] == "month" and data["currency"] == "XXX"
    by = {c["cohort"]: c for c in data["cohorts"]}
    # January: a and b; a came back in February, b in March. February: c, back in March.
    assert by["2025-01"]["customers"] == 2 and by["2025-01"]["retention"] == [1.0, 0.5, 0.5]
    assert by["2025-01"]["net_sales"] == [15.0, 7.0, 9.0]
    assert by["2025-02"]["customers"] == 1 and by["2025-02"]["retention"][:2] == [1.0, 1.0]
    quarters = json.loads(run(capsys, "cohorts", transactions(tmp_path / "c.csv", rows), "--period", "quarter", "--json")[1])
    assert quarters["cohorts"] == [{"cohort": "2025Q1", "customers": 3, "retention": [1.0], "net_sales": [36.0]}]


def test_migration_json_accounts_for_every_customer(capsys):
    status, out, err = run(capsys, "migration", *DEMO, "--before", "2026-03-31", "--after", "2026-09-30", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert (data["before"], data["after"], data["map"]) == ("2026-03-31", "2026-09-30", "rfm11")
    assert data["rows"][0] == "not_yet" and data["columns"] == [r for r in data["rows"] if r != "not_yet"]
    from core.importing import import_files
    book = import_files(DEMO)
    paid = book.orders[(book.orders["status"] == "paid") & (book.orders["customer_key"] != "")
                       & (book.orders["currency"] == "USD") & (book.orders["placed_at"] < pd.Timestamp("2026-09-30", tz="UTC"))]
    assert sum(map(sum, data["customers"])) == paid["customer_key"].nunique()
    earlier = paid[paid["placed_at"] < pd.Timestamp("2026-03-31", tz="UTC")]["customer_key"].nunique()
    assert sum(data["customers"][0]) == paid["customer_key"].nunique() - earlier == data["movers"]["won"]
    net = (paid["order_total"] - paid["refunded"]).sum()
    assert sum(map(sum, data["net_sales"])) == pytest.approx(net, abs=1.0)
    text = run(capsys, "--lang", "zh", "migration", *DEMO, "--days", "60")[1]
    assert "分群迁移" in text and "尚未成为客户 →" in text


def test_forecast_json_contract_and_the_shop_series_is_net_sales(capsys):
    status, out, err = run(capsys, "forecast", *DEMO, "--horizon", "3", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert (data["measure"], data["horizon"], data["interval"]) == ("net_sales", 3, 0.8)
    shop = data["series"][0]
    assert shop["series"] == "all" and shop["method"] == "ets_seasonal" and len(shop["forecast"]) == 3
    assert all(p["lower"] <= p["mean"] <= p["upper"] for p in shop["forecast"])
    assert set(shop["backtest"]) == {"months", "model_mape", "baseline_mape"} and shop["backtest"]["months"] == 3
    # The whole shop's history is the net sales of its paid orders per complete month.
    from core.importing import import_files
    book = import_files(DEMO)
    paid = book.orders[(book.orders["status"] == "paid") & (book.orders["currency"] == "USD")]
    month = paid["placed_at"].dt.strftime("%Y-%m")
    by_month = (paid["order_total"] - paid["refunded"]).groupby(month).sum()
    for key, value in shop["history"].items():
        assert value == pytest.approx(by_month[key], abs=0.01), key
    assert list(shop["history"])[-1] == "2026-10"  # November has only its first day: not complete
    units = json.loads(run(capsys, "forecast", *DEMO, "--measure", "units", "--json")[1])
    assert units["measure"] == "units" and len(units["series"][0]["forecast"]) == 6


def test_forecast_of_a_short_plain_table_shows_the_trend(capsys, tmp_path):
    rows = [(i, f"c{i % 9}", f"2025-{1 + i % 5:02d}-{1 + i % 27:02d}", 10 + i) for i in range(1, 120)]
    rows.append((500, "c1", "2025-06-30", 5))
    status, out, err = run(capsys, "forecast", transactions(tmp_path / "short.csv", rows), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert [s["series"] for s in data["series"]] == ["all"]  # no products, so no categories
    shop = data["series"][0]
    assert shop["method"] == "trend" and shop["forecast"] == [] and len(shop["history"]) == 6
    assert shop["trend_per_month"] is not None and "too few for a forecast" in shop["notes"][0]
    text = run(capsys, "--lang", "zh", "forecast", transactions(tmp_path / "short.csv", rows))[1]
    assert "全店：" in text
