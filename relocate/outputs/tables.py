"""Tables for analysts: the ranking and the features, written as CSV, GeoJSON or GeoPackage."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio  # type: ignore[import-untyped]

from relocate._files import atomic_paths
from relocate.errors import InvalidOptionError
from relocate.i18n import translator
from relocate.scoring import Ranking
from relocate.territory import Territory

if TYPE_CHECKING:
    from relocate.scoring.robust import Robustness

__all__ = [
    "GPKG_LAST_CHANGE",
    "TABLE_FORMATS",
    "check_table_path",
    "feature_frame",
    "ranking_frame",
    "sources_text",
    "write_table",
]

#: The ``last_change`` written in a GeoPackage's ``gpkg_contents``: a fixed date, so that
#: the same table gives the same bytes (GDAL would write the time of writing).
GPKG_LAST_CHANGE = "2000-01-01T00:00:00.000Z"
#: File extensions ``write_table`` understands, and the format each means.
TABLE_FORMATS = {".csv": "CSV", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}


def sources_text(territory: Territory, *, lang: str = "en") -> str:
    """The provenance of a run as text lines: one per source, then the drive-time model."""
    tr = translator(lang)
    lines = [
        "- "
        + tr._("{citation}; loaded from {where}").format(
            citation=s.citation(lang), where=s.loaded_from
        )
        for s in territory.sources
    ]
    lines.append(
        "- "
        + tr._("Drive times (drive_min_*): {how}").format(how=territory.describe_drive_times(lang))
    )
    if "members" in territory.open_data:
        lines.append(
            "- "
            + tr._(
                "Programme members (members_within_*, trade_members_within_*): a count below "
                "{k} is written 0, so that no member can be singled out"
            ).format(k=territory.settings.min_members_shown)
        )
    return "\n".join(lines)


def _drive_notes(territory: Territory, index: pd.Index) -> pd.Series | None:
    """Why drive times are missing, one text per village (with a road network only)."""
    notes = territory.drive_notes
    if notes is None:
        return None
    text = [
        "; ".join(f"{name}: {reason}" for name, reason in row.items() if isinstance(reason, str))
        or None
        for _, row in notes.reindex(index).iterrows()
    ]
    return pd.Series(text, index=index, dtype=object)


def ranking_frame(
    ranking: Ranking, territory: Territory, *, robustness: Robustness | None = None
) -> gpd.GeoDataFrame:
    """The ranking as one row per village, best first, with every score component.

    Columns: ``insee``, ``rank``, ``name``, ``score``, ``excluded``, ``reasons``,
    ``unchecked``, ``coverage``; then for each scored criterion its raw value
    (named as the feature), ``utility_<criterion>`` and ``points_<criterion>``;
    with a robustness analysis, ``p_top1``, ``p_top3``, ``p_top10``,
    ``p_top<N>``, ``rank_p05``, ``rank_p50``, ``rank_p95``, ``confidence`` and the
    central weights; the raw value of each constrained feature that is not a
    criterion; ``drive_min_basis``; and the commune polygon.
    """
    table = ranking.table
    checked = [n for n in ranking.profile.constraints if n not in ranking.criteria]
    frame = pd.concat(
        [
            ranking.frame(robustness=robustness),
            territory.features.reindex(columns=checked).reindex(table.index),
        ],
        axis=1,
    )
    frame["drive_min_basis"] = territory.drive_times
    if (notes := _drive_notes(territory, table.index)) is not None:
        frame["drive_notes"] = notes
    frame = frame.rename_axis("insee").reset_index()
    geometry = territory.villages.geometry.reindex(table.index).to_numpy()
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=territory.villages.crs)


def feature_frame(territory: Territory) -> gpd.GeoDataFrame:
    """Every feature of every village: INSEE code, name, département, features, polygon."""
    frame = territory.feature_table()
    frame["drive_min_basis"] = territory.drive_times
    if (notes := _drive_notes(territory, territory.villages.index)) is not None:
        frame["drive_notes"] = notes.to_numpy()
    geometry = territory.villages.geometry.to_numpy()
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=territory.villages.crs)


def check_table_path(path: Path) -> None:
    """Raise InvalidOptionError unless the extension of ``path`` is in :data:`TABLE_FORMATS`."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        known = ", ".join(TABLE_FORMATS)
        raise InvalidOptionError(
            f"cannot write {str(path)!r}: unknown extension {suffix or '(none)'}; "
            f"use one of {known}"
        )


def write_table(frame: gpd.GeoDataFrame, path: Path, *, sources: str, lang: str = "en") -> Path:
    """Write a table by extension, with a ``.sources.txt`` file beside it: both or neither.

    The table's columns keep their stable English names; the sources note is in
    ``lang``.

    CSV drops the polygons (spreadsheets cannot use them); GeoJSON and
    GeoPackage keep them, in a layer named after the file. The same table
    written to the same path gives the same bytes: the GeoPackage's
    ``last_change`` is fixed at :data:`GPKG_LAST_CHANGE` rather than the time of
    writing.

    Raises
    ------
    InvalidOptionError
        If the extension is not one of :data:`TABLE_FORMATS`.
    relocate.errors.OutputError
        If a file cannot be written (both files are then as they were).

    """
    check_table_path(path)
    suffix = path.suffix.lower()
    note = path.with_name(path.name + ".sources.txt")
    with atomic_paths([path, note]) as (tmp, tmp_note):
        if suffix == ".csv":
            pd.DataFrame(frame.drop(columns="geometry")).to_csv(tmp, index=False)
        elif suffix == ".gpkg":
            tmp.unlink()  # the GeoPackage driver wants to create the file itself
            with _gdal_options(OGR_CURRENT_DATE=GPKG_LAST_CHANGE):
                frame.to_file(tmp, driver="GPKG", layer=path.stem, engine="pyogrio")
        else:
            tmp.unlink()
            # The layer is named after the target, not the temporary file it is written to.
            frame.to_file(tmp, driver="GeoJSON", layer=path.stem, engine="pyogrio")
        heading = translator(lang)._("Sources of {name}:").format(name=path.name)
        tmp_note.write_text(f"{heading}\n{sources}\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def _gdal_options(**options: str) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a write, then restore them."""
    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)
