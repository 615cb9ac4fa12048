"""The command line: a thin layer over the Python API."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import click
import pandas as pd

from relocate._names import find_village
from relocate.errors import FetchError, InvalidOptionError, RelocateError
from relocate.features import feature_spec
from relocate.features.catalogue import known_feature_names
from relocate.outputs import (
    build_map,
    check_table_path,
    feature_frame,
    format_explanation,
    format_ranking,
    ranking_frame,
    sources_text,
    write_map,
    write_table,
)
from relocate.outputs.i18n import DEFAULT_LANGUAGE, LANGUAGES
from relocate.scoring import Profile, Ranking, load_profile, score
from relocate.settings import DEFAULT_AIRPORTS, Settings
from relocate.sources import load_communes, select_departement
from relocate.sources.fetch import fetch_source, import_files, make_session
from relocate.sources.opendata import ParseContext
from relocate.sources.registry import BUILT_IN, OPEN_DATA, open_data_source
from relocate.sources.status import source_status
from relocate.sources.store import Manifest, Store
from relocate.territory import Territory, load_territory
from relocate.trip.brief import build_brief, write_brief
from relocate.trip.exports import write_schedule_csv, write_schedule_ics
from relocate.trip.model import TripSettings
from relocate.trip.plan import plan_trip

__all__ = ["cli", "main"]


def _territory_options(func):  # type: ignore[no-untyped-def]
    options = [
        click.option(
            "--departement",
            "-d",
            default="32",
            show_default=True,
            help="Code of the département to score (32 is the Gers; 2A, 47, 31...).",
        ),
        click.option(
            "--airport",
            "airports",
            multiple=True,
            metavar="IATA",
            help="Airport to measure against; repeat for several "
            f"[default: {' '.join(DEFAULT_AIRPORTS)}].",
        ),
        click.option(
            "--town-min-population",
            type=click.IntRange(min=1),
            default=2000,
            show_default=True,
            help="Inhabitants a commune needs to count as a town for dist_km_town.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_profile_option = click.option(
    "--profile",
    "-p",
    required=True,
    help="Profile: a preset name (remote-worker, family, tight-budget) or a .toml file.",
)


def _load(departement: str, airports: Sequence[str], town_min_population: int) -> Territory:
    settings = Settings(
        departement=departement,
        airports=tuple(airports) or DEFAULT_AIRPORTS,
        town_min_population=town_min_population,
    )
    return load_territory(settings)


def _rank(profile: Profile, territory: Territory) -> Ranking:
    return score(territory.features, profile, names=territory.villages["name"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="relocate")
def cli() -> None:
    """Score, rank, explain and map the villages of a département for a newcomer's profile."""


@cli.command()
@_profile_option
@_territory_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every village's ranking to a .csv, .geojson or .gpkg file.",
)
def rank(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
) -> None:
    """Print the best villages for a profile, and optionally write the full ranking."""
    wanted = load_profile(profile)  # fail fast, before loading data
    if out is not None:
        check_table_path(out)
    territory = _load(departement, airports, town_min_population)
    ranking = _rank(wanted, territory)
    if out is not None:
        unavailable = "".join(
            f"\nUnavailable, left out of the weighting: {name}: {reason}"
            for name, reason in ranking.unavailable.items()
        )
        write_table(
            ranking_frame(ranking, territory), out, sources=sources_text(territory) + unavailable
        )
    click.echo(format_ranking(ranking, territory, top=top))
    if out is not None:
        click.echo(f"\nWrote {out} ({len(ranking.table)} villages)")


@cli.command("map")
@_profile_option
@_territory_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write [default: maps/<profile>-<departement>.html].",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of the map: French or English.",
)
def map_command(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
    lang: str,
) -> None:
    """Write the interactive map of a ranking, and print the best villages."""
    if out is not None and out.suffix.lower() not in {".html", ".htm"}:
        raise click.BadParameter(f"{out} should end in .html", param_hint="--out")
    wanted = load_profile(profile)
    territory = _load(departement, airports, town_min_population)
    ranking = _rank(wanted, territory)
    out = out or Path("maps") / f"{Path(profile).stem}-{territory.code}.html"
    write_map(build_map(ranking, territory, top=top, lang=lang), out)
    click.echo(format_ranking(ranking, territory, top=top))
    click.echo(f"\nWrote {out}")


@cli.command()
@_territory_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .csv, .geojson or .gpkg.",
)
def features(
    departement: str, airports: tuple[str, ...], town_min_population: int, out: Path
) -> None:
    """Write the full feature table: one row per village, one column per feature."""
    check_table_path(out)
    territory = _load(departement, airports, town_min_population)
    frame = feature_frame(territory)
    write_table(frame, out, sources=sources_text(territory))
    click.echo(f"Wrote {out}: {len(frame)} villages, {len(territory.features.columns)} features")


@cli.command()
@click.argument("village")
@_profile_option
@_territory_options
def explain(
    village: str,
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
) -> None:
    """Explain one village's score; VILLAGE is an INSEE code or a name."""
    wanted = load_profile(profile)
    territory = _load(departement, airports, town_min_population)
    code = find_village(territory.villages["name"].to_dict(), village)
    ranking = _rank(wanted, territory)
    click.echo(format_explanation(ranking, territory, code))


_departement_option_for_criteria = click.option(
    "--departement",
    "-d",
    default="32",
    show_default=True,
    help="Département whose per-département sources (DVF) count as loaded.",
)


@cli.command()
@click.option(
    "--airport",
    "airports",
    multiple=True,
    metavar="IATA",
    help=f"Airports to list features for [default: {' '.join(DEFAULT_AIRPORTS)}].",
)
@_departement_option_for_criteria
def criteria(airports: tuple[str, ...], departement: str) -> None:
    """List every criterion a profile can use, its unit and source, and if it is loaded."""
    settings = Settings(departement=departement, airports=tuple(airports) or DEFAULT_AIRPORTS)
    store = Store(settings.cache_dir)
    loaded = set(BUILT_IN) | {
        key
        for key, source in OPEN_DATA.items()
        if store.editions(key, departement=settings.departement if source.per_departement else None)
    }
    rows = []
    for name in known_feature_names(settings.airports):
        spec = feature_spec(name)
        assert spec is not None
        rows.append(
            {
                "criterion": name,
                "unit": spec.unit or "count",
                "source": " or ".join(spec.sources),
                "estimate": "estimate" if spec.estimate else "",
                "loaded": "yes" if set(spec.sources) & loaded else "no",
            }
        )
    click.echo(pd.DataFrame(rows).to_string(index=False))
    click.echo(
        "Load a source with `relocate data fetch SOURCE` or `relocate data import SOURCE FILE`."
    )


@cli.command()
@_profile_option
@_territory_options
@click.option(
    "--base", required=True, help="Where each day starts and ends: a village (name or INSEE code)."
)
@click.option("--days", type=int, required=True, help="Number of days of the trip.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="First day of the trip (YYYY-MM-DD).",
)
@click.option("--top", type=int, help="Visit the K best villages the profile does not exclude.")
@click.option("--villages", help="Or visit these villages: names or INSEE codes, comma-separated.")
@click.option("--visit-min", type=click.IntRange(min=1), default=60, show_default=True,
              help="Minutes spent in each village.")  # fmt: skip
@click.option("--max-drive-min", type=click.IntRange(min=1), default=240, show_default=True,
              help="Most minutes of driving in one day.")  # fmt: skip
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps") / "trip",
    show_default=True,
    help="Folder to write brief.html, schedule.csv and schedule.ics into.",
)
def trip(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    base: str,
    days: int,
    start: datetime,
    top: int | None,
    villages: str | None,
    visit_min: int,
    max_drive_min: int,
    out: Path,
) -> None:
    """Plan a scouting trip of the best villages (or chosen ones), and write its brief."""
    if (top is None) == (villages is None):
        raise click.UsageError("give either --top K or --villages A,B,C")
    if days < 1:
        raise click.BadParameter(f"{days} days: a trip lasts at least one day", param_hint="--days")
    wanted = load_profile(profile)
    territory = _load(departement, airports, town_min_population)
    ranking = _rank(wanted, territory)
    names = territory.villages["name"].to_dict()
    if top is not None:
        ranked = ranking.top(max(top, 0))
        if top < 1 or top > len(ranked):
            raise InvalidOptionError(
                f"--top {top}: {len(ranked)} villages are ranked (not excluded by the profile); "
                f"ask for 1 to {len(ranked)}"
            )
        chosen = [str(code) for code in ranked.index]
    else:
        chosen = [find_village(names, item) for item in str(villages).split(",") if item.strip()]
    plan = plan_trip(
        territory,
        base=base,
        villages=chosen,
        start=start.date(),
        days=days,
        settings=TripSettings(visit_min=visit_min, max_drive_min=max_drive_min),
    )
    title = f"Scouting trip: {wanted.name}"
    brief = build_brief(plan, ranking=ranking, territory=territory, title=title)
    write_brief(brief, out / "brief.html")
    write_schedule_csv(plan, out / "schedule.csv")
    write_schedule_ics(plan, out / "schedule.ics", title=title, villages=territory.villages)
    click.echo(f"{title}, from {plan.base_name}; drive times: {plan.drive_basis}")
    for day in plan.days:
        stops = ", ".join(f"{s.name} {s.arrive:%H:%M}" for s in day.stops) or "no visit"
        click.echo(f"{day.day:%a %Y-%m-%d}: {stops} ({day.drive_min:.0f} min driving)")
    for code, reason in plan.left_out.items():
        click.echo(f"Left out: {names.get(code, code)} ({code}): {reason}")
    click.echo(f"Wrote {out / 'brief.html'}, {out / 'schedule.csv'}, {out / 'schedule.ics'}")


@cli.group()
def data() -> None:
    """See, fetch and import the open-data sources (broadband, services, prices...)."""


_departement_option = click.option(
    "--departement",
    "-d",
    default="32",
    show_default=True,
    help="Département for sources published per département (DVF).",
)


@data.command("status")
@_departement_option
def data_status(departement: str) -> None:
    """Show every source: edition, rows, where it is loaded from, its age."""
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
    roads = next((r for r in rows if r.key == "osm" and r.rows is not None), None)
    if roads is not None:
        click.echo(f"Drive times: road network (osm, edition {roads.edition}).")
    else:
        click.echo(
            f"Drive times: {settings.drive_estimate.description}"
            " (load a road network with `relocate data fetch osm` for real ones)."
        )
    click.echo(f"Cache: {settings.cache_dir} (set RELOCATE_CACHE_DIR to move it)")


def _context(settings: Settings) -> ParseContext:
    communes = load_communes(cache_dir=settings.cache_dir)
    code = select_departement(communes, settings.departement).code
    return ParseContext(communes=communes, departement=code)


def _installed(manifest: Manifest) -> str:
    warnings = f", {len(manifest.warnings)} repairs (see data status)" if manifest.warnings else ""
    return (
        f"{manifest.source}: edition {manifest.edition} {manifest.how} "
        f"({manifest.rows:,} rows{warnings})"
    )


@data.command("fetch")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@_departement_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def data_fetch(sources: tuple[str, ...], departement: str, quiet: bool) -> None:
    """Download the latest editions from the official URLs.

    With no SOURCE, every source that has an official download address.
    """
    wanted = [open_data_source(key) for key in sources] or [
        s for s in OPEN_DATA.values() if s.fetchable
    ]
    settings = Settings(departement=departement)
    context = _context(settings)
    store = Store(settings.cache_dir)
    session = make_session()
    failed = []
    for source in wanted:
        try:
            manifest = fetch_source(
                source, store=store, context=context, session=session, progress=not quiet
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
            click.echo(_installed(manifest))
    if failed:
        sys.exit(2)


@data.command("import")
@click.argument("source")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_departement_option
def data_import(source: str, files: tuple[Path, ...], departement: str) -> None:
    """Import files you downloaded yourself for SOURCE, as a fetch would."""
    chosen = open_data_source(source)
    settings = Settings(departement=departement)
    manifest = import_files(
        chosen, list(files), store=Store(settings.cache_dir), context=_context(settings)
    )
    click.echo(_installed(manifest))


def _fail(message: str) -> None:
    click.echo(f"relocate: error: {message}", err=True)
    sys.exit(2)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; errors print one line and exit with code 2."""
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="relocate",
                        standalone_mode=False)  # fmt: skip
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else cli.get_help(click.Context(cli)))
        sys.exit(0)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "relocate"
        _fail(f"{exc.format_message()} (see '{where} --help')")
    except click.ClickException as exc:
        _fail(exc.format_message())
    except click.Abort:
        _fail("interrupted")
    except RelocateError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
