"""La Poste's points of contact (post offices, postal agencies, relays): one point per site."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.declare import Noun, ServiceKind
from relocate.errors import SourceFormatError
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    check_range,
    drop_repeated_rows,
    numbers,
    optional_insee_codes,
    read_checked_csv,
    rows_of,
    text_column,
    text_or_none,
)
from relocate.sources.opendata import (
    POINT_COLUMNS,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    file_date_edition,
    outside_their_commune,
    refuse_swapped_positions,
)

__all__ = [
    "KINDS",
    "OTHER_KIND",
    "POSTAL_AGENCY",
    "POSTAL_RELAY",
    "POST_OFFICE",
    "SPEC",
    "LaPosteSource",
]

#: A La Poste office (*bureau de poste*).
POST_OFFICE = ServiceKind(
    key="post_office",
    noun=Noun(
        en="post office",
        en_plural="post offices",
        fr="bureau de poste",
        fr_plural="bureaux de poste",
        feminine=False,
    ),
)
#: A postal agency run by the commune or the intercommunality (*agence postale communale*).
POSTAL_AGENCY = ServiceKind(
    key="postal_agency",
    noun=Noun(
        en="communal postal agency",
        en_plural="communal postal agencies",
        fr="agence postale communale",
        fr_plural="agences postales communales",
        feminine=True,
    ),
)
#: A postal counter in a shop (*relais poste commerçant*).
POSTAL_RELAY = ServiceKind(
    key="postal_relay",
    noun=Noun(
        en="postal relay in a shop",
        en_plural="postal relays in shops",
        fr="relais poste commerçant",
        fr_plural="relais poste commerçants",
        feminine=False,
    ),
)

_ID = "Identifiant_du_site"
_NAME = "Libellé_du_site"
_TYPE = "Caractéristique_du_site"
_POSTCODE = "Code_postal"
_INSEE = "Code_INSEE"
_LAT = "Latitude"
_LON = "Longitude"
_PRECISION = "Précision_du_géocodage"

#: The published format (``laposte_poincont2.csv``): ``;``-separated, UTF-8 without a
#: byte-order mark, the first column name written ``#Identifiant_du_site``.
SPEC = CsvSpec(
    sep=";",
    required=[_ID, _NAME, _TYPE, _INSEE, _LAT, _LON],
    header_prefix="#",
    usecols=[_ID, _NAME, _TYPE, _POSTCODE, _INSEE, _LAT, _LON, _PRECISION],
)

#: ``Caractéristique_du_site`` (compared case-insensitively, spaces collapsed) -> kind.
#: The first five are every value of the file checked (17,700 sites, about 2020); "Agence
#: postale" and "Relais poste" are the shorter labels of later editions.
KINDS: dict[str, str] = {
    "bureau de poste": "post_office",
    "agence postale communale": "postal_agency",
    "agence postale intercommunale": "postal_agency",
    "agence postale": "postal_agency",
    "relais poste commerçant": "postal_relay",
    "relais poste": "postal_relay",
    # A counter on a military base, not open to the public.
    "agence postale militaire": "postal_other",
}
#: The kind of a site whose characteristic is not in :data:`KINDS` (counted in a warning).
OTHER_KIND = "postal_other"


def _label_key(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().casefold()


def _kinds(table: TableRead) -> pd.Series:
    """The kind of each site; unknown characteristics become ``postal_other``, with a warning."""
    labels = table.frame[_TYPE].astype(str)
    # A handful of labels over a million rows: look each one up once.
    which, uniques = pd.factorize(labels)
    looked_up = np.array([KINDS.get(_label_key(str(u))) for u in uniques] + [None], dtype=object)
    kinds = pd.Series(looked_up[which], index=labels.index, dtype=object)
    unknown = kinds.isna().to_numpy()
    if unknown.any():
        counts = labels[unknown].str.strip().replace("", "(empty)").value_counts()
        listed = ", ".join(f"{label!r} ({count})" for label, count in counts.items())
        first = int(np.flatnonzero(unknown)[0])
        table.warnings.append(
            f"{table.where(first, _TYPE)} and {int(unknown.sum()) - 1} more rows: "
            f"characteristics relocate does not know, kept as kind {OTHER_KIND!r}: {listed}"
        )
    return kinds.fillna(OTHER_KIND).astype(object)


def _sites(table: TableRead, lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """The standard table, made column by column (one column at a time as Python strings)."""
    frame = table.frame

    def text(column: str) -> pd.Series | np.ndarray:
        if column in frame.columns:
            return text_column(frame[column])
        return np.full(len(frame), None, dtype=object)

    columns: dict[str, Callable[[], pd.Series | np.ndarray]] = {
        "insee": lambda: optional_insee_codes(table, _INSEE).to_numpy(dtype=object),
        "kind": lambda: _kinds(table).to_numpy(dtype=object),
        "name": lambda: text(_NAME),
        "lon": lambda: lon.to_numpy(dtype=float),
        "lat": lambda: lat.to_numpy(dtype=float),
        "laposte_id": lambda: text(_ID),
        "laposte_type": lambda: text(_TYPE),
        "laposte_postcode": lambda: text(_POSTCODE),
        "laposte_geocoding": lambda: text(_PRECISION),
    }
    sites = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name, values in columns.items():
        sites[name] = values()
    return sites


class LaPosteSource(OpenDataSource):
    """La Poste's list of points of contact (``laposte_poincont2``).

    The table has one row per site: ``insee`` (``Code_INSEE``), ``kind``
    (``post_office`` for a *Bureau de Poste*, ``postal_agency`` for a communal
    or intercommunal *Agence postale*, ``postal_relay`` for a *Relais poste*
    in a shop, ``postal_other`` for anything else), ``name``
    (``Libellé_du_site``), ``lon``, ``lat`` (NaN where the file has no
    position), and ``laposte_id``, ``laposte_type`` (the published
    characteristic), ``laposte_postcode``, ``laposte_geocoding`` (how the site
    was geocoded: at the number, street, block or commune centre).
    """

    key: ClassVar[str] = "laposte"
    name: ClassVar[str] = "Liste des bureaux de poste, agences postales et relais poste"
    publisher: ClassVar[str] = "La Poste"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0"
    page_url: ClassVar[str] = (
        "https://www.data.gouv.fr/fr/datasets/liste-des-bureaux-de-poste-agences-postales-et-relais-poste/"
    )
    file_format: ClassVar[str] = (
        "CSV, ';'-separated, UTF-8: #Identifiant_du_site;Libellé_du_site;"
        "Caractéristique_du_site;...;Code_postal;Localité;Code_INSEE;Pays;Latitude;Longitude;"
        "Précision_du_géocodage;..."
    )
    edition_rule: ClassVar[str] = (
        "the file carries no date: the edition is the day the file was downloaded or "
        "imported (the file's date, UTC), written 'retrieved YYYY-MM-DD' so that "
        "nobody takes it for the date the data describes"
    )
    # data.gouv.fr says the list is refreshed monthly; post offices change slowly, so a
    # year-old copy is still counted as current.
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = False
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (POST_OFFICE, POSTAL_AGENCY, POSTAL_RELAY)
    #: About 17,000 sites; offices close and relays open by the hundred a year, not more.
    min_row_share: ClassVar[float] = 0.9
    #: The list of about 2020 is 3 MB.
    max_file_bytes: ClassVar[int] = 1 << 30
    table_columns: ClassVar[tuple[str, ...]] = (*POINT_COLUMNS, "laposte_id")

    #: ``laposte_poincont2.csv`` as La Poste publishes it on data.gouv.fr (the stable
    #: resource link of the "points de contact du réseau postal français" dataset).
    file_url: ClassVar[str] = (
        "https://www.data.gouv.fr/fr/datasets/r/14990cf8-b618-42fe-a73d-92587b34ed46"
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The national list (one file whatever the département)."""
        del departement
        return [Download(url=self.file_url, filename="laposte_poincont2.csv")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the list of points of contact into a table of points.

        Notes counted: ``sites``, ``kind_<kind>``, ``without_position``,
        ``without_commune``, ``outside_commune`` (positions more than 2 km outside
        the commune the row names), ``unchecked_position`` (a commune the commune
        table does not know).

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read: a missing
            column, a coordinate that is not a number or is out of range, a
            commune code that is not one, two different rows for one site; or
            positions mostly outside France (latitude and longitude swapped).
        """
        if len(files) != 1:
            raise SourceFormatError(
                f"La Poste's list of points of contact is one CSV file; got {len(files)} files"
            )
        path = files[0]
        table = read_checked_csv(path, replace(SPEC, max_bytes=self.max_file_bytes))
        ids = text_or_none(table.frame[_ID])
        table = rows_of(table, drop_repeated_rows(table, ids, what="site"))
        del ids  # a Python string per row: not kept longer than needed
        lat = numbers(table, _LAT)
        lon = numbers(table, _LON)
        check_range(table, lat, _LAT, low=-90, high=90, what="latitude")
        check_range(table, lon, _LON, low=-180, high=180, what="longitude")
        half = lat.isna() != lon.isna()
        if half.any():
            row = int(np.flatnonzero(half.to_numpy())[0])
            column = _LAT if lat.isna().iloc[row] else _LON
            raise SourceFormatError(
                f"{table.where(row, column)}: one coordinate of the site is missing "
                f"({int(half.sum())} such rows)"
            )
        sites = _sites(table, lon, lat)
        table.frame = table.frame.iloc[:0]  # the text read is in ``sites`` now
        insee, lon_values, lat_values = (
            sites["insee"].to_numpy(),
            sites["lon"].to_numpy(),
            sites["lat"].to_numpy(),
        )
        refuse_swapped_positions(
            path.name, insee, lon_values, lat_values, columns=f"columns {_LAT!r} and {_LON!r}"
        )
        outside, unchecked = outside_their_commune(
            insee, lon_values, lat_values, context.communes.communes
        )
        edition, edition_date = file_date_edition(path)
        notes = {"sites": len(sites)}
        for kind, count in sites["kind"].value_counts().sort_index().items():
            notes[f"kind_{kind}"] = int(count)
        notes["without_position"] = int(sites["lon"].isna().sum())
        notes["without_commune"] = int(sites["insee"].isna().sum())
        notes["outside_commune"] = int(outside.sum())
        notes["unchecked_position"] = int(unchecked.sum())
        return Parsed(
            table=sites,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(table.warnings),
            notes=notes,
        )
