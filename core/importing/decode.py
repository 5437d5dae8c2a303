"""Decide a text export's encoding on evidence, and decode it to UTF-8 counting what could not be read.

The evidence, in order: a BOM; the NUL pattern of UTF-16 text without one; UTF-8 when its valid
multi-byte characters far outnumber its invalid bytes (one stray byte does not make a UTF-8 file
Icelandic); GB18030 when its pairs decode to common Chinese characters; otherwise the Western or
Central European code page whose letters read as real words (cp1252 unless the text really is
Polish, Czech, Hungarian…), and only then charset-normalizer's guess.
"""
from __future__ import annotations

import codecs
import io
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# A name charset-normalizer may give → the codec we read with (supersets never lose a character).
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030", "ascii": "utf-8",
              "latin_1": "cp1252", "iso8859_1": "cp1252", "iso8859_15": "cp1252"}
# UTF-8 wins while its invalid byte runs are at most this share of its valid multi-byte characters.
UTF8_INVALID_SHARE = 0.05
# GB18030 wins when nearly every byte decodes and nearly every character is a common GB2312 one.
CJK_MAX_ERRORS = 0.01
CJK_MIN_COMMON = 0.85
# Below this share of plausible characters neither Western code page is believed.
MIN_PLAUSIBLE = 0.6
EVIDENCE_BYTES = 1 << 20  # lines with non-ASCII bytes kept from a whole-file scan
CHUNK_BYTES = 1 << 22
MAX_ERROR_ROWS = 1000  # rows with unreadable bytes remembered (all are counted)

# Letters of the languages each single-byte code page is made for.
_WESTERN = set("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœšžªº") | set("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸŒŠŽ")
_CENTRAL = (set("ąćęłńóśźżáčďéěíňřšťúůýžöőüűăâîșțşţĺľŕôäđç")
            | set("ĄĆĘŁŃÓŚŹŻÁČĎÉĚÍŇŘŠŤÚŮÝŽÖŐÜŰĂÂÎȘȚŞŢĹĽŔÔÄĐÇ"))
_LETTERS = {"cp1252": _WESTERN, "cp1250": _CENTRAL}
# Where a symbol may stand in real text (a letter beside it says the byte meant a letter).
_CURRENCY = set("€£¥¢")  # beside digits and spaces
_OPENING = set("“‘„«¿¡")  # at the start of a word
_CLOSING = set("”»…")  # at the end of a word
_MARKS = set("™®©°")  # not before a lower-case letter
_ANYWHERE = set("’·–—\u00a0")
_OTHER = set("¹²³½¼¾×÷±§¶µ¦¨¬¯´¸")  # beside no letter
# Letters a Western text never puts there: Spanish ñ comes before a vowel, French œ inside a word
# (so "Gdañsk", "Poznañ" and "coœ" are Polish ń and ś read with the wrong code page).
_VOWELS = set("aeiouáéíóúAEIOUÁÉÍÓÚ")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_INSIDE_LATIN_WORD = re.compile(r"[A-Za-z]([^\x00-\x7f])(?=[A-Za-z])")


def detect(sample: bytes, whole: bool) -> str:
    """The encoding of a file from its first bytes ("" when it is not text)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16
    if b"\x00" in sample:
        return ""
    if not whole:  # a multi-byte character cut by the end of the sample is no evidence
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    return decide(sample)


def decide(evidence: bytes) -> str:
    """The encoding that reads `evidence` (text without a BOM) best."""
    invalid, valid_multibyte = utf8_counts(evidence)
    if invalid <= UTF8_INVALID_SHARE * valid_multibyte:
        return "utf-8"
    if _fits_gb18030(evidence):
        return "gb18030"
    scores = {name: plausibility(evidence.decode(name, errors="replace"), name)
              for name in _LETTERS}
    best = max(scores, key=lambda name: (scores[name], name == "cp1252"))
    if scores[best] >= MIN_PLAUSIBLE or scores["cp1252"] == scores[best]:
        return best
    return _normalizer_guess(evidence) or best


def utf8_counts(data: bytes) -> tuple[int, int]:
    """(invalid byte runs, valid multi-byte characters) when `data` is read as UTF-8."""
    if data.isascii():
        return 0, 0
    text = data.decode("utf-8", errors="replace")  # one U+FFFD per invalid run
    invalid = text.count("\ufffd")
    return invalid, _multibyte(text) - invalid


def _multibyte(text: str) -> int:
    return len(_NON_ASCII.findall(text))


def _fits_gb18030(evidence: bytes) -> bool:
    """True when the non-ASCII bytes read as GB18030 almost without error and as common Chinese
    characters standing as Chinese does, not one at a time inside a Latin word ("Cañón" read
    this way is "Ca耋n")."""
    errors = _Errors(rows=None)
    text = decode_counting(evidence, "gb18030", errors)
    # Counted per distinct character: a megabyte of evidence holds a few thousand.
    found = Counter(_ASCII_RUNS.sub("", text))
    inside_latin = Counter(_INSIDE_LATIN_WORD.findall(text))
    common = sum(n - inside_latin[c] for c, n in found.items() if _in_gb2312(c))
    total = found.total()
    return bool(total) and errors.count <= CJK_MAX_ERRORS * total and common >= CJK_MIN_COMMON * total


def _in_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def plausibility(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters of `text` that a real text in this code page would hold:
    letters of its languages where those languages put them, and symbols where symbols stand."""
    letters = _LETTERS[encoding]
    found = plausible = 0
    for match in _NON_ASCII.finditer(text):
        found += 1
        char, at = match.group(), match.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if char.isalpha():
            ok = char in letters and not (encoding == "cp1252" and _misplaced(char, after))
        elif char in _CURRENCY:
            ok = not before.isalpha() and not after.isalpha()
        elif char in _OPENING:
            ok = not before.isalnum()
        elif char in _CLOSING:
            ok = not after.isalnum()
        elif char in _MARKS:
            ok = not after.islower()
        else:
            ok = char in _ANYWHERE or (char in _OTHER and not before.isalpha() and not after.isalpha())
        plausible += ok
    return plausible / found if found else 1.0


def _misplaced(char: str, after: str) -> bool:
    if char in "ñÑ":
        return after not in _VOWELS
    return char in "œŒ" and not after.isalpha()


def _utf16_without_bom(sample: bytes) -> str:
    """UTF-16 LE/BE text without a BOM: ASCII characters put a NUL in every other byte."""
    sample = sample[:4096]
    pairs = len(sample) // 2
    if pairs < 4:
        return ""
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if odd_nuls > 0.6 * pairs and even_nuls < 0.1 * pairs:
        return "utf-16-le"
    if even_nuls > 0.6 * pairs and odd_nuls < 0.1 * pairs:
        return "utf-16-be"
    return ""


def _normalizer_guess(evidence: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(evidence[:EVIDENCE_BYTES]).best()
    if best is None:
        return ""
    name = best.encoding.lower().replace("-", "_")
    return _SUPERSETS.get(name, best.encoding)


# --- whole-file evidence and decoding ------------------------------------------------------------

@dataclass
class _Errors:
    """Bytes that could not be decoded: how many, and the lines (1-based) they stand on."""

    count: int = 0
    rows: dict[int, int] | None = field(default_factory=dict)  # line → bad bytes; None: not kept
    lines_before: int = 0  # lines in the chunks decoded before the current one
    newline: bytes = b"\n"
    _data: bytes | None = None  # the chunk being decoded, and how far its lines are counted
    _pos: int = 0
    _lines: int = 0

    def add(self, data: bytes, start: int, end: int) -> None:
        self.count += end - start
        if self.rows is None or len(self.rows) >= MAX_ERROR_ROWS:
            return
        if data is not self._data:  # errors come in order within a chunk: count lines onwards
            self._data, self._pos, self._lines = data, 0, 0
        self._lines += data.count(self.newline, self._pos, start)
        self._pos = start
        line = self.lines_before + self._lines + 1
        self.rows[line] = self.rows.get(line, 0) + end - start


_current = threading.local()


def _replace_counting(error: UnicodeDecodeError):
    _current.errors.add(error.object, error.start, error.end)
    return "\ufffd", error.end


codecs.register_error("segmentdesk.count", _replace_counting)


def decode_counting(data: bytes, encoding: str, errors: _Errors) -> str:
    """`data` decoded, each unreadable byte run replaced by U+FFFD and recorded in `errors`."""
    _current.errors = errors
    try:
        return data.decode(encoding, errors="segmentdesk.count")
    finally:
        _current.errors = None
        errors._data = None


def scan(path) -> bytes:
    """Evidence from the whole file: its lines that hold non-ASCII bytes, up to EVIDENCE_BYTES."""
    kept = []
    size = 0
    with open(path, "rb") as f:
        while size < EVIDENCE_BYTES and (block := f.read(CHUNK_BYTES)):
            if block.isascii():
                continue
            for line in block.split(b"\n"):  # a line cut between blocks is still evidence
                if not line.isascii():
                    kept.append(line)
                    size += len(line) + 1
    return b"\n".join(kept)


class DecodingReader(io.RawIOBase):
    """A binary file read as UTF-8 from another encoding, a line-aligned chunk at a time; bytes
    that cannot be decoded become U+FFFD and are counted with their line in `errors`."""

    def __init__(self, source, encoding: str):
        self._file = open(source, "rb") if isinstance(source, (str, os.PathLike)) else source
        head = self._file.read(4)
        bom = next((b for b, name in _BOMS if head.startswith(b) and name == encoding), b"")
        if encoding == "utf-16":  # the BOM says which end comes first
            encoding = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        self._file.seek(len(bom))
        self._codec = encoding
        self._unit = 2 if encoding.startswith("utf-16") else 1
        newline = "\n".encode(encoding) if self._unit == 2 else b"\n"
        self.errors = _Errors(newline=newline)
        self._rest = b""
        self._out = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._out and not self._eof:
            self._fill()
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _fill(self) -> None:
        block = self._file.read(CHUNK_BYTES)
        if not block:
            self._eof = True
            data, self._rest = self._rest, b""
        else:
            data = self._rest + block
            cut = self._line_end(data)
            data, self._rest = data[:cut], data[cut:]
        if data:
            self._out = decode_counting(data, self._codec, self.errors).encode("utf-8")
            self.errors.lines_before += data.count(self.errors.newline)

    def _line_end(self, data: bytes) -> int:
        """Just after the last newline of `data` (on a character boundary); 0 when none."""
        newline = self.errors.newline
        at = data.rfind(newline)
        while at > 0 and at % self._unit:
            at = data.rfind(newline, 0, at)
        return at + len(newline) if at >= 0 else 0

    def close(self) -> None:
        self._file.close()
        super().close()
