"""How values are written for people: numbers with their units, missing values, timetables.

Numbers, times and day names are formatted by Babel in the reader's language
(:mod:`relocate.i18n`): ``22 428 habitants``, ``1,3 km``, ``du lundi au vendredi :
9 h – 12 h, 14 h – 18 h``.
"""

from __future__ import annotations

from itertools import groupby

import pandas as pd

from relocate.declare import Unit
from relocate.features.townhall import parse_opening_hours
from relocate.i18n import N_, translator

__all__ = ["format_number", "format_opening_hours", "format_value", "is_missing", "with_unit"]

_NBSP = "\u00a0"
#: What a value the source does not have reads as.
MISSING = N_("missing")


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA: a value the source does not have."""
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def format_number(value: float, unit: Unit, *, lang: str = "en") -> str:
    """A number as its unit writes it: counts without decimals, others with one."""
    tr = translator(lang)
    return tr.number(value, digits=0 if unit.integer else 1)


def format_value(value: object, unit: Unit, *, lang: str = "en") -> str:
    r"""A raw value with its unit (``12.3 km``, ``1,234 inhabitants``), or ``missing``.

    Counts (:attr:`Unit.integer`) have no decimals, flags read yes/no, text is
    written as it is.

    Examples
    --------
    >>> from relocate.declare import INHABITANTS, KM
    >>> format_value(22428, INHABITANTS, lang="fr")
    '22\u202f428\xa0habitants'
    >>> format_value(1.25, KM), format_value(1.25, KM, lang="fr").replace("\xa0", " ")
    ('1.2 km', '1,2 km')
    >>> format_value(float("nan"), KM, lang="fr")
    'manquant'
    """
    tr = translator(lang)
    if is_missing(value):
        return tr._(MISSING)
    if unit.flag:
        return tr._("yes") if value else tr._("no")
    if not unit.numeric:
        return str(value)
    return with_unit(format_number(float(str(value)), unit, lang=lang), unit, lang=lang)


def with_unit(number: str, unit: Unit, *, lang: str = "en") -> str:
    r"""A written number followed by its unit's symbol, if it has one.

    Examples
    --------
    >>> from relocate.declare import COUNT, MINUTES
    >>> with_unit("20", MINUTES, lang="fr"), with_unit("3", COUNT)
    ('20 min', '3')
    """
    symbol = unit.symbol(lang)
    # French puts a no-break space between a number and its unit.
    space = _NBSP if lang == "fr" else " "
    return f"{number}{space}{symbol}" if symbol else number


def format_opening_hours(text: str | None, *, lang: str = "en") -> str | None:
    r"""The published timetable in words, days with the same hours grouped; None if none.

    Examples
    --------
    >>> hours = '[["lundi","vendredi",[["09:00:00","12:00:00"],["14:00:00","18:00:00"]]]]'
    >>> format_opening_hours(hours, lang="fr").replace("\u2009", " ").replace("\xa0", " ")
    'du lundi au vendredi : 9 h – 12 h, 14 h – 18 h'
    >>> format_opening_hours(hours, lang="en").replace("\u2009", " ")
    'Monday to Friday: 09:00 – 12:00, 14:00 – 18:00'
    """
    slots = parse_opening_hours(text)
    if slots is None:
        return None
    tr = translator(lang)
    by_day: dict[int, tuple[str, ...]] = {}
    for slot in slots:
        span = tr.time_range(slot.start, slot.end)
        by_day[slot.day] = (*by_day.get(slot.day, ()), span)
    parts = []
    days = sorted(by_day)
    # Consecutive days with the same hours read as one group ("du lundi au vendredi").
    runs = groupby(enumerate(days), key=lambda pair: (pair[1] - pair[0], by_day[pair[1]]))
    for (_, spans), members in runs:
        group = [day for _, day in members]
        first, last = tr.day_name(group[0]), tr.day_name(group[-1])
        if len(group) == 1:
            when = first
        elif len(group) == 2:
            when = tr._("{first} and {last}").format(first=first, last=last)
        else:
            when = tr._("{first} to {last}").format(first=first, last=last)
        parts.append(tr._("{days}: {hours}").format(days=when, hours=", ".join(spans)))
    text_out = tr._("; ").join(parts)
    return text_out[:1].upper() + text_out[1:] if lang == "en" else text_out
