"""Customer lists per segment, and the one writer of every saved table: CSV or XLSX safe to open.

`customer_list` builds the list (one row per customer of the chosen segments, with contacts, scores,
the segment's persona and strategy); `write_customer_list` saves it atomically, never over an input
file, never over an existing file unless asked. `write_table` writes any table (the lists and every
command's `--csv`, file or stdout) with every text cell that a spreadsheet would read as a formula
(`=`, `+`, `-`, `@`, TAB, CR first) prefixed with `'`.
"""
from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from core.errors import InputError, Problem
from core.i18n import catalog_lang, t
from core.jobs import Progress
from core.model import OrderBook
from core.safe_write import atomic_path
from core.segments import Segmentation

# Columns of a customer list, in order; contact columns are left out when no customer has a value.
COLUMNS = ("customer_key", "name", "email", "phone", "buyer_id", "platforms", "segment", "r", "f",
           "m", "orders", "net_sales", "currency", "last_order", "persona", "strategy")
CONTACT_COLUMNS = ("email", "phone", "buyer_id")
FORMATS = (".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_576  # rows of one Excel sheet, header included
EXCEL_MAX_CHARS = 32_767  # characters of one Excel cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"[=+\-@\t\r]"
# XLSX drops the characters XML cannot hold (core.xlsx_writer): what follows them comes first.
_XML_FORMULA_START = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*" + _FORMULA_START
CHUNK_ROWS = 100_000  # rows converted and written at a time: memory stays bounded
BOM = "\ufeff".encode("utf-8")


class ExportError(InputError):
    """A customer list cannot be saved at the path asked for; the Problem names the path and why."""


def _error(path, message_id: str, **params) -> ExportError:
    return ExportError(Problem.make(str(path), None, None, message_id, path=str(path), **params))


# --- building the list --------------------------------------------------------------------------

def segment_ids(seg: Segmentation, names: Iterable[str]) -> list[str]:
    """The segment ids meant by `names`: each an id (`champions`, `high`) or the segment's English
    or Chinese name, in any case. Raises ExportError `export.unknown_segment` listing the valid ones.
    A segment of the map that has no customers in this data is valid (its list is empty)."""
    labels = dict(seg.labels)
    from core.segments.maps import MAP_IDS, load_map

    if seg.map_id in MAP_IDS:
        labels.update({k: v for k, v in load_map(seg.map_id).labels.items() if k not in labels})
    lookup = {}
    for sid, label in labels.items():
        for key in (sid, label.name, label.name_zh):
            lookup.setdefault(str(key).strip().casefold(), sid)
    out = []
    for name in names:
        sid = lookup.get(str(name).strip().casefold())
        if sid is None:
            valid = ", ".join(f"{sid} ({label.name} / {label.name_zh})" for sid, label in labels.items())
            raise ExportError(Problem.make("", None, None, "export.unknown_segment", name=name,
                                           map=seg.map_id, valid=valid))
        if sid not in out:
            out.append(sid)
    return out


def _usable(values: pd.Series, masked_ok: bool) -> pd.Series:
    """Values with something in them; masked ones (138****5721, t**8) are no contact."""
    text = values.astype("str")
    ok = values.notna() & (text.str.strip() != "")
    if not masked_ok:
        ok &= ~text.str.contains("*", regex=False).fillna(False)
    return text.where(ok)


def _contacts(book: OrderBook, keys: pd.Index) -> pd.DataFrame:
    """Per customer: the latest usable name and contacts over all their orders, and their platforms."""
    orders = book.orders[["customer_key", "placed_at", "customer_name", *CONTACT_COLUMNS, "platform"]]
    orders = orders[orders["customer_key"].isin(keys)].sort_values("placed_at", kind="stable")
    by = orders["customer_key"]
    out = pd.DataFrame(index=keys)
    out["name"] = _usable(orders["customer_name"], masked_ok=True).groupby(by).last()
    for column in CONTACT_COLUMNS:
        out[column] = _usable(orders[column], masked_ok=False).groupby(by).last()
    pairs = orders[["customer_key", "platform"]].dropna().drop_duplicates()
    pairs = pairs[pairs["platform"] != ""].sort_values(["customer_key", "platform"])
    several = pairs["customer_key"].duplicated(keep=False)
    platforms = pairs[~several].set_index("customer_key")["platform"]  # most customers: one platform
    if several.any():
        joined = pairs[several].groupby("customer_key")["platform"].agg("; ".join)
        platforms = pd.concat([platforms, joined])
    out["platforms"] = platforms
    return out


def customer_list(book: OrderBook, seg: Segmentation, segments: list[str] | None = None,
                  lang: str = "en", facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer of the chosen `segments` (ids; None: every customer), in the segments'
    display order and by net sales within each.

    Columns (ids; `headers(frame, lang)` gives the translated headers a saved file shows):
    customer_key, name, the contact columns the exports had (email, phone, buyer_id — only those with
    a value for some customer here), platforms, segment (its name in `lang`), r, f, m, orders (paid
    orders), net_sales (in `currency`), currency, last_order (the day, as a midnight timestamp),
    persona (the segment's persona name) and strategy (the segment's strategy goal).

    `facts`: `core.targeting.facts.segment_facts(seg, book)` when the caller has it already.
    The frame remembers the input files (attrs["source_files"]): `write_customer_list` never writes
    over them.
    """
    from core.targeting.facts import segment_facts
    from core.targeting.personas import personas
    from core.targeting.strategies import strategies

    lang = catalog_lang(lang) or "en"
    zh = lang.startswith("zh")
    customers = seg.customers
    if segments is not None:
        customers = customers[customers["segment"].isin(list(segments))]
    order = {sid: i for i, sid in enumerate(seg.order)}
    rank = customers["segment"].map(order).fillna(len(order))
    customers = customers.assign(_rank=rank.to_numpy()).sort_values(
        ["_rank", "monetary"], ascending=[True, False], kind="stable")
    keys = customers.index
    contacts = _contacts(book, keys)
    if facts is None:
        facts = segment_facts(seg, book)
    persona = {sid: p.name for sid, p in personas(seg, facts, lang).items()}
    goal = {sid: s.goal for sid, s in strategies(seg, facts, lang).items()}
    names = {sid: (label.name_zh if zh else label.name) for sid, label in seg.labels.items()}
    sid = customers["segment"]
    frame = pd.DataFrame({
        "customer_key": keys.astype("str"),
        "name": contacts["name"].to_numpy(),
        **{c: contacts[c].to_numpy() for c in CONTACT_COLUMNS},
        "platforms": contacts["platforms"].to_numpy(),
        "segment": sid.map(names).fillna(sid).to_numpy(),
        "r": customers["r"].astype(int).to_numpy(),
        "f": customers["f"].astype(int).to_numpy(),
        "m": customers["m"].astype(int).to_numpy(),
        "orders": customers["frequency"].astype(int).to_numpy(),
        "net_sales": customers["monetary"].astype(float).round(2).to_numpy(),
        "currency": customers["currency"].fillna(seg.currency).to_numpy(),
        "last_order": pd.to_datetime(customers["last_order"]).dt.normalize().to_numpy(),
        "persona": sid.map(persona).to_numpy(),
        "strategy": sid.map(goal).to_numpy(),
    })
    for column in ("customer_key", "name", *CONTACT_COLUMNS, "platforms", "segment", "currency",
                   "persona", "strategy"):
        frame[column] = frame[column].astype("str")
    empty = [c for c in CONTACT_COLUMNS if not frame[c].notna().any()]
    frame = frame.drop(columns=empty)
    frame.attrs["lang"] = lang
    frame.attrs["source_files"] = tuple(str(f.path) for f in book.files)
    return frame


def headers(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """The column headers a saved list shows, in `lang` (default: the frame's language, else the
    current one); a column the catalog does not know keeps its name."""
    lang = catalog_lang(lang) or frame.attrs.get("lang")
    return [t(key, lang=lang) if (key := f"export.column.{c}") != t(key, lang=lang) else str(c)
            for c in frame.columns]


# --- formula injection --------------------------------------------------------------------------

def neutralise(value):
    """A text a spreadsheet would take for a formula gets a leading `'`; anything else is kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _neutralise_text(values: pd.Series, start: str = _FORMULA_START) -> pd.Series:
    risky = values.str.match(start).fillna(False).astype(bool)
    if risky.any():
        values = values.where(~risky, "'" + values)
    return values


# --- saving -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedList:
    """What was saved: the file, its format, the customer rows, the sheets (XLSX) and notes the user
    should read (message id, params), e.g. that the list was split over several sheets."""

    path: Path
    format: str  # "csv" or "xlsx"
    rows: int
    sheets: tuple[str, ...] = ()
    notes: tuple[tuple[str, dict], ...] = field(default_factory=tuple)

    def message(self, lang: str | None = None) -> str:
        lang = catalog_lang(lang)
        lines = [t("export.saved", lang=lang, rows=f"{self.rows:,}", path=str(self.path))]
        lines += [t(message_id, lang=lang, **params) for message_id, params in self.notes]
        return "\n".join(lines)


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name the same file (resolved, or the same inode)."""
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_target(path, force: bool = False, protect: Iterable = ()) -> Path:
    """The path a list may be saved to, or ExportError: not .csv/.xlsx (`export.bad_format`), one of
    the input files `protect` (`export.is_input`, even with force), an existing file without
    `force` (`export.exists`), or a folder that does not exist (`export.no_folder`)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise _error(path, "export.bad_format")
    if any(same_file(path, Path(p)) for p in protect):
        raise _error(path, "export.is_input")
    if (path.exists() or path.is_symlink()) and not force:
        raise _error(path, "export.exists")
    if not path.parent.is_dir():
        raise _error(path, "export.no_folder")
    return path


def save_error(path, error: OSError) -> ExportError:
    """The ExportError (catalog message naming `path`) for an OSError met while saving any file
    there: permission denied or open in another program, read-only folder, full disk, no folder."""
    path = Path(path)
    code = error.errno
    if isinstance(error, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return _error(path, "export.permission")
    if code == errno.EROFS:
        return _error(path, "export.read_only")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _error(path, "export.disk_full")
    if code == errno.ENOENT and not path.parent.is_dir():
        return _error(path, "export.no_folder")
    return _error(path, "export.failed", reason=error.strerror or str(error))


def write_customer_list(frame: pd.DataFrame, path, force: bool = False, *, lang: str | None = None,
                        protect: Iterable = (), max_sheet_rows: int = EXCEL_MAX_ROWS,
                        progress: Progress | None = None) -> SavedList:
    """Save `frame` (from `customer_list`, or any table) by the extension of `path`:

    * `.csv`: UTF-8 with BOM and CRLF (Excel shows 中文 and opens it directly), written in chunks;
    * `.xlsx`: one sheet "Customers" with a bold, frozen header; past `max_sheet_rows` (Excel's
      1,048,576, header included) the rows go on "Customers (2)", … (named in the result). Text
      columns are text cells (ids and phone numbers keep their digits and leading zeros), numbers
      are numbers (`net_sales` shown with 2 decimals), days and times are dates; characters XML
      cannot hold (control characters other than TAB, LF, CR) are left out.

    Headers are translated (`headers`); text cells starting with =, +, -, @, TAB or CR get a
    leading `'` so that no spreadsheet runs them. The save is atomic (a failure leaves any previous
    file as it was). `progress` hears how far the writing is and may cancel it between chunks of
    rows (core.jobs.Cancelled; the previous file stays). Raises ExportError with a catalog message
    naming the path: an existing file without `force`, one of the input files
    (frame.attrs["source_files"] and `protect`, even with `force`), a full disk, a read-only
    folder, no permission (or the file is open in Excel).
    """
    protect = (*frame.attrs.get("source_files", ()), *protect)
    path = check_target(path, force, protect)
    lang = catalog_lang(lang) or frame.attrs.get("lang")
    kind = path.suffix.lower().lstrip(".")
    try:
        sheets = write_table(frame, path, headers(frame, lang), xlsx=kind == "xlsx", lang=lang,
                             max_sheet_rows=max_sheet_rows, progress=progress)
    except ExportError:
        raise
    except OSError as error:
        raise save_error(path, error) from error
    notes = []
    rows = len(frame)
    if len(sheets) > 1:
        notes.append(("export.split_sheets", {"limit": f"{max_sheet_rows:,}", "rows": f"{rows:,}",
                                              "count": len(sheets), "sheets": ", ".join(sheets)}))
    if kind == "csv" and rows + 1 > max_sheet_rows:
        notes.append(("export.csv_too_long", {"limit": f"{max_sheet_rows:,}", "rows": f"{rows + 1:,}"}))
    return SavedList(path, kind, rows, tuple(sheets), tuple(notes))


def _kinds(frame: pd.DataFrame) -> list[str]:
    """How each column is written: number, date (datetimes at midnight), datetime or text."""
    kinds = []
    for _, values in frame.items():
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            kinds.append("number")
        elif pd.api.types.is_datetime64_any_dtype(values):
            naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
            kinds.append("date" if (naive.dropna() == naive.dropna().dt.normalize()).all() else "datetime")
        else:
            kinds.append("text")
    return kinds


def _text(values: pd.Series, start: str = _FORMULA_START) -> pd.Series:
    return _neutralise_text(values.astype("str"), start)


def _step(progress: Progress | None, done: int, total: int) -> None:
    """Tell `progress` how far the writing is, and stop if it was cancelled."""
    if progress is not None:
        progress.check_cancelled()
        progress.report(done / max(total, 1), "progress.export_writing", rows=f"{total:,}")


def write_table(frame: pd.DataFrame, target, titles: list[str] | None = None, *, xlsx: bool = False,
                lang: str | None = None, max_sheet_rows: int = EXCEL_MAX_ROWS,
                progress: Progress | None = None) -> tuple[str, ...]:
    """The one writer of tables: every CSV and XLSX we save, and CSV on stdout, goes through here,
    so no text cell reaches a spreadsheet as a formula (`_text`: a leading `'`; numbers, dates and
    the other columns are written as they are). `titles`: the header (default: the column names).

    `target` "-": CSV on stdout (UTF-8, LF, no BOM: it is piped or redirected). A path: saved
    atomically (core.safe_write), as XLSX when `xlsx` (`_write_xlsx`: sheets of at most
    `max_sheet_rows` rows, their names returned) else as CSV (UTF-8 with BOM: Excel shows 中文; CRLF).
    Writes in chunks of CHUNK_ROWS; `progress` hears each and may cancel. OSError is left to the
    caller (`save_error` turns it into a message)."""
    titles = [neutralise(str(h)) for h in (frame.columns if titles is None else titles)]
    if str(target) == "-":
        for data in _csv_chunks(frame, titles, "\n", progress):
            sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return ()
    with atomic_path(target) as tmp:
        if xlsx:
            return tuple(_write_xlsx(frame, titles, tmp, max_sheet_rows, lang, progress))
        with open(tmp, "wb") as out:
            out.write(BOM)
            for data in _csv_chunks(frame, titles, "\r\n", progress):
                out.write(data)
    return ()


def _csv_chunks(frame: pd.DataFrame, titles: list[str], eol: str, progress: Progress | None):
    """The CSV bytes of the header, then of CHUNK_ROWS rows at a time (pyarrow: a million rows in
    seconds): text neutralised, days as YYYY-MM-DD, times without their time zone."""
    import csv
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    kinds = _kinds(frame)
    names = [f"c{i}" for i in range(frame.shape[1])]  # headers may repeat or be anything
    header = io.StringIO()
    csv.writer(header, quoting=csv.QUOTE_MINIMAL, lineterminator=eol).writerow(titles)
    yield header.getvalue().encode("utf-8")
    options = pacsv.WriteOptions(include_header=False, eol=eol)
    for start in range(0, len(frame), CHUNK_ROWS):
        _step(progress, start, len(frame))
        chunk = frame.iloc[start:start + CHUNK_ROWS]
        arrays = []
        for (_, values), kind in zip(chunk.items(), kinds):
            if kind == "text":
                arrays.append(pa.array(_text(values).to_numpy(dtype=object, na_value=None),
                                       type=pa.string()))
            elif kind in ("date", "datetime"):
                naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
                array = pa.array(naive.astype("datetime64[s]").to_numpy(), type=pa.timestamp("s"),
                                 from_pandas=True)
                arrays.append(array.cast(pa.date32()) if kind == "date" else array)
            else:
                arrays.append(pa.array(values.to_numpy(), from_pandas=True))
        out = io.BytesIO()
        pacsv.write_csv(pa.Table.from_arrays(arrays, names=names), out, write_options=options)
        yield out.getvalue()


WIDTHS = {"customer_key": 28, "name": 16, "email": 28, "phone": 16, "buyer_id": 18, "platforms": 16,
          "segment": 18, "r": 8, "f": 8, "m": 8, "orders": 8, "net_sales": 12, "currency": 9,
          "last_order": 12, "persona": 32, "strategy": 60}


def sheet_names(rows: int, max_sheet_rows: int = EXCEL_MAX_ROWS, lang: str | None = None) -> list[str]:
    """The sheets `rows` customers take: "Customers", "Customers (2)", … (always at least one)."""
    per_sheet = max_sheet_rows - 1  # the header takes a row of each sheet
    if per_sheet < 1:
        raise ValueError(f"max_sheet_rows must be at least 2, got {max_sheet_rows}")
    count = max(1, -(-rows // per_sheet))
    first = t("export.sheet", lang=lang)
    return [first] + [t("export.sheet_more", lang=lang, sheet=first, number=i) for i in range(2, count + 1)]


MONEY_COLUMNS = ("net_sales",)  # numbers an XLSX shows with 2 decimals


def _write_xlsx(frame: pd.DataFrame, titles: list[str], target: Path, max_sheet_rows: int,
                lang: str | None, progress: Progress | None = None) -> list[str]:
    """Stream the rows into sheets of at most `max_sheet_rows` rows (header included), a chunk
    at a time, with core.xlsx_writer (seconds for a million rows; openpyxl took minutes)."""
    from core.xlsx_writer import Workbook

    names = sheet_names(len(frame), max_sheet_rows, lang)
    per_sheet = max_sheet_rows - 1
    kinds = ["bool" if pd.api.types.is_bool_dtype(values) else
             "money" if kind == "number" and column in MONEY_COLUMNS else kind
             for (column, values), kind in zip(frame.items(), _kinds(frame))]
    widths = [WIDTHS.get(column, 14) for column in frame.columns]
    with open(target, "wb") as out:
        with Workbook(out) as book:
            for number, name in enumerate(names):
                start, end = number * per_sheet, min(len(frame), (number + 1) * per_sheet)
                book.add_sheet(name, titles, kinds, widths, max(end - start, 0),
                               _xlsx_chunks(frame, kinds, start, end, progress))
    return names


def _xlsx_chunks(frame: pd.DataFrame, kinds: list[str], start: int, end: int,
                 progress: Progress | None):
    """Rows start…end as lists of columns, CHUNK_ROWS at a time: text neutralised as in CSV, times
    without their time zone (as CSV writes them)."""
    for first in range(start, end, CHUNK_ROWS):
        _step(progress, first, len(frame))
        chunk = frame.iloc[first:min(first + CHUNK_ROWS, end)]
        columns = []
        for (_, values), kind in zip(chunk.items(), kinds):
            if kind == "text":
                values = _text(values, _XML_FORMULA_START)
            elif kind in ("date", "datetime") and values.dt.tz is not None:
                values = values.dt.tz_localize(None)
            columns.append(values)
        yield columns


__all__ = ["customer_list", "write_customer_list", "write_table", "check_target", "segment_ids",
           "headers", "neutralise", "sheet_names", "SavedList", "ExportError", "save_error", "same_file",
           "COLUMNS", "EXCEL_MAX_ROWS"]
