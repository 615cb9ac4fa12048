"""The ``relocate data`` commands: see, fetch and import the open-data sources."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from relocate.settings import Settings
    from relocate.sources.opendata import ParseContext

from relocate.cli._options import report_lang_option

__all__ = ["data"]

# The API is imported inside each command: `relocate --help` must not wait for it.

#: The source whose import makes a fitted drive-time model.
_ROADS = "osm"


@click.group()
def data() -> None:
    """See, fetch and import the open-data sources (broadband, services, prices...)."""


_departement_option = click.option(
    "--departement",
    "-d",
    default="32",
    show_default=True,
    help="Département for sources published per département (DVF, road network).",
)


@data.command("status")
@_departement_option
@report_lang_option
def data_status(departement: str, lang: str) -> None:
    """Show every source: edition, rows, where it is loaded from, its age."""
    import pandas as pd

    from relocate.i18n import translator
    from relocate.settings import Settings
    from relocate.sources.status import source_status

    tr = translator(lang)
    settings = Settings(departement=departement)
    rows = source_status(
        cache_dir=settings.cache_dir,
        departement=settings.departement,
        today=date.today(),
        lang=lang,
    )
    table = pd.DataFrame(
        [
            {
                tr._("source"): r.key,
                tr._("edition"): r.edition,
                tr._("rows"): "-" if r.rows is None else tr.number(r.rows),
                tr._("age (days)"): "-" if r.age_days is None else str(r.age_days),
                tr._("loaded from"): r.loaded_from,
            }
            for r in rows
        ]
    )
    click.echo(table.to_string(index=False))
    for r in rows:
        if r.notes:
            click.echo(f"{r.key}: {r.notes}")
    for r in rows:
        if r.warning:
            click.echo(tr._("warning: {source}: {text}").format(source=r.key, text=r.warning))
    roads = next((r for r in rows if r.key == _ROADS and r.rows is not None), None)
    fitted = next((r for r in rows if r.key == "drive-model" and r.rows is not None), None)
    if roads is not None:
        line = tr._("Drive times: road network (osm, edition {edition}).").format(
            edition=roads.edition
        )
    elif fitted is not None:
        line = tr._("Drive times: estimates with the fitted model (drive-model {edition}).").format(
            edition=fitted.edition
        )
    else:
        detour, speed = settings.drive_model.parameters
        how = tr._("estimate: straight-line distance x {detour} detour at {speed} km/h").format(
            detour=tr.decimal(detour), speed=tr.decimal(speed)
        )
        line = tr._(
            "Drive times: {how} (load a road network with `relocate data fetch osm` for real ones)."
        ).format(how=how)
    click.echo(line)
    click.echo(
        tr._("Cache: {folder} (set RELOCATE_CACHE_DIR to move it)").format(
            folder=settings.cache_dir
        )
    )


def _context(
    settings: Settings, *, edition: str | None = None, roads_buffer_km: float | None = None
) -> ParseContext:
    from relocate.sources import load_communes, select_departement
    from relocate.sources.opendata import ParseContext, edition_of_option

    if edition is not None:
        edition_of_option(edition)  # a bad date is refused before anything is read
    communes = load_communes(cache_dir=settings.cache_dir)
    code = select_departement(communes, settings.departement).code
    context = ParseContext(communes=communes, departement=code, edition=edition)
    if roads_buffer_km is not None:
        context = replace(context, roads_buffer_m=roads_buffer_km * 1000.0)
    return context


def _fit_after_roads(settings: Settings) -> None:
    """The explicit step a road network's arrival makes: fit the drive-time model on it."""
    from relocate.errors import InvalidOptionError
    from relocate.territory import fit_drive_model

    try:
        fitted = fit_drive_model(settings)
    except InvalidOptionError as exc:
        click.echo(f"drive-model: not fitted: {exc}")
        return
    click.echo(f"drive-model: edition {fitted.edition} fitted ({fitted.description})")


_accept_smaller_option = click.option(
    "--accept-smaller",
    is_flag=True,
    help="Install an edition even if it has far fewer rows than the one in use "
    "(by default such a file is refused as cut or partial).",
)


_roads_buffer_option = click.option(
    "--roads-buffer-km",
    type=click.FloatRange(min=0, max=60),
    default=15.0,
    show_default=True,
    help="Road network (osm): keep every drivable road within this distance of the "
    "département; motorways, trunk, primary and secondary roads are kept out to 60 km "
    "(the airports' distance).",
)


def _mirror(value: str | None) -> str | None:
    """The mirror given by --mirror or RELOCATE_DATA_MIRROR, checked (None if not given)."""
    from relocate.errors import InvalidOptionError

    if value is None or not value.strip():
        return None
    mirror = value.strip()
    if not mirror.startswith(("http://", "https://")):
        raise InvalidOptionError(
            f"--mirror {mirror!r} is not an http(s) address: give the URL of a mirror that "
            "holds each publisher's files under <host>/<path> (see data/SOURCES.md)"
        )
    return mirror


@data.command("fetch")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@_departement_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@_accept_smaller_option
@click.option(
    "--timeout",
    "read_timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a server may stay silent before the download is given up as hung.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    default=3600.0,
    show_default=True,
    help="Seconds one file may take in all (a server that drips data never times out).",
)
@click.option(
    "--mirror",
    envvar="RELOCATE_DATA_MIRROR",
    metavar="URL",
    help="Fetch every file from a mirror that keeps each publisher's files under "
    "URL/<host>/<path> (default: $RELOCATE_DATA_MIRROR; see data/SOURCES.md).",
)
@_roads_buffer_option
def data_fetch(
    sources: tuple[str, ...],
    departement: str,
    quiet: bool,
    accept_smaller: bool,
    read_timeout: float,
    deadline: float,
    mirror: str | None,
    roads_buffer_km: float,
) -> None:
    """Download the latest editions from the official URLs.

    With no SOURCE, every source that has an official download address: each is
    tried, whatever happens to the others, and the results are listed in a table.
    Exits with code 2 if any failed.
    """
    from relocate.errors import RelocateError
    from relocate.settings import Settings
    from relocate.sources.fetch import Limits, fetch_source, make_session
    from relocate.sources.registry import OPEN_DATA, open_data_source
    from relocate.sources.store import Store

    wanted = [open_data_source(key) for key in sources] or [
        s for s in OPEN_DATA.values() if s.fetchable
    ]
    settings = Settings(departement=departement)
    context = _context(settings, roads_buffer_km=roads_buffer_km)
    store = Store(settings.cache_dir)
    limits = Limits(read_s=read_timeout, deadline_s=deadline)
    session = make_session(max_retry_after_s=limits.retry_after_s, mirror=_mirror(mirror))
    results: list[tuple[str, str, str]] = []
    for source in wanted:
        try:
            manifest = fetch_source(
                source,
                store=store,
                context=context,
                session=session,
                progress=not quiet,
                limits=limits,
                accept_smaller=accept_smaller,
                notify=click.echo,
            )
        except RelocateError as exc:
            results.append((source.key, "failed", str(exc).removeprefix(f"{source.key}: ")))
            click.echo(f"relocate: error: {exc}", err=True)
        else:
            results.append(
                (source.key, "ok", f"edition {manifest.edition}, {manifest.rows:,} rows")
            )
            if source.key == _ROADS:
                _fit_after_roads(settings)
    if len(wanted) > 1:
        _results_table(results)
    if any(result == "failed" for _, result, _ in results):
        sys.exit(2)


def _results_table(results: list[tuple[str, str, str]]) -> None:
    """What each source's fetch gave, one row per source."""
    width = max(len(key) for key, _, _ in results)
    click.echo(f"{'source':<{width}}  result  edition, or why it failed")
    for key, result, detail in results:
        click.echo(f"{key:<{width}}  {result:<6}  {detail}")
    failed = sum(result == "failed" for _, result, _ in results)
    click.echo(f"{len(results) - failed} of {len(results)} sources fetched, {failed} failed.")


@data.command("import")
@click.argument("source")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_departement_option
@_accept_smaller_option
@click.option(
    "--edition",
    metavar="DATE",
    help="The edition of files that state no date (the day, month, year or quarter their "
    "publisher gives them: 2026-11-15, 2026-11, 2026, 2026-T3). Without it such files are "
    "recorded as 'edition unknown' and `data status` warns that their age is unknown.",
)
@_roads_buffer_option
def data_import(
    source: str,
    files: tuple[Path, ...],
    departement: str,
    accept_smaller: bool,
    edition: str | None,
    roads_buffer_km: float,
) -> None:
    """Import files you downloaded yourself for SOURCE, as a fetch would."""
    from relocate.settings import Settings
    from relocate.sources.fetch import import_files
    from relocate.sources.registry import open_data_source
    from relocate.sources.store import Store

    chosen = open_data_source(source)
    settings = Settings(departement=departement)
    import_files(
        chosen,
        list(files),
        store=Store(settings.cache_dir),
        context=_context(settings, edition=edition, roads_buffer_km=roads_buffer_km),
        accept_smaller=accept_smaller,
        notify=click.echo,
    )
    if chosen.key == _ROADS:
        _fit_after_roads(settings)


@data.command("fit-drive-model")
@_departement_option
def data_fit_drive_model(departement: str) -> None:
    """Fit the drive-time estimate on the département's road network, and keep the fit.

    Runs by itself when a road network is fetched or imported. Later runs without
    a road network (another département, say) estimate with the fit, and say so.
    """
    from relocate.settings import Settings
    from relocate.territory import fit_drive_model

    fitted = fit_drive_model(Settings(departement=departement))
    click.echo(f"drive-model: edition {fitted.edition} fitted ({fitted.description})")
