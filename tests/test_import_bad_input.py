"""Bad input never crashes: each case gives a specific problem naming file, row and column."""
import hashlib

import openpyxl
import pytest

from core.importing import import_files
from core.importing.read import OLE_MAGIC

SHOPIFY_HEADER = ("Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,"
                  "Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
                  "Lineitem sku,Billing Name,Billing Zip,Billing Country,Refunded Amount\n")
GOOD_ROW = "#1,a@x.com,paid,,USD,10,0,0,10,0,2025-01-02 10:00:00 +0000,1,Mug,10,M1,Ann,02134,US,\n"


def only_problem(book):
    assert len(book.problems) == 1, [p.message() for p in book.problems]
    return book.problems[0]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize("name,data,message_id", [
    ("empty.csv", b"", "import.empty_file"),
    ("blank.csv", b"\n\n  \r\n", "import.empty_file"),
    ("header_only.csv", SHOPIFY_HEADER, "import.no_data_rows"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01" + bytes(range(256)) * 4,
     "import.binary_file"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 200, "import.corrupt_xlsx"),
    ("locked.xlsx", OLE_MAGIC + b"\x00" * 600, "import.protected_or_corrupt"),
])
def test_unreadable_file_gives_one_clear_problem(tmp_path, name, data, message_id):
    path = write(tmp_path, name, data)
    book = import_files([path])
    problem = only_problem(book)
    assert problem.message_id == message_id
    assert problem.file == str(path)
    assert name in problem.message() and name in problem.message("zh_CN")
    assert book.orders.empty and book.files == []


def test_missing_file_and_folder(tmp_path):
    book = import_files([tmp_path / "nope.csv", tmp_path])
    assert [p.message_id for p in book.problems] == ["import.file_not_found", "import.is_directory"]


def test_unknown_layout_names_closest_profile_and_missing_columns(tmp_path):
    path = write(tmp_path, "orders.csv", "Name,Email,Financial Status,Total,Created at\n#1,a@x.com,paid,10,2025-01-01\n")
    problem = only_problem(import_files([path]))
    assert problem.message_id == "import.unknown_layout"
    text = problem.message()
    assert "Shopify" in text and "Lineitem name" in text and "Financial Status" in text


def test_truncated_file_keeps_good_rows_and_reports_the_cut_row(tmp_path):
    data = SHOPIFY_HEADER + GOOD_ROW + GOOD_ROW.replace("#1", "#2") + "#3,c@x.com,paid,,USD,10"
    path = write(tmp_path, "orders_export_1.csv", data)
    book = import_files([path])
    assert len(book.orders) == 2
    problem = only_problem(book)
    assert problem.message_id == "import.bad_row_cells" and problem.row == 4


def test_bad_cells_name_row_and_column(tmp_path):
    rows = [GOOD_ROW,
            GOOD_ROW.replace("#1", "#2").replace(",10,0,2025", ",ten,0,2025"),
            GOOD_ROW.replace("#1", "#3").replace("2025-01-02 10:00:00 +0000", "yesterday"),
            GOOD_ROW.replace("#1", "#4").replace(",paid,", ",on_hold_by_bank,")]
    path = write(tmp_path, "orders_export_1.csv", SHOPIFY_HEADER + "".join(rows))
    book = import_files([path])
    found = {(p.message_id, p.row, p.column) for p in book.problems}
    assert ("import.bad_money", 3, "Total") in found
    assert ("import.bad_date", 4, "Created at") in found
    assert ("import.unknown_status", 5, "Financial Status") in found
    money = next(p for p in book.problems if p.message_id == "import.bad_money")
    assert "“ten”" in money.message() and "row 3" in money.message()
    # Nothing is guessed: the bad total is empty, the unknown status earns no sales.
    orders = book.orders.set_index("order_id")
    assert orders.loc["#2", "order_total"] != orders.loc["#2", "order_total"]  # NaN
    assert orders.loc["#4", "status"] == "pending"


def test_row_without_order_id_is_reported(tmp_path):
    path = write(tmp_path, "orders_export_1.csv",
                 SHOPIFY_HEADER + GOOD_ROW + GOOD_ROW.replace("#1,a@x.com", ",b@x.com"))
    book = import_files([path])
    problem = only_problem(book)
    assert (problem.message_id, problem.row, problem.column) == ("import.missing_order_id", 3, "Name")


def test_input_files_are_never_modified(tmp_path):
    path = write(tmp_path, "orders_export_1.csv", SHOPIFY_HEADER + GOOD_ROW)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    import_files([path])
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_xlsx_with_banner_rows_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Order export – My Shop"])
    sheet.append([])
    for line in (SHOPIFY_HEADER + GOOD_ROW).splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "orders.xlsx"
    book.save(path)
    result = import_files([path])
    assert result.problems == [] and len(result.orders) == 1
    assert result.orders.loc[0, "source_row"] == 4


def test_order_numbers_shortened_by_excel_are_reported(tmp_path):
    rows = "".join(GOOD_ROW.replace("#1", n) for n in ("3.31235E+18", "3.31235E+18", "#9"))
    book = import_files([write(tmp_path, "orders_export_1.csv", SHOPIFY_HEADER + rows)])
    problem = only_problem(book)
    assert (problem.message_id, problem.row, problem.column) == ("import.id_in_scientific_notation", 2, "Name")
    assert "3.31235E+18" in problem.message() and "2 rows" in problem.message()


def test_line_breaks_inside_quoted_cells_across_read_blocks(tmp_path):
    # Notes with line breaks on every order: some fall on the reader's block boundaries.
    header = SHOPIFY_HEADER.rstrip("\n") + ",Notes\n"
    rows = "".join(GOOD_ROW.replace("#1", f"#{i}").rstrip("\n") + ',"gift wrap\nplease, thanks\n"\n'
                   for i in range(1, 40_000))
    book = import_files([write(tmp_path, "orders_export_1.csv", header + rows)])
    assert book.problems == [] and len(book.orders) == 39_999
