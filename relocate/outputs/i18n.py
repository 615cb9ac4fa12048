"""The map page's texts in French and English: UI strings, feature labels and units.

This module is the one translation table of the interactive map. English labels
of features come from the catalogue (:mod:`relocate.features.catalogue`); this
module adds their French, and every text the page itself shows.

Fallback rule for feature labels: a feature with no French entry here is shown
with the catalogue's English label, and a name the catalogue does not know is
shown as the name itself. Units with no entry are shown as written (most are
symbols: ``km``, ``min``, ``%``).

Typography: French texts use the typographic apostrophe (’), a no-break space
before ``:`` and between a number and its unit.
"""

from __future__ import annotations

import re

from relocate.errors import InvalidOptionError
from relocate.features.catalogue import feature_spec
from relocate.features.services import SERVICE_KINDS

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "feature_label",
    "service_label",
    "ui_strings",
    "unit_label",
]

#: Languages the map can be written in.
LANGUAGES: tuple[str, ...] = ("fr", "en")
#: The language of the map unless asked otherwise.
DEFAULT_LANGUAGE = "fr"

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

# --- Units -------------------------------------------------------------------------------------

#: Every unit of the catalogue, in English as written there and in French.
_UNITS: dict[str, dict[str, str]] = {
    "en": {
        "": "",
        "inhabitants": "inhabitants",
        "inhabitants/km²": "inhabitants/km²",
        "h/week": "h/week",
        "km": "km",
        "m": "m",
        "min": "min",
        "%": "%",
        "€/m²": "€/m²",
        "sales": "sales",
        "flag": "flag",
    },
    "fr": {
        "": "",
        "inhabitants": "habitants",
        "inhabitants/km²": "hab./km²",
        "h/week": "h/semaine",
        "km": "km",
        "m": "m",
        "min": "min",
        "%": "%",
        "€/m²": "€/m²",
        "sales": "ventes",
        "flag": "indicateur",
    },
}

# --- Feature labels in French ------------------------------------------------------------------

_FEATURES_FR: dict[str, str] = {
    "population": "Population",
    "density_per_km2": "Densité de population",
    "townhall_hours_per_week": "Heures d’ouverture de la mairie",
    "snap_m": "Distance de la mairie au réseau routier",
    "dist_km_prefecture": "Distance à la préfecture",
    "drive_min_prefecture": "Trajet vers la préfecture",
    "dist_km_town": "Distance à la ville la plus proche",
    "drive_min_town": "Trajet vers la ville la plus proche",
    "dist_km_airport": "Distance à l’aéroport le plus proche",
    "drive_min_airport": "Trajet vers l’aéroport le plus proche",
    "fibre_share_pct": "Locaux éligibles à la fibre",
    "wired_30mbps_share_pct": f"Locaux avec un accès filaire à 30{_NBSP}Mbit/s",
    "wired_100mbps_share_pct": f"Locaux avec un accès filaire à 100{_NBSP}Mbit/s",
    "wired_1gbps_share_pct": f"Locaux avec un accès filaire à 1{_NBSP}Gbit/s",
    "ftth_deployed_share_pct": "Locaux raccordables à la fibre (observatoire FttH)",
    "house_price_eur_m2": "Prix des maisons",
    "house_sales": "Ventes de maisons",
    "house_price_low_confidence": "Prix des maisons établi sur peu de ventes",
}

#: Best broadband technologies (``best_tech_<tech>_pct``), in French.
_BEST_TECH_FR: dict[str, str] = {
    "ftth": "fibre jusqu’à l’abonné",
    "coax": "câble",
    "cu_30": f"cuivre à 30{_NBSP}Mbit/s ou plus",
    "thdr": "très haut débit radio",
    "cu_8": f"cuivre de 8 à 30{_NBSP}Mbit/s",
    "4gf": "4G fixe",
    "hdr": "haut débit radio",
    "sat": "satellite",
}

#: Service kinds (``count_``, ``dist_km_``, ``drive_min_<kind>``): singular, plural, feminine.
_SERVICES_FR: dict[str, tuple[str, str, bool]] = {
    "station": ("gare de voyageurs", "gares de voyageurs", True),
    "train_station": ("gare (BPE)", "gares (BPE)", True),
    "post_office": ("bureau de poste", "bureaux de poste", False),
    "postal_agency": ("agence postale communale", "agences postales communales", True),
    "postal_relay": ("relais poste commerçant", "relais poste commerçants", False),
    "hospital": ("hôpital", "hôpitaux", False),
    "gp": ("médecin généraliste", "médecins généralistes", False),
    "pharmacy": ("pharmacie", "pharmacies", True),
    "primary_school": ("école élémentaire", "écoles élémentaires", True),
    "nursery_school": ("école maternelle", "écoles maternelles", True),
    "college": ("collège", "collèges", False),
    "lycee": ("lycée", "lycées", False),
    "supermarket": ("supermarché ou hypermarché", "supermarchés et hypermarchés", False),
    "bakery": ("boulangerie", "boulangeries", True),
}

_AIRPORT_FEATURE = re.compile(r"^(dist_km|drive_min)_([A-Z0-9]{3})$")
_SERVICE_FEATURE = re.compile(r"^(count|dist_km|drive_min)_(.+)$")
_BEST_TECH_FEATURE = re.compile(r"^best_tech_(.+)_pct$")


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidOptionError(
            f"unknown language {lang!r}; the map can be written in: {', '.join(LANGUAGES)}"
        )
    return lang


def _service_fr(kind: str, what: str) -> str | None:
    """French label of one service feature, with the right article and agreement."""
    if kind not in _SERVICES_FR:
        return None
    singular, plural, feminine = _SERVICES_FR[kind]
    if what == "count":
        return f"{plural[0].upper()}{plural[1:]} dans la commune"
    nearest = "la plus proche" if feminine else "le plus proche"
    elided = singular[0] in "aeiouyàâéèêîôûh"
    article = "l’" if elided else "la " if feminine else "le "
    if what == "dist_km":
        to = "à l’" if elided else "à la " if feminine else "au "
        return f"Distance {to}{singular} {nearest}"
    return f"Trajet vers {article}{singular} {nearest}"


def _french(name: str) -> str | None:
    """The French label of a feature, or None where this table has none."""
    if name in _FEATURES_FR:
        return _FEATURES_FR[name]
    if (match := _BEST_TECH_FEATURE.match(name)) and match.group(1) in _BEST_TECH_FR:
        return f"Meilleure connexion{_NBSP}: {_BEST_TECH_FR[match.group(1)]}"
    if (match := _SERVICE_FEATURE.match(name)) and match.group(2) in SERVICE_KINDS:
        return _service_fr(match.group(2), match.group(1))
    if match := _AIRPORT_FEATURE.match(name):
        kind, iata = match.groups()
        return (
            f"Distance à l’aéroport {iata}"
            if kind == "dist_km"
            else f"Trajet vers l’aéroport {iata}"
        )
    return None


def feature_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of a feature in a language.

    English labels are the catalogue's. A feature with no French label here falls
    back to the catalogue's English label; a name the catalogue does not know is
    returned as it is.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`LANGUAGES`.

    """
    _check(lang)
    spec = feature_spec(name)
    if spec is None:
        return name
    if lang == "fr" and (french := _french(name)) is not None:
        return french
    return spec.label


def service_label(kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The plural name of a service kind, capitalised: a map layer's name (``Pharmacies``).

    English comes from :data:`relocate.features.services.SERVICE_KINDS`; a kind with
    no French entry here falls back to it, and an unknown kind is returned as it is.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`LANGUAGES`.

    """
    _check(lang)
    if lang == "fr" and kind in _SERVICES_FR:
        plural = _SERVICES_FR[kind][1]
    elif kind in SERVICE_KINDS:
        plural = SERVICE_KINDS[kind][1]
    else:
        return kind
    return plural[0].upper() + plural[1:]


def unit_label(unit: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A unit as shown in a language (``inhabitants`` -> ``habitants``); unknown ones as given.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`LANGUAGES`.

    """
    return _UNITS[_check(lang)].get(unit, unit)


def ui_strings(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every text the map page shows, by key, in a language (DATA["t"] of the page).

    Also holds each unit as ``unit.<unit>`` (``unit.h/week`` -> ``h/semaine``), so the
    page can show raw catalogue units in the language.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not one of :data:`LANGUAGES`.

    """
    strings = dict(_UI[_check(lang)])
    strings.update({f"unit.{unit}": label for unit, label in _UNITS[lang].items()})
    return strings
