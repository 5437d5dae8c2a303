"""Data safety of every file written: a Shopify export with hostile names, emails, addresses and
products goes through every command that writes CSV or XLSX and no cell reaches a spreadsheet as a
formula; a save killed midway leaves nothing behind after the next save; files get the permissions
an ordinary save gives."""
import collections
import csv
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import time

import openpyxl
import pandas as pd
import pytest

import core.exports as exports
import core.safe_write as safe_write
from core.exports import write_table
from core.safe_write import STALE_AFTER, TEMP_PATTERN, atomic_path, clean_stale_temp
from tests.conftest import ROOT, run_cli

run = run_cli  # (exit status, stdout, stderr) of main.py run in this process

DEMO = ROOT / "resources" / "demo"
HOSTILE = ("=1+1", "@SUM(1+1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "-2+3", "\tTabbed")
RISKY = ("=", "+", "-", "@", "\t", "\r")
# Per command: what it is asked to write and its numeric columns (README: the column contracts).
COMMANDS = {
    "customers": (["--csv"], ["customer_key", "name", "platforms", "paid_orders", "first_order",
                              "last_order", "net_sales", "currency"], {"paid_orders", "net_sales"}),
    "segment": (["--csv"], ["customer_key", "recency", "frequency", "monetary", "r", "f", "m", "segment",
                            "cluster"], {"recency", "frequency", "monetary", "r", "f", "m"}),
    "tags": (["--csv"], ["customer_key", "tags", "primary_tag", "evidence"], set()),
    "clv": (["--csv"], ["customer_key", "segment", "repeat_purchases", "weeks_to_last", "weeks_observed",
                        "net_sales", "p_alive", "expected_purchases", "expected_spend", "expected_value"],
            {"repeat_purchases", "weeks_to_last", "weeks_observed", "net_sales", "p_alive",
             "expected_purchases", "expected_spend", "expected_value"}),
    "export": (["--all", "-o"], None, {"R score", "F score", "M score", "Orders", "Net sales"}),
}


@pytest.fixture(scope="module")
def hostile_export(tmp_path_factory):
    """The demo Shopify orders export (and its products export) with the six best customers' names,
    emails, cities and addresses, the two best-selling products and a discount code made hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    with open(DEMO / "shopify_orders_export.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header, rows = next(reader), list(reader)
    col = {name: i for i, name in enumerate(header)}
    counts = collections.Counter(r[col["Email"]] for r in rows if r[col["Email"]])
    who = {email: i for i, (email, _) in enumerate(counts.most_common(len(HOSTILE)))}
    products = [p for p, _ in collections.Counter(r[col["Lineitem name"]] for r in rows).most_common(2)]
    for r in rows:
        i = who.get(r[col["Email"]])
        if i is not None:
            r[col["Email"]] = HOSTILE[i] + "@example.com"
            for name in ("Billing Name", "Shipping Name"):
                r[col[name]] = r[col[name]] and HOSTILE[i]
            for name in ("Billing City", "Shipping City", "Billing Address1", "Shipping Address1"):
                r[col[name]] = r[col[name]] and HOSTILE[-1 - i]
        if r[col["Lineitem name"]] in products:
            r[col["Lineitem name"]] = HOSTILE[3 - products.index(r[col["Lineitem name"]])]
        if r[col["Discount Code"]] == "BFCM25":
            r[col["Discount Code"]] = "=1+1"
    orders = folder / "orders_export_1.csv"
    with open(orders, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    shutil.copy(DEMO / "products_export_1.csv", folder / "products_export_1.csv")
    return [str(orders), str(folder / "products_export_1.csv")]


def assert_safe(rows, numeric):
    """Text never starts like a formula (the `'` comes first); numeric columns hold numbers."""
    header, body = rows[0], rows[1:]
    assert body
    assert not [h for h in header if h.startswith(RISKY)]
    for row in body:
        for title, value in zip(header, row):
            if title in numeric:
                assert value == "" or float(value) == float(value), (title, value)
            else:
                assert not value.startswith(RISKY), (title, value)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["file", "stdout"])
def test_every_command_writes_hostile_text_neutralised_and_numbers_as_numbers(
        capsys, tmp_path, hostile_export, command, where):
    options, columns, numeric = COMMANDS[command]
    if where == "stdout" and command == "export":
        pytest.skip("export writes files only")
    target = "-" if where == "stdout" else tmp_path / "out.csv"
    status, out, err = run(capsys, command, *hostile_export, *options, target)
    assert status == 0, err
    if where == "file":
        data = target.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")  # for Excel, as before
        text = data.decode("utf-8-sig")
    else:
        text = out
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert columns is None or rows[0] == columns
    assert_safe(rows, numeric)
    cells = {value for row in rows for value in row}
    assert "'=1+1@example.com" in cells and "'+cmd|' /c calc'!a0@example.com" in cells  # keys: emails
    if command in ("customers", "export"):
        name = rows[0].index("name" if command == "customers" else "Name")
        assert {"'=1+1", "'@SUM(1+1)", "'+cmd|' /C calc'!A0", "'=HYPERLINK(\"http://x\",\"y\")",
                "'-2+3"} <= {row[name] for row in rows}


def test_the_xlsx_export_holds_no_formula_and_numbers_as_numbers(capsys, tmp_path, hostile_export):
    target = tmp_path / "all.xlsx"
    status, _, err = run(capsys, "export", *hostile_export, "--all", "-o", target)
    assert status == 0, err
    sheet = openpyxl.load_workbook(target).active  # not data_only: a formula would show as one
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for title, cell in zip(header, row):
            assert cell.data_type != "f"
            if title in COMMANDS["export"][2]:
                assert isinstance(cell.value, (int, float)), (title, cell.value)
            elif isinstance(cell.value, str):
                assert not cell.value.startswith(RISKY), (title, cell.value)
    names = {row[header.index("Name")].value for row in sheet.iter_rows(min_row=2)}
    assert {"'=1+1", "'@SUM(1+1)", "'=HYPERLINK(\"http://x\",\"y\")", "'-2+3"} <= names


def test_the_hashed_audience_holds_only_hex_digests(capsys, tmp_path, hostile_export):
    """Not through write_table (the platforms read it unquoted, without BOM): safe by its content."""
    target = tmp_path / "ads.csv"
    status, _, err = run(capsys, "export", *hostile_export, "--all", "--hashed", "-o", target)
    assert status == 0, err
    text = target.read_text("utf-8")
    assert text.startswith("Email,Phone\n")
    cells = [value for row in list(csv.reader(io.StringIO(text)))[1:] for value in row]
    assert cells and all(re.fullmatch(r"[0-9a-f]{64}", value) or value == "" for value in cells)


def test_the_writer_neutralises_every_risky_start_but_not_numbers(capsys, tmp_path):
    """Values the import trims away (TAB, CR first) are neutralised all the same."""
    frame = pd.DataFrame({"name": [*HOSTILE, "\rReturned", "Jean-Luc", "a=b", None],
                          "amount": [-2.5, -1, 0, 1.5, 2, 3, 4, 5, 6, 7]})
    write_table(frame, tmp_path / "t.csv")
    write_table(frame, "-")
    write_table(frame, tmp_path / "t.xlsx", xlsx=True)
    for text in (tmp_path.joinpath("t.csv").read_bytes().decode("utf-8-sig"), capsys.readouterr().out):
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert [r[0] for r in rows[1:]] == ["'" + v for v in (*HOSTILE, "\rReturned")] + ["Jean-Luc", "a=b", ""]
        assert [float(r[1]) for r in rows[1:]] == list(frame["amount"])
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in sheet["B"][1:]] == list(frame["amount"])
    assert all(c.value is None or c.value[0] not in RISKY for c in sheet["A"])


# --- what a killed save leaves behind --------------------------------------------------------------

def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_save_leaves_only_our_temp_file_and_the_next_save_removes_it(capsys, tmp_path,
                                                                              hostile_export):
    target = tmp_path / "customers.csv"
    killed = ("import os, sys\nfrom core.safe_write import atomic_path\n"
              "with atomic_path(sys.argv[1]) as tmp:\n"
              "    tmp.write_text('=1+1,someone@example.com')\n"
              "    os._exit(9)\n")
    assert subprocess.run([sys.executable, "-c", killed, str(target)], cwd=ROOT).returncode == 9
    [left] = tmp_path.iterdir()
    assert TEMP_PATTERN.fullmatch(left.name) and left.name.startswith(".customers.csv.")
    assert not target.exists()
    _age(left, STALE_AFTER + 60)
    running = tmp_path / ".other.xlsx.abc123.tmp"  # another save, still writing: kept
    running.write_bytes(b"PK")
    foreign = tmp_path / ".notes.txt.abc123.tmp"  # not one of ours: kept
    foreign.write_bytes(b"x")
    _age(foreign, STALE_AFTER + 60)
    status, _, err = run(capsys, "customers", *hostile_export, "--csv", target)
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, running.name, foreign.name])


def test_clean_stale_temp_removes_only_old_temp_files_of_our_pattern(tmp_path):
    stale = tmp_path / ".out.csv.abc123.tmp"
    fresh = tmp_path / ".out.csv.def456.tmp"
    report = tmp_path / ".Strategy 2026.pdf.k7x_2q9a.tmp"
    saved = tmp_path / "out.csv"
    for path in (stale, fresh, report, saved):
        path.write_bytes(b"customer data")
    for path in (stale, report, saved):
        _age(path, STALE_AFTER + 1)
    assert sorted(clean_stale_temp(tmp_path)) == sorted([stale, report])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, saved.name])
    assert clean_stale_temp(tmp_path / "gone") == []  # a folder removed since: nothing to do


def test_a_failure_midway_leaves_the_previous_file_and_no_temp_file(capsys, tmp_path, hostile_export,
                                                                     monkeypatch):
    target = tmp_path / "customers.csv"
    target.write_bytes(b"previous")
    real, calls = exports._text, []

    def flaky(*args, **kwargs):  # fails after the first chunks were written
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "_text", flaky)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 100)
    with pytest.raises(OSError):
        run(capsys, "customers", *hostile_export, "--csv", target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.skipif(os.name != "posix", reason="fsync of a folder and file modes are POSIX")
def test_the_file_is_fsynced_before_it_replaces_the_target_then_the_folder(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    monkeypatch.setattr(safe_write.os, "fsync", fsync)
    monkeypatch.setattr(safe_write.os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    with atomic_path(tmp_path / "out.csv") as tmp:
        tmp.write_text("a,b\n")
    assert events == ["fsync file", "replace", "fsync folder"]


# --- permissions ------------------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_own(capsys, tmp_path,
                                                                          hostile_export):
    old = os.umask(0o002)
    try:
        status, _, err = run(capsys, "customers", *hostile_export, "--csv", tmp_path / "new.csv")
        assert status == 0, err
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o664  # not mkstemp's 0600
        shared = tmp_path / "shared.csv"
        shared.write_bytes(b"previous")
        shared.chmod(0o640)
        status, _, err = run(capsys, "export", *hostile_export, "--all", "-o", shared, "--force")
        assert status == 0, err
        assert shared.read_bytes() != b"previous" and stat.S_IMODE(shared.stat().st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("command", ["customers", "segment", "tags", "clv"])
def test_a_csv_option_never_writes_over_an_input_file(capsys, tmp_path, command):
    source = tmp_path / "orders_export_1.csv"
    shutil.copy(DEMO / "shopify_orders_export.csv", source)
    before = source.read_bytes()
    status, _, err = run(capsys, command, str(source), "--csv", str(source))
    assert status == 2 and "never overwritten" in err and source.read_bytes() == before


def test_a_csv_save_into_a_missing_folder_is_a_message(capsys, tmp_path):
    status, _, err = run(capsys, "customers", str(DEMO / "shopify_orders_export.csv"),
                         "--csv", str(tmp_path / "no" / "such" / "out.csv"))
    assert status == 2 and "folder does not exist" in err and "Traceback" not in err
