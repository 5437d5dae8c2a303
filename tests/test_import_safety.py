"""Data safety (issue 13): a spreadsheet that would not fit in memory is refused with a message,
never a crash; money that cannot be right (a negative total on a paid order, a column named
twice) is reported with file, row and column.

The crash cases run the import in a child process: calamine aborts the whole process (rc 134)
when a sheet does not fit in memory, so a regression fails the test instead of killing pytest.
"""
import json
import math
import re
import struct
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from core.importing import import_files, sheet_limits
from core.summary import import_summary
from tests.conftest import DATA, ROOT

SHOPEE = DATA / "exports" / "shopee_my_orders_xlsx" / "Order.all.20260601_20260630.xlsx"
SHOPIFY = DATA / "exports" / "shopify_multi_item_refunds" / "orders_export_1.csv"


def import_in_child(path) -> dict:
    code = ("import json, sys\n"
            "from core.importing import import_files\n"
            "book = import_files(sys.argv[1:])\n"
            "print(json.dumps({'orders': len(book.orders),\n"
            "                  'problems': [[p.message_id, p.message()] for p in book.problems]}))\n")
    result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"crashed (rc {result.returncode}): {result.stderr[-1500:]}"
    return json.loads(result.stdout.splitlines()[-1])


def rewrite_sheet(source, target, change) -> None:
    """A copy of an .xlsx with its first sheet's XML passed through `change`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            data = old.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(part.filename, data)


def shopify_xlsx(path, first_column: int = 1, extra=None):
    """The Shopify fixture saved as an .xlsx (as a shop owner does by opening it in Excel)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "orders_export_1"
    for number, line in enumerate(SHOPIFY.read_text("utf-8").splitlines(), start=1):
        cells = line.split(",") + (extra(number) if extra else [])
        for column, value in enumerate(cells, start=first_column):
            sheet.cell(number, column, value or None)
    book.save(path)
    return path


# --- Spreadsheets too large for memory -------------------------------------------------------

def test_a_stray_cell_at_xfd1048576_is_a_message_not_a_crash(tmp_path):
    book = openpyxl.load_workbook(SHOPEE)
    book.active["XFD1048576"] = "x"  # typed far away by mistake: the file stays ~10 kB
    path = tmp_path / SHOPEE.name
    book.save(path)
    result = import_in_child(path)
    assert result["orders"] == 0
    [(message_id, text)] = result["problems"]
    assert message_id == "import.sheet_too_large"
    assert SHOPEE.name in text and "“orders”" in text
    assert "column XFD and row 1,048,576" in text and "Ctrl+End" in text


def test_the_same_export_without_the_stray_cell_is_read(tmp_path):
    book = openpyxl.load_workbook(SHOPEE)
    path = tmp_path / SHOPEE.name
    book.save(path)
    result = import_files([path])
    assert result.problems == [] and len(result.orders) == 9


def test_a_forged_dimension_tag_is_ignored(tmp_path):
    path = tmp_path / SHOPEE.name
    rewrite_sheet(SHOPEE, path, lambda xml: re.sub(rb'<dimension ref="[^"]*"',
                                                   b'<dimension ref="A1:XFD1048576"', xml))
    assert b"A1:XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert import_in_child(path) == {"orders": 9, "problems": []}


def test_a_formatted_empty_cell_far_away_does_not_count(tmp_path):
    path = tmp_path / SHOPEE.name
    rewrite_sheet(SHOPEE, path, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'))
    assert import_in_child(path) == {"orders": 9, "problems": []}


def test_a_sheet_that_really_is_too_large_names_file_and_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_CELLS", 500)  # the fixture: 13 rows × 59 columns
    book = import_files([SHOPEE])
    [problem] = book.problems
    assert problem.message_id == "import.sheet_too_large"
    text = problem.message()
    assert "“orders”" in text and "column BG and row 13" in text and "767 cells" in text
    assert SHOPEE.name in problem.message("zh_CN")


def test_a_padded_sheet_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    # 300 MB of blanks packs into 300 kB; the same ratio at a smaller size keeps the test light.
    monkeypatch.setattr(sheet_limits, "PACKING_CHECKED_FROM", 2_000_000)
    path = tmp_path / "orders_export_1.xlsx"
    rewrite_sheet(shopify_xlsx(tmp_path / "plain.xlsx"), path,
                  lambda xml: xml.replace(b"</sheetData>", b" " * 20_000_000 + b"</sheetData>"))
    book = import_files([path])
    [problem] = book.problems
    assert problem.message_id == "import.spreadsheet_padded"
    assert "orders_export_1.xlsx" in problem.message() and book.orders.empty


def test_a_spreadsheet_unpacking_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_XML_BYTES", 5_000)
    book = import_files([shopify_xlsx(tmp_path / "orders_export_1.xlsx")])
    [problem] = book.problems
    assert problem.message_id == "import.spreadsheet_too_large"
    assert "CSV" in problem.message()


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def legacy_xls(rows, dimensions=None, stray=None, small=False) -> bytes:
    """A BIFF8 .xls (as old ERPs export) with one sheet `Orders`: the globals (shared strings),
    then the sheet's DIMENSIONS and cells, in the `Workbook` stream of an OLE compound file."""
    strings = sorted({v for row in rows for v in row if isinstance(v, str)})
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 0) + s.encode("latin-1") for s in strings)

    def bof(kind):
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0x0600))

    def boundsheet(at):
        return record(0x0085, struct.pack("<IBBBB", at, 0, 0, 6, 0) + b"Orders")

    start = len(bof(5) + boundsheet(0) + record(0x00FC, sst) + record(0x000A))
    cells = b"".join(
        record(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(v))) if isinstance(v, str)
        else record(0x0203, struct.pack("<HHHd", r, c, 0, v))
        for r, row in enumerate(rows) for c, v in enumerate(row))
    if stray:
        cells += record(0x0203, struct.pack("<HHHd", *stray, 0, 1.0))
    height, width = dimensions or (len(rows), len(rows[0]))
    stream = (bof(5) + boundsheet(start) + record(0x00FC, sst) + record(0x000A) + bof(0x10)
              + record(0x0200, struct.pack("<IIHHH", 0, height, 0, width, 0)) + cells + record(0x000A))
    return compound_file(stream, small)


def compound_file(stream: bytes, small: bool) -> bytes:
    """An OLE compound file (512-byte sectors) holding `stream` as `Workbook`: sector 0 is the
    FAT, 1 the directory, 2 the mini FAT, then the data. A `small` stream (under 4096 bytes) sits
    in 64-byte mini sectors inside the root entry's stream, as Excel writes a tiny workbook."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    if not small:
        stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    minis = -(-len(stream) // 64) if small else 0
    data = stream.ljust(-(-len(stream) // 512) * 512, b"\0")
    sectors = len(data) // 512
    fat = [0xFFFFFFFD, end, end] + list(range(4, sectors + 3)) + [end]
    mini_fat = list(range(1, minis)) + [end] if small else []

    def entry(name, kind, first, size, child=free):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, free, free, child)
                + b"\0" * 36 + struct.pack("<IQ", first, size))

    directory = (entry("Root Entry", 5, 3 if small else end, len(data) if small else 0, child=1)
                 + entry("Workbook", 2, 0 if small else 3, len(stream)))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, 1, 1, 0, 4096, 2 if small else end, 1 if small else 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    return (header + struct.pack("<128I", *fat + [free] * (128 - len(fat)))
            + directory.ljust(512, b"\0")
            + struct.pack("<128I", *mini_fat + [free] * (128 - len(mini_fat))) + data)


XLS_ROWS = [["Name", "Email", "Financial Status", "Total", "Created at", "Lineitem name"],
            ["#1001", "a@x.com", "paid", 35.5, "2025-01-02 10:00:00", "Mug"],
            ["#1002", "b@x.com", "paid", 12.0, "2025-01-03 11:00:00", "Cup"]]


@pytest.mark.parametrize("small", [True, False], ids=["tiny", "padded"])
def test_legacy_xls_is_read(tmp_path, small):
    path = tmp_path / "orders.xls"
    path.write_bytes(legacy_xls(XLS_ROWS, small=small))
    book = import_files([path])
    assert book.problems == [] and sorted(book.orders["order_total"]) == [12.0, 35.5]


@pytest.mark.parametrize("small", [True, False], ids=["tiny", "padded"])
@pytest.mark.parametrize("case", [{"dimensions": (0x0FFFFFFF, 0xFFFF)}, {"stray": (0xFFFF, 0xFFFF)}],
                         ids=["forged_dimensions", "stray_cell"])
def test_legacy_xls_too_large_is_a_message_not_a_crash(tmp_path, case, small):
    path = tmp_path / "orders.xls"
    path.write_bytes(legacy_xls(XLS_ROWS, small=small, **case))
    [(message_id, text)] = import_in_child(path)["problems"]
    assert message_id == "import.sheet_too_large" and "“Orders”" in text and "orders.xls" in text


# --- Money that cannot be right ---------------------------------------------------------------

def shopify_csv(tmp_path, change=lambda text: text, name="orders_export_1.csv"):
    path = tmp_path / name
    path.write_text(change(SHOPIFY.read_text("utf-8")), "utf-8")
    return path


def test_negative_total_and_item_amounts_on_paid_orders_are_reported(tmp_path):
    def change(text):
        text = text.replace("USD,30.00,5.00,0.00,35.00,", "USD,30.00,5.00,0.00,-35.00,")  # #1001 paid
        text = text.replace(",1,Bowl,55.00,", ",-1,Bowl,55.00,")  # #1002 paid (partially refunded)
        text = text.replace("USD,20,0,0,20,", "USD,20,0,0,-20,")  # #1003 voided: no sale anyway
        return text.replace(",1,Cup,12,", ",1,Cup,-12,")  # #1004 refunded: no sale anyway

    book = import_files([shopify_csv(tmp_path, change)])
    found = [(p.message_id, p.row, p.column, dict(p.params)["order"]) for p in book.problems]
    assert found == [("import.negative_total", 2, "Total", "#1001"),
                     ("import.negative_item", 4, "Lineitem quantity", "#1002")]
    assert "order #1001 is paid but its total is negative (-35.00)" in book.problems[0].message()
    # Left out like an amount that cannot be read: the order stays, its total adds nothing.
    first = book.orders.set_index("order_id").loc["#1001"]
    assert first["status"] == "paid" and math.isnan(first["order_total"])
    assert import_summary(book)["net_sales"] == {"USD": 40.0}  # #1002 only: 50.00 − 10.00 refunded
    bowl = book.lines[book.lines["product_name"] == "Bowl"].iloc[0]
    assert bowl["unit_price"] == 55.0 and bowl[["quantity", "line_total"]].isna().all()
    assert book.orders.set_index("order_id").loc["#1002", "item_count"] == 0  # not −1


def test_negative_totals_are_reported_up_to_a_limit(tmp_path):
    header = SHOPIFY.read_text("utf-8").splitlines()[0]
    row = SHOPIFY.read_text("utf-8").splitlines()[1].replace(",35.00,", ",-35.00,")
    rows = [row.replace("#1001", f"#{1000 + i}").replace("a@x.com", f"c{i}@x.com") for i in range(15)]
    book = import_files([shopify_csv(tmp_path, lambda _: "\n".join([header, *rows]) + "\n")])
    ids = [p.message_id for p in book.problems]
    assert ids == ["import.negative_total"] * 10 + ["import.more_bad_cells"]
    assert "5 more cells" in book.problems[-1].message()


@pytest.mark.parametrize("case", ["woocommerce_analytics_orders", "generic_transactions_minimal",
                                  "generic_uci_online_retail", "amazon_order_report_tsv",
                                  "shopify_multi_item_refunds"])
def test_legitimate_negative_rows_are_not_reported(case):
    """Refund rows, a negative adjustment inside a positive order, a cancellation invoice and
    promotion discounts written negative are all part of real exports."""
    folder = DATA / "exports" / case
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "case.toml")
    book = import_files(paths)
    assert [p.message() for p in book.problems if "negative" in p.message_id] == []


def test_a_column_named_twice_is_reported_and_the_first_is_used(tmp_path):
    # A second `Total` at the end (a copy pasted for a currency conversion): 10× the real totals.
    def change(text):
        lines = text.splitlines()
        return "\n".join([lines[0] + ",Total"] + [line + ",999" for line in lines[1:]]) + "\n"

    book = import_files([shopify_csv(tmp_path, change)])
    [problem] = book.problems
    assert (problem.message_id, problem.row, problem.column) == ("import.duplicate_column", 1, "Total")
    assert "appears 2 times (columns J, Y); SegmentDesk reads the first one (column J)" in problem.message()
    assert import_summary(book)["net_sales"] == {"USD": 75.0}  # as without the copy


def test_duplicate_column_letters_in_a_sheet_that_starts_in_column_b(tmp_path):
    path = shopify_xlsx(tmp_path / "orders_export_1.xlsx", first_column=2,
                        extra=lambda number: ["Total" if number == 1 else "999"])
    book = import_files([path])
    [problem] = book.problems
    assert problem.message_id == "import.duplicate_column"
    assert "(columns K, Z)" in problem.message() and "(column K)" in problem.message()
    assert import_summary(book)["net_sales"] == {"USD": 75.0}


def test_memory_comes_first_for_exports_beyond_the_fast_allocation_size(tmp_path, monkeypatch):
    # glibc keeps arrays of up to 16 MB for reuse while the exports are of ordinary size, and
    # gives every array of 1 MB or more its own pages (returned when freed) for huge ones.
    from core import memory
    from core.importing import engine

    assert memory.thresholds(0) == (memory.MMAP_THRESHOLD_FAST, memory.TRIM_THRESHOLD_FAST)
    assert memory.thresholds(memory.FAST_UP_TO_BYTES) == memory.thresholds(0)
    assert memory.thresholds(memory.FAST_UP_TO_BYTES + 1) == (1 << 20, 128 << 10)
    assert memory.MMAP_THRESHOLD_FAST > 1 << 20
    seen = []
    monkeypatch.setattr(engine, "allocate_for", seen.append)
    import_files([SHOPIFY, tmp_path / "missing.csv"])
    assert seen == [SHOPIFY.stat().st_size]  # a missing file counts nothing and is reported
    memory.allocate_for(memory.FAST_UP_TO_BYTES + 1)  # callable on this system, then back
    memory.allocate_for(0)
