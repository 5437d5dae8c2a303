"""Streaming XLSX writer on pyarrow string kernels: openpyxl/xlsxwriter take minutes per 1M rows."""
from __future__ import annotations

import contextlib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_CHARS = 32_767  # characters of one cell; longer text is cut
# Cell kinds: text, number, bool, money (a number shown with 2 decimals), date, datetime.
STYLES = {"header": 1, "date": 2, "datetime": 3, "money": 4}  # index in STYLES_XML's cellXfs
ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # not in XML 1.0 at all: dropped
EPOCH = np.datetime64("1899-12-30", "us")  # day 0 of Excel's serial dates
FIRST_SERIAL = np.datetime64("1900-03-01", "us")  # Excel has a 29 Feb 1900: before, ISO text
ZIP64_FROM = 1 << 30  # XML size from which a sheet gets zip64 (Excel rejects needless zip64)
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XF = ('<xf numFmtId="{}" fontId="{}" fillId="0" borderId="0" xfId="0" applyFont="1" '
       'applyNumberFormat="1"/>')
STYLES_XML = (
    f'<styleSheet xmlns="{SHEET_NS}"><numFmts count="2"><numFmt numFmtId="164" '
    'formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
    '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
    '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5">'
    + "".join(_XF.format(*xf) for xf in ((0, 0), (0, 1), (164, 0), (165, 0), (4, 0)))
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>")


def column_letter(index: int) -> str:
    """A, B, …, Z, AA, … for 0, 1, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _s(text: str | None) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _join(*parts, nulls: str = "emit_null") -> pa.Array:
    """Element-wise concatenation of string arrays and str constants (by default null → null)."""
    parts = [_s(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*parts, _s(""), null_handling=nulls)


def _bytes(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a large_string array and its offsets into them (no copy)."""
    if isinstance(text, pa.ChunkedArray):  # a column built in pieces: one buffer first
        text = text.combine_chunks()
    offsets = np.frombuffer(text.buffers()[1], np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return data[offsets[0]:offsets[-1]], offsets - offsets[0]


def _text_cells(values, column: str, rows: pa.Array, style: str = "") -> pa.Array:
    """Inline-string cells: what XML 1.0 cannot hold dropped, cut at MAX_CHARS, & < > escaped, CR
    as `&#13;` (a parser would read a raw one as LF), a literal `_xHHHH_` escaped (Excel decodes
    those), edge whitespace preserved; empty text: no cell. A scan of the bytes (cheap) skips the
    string kernels (not cheap) that no value needs."""
    text = pc.cast(pa.array(values, from_pandas=True), pa.large_string())
    data, offsets = _bytes(text)
    control, lead = (data < 32).any(), np.flatnonzero(data[:-2] == 0xEF)  # U+FFFE/F: EF BF BE/F
    if (control and ((data < 9) | (data == 11) | (data == 12) | ((data > 13) & (data < 32))).any()
            or len(lead) and ((data[lead + 1] == 0xBF) & (data[lead + 2] >= 0xBE)).any()):
        text = pc.replace_substring_regex(text, ILLEGAL, "")
    if len(text) and np.diff(offsets).max() > MAX_CHARS:
        text = pc.utf8_slice_codeunits(text, 0, MAX_CHARS)
    data, offsets = _bytes(text)
    filled, edge = offsets[1:] > offsets[:-1], np.zeros(len(text), bool)
    if filled.any():
        space = np.isin(np.arange(256), (9, 10, 13, 32))
        edge[filled] = space[data[offsets[:-1][filled]]] | space[data[offsets[1:][filled] - 1]]
    if (data == ord("_")).any():
        text = pc.replace_substring_regex(text, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        if (char != "\r" or control) and (data == ord(char)).any():
            text = pc.replace_substring(text, char, entity)
    text = pc.if_else(pa.array(filled), text, _s(None))
    preserve = pc.if_else(pa.array(edge), _s(' xml:space="preserve"'), _s(""))
    return _join(f'<c r="{column}', rows, f'"{style} t="inlineStr"><is><t', preserve, ">", text,
                 "</t></is></c>")


def cells(values: pd.Series, kind: str, column: str, rows: pa.Array) -> pa.Array:
    """The <c> elements of one column of a chunk, null where the cell stays empty (missing values,
    empty text, NaN, ±inf); `column` (its letter) and `rows` (numbers as text) address them."""
    style = f' s="{STYLES[kind]}"' if kind in STYLES else ""
    if kind == "text":
        return _text_cells(values, column, rows)
    early = None
    if kind in ("date", "datetime"):
        stamps = np.asarray(values, "datetime64[us]")
        early = ~np.isnat(stamps) & (stamps < FIRST_SERIAL)
        empty = np.isnat(stamps) | early
        serial = (np.where(empty, EPOCH, stamps) - EPOCH) / np.timedelta64(1, "D")
        number = pa.array(serial.astype("int64") if kind == "date" else serial, mask=empty)
    elif kind == "bool":
        number, style = pc.cast(pa.array(values, pa.bool_(), from_pandas=True), pa.int8()), ' t="b"'
    else:
        number = pa.array(values, from_pandas=True)
        if pa.types.is_floating(number.type):
            number = pc.if_else(pc.is_finite(number), number, pa.scalar(None, number.type))
    number = pc.cast(number, pa.large_string())
    out = _join(f'<c r="{column}', rows, f'"{style}><v>', number, "</v></c>")
    if early is not None and early.any():
        iso = pd.Series(values).dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S")
        out = pc.coalesce(out, _text_cells(iso.where(early), column, rows))
    return out


class Workbook:
    """An XLSX file written into the binary `file` one sheet after the other; the end of the `with`
    block completes it (or, on an error, gives it up). Memory stays at about two chunks of rows."""

    def __init__(self, file, compresslevel: int = 1):
        self.zip = zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.names: list[str] = []

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            return self._finish()
        with contextlib.suppress(Exception):  # given up: the error being raised is the one to see
            self.zip.close()

    def add_sheet(self, name: str, titles: list[str], kinds: list[str], widths: list[float],
                  rows: int, chunks) -> None:
        """A sheet `name` with the bold, frozen header row `titles`, then the `rows` rows given by
        `chunks`: lists of columns (array-likes, one per title, all of the chunk's length)."""
        self.names.append(name)
        letters = [column_letter(i) for i in range(len(titles))]
        one = pa.array(["1"], pa.large_string())
        head = "".join([
            f'{XML}<worksheet xmlns="{SHEET_NS}"><dimension ref="A1:{(letters or ["A"])[-1]}'
            f'{rows + 1}"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
            'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/>', "<cols>" * bool(widths),
            *(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
              for i, w in enumerate(widths, start=1)), "</cols>" * bool(widths),
            '<sheetData><row r="1">',
            *(_text_cells([title], letter, one, ' s="1"')[0].as_py() or ""
              for letter, title in zip(letters, titles)), "</row>"])
        out, row, writing = None, 2, None
        try:  # a thread compresses one chunk's XML while the next is made (both free the GIL)
            with ThreadPoolExecutor(1) as pool:
                for columns in chunks:
                    count = len(columns[0]) if len(columns) else 0
                    numbers = pc.cast(pa.array(np.arange(row, row + count)), pa.large_string())
                    xml = _join('<row r="', numbers, '">', *(cells(values, kind, letter, numbers)
                                for values, kind, letter in zip(columns, kinds, letters)),
                                "</row>", nulls="skip")
                    data = _bytes(xml)[0]
                    if out is None:  # zip64 only if the sheet may need it: estimated from chunk 1
                        out = self._open(head, len(data) * rows > ZIP64_FROM * max(count, 1))
                    if writing is not None:
                        writing.result()
                    writing, row = pool.submit(out.write, data), row + count
                if writing is not None:
                    writing.result()
            out = out or self._open(head, False)
            out.write(b"</sheetData></worksheet>")
        except BaseException:
            if out is not None:
                with contextlib.suppress(Exception):
                    out.close()
            raise
        out.close()

    def _open(self, head: str, zip64: bool):
        out = self.zip.open(f"xl/worksheets/sheet{len(self.names)}.xml", "w", force_zip64=zip64)
        out.write(head.encode("utf-8"))
        return out

    def _finish(self) -> None:
        numbers = range(1, len(self.names) + 1)
        sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in zip(numbers, self.names))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in numbers)
        types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                        f'ContentType="{CT}.worksheet+xml"/>' for i in numbers)
        parts = {
            "[Content_Types].xml": f'<Types xmlns="{PKG}/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{CT}.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            f'ContentType="{CT}.styles+xml"/>{types}</Types>',
            "_rels/.rels": f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL}"><sheets>{sheets}'
            "</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}/relationships">{rels}'
            f'<Relationship Id="rId{len(self.names) + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
            "xl/styles.xml": STYLES_XML}
        for part, xml in parts.items():
            self.zip.writestr(part, XML + xml)
        self.zip.close()
