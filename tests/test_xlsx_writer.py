"""core.xlsx_writer, behind customer-list exports, read back with openpyxl and python-calamine.

Text is stored as inline strings. Characters that XML 1.0 cannot hold in any form (the C0 controls
other than TAB, LF and CR; U+FFFE, U+FFFF) are dropped; every other character comes back as written
(CR included: it is written `&#13;`). A literal `_xHHHH_` is escaped as `_x005F_xHHHH_`, which Excel
and calamine decode back to `_xHHHH_`; openpyxl does not decode these escapes and shows the escaped
form.
"""
import csv
import datetime as dt
import errno
import math
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import core.exports as exports
import core.xlsx_writer as xlsx_writer
from core.exports import ExportError, write_customer_list
from core.xlsx_writer import column_letter

DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what XML 1.0 cannot hold
ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def expected_text(value):
    """What a text cell holds: neutralised like CSV (looking past the dropped characters), dropped
    characters removed, cut at Excel's 32,767; None when nothing is left."""
    if value is None:
        return None
    if re.match(exports._XML_FORMULA_START, value):
        value = "'" + value
    return DROPPED.sub("", value)[:exports.EXCEL_MAX_CHARS] or None


def calamine(path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


TEXTS = ["007", "3310000000000000000", "欧阳娜娜", "Zoë 😀", "<&>\"'", "a\x01b\x1fc\ufffe",
         "x\ry", " lead and trail ", '=HYPERLINK("http://x","click")', "\x01=1", "+1 555 0100",
         "_x0041_", "", None]


@pytest.fixture
def table():
    rows = len(TEXTS)
    return pd.DataFrame({
        "customer_key": pd.Series(TEXTS, dtype="str"),
        "phone": pd.Series(["+8613800000000", "0049301234567"] + [None] * (rows - 2), dtype="str"),
        "net_sales": [12.5, 0.1 + 0.2, -2.0, 1e20, np.nan, np.inf, 3.0] + [1.25] * (rows - 7),
        "orders": np.arange(rows, dtype="int64") - 1,
        "last_order": pd.to_datetime(["2026-10-31", None, "1899-12-31", "1900-03-01"]
                                     + ["2024-02-29"] * (rows - 4)),
        "seen": pd.to_datetime(["2026-10-31 13:45:30"] * rows),
        "vip": [True, False] * (rows // 2),
    })


def test_values_and_types_read_back_by_openpyxl_and_calamine(table, tmp_path):
    path = tmp_path / "list.xlsx"
    saved = write_customer_list(table, path, lang="en")
    assert saved.sheets == ("Customers",) and saved.rows == len(table)

    sheet = openpyxl.load_workbook(path)["Customers"]
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    assert [c.value for c in sheet[1]] == ["Customer key", "Phone", "Net sales", "Orders",
                                           "Last order", "seen", "vip"]
    assert sheet.column_dimensions["A"].width == exports.WIDTHS["customer_key"]
    body = list(sheet.iter_rows(min_row=2))
    assert len(body) == len(table)
    assert not [c.coordinate for row in body for c in row if c.data_type == "f"]
    keys = [row[0].value for row in body]
    assert keys == [ESCAPED.sub(r"_x005F_\1", v) if v else v for v in map(expected_text, TEXTS)]
    assert keys[:2] == ["007", "3310000000000000000"] and body[0][0].data_type == "s"
    assert keys[5] == "abc" and keys[6] == "x\ry" and keys[7] == " lead and trail "
    assert keys[8].startswith("'=") and keys[9] == "'=1"
    assert [row[1].value for row in body[:3]] == ["'+8613800000000", "0049301234567", None]
    money = [row[2] for row in body]
    assert [c.value for c in money[:7]] == [12.5, 0.1 + 0.2, -2, 1e20, None, None, 3]
    assert {c.number_format for c in money if c.value is not None} == {"#,##0.00"}
    assert [row[3].value for row in body] == list(range(-1, len(table) - 1))
    days = [row[4] for row in body]
    assert days[0].is_date and days[0].value == dt.datetime(2026, 10, 31)
    assert days[0].number_format == "yyyy-mm-dd" and days[1].value is None
    assert days[2].value == "1899-12-31"  # before Excel's first exact serial day: ISO text
    assert days[3].value == dt.datetime(1900, 3, 1) and days[4].value == dt.datetime(2024, 2, 29)
    assert body[0][5].is_date and body[0][5].value == dt.datetime(2026, 10, 31, 13, 45, 30)
    assert [row[6].value for row in body[:2]] == [True, False]

    rows = calamine(path)["Customers"]
    assert rows[0][0] == "Customer key" and len(rows) == len(table) + 1
    assert [r[0] or None for r in rows[1:]] == list(map(expected_text, TEXTS))  # _x005F_ decoded
    assert [r[2] for r in rows[1:8]] == [12.5, 0.1 + 0.2, -2.0, 1e20, "", "", 3.0]
    assert rows[1][4] == dt.date(2026, 10, 31) and rows[3][4] == "1899-12-31"
    assert rows[1][5] == dt.datetime(2026, 10, 31, 13, 45, 30)
    assert [r[6] for r in rows[1:3]] == [True, False]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.text(max_size=40)), min_size=1, max_size=12))
def test_any_text_round_trips_except_what_xml_cannot_hold(values):
    frame = pd.DataFrame({"note": pd.Series(values, dtype="object")})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.xlsx"
        write_customer_list(frame, path, lang="en")
        rows = calamine(path)["Customers"]
        sheet = openpyxl.load_workbook(path, read_only=True)["Customers"]
        stored = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [expected_text(v) for v in values]
    assert [row[0] or None for row in rows[1:]] + [None] * (len(values) + 1 - len(rows)) == expected
    stored += [None] * (len(values) - len(stored))
    assert stored == [ESCAPED.sub(r"_x005F_\1", v) if v else None for v in expected]


def test_long_text_is_cut_at_the_cell_limit(tmp_path):
    frame = pd.DataFrame({"note": ["中" * 40_000, "x" * 32_767]})
    write_customer_list(frame, tmp_path / "long.xlsx")
    rows = calamine(tmp_path / "long.xlsx")["Customers"]
    assert rows[1][0] == "中" * 32_767 and rows[2][0] == "x" * 32_767


def test_split_sheets_read_back_by_calamine(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    frame = pd.DataFrame({"customer_key": [f"{i:04d}" for i in range(10)], "orders": range(10)})
    saved = write_customer_list(frame, tmp_path / "split.xlsx", max_sheet_rows=5, lang="zh_CN")
    sheets = calamine(tmp_path / "split.xlsx")
    assert list(sheets) == list(saved.sheets) == ["客户", "客户 (2)", "客户 (3)"]
    assert [len(rows) - 1 for rows in sheets.values()] == [4, 4, 2]
    assert all(rows[0] == ["客户标识", "订单数"] for rows in sheets.values())
    assert [r[0] for rows in sheets.values() for r in rows[1:]] == frame["customer_key"].tolist()
    assert [r[1] for rows in sheets.values() for r in rows[1:]] == [float(i) for i in range(10)]
    with zipfile.ZipFile(tmp_path / "split.xlsx") as archive:
        assert archive.testzip() is None
        # no zip64 where it is not needed: Excel offers to "repair" such a file
        assert {info.extract_version for info in archive.infolist()} == {20}
        assert b'<dimension ref="A1:B5"/>' in archive.read("xl/worksheets/sheet1.xml")


def test_an_os_error_while_writing_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"previous")
    real, calls = xlsx_writer.cells, []

    def full(*args):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(xlsx_writer, "cells", full)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)
    frame = pd.DataFrame({"customer_key": [f"c{i}" for i in range(50)]})
    with pytest.raises(ExportError) as caught:
        write_customer_list(frame, path, force=True)
    assert caught.value.problem.message_id == "export.disk_full"
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702, 16_383)] == [
        "A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"]


def test_a_bench_shaped_list_reads_back_cell_for_cell(tmp_path):
    from bench.bench_exports import customer_frame

    frame = customer_frame(3_000)
    write_customer_list(frame, tmp_path / "bench.xlsx")
    rows = calamine(tmp_path / "bench.xlsx")["Customers"][1:]
    assert len(rows) == len(frame)
    for column, values in zip(frame.columns, zip(*rows)):
        source = frame[column]
        if column == "last_order":
            assert list(values) == [d.date() for d in source]
        elif pd.api.types.is_numeric_dtype(source):
            assert np.allclose(values, source.to_numpy(float))
        else:
            assert list(values) == [expected_text(v) or "" for v in source.astype(object).where(
                source.notna(), None)], column


@pytest.mark.skipif(not (shutil.which("libreoffice") or shutil.which("soffice")),
                    reason="LibreOffice is not installed")
def test_libreoffice_opens_the_file(table, tmp_path):
    write_customer_list(table, tmp_path / "lo.xlsx", lang="en")
    office = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([office, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path),
                    str(tmp_path / "lo.xlsx")], check=True, capture_output=True, timeout=180)
    with open(tmp_path / "lo.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Customer key" and rows[1][0] == "007" and rows[3][0] == "欧阳娜娜"
    assert math.isclose(float(rows[1][2].replace(",", "")), 12.5)


def test_a_text_column_stored_in_pieces_is_written(tmp_path):
    """pandas may hold a text column as several arrow chunks (a concat, a campaign's results)."""
    import pyarrow as pa

    from core.exports import write_table

    pieces = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["a", "=b"], ["c"]])))
    path = tmp_path / "pieces.xlsx"
    write_table(pd.DataFrame({"name": pieces, "orders": [1, 2, 3]}), path, xlsx=True)
    sheet = openpyxl.load_workbook(path).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["name", "orders"], ["a", 1], ["'=b", 2], ["c", 3]]
