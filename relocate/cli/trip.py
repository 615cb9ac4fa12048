"""The scouting-trip command: plan the visits, write the brief and the schedules.

One ``--lang`` serves both readers: the household's files (the brief, the
calendar, the schedule CSV) are in French unless ``--lang en``; the advisor's
terminal report follows ``--lang`` when it is given, and the terminal's locale
otherwise. Commands that load a missing source appear in the terminal only.

``--event`` keeps programme events (breakfasts, workshops) as fixed appointments;
``--advisor`` also writes ``brief-advisor.html``, the advisor's own copy with the
members to contact: the household's files never name a member.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from relocate.cli._options import (
    load,
    profile_option,
    rank_territory,
    refuse_overwriting,
    territory_options,
    trade_of,
    trade_option,
)
from relocate.declare import LANGUAGES
from relocate.errors import InvalidOptionError

if TYPE_CHECKING:
    from relocate.scoring import Ranking
    from relocate.territory import Territory
    from relocate.trip.model import Appointment, DayPlan, Lunch, Place, TripPlan

__all__ = ["trip"]

_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:h](\d{2}))?\s*$")
#: The household's language when --lang is not given.
HOUSEHOLD_LANGUAGE = "fr"
#: The advisor's copy of the brief, written beside the household's with --advisor.
ADVISOR_BRIEF = "brief-advisor.html"


class _Clock(click.ParamType):
    """A time of day, ``HH:MM`` (``8:30``, ``18h30``, ``14``), as minutes after midnight."""

    name = "HH:MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _CLOCK.match(str(value))
        if match is None:
            self.fail(f"{value!r} is not a time of day: give HH:MM (e.g. 08:30)", param, ctx)
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
            self.fail(f"{value!r} is not a time of day between 00:00 and 24:00", param, ctx)
        return hours * 60 + minutes


class _Window(click.ParamType):
    """Two times of day, ``HH:MM-HH:MM``, as minutes after midnight."""

    name = "HH:MM-HH:MM"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split("-")
        if len(parts) != 2:
            self.fail(f"{value!r} is not a window: give HH:MM-HH:MM (e.g. 12:00-14:00)", param, ctx)
        clock = _Clock()
        return clock.convert(parts[0], param, ctx), clock.convert(parts[1], param, ctx)


PLACE_HELP = (
    "a village (name or INSEE code), any commune of France, an airport's IATA code (TLS), "
    "a station (gare:NAME, with the sncf source loaded) or a point (lat,lon)"
)


@click.command()
@profile_option
@territory_options
@click.option("--base", required=True, help=f"Where the nights are spent: {PLACE_HELP}.")
@click.option("--arrive", help="Where the first day starts, if not at the base (e.g. TLS).")
@click.option("--leave", help="Where the last day ends, if not at the base (e.g. AGF).")
@click.option("--night", "nights", multiple=True, metavar="PLACE",
              help="Where each night is spent, if not all at the base: once per night, "
              "in order.")  # fmt: skip
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
@click.option("--day-start", type=_Clock(), default="08:30", show_default=True,
              help="Earliest departure of a day.")  # fmt: skip
@click.option("--day-end", type=_Clock(), default="18:30", show_default=True,
              help="Latest return of a day.")  # fmt: skip
@click.option("--arrive-at", type=_Clock(),
              help="Earliest departure of the first day, if later (a flight landing).")  # fmt: skip
@click.option("--leave-by", type=_Clock(),
              help="Latest arrival of the last day, if earlier (a flight to catch).")  # fmt: skip
@click.option("--lunch", type=_Window(), default="12:00-14:00", show_default=True,
              help="The window the lunch break lies in.")  # fmt: skip
@click.option("--lunch-min", type=click.IntRange(min=0), default=60, show_default=True,
              help="Length of the lunch break in minutes (0: none).")  # fmt: skip
@click.option("--townhall-min", type=click.IntRange(min=0), default=30, show_default=True,
              help="Minutes the town hall must still be open when a visit starts.")  # fmt: skip
@click.option("--pack", is_flag=True,
              help="Pack the visits into as few days as they fit in, instead of spreading "
              "them over the days.")  # fmt: skip
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the brief, the calendar and the CSV (default fr, for the household); "
    "the terminal report follows it, or the terminal's locale when it is not given.",
)
@click.option("--event", "events", multiple=True, metavar="QUERY",
              help="Keep a programme event as a fixed appointment of the trip: its UID, its "
              "date (2027-03-04) or words of its title, or both; repeat for several.")  # fmt: skip
@click.option("--advisor", is_flag=True,
              help=f"Also write {ADVISOR_BRIEF}, the advisor's copy: it lists the programme "
              "members to contact near each village, with their e-mail and phone, and must not "
              "be given to the household (brief.html never names a member).")  # fmt: skip
@trade_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps") / "trip",
    show_default=True,
    help="Folder to write brief.html, schedule.csv and schedule.ics into (all three or none; "
    f"and {ADVISOR_BRIEF} with --advisor).",
)
def trip(
    profile: str,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    base: str,
    arrive: str | None,
    leave: str | None,
    nights: tuple[str, ...],
    days: int,
    start: datetime,
    top: int | None,
    villages: str | None,
    visit_min: int,
    max_drive_min: int,
    day_start: int,
    day_end: int,
    arrive_at: int | None,
    leave_by: int | None,
    lunch: tuple[int, int],
    lunch_min: int,
    townhall_min: int,
    pack: bool,
    lang: str | None,
    events: tuple[str, ...],
    advisor: bool,
    trade: str | None,
    out: Path,
) -> None:
    """Plan a scouting trip of the best villages (or chosen ones), and write its brief."""
    # Imported here: OR-Tools and the brief are needed by this command only.
    from relocate._files import write_files
    from relocate.cli.programme import event_appointments
    from relocate.i18n import terminal_language, translator
    from relocate.programme._private import private_umask
    from relocate.scoring import load_profile
    from relocate.sources.mayors import load_mayors
    from relocate.trip.brief import build_brief
    from relocate.trip.exports import schedule_csv, schedule_ics
    from relocate.trip.model import TripSettings
    from relocate.trip.plan import Itinerary, check_trip, plan_trip

    if (top is None) == (villages is None):
        raise click.UsageError("give either --top K or --villages A,B,C")
    settings = TripSettings(
        visit_min=visit_min,
        max_drive_min=max_drive_min,
        day_start=day_start,
        day_end=day_end,
        lunch_start=lunch[0],
        lunch_end=lunch[1],
        lunch_min=lunch_min,
        spread=not pack,
        first_day_start=arrive_at,
        last_day_end=leave_by,
        townhall_min=townhall_min,
    )
    check_trip(start.date(), days, settings=settings)  # fail fast, before loading data
    files = [out / "brief.html", out / "schedule.csv", out / "schedule.ics"]
    if advisor:
        files.append(out / ADVISOR_BRIEF)
    wanted = load_profile(profile)
    refuse_overwriting(profile, files)
    territory = load(departement, airports, town_min_population, trade=trade_of(wanted, trade))
    appointments = event_appointments(territory, events)  # one line if one names no event
    _check_event_days(events, appointments, start=start.date(), days=days)
    ranking = rank_territory(wanted, territory)
    if top is not None:
        chosen = _best(ranking, top)
    else:
        chosen = [item.strip() for item in str(villages).split(",") if item.strip()]
    itinerary = Itinerary(base=base, arrive=arrive, leave=leave, nights=nights)
    plan = plan_trip(
        territory,
        base=itinerary,
        villages=chosen,
        start=start.date(),
        days=days,
        settings=settings,
        appointments=appointments,
    )
    mayors = load_mayors(cache_dir=territory.settings.cache_dir)
    household = lang or HOUSEHOLD_LANGUAGE
    title = (
        translator(household)._("Scouting trip: {profile}").format(profile=wanted.title(household))
    )
    contents: list[str | bytes] = [
        build_brief(
            plan, ranking=ranking, territory=territory, title=title, lang=household, mayors=mayors
        ),
        schedule_csv(plan, villages=territory.villages, lang=household),
        schedule_ics(plan, title=title, villages=territory.villages, lang=household, mayors=mayors),
    ]
    if advisor:
        contents.append(
            build_brief(
                plan,
                ranking=ranking,
                territory=territory,
                title=title,
                lang=household,
                mayors=mayors,
                advisor=True,
            )
        )
    if advisor:
        # The advisor's copy names members: written readable by the user only, as the
        # programme's data is kept; the household's files then get the usual mode.
        out.mkdir(parents=True, exist_ok=True)  # the folder with the usual mode, too
        with private_umask():
            write_files(dict(zip(files, contents, strict=True)))  # all of them, or none
        _usual_mode(files[:-1])
    else:
        write_files(dict(zip(files, contents, strict=True)))  # all of them, or none
    report_lang = lang or terminal_language()
    click.echo(_report(plan, ranking, territory, lang=report_lang, household=household))
    tr = translator(report_lang)
    if advisor and "members" not in territory.open_data:
        click.echo(
            tr._(
                "No programme members are loaded: the advisor's copy has no one to contact "
                "(import them with `relocate network import FILE`)."
            )
        )
    click.echo(tr._("Wrote {files}").format(files=", ".join(str(f) for f in files)))
    if advisor:
        click.echo(
            tr._(
                "{file} is the advisor's copy, with members' contacts: not for the household."
            ).format(file=out / ADVISOR_BRIEF)
        )


def _check_event_days(
    queries: tuple[str, ...], appointments: list[Appointment], *, start: date, days: int
) -> None:
    """Refuse, in one line, a programme event that is not on a day of the trip."""
    last = start + timedelta(days=days - 1)
    for query, appointment in zip(queries, appointments, strict=True):
        if not start <= appointment.start.date() <= last:
            raise InvalidOptionError(
                f"--event {query!r}: {appointment.title!r} is on "
                f"{appointment.start:%Y-%m-%d}, not a day of the trip ({start:%Y-%m-%d} to "
                f"{last:%Y-%m-%d}); choose an event during the trip, or move --start"
            )


def _usual_mode(paths: list[Path]) -> None:
    """Give files the mode the user's umask gives new files (``0644`` under ``022``)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in paths:
        path.chmod(0o666 & ~umask)


def _report(
    plan: TripPlan, ranking: Ranking, territory: Territory, *, lang: str, household: str
) -> str:
    """The advisor's report: the plan day by day, what was left out, what data is missing."""
    from relocate.i18n import N_, translator  # lazy, as in the command
    from relocate.outputs.card import absence_lines, unscored_labels

    language_names = {"fr": N_("French"), "en": N_("English")}
    tr = translator(lang)
    lines = [
        tr._("Scouting trip for “{profile}”, base {base}; brief and calendar in {language}").format(
            profile=ranking.profile.title(lang),
            base=plan.base_place.label(lang) if plan.base_place else plan.base_name,
            language=tr._(language_names[household]),
        ),
        tr._("Drive times: {how}.").format(how=territory.describe_drive_times(lang)),
    ]
    if plan.estimated_places:
        lines.append(
            tr._("Off the road network, estimated: {places}.").format(
                places=", ".join(plan.estimated_places)
            )
        )
    share = tr.percent(ranking.scored_share)
    lines.append(tr._("{share} of the profile's weight is scored here.").format(share=share))
    if ranking.unscored:
        labels = unscored_labels(ranking, territory, lang=lang)
        lines.append(tr._("Not compared (no data here): {labels}.").format(labels=labels))
    if ranking.scored_share < territory.settings.min_scored_share:
        lines.append(tr._("Not a recommendation yet: the brief says so to the household."))
    lines += absence_lines(ranking, territory, lang=lang)
    for number, day in enumerate(plan.days, 1):
        lines.append(_day_line(number, day, lang))
    names = territory.villages["name"]
    for code, reason in plan.left_out.items():
        lines.append(
            tr._("Left out: {name} ({code}): {reason}").format(
                name=names.get(code, code), code=code, reason=reason.text(lang)
            )
        )
    for appointment, reason in plan.missed:
        lines.append(
            tr._("Appointment not kept: {title}: {reason}").format(
                title=appointment.title, reason=reason.text(lang)
            )
        )
    return "\n".join(lines)


def _day_line(number: int, day: DayPlan, lang: str) -> str:
    from relocate.i18n import translator  # lazy, as in the command

    tr = translator(lang)
    head = tr._("Day {n}, {date}:").format(n=number, date=tr.long_date(day.day))
    if not day.stops:
        why = day.why_empty.text(lang) if day.why_empty is not None else ""
        return f"{head} " + tr._("no visit: {why}").format(why=why)
    parts = []
    for event, k in day.timeline():
        if event == "leave":
            place, moment = _place(day.start, lang), tr.clock(day.leave.time())
            parts.append(tr._("leave {place} {time}").format(place=place, time=moment))
        elif event == "back":
            place, moment = _place(day.end, lang), tr.clock(day.back.time())
            parts.append(tr._("back at {place} {time}").format(place=place, time=moment))
        elif event == "lunch" and day.lunch is not None:
            parts.append(_lunch(day.lunch, lang))
        elif event == "stop":
            stop = day.stops[k]
            what = stop.title if stop.kind == "appointment" and stop.title else stop.name
            if stop.at_base:
                what += " " + tr._("(at the base)")
            parts.append(f"{what} {tr.time_range(stop.arrive.time(), stop.depart.time())}")
    driving = tr._("{n} min driving").format(n=tr.number(round(day.drive_min)))
    return f"{head} {tr._('; ').join(parts)} ({driving})"


def _lunch(lunch: Lunch, lang: str) -> str:
    from relocate.i18n import translator  # lazy, as in the command

    tr = translator(lang)
    return tr._("lunch {time} at {place}").format(
        time=tr.time_range(lunch.start.time(), lunch.end.time()), place=lunch.place
    )


def _place(place: Place | None, lang: str) -> str:
    return place.label(lang) if place is not None else ""


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
