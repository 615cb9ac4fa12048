"""The programme's members: where they settled, their trade, and how to reach those who agreed.

The advisor imports the programme's list with ``relocate network import FILE``
(:func:`relocate.programme._private.private_import`): one CSV file, columns named
in English or French, separated by ``;``, ``,`` or tabs:

========================  ===========================================  =====================
column                    what                                         also named
========================  ===========================================  =====================
``commune``               where the member lives: INSEE code (any       ``insee``, ``village``
                          commune of France) or name (in the
                          département)
``trade``                 trade or activity (``graphiste``)             ``métier``, ``activité``
``arrival_year``          year of arrival                               ``année d'arrivée``
``household_size``        people in the household                       ``foyer``
``consent``               agrees to be contacted: yes/no (oui/non)      ``consentement``
``name``                  name, for those who consented only            ``nom``
``email``                 e-mail, for those who consented only          ``courriel``
``phone``                 phone, for those who consented only           ``téléphone``
========================  ===========================================  =====================

A member who consented needs a name and an e-mail or a phone; the contact
details of a member who did not consent are not kept (the import says how many
were left out). Every other problem stops the import with one line naming the
file, line and column, and the store is left as it was. The edition is the day
of the import.

The table has one row per member: ``insee``, ``trade``, ``trade_key`` (the
trade in lower case without accents, to match), ``arrival_year``,
``household_size``, ``consent``, ``name``, ``email``, ``phone`` (None for those
who did not consent), and ``lon``, ``lat`` (where their commune is measured
from).

Its features count members within a drive time of each village's town hall;
counts below ``min_members_shown`` (3 by default) are given as 0, so that no
output points at fewer members than that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from relocate._names import normalise_name
from relocate.declare import COUNT, Feature, Inputs, Text
from relocate.errors import SourceFormatError
from relocate.features._geodesy import geodesic_km
from relocate.features.access import village_points
from relocate.features.drive import DriveTimeModel
from relocate.programme._cells import (
    bad_cell,
    commune_index,
    communes_of,
    integers,
    read_programme_csv,
    text_cells,
    yes_no,
)
from relocate.programme._private import PrivateSource
from relocate.sources._csv import TableRead
from relocate.sources.opendata import ParseContext, Parsed

__all__ = [
    "COLUMNS",
    "MEMBER_WINDOWS",
    "TRADE_WINDOWS",
    "MembersSource",
    "drive_min_matrix",
    "members_within",
    "trade_key",
    "trade_matches",
]

#: The documented columns and the other names each may have.
COLUMNS: dict[str, tuple[str, ...]] = {
    "commune": ("insee", "code insee", "code commune", "village", "commune de résidence"),
    "trade": ("activity", "métier", "activité", "profession"),
    "arrival_year": ("year of arrival", "année d'arrivée", "année arrivée", "arrivée", "année"),
    "household_size": ("household", "foyer", "taille du foyer", "personnes"),
    "consent": ("consent to be contacted", "consentement", "accord", "contact"),
    "name": ("nom", "nom prénom", "prénom nom"),
    "email": ("e-mail", "courriel", "mail"),
    "phone": ("téléphone", "tel", "tél", "telephone"),
}
_REQUIRED = ("commune", "trade", "arrival_year", "household_size", "consent")
_CONTACT = ("name", "email", "phone")
#: The drive times members are counted within, in minutes.
MEMBER_WINDOWS: tuple[int, ...] = (15, 30, 45)
#: The same for members of the household's own trade.
TRADE_WINDOWS: tuple[int, ...] = (30, 45)
#: The earliest year of arrival accepted (the programme is younger).
FIRST_YEAR = 1950
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+$")


def trade_key(trade: str) -> str:
    """A trade as it is matched: lower case, no accents, words only.

    Examples
    --------
    >>> trade_key("  Graphiste / Illustratrice ")
    'graphiste illustratrice'
    """
    return normalise_name(trade)


def trade_matches(keys: pd.Series, trade: str) -> npt.NDArray[np.bool_]:
    """Which members' trades are the household's: the same words, or containing them.

    Examples
    --------
    >>> keys = pd.Series(["graphiste", "graphiste illustratrice", "architecte"])
    >>> trade_matches(keys, "Graphiste").tolist()
    [True, True, False]
    """
    wanted = f" {trade_key(trade)} "
    padded = " " + keys.fillna("").astype(str) + " "
    return np.asarray(padded.str.contains(wanted, regex=False), dtype=bool)


def drive_min_matrix(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    to_lon: npt.ArrayLike,
    to_lat: npt.ArrayLike,
    *,
    model: DriveTimeModel,
) -> npt.NDArray[np.float64]:
    """Estimated drive minutes from each point (rows) to each other point (columns).

    The geodesic distance through :meth:`DriveTimeModel.predict` (NaN where a
    point has no position).
    """
    a_lon, a_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    b_lon, b_lat = np.asarray(to_lon, dtype=float), np.asarray(to_lat, dtype=float)
    km = geodesic_km(a_lon[:, None], a_lat[:, None], b_lon[None, :], b_lat[None, :])
    return np.asarray(model.predict(km), dtype=float)


def members_within(
    villages: gpd.GeoDataFrame,
    members: pd.DataFrame,
    *,
    minutes: int,
    model: DriveTimeModel,
    min_shown: int,
    trade: str | None = None,
    name: str | None = None,
) -> pd.Series:
    """Members whose commune is within ``minutes`` of each village's town hall (estimated).

    Parameters
    ----------
    villages
        The villages (town-hall positions, polygons), indexed by INSEE code.
    members
        The members source's table (``insee``, ``lon``, ``lat``, ``trade_key``).
    minutes
        The drive time, in minutes (a member in the village itself counts).
    model
        The drive-time model that estimates minutes from the straight-line distance.
    min_shown
        Counts below this are given as 0 (no output points at fewer members).
    trade
        Count only the members of this trade (:func:`trade_matches`); None for all.
    name
        The series' name (default ``members_within_<minutes>min``, or
        ``trade_members_within_<minutes>min`` with a trade).

    Returns
    -------
    pandas.Series
        A count per village (float, 0 below ``min_shown``).
    """
    default = f"{'trade_' if trade is not None else ''}members_within_{minutes}min"
    chosen = members if trade is None else members[trade_matches(members["trade_key"], trade)]
    counts = np.zeros(len(villages))
    if len(chosen):
        per_commune = chosen.groupby("insee", sort=True).agg(
            n=("insee", "size"), lon=("lon", "first"), lat=("lat", "first")
        )
        v_lon, v_lat = village_points(villages)
        minutes_to = drive_min_matrix(
            v_lon, v_lat, per_commune["lon"], per_commune["lat"], model=model
        )
        near = np.nan_to_num(minutes_to, nan=np.inf) <= minutes
        counts = near.astype(float) @ per_commune["n"].to_numpy(dtype=float)
    counts = np.where(counts >= min_shown, counts, 0.0)
    return pd.Series(counts, index=villages.index, name=name or default, dtype=float)


@dataclass(frozen=True)
class _Within:
    """The compute function of a ``members_within`` feature, from the run's inputs."""

    minutes: int
    by_trade: bool

    def __call__(self, inputs: Inputs) -> pd.Series:
        name = f"{'trade_' if self.by_trade else ''}members_within_{self.minutes}min"
        if self.by_trade and inputs.trade is None:
            return pd.Series(np.nan, index=inputs.villages.index, name=name, dtype=float)
        return members_within(
            inputs.villages,
            inputs.tables["members"],
            minutes=self.minutes,
            model=inputs.drive_model or DriveTimeModel(),
            min_shown=inputs.min_members_shown,
            trade=inputs.trade if self.by_trade else None,
            name=name,
        )


_HOW_EN = (
    "estimated from the straight-line distance between town halls with the run's "
    "drive-time model; fewer than min_members_shown (3 by default) count as 0, so that no "
    "output points at fewer members"
)
_HOW_FR = (
    "estimé d’après la distance à vol d’oiseau entre mairies avec le modèle de temps de "
    "trajet du calcul ; moins de min_members_shown (3 par défaut) comptent pour 0, pour "
    "qu’aucune sortie ne désigne moins de membres"
)


def _member_feature(minutes: int) -> Feature:
    return Feature(
        name=f"members_within_{minutes}min",
        unit=COUNT,
        label=Text(
            en=f"Programme members within {minutes} min",
            fr=f"Membres du programme à moins de {minutes} min",
        ),
        description=Text(
            en=f"Professionals settled by the CCI programme who live within {minutes} "
            f"minutes' drive of the town hall: {_HOW_EN}.",
            fr=f"Professionnels installés par le programme de la CCI qui habitent à moins de "
            f"{minutes} minutes de route de la mairie{chr(0xA0)}: {_HOW_FR}.",
        ),
        sources=("members",),
        compute=_Within(minutes, by_trade=False),
        estimate=True,
    )


def _trade_feature(minutes: int) -> Feature:
    return Feature(
        name=f"trade_members_within_{minutes}min",
        unit=COUNT,
        label=Text(
            en=f"Members of your trade within {minutes} min",
            fr=f"Membres de votre métier à moins de {minutes} min",
        ),
        description=Text(
            en=f"Programme members of the household's trade (Settings.trade) who live "
            f"within {minutes} minutes' drive of the town hall: {_HOW_EN}; missing when the "
            "household names no trade.",
            fr=f"Membres du programme exerçant le métier du foyer (Settings.trade) qui "
            f"habitent à moins de {minutes} minutes de route de la mairie{chr(0xA0)}: "
            f"{_HOW_FR} ; manquant si le foyer ne donne pas de métier.",
        ),
        sources=("members",),
        compute=_Within(minutes, by_trade=True),
        estimate=True,
    )


class MembersSource(PrivateSource):
    """The programme's members (see the module's docstring for the file and the table)."""

    key: ClassVar[str] = "members"
    name: ClassVar[str | Text] = Text(en="Programme members", fr="Membres du programme")
    publisher: ClassVar[str | Text] = Text(
        en="the CCI programme's advisor", fr="le conseiller du programme de la CCI"
    )
    file_format: ClassVar[str] = (
        "CSV (';', ',' or tab): commune, trade, arrival_year, household_size, consent, "
        "and name, email, phone for those who consented (English or French column names)"
    )
    edition_rule: ClassVar[str] = "the day of the import"
    load_command: ClassVar[str] = "relocate network import FILE"
    #: A members list of the Gers is a few hundred rows.
    max_file_bytes: ClassVar[int] = 16 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("insee", "trade_key", "consent", "lon", "lat")
    features: ClassVar[tuple[Feature, ...]] = (
        *(_member_feature(m) for m in MEMBER_WINDOWS),
        *(_trade_feature(m) for m in TRADE_WINDOWS),
    )

    def __init__(self, *, today: date | None = None) -> None:
        #: The day of the import (its edition); None for the day the file is parsed.
        self.today = today

    def parse_private(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the members file into the members table.

        Notes counted: ``members``, ``consenting``, ``communes`` (where they live),
        ``outside_departement``.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of the first problem: a missing
            column, a commune that is none (or a name that matches several), an
            empty trade, a year or household size that is not a whole number in
            range, a consent that is not yes or no, a consenting member without a
            name or without any way to reach them, an e-mail or phone that is not one.
        """
        if len(files) != 1:
            raise SourceFormatError(f"the members list is one CSV file; got {len(files)} files")
        path = files[0]
        table, names = read_programme_csv(
            path, columns=COLUMNS, required=_REQUIRED, max_bytes=self.max_file_bytes
        )
        index = commune_index(context)
        codes = communes_of(table, names["commune"], index)
        trades = text_cells(table, names["trade"], required=True)
        today = self.today or date.today()
        years = integers(
            table, names["arrival_year"], low=FIRST_YEAR, high=today.year, what="a year"
        )
        sizes = integers(table, names["household_size"], low=1, high=20, what="a household size")
        consent = yes_no(table, names["consent"]).to_numpy(dtype=bool)
        contact = {c: text_cells(table, names.get(c)) for c in _CONTACT}
        given = np.zeros(len(consent), dtype=bool)
        for values in contact.values():
            given |= values.notna().to_numpy()
        dropped = int((given & ~consent).sum())
        if dropped:
            table.warnings.append(
                f"{path.name}: the contact details of {dropped} members who did not consent to "
                "be contacted were not kept"
            )
        for column, values in contact.items():
            contact[column] = values.where(consent, None)
        _check_contacts(table, names, contact, consent)
        lon, lat = index.positions(codes.tolist())
        frame = pd.DataFrame(
            {
                "insee": codes.to_numpy(dtype=object),
                "trade": trades.to_numpy(dtype=object),
                "trade_key": np.array([trade_key(str(t)) for t in trades], dtype=object),
                "arrival_year": years.to_numpy(),
                "household_size": sizes.to_numpy(),
                "consent": consent,
                "name": contact["name"].to_numpy(dtype=object),
                "email": contact["email"].to_numpy(dtype=object),
                "phone": contact["phone"].to_numpy(dtype=object),
                "lon": lon,
                "lat": lat,
            }
        )
        outside = ~np.isin(frame["insee"].to_numpy(dtype=object), list(index.names))
        return Parsed(
            table=frame,
            edition=today.isoformat(),
            edition_date=today,
            warnings=tuple(table.warnings),
            notes={
                "members": len(frame),
                "consenting": int(consent.sum()),
                "communes": int(frame["insee"].nunique()),
                "outside_departement": int(outside.sum()),
            },
        )


def _check_contacts(
    table: TableRead, names: dict[str, str], contact: dict[str, pd.Series], consent: np.ndarray
) -> None:
    """Refuse a consenting member without a name or a way to reach them, or a bad address."""
    email, phone = contact["email"], contact["phone"]
    no_name = consent & contact["name"].isna().to_numpy()
    if no_name.any():
        row = int(np.flatnonzero(no_name)[0])
        raise SourceFormatError(
            f"{table.where(row, names.get('name', 'name'))}: the member consented to be "
            "contacted but has no name; give it (or set consent to no)"
        )
    unreachable = consent & email.isna().to_numpy() & phone.isna().to_numpy()
    if unreachable.any():
        row = int(np.flatnonzero(unreachable)[0])
        raise SourceFormatError(
            f"{table.where(row, names.get('email', 'email'))}: the member consented to be "
            "contacted but has neither an e-mail nor a phone; give one (or set consent to no)"
        )
    if "email" in names:
        ok = email.fillna("").str.fullmatch(_EMAIL.pattern).to_numpy(dtype=bool)
        bad_cell(table, email.notna().to_numpy() & ~ok, names["email"], "is not an e-mail address")
    if "phone" in names:
        text = phone.fillna("")
        digits = text.str.count(r"\d").to_numpy()
        shape = text.str.fullmatch(_PHONE.pattern).to_numpy(dtype=bool)
        bad = phone.notna().to_numpy() & ~(shape & (digits >= 9) & (digits <= 15))
        bad_cell(table, bad, names["phone"], "is not a phone number (9 to 15 digits)")
