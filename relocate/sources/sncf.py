"""SNCF passenger stations ("Gares de voyageurs"): one point per station, from the published CSV."""

from __future__ import annotations

from collections.abc import Sequence
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
    optional_insee_codes,
    read_checked_csv,
    rows_of,
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

__all__ = ["SPEC", "STATION", "SncfStationsSource"]

#: Passenger railway stations.
STATION = ServiceKind(
    key="station",
    noun=Noun(
        en="passenger railway station",
        en_plural="passenger railway stations",
        fr="gare de voyageurs",
        fr_plural="gares de voyageurs",
        feminine=True,
    ),
)


_NAME = "Nom"
_TRIGRAM = "Trigramme"
_SEGMENT = "Segment(s) DRG"
_POSITION = "Position géographique"
_COMMUNE = "Code commune"
_UIC = "Code(s) UIC"
_ID = "id"

#: The published format: ``;``-separated, UTF-8 with a byte-order mark, the position as one
#: ``"lat, lon"`` field (checked on the 2026 list, 2,782 stations).
SPEC = CsvSpec(
    sep=";",
    required=[_NAME, _TRIGRAM, _POSITION, _COMMUNE, _ID],
    bom_expected=True,
)

_LAT_LON = r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$"


# --- the source ---------------------------------------------------------------------------


def _positions(table: TableRead) -> tuple[pd.Series, pd.Series]:
    """Latitudes and longitudes from the one ``"lat, lon"`` field (NaN where it is empty)."""
    raw = table.frame[_POSITION].astype(str).str.strip()
    empty = (raw == "").to_numpy()
    parts = raw.str.extract(_LAT_LON)
    bad = parts[0].isna().to_numpy() & ~empty
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(
            f"{table.where(row, _POSITION)}: {raw.iloc[row]!r} is not a position "
            f'"latitude, longitude" ({int(bad.sum())} such values in that column)'
        )
    lat = pd.to_numeric(parts[0]).astype(float)
    lon = pd.to_numeric(parts[1]).astype(float)
    check_range(table, lat, _POSITION, low=-90, high=90, what="latitude")
    check_range(table, lon, _POSITION, low=-180, high=180, what="longitude")
    return lat, lon


class SncfStationsSource(OpenDataSource):
    """SNCF Gares & Connexions' list of passenger stations.

    The table has one row per station: ``insee`` (the ``Code commune``),
    ``kind`` (``"station"``), ``name``, ``lon``, ``lat``, and ``sncf_id``,
    ``sncf_trigram``, ``sncf_segment`` (the DRG segments, ``A``/``B``/``C``,
    ``;``-joined when there are several) and ``sncf_uic`` (UIC codes,
    ``;``-joined).
    """

    key: ClassVar[str] = "sncf"
    name: ClassVar[str] = "Gares de voyageurs (passenger railway stations)"
    publisher: ClassVar[str] = "SNCF Gares & Connexions"
    licence: ClassVar[str] = "ODbL"
    page_url: ClassVar[str] = "https://ressources.data.sncf.com/explore/dataset/gares-de-voyageurs/"
    file_format: ClassVar[str] = (
        "CSV, ';'-separated, UTF-8 with a byte-order mark: Nom;Trigramme;Segment(s) DRG;"
        'Position géographique ("lat, lon" in one field);Code commune;Code(s) UIC;id'
    )
    edition_rule: ClassVar[str] = (
        "the file carries no date: the edition is the day the file was downloaded or "
        "imported (the file's date, UTC), written 'retrieved YYYY-MM-DD' so that "
        "nobody takes it for the date the data describes"
    )
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = False
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (STATION,)
    #: The list has about 2,800 stations (2026) and changes by a few a year.
    min_row_share: ClassVar[float] = 0.9
    #: The 2026 list is 0.26 MB.
    max_file_bytes: ClassVar[int] = 64 << 20
    table_columns: ClassVar[tuple[str, ...]] = (*POINT_COLUMNS, "sncf_id")

    #: The portal's CSV export (Opendatasoft explore API v2.1) with column labels as headers
    #: and ';' between columns: the layout of the published file.
    export_url: ClassVar[str] = (
        "https://ressources.data.sncf.com/api/explore/v2.1/catalog/datasets/"
        "gares-de-voyageurs/exports/csv?lang=fr&timezone=Europe%2FParis"
        "&use_labels=true&delimiter=%3B"
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The national list (one file whatever the département)."""
        del departement
        return [Download(url=self.export_url, filename="gares-de-voyageurs.csv")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the station list into a table of points.

        Notes counted: ``stations``, ``without_position``, ``without_commune``,
        ``outside_commune`` (positions more than 2 km outside the commune the row
        names), ``unchecked_position`` (a commune the commune table does not know).

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read: a missing
            column, a position that is not ``"lat, lon"``, a coordinate out of
            range, a commune code that is not one, two rows with one ``id``; or
            positions mostly outside France (latitude and longitude swapped).
        """
        if len(files) != 1:
            raise SourceFormatError(
                f"the SNCF station list is one CSV file; got {len(files)} files"
            )
        path = files[0]
        table = read_checked_csv(path, replace(SPEC, max_bytes=self.max_file_bytes))
        frame = table.frame
        keep = drop_repeated_rows(table, text_or_none(frame[_ID]), what="station")
        table = rows_of(table, keep)
        frame = table.frame
        codes = optional_insee_codes(table, _COMMUNE)
        lat, lon = _positions(table)

        def extra(column: str) -> pd.Series:
            if column in frame.columns:
                return text_or_none(frame[column])
            return pd.Series([None] * len(frame), dtype=object)

        stations = pd.DataFrame(
            {
                "insee": codes.to_numpy(dtype=object),
                "kind": np.full(len(frame), "station", dtype=object),
                "name": text_or_none(frame[_NAME]).to_numpy(dtype=object),
                "lon": lon.to_numpy(dtype=float),
                "lat": lat.to_numpy(dtype=float),
                "sncf_id": text_or_none(frame[_ID]).to_numpy(dtype=object),
                "sncf_trigram": text_or_none(frame[_TRIGRAM]).to_numpy(dtype=object),
                "sncf_segment": extra(_SEGMENT).to_numpy(dtype=object),
                "sncf_uic": extra(_UIC).to_numpy(dtype=object),
            }
        )
        insee, lon_values, lat_values = (
            stations["insee"].to_numpy(),
            stations["lon"].to_numpy(),
            stations["lat"].to_numpy(),
        )
        refuse_swapped_positions(
            path.name, insee, lon_values, lat_values, columns=f"column {_POSITION!r}"
        )
        outside, unchecked = outside_their_commune(
            insee, lon_values, lat_values, context.communes.communes
        )
        edition, edition_date = file_date_edition(path)
        notes = {
            "stations": len(stations),
            "without_position": int(stations["lon"].isna().sum()),
            "without_commune": int(stations["insee"].isna().sum()),
            "outside_commune": int(outside.sum()),
            "unchecked_position": int(unchecked.sum()),
        }
        return Parsed(
            table=stations,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(table.warnings),
            notes=notes,
        )
