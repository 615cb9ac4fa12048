"""Checked reading of published CSV files: encoding, separator, columns, codes, numbers.

Every problem is either repaired, where the repair is safe, and counted in a
warning, or raised as a :class:`~relocate.errors.SourceFormatError` naming the
file, the line and the column.

Files are read as a stream, twice: a first pass checks the bytes (encoding, size,
quotes, how the file ends) without keeping them, the second parses the lines and
keeps only the columns and rows the source asks for, so that memory follows what
is kept, not the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from relocate.errors import SourceFormatError

__all__ = [
    "MAX_FILE_BYTES",
    "CsvSpec",
    "TableRead",
    "check_range",
    "drop_duplicate_communes",
    "drop_repeated_rows",
    "insee_codes",
    "numbers",
    "optional_insee_codes",
    "plain_key",
    "read_checked_csv",
    "rows_of",
    "size_text",
    "text_column",
    "text_or_none",
]

_SEPARATORS = (";", ",", "\t", "|")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3}|97\d{3})$")

#: The largest file (once decompressed) relocate reads by default, in bytes.
MAX_FILE_BYTES = 4 << 30
_SCAN_CHUNK = 1 << 20
#: The longest value the csv module reads (its default limit).
_FIELD_LIMIT = csv.field_size_limit()
#: Distinct values per column shared as one string each (codes, kinds, dates repeat a lot).
_SHARED_VALUES = 1 << 16
#: Rows gathered as Python strings before they are turned into a frame.
_BATCH = 1 << 16
_UTF8_BOM = codecs.BOM_UTF8
#: Byte-order marks of encodings that are not UTF-8, longest first.
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
#: How other formats start: a file of one of them is not a CSV file.
_MAGIC = (
    (b"PK\x03\x04", "a zip archive (or an .xlsx/.ods spreadsheet)", "extract the CSV file"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it (gunzip)"),
    (b"%PDF", "a PDF document", "download the CSV file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) spreadsheet", "save the sheet as CSV UTF-8"),
)
_HTML = re.compile(rb"^\s*<(!doctype html|html)", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class CsvSpec:
    """How a source publishes one CSV file.

    Parameters
    ----------
    sep
        The separator the publisher uses.
    required
        Columns the parser needs; a missing one is an error (a renamed one is
        named in the message).
    skip_lines
        Lines before the header line (titles some publishers put on top).
    encoding
        The encoding the publisher uses. A file that does not decode with it is
        read as Windows-1252 (a superset of Latin-1), with a warning.
    bom_expected
        True if the publisher writes a UTF-8 byte-order mark (no warning then).
    header_prefix
        Characters the publisher puts before the first column name (``#``).
    usecols
        Keep only these columns (all by default); saves memory on large files.
    row_filter
        Keep only the rows whose value in a column is one of the given values.
    max_bytes
        The largest file accepted, in bytes (a larger one is refused).
    seps
        Other separators the publisher uses (another layout of the same data): a
        file separated by one of them is read without a warning.
    aliases
        Other names the publisher gives a column (a relabelled export): a column
        under one of them is read as the canonical name, the key of the mapping.
    header_key
        How column names are compared (after ``header_prefix`` is removed): a
        function of a name, applied to the header's names and to the names and
        aliases sought (a publisher whose exports change the case and accents of
        its column names: ``Libellé_du_site``, ``libelle_du_site``).
    """

    sep: str
    required: Sequence[str]
    skip_lines: int = 0
    encoding: str = "utf-8"
    bom_expected: bool = False
    header_prefix: str = ""
    usecols: Sequence[str] | None = None
    row_filter: Mapping[str, frozenset[str]] | None = None
    max_bytes: int = MAX_FILE_BYTES
    seps: tuple[str, ...] = ()
    aliases: Mapping[str, tuple[str, ...]] | None = None
    header_key: Callable[[str], str] | None = None

    def canonical(self, names: list[str]) -> list[str]:
        """The header's names, those known under another name given their canonical one."""
        if not self.aliases and self.header_key is None:
            return names
        key = self.header_key or (lambda name: name)
        wanted = {*self.required, *(self.usecols or ()), *(self.aliases or {})}
        lookup: dict[str, str] = {key(name): name for name in wanted}
        for name, others in (self.aliases or {}).items():
            lookup.update({key(other): name for other in others})
        return [lookup.get(key(name), name) for name in names]


@dataclass
class TableRead:
    """A table read from a file, and what had to be repaired to read it."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    #: Line of the first row; rows are taken as one per line when ``lines`` is not given.
    first_data_line: int = 2
    #: The name the file gives a column read under another (canonical) name, for messages.
    original: dict[str, str] = field(default_factory=dict)
    #: What a row is called in messages (``line``; ``result`` for a JSON document's).
    row_word: str = "line"

    def __post_init__(self) -> None:
        if self.lines is None:
            self.lines = self.first_data_line + np.arange(len(self.frame), dtype=np.int64)
        elif len(self.lines):
            self.first_data_line = int(self.lines[0])

    def line_of(self, row: int) -> int:
        """The file's line number (1-based) where the frame's positional row ``row`` starts."""
        assert self.lines is not None
        return int(self.lines[row])

    def where(self, row: int, column: str) -> str:
        """``file, line N, column 'c'``, for error messages (the column as the file names it)."""
        shown = self.original.get(column, column)
        return f"{self.path.name}, {self.row_word} {self.line_of(row)}, column {shown!r}"


def plain_key(name: str) -> str:
    """A column name without accents, case, punctuation or spaces, to compare layouts.

    >>> plain_key("Libellé_du_site"), plain_key("#Identifiant_du_site"), plain_key("CODE INSEE")
    ('libelle_du_site', 'identifiant_du_site', 'code_insee')
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9a-z]+", "_", plain.casefold()).strip("_")


def size_text(size: int) -> str:
    """A size in bytes as people read it: ``1.5 GiB``, ``200 MiB``, ``12 KiB``, ``80 bytes``.

    >>> size_text(3 << 30), size_text(1536 << 20), size_text(2048), size_text(5)
    ('3 GiB', '1.5 GiB', '2 KiB', '5 bytes')
    """
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.3g} {unit}"
    return f"{size} bytes"


# --- the first pass: the bytes ----------------------------------------------------------------


@dataclass(frozen=True)
class _Bytes:
    """What the first pass learnt of a file's bytes."""

    #: The encoding to read the text with.
    encoding: str
    #: True if the file starts with a UTF-8 byte-order mark.
    bom: bool
    #: True if the last byte is a line break (the last line is complete).
    ends_with_line_break: bool
    #: True if the file has an odd number of quotes (a quoted value may be left open).
    odd_quotes: bool


def _not_text(name: str, head: bytes) -> None:
    """Raise if the first bytes show a file that is not text in an 8-bit encoding."""
    for bom, encoding in _OTHER_BOMS:
        if head.startswith(bom):
            raise SourceFormatError(
                f"{name}: the file is {encoding} text; save it as UTF-8 "
                "(in a spreadsheet: 'CSV UTF-8') and import it again"
            )
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            raise SourceFormatError(f"{name}: {what}, not a CSV file: {fix} and give that")
    if _HTML.match(head):
        raise SourceFormatError(
            f"{name}: a web page (HTML), not a CSV file: the address gave a page instead "
            "of the data (download the file itself)"
        )
    sample = head[:4096]
    if b"\x00" in sample:
        # Text in UTF-16 without a byte-order mark has a NUL in every other byte.
        pairs = len(sample) // 2 or 1
        zeros = max(sample[0::2].count(0), sample[1::2].count(0))
        if zeros > pairs // 2:
            raise SourceFormatError(
                f"{name}: the file looks like UTF-16 text (a NUL byte in every other byte); "
                "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8') and import it again"
            )
        line = sample.count(b"\n", 0, sample.index(b"\x00")) + 1
        raise SourceFormatError(
            f"{name}, line {line}: a NUL byte: binary data, not a CSV text file"
        )


def _scan(name: str, handle: BinaryIO, spec: CsvSpec, warnings: list[str]) -> _Bytes:
    """Check a file's bytes in one streaming pass: kind, encoding, size, how it ends."""
    head = handle.read(_SCAN_CHUNK)
    if not head:
        raise SourceFormatError(f"{name}: the file is empty or has no header line")
    bom = head.startswith(_UTF8_BOM)
    if bom:
        head = head[len(_UTF8_BOM) :]
        if not spec.bom_expected:
            warnings.append(f"{name}: a UTF-8 byte-order mark was removed")
    _not_text(name, head)
    decoder: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder(spec.encoding)()
    encoding = spec.encoding
    size, line_breaks, line_start = len(head) + len(_UTF8_BOM) * bom, 0, 0
    offset = 0  # of the chunk, in the bytes after the byte-order mark
    chunk, last, quotes = head, head[-1:], 0
    while chunk:
        if size > spec.max_bytes:
            raise SourceFormatError(
                f"{name}: more than {size_text(spec.max_bytes)}, far larger than the source "
                "publishes: not the expected file, or a damaged one"
            )
        quotes += chunk.count(b'"')
        if decoder is not None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = exc.object
                at = offset + len(chunk) - len(data) + exc.start  # pending bytes came first
                before = data.rfind(b"\n", 0, exc.start)
                line = line_breaks + data.count(b"\n", 0, exc.start) + 1
                start = offset + len(chunk) - len(data) + before + 1 if before >= 0 else line_start
                warnings.append(
                    f"{name}: not {spec.encoding} (byte 0x{data[exc.start]:02x} at line {line}, "
                    f"character {at - start + 1}); read as Windows-1252/Latin-1"
                )
                decoder, encoding = None, "cp1252"
        breaks = chunk.count(b"\n")
        if breaks:
            line_breaks += breaks
            line_start = offset + chunk.rfind(b"\n") + 1
        offset += len(chunk)
        last = chunk[-1:]
        chunk = handle.read(_SCAN_CHUNK)
        size += len(chunk)
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            warnings.append(
                f"{name}: not {spec.encoding} (the file ends inside a character); "
                "read as Windows-1252/Latin-1"
            )
            encoding = "cp1252"
    return _Bytes(
        encoding=encoding,
        bom=bom,
        ends_with_line_break=last in (b"\n", b"\r"),
        odd_quotes=bool(quotes % 2),
    )


# --- the second pass: the lines ---------------------------------------------------------------


def _split_header(line: str, sep: str, spec: CsvSpec) -> list[str]:
    fields = next(csv.reader([line], delimiter=sep), [])
    names = [name.strip() for name in fields]
    if names and spec.header_prefix:
        names[0] = names[0].removeprefix(spec.header_prefix)
    return names


def _choose_separator(
    path: Path, header: str, header_line: int, spec: CsvSpec, warnings: list[str]
) -> tuple[str, list[str]]:
    """The separator that finds the required columns in the header (the published one first)."""
    published = [spec.sep, *(s for s in spec.seps if s != spec.sep)]
    candidates = [*published, *(s for s in _SEPARATORS if s not in published)]
    split = {sep: spec.canonical(_split_header(header, sep, spec)) for sep in candidates}
    for sep in candidates:
        if set(spec.required) <= set(split[sep]):
            if sep not in published:
                warnings.append(
                    f"{path.name}: columns separated by {sep!r}, not {spec.sep!r}; read as such"
                )
            return sep, split[sep]
    best = max(
        candidates, key=lambda sep: (len(set(spec.required) & set(split[sep])), sep == spec.sep)
    )
    names = split[best]
    missing = [c for c in spec.required if c not in names]
    column = missing[0]
    others = (spec.aliases or {}).get(column, ())
    also = f" (nor its other name {' or '.join(map(repr, others))})" if others else ""
    close = difflib.get_close_matches(column, names, n=1, cutoff=0.6) if len(names) > 1 else []
    hint = f"{also}; found {close[0]!r}: renamed?" if close else also
    raise SourceFormatError(
        f"{path.name}, line {header_line}: column {column!r} is missing{hint} "
        f"(expected {spec.sep!r}-separated columns including {', '.join(spec.required)})"
    )


def _kept_columns(
    path: Path, names: list[str], header_line: int, spec: CsvSpec
) -> tuple[list[int], list[str]]:
    """The positions and names of the columns kept; a kept name given twice is an error."""
    wanted = set(spec.usecols) if spec.usecols is not None else {n for n in names if n}
    wanted |= set(spec.required) | set(spec.row_filter or {})
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in wanted and name in seen:
            raise SourceFormatError(
                f"{path.name}, line {header_line}: column {name!r} appears twice (columns "
                f"{seen[name] + 1} and {position + 1}); rename or remove one of them"
            )
        seen.setdefault(name, position)
    keep = list(spec.usecols) if spec.usecols is not None else [n for n in names if n]
    positions = [seen[c] for c in keep if c in seen]
    return positions, [names[i] for i in positions]


class _Lines:
    """The lines of a text stream, remembering those of the record being read (when asked)."""

    def __init__(self, text: io.TextIOBase, *, remember: bool) -> None:
        self._text = text
        self.remember = remember
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        if not self.remember:
            yield from self._text
            return
        for line in self._text:
            self.current.append(line)
            yield line


@dataclass
class _Rows:
    """The kept cells, column by column, and where each kept row starts.

    Cells are gathered as Python strings and turned into a frame every
    :data:`_BATCH` rows, so that only one batch is ever held as Python strings
    (pandas keeps text more compactly).
    """

    names: list[str]
    starts: array = field(default_factory=lambda: array("q"))
    columns: list[list[str]] = field(default_factory=list)
    batches: list[pd.DataFrame] = field(default_factory=list)
    #: Rows with fewer fields than the header, and the line of the first one.
    short: int = 0
    first_short: int = 0

    def __post_init__(self) -> None:
        self.columns = [[] for _ in self.names]

    def flush(self) -> None:
        """Turn the cells gathered since the last batch into a frame."""
        if not self.columns or not self.columns[0]:
            return
        self.batches.append(
            pd.DataFrame(
                {
                    name: np.array(values, dtype=object)
                    for name, values in zip(self.names, self.columns, strict=True)
                },
                columns=self.names,
            )
        )
        self.columns = [[] for _ in self.names]

    def frame(self) -> pd.DataFrame:
        """Every row kept, as one frame (text columns)."""
        if not self.names:
            return pd.DataFrame(index=pd.RangeIndex(len(self.starts)))
        self.flush()
        if not self.batches:
            return pd.DataFrame({name: np.array([], dtype=object) for name in self.names})
        if len(self.batches) == 1:
            return self.batches[0]
        frame = pd.concat(self.batches, ignore_index=True)
        self.batches = []
        return frame


def _cut_last_line(name: str, last: _Last, width: int, sep: str, *, ended: bool) -> None:
    """Raise if the last record of a file is incomplete.

    A record with fewer fields than the header is incomplete when the file does
    not end with a line break (``ended``); any record is when it ends inside a
    quoted value.
    """
    if not ended and last.fields < width:
        raise SourceFormatError(
            f"{name}, line {last.line}: the last line is cut ({last.fields} of {width} "
            "fields) and the file does not end with a line break: an interrupted download "
            "or a truncated copy; download the file again"
        )
    try:
        for _ in csv.reader(last.lines, delimiter=sep, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" not in str(exc):
            return  # a stray quote, which the lenient reading takes as text
        raise SourceFormatError(
            f"{name}, line {last.line}: the file ends inside a quoted value (a quote never "
            "closed): an interrupted download or a truncated copy; download the file again"
        ) from None


@dataclass(frozen=True)
class _Last:
    """The last record read: where it starts, its width, and its lines (when remembered)."""

    line: int = 0
    fields: int = 0
    lines: list[str] = field(default_factory=list)


def _csv_error(name: str, line: int, exc: csv.Error) -> SourceFormatError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        return SourceFormatError(
            f"{name}, line {line}: a value longer than {_FIELD_LIMIT:,} characters "
            "(a quote that is never closed?)"
        )
    return SourceFormatError(f"{name}, line {line}: not readable as CSV ({reason})")


@dataclass(frozen=True)
class _Layout:
    """How the records of one file are laid out, and which cells are kept."""

    sep: str
    #: Fields in the header.
    width: int
    #: Kept column -> its position.
    kept: dict[str, int]
    #: Position -> the values a row must have there to be kept.
    filters: dict[int, frozenset[str]]
    #: True if the file ends with a line break.
    ended: bool


def _read_rows(
    name: str,
    reader: Iterator[list[str]],
    lines: _Lines,
    layout: _Layout,
    *,
    line_of: Callable[[], int],
) -> _Rows:
    """Keep the wanted cells of every record, checking its width; the last one for a cut.

    When the file does not end with a line break (``ended`` false), or has an odd
    number of quotes, its last record is remembered (``lines.remember``) and
    checked for a cut: fewer fields than the header, or a quoted value left open.
    """
    width, filters = layout.width, layout.filters
    rows = _Rows(names=list(layout.kept))
    positions = list(layout.kept.values())
    shared: list[dict[str, str]] = [{} for _ in positions]
    previous = line_of()
    last = _Last()
    try:
        for record in reader:
            start, previous = previous + 1, line_of()
            consumed, lines.current = lines.current, []
            fields = len(record)
            if not fields or not (record[0].strip() or any(cell.strip() for cell in record)):
                continue
            last = _Last(line=start, fields=fields, lines=consumed)
            if fields > width:
                if any(cell.strip() for cell in record[width:]):
                    raise SourceFormatError(
                        f"{name}, line {start}: {fields} fields, but the header has "
                        f"{width} (a separator inside a value?)"
                    )
                record = record[:width]
            elif fields < width:
                rows.short += 1
                rows.first_short = rows.first_short or start
                record = record + [""] * (width - fields)
            if filters and not all(record[i] in values for i, values in filters.items()):
                continue
            for column, cache, i in zip(rows.columns, shared, positions, strict=True):
                value = record[i]
                if len(cache) < _SHARED_VALUES:
                    value = cache.setdefault(value, value)
                column.append(value)
            rows.starts.append(start)
            if len(rows.starts) % _BATCH == 0:
                rows.flush()
    except csv.Error as exc:
        raise _csv_error(name, previous + 1, exc) from None
    if lines.remember and last.line:
        _cut_last_line(name, last, width, layout.sep, ended=layout.ended)
    return rows


def read_checked_csv(
    path: Path,
    spec: CsvSpec,
    *,
    opener: Callable[[], BinaryIO] | None = None,
) -> TableRead:
    r"""Read a published CSV file as text columns, checking what the parser relies on.

    Every row keeps the number of the line it starts on (blank lines and quoted
    values spanning lines included), for error messages. Lines may end with
    ``\n``, ``\r\n`` or ``\r`` alone.

    Parameters
    ----------
    path
        The file (its name is the one messages give).
    spec
        How the source publishes it.
    opener
        Opens the file's bytes, if not ``path.open("rb")`` (a member of an
        archive); called twice.

    Raises
    ------
    SourceFormatError
        If the file cannot be read as the source's format: not text (UTF-16, an
        archive, a web page), larger than ``spec.max_bytes``, no header, a
        required column missing (a renamed one is suggested) or given twice, a
        separator that cannot be repaired, a row with more fields than the
        header, a value over 131,072 characters, a last line cut short.
    """
    name = path.name
    open_bytes = opener or (lambda: path.open("rb"))
    warnings: list[str] = []
    try:
        with open_bytes() as handle:
            scanned = _scan(name, handle, spec, warnings)
        with open_bytes() as handle:
            if scanned.bom:
                handle.read(len(_UTF8_BOM))
            text = io.TextIOWrapper(handle, encoding=scanned.encoding, errors="replace", newline="")
            table = _parse_text(path, text, spec, scanned)
    except OSError as exc:
        raise SourceFormatError(f"cannot read {name}: {exc.strerror or exc}") from None
    table.warnings[:0] = warnings
    return table


def _parse_text(path: Path, text: io.TextIOWrapper, spec: CsvSpec, scanned: _Bytes) -> TableRead:
    """The second pass: header, then the records, kept column by column."""
    name = path.name
    for _ in range(spec.skip_lines):
        text.readline()
    header = text.readline()
    if not header:
        raise SourceFormatError(f"{name}: the file is empty or has no header line")
    header_line = spec.skip_lines + 1
    warnings: list[str] = []
    sep, names = _choose_separator(path, header.rstrip("\r\n"), header_line, spec, warnings)
    written = _split_header(header.rstrip("\r\n"), sep, spec)
    original = {name: raw for name, raw in zip(names, written, strict=True) if name != raw}
    positions, kept_names = _kept_columns(path, names, header_line, spec)
    filters = {names.index(c): values for c, values in (spec.row_filter or {}).items()}
    lines = _Lines(text, remember=not scanned.ends_with_line_break or scanned.odd_quotes)
    reader = csv.reader(lines, delimiter=sep)
    layout = _Layout(
        sep=sep,
        width=len(names),
        kept=dict(zip(kept_names, positions, strict=True)),
        filters=filters,
        ended=scanned.ends_with_line_break,
    )
    rows = _read_rows(name, reader, lines, layout, line_of=lambda: header_line + reader.line_num)
    if rows.short:
        warnings.append(
            f"{name}: {rows.short} rows have fewer fields than the header and were read with "
            f"empty values for the missing ones (first at line {rows.first_short})"
        )
    frame = rows.frame()
    lines_array = np.frombuffer(rows.starts, dtype=np.int64).copy() if rows.starts else None
    return TableRead(
        path=path,
        frame=frame,
        lines=lines_array if lines_array is not None else np.zeros(0, dtype=np.int64),
        warnings=warnings,
        original=original,
    )


def insee_codes(table: TableRead, column: str) -> pd.Series:
    """Return a column of INSEE commune codes as 5-character text.

    Codes written as integers (``1001``, ``1001.0``) are padded back to
    ``01001``, with a warning counting them; anything else that is not a
    commune code is an error naming its line.
    """
    values = table.frame[column].astype(str).str.strip()
    decimal = values.str.fullmatch(r"\d+\.0+")
    if decimal.any():
        values = values.where(~decimal, values.str.replace(r"\.0+$", "", regex=True))
    short = values.str.fullmatch(r"\d{1,4}")
    repaired = decimal | short
    if repaired.any():
        shown = table.original.get(column, column)
        table.warnings.append(
            f"{table.path.name}: {int(repaired.sum())} codes in column {shown!r} were written as "
            "numbers and were restored as 5-character text"
        )
        values = values.where(~short, values.str.zfill(5))
    bad = ~values.str.fullmatch(_INSEE.pattern)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {values.iloc[row]!r} is not an INSEE commune code"
        )
    return values


def numbers(
    table: TableRead,
    column: str,
    *,
    na_values: Sequence[str] = ("",),
    thousands: str | None = None,
    decimal: str = ".",
) -> pd.Series:
    """Return a column as floats; a value that is not a number is an error naming its line."""
    values = table.frame[column].astype(str).str.strip()
    if thousands is not None:
        values = values.str.replace(thousands, "", regex=False)
    if decimal != ".":
        values = values.str.replace(decimal, ".", regex=False)
    missing = values.isin(list(na_values))
    parsed = pd.to_numeric(values.where(~missing), errors="coerce")
    bad = parsed.isna() & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {table.frame[column].iloc[row]!r} is not a number"
            f" ({int(bad.sum())} such values in that column)"
        )
    return parsed.astype(float)


def rows_of(table: TableRead, mask: np.ndarray | pd.Series) -> TableRead:
    """The rows of ``table`` where ``mask`` is true, each keeping its line number.

    Warnings go on being collected in ``table.warnings`` (the same list).
    """
    keep = np.asarray(mask, dtype=bool)
    assert table.lines is not None
    if keep.all():
        return table
    return TableRead(
        path=table.path,
        frame=table.frame.loc[keep].reset_index(drop=True),
        lines=np.asarray(table.lines, dtype=np.int64)[keep],
        warnings=table.warnings,
        original=table.original,
        row_word=table.row_word,
    )


def text_or_none(values: pd.Series) -> pd.Series:
    """Stripped text, with None where the cell is empty (object dtype)."""
    stripped = values.astype(str).str.strip().astype(object)
    return stripped.where(stripped != "", None)


def text_column(values: pd.Series) -> pd.Series:
    """Stripped text, missing where the cell is empty, in pandas' own text type.

    The same values as :func:`text_or_none`, without making a Python string of
    each cell (a table of a million rows keeps its text compact).
    """
    stripped = values.astype(str).str.strip()
    return stripped.where(stripped != "")


def optional_insee_codes(table: TableRead, column: str) -> pd.Series:
    """INSEE codes as 5-character text, None where the cell is empty.

    Non-empty cells are checked as :func:`~relocate.sources._csv.insee_codes`
    checks them (integer codes padded with a warning, anything else an error
    naming its line).
    """
    raw = table.frame[column].astype(str).str.strip()
    present = (raw != "").to_numpy()
    codes = np.full(len(raw), None, dtype=object)
    if present.any():
        subset = rows_of(table, present)
        codes[present] = insee_codes(subset, column).to_numpy(dtype=object)
    return pd.Series(codes, index=table.frame.index, dtype=object)


def check_range(
    table: TableRead, values: pd.Series, column: str, *, low: float, high: float, what: str
) -> None:
    """Raise a SourceFormatError naming the first value outside ``[low, high]``.

    NaN (a missing value) passes.
    """
    array = values.to_numpy(dtype=float)
    bad = ~np.isnan(array) & ((array < low) | (array > high))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {what} {float(array[row])!r} is outside "
            f"[{low:g}, {high:g}] ({int(bad.sum())} such values)"
        )


def drop_repeated_rows(
    table: TableRead, keys: pd.Series, *, what: str, key_is_commune: bool = False
) -> np.ndarray:
    """Return a mask keeping one row per key (an identifier the publisher gives each row).

    Rows repeated exactly are dropped, with a warning counting them; two rows
    with one key that disagree are an error naming both lines. Rows without a
    key (None) are never taken for one another.
    """
    key_values = pd.Series(keys.to_numpy(dtype=object), index=table.frame.index, dtype=object)
    # Only rows whose key repeats, or that have none, can repeat a row word for word:
    # the whole rows are compared for those alone (few, in a file of a million).
    candidates = (key_values.isna() | key_values.duplicated(keep=False)).to_numpy()
    exact = np.zeros(len(key_values), dtype=bool)
    if candidates.any():
        frame = table.frame.loc[candidates].assign(__key=key_values[candidates].to_numpy())
        exact[candidates] = frame.duplicated(keep="first").to_numpy()
    if exact.any():
        table.warnings.append(
            f"{table.path.name}: {int(exact.sum())} repeated {what} rows were dropped"
        )
    rest = key_values[~exact]
    clash = rest.duplicated(keep=False).to_numpy() & rest.notna().to_numpy()
    if clash.any():
        key = rest.iloc[int(np.flatnonzero(clash)[0])]
        first, second = (int(i) for i in rest.index[(rest == key).to_numpy()][:2])
        which = f"for commune {key}" if key_is_commune else f"with the identifier {key!r}"
        raise SourceFormatError(
            f"{table.path.name}, lines {table.line_of(first)} and {table.line_of(second)}: "
            f"two different {what} rows {which}"
        )
    return ~exact


def drop_duplicate_communes(table: TableRead, codes: pd.Series, *, what: str) -> pd.Series:
    """Return a mask keeping one row per commune code (see :func:`drop_repeated_rows`)."""
    keep = drop_repeated_rows(table, codes, what=what, key_is_commune=True)
    return pd.Series(keep, index=table.frame.index)
