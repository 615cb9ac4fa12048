"""Options shared by the commands, and the loading they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from relocate.declare import LANGUAGES
from relocate.settings import DEFAULT_AIRPORTS

if TYPE_CHECKING:
    from relocate.scoring import Profile, Ranking
    from relocate.scoring.robust import Robustness
    from relocate.territory import Territory

__all__ = [
    "MAX_TOWN_POPULATION",
    "check_airports",
    "load",
    "profile_option",
    "rank_territory",
    "refuse_overwriting",
    "report_lang_option",
    "robust_options",
    "robustness_if_asked",
    "territory_options",
    "trade_of",
    "trade_option",
]

#: The largest --town-min-population: more than any commune of France has (Paris, 2.1 M).
MAX_TOWN_POPULATION = 10_000_000

# The API is imported inside the functions that use it (lazy): the command line must start
# without pandas and geopandas.

F = Callable[..., Any]


def territory_options(func: F) -> F:
    """The options that choose what is scored: département, airports, town threshold."""
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
            type=click.IntRange(min=1, max=MAX_TOWN_POPULATION),
            default=2000,
            show_default=True,
            help="Inhabitants a commune needs to count as a town for dist_km_town.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _terminal_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    del ctx, param
    if value is not None:
        return value
    from relocate.i18n import terminal_language  # lazy: Babel loads only when a command runs

    return terminal_language()


#: The language of a terminal report: ``--lang``, else the terminal's locale.
report_lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    callback=_terminal_language,
    help="Language of the report: fr or en [default: the terminal's locale].",
)


def robust_options(func: F) -> F:
    """``--robust [--samples N] [--seed S]``: how sure each rank is (SMAA-2)."""
    options = [
        click.option(
            "--robust",
            is_flag=True,
            help="Also say how sure each rank is, over plausible weights of the profile "
            "(its ranges and order) and the drive-time estimate's measured error.",
        ),
        click.option(
            "--samples",
            type=click.IntRange(min=1, max=1_000_000),
            default=10_000,
            show_default=True,
            help="With --robust: how many weightings to draw.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="With --robust: the seed of the draws (the same seed, the same figures).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def robustness_if_asked(
    territory: Territory, profile: Profile, *, robust: bool, samples: int, seed: int, top: int
) -> Robustness | None:
    """The robustness the options ask for (None without --robust).

    Raises
    ------
    click.BadParameter
        If --samples or --seed is given without --robust.
    """
    source = click.get_current_context().get_parameter_source
    if not robust:
        if any(source(n) is click.core.ParameterSource.COMMANDLINE for n in ("samples", "seed")):
            raise click.BadParameter("--samples and --seed go with --robust", param_hint="--robust")
        return None
    from relocate.scoring.robust import robustness_of  # lazy: numpy work only when asked

    return robustness_of(territory, profile, samples=samples, seed=seed, top=top)


#: ``--trade``: the household's trade, for the programme's ``trade_members_within_*`` criteria.
trade_option = click.option(
    "--trade",
    metavar="TRADE",
    help="The household's trade or activity (e.g. graphiste), for the criteria on programme "
    "members of the same trade [default: the profile's trade, if it gives one].",
)


def trade_of(profile: Profile, trade: str | None) -> str | None:
    """The trade a run counts members of: ``--trade``, else the profile's ``trade``.

    Raises
    ------
    relocate.errors.InvalidOptionError
        If ``--trade`` is blank.
    """
    if trade is None:
        return profile.trade
    tidy = " ".join(trade.split())
    if not tidy:
        from relocate.errors import InvalidOptionError  # lazy, as the rest of the API

        raise InvalidOptionError("--trade is blank: name the trade (e.g. --trade graphiste)")
    return tidy


class _ProfileOption(click.Option):
    """``--profile``, whose help names the presets there are when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        # Imported here, lazy: only `--help` needs the presets' names.
        from relocate.scoring.profile import list_presets

        self.help = f"Profile: a preset name ({', '.join(list_presets())}) or a .toml file."
        return super().get_help_record(ctx)


profile_option = click.option(
    "--profile",
    "-p",
    cls=_ProfileOption,
    required=True,
    help="Profile: a preset name or a .toml file.",
)


def load(
    departement: str,
    airports: Sequence[str],
    town_min_population: int,
    *,
    trade: str | None = None,
) -> Territory:
    """The territory the options describe (``trade``: the household's, see :func:`trade_of`)."""
    from relocate.settings import Settings
    from relocate.territory import load_territory

    settings = Settings(
        departement=departement,
        airports=tuple(airports) or DEFAULT_AIRPORTS,
        town_min_population=town_min_population,
        trade=trade,
    )
    check_airports(settings.airports)
    return load_territory(settings)


def check_airports(codes: Iterable[str]) -> None:
    """Refuse, in one line, an airport relocate cannot measure to (far from France, or none).

    Raises
    ------
    relocate.errors.UnknownAirportError
        For the first code that is not an airport in or near France.

    """
    # Lazy: airportsdata and the airports source are needed only once a command runs.
    from relocate.sources.airports import load_airports

    load_airports(list(codes))


def refuse_overwriting(profile: str, outputs: Iterable[Path], *, option: str = "--out") -> None:
    """Refuse to write an output onto the profile file the command reads.

    Raises
    ------
    relocate.errors.InvalidOptionError
        If one of ``outputs`` is the profile's file.

    """
    from relocate._files import same_file
    from relocate.errors import InvalidOptionError
    from relocate.scoring.profile import profile_path

    source = profile_path(profile)
    for out in outputs:
        if same_file(out, source):
            raise InvalidOptionError(
                f"{option} {str(out)!r} would overwrite the profile it reads ({source}); "
                "choose another file"
            )


def rank_territory(profile: Profile, territory: Territory) -> Ranking:
    """The profile's ranking of the territory's villages."""
    from relocate.scoring import score

    return score(
        territory.features, profile, names=territory.villages["name"], catalogue=territory.catalogue
    )
