"""The commands that rank villages for a profile: rank, map, features, explain, criteria."""

from __future__ import annotations

import re
from pathlib import Path

import click

from relocate.cli._options import (
    check_airports,
    load,
    profile_option,
    rank_territory,
    refuse_overwriting,
    report_lang_option,
    territory_options,
)
from relocate.declare import DEFAULT_LANGUAGE, LANGUAGES
from relocate.settings import DEFAULT_AIRPORTS

__all__ = ["COMMANDS"]

# The API is imported inside each command, not here: `relocate --help` must not wait for
# pandas, geopandas and folium.


@click.command()
@profile_option
@territory_options
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every village's ranking to a .csv, .geojson or .gpkg file.",
)
@report_lang_option
def rank(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
    lang: str,
) -> None:
    """Print the best villages for a profile, and optionally write the full ranking."""
    from relocate.i18n import translator
    from relocate.outputs.report import format_ranking
    from relocate.outputs.tables import check_table_path, ranking_frame, sources_text, write_table
    from relocate.scoring import load_profile

    wanted = load_profile(profile)  # fail fast, before loading data
    if out is not None:
        check_table_path(out)
        refuse_overwriting(profile, [out, _sources_note(out)])
    territory = load(departement, airports, town_min_population)
    ranking = rank_territory(wanted, territory)
    tr = translator(lang)
    if out is not None:
        unavailable = "".join(
            "\n"
            + tr._("Unavailable, left out of the weighting: {name}: {reason}").format(
                name=name, reason=absence.reason(lang)
            )
            for name, absence in ranking.absences.items()
        )
        write_table(
            ranking_frame(ranking, territory),
            out,
            sources=sources_text(territory, lang=lang) + unavailable,
            lang=lang,
        )
    click.echo(format_ranking(ranking, territory, top=top, lang=lang))
    if out is not None:
        click.echo(
            "\n" + tr._("Wrote {path} ({n} villages)").format(path=out, n=len(ranking.table))
        )


@click.command("map")
@profile_option
@territory_options
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
@click.option(
    "--robust",
    is_flag=True,
    help="Also say how sure each rank is, over plausible weights of the profile "
    "(in the top list and the cards).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1, max=1_000_000),
    default=10_000,
    show_default=True,
    help="With --robust: how many weightings to draw.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="With --robust: the seed of the draws (the same seed, the same figures).",
)
def map_command(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
    lang: str,
    robust: bool,
    samples: int,
    seed: int,
) -> None:
    """Write the interactive map of a ranking, and print the best villages."""
    from relocate.i18n import terminal_language, translator
    from relocate.outputs.map import build_map, write_map
    from relocate.outputs.report import format_ranking
    from relocate.scoring import load_profile

    if out is not None and out.suffix.lower() not in {".html", ".htm"}:
        raise click.BadParameter(f"{out} should end in .html", param_hint="--out")
    source = click.get_current_context().get_parameter_source
    if not robust and any(
        source(name) is click.core.ParameterSource.COMMANDLINE for name in ("samples", "seed")
    ):
        raise click.BadParameter("--samples and --seed go with --robust", param_hint="--robust")
    wanted = load_profile(profile)
    if out is not None:
        refuse_overwriting(profile, [out])
    territory = load(departement, airports, town_min_population)
    ranking = rank_territory(wanted, territory)
    out = out or Path("maps") / f"{_file_stem(profile)}-{territory.code}.html"
    refuse_overwriting(profile, [out])
    sure = None
    if robust:
        from relocate.scoring.robust import WeightSpace, robustness

        sure = robustness(
            territory.features,
            wanted,
            space=WeightSpace.from_profile(wanted),
            samples=samples,
            seed=seed,
            top=top,
            catalogue=territory.catalogue,
        )
    write_map(build_map(ranking, territory, top=top, lang=lang, robustness=sure), out)
    # The page speaks --lang; the terminal, the advisor's, speaks the terminal's language.
    tr = translator(terminal_language())
    click.echo(format_ranking(ranking, territory, top=top, lang=tr.lang))
    if sure is not None:
        click.echo(
            "\n"
            + tr._("How sure each rank is: {n} weightings drawn (seed {seed})").format(
                n=tr.number(samples), seed=seed
            )
        )
    click.echo("\n" + tr._("Wrote {path}").format(path=out))


@click.command()
@territory_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .csv, .geojson or .gpkg.",
)
@report_lang_option
def features(
    departement: str, airports: tuple[str, ...], town_min_population: int, out: Path, lang: str
) -> None:
    """Write the full feature table: one row per village, one column per feature."""
    from relocate.i18n import translator
    from relocate.outputs.tables import check_table_path, feature_frame, sources_text, write_table

    check_table_path(out)
    territory = load(departement, airports, town_min_population)
    frame = feature_frame(territory)
    write_table(frame, out, sources=sources_text(territory, lang=lang), lang=lang)
    tr = translator(lang)
    click.echo(
        tr._("Wrote {path}: {n} villages, {features} features").format(
            path=out, n=len(frame), features=len(territory.features.columns)
        )
    )


@click.command()
@click.argument("village")
@profile_option
@territory_options
@report_lang_option
def explain(
    village: str,
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    lang: str,
) -> None:
    """Explain one village's score; VILLAGE is an INSEE code or a name."""
    from relocate._names import find_village
    from relocate.outputs.report import format_explanation
    from relocate.scoring import load_profile

    wanted = load_profile(profile)
    territory = load(departement, airports, town_min_population)
    code = find_village(territory.villages["name"].to_dict(), village)
    ranking = rank_territory(wanted, territory)
    click.echo(format_explanation(ranking, territory, code, lang=lang))


@click.command()
@click.option(
    "--airport",
    "airports",
    multiple=True,
    metavar="IATA",
    help=f"Airports to list features for [default: {' '.join(DEFAULT_AIRPORTS)}].",
)
@click.option(
    "--departement",
    "-d",
    default="32",
    show_default=True,
    help="Département whose per-département sources (DVF) count as loaded.",
)
def criteria(airports: tuple[str, ...], departement: str) -> None:
    """List every criterion a profile can use, its unit and source, and if it is loaded."""
    import pandas as pd

    from relocate.catalogue import default_catalogue
    from relocate.settings import Settings
    from relocate.sources.communes import load_communes, select_departement
    from relocate.sources.registry import OPEN_DATA
    from relocate.sources.store import Store

    settings = Settings(departement=departement, airports=tuple(airports) or DEFAULT_AIRPORTS)
    check_airports(settings.airports)
    select_departement(load_communes(cache_dir=settings.cache_dir), settings.departement)
    catalogue = default_catalogue()
    store = Store(settings.cache_dir)
    loaded = set(catalogue.built_in) | {
        key
        for key, source in OPEN_DATA.items()
        if store.editions(key, departement=settings.departement if source.per_departement else None)
    }
    rows = [
        {
            "criterion": spec.name,
            "unit": spec.unit.symbol.en or spec.unit.key,
            "source": " or ".join(spec.sources),
            "estimate": "estimate" if spec.estimate else "",
            "loaded": "yes" if set(spec.sources) & loaded else "no",
        }
        for spec in catalogue.specs(settings.airports)
    ]
    click.echo(pd.DataFrame(rows).to_string(index=False))
    click.echo(
        "Load a source with `relocate data fetch SOURCE` or `relocate data import SOURCE FILE`."
    )


def _file_stem(profile: str) -> str:
    """A file name made from a profile's: letters, digits, dots and dashes only."""
    stem = re.sub(r"[^\w.-]+", "-", Path(profile).stem).strip("-.")
    return stem[:80] or "profile"


def _sources_note(table: Path) -> Path:
    """The ``<file>.sources.txt`` written beside a table."""
    return table.with_name(table.name + ".sources.txt")


#: The commands of this module, as the command line registers them.
COMMANDS = (rank, map_command, features, explain, criteria)
