"""Customer lists per segment: formula-safe CSV/XLSX that Excel opens, split sheets, safe saves, the CLI."""
import csv
import errno
import io
import os
import shutil

import openpyxl
import pandas as pd
import pytest

import core.exports as exports
import core.safe_write as safe_write
from core.exports import (ExportError, check_target, customer_list, headers, neutralise,
                          segment_ids, sheet_names, write_customer_list)
from core.importing import import_files
from core.segments import segment
from core.targeting.facts import segment_facts
from core.targeting.personas import personas
from core.targeting.strategies import strategies
from tests.conftest import ROOT
from tests.conftest import run_main as run

DEMO = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))
HOSTILE = {
    "formula": '=HYPERLINK("http://x","click")',
    "plus": "+1+1",
    "minus": "-2",
    "at": "@SUM(A1)",
    "tab": "\tTabbed",
    "cr": "\rReturned",
}
HYPHENATED = "Jean-Luc Picard"
CHINESE = "欧阳娜娜"
RISKY = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def book(demo_book):
    return demo_book


@pytest.fixture(scope="module")
def hostile():
    """The demo book with seven USD customers renamed: six hostile names, one hyphenated, one Chinese."""
    book = import_files(DEMO)
    orders = book.orders
    keys = (orders.loc[(orders["status"] == "paid") & (orders["currency"] == "USD")
                       & orders["customer_key"].str.contains("@"), "customer_key"]
            .drop_duplicates().sort_values().iloc[:8].tolist())
    names = {**dict(zip(keys, HOSTILE.values())), keys[6]: HYPHENATED, keys[7]: CHINESE}
    renamed = orders["customer_key"].astype("str").map(names)
    orders["customer_name"] = orders["customer_name"].astype("str")  # names the import never saw
    orders.loc[renamed.notna(), "customer_name"] = renamed[renamed.notna()]
    seg = segment(book, "rfm11")
    return book, seg, names


def read_csv(path):
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble 中文"
    assert data.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(path):
    book = openpyxl.load_workbook(path)  # not data_only: formulas would show as formulas
    return book, {ws.title: [[c for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def assert_no_formula_text(values):
    for value in values:
        if isinstance(value, str) and value.startswith(RISKY):
            float(value)  # only a (negative) number may start like that, never text


# --- the list -----------------------------------------------------------------------------------

def test_neutralise_prefixes_exactly_the_risky_texts():
    for value in HOSTILE.values():
        assert neutralise(value) == "'" + value
    for value in (HYPHENATED, CHINESE, "a=b", "", None, -2, 3.5, "x@y.com"):
        assert neutralise(value) == value


def test_customer_list_columns_rows_and_texts(book):
    seg = segment(book, "rfm11")
    frame = customer_list(book, seg, ["champions", "lost"])
    # USD customers of the demo have emails and phones, no platform buyer id: that column is left out
    assert list(frame.columns) == ["customer_key", "name", "email", "phone", "platforms", "segment",
                                   "r", "f", "m", "orders", "net_sales", "currency", "last_order",
                                   "persona", "strategy"]
    chosen = seg.customers[seg.customers["segment"].isin(["champions", "lost"])]
    assert len(frame) == len(chosen) and frame["customer_key"].is_unique
    assert set(frame["customer_key"]) == set(chosen.index)
    assert list(dict.fromkeys(frame["segment"])) == ["Champions", "Lost"]  # display order
    row = frame.iloc[0]
    source = seg.customers.loc[row["customer_key"]]
    assert (row["r"], row["f"], row["m"], row["orders"]) == (source["r"], source["f"], source["m"],
                                                           source["frequency"])
    assert row["net_sales"] == pytest.approx(source["monetary"]) and row["currency"] == "USD"
    assert row["last_order"] == source["last_order"]
    facts = segment_facts(seg, book)
    assert row["persona"] == personas(seg, facts)["champions"].name
    assert row["strategy"] == strategies(seg, facts)["champions"].goal
    assert frame["platforms"].notna().all() and frame["name"].notna().all()
    assert len(customer_list(book, seg, None, facts=facts)) == len(seg.customers)
    assert frame.attrs["source_files"] == tuple(DEMO)


def test_customer_list_in_chinese_with_buyer_ids(book):
    seg = segment(book, "rfm11", currency="CNY")
    frame = customer_list(book, seg, ["champions"], lang="zh")
    assert "buyer_id" in frame and "email" not in frame  # Taobao: buyer ids and phones, no emails
    assert set(frame["segment"]) == {"冠军客户"}
    assert frame["name"].str.contains(r"[\u4e00-\u9fff]").all()
    assert not frame["phone"].dropna().str.contains("*", regex=False).any()  # masked: no contact
    assert headers(frame)[:3] == ["客户标识", "姓名", "电话"]
    assert headers(frame, "en")[:3] == ["Customer key", "Name", "Phone"]


def test_segment_names_ids_any_case_and_both_languages(book):
    seg = segment(book, "rfm11")
    assert segment_ids(seg, ["CHAMPIONS", "冠军客户", "at risk", "Can't lose them"]) == [
        "champions", "at_risk", "cant_lose"]
    with pytest.raises(ExportError) as caught:
        segment_ids(seg, ["vip"])
    assert caught.value.problem.message_id == "export.unknown_segment"
    assert "champions (Champions / 冠军客户)" in caught.value.problem.message()
    assert "没有“vip”" in caught.value.problem.message("zh_CN")
    value = segment(book, "value")
    assert segment_ids(value, ["high"]) == ["high"]


# --- formula injection, BOM, Chinese, read back -------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_hostile_names_are_text_in_csv_and_xlsx(hostile, tmp_path, suffix):
    book, seg, names = hostile
    frame = customer_list(book, seg)
    frame.loc[frame.index[0], "platforms"] = "@evil"  # any text column, not only names
    path = tmp_path / f"list{suffix}"
    saved = write_customer_list(frame, path)
    assert saved.rows == len(frame) == len(seg.customers) and saved.path == path
    if suffix == ".csv":
        rows = read_csv(path)
        header, body = rows[0], rows[1:]
        cells = [value for row in body for value in row]
    else:
        workbook, sheets = read_xlsx(path)
        assert workbook.sheetnames == ["Customers"] and saved.sheets == ("Customers",)
        sheet = workbook["Customers"]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
        table = sheets["Customers"]
        assert not [c.coordinate for row in table for c in row if c.data_type == "f"]
        header = [c.value for c in table[0]]
        body = [[c.value for c in row] for row in table[1:]]
        cells = [value for row in body for value in row]
    assert header[:2] == ["Customer key", "Name"]
    assert len(body) == len(frame)
    assert_no_formula_text(cells)
    by_key = {row[0]: row for row in body}
    for key, name in names.items():
        got = by_key[key][1]
        if name in (HYPHENATED, CHINESE):
            assert got == name
        elif suffix == ".csv":
            assert got == "'" + name
        else:  # XML may turn the CR into a line feed; it stays text behind the quote
            assert got.startswith("'") and got[2:] == name[1:]
    assert by_key[frame["customer_key"].iloc[0]][header.index("Platforms")] == "'@evil"
    phones = [row[header.index("Phone")] for row in body if row[header.index("Phone")]]
    assert phones and all(p.startswith("'+") for p in phones if p.lstrip("'").startswith("+"))


def test_chinese_list_in_both_formats(book, tmp_path):
    seg = segment(book, "rfm11", currency="CNY")
    frame = customer_list(book, seg, ["champions"], lang="zh_CN")
    write_customer_list(frame, tmp_path / "客户.csv")
    write_customer_list(frame, tmp_path / "客户.xlsx")
    rows = read_csv(tmp_path / "客户.csv")
    assert rows[0][0] == "客户标识" and rows[1][5] == "冠军客户"
    assert [r[1] for r in rows[1:]] == frame["name"].tolist()
    assert rows[1][rows[0].index("最近一次购买")] == frame["last_order"].iloc[0].strftime("%Y-%m-%d")
    workbook, sheets = read_xlsx(tmp_path / "客户.xlsx")
    assert workbook.sheetnames == ["客户"]
    assert [row[1].value for row in sheets["客户"][1:]] == frame["name"].tolist()
    date = sheets["客户"][1][rows[0].index("最近一次购买")]
    assert date.is_date and date.value.date() == frame["last_order"].iloc[0].date()


def test_any_table_is_written_generically(tmp_path):
    frame = pd.DataFrame({"=header": ["-x", None, "ok"], "n": [-2.5, None, 3],
                          "mixed": [1, "=1+1", None], "control": ["a\x01b", "c", "d"]})
    write_customer_list(frame, tmp_path / "t.csv", lang="en")
    write_customer_list(frame, tmp_path / "t.xlsx", lang="en")
    rows = read_csv(tmp_path / "t.csv")
    assert rows == [["'=header", "n", "mixed", "control"], ["'-x", "-2.5", "1", "a\x01b"],
                    ["", "", "'=1+1", "c"], ["ok", "3", "", "d"]]
    _, sheets = read_xlsx(tmp_path / "t.xlsx")
    assert [[c.value for c in row] for row in sheets["Customers"]] == [
        ["'=header", "n", "mixed", "control"], ["'-x", -2.5, "1", "ab"], [None, None, "'=1+1", "c"],
        ["ok", 3, None, "d"]]


# --- sheets -------------------------------------------------------------------------------------

def test_sheet_names():
    assert sheet_names(0) == ["Customers"]
    assert sheet_names(1_048_575) == ["Customers"]
    assert sheet_names(1_048_576) == ["Customers", "Customers (2)"]
    assert sheet_names(7, max_sheet_rows=4) == ["Customers", "Customers (2)", "Customers (3)"]
    assert sheet_names(7, 4, "zh_CN") == ["客户", "客户 (2)", "客户 (3)"]


@pytest.mark.parametrize("rows, sheets", [(10, [3, 3, 3, 1]), (9, [3, 3, 3]), (3, [3]), (0, [0])])
def test_rows_past_the_sheet_limit_go_on_more_sheets(tmp_path, monkeypatch, rows, sheets):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)  # chunks and sheet ends fall at different rows
    frame = pd.DataFrame({"customer_key": [f"c{i}" for i in range(rows)], "orders": range(rows)})
    saved = write_customer_list(frame, tmp_path / "split.xlsx", max_sheet_rows=4)
    workbook, content = read_xlsx(tmp_path / "split.xlsx")
    names = ["Customers"] + [f"Customers ({i})" for i in range(2, len(sheets) + 1)]
    assert workbook.sheetnames == names and list(saved.sheets) == names
    assert [len(content[name]) - 1 for name in names] == sheets
    assert all(content[name][0][0].value == "Customer key" for name in names)
    keys = [row[0].value for name in names for row in content[name][1:]]
    assert keys == frame["customer_key"].tolist()
    split = [params for message_id, params in saved.notes if message_id == "export.split_sheets"]
    assert bool(split) == (len(sheets) > 1)
    if split:
        assert f"{len(sheets)} sheets" in saved.message() and "Customers (2)" in saved.message()


def test_a_csv_longer_than_excel_opens_says_so(tmp_path):
    frame = pd.DataFrame({"customer_key": [f"c{i}" for i in range(5)]})
    saved = write_customer_list(frame, tmp_path / "long.csv", max_sheet_rows=4)
    assert [m for m, _ in saved.notes] == ["export.csv_too_long"]
    assert len(read_csv(tmp_path / "long.csv")) == 6


# --- safe saves ---------------------------------------------------------------------------------

@pytest.fixture
def small():
    return pd.DataFrame({"customer_key": [f"c{i}" for i in range(50)], "orders": range(50)})


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_existing_file_is_kept_unless_forced(small, tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"previous")
    with pytest.raises(ExportError) as caught:
        write_customer_list(small, path)
    assert caught.value.problem.message_id == "export.exists"
    assert str(path) in caught.value.problem.message()
    assert path.read_bytes() == b"previous"
    write_customer_list(small, path, force=True)
    assert path.read_bytes() != b"previous" and sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_input_files_are_never_written(book, tmp_path, monkeypatch):
    inputs = tmp_path / "in"
    inputs.mkdir()
    copy = inputs / "orders.csv"
    shutil.copy(DEMO[-1], copy)
    before = copy.read_bytes()
    mine = import_files([str(copy)])
    frame = customer_list(mine, segment(mine, "rfm11"), ["champions"])
    for target in (copy, inputs / "." / "orders.csv"):
        with pytest.raises(ExportError) as caught:
            write_customer_list(frame, target, force=True)
        assert caught.value.problem.message_id == "export.is_input"
    monkeypatch.chdir(inputs)
    plain = pd.DataFrame({"customer_key": ["x"]})
    with pytest.raises(ExportError):  # a relative path to an input named by `protect`
        write_customer_list(plain, "orders.csv", force=True, protect=[str(copy)])
    link = inputs / "link.csv"
    link.symlink_to(copy)
    with pytest.raises(ExportError):
        write_customer_list(plain, link, force=True, protect=[str(copy)])
    assert copy.read_bytes() == before


def test_bad_extension_and_missing_folder(small, tmp_path):
    for target, message_id in ((tmp_path / "out.txt", "export.bad_format"),
                               (tmp_path / "nowhere" / "out.csv", "export.no_folder")):
        with pytest.raises(ExportError) as caught:
            write_customer_list(small, target)
        assert caught.value.problem.message_id == message_id
    assert check_target(tmp_path / "OUT.XLSX") == tmp_path / "OUT.XLSX"


def _failing_after(monkeypatch, name, calls):
    """Make core.exports.<name> raise on its `calls`-th call, after real rows were written."""
    real = getattr(exports, name)
    seen = []

    def flaky(*args, **kwargs):
        seen.append(1)
        if len(seen) == calls:
            raise RuntimeError("crash while writing")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, name, flaky)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    return seen


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_failure_midway_leaves_the_previous_file(small, tmp_path, monkeypatch, suffix):
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"previous")
    seen = _failing_after(monkeypatch, "_text", 3)  # both formats neutralise each chunk's text
    with pytest.raises(RuntimeError):
        write_customer_list(small, path, force=True)
    assert len(seen) == 3
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_progress_hears_each_chunk_and_a_cancel_keeps_the_previous_file(small, tmp_path,
                                                                        monkeypatch, suffix):
    from core.jobs import CancelToken, Cancelled

    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    reports = []
    token = CancelToken(lambda fraction, message_id, fmt: reports.append((fraction, message_id)))
    write_customer_list(small, tmp_path / f"all{suffix}", progress=token)
    assert [f for f, _ in reports] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert {m for _, m in reports} == {"progress.export_writing"}
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"previous")
    token = CancelToken(lambda fraction, *_: token.cancel() if fraction >= 0.4 else None)
    with pytest.raises(Cancelled):
        write_customer_list(small, path, force=True, progress=token)
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, f"all{suffix}"])


@pytest.mark.parametrize("error, message_id, words", [
    (PermissionError(errno.EACCES, "Permission denied"), "export.permission", "close it"),
    (OSError(errno.ENOSPC, "No space left on device"), "export.disk_full", "disk is full"),
    (OSError(errno.EROFS, "Read-only file system"), "export.read_only", "read-only"),
    (OSError(errno.EIO, "Input/output error"), "export.failed", "Input/output error"),
])
def test_os_errors_become_clear_messages_naming_the_path(small, tmp_path, monkeypatch, error,
                                                          message_id, words):
    path = tmp_path / "out.csv"
    path.write_bytes(b"previous")

    def replace(src, dst):  # e.g. Windows: the file is open in Excel
        raise error

    monkeypatch.setattr(safe_write.os, "replace", replace)
    with pytest.raises(ExportError) as caught:
        write_customer_list(small, path, force=True)
    assert caught.value.problem.message_id == message_id
    message = caught.value.problem.message()
    assert str(path) in message and words in message
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder(small, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError) as caught:
            write_customer_list(small, folder / "out.csv")
        assert caught.value.problem.message_id in ("export.permission", "export.read_only")
    finally:
        folder.chmod(0o700)


# --- the command --------------------------------------------------------------------------------

def test_cli_exports_champions_as_csv(book, tmp_path):
    out = tmp_path / "champions.csv"
    result = run("export", *DEMO, "--segment", "champions", "-o", str(out))
    assert result.returncode == 0, result.stderr
    champions = (segment(book, "rfm11").customers["segment"] == "champions").sum()
    rows = read_csv(out)
    assert len(rows) == champions + 1 and {r[rows[0].index("Segment")] for r in rows[1:]} == {"Champions"}
    assert f"Saved {champions:,} customers to {out}" in result.stdout
    again = run("export", *DEMO, "--segment", "champions", "-o", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr


def test_cli_exports_all_as_xlsx_and_in_chinese(book, tmp_path):
    out = tmp_path / "all.xlsx"
    result = run("export", *DEMO, "--all", "-o", str(out), "--map", "value")
    assert result.returncode == 0, result.stderr
    workbook, sheets = read_xlsx(out)
    assert len(sheets["Customers"]) - 1 == len(segment(book, "value").customers)
    out_zh = tmp_path / "冠军.csv"
    result = run("--lang", "zh", "export", *DEMO, "--segment", "冠军客户", "--segment", "LOST",
                 "--currency", "CNY", "-o", str(out_zh))
    assert result.returncode == 0, result.stderr
    assert "已把" in result.stdout
    rows = read_csv(out_zh)
    assert rows[0][:2] == ["客户标识", "姓名"] and "买家账号" in rows[0]
    assert {r[rows[0].index("分群")] for r in rows[1:]} == {"冠军客户", "已流失"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r[1]) for r in rows[1:])
    seg = segment(book, "rfm11", currency="CNY")
    assert len(rows) - 1 == seg.customers["segment"].isin(["champions", "lost"]).sum()


def test_cli_errors_exit_2_with_messages(tmp_path):
    result = run("export", *DEMO, "--segment", "vip", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "“vip”" in result.stderr and "champions (Champions / 冠军客户)" in result.stderr
    assert not (tmp_path / "x.csv").exists()
    copy = tmp_path / "orders.csv"
    shutil.copy(DEMO[-1], copy)
    before = copy.read_bytes()
    result = run("export", str(copy), "--all", "-o", str(copy), "--force")
    assert result.returncode == 2 and "never overwritten" in result.stderr
    assert copy.read_bytes() == before
    result = run("export", *DEMO, "--all", "-o", str(tmp_path / "x.txt"))
    assert result.returncode == 2 and ".csv or .xlsx" in result.stderr
    assert run("export", *DEMO, "-o", str(tmp_path / "y.csv")).returncode == 2  # --segment or --all
