"""Checked reading of published CSV files: encoding, separator, columns, codes, numbers.

Every problem is either repaired, where the repair is safe, and counted in a
warning, or raised as a :class:`~relocate.errors.SourceFormatError` naming the
file, the line and the column.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from relocate.errors import SourceFormatError

__all__ = [
    "CsvSpec",
    "TableRead",
    "check_range",
    "drop_duplicate_communes",
    "drop_repeated_rows",
    "insee_codes",
    "numbers",
    "optional_insee_codes",
    "read_checked_csv",
    "rows_of",
    "text_or_none",
]

_SEPARATORS = (";", ",", "\t", "|")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3}|97\d{3})$")


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
    """

    sep: str
    required: Sequence[str]
    skip_lines: int = 0
    encoding: str = "utf-8"
    bom_expected: bool = False
    header_prefix: str = ""
    usecols: Sequence[str] | None = None
    row_filter: Mapping[str, frozenset[str]] | None = None


@dataclass
class TableRead:
    """A table read from a file, and what had to be repaired to read it."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    #: Line of the first row; rows are taken as one per line when ``lines`` is not given.
    first_data_line: int = 2

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
        """``file, line N, column 'c'``, for error messages."""
        return f"{self.path.name}, line {self.line_of(row)}, column {column!r}"


def _decode(path: Path, raw: bytes, spec: CsvSpec, warnings: list[str]) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        if not spec.bom_expected:
            warnings.append(f"{path.name}: a UTF-8 byte-order mark was removed")
    try:
        return raw.decode(spec.encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        warnings.append(
            f"{path.name}: not {spec.encoding} (byte 0x{raw[exc.start]:02x} at line {line}, "
            f"character {column}); read as Windows-1252/Latin-1"
        )
        return raw.decode("cp1252", errors="replace")


def _split_header(line: str, sep: str, prefix: str) -> list[str]:
    fields = next(csv.reader([line], delimiter=sep), [])
    names = [name.strip() for name in fields]
    if names and prefix:
        names[0] = names[0].removeprefix(prefix)
    return names


def _choose_separator(
    path: Path, header: str, header_line: int, spec: CsvSpec, warnings: list[str]
) -> tuple[str, list[str]]:
    """The separator that finds the required columns in the header (the published one first)."""
    candidates = [spec.sep, *(s for s in _SEPARATORS if s != spec.sep)]
    split = {sep: _split_header(header, sep, spec.header_prefix) for sep in candidates}
    for sep in candidates:
        if set(spec.required) <= set(split[sep]):
            if sep != spec.sep:
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
    close = difflib.get_close_matches(column, names, n=1, cutoff=0.6) if len(names) > 1 else []
    hint = f"; found {close[0]!r}: renamed?" if close else ""
    raise SourceFormatError(
        f"{path.name}, line {header_line}: column {column!r} is missing{hint} "
        f"(expected {spec.sep!r}-separated columns including {', '.join(spec.required)})"
    )


def read_checked_csv(path: Path, spec: CsvSpec) -> TableRead:
    """Read a published CSV file as text columns, checking what the parser relies on.

    Every row keeps the number of the line it starts on (blank lines and quoted
    values spanning lines included), for error messages.

    Raises
    ------
    SourceFormatError
        If the file cannot be read as the source's format: no header, a required
        column missing (a renamed one is suggested), a separator that cannot be
        repaired, a row with more fields than the header.
    """
    warnings: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = _decode(path, raw, spec, warnings)
    lines = text.splitlines()
    if len(lines) <= spec.skip_lines:
        raise SourceFormatError(f"{path.name}: the file is empty or has no header line")
    header_line = spec.skip_lines + 1
    sep, names = _choose_separator(path, lines[spec.skip_lines], header_line, spec, warnings)
    keep = list(spec.usecols) if spec.usecols is not None else names
    positions = [names.index(c) for c in keep if c in names]
    kept_names = [names[i] for i in positions]
    filters = {names.index(c): values for c, values in (spec.row_filter or {}).items()}

    reader = csv.reader(io.StringIO(text), delimiter=sep)
    for _ in range(header_line):
        next(reader)
    rows: list[list[str]] = []
    starts: list[int] = []
    width = len(names)
    previous = reader.line_num
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not record or not any(cell.strip() for cell in record):
            continue
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                raise SourceFormatError(
                    f"{path.name}, line {start}: {len(record)} fields, but the header has "
                    f"{width} (a separator inside a value?)"
                )
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        if filters and not all(record[i] in values for i, values in filters.items()):
            continue
        rows.append([record[i] for i in positions])
        starts.append(start)
    frame = pd.DataFrame(rows, columns=kept_names, dtype=object)
    return TableRead(
        path=path, frame=frame, lines=np.asarray(starts, dtype=np.int64), warnings=warnings
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
        table.warnings.append(
            f"{table.path.name}: {int(repaired.sum())} codes in column {column!r} were written as "
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
    lines = np.array([table.line_of(int(p)) for p in np.flatnonzero(keep)], dtype=np.int64)
    return TableRead(
        path=table.path,
        frame=table.frame.loc[keep].reset_index(drop=True),
        lines=lines,
        warnings=table.warnings,
    )


def text_or_none(values: pd.Series) -> pd.Series:
    """Stripped text, with None where the cell is empty (object dtype)."""
    stripped = values.astype(str).str.strip().astype(object)
    return stripped.where(stripped != "", None)


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
    frame = table.frame.assign(__key=keys.to_numpy())
    exact = frame.duplicated(keep="first").to_numpy()
    if exact.any():
        table.warnings.append(
            f"{table.path.name}: {int(exact.sum())} repeated {what} rows were dropped"
        )
    rest = frame.loc[~exact, "__key"]
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
