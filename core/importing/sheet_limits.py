"""How large a spreadsheet may grow once opened, checked before calamine reads it.

calamine holds a sheet as one block of every cell from the top-left to the bottom-right filled
cell, and aborts the whole process (a native panic no `except` catches) when that block does not
fit in memory: one stray cell at XFD1048576 asks for 512 GB. So the sheets' extents are read here
first, from the file itself, and a sheet that would be too large is refused with a message.
"""
from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from pathlib import Path

from core.errors import InputError, Problem
from core.xlsx_writer import column_letter

# Cells one sheet may span (rows × columns, empty ones included): a full Excel sheet of 20
# columns. calamine takes ~50 bytes a cell and the import ~110 more: 1,048,575 rows × 20 columns
# peaked at 3.4 GB (94 s), inside the 4 GB the app is built for. Wider exports fit fewer rows
# (a 50-column Shopee export: 440,000 rows); a CSV of any length has no such limit.
MAX_SHEET_CELLS = 22_000_000
# Bytes the XML inside an .xlsx may unpack to. That full 20-column sheet is 1.0 GB of XML (~48
# bytes a cell with inline strings, less with shared strings); beyond 1.5 GB it is not data.
MAX_XML_BYTES = 1_500_000_000
# Real sheet XML packs 5–20 times smaller; 300 MB of spaces packs 1000 times. calamine keeps such
# a run of blanks in memory, so a part that unpacks far more than data does is refused early.
MAX_PACKING_RATIO = 100
PACKING_CHECKED_FROM = 50_000_000  # bytes unpacked: smaller parts cannot hurt, whatever the ratio
CHUNK = 1 << 20

_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>')  # a cell's ref; `/>` ends an empty one
_FILLED_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"[^>]*(?<!/)>')  # the row of a filled cell


def check_xlsx(path: Path) -> None:
    """Refuse an .xlsx that unpacks to too much XML or has a sheet spanning too many cells."""
    try:
        with zipfile.ZipFile(path) as book:
            names = _sheet_names(book)
            unpacked = 0
            for part in book.infolist():
                name = part.filename
                if not name.endswith((".xml", ".rels")):  # pictures and macros: calamine skips them
                    continue
                sheet = names.get(name) or (
                    name.rsplit("/", 1)[-1][:-4]  # no tab name found: the part's own name
                    if name.startswith("xl/worksheets/") and name.endswith(".xml") else None)
                unpacked = _read_part(path, book, part, sheet, unpacked)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            RuntimeError, NotImplementedError):  # damaged, encrypted or packed in an unknown way
        raise InputError(Problem.make(path, None, None, "import.corrupt_xlsx")) from None


def _read_part(path: Path, book: zipfile.ZipFile, part: zipfile.ZipInfo, sheet: str | None,
               unpacked: int) -> int:
    """Unpack one part of the zip as a stream, counting its bytes (the sizes the zip states may
    lie) and, for a worksheet, finding how far its filled cells reach. Returns the bytes so far."""
    extent = _Extent()
    tail = b""
    with book.open(part) as stream:
        read = 0
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if unpacked + read > MAX_XML_BYTES:
                raise InputError(Problem.make(path, None, None, "import.spreadsheet_too_large",
                                              limit=f"{MAX_XML_BYTES // 1_000_000:,}"))
            if read > PACKING_CHECKED_FROM and read > MAX_PACKING_RATIO * part.compress_size:
                raise InputError(Problem.make(path, None, None, "import.spreadsheet_padded",
                                              size=f"{read // 1_000_000:,}",
                                              packed=f"{part.compress_size // 1000:,}"))
            if sheet is not None:
                data, tail = _split_open_tag(tail + chunk)
                extent.scan(data)
    if sheet is not None:
        extent.scan(tail)
        _check_extent(path, sheet, extent.rows, extent.columns)
    return unpacked + read


def _split_open_tag(data: bytes) -> tuple[bytes, bytes]:
    """`data` without a tag cut by the chunk's end, and that tag, to be read with the next chunk."""
    cut = data.rfind(b"<", max(0, len(data) - 4096))
    if cut < 0 or data.find(b">", cut) >= 0:
        return data, b""
    return data[:cut], data[cut:]


class _Extent:
    """How far the filled cells of one sheet's XML reach. Rows come in order, so the last filled
    cell gives the last row; the widest column is searched with a pattern for "any column after
    the widest so far", which runs at the speed of re and stops only on wider cells."""

    def __init__(self):
        self.rows = self.columns = 0
        self._wider = _after_column(0)

    def scan(self, data: bytes) -> None:
        at = 0
        while found := self._wider.search(data, at):
            cell = _REF.match(data, found.start())
            at = found.start() + 1
            if cell and not cell.group(0).endswith(b"/>"):  # `/>`: formatted but empty, skipped
                self.columns = _column_number(cell.group(1))
                self._wider = _after_column(self.columns)
        window = 1 << 12  # the last filled cell is near the end: look there first, then wider
        while True:
            start = max(0, len(data) - window)
            last = None
            for last in _FILLED_ROW.finditer(data, start):
                pass
            if last is not None or start == 0:
                break
            window <<= 4
        if last is not None:
            self.rows = max(self.rows, int(last.group(1)))


def _after_column(number: int) -> re.Pattern:
    """A pattern for a cell ref whose column comes after column `number` (1 = A; 0: any)."""
    if number == 0:
        return re.compile(rb' r="[A-Z]')
    letters = column_letter(number - 1)
    longer = [f"[A-Z]{{{len(letters) + 1},3}}"] if len(letters) < 3 else []
    later = [letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + "[A-Z]" * (len(letters) - i - 1)
             for i, ch in enumerate(letters) if ch != "Z"]
    return re.compile(rb' r="(?:' + "|".join(longer + later).encode() + rb')[0-9]')


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _sheet_names(book: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name as Excel shows it on the tab."""
    try:  # small parts: a few kB, read no further than 8 MB whatever they say
        with book.open("xl/workbook.xml") as part:
            workbook = part.read(CHUNK * 8).decode("utf-8", "replace")
        with book.open("xl/_rels/workbook.xml.rels") as part:
            rels = part.read(CHUNK * 8).decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rel_id, target = re.search(r'\bId="([^"]*)"', tag), re.search(r'\bTarget="([^"]*)"', tag)
        if rel_id and target:
            target = target.group(1)  # relative to xl/, or absolute from the zip's root
            targets[rel_id.group(1)] = target[1:] if target.startswith("/") else "xl/" + target
    names = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name, rel_id = re.search(r'\bname="([^"]*)"', tag), re.search(r'\b\w+:id="([^"]*)"', tag)
        if name and rel_id and rel_id.group(1) in targets:
            names[targets[rel_id.group(1)]] = html.unescape(name.group(1))
    return names


def _check_extent(path: Path, sheet: str, rows: int, columns: int) -> None:
    if rows * columns > MAX_SHEET_CELLS:
        raise InputError(Problem.make(path, None, None, "import.sheet_too_large", sheet=sheet,
                                      last_column=column_letter(columns - 1), last_row=f"{rows:,}",
                                      cells=f"{rows * columns:,}", limit=f"{MAX_SHEET_CELLS:,}"))


# Legacy .xls: an OLE compound file holding a BIFF record stream. calamine reserves room for a
# sheet's DIMENSIONS record as well as for its cells, so both are checked.
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS, _MULRK = 0x0809, 0x000A, 0x0085, 0x0200, 0x00BD
_VALUE_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}  # blanks excluded
_END_OF_CHAIN = 0xFFFFFFFE


def check_xls(path: Path) -> None:
    """Refuse a legacy .xls whose sheet would span too many cells. A file that is no workbook
    (an encrypted .xlsx, a damaged file) is left to calamine, which says what it is."""
    data = path.read_bytes()
    try:
        stream, biff8 = _workbook_stream(data)
    except (struct.error, IndexError, KeyError, ValueError):
        return
    if stream is None:
        return
    names, extents, open_, offset = {}, [], [], 0  # open_: substreams begun, not yet ended
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        record = stream[offset + 4: offset + 4 + size]
        sheet = open_[-1] if open_ else None
        if kind == _BOF and len(record) >= 4:  # a sheet, or a chart inside one
            open_.append([names.get(offset, f"#{len(extents) + 1}"), 0, 0])
            extents.append(open_[-1])
        elif kind == _EOF and open_:
            open_.pop()
        elif kind == _BOUNDSHEET and len(record) >= 8:
            names[struct.unpack_from("<I", record)[0]] = _boundsheet_name(record, biff8)
        elif sheet is not None and kind == _DIMENSIONS and len(record) >= 10:
            wide = biff8 and len(record) >= 12  # BIFF8 counts rows in 4 bytes, BIFF5 in 2
            rows, columns = struct.unpack_from("<IIHH" if wide else "<HHHH", record)[1::2]
            sheet[1], sheet[2] = max(sheet[1], rows), max(sheet[2], columns)
        elif sheet is not None and (kind in _VALUE_CELLS or kind == _MULRK) and len(record) >= 4:
            row, column = struct.unpack_from("<HH", record)
            if kind == _MULRK and len(record) >= 6:
                column = struct.unpack_from("<H", record, len(record) - 2)[0]
            sheet[1], sheet[2] = max(sheet[1], row + 1), max(sheet[2], column + 1)
        offset += 4 + size
    for name, rows, columns in extents:
        _check_extent(path, name, rows, columns)


def _boundsheet_name(record: bytes, biff8: bool) -> str:
    count = record[6]
    if biff8 and len(record) > 7:
        wide = record[7] & 1
        return record[8: 8 + count * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1",
                                                               "replace")
    return record[7: 7 + count].decode("latin-1", "replace")


def _workbook_stream(data: bytes) -> tuple[bytes | None, bool]:
    """The `Workbook` (BIFF8) or `Book` (BIFF5) stream of an OLE compound file."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini_fat, _, first_difat, difat_count = struct.unpack_from("<IIIII", data, 0x38)
    if shift not in (9, 12) or mini_shift != 6:  # 512- or 4096-byte sectors, 64-byte mini ones
        return None, False
    size = 1 << shift

    def sector(number: int) -> bytes:
        return data[(number + 1) * size: (number + 2) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    for _ in range(difat_count):
        if first_difat >= _END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(first_difat))
        fat_sectors += entries[:-1]
        first_difat = entries[-1]
    fat_sectors = fat_sectors[:fat_count]
    fat = b"".join(sector(n) for n in fat_sectors)
    fat = struct.unpack(f"<{len(fat) // 4}I", fat[: len(fat) // 4 * 4])

    def chain(start: int, table, read) -> bytes:
        parts, seen = [], set()
        while start < len(table) and start not in seen:  # a loop in a damaged file ends too
            seen.add(start)
            parts.append(read(start))
            start = table[start]
        return b"".join(parts)

    directory = chain(first_dir, fat, sector)
    entries = {}
    for at in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, at + 64)[0]
        name = directory[at: at + max(0, length - 2)].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<II", directory, at + 116)
        entries.setdefault(name, (directory[at + 66], start, stream_size))
    biff8 = "Workbook" in entries
    entry = entries.get("Workbook") or entries.get("Book")
    if entry is None:
        return None, False
    _, start, stream_size = entry
    if stream_size >= cutoff:
        return chain(start, fat, sector)[:stream_size], biff8
    # A small stream lives in the mini stream: 64-byte sectors inside the root entry's stream.
    root = next((e for e in entries.values() if e[0] == 5), None)
    if root is None:
        return None, False
    mini_stream = chain(root[1], fat, sector)
    mini_fat = chain(first_mini_fat, fat, sector)
    mini_fat = struct.unpack(f"<{len(mini_fat) // 4}I", mini_fat[: len(mini_fat) // 4 * 4])
    mini = 1 << mini_shift
    stream = chain(start, mini_fat, lambda n: mini_stream[n * mini: (n + 1) * mini])
    return stream[:stream_size], biff8
