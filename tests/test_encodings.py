"""Encodings are decided on evidence: every re-saved copy of a real export reads like the original.

The base is the demo's Shopify export (5,938 orders, 2,500 customers, names such as Zoë, Müller,
Ibáñez and 田中). Each case re-saves it the way a seller's tools do (Excel on a Chinese or Western
Windows, UTF-16 "Unicode text", a stray byte from a broken copy, a pasted page in a note) and must
import with the same orders, customers and net sales, names intact, and undecodable bytes reported
with their row, never a refused file.
"""
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.importing import decode, import_files
from core.importing.read import BLOCK_SIZES
from core.summary import import_summary
from tests.conftest import ROOT

DEMO = ROOT / "resources" / "demo" / "shopify_orders_export.csv"


def figures(book):
    summary = import_summary(book)
    return summary["orders"], summary["customers"], summary["net_sales"]


def names(book):
    return set(book.orders["customer_name"].dropna()) if "customer_name" in book.orders else set()


@pytest.fixture(scope="module")
def original():
    text = DEMO.read_text("utf-8")
    book = import_files([DEMO])
    return text, book


def write(tmp_path, data: bytes, name="orders_export_1.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def with_cell(text: str, row: int, column: str, value: str) -> str:
    """`text` with one cell (row as a spreadsheet numbers it) replaced by `value`."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    records[row - 1][records[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    return out.getvalue()


def spreadsheet_row(text: str, line: int) -> int:
    """The row a spreadsheet shows for physical line `line` (cells with line breaks span lines)."""
    return len(list(csv.reader(io.StringIO("\n".join(text.split("\n")[:line]) + "\n"))))


def test_the_base_export_is_what_the_cases_compare_with(original):
    _, book = original
    assert figures(book) == (5938, 2500, {"USD": 797397.05})
    assert book.files[0].encoding == "utf-8" and not book.problems


@pytest.mark.parametrize("line", [41, 8001], ids=["in the first 256 KB", "past the first 256 KB"])
def test_a_stray_byte_in_utf8_is_one_problem_on_its_row(tmp_path, original, line):
    text, book = original
    lines = text.encode("utf-8").split(b"\n")
    name = next(csv.reader([lines[line - 1].decode()]))[24]  # Billing Name
    lines[line - 1] = lines[line - 1].replace(name.encode(), name.encode() + b"\xff", 1)
    damaged = import_files([write(tmp_path, b"\n".join(lines))])
    assert damaged.files[0].encoding == "utf-8"
    assert figures(damaged) == figures(book)
    row = spreadsheet_row(text, line)
    assert row == line if line < 1000 else row < line  # the demo has notes with line breaks
    assert [(p.message_id, p.row) for p in damaged.problems] == [("import.undecodable_bytes", row)]
    assert "row %d" % row in damaged.problems[0].message()
    assert names(book) <= names(damaged) | {name}  # every other name reads as before


def test_a_shopify_export_resaved_as_gbk_reads_like_the_original(tmp_path, original):
    text, book = original
    # Excel on a Chinese Windows writes GBK; characters GBK lacks (ß, ö, ë) become "?".
    resaved = import_files([write(tmp_path, text.encode("gbk", errors="replace"))])
    assert resaved.files[0].encoding == "gb18030" and not resaved.problems
    assert figures(resaved) == figures(book)
    chinese = {n for n in names(book) if not n.isascii() and n.encode("gbk", errors="ignore").decode("gbk") == n}
    assert chinese and chinese <= names(resaved)


def test_chinese_names_in_a_few_rows_past_the_sample_still_decide_gbk(tmp_path, original):
    text, _ = original
    records = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in records if all(cell.isascii() for cell in r)]
    column = records[0].index("Billing Name")
    next(r for r in reversed(rows) if r[column])[column] = "张伟"  # an order's first row
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data = out.getvalue().encode("gbk")
    assert data.index("张伟".encode("gbk")) > 300_000  # the Chinese row is past the first 256 KB
    book = import_files([write(tmp_path, data)])
    assert book.files[0].encoding == "gb18030" and not book.problems
    assert "张伟" in names(book)


@pytest.mark.parametrize("codec,reported", [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
                                            ("utf-16", "utf-16")])
def test_utf16_with_or_without_bom_reads_like_the_original(tmp_path, original, codec, reported):
    text, book = original
    resaved = import_files([write(tmp_path, text.encode(codec))])
    assert resaved.files[0].encoding == reported and not resaved.problems
    assert figures(resaved) == figures(book)
    assert names(resaved) == names(book)


def test_western_windows_resave_keeps_accents(tmp_path, original):
    text, book = original
    resaved = import_files([write(tmp_path, text.encode("cp1252", errors="replace"))])
    assert resaved.files[0].encoding == "cp1252"
    assert figures(resaved) == figures(book)
    western = {n for n in names(book) if n.encode("cp1252", errors="ignore").decode("cp1252") == n}
    assert {n for n in western if not n.isascii()} <= names(resaved)


def test_latin1_uci_transactions_read_as_western_not_central_european(tmp_path):
    rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
            "536401,22423,CRÈME BRÛLÉE SET,2,12/1/2010 11:21,12.75,15862,France",
            "536402,22424,CAFÉ AU LAIT BOWL,1,12/1/2010 11:22,4.95,15863,France",
            "536403,22425,SEÑORITA APRON,1,12/2/2010 09:02,6.50,15864,Spain"]
    book = import_files([write(tmp_path, ("\r\n".join(rows) + "\r\n").encode("latin-1"),
                               "Online Retail.csv")])
    assert book.files[0].encoding == "cp1252" and not book.problems
    assert set(book.lines["product_name"]) == {"CRÈME BRÛLÉE SET", "CAFÉ AU LAIT BOWL",
                                               "SEÑORITA APRON"}


def test_a_10_mb_note_is_read(tmp_path, original):
    text, book = original
    big = with_cell(text, 101, "Notes", "Gift wrap, please. " * (10 * (1 << 20) // 19 + 1))
    assert len(big) - len(text) >= 10 * (1 << 20) > BLOCK_SIZES[0]
    resaved = import_files([write(tmp_path, big.encode("utf-8"))])
    assert figures(resaved) == figures(book) and not resaved.problems


def test_a_cell_too_large_for_any_block_is_our_message(tmp_path, monkeypatch):
    monkeypatch.setattr("core.importing.read.BLOCK_SIZES", (1 << 10, 1 << 12))
    header = "Name,Email,Financial Status,Currency,Total,Created at,Lineitem name,Billing Name\n"
    row = "#1,a@x.com,paid,USD,10,2025-01-02 10:00:00 +0000,Mug,\"%s\"\n" % ("x" * 20_000)
    book = import_files([write(tmp_path, (header + row * 3).encode())])
    assert [p.message_id for p in book.problems] == ["import.cell_too_large"]
    assert "straddl" not in book.problems[0].message()


# --- property: names written in each code page come back --------------------------------------

WORDS = {
    "western": ["François Lefèvre", "Hélène Dubois", "Crème brûlée", "Château Noël", "Jürgen Müller",
                "Größe", "Straße", "Käse", "Björn Åström", "José Peña", "Señor Ibáñez", "Añejo",
                "Camión", "João Gonçalves", "Perú", "Øresund", "Île-de-France", "Ærø", "Mañana",
                "Cañón", "Zoë", "Ça va", "Tschüss", "Smörgås"],
    "polish": ["Łukasz Wójcik", "Zażółć gęślą jaźń", "Małgorzata Dąbrowska", "Kraków", "Gdańsk",
               "Wrocław", "Świętokrzyska", "Źródło", "Łódź", "Poznań", "Grzegorz Brzęczyszczykiewicz",
               "Żaneta Wiśniewska", "Bolesławiec", "Częstochowa"],
    "chinese": ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵丽", "北京市朝阳区",
                "上海市浦东新区", "纯棉T恤", "保温杯", "蓝牙耳机", "广州市天河区", "连衣裙", "运动鞋"],
}
# A Polish file holds a letter only Polish has; without one, cp1252 is preferred (and reads the
# shared letters the same).
POLISH_ONLY = set("ąłżźĄŁŻŹ")
CODEPAGES = [("cp1252", "western"), ("latin-1", "western"), ("cp1250", "polish"),
             ("gbk", "chinese"), ("utf-16-le", "western"), ("utf-16-le", "chinese"),
             ("utf-16", "polish"), ("utf-8", "chinese")]


def customer_file(words: list[str]) -> str:
    rows = ["Name,Email,Billing Name,Billing City,Lineitem name,Total"]
    for number, word in enumerate(words, start=1):
        rows.append(f"#{1000 + number},c{number}@example.com,{word},{words[-number]},"
                    f"{words[number // 2]},{number * 7}.50")
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("codec,language", CODEPAGES, ids=[f"{c}-{w}" for c, w in CODEPAGES])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_names_written_in_a_code_page_come_back(codec, language, data):
    pool = WORDS[language]
    words = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=12))
    if language == "polish" and codec == "cp1250":
        words.append(data.draw(st.sampled_from([w for w in pool if POLISH_ONLY & set(w)])))
    text = customer_file(words)
    raw = text.encode(codec)
    encoding = decode.detect(raw, whole=True)
    assert encoding, "refused as not text"
    reader = decode.DecodingReader(io.BytesIO(raw), encoding)
    assert reader.read().decode("utf-8") == text
    assert reader.errors.count == 0


def test_a_broken_row_with_a_bad_byte_is_skipped_not_the_file(tmp_path, original, recwarn):
    """pyarrow's skipped-row handler cannot take a row that is not UTF-8: the row is reported
    (wrong cell count, bad byte), the other orders stay."""
    text, book = original
    lines = text.encode("utf-8").split(b"\n")
    lines.insert(8000, b"#9999,broken@example.com,paid,\xff\xfe,USD")
    damaged = import_files([write(tmp_path, b"\n".join(lines))])
    assert figures(damaged) == figures(book)
    assert {p.message_id for p in damaged.problems} == {"import.bad_row_cells", "import.undecodable_bytes"}
    assert {p.row for p in damaged.problems} == {spreadsheet_row(text, 8000) + 1}
    assert not [w for w in recwarn if "unraisable" in str(w.category).lower()]


def _fits_gb18030_one_character_at_a_time(evidence: bytes) -> bool:
    """decode._fits_gb18030 as its docstring reads, character by character (it counts per distinct one)."""
    text = evidence.decode("gb18030", errors="replace")
    found = common = 0
    for at, character in enumerate(text):
        if character.isascii():
            continue
        found += 1
        before, after = text[at - 1:at] or " ", text[at + 1:at + 2] or " "
        if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
            continue
        try:
            character.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    errors = text.count("\ufffd")
    return bool(found) and errors <= decode.CJK_MAX_ERRORS * found and common >= decode.CJK_MIN_COMMON * found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab Z1,\n订单号收货地址ñé耋€Ω", max_size=40),
       st.sampled_from(["gb18030", "utf-8", "cp1252"]))
def test_the_gb18030_evidence_counts_as_one_character_at_a_time(text, encoding):
    try:
        evidence = text.encode(encoding)
    except UnicodeEncodeError:
        return
    assert decode._fits_gb18030(evidence) == _fits_gb18030_one_character_at_a_time(evidence)
