"""Read one export file (CSV/TSV/TXT or XLSX/XLS) into a table of text cells with spreadsheet row numbers."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from core.errors import InputError, Problem
from core.importing import decode, sheet_limits
from core.importing.profiles import normalize_header
from core.importing.sniff import (SAMPLE_BYTES, Layout, decode_sample, detect_encoding,
                                  find_layout)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-protected .xlsx
MAX_ROW_PROBLEMS = 20
HEADER_SEARCH_ROWS = 40  # a spreadsheet's header row is looked for in its first rows


@dataclass
class RawFile:
    """The text cells of one file: `header` as written, rows numbered as a spreadsheet shows them."""

    path: Path
    encoding: str
    header: tuple[str, ...]
    first_row: int = 2  # spreadsheet row number of the first data row
    layout: Layout | None = None
    sheet_rows: list[list[str | None]] | None = None  # spreadsheets are read eagerly
    problems: list[Problem] = field(default_factory=list)
    utf8_errors: bool = False  # said to be UTF-8, but holds bytes that are not

    def column_index(self) -> dict[str, str]:
        """Normalised header name → the name as written (the first one when names repeat)."""
        index: dict[str, str] = {}
        for name in self.header:
            index.setdefault(normalize_header(name), name)
        return index


def open_file(path: Path, vocabulary: set[str]) -> RawFile:
    """Look at a file's first bytes and find its kind, encoding and header row.

    Raises InputError with a specific message for empty, binary, corrupt and protected files.
    """
    try:
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
            whole = len(sample) < SAMPLE_BYTES
    except FileNotFoundError:
        raise InputError(Problem.make(path, None, None, "import.file_not_found")) from None
    except IsADirectoryError:
        raise InputError(Problem.make(path, None, None, "import.is_directory")) from None
    except PermissionError:
        raise InputError(Problem.make(path, None, None, "import.no_permission")) from None
    if not sample.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise InputError(Problem.make(path, None, None, "import.empty_file"))
    if sample.startswith(ZIP_MAGIC) or sample.startswith(OLE_MAGIC):
        return _open_spreadsheet(path, sample, vocabulary)
    encoding = detect_encoding(sample, whole)
    if not encoding or (b"\x00" in sample and not encoding.startswith("utf-16")):
        raise InputError(Problem.make(path, None, None, "import.binary_file"))
    text = decode_sample(sample, encoding)
    if not whole:  # the last line of the sample may be cut
        text = text[: text.rfind("\n") + 1] or text
    layout = find_layout(text, encoding, vocabulary)
    if not layout.header:
        raise InputError(Problem.make(path, None, None, "import.no_header"))
    return RawFile(path, encoding, layout.header, layout.header_line + 2, layout)


def read_columns(raw: RawFile, columns: list[str], footer_patterns=()) -> tuple[pa.Table, list[Problem]]:
    """Read the named columns (names as written in the header) as text, every cell a string or
    null; rows with the wrong number of cells are skipped and reported, unless they match one of
    the report's `footer_patterns` (eBay's `6,record(s) downloaded,…`); bytes that cannot be
    decoded are replaced and reported with their row."""
    if raw.sheet_rows is not None:
        return _sheet_table(raw, columns), []
    names = _unique(raw.header)
    wanted = [names[raw.header.index(c)] for c in columns]
    for block_size in BLOCK_SIZES:
        try:
            # First the fast parallel read, which does not look for quoted line breaks at block
            # boundaries; a cut there shows as rows with the wrong number of cells, and only then
            # is the file read again the slow, always-right way.
            table, bad_rows, errors = _read_csv(raw, names, wanted, False, block_size)
            if table is None or bad_rows:
                table, bad_rows, errors = _read_csv(raw, names, wanted, True, block_size)
            break
        except _CellTooLarge:
            continue
    else:
        raise InputError(Problem.make(raw.path, None, None, "import.cell_too_large",
                                      size=f"{BLOCK_SIZES[-1] >> 20:,}"))
    table = table.rename_columns(columns)
    problems = _bad_row_problems(raw, len(names), footer_patterns) if bad_rows else []
    return table, _decode_problems(raw, errors) + problems


# Bytes pyarrow parses at a time; a cell longer than a block (a pasted page in a note) needs a
# larger one, tried only when needed.
BLOCK_SIZES = (1 << 20, 1 << 25, 1 << 28)


class _CellTooLarge(Exception):
    """One cell is longer than pyarrow's block: read again with a larger block."""


def _read_csv(raw: RawFile, names, wanted, newlines_in_values: bool, block_size: int):
    """One pyarrow read: (table, bad rows, decoding errors); (None, [], None) when the fast mode
    met a line break inside a quoted cell. Valid UTF-8 is read straight from the file; any other
    encoding, and UTF-8 with bytes that are not, through decode.DecodingReader."""
    bad_rows = []

    def bad_row(row) -> str:
        bad_rows.append(row)
        return "skip"

    direct = raw.encoding in ("utf-8", "utf-8-sig") and not raw.utf8_errors
    source = raw.path if direct else io.BufferedReader(
        decode.DecodingReader(raw.path, raw.encoding), buffer_size=1 << 20)
    # pyarrow hands a skipped row to bad_row as text: a row that is not valid UTF-8 makes that
    # step fail inside pyarrow, which prints the error and stops the read. Caught here, it sends
    # the file through the decoder like any other invalid UTF-8.
    handler_failed = []
    hook, sys.unraisablehook = sys.unraisablehook, handler_failed.append
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(encoding="utf8", skip_rows=raw.layout.header_line + 1,
                                           column_names=names, block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=raw.layout.delimiter,
                                             newlines_in_values=newlines_in_values,
                                             invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted, column_types={c: pa.string() for c in wanted},
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""]),
        )
    except pa.ArrowInvalid as error:
        text = str(error)
        if not newlines_in_values and "newlines_in_values" in text:
            return None, [], None
        if "straddl" in text or "block size" in text:
            raise _CellTooLarge from None
        if direct and ("UTF8" in text or handler_failed):
            # Not valid UTF-8 after all: decide again on the whole file's evidence, then read
            # through the decoder, which replaces and counts what it cannot read.
            raw.utf8_errors = True
            decided = decode.decide(decode.scan(raw.path))
            if decided != "utf-8":
                raw.encoding = decided
            return _read_csv(raw, names, wanted, newlines_in_values, block_size)
        raise InputError(Problem.make(raw.path, None, None, "import.unreadable_table")) from None
    finally:
        sys.unraisablehook = hook
        if not direct:
            source.close()
    return table, bad_rows, None if direct else source.raw.errors


def _decode_problems(raw: RawFile, errors) -> list[Problem]:
    """One problem per row holding bytes that could not be read in the file's encoding."""
    if errors is None or not errors.count:
        return []
    shown = sorted(errors.rows.items())[:MAX_ROW_PROBLEMS]
    rows = _spreadsheet_rows(raw, [line for line, _ in shown])
    problems = [Problem.make(raw.path, rows[line], None, "import.undecodable_bytes", count=count,
                             encoding=raw.encoding) for line, count in shown]
    rest = errors.count - sum(count for _, count in shown)
    if rest:
        problems.append(Problem.make(raw.path, None, None, "import.more_undecodable_bytes",
                                     count=f"{rest:,}"))
    return problems


def _spreadsheet_rows(raw: RawFile, lines: list[int]) -> dict[int, int]:
    """The row a spreadsheet shows for each physical line (1-based, ascending): a cell with line
    breaks makes one row of several lines. Reads only as far as the last line asked for."""
    import csv

    out = {}
    wanted = iter(lines)
    line = next(wanted, None)
    with raw.path.open(encoding=raw.encoding, errors="replace", newline="") as f:
        records = csv.reader(f, delimiter=raw.layout.delimiter)
        for number, _ in enumerate(records, start=1):
            while line is not None and line <= records.line_num:
                out[line] = number
                line = next(wanted, None)
            if line is None:
                break
    while line is not None:  # past the last record (a cut file)
        out[line] = line
        line = next(wanted, None)
    return out


def _bad_row_problems(raw: RawFile, expected: int, footer_patterns=()) -> list[Problem]:
    """Spreadsheet row numbers of the rows with the wrong number of cells. pyarrow does not
    know them when it reads in parallel, so this rare path re-reads the file with the csv module."""
    import csv

    problems = []
    with raw.path.open(encoding=raw.encoding, errors="replace", newline="") as f:
        records = csv.reader(f, delimiter=raw.layout.delimiter)
        for number, record in enumerate(records, start=1):
            if number <= raw.layout.header_line + 1 or not record or len(record) == expected:
                continue
            text = raw.layout.delimiter.join(record)
            if any(re.search(pattern, text) for pattern in footer_patterns) or not text.strip(" ,;\t"):
                continue
            if len(problems) == MAX_ROW_PROBLEMS:
                problems.append(Problem.make(raw.path, None, None, "import.more_bad_rows"))
                break
            problems.append(Problem.make(raw.path, number, None, "import.bad_row_cells",
                                         expected=expected, found=len(record)))
    return problems


def _unique(header: tuple[str, ...]) -> list[str]:
    """Header names made unique so repeated names (`Notes`, `Notes`) can each be read."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def _open_spreadsheet(path: Path, sample: bytes, vocabulary: set[str]) -> RawFile:
    from python_calamine import CalamineWorkbook  # imported here: only spreadsheets need it

    legacy = sample.startswith(OLE_MAGIC)
    # calamine aborts the process on a sheet too large for memory: measure the sheets first.
    (sheet_limits.check_xls if legacy else sheet_limits.check_xlsx)(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        best = None  # (known header names, sheet, its rows so far, header index)
        for number in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(number)  # one sheet in memory besides the best
            rows = sheet.iter_rows()
            top = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
            for index, row in enumerate(top):
                known = sum(normalize_header(cell) in vocabulary for cell in row if cell != "")
                if best is None or known > best[0]:
                    best = (known, sheet, top, rows, index)
        if best is None:
            raise InputError(Problem.make(path, None, None, "import.empty_file"))
        _, sheet, top, rows, index = best
        # Rows start at row 1, but cells at the sheet's first filled column: pad them back to A.
        pad = sheet.start[1] if sheet.start else 0
        header = ("",) * pad + tuple(_cell_text(c) or "" for c in top[index])
        while header and header[-1] == "":
            header = header[:-1]
        width = len(header) - pad
        body = [[None] * pad + [_cell_text(c) for c in row[:width]]
                for row in itertools.chain(top[index + 1:], rows)]
    except InputError:
        raise
    except Exception:  # calamine raises its own error types for every kind of damage
        key = "import.protected_or_corrupt" if legacy else "import.corrupt_xlsx"
        raise InputError(Problem.make(path, None, None, key)) from None
    return RawFile(path, "xlsx", header, index + 2, None, body)


def _sheet_table(raw: RawFile, columns: list[str]) -> pa.Table:
    positions = [raw.header.index(c) for c in columns]
    rows = raw.sheet_rows
    data = {name: pa.array([row[p] if p < len(row) else None for row in rows], pa.string())
            for name, p in zip(columns, positions)}
    return pa.table(data) if data else pa.table({"_": pa.nulls(len(rows), pa.string())})


def _cell_text(value) -> str | None:
    """A spreadsheet cell as the text a CSV export would hold (ids stay exact, dates ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)
