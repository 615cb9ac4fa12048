"""Checked reading of published CSV files: encoding, separator, columns, codes, numbers.

Every problem is either repaired, where the repair is safe, and counted in a
warning, or raised as a :class:`~relocate.errors.SourceFormatError` naming the
file, the line and the column.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from relocate.errors import SourceFormatError

__all__ = [
    "CsvSpec",
    "TableRead",
    "drop_duplicate_communes",
    "insee_codes",
    "numbers",
    "read_checked_csv",
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
    """

    sep: str
    required: Sequence[str]
    skip_lines: int = 0
    encoding: str = "utf-8"
    bom_expected: bool = False
    header_prefix: str = ""


@dataclass
class TableRead:
    """A table read from a file, and what had to be repaired to read it."""

    path: Path
    frame: pd.DataFrame
    first_data_line: int
    warnings: list[str] = field(default_factory=list)

    def line_of(self, row: int) -> int:
        """The file's line number (1-based) of the frame's positional row ``row``."""
        return self.first_data_line + row

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


def _header(text: str, spec: CsvSpec) -> tuple[int, str]:
    lines = text.splitlines()
    if len(lines) <= spec.skip_lines:
        raise SourceFormatError("the file is empty or has no header line")
    return spec.skip_lines + 1, lines[spec.skip_lines]


def read_checked_csv(path: Path, spec: CsvSpec) -> TableRead:
    """Read a published CSV file as text columns, checking what the parser relies on.

    Raises
    ------
    SourceFormatError
        If the file cannot be read as the source's format: no header, a required
        column missing (a renamed one is suggested), a separator that cannot be
        repaired.
    """
    warnings: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = _decode(path, raw, spec, warnings)
    try:
        header_line, header = _header(text, spec)
    except SourceFormatError as exc:
        raise SourceFormatError(f"{path.name}: {exc}") from None
    sep = spec.sep
    names = [c.strip().removeprefix(spec.header_prefix) for c in header.split(sep)]
    if not set(spec.required) <= set(names):
        for other in _SEPARATORS:
            other_names = [c.strip().removeprefix(spec.header_prefix) for c in header.split(other)]
            if other != sep and set(spec.required) <= set(other_names):
                warnings.append(
                    f"{path.name}: columns separated by {other!r}, not {spec.sep!r}; read as such"
                )
                sep, names = other, other_names
                break
    missing = [c for c in spec.required if c not in names]
    if missing:
        column = missing[0]
        close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
        hint = f"; found {close[0]!r}: renamed?" if close else ""
        raise SourceFormatError(
            f"{path.name}, line {header_line}: column {column!r} is missing{hint} "
            f"(expected {spec.sep!r}-separated columns {', '.join(spec.required)})"
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            skiprows=spec.skip_lines,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=False,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise SourceFormatError(f"{path.name}: {' '.join(str(exc).split())}") from None
    frame.columns = names[: len(frame.columns)] + list(frame.columns[len(names) :])
    return TableRead(path=path, frame=frame, first_data_line=header_line + 1, warnings=warnings)


def insee_codes(table: TableRead, column: str) -> pd.Series:
    """Return a column of INSEE commune codes as 5-character text.

    Codes written as integers (``1001``, ``1001.0``) are padded back to
    ``01001``, with a warning counting them; anything else that is not a
    commune code is an error naming its line.
    """
    values = table.frame[column].astype(str).str.strip()
    values = values.str.replace(r"\.0$", "", regex=True)
    short = values.str.fullmatch(r"\d{1,4}")
    if short.any():
        table.warnings.append(
            f"{table.path.name}: {int(short.sum())} codes in column {column!r} were written as "
            "integers and were padded back to 5 characters"
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


def drop_duplicate_communes(table: TableRead, codes: pd.Series, *, what: str) -> pd.Series:
    """Return a mask keeping one row per commune code.

    Rows repeated exactly are dropped, with a warning counting them; two rows for
    one commune that disagree are an error naming both lines.
    """
    frame = table.frame.assign(__code=codes.to_numpy())
    exact = frame.duplicated(keep="first")
    if exact.any():
        table.warnings.append(
            f"{table.path.name}: {int(exact.sum())} repeated {what} rows were dropped"
        )
    rest = frame[~exact]
    clash = rest["__code"].duplicated(keep=False)
    if clash.any():
        rows = np.flatnonzero(clash.to_numpy())
        first, second = rest.index[rows[0]], rest.index[rows[1]]
        raise SourceFormatError(
            f"{table.path.name}, lines {table.line_of(int(first))} and "
            f"{table.line_of(int(second))}: two different {what} rows for commune "
            f"{rest['__code'].iloc[rows[0]]}"
        )
    return ~exact
