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
# Placeholders in braces ({n}, {label}, {value}, {bound}, {v}, {pct}, {list}...) are filled in
# by the page; the page inserts every text as text, never as HTML.

#: Every text the page shows, by key (the page's DATA["t"]), in English; translated
#: through the message catalogues.
PAGE_TEXTS: dict[str, str] = {
    # The panel
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
    "restored": N_(
        "These settings come from the link or your last visit; “Reset to profile” undoes them."
    ),
    "download_profile": N_("Download this profile"),
    "download_none": N_("Give a weight to at least one criterion first."),
    "profile_adjusted": N_("{name} (adjusted on the map)"),
    "search": N_("Search a village"),
    "search_none": N_("No village found"),
    "top": N_("Top {n}"),
    # How much of the profile the ranking covers, and ties
    "share_all": N_("This ranking covers all of your priorities."),
    "share_one": N_("This ranking covers {pct} of your priorities: no data here yet on {list}."),
    "share_many": N_(
        "This ranking covers {pct} of your priorities: no data here yet on these: {list}."
    ),
    "share_low": N_(
        "Too few of your priorities have data here: this ranking is not a recommendation yet."
    ),
    "card_share": N_("This score covers {pct} of your priorities."),
    "card_missing": N_("No data for this village on {list}: ask at the town hall."),
    "ties_top": N_("{n} villages tie at {score}: their order in the list is no preference."),
    "tied_one": N_("tied with 1 other village"),
    "tied_many": N_("tied with {n} other villages"),
    # How sure the ranks are (computed once, for the profile's own weights)
    "robust_line": N_("in the top {n} for {pct} of plausible weightings, rank {low} to {high}"),
    "robust_line_one": N_("in the top {n} for {pct} of plausible weightings, rank {low}"),
    "robust_about": N_(
        "How sure: over {samples} plausible weightings of the profile (not of the sliders)."
    ),
    "robust_fixed": N_(
        "The profile gives no range for its weights: these figures hold for its exact weights."
    ),
    "robust_stale": N_(
        "These figures are for the profile’s own weights: they do not follow the sliders."
    ),
    # Compare and cards
    "compare": N_("Compare"),
    "compare_add": N_("Add to comparison"),
    "compare_full": N_("Three villages at most: remove one first"),
    "compare_already": N_("Already in the comparison"),
    "remove": N_("Remove"),
    "close": N_("Close"),
    "print": N_("Print"),
    "best": N_("best of the villages compared"),
    "score": N_("Score"),
    "score_layer": N_("Score (0–100)"),
    "satisfaction": N_("Satisfaction"),
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
    "unavailable_title": N_("What the data here cannot say"),
    "estimate": N_("estimate"),
    "missing": N_("missing"),
    "yes": N_("yes"),
    "no": N_("no"),
    "other_facts": N_("Other facts"),
    "town_hall": N_("Town hall"),
    "mayor": N_("Mayor"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "hours": N_("Hours"),
    "not_published": N_("not published"),
    "source": N_("Source"),
    "sources": N_("Sources"),
    "drive_times": N_("Drive times"),
    "drive_unreachable": N_("Drive time not computed on the road network: check on site"),
    # The map, its layers and its legend
    "base_map": N_("Base map (internet)"),
    "osm": N_("© OpenStreetMap contributors"),
    "layers": N_("Layers"),
    "airports": N_("Airports"),
    "village_names": N_("Village names"),
    "isochrones": N_("Areas within 30, 45 and 60 min of the airports (road network)"),
    "rank_markers": N_("Top {n} (rank)"),
    "zoom_in": N_("Zoom in"),
    "zoom_out": N_("Zoom out"),
    "legend_excluded": N_("Excluded"),
    "legend_excluded_outline": N_("Excluded (dashed outline)"),
    "legend_no_data": N_("No data"),
    "legend_better": N_("Yellow: better for your profile"),
    "legend_on_map": N_("On the map"),
    "low_confidence": N_("low confidence"),
    # The CCI programme's own data, when the advisor has loaded it (counts, never names)
    "programme": N_("The CCI programme"),
    "programme_privacy": N_("Members are counted, never named; fewer than {k} are not counted."),
    "programme_events": N_("Programme events within {minutes} min"),
    "programme_more_one": N_("and 1 more event"),
    "programme_more_many": N_("and {n} more events"),
    "programme_notes": N_("Field notes"),
    "card_missing_programme": N_(
        "No field note for this village on {list}: ask the CCI programme’s advisor."
    ),
    "fewer_than": N_("fewer than {k}"),
    "layer_programme_members": N_("Programme members (villages where at least {k} live)"),
    "layer_programme_events": N_("Programme events (upcoming)"),
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
