"""The ``relocate network`` and ``relocate notes`` commands: the programme's own knowledge.

``network``: import the members (``import``) and the events (``events``), see the
members and events near a village as the advisor may (``show``), learn a profile
from where the members settled (``learn``). ``notes``: the advisor's field notes
(``add``, ``import``, ``list``, ``keys``).

The programme's data is kept readable by the user only; what households see of
it goes through :mod:`relocate.programme.privacy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from relocate.cli._options import report_lang_option, territory_options

if TYPE_CHECKING:
    from relocate.programme.events import Event
    from relocate.sources.opendata import ParseContext
    from relocate.territory import Territory
    from relocate.trip.model import Appointment

__all__ = ["event_appointment", "event_appointments", "network", "notes"]

# The API is imported inside each command (lazy): `relocate --help` must not wait for pandas.

_departement_option = click.option(
    "--departement",
    "-d",
    default="32",
    show_default=True,
    help="The département the programme's data belongs to.",
)

_accept_smaller_option = click.option(
    "--accept-smaller",
    is_flag=True,
    help="Install a list with far fewer members than the one in use (refused by default, "
    "as a cut or partial file).",
)


def _context(departement: str) -> tuple[Path, ParseContext]:
    """The cache folder, and the communes and département a programme file is read against."""
    from relocate.settings import Settings
    from relocate.sources import load_communes, select_departement
    from relocate.sources.opendata import ParseContext

    settings = Settings(departement=departement)
    communes = load_communes(cache_dir=settings.cache_dir)
    code = select_departement(communes, settings.departement).code
    return settings.cache_dir, ParseContext(communes=communes, departement=code)


def _village(territory: Territory, query: str) -> str:
    from relocate._names import find_village

    names = {str(c): str(n) for c, n in territory.villages["name"].items()}
    return find_village(names, query)


def event_appointment(event: Event) -> Appointment:
    """The trip's fixed appointment for a programme event (its title, place and times).

    Raises
    ------
    relocate.errors.InvalidOptionError
        If the event lasts whole days or runs over several (an appointment is
        on one day, at a time).
    """
    from relocate.errors import InvalidOptionError
    from relocate.trip.model import Appointment  # lazy: the trip's model, only when asked

    if event.all_day or event.end.date() != event.start.date():
        raise InvalidOptionError(
            f"the event {event.title!r} ({event.start:%Y-%m-%d}) is not at a time on one day: "
            "it cannot be kept as an appointment of the trip"
        )
    return Appointment(title=event.title, place=event.place_key, start=event.start, end=event.end)


def event_appointments(territory: Territory, queries: Sequence[str]) -> list[Appointment]:
    """The appointments for the events named (``relocate trip --event``): UID, date or title.

    Raises
    ------
    relocate.errors.InvalidOptionError
        If a query names no event or several, or an event cannot be an appointment.
    """
    from relocate.programme.events import find_event

    return [event_appointment(find_event(territory, q)) for q in queries]


# --- relocate network ---------------------------------------------------------------------


@click.group()
def network() -> None:
    """The programme's members and events: import them, see them near a village, learn."""


@network.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_departement_option
@_accept_smaller_option
def network_import(file: Path, departement: str, accept_smaller: bool) -> None:
    """Import the programme's members from a CSV file, kept readable by you only.

    Columns (English or French names): commune (INSEE code or name), trade,
    arrival_year, household_size, consent (yes/no), and name, email, phone for
    the members who consented to be contacted.
    """
    from relocate.programme._private import private_import
    from relocate.programme.members import MembersSource
    from relocate.sources.store import Store

    cache, context = _context(departement)
    private_import(
        MembersSource(),
        [file],
        store=Store(cache),
        context=context,
        accept_smaller=accept_smaller,
        notify=click.echo,
    )


@network.command("events")
@click.argument("file", type=click.Path(path_type=Path))
@_departement_option
def network_events(file: Path, departement: str) -> None:
    """Import the programme's events from a CSV file (title, place, start, end) or an .ics."""
    from relocate.programme._private import private_import
    from relocate.programme.events import EventsSource
    from relocate.sources.store import Store

    cache, context = _context(departement)
    private_import(EventsSource(), [file], store=Store(cache), context=context, notify=click.echo)


@network.command("show")
@click.argument("village")
@_departement_option
@click.option(
    "--within",
    type=click.FloatRange(min=1, max=180),
    default=30.0,
    show_default=True,
    help="Minutes of driving (estimated) the members and events are looked for within.",
)
@report_lang_option
def network_show(village: str, departement: str, within: float, lang: str) -> None:
    """For the advisor: the members who agreed to be contacted near VILLAGE, the events, notes.

    This view names members: it is the advisor's own, not for households.
    """
    from relocate.cli._options import load
    from relocate.i18n import translator
    from relocate.programme.events import events_near
    from relocate.programme.notes import village_notes
    from relocate.programme.privacy import advisor_view

    tr = translator(lang)
    territory = load(departement, (), 2000)
    code = _village(territory, village)
    if "members" not in territory.open_data:
        click.echo(tr._("No programme members are loaded: run `relocate network import FILE`."))
    else:
        for line in advisor_view(territory, code, within_min=within).lines(lang):
            click.echo(line)
    events = events_near(territory, code, within_min=within)
    if events:
        click.echo(
            tr._("Upcoming programme events within {minutes} min:").format(
                minutes=tr.decimal(within)
            )
        )
        for event in events:
            click.echo("  " + event.text(lang))
    noted = village_notes(territory, code)
    if noted:
        click.echo(tr._("Field notes:"))
        for note in noted:
            click.echo("  " + note.text(lang, advisor=True))


@network.command("learn")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The profile to write (.toml).",
)
@click.option("--top", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--folds", type=click.IntRange(min=2, max=20), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@territory_options
@report_lang_option
def network_learn(
    out: Path,
    top: int,
    folds: int,
    seed: int,
    departement: str,
    airports: tuple[str, ...],
    town_min_population: int,
    lang: str,
) -> None:
    """Learn a profile from where the members settled, and say how well it explains it."""
    from relocate.cli._options import load
    from relocate.i18n import translator
    from relocate.programme.learn import learn_profile, write_learned

    tr = translator(lang)
    territory = load(departement, airports, town_min_population)
    learned = learn_profile(territory, top=top, folds=folds, seed=seed)
    click.echo(learned.report(lang))
    click.echo(tr._("Criteria learned:"))
    for name, row in learned.weights.iterrows():
        label = territory.catalogue.require(str(name)).label(lang)
        click.echo(f"  {name} ({label}): {tr.decimal(float(row['weight']))}")
    write_learned(learned, out)
    click.echo(tr._("Wrote {path}").format(path=out))


# --- relocate notes -----------------------------------------------------------------------


@click.group()
def notes() -> None:
    """The advisor's field notes: what a visit taught, with who, when and until when."""


@notes.command("add")
@click.argument("village")
@click.argument("key")
@click.argument("value")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="When it was noted [default: today].",
)
@click.option("--by", help="Who noted it.")
@click.option(
    "--valid-days",
    type=click.IntRange(min=1, max=3650),
    help="For how many days it holds [default: the key's, see `relocate notes keys`].",
)
@_departement_option
def notes_add(
    village: str,
    key: str,
    value: str,
    on: datetime | None,
    by: str | None,
    valid_days: int | None,
    departement: str,
) -> None:
    """Add a note on VILLAGE: KEY (indoor_4g, house_for_rent...) is VALUE (yes/no, number, text)."""
    from relocate.programme.notes import NewNote, add_note
    from relocate.sources.store import Store

    cache, context = _context(departement)
    day = on.date() if on is not None else None
    note = NewNote(village=village, key=key, value=value, on=day, by=by, valid_days=valid_days)
    add_note(note, store=Store(cache), context=context, notify=click.echo)


@notes.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_departement_option
def notes_import(file: Path, departement: str) -> None:
    """Add the notes of a CSV file (village, key, value, date, and by, valid_until)."""
    from relocate.programme.notes import import_notes
    from relocate.sources.store import Store

    cache, context = _context(departement)
    import_notes(file, store=Store(cache), context=context, notify=click.echo)


@notes.command("list")
@click.argument("village", required=False)
@_departement_option
@report_lang_option
def notes_list(village: str | None, departement: str, lang: str) -> None:
    """List the field notes (of VILLAGE, or of every village), expired ones marked."""
    from relocate.cli._options import load
    from relocate.i18n import translator
    from relocate.programme.notes import village_notes

    tr = translator(lang)
    territory = load(departement, (), 2000)
    loaded = territory.open_data.get("notes")
    if loaded is None:
        click.echo(tr._("No field notes yet: add one with `relocate notes add VILLAGE KEY VALUE`."))
        return
    codes = [_village(territory, village)] if village else sorted(set(loaded.table["insee"]))
    for code in codes:
        if code not in territory.villages.index:
            continue
        lines = village_notes(territory, code)
        if not lines:
            continue
        click.echo(f"{territory.villages.at[code, 'name']} ({code})")
        for line in lines:
            click.echo("  " + line.text(lang, advisor=True))


@notes.command("keys")
@report_lang_option
def notes_keys(lang: str) -> None:
    """List the keys whose notes are criteria (note_<key>), their kind and how long they hold."""
    from relocate.i18n import translator
    from relocate.programme.notes import NOTE_KEYS

    tr = translator(lang)
    for key in NOTE_KEYS:
        click.echo(
            tr._("{key}: {label} ({kind}; holds {days} days)").format(
                key=key.key, label=key.label(lang), kind=key.kind, days=key.valid_days
            )
        )
