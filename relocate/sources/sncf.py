"""SNCF passenger stations ("Gares de voyageurs"): one point per station, from the published CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.declare import Noun, ServiceKind, Text
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
#: ``"lat, lon"`` field (checked on the 2026 list, 2,782 stations). The portal's export
#: has since relabelled three columns (``Nom_Gare``, ``Code_UIC``, ``Id_Gare``, as read by
#: public code that downloads it): both labellings are read.
SPEC = CsvSpec(
    sep=";",
    required=[_NAME, _TRIGRAM, _POSITION, _COMMUNE, _ID],
    bom_expected=True,
    aliases={_NAME: ("Nom_Gare",), _UIC: ("Code_UIC",), _ID: ("Id_Gare",)},
)
#: Where the portal's metadata (``catalog/datasets/<id>``, Opendatasoft) dates the data.
METADATA_DATES = ("metas.default.data_processed", "metas.default.modified", "metas.modified")

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
    name: ClassVar[str | Text] = Text(
        en="Gares de voyageurs (passenger railway stations)", fr="Gares de voyageurs"
    )
    publisher: ClassVar[str] = "SNCF Gares & Connexions"
    licence: ClassVar[str] = "ODbL"
    page_url: ClassVar[str] = "https://ressources.data.sncf.com/explore/dataset/gares-de-voyageurs/"
    file_format: ClassVar[str] = (
        "CSV, ';'-separated, UTF-8 with a byte-order mark: Nom;Trigramme;Segment(s) DRG;"
        'Position géographique ("lat, lon" in one field);Code commune;Code(s) UIC;id '
        "(or Nom_Gare, Code_UIC, Id_Gare); optionally the portal's metadata (JSON)"
    )
    edition_rule: ClassVar[str] = (
        "the list carries no date: the date the portal's metadata gives the data "
        "(metas.default.data_processed or modified, fetched beside it, or imported with "
        "it), else --edition, else the server's Last-Modified; else 'edition unknown, "
        "imported on DATE', of unknown age"
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
    #: The dataset's metadata on the portal (the date its data was last processed).
    metadata_url: ClassVar[str] = (
        "https://ressources.data.sncf.com/api/explore/v2.1/catalog/datasets/gares-de-voyageurs"
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The national list (one file whatever the département), and its metadata."""
        del departement
        return [
            Download(url=self.export_url, filename="gares-de-voyageurs.csv"),
            Download(
                url=self.metadata_url,
                filename="gares-de-voyageurs.meta.json",
                optional=True,
                what="metadata",
            ),
        ]

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
        lists = [p for p in files if p.suffix.lower() != ".json"]
        metadata = {p: read_metadata(p) for p in files if p.suffix.lower() == ".json"}
        if len(lists) != 1 or len(metadata) > 1:
            raise SourceFormatError(
                "the SNCF station list is one CSV file (and, optionally, the portal's "
                f"metadata as JSON); got {len(files)} files"
            )
        path = lists[0]
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
        given = next(
            (metadata_date(m, METADATA_DATES) for m in metadata.values() if m is not None), None
        )
        for other, data in metadata.items():
            if data is None or given is None:
                table.warnings.append(
                    f"{other.name}: not the portal's metadata of the dataset (or no date in "
                    "it): ignored"
                )
        dated_by: DatedBy = "metadata"
        if given is not None:
            edition, edition_date = given.isoformat(), given
        else:
            edition, edition_date, dated_by = undated_edition([path], context)
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
            dated_by=dated_by,
        )
