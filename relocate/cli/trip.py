"""The scouting-trip command: plan the visits, write the brief and the schedules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from relocate.cli._options import (
    load,
    profile_option,
    rank_territory,
    refuse_overwriting,
    territory_options,
)
from relocate.errors import InvalidOptionError

if TYPE_CHECKING:
    from relocate.scoring import Ranking

__all__ = ["trip"]


@click.command()
@profile_option
@territory_options
@click.option(
    "--base", required=True, help="Where each day starts and ends: a village (name or INSEE code)."
)
@click.option("--days", type=int, required=True, help="Number of days of the trip (1 to 14).")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="First day of the trip (YYYY-MM-DD).",
)
@click.option("--top", type=click.IntRange(min=1),
              help="Visit the K best villages the profile does not exclude.")  # fmt: skip
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
    help="Folder to write brief.html, schedule.csv and schedule.ics into (all three or none).",
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
    # Imported here: OR-Tools and the brief are needed by this command only.
    from relocate._files import write_files
    from relocate._names import find_village
    from relocate.scoring import load_profile
    from relocate.trip.brief import build_brief
    from relocate.trip.exports import schedule_csv, schedule_ics
    from relocate.trip.model import TripSettings
    from relocate.trip.plan import check_trip, plan_trip

    if (top is None) == (villages is None):
        raise click.UsageError("give either --top K or --villages A,B,C")
    settings = TripSettings(visit_min=visit_min, max_drive_min=max_drive_min)
    check_trip(start.date(), days, settings=settings)  # fail fast, before loading data
    files = [out / "brief.html", out / "schedule.csv", out / "schedule.ics"]
    wanted = load_profile(profile)
    refuse_overwriting(profile, files)
    territory = load(departement, airports, town_min_population)
    ranking = rank_territory(wanted, territory)
    names = territory.villages["name"].to_dict()
    if top is not None:
        chosen = _best(ranking, top)
    else:
        chosen = [find_village(names, item) for item in str(villages).split(",") if item.strip()]
    plan = plan_trip(
        territory, base=base, villages=chosen, start=start.date(), days=days, settings=settings
    )
    title = f"Scouting trip: {wanted.title()}"
    brief = build_brief(plan, ranking=ranking, territory=territory, title=title)
    contents: list[str | bytes] = [
        brief,
        schedule_csv(plan),
        schedule_ics(plan, title=title, villages=territory.villages),
    ]
    write_files(dict(zip(files, contents, strict=True)))  # all three, or none
    click.echo(f"{title}, from {plan.base_name}; drive times: {plan.drive_basis}")
    for day in plan.days:
        stops = ", ".join(f"{s.name} {s.arrive:%H:%M}" for s in day.stops) or "no visit"
        click.echo(f"{day.day:%a %Y-%m-%d}: {stops} ({day.drive_min:.0f} min driving)")
    for code, reason in plan.left_out.items():
        click.echo(f"Left out: {names.get(code, code)} ({code}): {reason}")
    click.echo(f"Wrote {', '.join(str(f) for f in files)}")


def _best(ranking: Ranking, top: int) -> list[str]:
    """The INSEE codes of the ``top`` best ranked villages, or a one-line refusal."""
    ranked = int(ranking.table["rank"].notna().sum())
    if ranked == 0:
        raise InvalidOptionError(
            "--top: no village is ranked (the profile excludes every one); "
            "relax its constraints, or give --villages A,B,C"
        )
    if top > ranked:
        raise InvalidOptionError(
            f"--top {top}: only {ranked} villages are ranked (not excluded by the profile); "
            f"ask for 1 to {ranked}"
        )
    return [str(code) for code in ranking.top(top).index]
