"""The headless commands keep their exact contract: other tools parse this output."""
import csv
import io
import json
import subprocess
import sys

import pandas as pd
import pytest

import main as entry
from tests.conftest import ROOT
from tests.conftest import run_main as run

DEMO = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))
SHOPIFY_CASE = ROOT / "tests" / "data" / "exports" / "shopify_multi_item_refunds" / "orders_export_1.csv"


def test_a_command_process_ends_at_once_with_its_output_and_files_whole_and_its_exit_status(tmp_path):
    # main.py ends a headless command with os._exit (no freeing of its tables one by one): what
    # it printed and what it saved must still be there whole, with the command's status.
    target = tmp_path / "customers.csv"
    saved = run("customers", *DEMO, "--csv", target, process=True)
    assert saved.returncode == 0, saved.stderr
    customers = json.loads(run("import", *DEMO, "--json").stdout)["customers"]
    assert len(pd.read_csv(target, encoding="utf-8-sig")) == customers
    missing = run("plan", tmp_path / "nothing.csv", process=True)
    assert missing.returncode == 2 and "nothing.csv" in missing.stderr and missing.stdout == ""


def test_a_command_whose_reader_stops_reading_ends_quietly():
    # `main.py segment … --json | head -c 10`: the pipe closes before the output is written; the
    # command ends with status 1 and no traceback (the reader closes here before the child writes).
    child = subprocess.Popen([sys.executable, "main.py", "segment", *DEMO, "--json"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()
    errors = child.stderr.read()
    assert child.wait(timeout=120) == 1 and "Traceback" not in errors and "BrokenPipe" not in errors


def test_import_json_is_exactly_one_object_with_the_contract_keys():
    result = run("import", *DEMO, "--json", process=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["files", "orders", "orders_by_status", "customers", "unidentified_orders",
                          "net_sales", "refunds", "first_order", "last_order", "problems"]
    assert [list(f) for f in data["files"]] == [["path", "platform", "report", "encoding", "rows"]] * 4
    assert list(data["orders_by_status"]) == ["paid", "pending", "cancelled", "refunded"]
    assert sum(data["orders_by_status"].values()) == data["orders"]
    assert set(data["net_sales"]) == {"USD", "CNY"} and all(isinstance(v, float) for v in data["net_sales"].values())
    assert len(data["first_order"]) == 10 and data["first_order"] <= data["last_order"]
    assert data["problems"] == []


def test_import_json_lists_problems_with_file_row_column():
    bad = ROOT / "tests" / "data" / "exports" / "does-not-exist.csv"
    result = run("import", str(SHOPIFY_CASE), str(bad), "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert data["problems"] == [{"file": str(bad), "row": None, "column": None,
                                 "message": "does-not-exist.csv: the file does not exist."}]


def test_exit_status_2_when_no_file_could_be_read(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run("import", str(empty), "--json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["problems"][0]["message"] == "empty.csv: the file is empty."


def test_readable_summary_in_both_languages():
    english = run("import", str(SHOPIFY_CASE)).stdout
    assert "Orders: 4 (paid 2, pending 0, cancelled 1, refunded 1)" in english
    assert "Net sales USD: 75.00 (refunds 22.00)" in english
    chinese = run("--lang", "zh_CN", "import", str(SHOPIFY_CASE)).stdout
    assert "订单：4 个（已付款 2，待付款 0，已取消 1，已退款 1）" in chinese


def test_customers_csv_to_stdout_and_file(tmp_path):
    result = run("customers", str(SHOPIFY_CASE), "--csv", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["customer_key", "name", "platforms", "paid_orders", "first_order",
                             "last_order", "net_sales", "currency"]
    by_key = {r["customer_key"]: r for r in rows}
    assert by_key["a@x.com"]["paid_orders"] == "1" and float(by_key["b@x.com"]["net_sales"]) == 40.0
    out = tmp_path / "customers.csv"
    assert run("customers", *DEMO, "--csv", str(out)).returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads 中文 correctly only with the BOM
    assert "taobao:" in data.decode("utf-8-sig")


def test_map_option_reads_an_unknown_layout(tmp_path):
    export = tmp_path / "bestellungen.csv"
    export.write_text("Bestellnummer;Datum;Kunde;Betrag\nA1;03.02.2025;x@y.de;1.234,50\n"
                      "A2;04.02.2025;z@y.de;12,00\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('platform = "Mein Shop"\ncurrency = "EUR"\n[columns]\n"Bestellnummer" = '
                       '"order_id"\n"Datum" = "placed_at"\n"Kunde" = "email"\n"Betrag" = "order_total"\n')
    data = json.loads(run("import", str(export), "--map", str(mapping), "--json").stdout)
    assert data["net_sales"] == {"EUR": 1246.5} and data["customers"] == 2
    assert data["files"][0]["platform"] == "Mein Shop"


def test_bad_mapping_file_is_a_message(tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"A" = "no_such_field"\n')
    result = run("import", str(SHOPIFY_CASE), "--map", str(mapping))
    assert result.returncode == 2 and "no_such_field" in result.stderr


@pytest.mark.parametrize("argv,expected", [([], ("ui", [])), (["a.csv", "b.csv"], ("ui", ["a.csv", "b.csv"])),
                                           (["import", "a.csv"], ("cli", ["import", "a.csv"]))])
def test_main_opens_the_app_or_runs_a_command(monkeypatch, argv, expected):
    calls = []
    monkeypatch.setattr("ui.app.run", lambda files, started=None: calls.append(("ui", files)) or 0)
    monkeypatch.setattr("core.cli.main", lambda args: calls.append(("cli", args)) or 0)
    assert entry.main(argv) == 0
    assert calls == [expected]


def test_segment_json_contract():
    result = run("segment", *DEMO, "--map", "rfm11", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["analysis_date", "map", "thresholds", "segments"]
    assert data["map"] == "rfm11" and set(data["thresholds"]) == {"r", "f", "m"}
    assert len(data["segments"]) == 11
    assert list(data["segments"][0]) == ["name", "name_zh", "customers", "net_sales", "orders", "aov",
                                         "median_recency", "median_frequency", "median_monetary", "growth"]
    assert data["segments"][0]["name"] == "Champions" and data["segments"][0]["name_zh"] == "冠军客户"
    assert "only 3 of 5 scores" in result.stderr  # notes go to stderr, stdout stays one object
    clusters = json.loads(run("segment", *DEMO, "--map", "clusters", "--json").stdout)
    assert list(clusters)[-1] == "silhouette_by_k" and set(clusters["silhouette_by_k"]) <= set("2345678")


def test_segment_csv_has_one_row_per_customer(tmp_path):
    out = tmp_path / "segments.csv"
    result = run("segment", *DEMO, "--map", "cn8", "--bins", "4", "--date", "2026-06-30", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert list(rows[0]) == ["customer_key", "recency", "frequency", "monetary", "r", "f", "m",
                             "segment", "cluster"]
    assert len({r["customer_key"] for r in rows}) == len(rows)
    assert {r["r"] for r in rows} <= {"1", "2", "3", "4"} and all(r["cluster"] for r in rows)


def test_segment_thresholds_and_shares_from_the_command_line():
    data = json.loads(run("segment", *DEMO, "--cuts", "r=30,90,180,365;f=1,2,5,10", "--json").stdout)
    assert data["thresholds"]["r"] == {"method": "custom", "cuts": [30.0, 90.0, 180.0, 365.0], "bins": 5,
                                       "distinct_scores": 5}
    tiers = json.loads(run("segment", *DEMO, "--map", "value", "--shares", "0.1,0.4,0.5", "--json").stdout)
    assert tiers["thresholds"]["value_tiers"]["shares"] == [0.1, 0.4, 0.5]
    bad = run("segment", *DEMO, "--cuts", "x=1")
    assert bad.returncode != 0 and "axis r, f or m" in bad.stderr


def test_segment_options_are_checked_as_the_app_checks_them(tmp_path):
    """core.segment_options: the same refusals as the Segments page, exit 2, before any import."""
    for args, message in ((("--cuts", "r=90,30"), "R: the thresholds must go up"),
                          (("--cuts", "f=1"), "F: give 2 to 4 thresholds."),
                          (("--shares", "0.2,0.3,0.6"), "add up to 110 %"),
                          (("--rates", str(tmp_path / "none.toml")), "none.toml: the rate table cannot be read")):
        bad = run("segment", *DEMO, *args)
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr, args
    rates = tmp_path / "rates.toml"
    rates.write_text('base = "USD"\n[rates]\nCNY = 0.14\n', encoding="utf-8")
    data = json.loads(run("segment", *DEMO, "--rates", str(rates), "--json").stdout)
    assert sum(s["customers"] for s in data["segments"]) == 3822  # the CNY customers converted in


def test_trends_command_text_and_json():
    text = run("trends", *DEMO, "--horizon", "3")
    assert text.returncode == 0, text.stderr
    assert "Win back first" in text.stdout and "Demand forecast" in text.stdout
    data = json.loads(run("trends", *DEMO, "--horizon", "3", "--json").stdout)
    assert {"cohorts", "migration", "clv", "forecast"} <= set(data)
    assert len(data["forecast"][0]["forecast"]) == 3


def test_cli_lists_every_segmentation_and_starts_without_pandas():
    from core.cli import SEGMENT_MAPS
    from core.segments import SEGMENTERS
    assert SEGMENT_MAPS == SEGMENTERS
    code = "import sys, core.cli; print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False"  # main.py imports core.cli before opening the window


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_commands_help_is_written_in_the_chosen_language(lang):
    """Catalog help texts hold percent signs ("80 % of sales"): argparse must not read them as
    placeholders, and --lang after the command chooses the language of the help."""
    import argparse

    from core.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert "plan" in commands
    for name in commands:
        result = run(name, "--lang", lang, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: segmentdesk {name}"), name
    plan_help = run("plan", "--lang", lang, "--help").stdout
    assert ("80 % of sales" if lang == "en" else "占销售额 80% 的品类") in plan_help
