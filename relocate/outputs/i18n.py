"""The map page's texts in French and English: the page's own words, and catalogue labels.

Feature labels, units and service names are declared once, by each source, in
the catalogue (:mod:`relocate.catalogue`); the helpers here read them. This
module adds every text the page itself shows.

A name the catalogue does not know is shown as the name itself.

Typography: French texts use the typographic apostrophe (’), a no-break space
before ``:`` and between a number and its unit.
"""

from __future__ import annotations

from relocate.catalogue import Catalogue, default_catalogue
from relocate.declare import DEFAULT_LANGUAGE, LANGUAGES, UNITS, check_language
from relocate.i18n import N_, translator

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "feature_label",
    "service_label",
    "ui_strings",
    "unit_label",
]

# --- UI strings ------------------------------------------------------------------------------
# Placeholders in braces ({n}, {rank}, {label}, {value}, {bound}, {v}, {pct}) are filled in by
# the page; the page inserts every text as text, never as HTML.

#: Every text the page shows, by key (the page's DATA["t"]), in English; translated
#: through the message catalogues.
PAGE_TEXTS: dict[str, str] = {
    "panel": N_("Settings"),
    "show_panel": N_("Show settings"),
    "hide_panel": N_("Hide settings"),
    "profile": N_("Profile"),
    "departement": N_("Département"),
    "criteria": N_("Criteria"),
    "weights": N_("Weights"),
    "weight": N_("Weight"),
    "constraints": N_("Constraints"),
    "applied": N_("Applied"),
    "at_least": N_("at least {v}"),
    "at_most": N_("at most {v}"),
    "reset": N_("Reset to profile"),
    "search": N_("Search a village"),
    "search_none": N_("No village found"),
    "top": N_("Top {n}"),
    "compare": N_("Compare"),
    "compare_add": N_("Add to comparison"),
    "compare_full": N_("Three villages at most: remove one first"),
    "compare_already": N_("Already in the comparison"),
    "remove": N_("Remove"),
    "close": N_("Close"),
    "score": N_("Score"),
    "score_layer": N_("Score (0–100)"),
    "utility": N_("Satisfaction"),
    "utility_layer": N_("Satisfaction (0–1)"),
    "points": N_("Points"),
    "value": N_("Value"),
    "criterion": N_("Criterion"),
    "rank": N_("Rank"),
    "of": N_("of"),
    "ranked_count": N_("{n} villages ranked, {x} excluded"),
    "excluded": N_("Excluded"),
    "excluded_by": N_("Excluded by the constraints"),
    "below_min": N_("{label}: {value}, below the minimum of {bound}"),
    "above_max": N_("{label}: {value}, above the maximum of {bound}"),
    "not_checked": N_("Not checked (no data)"),
    "not_ranked": N_("Not ranked"),
    "no_score": N_("No score: no criterion has data for this village"),
    "no_data": N_("No data"),
    "coverage": N_(
        "Only {pct} of the weight had data for this village; "
        "the score is the weighted mean of the rest."
    ),
    "unavailable": N_("Unavailable, left out of the weighting"),
    "unavailable_title": N_("Unavailable criteria"),
    "estimate": N_("estimate"),
    "missing": N_("missing"),
    "yes": N_("yes"),
    "no": N_("no"),
    "other_facts": N_("Other facts"),
    "town_hall": N_("Town hall"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "hours": N_("Hours"),
    "not_published": N_("not published"),
    "source": N_("Source"),
    "sources": N_("Sources"),
    "drive_times": N_("Drive times are estimates"),
    "drive_times_network": N_("Drive times"),
    "drive_model": N_("straight-line distance × {detour} for detours, at {speed} km/h"),
    "base_map": N_("Base map (internet)"),
    "osm": N_("© OpenStreetMap contributors"),
    "layers": N_("Layers"),
    "airports": N_("Airports"),
    "isochrones": N_("Areas within 30, 45 and 60 min of the airports (road network)"),
    "rank_markers": N_("Top {n} (rank)"),
    "legend_excluded": N_("Excluded"),
    "legend_excluded_outline": N_("Excluded (dashed outline)"),
    "legend_no_data": N_("No data"),
    "low_confidence": N_("low confidence"),
    "low_confidence_sales": N_("low confidence: {n} sales"),
    "colon": N_(": "),
    "points_short": N_("pts"),
    "out_of_100": N_("/100"),
}


def feature_label(
    name: str, lang: str = DEFAULT_LANGUAGE, *, catalogue: Catalogue | None = None
) -> str:
    """The label of a feature in a language, from the catalogue (a name it lacks as is).

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`~relocate.declare.LANGUAGES`.
    """
    check_language(lang)
    spec = (catalogue or default_catalogue()).spec(name)
    return name if spec is None else spec.label(lang)


def service_label(
    kind: str, lang: str = DEFAULT_LANGUAGE, *, catalogue: Catalogue | None = None
) -> str:
    """The plural name of a service kind, capitalised: a map layer's name (``Pharmacies``).

    An unknown kind is returned as it is.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`~relocate.declare.LANGUAGES`.
    """
    check_language(lang)
    found = (catalogue or default_catalogue()).service_kind(kind)
    return kind if found is None else found.noun.plural()(lang)


def unit_label(unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A unit (by key) as shown in a language (``inhabitants`` -> ``habitants``).

    An unknown unit is returned as it is.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`~relocate.declare.LANGUAGES`.
    """
    check_language(lang)
    return UNITS[unit].symbol(lang) if unit in UNITS else unit


def ui_strings(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every text the map page shows, by key, in a language (DATA["t"] of the page).

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`~relocate.declare.LANGUAGES`.
    """
    tr = translator(lang)
    return {key: tr._(text) for key, text in PAGE_TEXTS.items()}
