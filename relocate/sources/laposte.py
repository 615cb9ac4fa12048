"""La Poste's points of contact (post offices, postal agencies, relays): one point per site."""

from __future__ import annotations

import json
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
    plain_key,
    read_checked_csv,
    rows_of,
    size_text,
    text_column,
    text_or_none,
)
from relocate.sources.opendata import (
    POINT_COLUMNS,
    DatedBy,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    metadata_date,
    outside_their_commune,
    read_metadata,
    refuse_swapped_positions,
    undated_edition,
)

__all__ = [
    "AMBIGUOUS",
    "KINDS",
    "OTHER_KIND",
    "POSTAL_AGENCY",
    "POSTAL_RELAY",
    "POST_OFFICE",
    "SPEC",
    "LaPosteSource",
    "column_key",
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


#: Column names as La Poste's layouts agree on them: no accent, case, ``#`` or punctuation.
#: The list of about 2020 writes ``#Identifiant_du_site``, ``Libellé_du_site``; the
#: data-fair dataset ``laposte-poincont2`` names its fields ``identifiant_a``,
#: ``libelle_du_site`` (capitalised in some exports: ``Identifiant_A``).
column_key = plain_key


#: The published formats. The list of about 2020 (``laposte_poincont2.csv`` on
#: data.gouv.fr): ``;``-separated, UTF-8 without a byte-order mark, the first column name
#: written ``#Identifiant_du_site``. The current dataset ``laposte-poincont2`` of La
#: Poste's data-fair portal (refreshed monthly): fields ``identifiant_a, libelle_du_site,
#: caracteristique_du_site, adresse, code_postal, localite, code_insee, latitude,
#: longitude`` (capitalised in some exports), its CSV exports ``,``-separated with a
#: byte-order mark. Both are read; columns are matched by :func:`column_key`.
SPEC = CsvSpec(
    sep=";",
    seps=(",",),
    required=[_ID, _NAME, _TYPE, _INSEE, _LAT, _LON],
    header_prefix="#",
    bom_expected=True,
    usecols=[_ID, _NAME, _TYPE, _POSTCODE, _INSEE, _LAT, _LON, _PRECISION],
    aliases={_ID: ("identifiant_a",)},
    header_key=column_key,
)

#: ``Caractéristique_du_site`` (compared case-insensitively, spaces collapsed) -> kind.
#: The first five are every value of the list checked (17,700 sites, about 2020); the
#: others are those of the current dataset, as public code that reads it lists them
#: ("Bureau centre", "Agence postale communale ou intercommunale", "Point partenaire",
#: "Agence postale ou Relais poste"), and shorter labels ("Agence postale", "Relais poste").
KINDS: dict[str, str] = {
    "bureau de poste": "post_office",
    "bureau centre": "post_office",
    "agence postale communale": "postal_agency",
    "agence postale intercommunale": "postal_agency",
    "agence postale communale ou intercommunale": "postal_agency",
    "agence postale": "postal_agency",
    "relais poste commerçant": "postal_relay",
    "relais poste": "postal_relay",
    # A partner shop offering La Poste's services: a relay under another name.
    "point partenaire": "postal_relay",
    # Either an agency or a relay: see AMBIGUOUS.
    "agence postale ou relais poste": "postal_agency_or_relay",
    # A counter on a military base, not open to the public.
    "agence postale militaire": "postal_other",
}
#: The kind of a site whose characteristic is not in :data:`KINDS` (counted in a warning).
OTHER_KIND = "postal_other"
#: Where the dataset's metadata (data-fair) dates its data: the last update of the data.
METADATA_DATES = ("dataUpdatedAt", "updatedAt")
#: "Agence postale ou Relais poste" names no one kind. La Poste ends each site's name
#: with its kind (in the list checked, every communal agency's name ends in ``AP``, every
#: relay's in ``RP``): a name ending in ``AP`` (or ``APC``, ``API``) is an agency, any
#: other a relay, the more limited service, so that no village is credited with an
#: agency it may not have. The sites so told apart are counted (``kind_from_name``).
AMBIGUOUS = "postal_agency_or_relay"
_AGENCY_SUFFIX = re.compile(r"\b(?:AP|APC|API)\s*$", re.IGNORECASE)


def _label_key(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().casefold()


def _kinds(table: TableRead) -> tuple[pd.Series, int]:
    """The kind of each site, and how many were told apart by their name (:data:`AMBIGUOUS`).

    Unknown characteristics become ``postal_other``, with a warning.
    """
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
    ambiguous = (kinds == AMBIGUOUS).to_numpy()
    if ambiguous.any():
        names = table.frame[_NAME].astype(str)[ambiguous]
        agency = names.str.contains(_AGENCY_SUFFIX).to_numpy()
        kinds[ambiguous] = np.where(agency, "postal_agency", "postal_relay")
    return kinds.fillna(OTHER_KIND).astype(object), int(ambiguous.sum())


def _sites(table: TableRead, lon: pd.Series, lat: pd.Series, kinds: pd.Series) -> pd.DataFrame:
    """The standard table, made column by column (one column at a time as Python strings)."""
    frame = table.frame

    def text(column: str) -> pd.Series | np.ndarray:
        if column in frame.columns:
            return text_column(frame[column])
        return np.full(len(frame), None, dtype=object)

    columns: dict[str, Callable[[], pd.Series | np.ndarray]] = {
        "insee": lambda: optional_insee_codes(table, _INSEE).to_numpy(dtype=object),
        "kind": lambda: kinds.to_numpy(dtype=object),
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


def _json_table(path: Path, *, max_bytes: int) -> TableRead:
    """The sites of a JSON document of the dataset's lines API (``{"results": [...]}``).

    Each result is one site, under the fields' keys (``identifiant_a``...); messages
    number the results (``result 1`` is the first).
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFormatError(
            f"{path.name}: {size_text(size)}, far larger than La Poste's list: "
            "not the expected file"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        results = data["results"]
    except (UnicodeError, ValueError) as exc:
        raise SourceFormatError(f"{path.name}: not readable as JSON ({exc})") from None
    except (KeyError, TypeError):
        raise SourceFormatError(
            f"{path.name}: JSON without 'results': not a page of La Poste's lines API"
        ) from None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise SourceFormatError(f"{path.name}: 'results' is not a list of sites")
    frame = pd.DataFrame.from_records(results)
    frame.columns = SPEC.canonical([str(c) for c in frame.columns])
    missing = [c for c in SPEC.required if c not in frame.columns]
    if missing:
        raise SourceFormatError(
            f"{path.name}: no field {column_key(missing[0])!r} in the results "
            f"(expected {', '.join(column_key(c) for c in SPEC.required)})"
        )
    keep = [c for c in (SPEC.usecols or ()) if c in frame.columns]
    text = frame[keep].astype(object).where(frame[keep].notna(), "")
    text = text.map(lambda value: value if isinstance(value, str) else str(value))
    return TableRead(
        path=path,
        frame=text.reset_index(drop=True),
        first_data_line=1,
        original={c: column_key(c) for c in keep if c != _ID} | {_ID: "identifiant_a"},
        row_word="result",
    )


class LaPosteSource(OpenDataSource):
    """La Poste's list of points of contact (``laposte-poincont2``).

    The table has one row per site: ``insee`` (``Code_INSEE``), ``kind``
    (``post_office`` for a *Bureau de Poste* or *Bureau centre*,
    ``postal_agency`` for a communal or intercommunal *Agence postale*,
    ``postal_relay`` for a *Relais poste* in a shop or a *Point partenaire*,
    ``postal_other`` for anything else; an *Agence postale ou Relais poste* by
    its name, :data:`AMBIGUOUS`), ``name`` (``Libellé_du_site``), ``lon``,
    ``lat`` (NaN where the file has no position), and ``laposte_id``,
    ``laposte_type`` (the published characteristic), ``laposte_postcode``,
    ``laposte_geocoding`` (how the site was geocoded: at the number, street,
    block or commune centre).

    Read from the CSV of either layout (:data:`SPEC`), or from the JSON of the
    dataset's lines API; with, optionally, the dataset's metadata (JSON), whose
    ``dataUpdatedAt`` dates the edition.
    """

    key: ClassVar[str] = "laposte"
    name: ClassVar[str] = "Liste des bureaux de poste, agences postales et relais poste"
    publisher: ClassVar[str] = "La Poste"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0"
    page_url: ClassVar[str] = "https://data.laposte.fr/datasets/laposte-poincont2"
    file_format: ClassVar[str] = (
        "CSV: the data-fair dataset laposte-poincont2 (identifiant_a, libelle_du_site, "
        "caracteristique_du_site, adresse, code_postal, localite, code_insee, latitude, "
        "longitude; ',' or ';', UTF-8) or the list of about 2020 (#Identifiant_du_site;"
        "Libellé_du_site;Caractéristique_du_site;...;Code_INSEE;...;Latitude;Longitude); or "
        "the JSON of its lines API; optionally its metadata (JSON)"
    )
    edition_rule: ClassVar[str] = (
        "the list carries no date: the dataset's dataUpdatedAt in its metadata (fetched "
        "beside it, or imported with it), else --edition, else the server's Last-Modified; "
        "else 'edition unknown, imported on DATE', of unknown age"
    )
    # The dataset is refreshed monthly; post offices change slowly, so a year-old copy is
    # still counted as current.
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = False
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (POST_OFFICE, POSTAL_AGENCY, POSTAL_RELAY)
    #: About 17,000 sites; offices close and relays open by the hundred a year, not more.
    min_row_share: ClassVar[float] = 0.9
    #: The list of about 2020 is 3 MB.
    max_file_bytes: ClassVar[int] = 1 << 30
    table_columns: ClassVar[tuple[str, ...]] = (*POINT_COLUMNS, "laposte_id")

    #: The data-fair API of La Poste's open-data portal, and the dataset.
    api_url: ClassVar[str] = "https://data.laposte.fr/data-fair/api/v1/datasets/laposte-poincont2"

    def downloads(self, *, departement: str) -> list[Download]:
        """The national list (the dataset's raw file, else its lines API), and its metadata."""
        del departement
        lines = Download(
            url=f"{self.api_url}/lines?size=10000", filename="laposte-poincont2.json", paged=True
        )
        return [
            Download(
                url=f"{self.api_url}/raw", filename="laposte-poincont2.csv", fallbacks=(lines,)
            ),
            Download(
                url=self.api_url,
                filename="laposte-poincont2.meta.json",
                optional=True,
                what="metadata",
            ),
        ]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the list of points of contact into a table of points.

        Notes counted: ``sites``, ``kind_<kind>``, ``kind_from_name`` (sites whose
        characteristic names two kinds, told apart by their name), ``without_position``,
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
        metadata = {
            p: read_metadata(p)
            for p in files
            if p.name.lower().endswith(".meta.json") or read_metadata(p) is not None
        }
        lists = [p for p in files if p not in metadata]
        if len(lists) != 1 or len(metadata) > 1:
            raise SourceFormatError(
                "La Poste's list of points of contact is one file (CSV, or JSON of its lines "
                f"API) and, optionally, the dataset's metadata (JSON); got {len(files)} files"
            )
        path = lists[0]
        if path.suffix.lower() == ".json":
            table = _json_table(path, max_bytes=self.max_file_bytes)
        else:
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
        kinds, from_name = _kinds(table)
        sites = _sites(table, lon, lat, kinds)
        table.frame = table.frame.iloc[:0]  # the text read is in ``sites`` now
        insee, lon_values, lat_values = (
            sites["insee"].to_numpy(),
            sites["lon"].to_numpy(),
            sites["lat"].to_numpy(),
        )
        shown = [table.original.get(c, c) for c in (_LAT, _LON)]
        refuse_swapped_positions(
            path.name,
            insee,
            lon_values,
            lat_values,
            columns=f"columns {shown[0]!r} and {shown[1]!r}",
        )
        outside, unchecked = outside_their_commune(
            insee, lon_values, lat_values, context.communes.communes
        )
        given = next(
            (metadata_date(m, METADATA_DATES) for m in metadata.values() if m is not None), None
        )
        for extra, data in metadata.items():
            if data is None or given is None:
                table.warnings.append(
                    f"{extra.name}: not the dataset's metadata (or no date in it): ignored"
                )
        dated_by: DatedBy = "metadata"
        if given is not None:
            edition, edition_date = given.isoformat(), given
        else:
            edition, edition_date, dated_by = undated_edition([path], context)
        notes = {"sites": len(sites)}
        for kind, count in sites["kind"].value_counts().sort_index().items():
            notes[f"kind_{kind}"] = int(count)
        if from_name:
            notes["kind_from_name"] = from_name
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
            dated_by=dated_by,
        )
