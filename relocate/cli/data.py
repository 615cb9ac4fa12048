"""The ``relocate data`` commands: see, fetch and import the open-data sources."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from relocate.settings import Settings
    from relocate.sources.opendata import ParseContext

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
def data_status(departement: str) -> None:
    """Show every source: edition, rows, where it is loaded from, its age."""
    import pandas as pd

    from relocate.settings import Settings
    from relocate.sources.status import source_status

    settings = Settings(departement=departement)
    rows = source_status(
        cache_dir=settings.cache_dir, departement=settings.departement, today=date.today()
    )
    table = pd.DataFrame(
        [
            {
                "source": r.key,
                "edition": r.edition,
                "rows": "-" if r.rows is None else f"{r.rows:,}",
                "age (days)": "-" if r.age_days is None else str(r.age_days),
                "loaded from": r.loaded_from,
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
            click.echo(f"warning: {r.key}: {r.warning}")
    roads = next((r for r in rows if r.key == _ROADS and r.rows is not None), None)
    fitted = next((r for r in rows if r.key == "drive-model" and r.rows is not None), None)
    if roads is not None:
        click.echo(f"Drive times: road network (osm, edition {roads.edition}).")
    elif fitted is not None:
        click.echo(f"Drive times: estimates with the fitted model (drive-model {fitted.edition}).")
    else:
        click.echo(
            f"Drive times: {settings.drive_model.description}"
            " (load a road network with `relocate data fetch osm` for real ones)."
        )
    click.echo(f"Cache: {settings.cache_dir} (set RELOCATE_CACHE_DIR to move it)")


def _context(settings: Settings) -> ParseContext:
    from relocate.sources import load_communes, select_departement
    from relocate.sources.opendata import ParseContext

    communes = load_communes(cache_dir=settings.cache_dir)
    code = select_departement(communes, settings.departement).code
    return ParseContext(communes=communes, departement=code)


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
def data_fetch(
    sources: tuple[str, ...],
    departement: str,
    quiet: bool,
    accept_smaller: bool,
    read_timeout: float,
    deadline: float,
) -> None:
    """Download the latest editions from the official URLs.

    With no SOURCE, every source that has an official download address.
    """
    from relocate.errors import FetchError, RelocateError
    from relocate.settings import Settings
    from relocate.sources.fetch import Limits, fetch_source, make_session
    from relocate.sources.registry import OPEN_DATA, open_data_source
    from relocate.sources.store import Store

    wanted = [open_data_source(key) for key in sources] or [
        s for s in OPEN_DATA.values() if s.fetchable
    ]
    settings = Settings(departement=departement)
    context = _context(settings)
    store = Store(settings.cache_dir)
    limits = Limits(read_s=read_timeout, deadline_s=deadline)
    session = make_session(max_retry_after_s=limits.retry_after_s)
    failed = []
    for source in wanted:
        try:
            fetch_source(
                source,
                store=store,
                context=context,
                session=session,
                progress=not quiet,
                limits=limits,
                accept_smaller=accept_smaller,
                notify=click.echo,
            )
        except FetchError as exc:
            if "cannot reach" in str(exc):
                raise  # offline: one line, and no point trying the others
            failed.append(str(exc))
            click.echo(f"relocate: error: {exc}", err=True)
        except RelocateError as exc:
            failed.append(str(exc))
            click.echo(f"relocate: error: {exc}", err=True)
        else:
            if source.key == _ROADS:
                _fit_after_roads(settings)
    if failed:
        sys.exit(2)


@data.command("import")
@click.argument("source")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_departement_option
@_accept_smaller_option
def data_import(
    source: str, files: tuple[Path, ...], departement: str, accept_smaller: bool
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
        context=_context(settings),
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
