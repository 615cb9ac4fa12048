"""The advisor's field notes: what a visit taught (indoor 4G poor, a house for rent...).

A note is a village, a key, a value, the day it was noted, who noted it and until
when it holds. The advisor adds one with ``relocate notes add VILLAGE KEY VALUE``
(:func:`add_note`) or imports many from a CSV file (:func:`import_notes`); either
way the notes kept so far and the new ones make a new edition of the ``notes``
source, readable by the user only (:mod:`relocate.programme._private`).

The CSV file (columns in English or French, ``;``, ``,`` or tab):

=================  ==============================================  ==================
column             what                                            also named
=================  ==============================================  ==================
``village``        INSEE code or name                              ``commune``
``key``            what the note is about (:data:`NOTE_KEYS`, or    ``clé``, ``sujet``
                   any other word: a note kept as text)
``value``          yes/no, a number or text, as the key wants      ``valeur``
``date``           when it was noted (YYYY-MM-DD)                  ``le``
``by``             who noted it (optional)                         ``par``
``valid_until``    until when it holds (optional)                  ``jusqu'au``
``valid_days``     or for how many days (optional)                 ``validité``
=================  ==============================================  ==================

Without either, a note holds for its key's default (:attr:`NoteKey.valid_days`).

The table has one row per note: ``insee``, ``key``, ``value`` (as written),
``number`` (1/0 for yes/no, the number for counts and minutes, NaN for text),
``date``, ``by``, ``valid_until`` (ISO dates as text).

Each key of :data:`NOTE_KEYS` is a feature ``note_<key>``: the village's latest
note on it that is still valid on the run's day (``Settings.today``); yes/no and
numbers are criteria, text is shown as a fact.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
import pandas as pd

from relocate._names import nearest, normalise_name
from relocate.declare import COUNT, FLAG, MINUTES, TEXT, Feature, Inputs, Text, Unit
from relocate.errors import InvalidOptionError, SourceFormatError
from relocate.i18n import translator
from relocate.programme._cells import (
    NO,
    YES,
    bad_cell,
    check_regular_file,
    commune_index,
    communes_of,
    dates,
    integers,
    read_programme_csv,
    text_cells,
)
from relocate.programme._private import (
    PrivateSource,
    private_import,
    private_root,
    private_umask,
)
from relocate.sources._csv import rows_of
from relocate.sources.opendata import ParseContext, Parsed
from relocate.sources.store import Manifest, Store

if TYPE_CHECKING:
    from relocate.territory import Territory

__all__ = [
    "COLUMNS",
    "NOTE_KEYS",
    "NewNote",
    "NoteKey",
    "NoteLine",
    "NotesSource",
    "add_note",
    "import_notes",
    "note_key",
    "note_number",
    "read_notes",
    "village_notes",
]

Kind = Literal["flag", "count", "minutes", "text"]
_UNITS: dict[str, Unit] = {"flag": FLAG, "count": COUNT, "minutes": MINUTES, "text": TEXT}
#: A key: a word of lower-case letters, digits and underscores.
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: How long a note of a key outside :data:`NOTE_KEYS` holds, in days.
DEFAULT_VALID_DAYS = 365
#: The longest a note may be said to hold, in days (ten years).
MAX_VALID_DAYS = 3650


@dataclass(frozen=True, kw_only=True)
class NoteKey:
    """A kind of field note the catalogue knows: a feature ``note_<key>``.

    Attributes
    ----------
    key
        The key the advisor types (``indoor_4g``).
    kind
        ``flag`` (yes/no), ``count``, ``minutes`` or ``text``.
    label
        What it is, in each language.
    valid_days
        How long a note holds when the advisor does not say.
    """

    key: str
    kind: Kind
    label: Text
    valid_days: int

    @property
    def unit(self) -> Unit:
        """The feature's unit."""
        return _UNITS[self.kind]

    def feature(self) -> Feature:
        """The feature ``note_<key>``."""
        usable = (
            Text(en="a criterion", fr="un critère")
            if self.kind != "text"
            else Text(en="shown as a fact", fr="montrée comme information")
        )
        return Feature(
            name=f"note_{self.key}",
            unit=self.unit,
            label=Text(en=f"{self.label.en} (field note)", fr=f"{self.label.fr} (note de terrain)"),
            description=Text(
                en="The advisor's latest field note on it in the village, while it holds "
                f"(notes past their end are left out); {usable.en}.",
                fr="La dernière note de terrain du conseiller à ce sujet dans la commune, tant "
                f"qu’elle est valable (les notes expirées sont écartées){chr(0xA0)}; {usable.fr}.",
            ),
            sources=("notes",),
            compute=_LatestNote(self.key, self.kind),
        )


#: The keys whose notes are features, as the advisor types them.
NOTE_KEYS: tuple[NoteKey, ...] = (
    NoteKey(
        key="indoor_4g",
        kind="flag",
        label=Text(en="Good 4G indoors", fr="Bonne 4G à l’intérieur"),
        valid_days=730,
    ),
    NoteKey(
        key="house_for_rent",
        kind="flag",
        label=Text(en="A house for rent", fr="Une maison à louer"),
        valid_days=90,
    ),
    NoteKey(
        key="houses_for_sale",
        kind="count",
        label=Text(en="Houses for sale seen", fr="Maisons à vendre repérées"),
        valid_days=90,
    ),
    NoteKey(
        key="welcome_committee",
        kind="flag",
        label=Text(en="A welcome committee at the town hall", fr="Un comité d’accueil à la mairie"),
        valid_days=730,
    ),
    NoteKey(
        key="gp_taking_patients",
        kind="flag",
        label=Text(en="A GP taking new patients", fr="Un médecin qui prend de nouveaux patients"),
        valid_days=180,
    ),
    NoteKey(
        key="coworking",
        kind="flag",
        label=Text(en="A coworking space", fr="Un espace de coworking"),
        valid_days=365,
    ),
    NoteKey(
        key="school_bus",
        kind="text",
        label=Text(en="School bus", fr="Ramassage scolaire"),
        valid_days=365,
    ),
    NoteKey(
        key="remark",
        kind="text",
        label=Text(en="Advisor's remark", fr="Remarque du conseiller"),
        valid_days=365,
    ),
)
_BY_KEY = {k.key: k for k in NOTE_KEYS}

#: The documented columns and the other names each may have.
COLUMNS: dict[str, tuple[str, ...]] = {
    "village": ("commune", "insee", "code insee"),
    "key": ("clé", "cle", "sujet", "note"),
    "value": ("valeur",),
    "date": ("le", "noté le", "date de la note"),
    "by": ("par", "auteur", "conseiller", "conseillère"),
    "valid_until": ("jusqu'au", "valable jusqu'au", "valide jusqu'au"),
    "valid_days": ("validité", "validité jours", "valable jours", "jours"),
}
_REQUIRED = ("village", "key", "value", "date")
_WRITTEN = ("village", "key", "value", "date", "by", "valid_until")


def note_key(text: str) -> str:
    """A key as it is kept: lower case, no accents, words joined by ``_``.

    Raises
    ------
    ValueError
        If nothing is left, or it is longer than 40 characters.

    Examples
    --------
    >>> note_key("Indoor 4G"), note_key("comité-d'accueil")
    ('indoor_4g', 'comite_d_accueil')
    """
    key = "_".join(normalise_name(text.replace("_", " ")).split())
    if not _KEY.fullmatch(key):
        raise ValueError(f"{text!r} is not a key (a word of letters and digits, up to 40)")
    return key


def note_number(key: str, value: str) -> float:
    """The number a note's value stands for: 1/0 for yes/no, the count or minutes; NaN for text.

    Raises
    ------
    ValueError
        If the value is not what its key wants (saying what it wants).
    """
    known = _BY_KEY.get(key)
    text = " ".join(value.split())
    if not text:
        raise ValueError("the value is empty")
    if known is None or known.kind == "text":
        return float("nan")
    if known.kind == "flag":
        word = normalise_name(text)
        if word in YES:
            return 1.0
        if word in NO:
            return 0.0
        raise ValueError(f"{key} is a yes/no note: give yes or no (oui/non), not {text!r}")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = float("nan")
    whole = known.kind == "count"
    if not np.isfinite(number) or number < 0 or (whole and not number.is_integer()):
        what = "a count (a whole number)" if whole else "a number of minutes"
        raise ValueError(f"{key} is {what}, of zero or more: not {text!r}")
    return number


@dataclass(frozen=True)
class _LatestNote:
    """The compute function of ``note_<key>``: the latest valid note per village."""

    key: str
    kind: Kind

    def __call__(self, inputs: Inputs) -> pd.Series:
        name = f"note_{self.key}"
        today = (inputs.today or date.today()).isoformat()
        notes = inputs.tables["notes"]
        mine = notes[(notes["key"] == self.key) & notes["insee"].isin(inputs.villages.index)]
        valid = mine[mine["valid_until"].isna() | (mine["valid_until"] >= today)]
        valid = valid[valid["date"] <= today]
        latest = valid.sort_values(["insee", "date"], kind="stable").groupby("insee").tail(1)
        latest = latest.set_index("insee")
        if self.kind == "text":
            values = latest["value"].reindex(inputs.villages.index)
            return pd.Series(values.to_numpy(dtype=object), index=inputs.villages.index, name=name)
        numbers = latest["number"].reindex(inputs.villages.index).astype(float)
        return pd.Series(numbers.to_numpy(), index=inputs.villages.index, name=name, dtype=float)


class NotesSource(PrivateSource):
    """The advisor's field notes (see the module's docstring for the file and the table)."""

    key: ClassVar[str] = "notes"
    name: ClassVar[str | Text] = Text(en="Field notes", fr="Notes de terrain")
    publisher: ClassVar[str | Text] = Text(
        en="the CCI programme's advisor", fr="le conseiller du programme de la CCI"
    )
    file_format: ClassVar[str] = (
        "CSV (';', ',' or tab): village, key, value, date, and optionally by, valid_until "
        "or valid_days (English or French column names)"
    )
    edition_rule: ClassVar[str] = "the day the notes were added or imported"
    load_command: ClassVar[str] = "relocate notes add VILLAGE KEY VALUE"
    #: Notes only grow: a file with fewer is refused as cut, as for any source.
    max_file_bytes: ClassVar[int] = 16 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("insee", "key", "value", "number", "date")
    features: ClassVar[tuple[Feature, ...]] = tuple(k.feature() for k in NOTE_KEYS)

    def __init__(self, *, today: date | None = None) -> None:
        #: The day of the import (its edition); None for the day the file is parsed.
        self.today = today

    def parse_private(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse a notes file into the notes table (see :func:`read_notes`)."""
        if len(files) != 1:
            raise SourceFormatError(f"the field notes are one CSV file; got {len(files)} files")
        frame, warnings = read_notes(files[0], context=context)
        today = self.today or date.today()
        return Parsed(
            table=frame,
            edition=today.isoformat(),
            edition_date=today,
            warnings=warnings,
            notes={"notes": len(frame), "villages": int(frame["insee"].nunique())},
        )


def read_notes(path: Path, *, context: ParseContext) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Read and check a notes file: the notes table, and the repairs made.

    Raises
    ------
    SourceFormatError
        Naming the file, line and column of the first problem: a missing column,
        a village that is none, a key that is not a word, a value its key does
        not take, a date that is not one, an end before the note's date.
    """
    table, names = read_programme_csv(
        path, columns=COLUMNS, required=_REQUIRED, max_bytes=NotesSource.max_file_bytes
    )
    codes = communes_of(table, names["village"], commune_index(context))
    raw_keys = text_cells(table, names["key"], required=True)
    keys: list[str] = []
    for row, text in enumerate(raw_keys):
        try:
            keys.append(note_key(str(text)))
        except ValueError as exc:
            raise SourceFormatError(f"{table.where(row, names['key'])}: {exc}") from None
    values = text_cells(table, names["value"], required=True)
    numbers = np.full(len(values), np.nan)
    for row, (key, value) in enumerate(zip(keys, values, strict=True)):
        try:
            numbers[row] = note_number(key, str(value))
        except ValueError as exc:
            raise SourceFormatError(f"{table.where(row, names['value'])}: {exc}") from None
    noted = dates(table, names["date"], required=True)
    until = (
        dates(table, names["valid_until"], required=False)
        if "valid_until" in names
        else pd.Series([None] * len(values), index=values.index, dtype=object)
    )
    spans = pd.Series([None] * len(values), index=values.index, dtype=object)
    if "valid_days" in names:
        given = (table.frame[names["valid_days"]].astype(str).str.strip() != "").to_numpy()
        days = integers(
            rows_of(table, given),
            names["valid_days"],
            low=1,
            high=MAX_VALID_DAYS,
            what="a number of days",
        )
        spans[given] = days.to_numpy(dtype=object)
    ends = [
        _end(day, end, span, key)
        for day, end, span, key in zip(noted, until, spans, keys, strict=True)
    ]
    before = np.array([e is not None and e < d for e, d in zip(ends, noted, strict=True)])
    if "valid_until" in names:
        bad_cell(table, before, names["valid_until"], "is before the note's date")
    frame = pd.DataFrame(
        {
            "insee": codes.to_numpy(dtype=object),
            "key": np.array(keys, dtype=object),
            "value": values.to_numpy(dtype=object),
            "number": numbers,
            "date": np.array([d.isoformat() for d in noted], dtype=object),
            "by": text_cells(table, names.get("by")).to_numpy(dtype=object),
            "valid_until": np.array([e.isoformat() for e in ends], dtype=object),
        }
    )
    before_rows = len(frame)
    frame = frame.drop_duplicates(ignore_index=True)
    if len(frame) < before_rows:
        table.warnings.append(
            f"{path.name}: {before_rows - len(frame)} notes given twice were kept once"
        )
    frame = frame.sort_values(["insee", "key", "date"], kind="stable", ignore_index=True)
    return frame, tuple(table.warnings)


def _end(day: date, until: date | None, span: object, key: str) -> date:
    """Until when a note holds: ``valid_until``, its date plus its days, or its key's default."""
    if until is not None:
        return until
    if span is not None and not pd.isna(span):  # type: ignore[call-overload]
        return day + timedelta(days=int(str(span)))
    known = _BY_KEY.get(key)
    return day + timedelta(days=known.valid_days if known else DEFAULT_VALID_DAYS)


def _notes_csv(frame: pd.DataFrame) -> str:
    """A notes table as the CSV file the source reads (``;``-separated, UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(_WRITTEN)
    for row in frame.itertuples(index=False):
        writer.writerow(
            [row.insee, row.key, row.value, row.date, row.by or "", row.valid_until or ""]
        )
    return out.getvalue()


def _current(store: Store, context: ParseContext) -> pd.DataFrame:
    source = NotesSource()
    loaded = store.load(source, departement=context.departement)
    if loaded is None:
        return pd.DataFrame(
            columns=["insee", "key", "value", "number", "date", "by", "valid_until"]
        )
    return loaded.table


def _install(
    frame: pd.DataFrame,
    *,
    store: Store,
    context: ParseContext,
    today: date | None,
    notify: Callable[[str], None] | None,
) -> Manifest:
    """Write the notes as a file readable by the user only, and import it as the new edition."""
    root = private_root(store, NotesSource.key)
    with private_umask():
        draft = Path(tempfile.mkdtemp(prefix=".draft-", dir=root))
    try:
        path = draft / "notes.csv"
        with private_umask():
            path.write_text(_notes_csv(frame), encoding="utf-8")
        return private_import(
            NotesSource(today=today), [path], store=store, context=context, notify=notify
        )
    finally:
        shutil.rmtree(draft, ignore_errors=True)


@dataclass(frozen=True, kw_only=True)
class NewNote:
    """A field note as the advisor gives it.

    Attributes
    ----------
    village
        An INSEE code or a name.
    key
        What the note is about (a key of :data:`NOTE_KEYS`, or any word: kept as text).
    value
        Yes/no, a number or text, as the key wants.
    on
        When it was noted (default: today).
    by
        Who noted it.
    valid_days
        For how many days it holds (default: the key's).
    """

    village: str
    key: str
    value: str
    on: date | None = None
    by: str | None = None
    valid_days: int | None = None


def _merge(
    new: pd.DataFrame,
    *,
    store: Store,
    context: ParseContext,
    today: date | None,
    notify: Callable[[str], None] | None,
) -> Manifest:
    """The notes kept so far and the new ones, as a new edition (under the source's lock)."""
    private_root(store, NotesSource.key)
    with store.lock(NotesSource.key):  # two notes added at once: neither is lost
        merged = pd.concat([_current(store, context), new], ignore_index=True)
        return _install(merged, store=store, context=context, today=today, notify=notify)


def add_note(
    note: NewNote,
    *,
    store: Store,
    context: ParseContext,
    notify: Callable[[str], None] | None = None,
    today: date | None = None,
) -> Manifest:
    """Add one field note: the notes kept so far and this one make a new edition.

    Parameters
    ----------
    note
        The note.
    store, context
        The store, the communes and the département.
    notify
        Called with each line worth telling (a key kept as text).
    today
        The day of the new edition, and of the note if it gives none (default: the
        system's date).

    Returns
    -------
    Manifest
        The new edition of the notes.

    Raises
    ------
    UnknownVillageError
        If the village names no commune of the département, or several.
    InvalidOptionError
        If the key is not a word, the value is not what the key takes, or the
        days are out of range.
    """
    village, key, value, by, valid_days = (
        note.village,
        note.key,
        note.value,
        note.by,
        note.valid_days,
    )
    code = commune_index(context).resolve(village)
    try:
        kept = note_key(key)
        number = note_number(kept, value)
    except ValueError as exc:
        raise InvalidOptionError(str(exc)) from None
    if valid_days is not None and not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidOptionError(f"a note holds for 1 to {MAX_VALID_DAYS} days (got {valid_days})")
    day = note.on or today or date.today()
    row = pd.DataFrame(
        {
            "insee": [code],
            "key": [kept],
            "value": [" ".join(value.split())],
            "number": [number],
            "date": [day.isoformat()],
            "by": [" ".join(by.split()) if by and by.strip() else None],
            "valid_until": [_end(day, None, valid_days, kept).isoformat()],
        }
    )
    if kept not in _BY_KEY and notify is not None:
        close = nearest(kept, list(_BY_KEY), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        notify(
            f"notes: {kept!r} is kept as a text note, not a criterion (the criteria's keys: "
            f"{', '.join(_BY_KEY)}){hint}"
        )
    return _merge(row, store=store, context=context, today=today, notify=notify)


def import_notes(
    path: Path,
    *,
    store: Store,
    context: ParseContext,
    notify: Callable[[str], None] | None = None,
    today: date | None = None,
) -> Manifest:
    """Add the notes of a CSV file to those kept so far, as a new edition.

    The file is checked first, on its own (errors name its lines); a note already
    kept is kept once. ``today`` is the new edition's day (default: the system's date).

    Raises
    ------
    SourceError, SourceFormatError
        If the file cannot be read or is not a notes file (one line).
    """
    check_regular_file(path, max_bytes=NotesSource.max_file_bytes)
    imported, _ = read_notes(path, context=context)
    return _merge(imported, store=store, context=context, today=today, notify=notify)


@dataclass(frozen=True, kw_only=True)
class NoteLine:
    """One field note of a village, as cards, the brief and the advisor read it."""

    key: str
    label: Text | None
    kind: Kind
    value: str
    number: float
    noted: date
    by: str | None
    valid_until: date | None
    expired: bool

    def title(self, lang: str = "en") -> str:
        """What the note is about: its key's label, or the key itself."""
        return self.label(lang) if self.label is not None else self.key.replace("_", " ")

    def shown_value(self, lang: str = "en") -> str:
        """The value in words: yes/no for a yes/no note, else as written."""
        tr = translator(lang)
        if self.kind == "flag":
            return tr._("yes") if self.number >= 1 else tr._("no")
        return self.value

    def text(self, lang: str = "en", *, advisor: bool = False) -> str:
        """``Good 4G indoors: no (noted Monday 12 October 2026; holds until ...)``.

        An expired note says so; the advisor's own view names who noted it.
        """
        tr = translator(lang)
        noted = tr.long_date(self.noted, year=True)
        if advisor and self.by:
            when = tr._("noted {date} by {by}").format(date=noted, by=self.by)
        else:
            when = tr._("noted {date}").format(date=noted)
        if self.valid_until is None:
            status = ""
        elif self.expired:
            status = tr._("expired on {date}").format(
                date=tr.long_date(self.valid_until, year=True)
            )
        else:
            status = tr._("holds until {date}").format(
                date=tr.long_date(self.valid_until, year=True)
            )
        details = tr._("{noted}; {status}").format(noted=when, status=status) if status else when
        return tr._("{title}: {value} ({details})").format(
            title=self.title(lang), value=self.shown_value(lang), details=details
        )


def village_notes(territory: Territory, code: str, *, today: date | None = None) -> list[NoteLine]:
    """Every field note of a village, newest first, each saying whether it has expired.

    Parameters
    ----------
    territory
        The territory (its ``notes`` edition, if loaded).
    code
        The village's INSEE code.
    today
        The day expiry is judged on (default: the territory's ``Settings.today``,
        else the system's date).
    """
    loaded = territory.open_data.get(NotesSource.key)
    if loaded is None:
        return []
    day = today or territory.settings.today or date.today()
    table = loaded.table
    mine = table[table["insee"] == code].sort_values(["date", "key"], ascending=[False, True])
    numbers = mine["number"].to_numpy(dtype=float)
    lines = []
    for i, (key, value, noted, by, ends) in enumerate(
        zip(mine["key"], mine["value"], mine["date"], mine["by"], mine["valid_until"], strict=True)
    ):
        until = date.fromisoformat(ends) if isinstance(ends, str) else None
        known = _BY_KEY.get(str(key))
        lines.append(
            NoteLine(
                key=str(key),
                label=known.label if known else None,
                kind=known.kind if known else "text",
                value=str(value),
                number=float(numbers[i]),
                noted=date.fromisoformat(str(noted)),
                by=by if isinstance(by, str) else None,
                valid_until=until,
                expired=until is not None and until < day,
            )
        )
    return lines
