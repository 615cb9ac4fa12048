"""The scouting-trip command: plan the visits, write the brief and the schedules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from relocate.cli._options import load, profile_option, rank_territory, territory_options

__all__ = ["trip"]


@click.command()
@profile_option
@territory_options
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
    # Imported here: OR-Tools and the brief are needed by this command only.
    from relocate._names import find_village
    from relocate.errors import InvalidOptionError
    from relocate.scoring import load_profile
    from relocate.trip.brief import build_brief, write_brief
    from relocate.trip.exports import write_schedule_csv, write_schedule_ics
    from relocate.trip.model import TripSettings
    from relocate.trip.plan import plan_trip

    if (top is None) == (villages is None):
        raise click.UsageError("give either --top K or --villages A,B,C")
    if days < 1:
        raise click.BadParameter(f"{days} days: a trip lasts at least one day", param_hint="--days")
    wanted = load_profile(profile)
    territory = load(departement, airports, town_min_population)
    ranking = rank_territory(wanted, territory)
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
