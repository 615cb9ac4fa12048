"""The sources relocate knows, in order of preference, by the name used on the command line."""

from __future__ import annotations

from relocate._names import suggest
from relocate.declare import SourceDeclaration
from relocate.errors import UnknownSourceError
from relocate.i18n import N_, translator
from relocate.programme.events import EventsSource
from relocate.programme.members import MembersSource
from relocate.programme.notes import NotesSource
from relocate.sources.airports import AIRPORTS
from relocate.sources.arcep import ArcepSource
from relocate.sources.arcep_deploiements import ArcepDeploiementsSource
from relocate.sources.bpe import BpeSource
from relocate.sources.communes import COMMUNES
from relocate.sources.dvf import DvfSource
from relocate.sources.finess import FinessHospitalsSource
from relocate.sources.finess_autorisations import FinessAutorisationsSource
from relocate.sources.georisques import GeorisquesSource
from relocate.sources.laposte import LaPosteSource
from relocate.sources.opendata import OpenDataSource
from relocate.sources.osm import OsmRoadsSource
from relocate.sources.populations import PopulationsSource
from relocate.sources.sncf import SncfStationsSource

__all__ = ["BUILT_IN", "OPEN_DATA", "POINT_SOURCES", "SOURCES", "how_to_load", "open_data_source"]

#: Every source, in order of preference: where two list the same kind of facility (La
#: Poste and the BPE both list post offices), the first one loaded gives it. The
#: catalogue, ``data status`` and the map's layers follow this order.
SOURCES: tuple[SourceDeclaration, ...] = (
    COMMUNES,
    AIRPORTS,
    PopulationsSource(),
    ArcepSource(),
    ArcepDeploiementsSource(),
    SncfStationsSource(),
    LaPosteSource(),
    BpeSource(),
    # The current extraction first: it tells emergency departments and maternities apart.
    FinessAutorisationsSource(),
    FinessHospitalsSource(),
    DvfSource(),
    GeorisquesSource(),
    OsmRoadsSource(),
    # The programme's own data (imported by the advisor, readable by them only).
    MembersSource(),
    NotesSource(),
    EventsSource(),
)

#: Sources installed with the package's dependencies.
BUILT_IN: tuple[str, ...] = tuple(s.key for s in SOURCES if s.built_in)

#: Official open-data sources, fetched or imported into the cache.
OPEN_DATA: dict[str, OpenDataSource] = {s.key: s for s in SOURCES if isinstance(s, OpenDataSource)}

#: Sources whose table lists facilities as points (``insee, kind, name, lon, lat``).
POINT_SOURCES: tuple[str, ...] = tuple(s.key for s in SOURCES if s.service_kinds)


def open_data_source(key: str) -> OpenDataSource:
    """Return the open-data source with this command-line name.

    Raises
    ------
    UnknownSourceError
        Listing the known names (and the nearest one to a misspelling).
    """
    if key in OPEN_DATA:
        return OPEN_DATA[key]
    close = suggest(key, [*OPEN_DATA, *BUILT_IN])
    hint = f"did you mean {close!r}? " if close else ""
    if key in BUILT_IN:
        raise UnknownSourceError(
            f"{key!r} is built in (installed with relocate's dependencies): "
            "nothing to fetch or import; update the package instead"
        )
    raise UnknownSourceError(
        f"unknown source {key!r}; {hint}sources: {', '.join(OPEN_DATA)} "
        f"(built in: {', '.join(BUILT_IN)})"
    )


#: The placeholders of the programme's commands, written in the reader's language.
_PLACEHOLDERS = {
    "FILE": N_("FILE"),
    "VILLAGE": N_("VILLAGE"),
    "KEY": N_("KEY"),
    "VALUE": N_("VALUE"),
}


def how_to_load(keys: list[str], *, lang: str = "en") -> str:
    """The commands that load one of these open-data sources, in words (for the advisor)."""
    tr = translator(lang)
    command = getattr(OPEN_DATA.get(keys[0]), "load_command", None) if keys else None
    if command:  # the programme's own sources have a command of their own
        words = [tr._(_PLACEHOLDERS[w]) if w in _PLACEHOLDERS else w for w in command.split()]
        return tr._("run {imports}").format(imports=f"`{' '.join(words)}`")
    fetchable = [k for k in keys if k in OPEN_DATA and OPEN_DATA[k].fetchable]
    imports = tr._("`relocate data import {key} FILE...` with files you downloaded").format(
        key=keys[0]
    )
    if not fetchable:
        return tr._("run {imports}").format(imports=imports)
    fetch = tr._(" or ").join(f"`relocate data fetch {k}`" for k in fetchable)
    return tr._("run {fetch}, or {imports}").format(fetch=fetch, imports=imports)
