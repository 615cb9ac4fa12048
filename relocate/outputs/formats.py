"""How values are written for people: numbers with their units, missing values, timetables."""

from __future__ import annotations

import pandas as pd

from relocate.declare import Unit, check_language
from relocate.features.townhall import parse_opening_hours

__all__ = ["DAY_ABBREVIATIONS", "format_opening_hours", "format_value", "is_missing"]

#: Short day names to write timetables with, by language.
DAY_ABBREVIATIONS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
}
_MISSING = {"en": "missing", "fr": "manquant"}
_YES_NO = {"en": ("yes", "no"), "fr": ("oui", "non")}


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA: a value the source does not have."""
    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def format_value(value: object, unit: Unit, *, lang: str = "en") -> str:
    """A raw value with its unit (``12.3 km``, ``1,234 inhabitants``), or ``missing``.

    Counts (:attr:`Unit.integer`) have no decimals, flags read yes/no, text is
    written as it is.
    """
    lang = check_language(lang)
    if is_missing(value):
        return _MISSING[lang]
    if unit.flag:
        return _YES_NO[lang][0] if value else _YES_NO[lang][1]
    if not unit.numeric:
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    text = f"{number:,.0f}" if unit.integer else f"{number:,.1f}"
    return f"{text} {unit.symbol(lang)}".rstrip()


def format_opening_hours(text: str | None, *, lang: str = "en") -> str | None:
    """The timetable as readable text (``Mon 09:00-12:00, 14:00-17:00; Wed ...``), or None."""
    slots = parse_opening_hours(text)
    if slots is None:
        return None
    by_day: dict[int, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.day, []).append(f"{slot.start:%H:%M}-{slot.end:%H:%M}")
    days = DAY_ABBREVIATIONS[check_language(lang)]
    return "; ".join(f"{days[day]} {', '.join(spans)}" for day, spans in by_day.items())
