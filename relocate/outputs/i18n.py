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

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "feature_label",
    "service_label",
    "ui_strings",
    "unit_label",
]

_NBSP = "\u00a0"

# --- UI strings ------------------------------------------------------------------------------
# Placeholders in braces ({n}, {rank}, {label}, {value}, {bound}, {v}, {pct}) are filled in by
# the page; the page inserts every text as text, never as HTML.

_UI: dict[str, dict[str, str]] = {
    "en": {
        "panel": "Settings",
        "show_panel": "Show settings",
        "hide_panel": "Hide settings",
        "profile": "Profile",
        "departement": "Département",
        "criteria": "Criteria",
        "weights": "Weights",
        "weight": "Weight",
        "constraints": "Constraints",
        "applied": "Applied",
        "at_least": "at least {v}",
        "at_most": "at most {v}",
        "reset": "Reset to profile",
        "search": "Search a village",
        "search_none": "No village found",
        "top": "Top {n}",
        "compare": "Compare",
        "compare_add": "Add to comparison",
        "compare_full": "Three villages at most: remove one first",
        "compare_already": "Already in the comparison",
        "remove": "Remove",
        "close": "Close",
        "score": "Score",
        "score_layer": "Score (0–100)",
        "utility": "Utility",
        "utility_layer": "Utility (0–1)",
        "points": "Points",
        "value": "Value",
        "criterion": "Criterion",
        "rank": "Rank",
        "of": "of",
        "ranked_count": "{n} villages ranked, {x} excluded",
        "excluded": "Excluded",
        "excluded_by": "Excluded by the constraints",
        "below_min": "{label}: {value}, below the minimum of {bound}",
        "above_max": "{label}: {value}, above the maximum of {bound}",
        "not_checked": "Not checked (no data)",
        "not_ranked": "Not ranked",
        "no_score": "No score: no criterion has data for this village",
        "no_data": "No data",
        "coverage": "Only {pct} of the weight had data for this village; "
        "the score is the weighted mean of the rest.",
        "unavailable": "Unavailable, left out of the weighting",
        "unavailable_title": "Unavailable criteria",
        "estimate": "estimate",
        "missing": "missing",
        "yes": "yes",
        "no": "no",
        "other_facts": "Other facts",
        "town_hall": "Town hall",
        "address": "Address",
        "phone": "Phone",
        "email": "E-mail",
        "website": "Website",
        "hours": "Hours",
        "not_published": "not published",
        "source": "Source",
        "sources": "Sources",
        "drive_times": "Drive times are estimates",
        "drive_times_network": "Drive times",
        "drive_model": "straight-line distance × {detour} for detours, at {speed} km/h",
        "base_map": "Base map (internet)",
        "osm": "© OpenStreetMap contributors",
        "layers": "Layers",
        "airports": "Airports",
        "isochrones": "Areas within 30, 45 and 60 min of the airports (road network)",
        "rank_markers": "Top {n} (rank)",
        "legend_excluded": "Excluded",
        "legend_excluded_outline": "Excluded (dashed outline)",
        "legend_no_data": "No data",
        "low_confidence": "low confidence",
        "low_confidence_sales": "low confidence: {n} sales",
        "colon": ": ",
        "points_short": "pts",
        "out_of_100": "/100",
    },
    "fr": {
        "panel": "Réglages",
        "show_panel": "Afficher les réglages",
        "hide_panel": "Masquer les réglages",
        "profile": "Profil",
        "departement": "Département",
        "criteria": "Critères",
        "weights": "Poids",
        "weight": "Poids",
        "constraints": "Contraintes",
        "applied": "Appliquée",
        "at_least": "au moins {v}",
        "at_most": "au plus {v}",
        "reset": "Revenir au profil",
        "search": "Rechercher une commune",
        "search_none": "Aucune commune trouvée",
        "top": "Les {n} premières",
        "compare": "Comparer",
        "compare_add": "Ajouter à la comparaison",
        "compare_full": "Trois communes au plus : retirez-en une d’abord",
        "compare_already": "Déjà dans la comparaison",
        "remove": "Retirer",
        "close": "Fermer",
        "score": "Score",
        "score_layer": "Score (0–100)",
        "utility": "Utilité",
        "utility_layer": "Utilité (0–1)",
        "points": "Points",
        "value": "Valeur",
        "criterion": "Critère",
        "rank": "Rang",
        "of": "sur",
        "ranked_count": "{n} communes classées, {x} exclues",
        "excluded": "Exclue",
        "excluded_by": "Exclue par les contraintes",
        "below_min": f"{{label}}{_NBSP}: {{value}}, sous le minimum de {{bound}}",
        "above_max": f"{{label}}{_NBSP}: {{value}}, au-dessus du maximum de {{bound}}",
        "not_checked": "Non vérifiée (pas de donnée)",
        "not_ranked": "Non classée",
        "no_score": f"Pas de score{_NBSP}: aucun critère n’a de donnée pour cette commune",
        "no_data": "Pas de donnée",
        "coverage": f"Seuls {{pct}} du poids ont des données pour cette commune{_NBSP}; "
        "le score est la moyenne pondérée des autres critères.",
        "unavailable": "Indisponible, laissé hors de la pondération",
        "unavailable_title": "Critères indisponibles",
        "estimate": "estimation",
        "missing": "manquant",
        "yes": "oui",
        "no": "non",
        "other_facts": "Autres données",
        "town_hall": "Mairie",
        "address": "Adresse",
        "phone": "Téléphone",
        "email": "Courriel",
        "website": "Site web",
        "hours": "Horaires",
        "not_published": "non publiés",
        "source": "Source",
        "sources": "Sources",
        "drive_times": "Les temps de trajet sont des estimations",
        "drive_times_network": "Temps de trajet",
        "drive_model": "distance à vol d’oiseau × {detour} pour les détours, "
        f"à {{speed}}{_NBSP}km/h",
        "base_map": "Fond de carte (internet)",
        "osm": "© les contributeurs d’OpenStreetMap",
        "layers": "Couches",
        "airports": "Aéroports",
        "isochrones": "Zones à 30, 45 et 60 min des aéroports (réseau routier)",
        "rank_markers": "Les {n} premières (rang)",
        "legend_excluded": "Exclue",
        "legend_excluded_outline": "Exclue (contour en tirets)",
        "legend_no_data": "Pas de donnée",
        "low_confidence": "faible confiance",
        "low_confidence_sales": f"faible confiance{_NBSP}: {{n}} ventes",
        "colon": f"{_NBSP}: ",
        "points_short": "pts",
        "out_of_100": "/100",
    },
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
    return dict(_UI[check_language(lang)])
