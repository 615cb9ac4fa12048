"""Property-based tests (Hypothesis) of each parser's line-level reader.

Every CSV source reads its lines through :func:`relocate.sources._csv.read_checked_csv`
with its own :class:`CsvSpec`; the BPE first selects its lines with ``_prefilter``.
Whatever the values (separators, quotes, line breaks inside them, accents) and
however the lines end (``\\n``, ``\\r\\n``, ``\\r``), the reader gives back the
values written and the line each row starts on; a file cut anywhere gives either
a prefix of its rows, complete, or a refusal; and any bytes at all give either a
table or a one-line :class:`SourceFormatError`, never another exception.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relocate.errors import SourceFormatError
from relocate.sources import arcep, arcep_deploiements, bpe, dvf, finess, laposte, sncf
from relocate.sources._csv import CsvSpec, read_checked_csv
from tests.conftest import SPEC as DUMMY_SPEC

#: No example database: the tests leave no folder behind.
settings.register_profile(
    "relocate",
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
#: ``RELOCATE_HYPOTHESIS_PROFILE=thorough`` runs ten times as many examples.
settings.register_profile("thorough", parent=settings.get_profile("relocate"), max_examples=1500)
settings.load_profile(os.environ.get("RELOCATE_HYPOTHESIS_PROFILE", "relocate"))

#: Each source's reader (the ARCEP files share one layout of columns).
SPECS: dict[str, CsvSpec] = {
    "sncf": sncf.SPEC,
    "laposte": laposte.SPEC,
    "finess": finess.SPEC,
    "arcep": next(iter(arcep._SPECS.values())),
    "bpe": bpe.SPEC,
    "dvf": dvf.SPEC,
    # Four title lines above the header, as the observatoire publishes them.
    "arcep-deploiements": CsvSpec(
        sep=",",
        required=[arcep_deploiements._CODE, arcep_deploiements._FIELD],
        skip_lines=arcep_deploiements._TITLE_LINES,
    ),
    "dummy": DUMMY_SPEC,
}
LINE_ENDS = ("\n", "\r\n", "\r")
_BREAK = re.compile(r"\r\n|\r|\n")

#: Cell text: letters, digits, accents, spaces, and the characters CSV has to quote.
cells = st.text(
    alphabet=st.sampled_from(list("ab zéÇ0129.-;,|\t\"'\n\r")),
    max_size=12,
)
#: A first cell that is never blank (a row of blank cells is skipped, as readers do).
first_cells = st.text(alphabet=st.sampled_from(list("AZéx0129")), min_size=1, max_size=6)


def header_of(spec: CsvSpec) -> list[str]:
    """The columns a file of this spec has: the required ones, then one of relocate's own."""
    columns = list(dict.fromkeys([*spec.required, *(spec.usecols or [])]))
    return [*columns, "fixture_extra"]


def rows_for(width: int) -> st.SearchStrategy[list[list[str]]]:
    row = st.tuples(first_cells, st.lists(cells, min_size=width - 1, max_size=width - 1))
    return st.lists(row.map(lambda r: [r[0], *r[1]]), min_size=1, max_size=8)


def quoted(value: str, sep: str) -> str:
    """A value as a publisher writes it: quoted when it holds a separator, a quote or a break."""
    if any(c in value for c in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def line_of(values: list[str], sep: str, end: str) -> str:
    return sep.join(quoted(v, sep) for v in values) + end


def write_csv(spec: CsvSpec, header: list[str], rows: list[list[str]], end: str) -> str:
    named = [spec.header_prefix + header[0], *header[1:]]
    titles = "".join(f"Fixture title {n}{end}" for n in range(spec.skip_lines))
    return titles + "".join(line_of(r, spec.sep, end) for r in [named, *rows])


def start_lines(rows: list[list[str]], spec: CsvSpec, end: str) -> list[int]:
    """The line each row starts on, counting every line break (inside quotes too)."""
    line, starts = spec.skip_lines + 2, []
    for row in rows:
        starts.append(line)
        line += len(_BREAK.findall(line_of(row, spec.sep, end)))
    return starts


def read_text(text: str, spec: CsvSpec, name: str = "fixture.csv"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode(spec.encoding))
        return read_checked_csv(path, spec)


@pytest.mark.parametrize("source", list(SPECS))
@given(data=st.data(), end=st.sampled_from(LINE_ENDS))
def test_values_and_line_numbers_come_back_as_written(
    source: str, data: st.DataObject, end: str
) -> None:
    spec = SPECS[source]
    header = header_of(spec)
    rows = data.draw(rows_for(len(header)))
    text = write_csv(spec, header, rows, end)
    table = read_text(text, spec)
    kept = list(spec.usecols) if spec.usecols is not None else header
    assert list(table.frame.columns) == [c for c in kept if c in header]
    expected = [[row[header.index(c)] for c in table.frame.columns] for row in rows]
    assert table.frame.astype(object).values.tolist() == expected
    assert table.lines is not None
    assert table.lines.tolist() == start_lines(rows, spec, end)
    assert table.warnings == []


@pytest.mark.parametrize("source", ["sncf", "finess", "arcep-deploiements", "dummy"])
@given(data=st.data(), end=st.sampled_from(LINE_ENDS))
def test_a_cut_file_gives_complete_rows_or_a_refusal(
    source: str, data: st.DataObject, end: str
) -> None:
    spec = SPECS[source]
    header = header_of(spec)
    rows = data.draw(rows_for(len(header)))
    text = write_csv(spec, header, rows, end)
    header_length = len(write_csv(spec, header, [], end))
    cut = data.draw(st.integers(min_value=header_length, max_value=len(text) - 1))
    try:
        table = read_text(text[:cut], spec)
    except SourceFormatError as exc:
        assert "\n" not in str(exc)
        assert "cut" in str(exc) or "quoted value" in str(exc)
        return
    got = table.frame[header].astype(object).values.tolist()
    assert len(got) <= len(rows)
    if got:
        assert got[:-1] == rows[: len(got) - 1]
        last, original = got[-1], rows[len(got) - 1]
        # Complete, or cut inside its last value only (the row count guards the rest).
        assert last[:-1] == original[:-1]
        assert original[-1].startswith(last[-1])


@pytest.mark.parametrize("source", ["sncf", "laposte", "finess", "dvf", "dummy"])
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_a_table_or_one_line(source: str, raw: bytes) -> None:
    spec = SPECS[source]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fixture.csv"
        path.write_bytes(raw)
        try:
            read_checked_csv(path, spec)
        except SourceFormatError as exc:
            assert "\n" not in str(exc)
            assert str(exc).startswith(("fixture.csv", "cannot read fixture.csv"))


@given(
    header_first=st.booleans(),
    lines=st.lists(
        st.tuples(
            st.sampled_from(["A504", "D265", "D307", "X999", "B207"]),
            st.text(alphabet=st.sampled_from(list("ab; 19")), max_size=8),
        ),
        max_size=20,
    ),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_bpe_prefilter_keeps_the_lines_it_maps_at_their_line_numbers(
    header_first: bool, lines: list[tuple[str, str]], end: str
) -> None:
    header = "DEPCOM;TYPEQU;NOMRS" if header_first else "TYPEQU;DEPCOM;NOMRS"
    body = [
        (f"99001;{code};{name.replace(';', ' ')}" if header_first else f"{code};99001;{name}")
        for code, name in lines
    ]
    if not header_first:
        body = [line.split(";")[0] + ";99001;" + line.split(";", 2)[-1] for line in body]
    raw = (end.join([header, *body]) + end).encode()
    out = io.BytesIO()
    bpe._prefilter(io.BytesIO(raw).readlines(), out, shown_name="BPE.csv")
    copied = out.getvalue().decode().split("\n")
    assert len(copied) == len(body) + 2  # header, a line per line, the last empty string
    for number, (code, _), line in zip(range(2, len(body) + 2), lines, copied[1:], strict=False):
        if code in bpe._ALL_CODES:
            assert line.rstrip("\r") == body[number - 2], number
        else:
            assert line == "", number
