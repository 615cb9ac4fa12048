"""The commands that rank villages for a profile: rank, map, features, explain, criteria."""

from __future__ import annotations

import re
from pathlib import Path

import click

from relocate.cli._options import (
    load,
    profile_option,
    rank_territory,
    refuse_overwriting,
    report_lang_option,
    robust_options,
    robustness_if_asked,
    territory_options,
    trade_of,
    trade_option,
)
from relocate.declare import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["COMMANDS"]

# The API is imported inside each command, not here: `relocate --help` must not wait for
# pandas, geopandas and folium.


@click.command()
@profile_option
@territory_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many of the best villages to print.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every village's ranking to a .csv, .geojson or .gpkg file.",
)
@robust_options
@trade_option
@report_lang_option
def rank(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
    robust: bool,
    samples: int,
    seed: int,
    trade: str | None,
    lang: str,
) -> None:
    """Print the best villages for a profile, and optionally write the full ranking."""
    from relocate.i18n import translator
    from relocate.outputs.card import absence_lines, coverage_lines
    from relocate.outputs.report import format_ranking
    from relocate.outputs.tables import check_table_path, ranking_frame, sources_text, write_table
    from relocate.scoring import load_profile

    wanted = load_profile(profile)  # fail fast, before loading data
    if out is not None:
        check_table_path(out)
        refuse_overwriting(profile, [out, _sources_note(out)])
    territory = load(departement, airports, town_min_population, trade=trade_of(wanted, trade))
    ranking = rank_territory(wanted, territory)
    sure = robustness_if_asked(
        territory, wanted, robust=robust, samples=samples, seed=seed, top=top
    )
    tr = translator(lang)
    if out is not None:
        unavailable = "".join("\n" + line for line in absence_lines(ranking, territory, lang=lang))
        share = "\n".join(coverage_lines(ranking, territory, lang=lang))
        write_table(
            ranking_frame(ranking, territory, robustness=sure),
            out,
            sources=f"{share}\n{sources_text(territory, lang=lang)}{unavailable}",
            lang=lang,
        )
    click.echo(format_ranking(ranking, territory, top=top, lang=lang, robustness=sure))
    if out is not None:
        click.echo(
            "\n" + tr._("Wrote {path} ({n} villages)").format(path=out, n=len(ranking.table))
        )


@click.command("map")
@profile_option
@territory_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many of the best villages to number on the map and print.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write [default: maps/<profile>-<departement>.html].",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the map (default fr, for the household); the terminal report "
    "follows it, or the terminal's locale when it is not given.",
)
@robust_options
@trade_option
def map_command(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    top: int,
    out: Path | None,
    lang: str | None,
    robust: bool,
    samples: int,
    seed: int,
    trade: str | None,
) -> None:
    """Write the interactive map of a ranking, and print the best villages."""
    from relocate.i18n import terminal_language, translator
    from relocate.outputs.map import build_map, write_map
    from relocate.outputs.report import format_ranking
    from relocate.scoring import load_profile
    from relocate.sources.mayors import load_mayors

    if out is not None and out.suffix.lower() not in {".html", ".htm"}:
        raise click.BadParameter(f"{out} should end in .html", param_hint="--out")
    wanted = load_profile(profile)
    if out is not None:
        refuse_overwriting(profile, [out])
    territory = load(departement, airports, town_min_population, trade=trade_of(wanted, trade))
    ranking = rank_territory(wanted, territory)
    out = out or Path("maps") / f"{_file_stem(profile)}-{territory.code}.html"
    refuse_overwriting(profile, [out])
    sure = robustness_if_asked(
        territory, wanted, robust=robust, samples=samples, seed=seed, top=top
    )
    mayors = load_mayors(cache_dir=territory.settings.cache_dir)
    page_lang = lang or DEFAULT_LANGUAGE
    page = build_map(ranking, territory, top=top, lang=page_lang, robustness=sure, mayors=mayors)
    write_map(page, out)
    # The page speaks --lang (French by default); the terminal, the advisor's, speaks
    # --lang too when it is given, else the terminal's language (as `trip` does).
    tr = translator(lang or terminal_language())
    click.echo(format_ranking(ranking, territory, top=top, lang=tr.lang, robustness=sure))
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
@trade_option
@report_lang_option
def explain(
    village: str,
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    trade: str | None,
    lang: str,
) -> None:
    """Explain one village's score; VILLAGE is an INSEE code or a name."""
    from relocate._names import find_village
    from relocate.outputs.report import format_explanation
    from relocate.scoring import load_profile
    from relocate.sources.mayors import load_mayors

    wanted = load_profile(profile)
    territory = load(departement, airports, town_min_population, trade=trade_of(wanted, trade))
    code = find_village(territory.villages["name"].to_dict(), village)
    ranking = rank_territory(wanted, territory)
    mayors = load_mayors(cache_dir=territory.settings.cache_dir)
    click.echo(format_explanation(ranking, territory, code, lang=lang, mayors=mayors))


@click.command()
@territory_options
@report_lang_option
def criteria(
    departement: str, airports: tuple[str, ...], town_min_population: int, lang: str
) -> None:
    """List every criterion a profile can use, with its minimum, median and maximum here.

    Each criterion's label, unit and source, whether its source is loaded, and its
    minimum, median and maximum in the département (to choose full and zero).
    """
    import pandas as pd

    from relocate.i18n import translator
    from relocate.outputs.formats import format_number

    territory = load(departement, airports, town_min_population)
    tr = translator(lang)
    loaded = set(territory.catalogue.built_in) | set(territory.open_data)
    rows = []
    for spec in territory.catalogue.specs(territory.settings.airports):
        if not spec.unit.numeric:
            continue  # a name, not a criterion
        # A kind of facility is given by any of its sources; other features need them all.
        any_source = territory.catalogue.service_kind(spec.destination or "") is not None
        is_loaded = bool(set(spec.sources) & loaded) if any_source else set(spec.sources) <= loaded
        row = {
            tr._("criterion"): spec.name,
            tr._("label"): spec.label(lang),
            tr._("unit"): spec.unit.called(lang),
            tr._("source"): (tr._(" or ") if any_source else ", ").join(spec.sources),
            tr._("loaded"): tr._("yes") if is_loaded else tr._("no"),
        }
        values = territory.features.get(spec.name)
        for column, stat in (
            (tr._("min"), "min"),
            (tr._("median"), "median"),
            (tr._("max"), "max"),
        ):
            number = getattr(values, stat)() if values is not None else float("nan")
            row[column] = "-" if pd.isna(number) else format_number(number, spec.unit, lang=lang)
        rows.append(row)
    click.echo(pd.DataFrame(rows).to_string(index=False))
    click.echo(
        tr._(
            "Minimum, median and maximum in {name} ({code}), {n} villages. Load a source with "
            "`relocate data fetch SOURCE` or `relocate data import SOURCE FILE`."
        ).format(name=territory.name, code=territory.code, n=len(territory.villages))
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
