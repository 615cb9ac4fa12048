"""Small phrases for the household, in each language: "de Pavie", "d’Auch", "au Houga".

French contracts the preposition with the article of a commune's name and elides
it before a vowel; English takes the name as it is. The phrases fill the
``{of_place}`` and ``{at_place}`` placeholders of translated messages
(``Visit {of_place}`` is ``Visite {of_place}``, ``Lunch {at_place}`` is
``Déjeuner {at_place}``): English takes the name as it is after a verb, and
``at`` before it.

Examples
--------
>>> of_place("Pavie", "fr"), of_place("Auch", "fr"), of_place("Le Houga", "fr")
('de Pavie', 'd’Auch', 'du Houga')
>>> at_place("Les Angles", "fr"), at_place("L'Isle-Jourdain", "fr"), at_place("Auch", "en")
('aux Angles', "à L'Isle-Jourdain", 'at Auch')
>>> at_place("aéroport Agen-La Garenne (AGF)", "fr"), of_place("Pavie", "en")
('à l’aéroport Agen-La Garenne (AGF)', 'Pavie')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from relocate.i18n import translator

if TYPE_CHECKING:
    from relocate.trip.model import Stop

__all__ = ["at_place", "of_place", "visit_note"]

_VOWELS = "aeiouyàâäéèêëîïôöûüAEIOUYÀÂÄÉÈÊËÎÏÔÖÛÜ"


def of_place(name: str, lang: str) -> str:
    """``de`` and a place in French (``du``, ``des``, ``d’``, ``de l’``); the place in English."""
    if lang != "fr":
        return name
    if name.startswith(("Le ", "le ")):
        return "du " + name[3:]
    if name.startswith(("Les ", "les ")):
        return "des " + name[4:]
    if name.startswith("gare "):
        return "de la " + name
    if name[:1] in _VOWELS:
        return ("de l’" if name[:1].islower() else "d’") + name
    return "de " + name


def at_place(name: str, lang: str) -> str:
    """``à`` and a place in French (``au``, ``aux``, ``à l’``); ``at`` and the place in English."""
    if lang != "fr":
        return "at " + name
    if name.startswith(("Le ", "le ")):
        return "au " + name[3:]
    if name.startswith(("Les ", "les ")):
        return "aux " + name[4:]
    if name.startswith("gare "):
        return "à la " + name
    if name[:1] in _VOWELS and name[:1].islower():
        return "à l’" + name
    return "à " + name


def visit_note(stop: Stop, lang: str) -> str | None:
    """What the household should know about a visit's town hall, as advice, or None."""
    tr = translator(lang)
    note = stop.note.message if stop.note is not None else None
    if note == "no opening hours published":
        return tr._("The town hall publishes no opening hours: call before going.")
    if note == "town hall closed on every day of the trip":
        return tr._("The town hall is closed on every day of the trip: call for a meeting.")
    if note is not None or not stop.townhall_open:
        return tr._("The town hall opens outside the day's hours: call for a meeting.")
    return None
