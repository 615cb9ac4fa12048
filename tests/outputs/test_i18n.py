"""The map's translation table: UI strings, feature labels and units in French and English."""

from __future__ import annotations

import re

import pytest

from relocate.catalogue import default_catalogue
from relocate.declare import UNITS
from relocate.errors import InvalidOptionError
from relocate.outputs.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    feature_label,
    service_label,
    ui_strings,
    unit_label,
)

CATALOGUE = default_catalogue()
NAMES = CATALOGUE.names(("TLS", "AGF"))
SERVICE_KINDS = [kind.key for kind in CATALOGUE.service_kinds()]
BEST_TECH_LABELS = ("ftth", "coax", "cu_30", "thdr", "cu_8", "4gf", "hdr", "sat")
feature_spec = CATALOGUE.spec


def test_languages() -> None:
    assert LANGUAGES == ("fr", "en")
    assert DEFAULT_LANGUAGE == "fr"


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    fr, en = ui_strings("fr"), ui_strings("en")
    assert set(fr) == set(en)
    for key, text in [*fr.items(), *en.items()]:
        assert text.strip(), key


def test_placeholders_match_between_languages() -> None:
    fr, en = ui_strings("fr"), ui_strings("en")
    for key in fr:
        assert set(re.findall(r"\{\w+\}", fr[key])) == set(re.findall(r"\{\w+\}", en[key])), key


def test_ui_strings_the_page_needs() -> None:
    fr, en = ui_strings("fr"), ui_strings("en")
    assert en["reset"] == "Reset to profile"
    assert en["satisfaction"] == "Satisfaction"
    assert fr["reset"] == "Revenir au profil"
    assert fr["download_profile"] == "Télécharger ce profil"
    assert fr["share_many"] == (
        "Ce classement porte sur {pct} de vos priorités\u00a0; "
        "pas encore de données ici pour\u00a0: {list}."
    )
    assert fr["ties_top"].startswith("{n} communes à égalité à {score}")
    assert fr["town_hall"] == "Mairie"
    assert fr["of"] == "sur"
    # A copy: changing it does not change the table.
    fr["reset"] = "x"
    assert ui_strings("fr")["reset"] == "Revenir au profil"


def test_a_household_reads_no_jargon() -> None:
    # "satisfaction", never "utility"; no command to type: those are for the advisor.
    for lang in LANGUAGES:
        for key, text in ui_strings(lang).items():
            assert not re.search(r"utilit|relocate |--|`", text, re.I), (lang, key, text)


def test_french_ui_is_french() -> None:
    fr, en = ui_strings("fr"), ui_strings("en")
    same = [k for k in fr if fr[k] == en[k]]
    # Words that are the same in both (Score, Sources, Points, Département...) are few.
    assert len(same) < len(fr) // 5, same
    # Typography: the typographic apostrophe, no straight one.
    assert not any("'" in text for text in fr.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_feature_has_a_label(lang: str) -> None:
    for name in NAMES:
        label = feature_label(name, lang)
        assert label.strip(), name
        assert label[0] == label[0].upper(), name


def test_english_labels_are_the_catalogue_s() -> None:
    for name in NAMES:
        spec = feature_spec(name)
        assert spec is not None
        assert feature_label(name, "en") == spec.label.en


def test_french_differs_from_english_for_most_features() -> None:
    same = [n for n in NAMES if feature_label(n, "fr") == feature_label(n, "en")]
    assert len(same) <= len(NAMES) // 10, same
    # Every service kind and every technology is translated, not left to the fallback.
    for kind in SERVICE_KINDS:
        for prefix in ("count_", "dist_km_", "drive_min_"):
            assert feature_label(prefix + kind, "fr") != feature_label(prefix + kind, "en")
    for tech in BEST_TECH_LABELS:
        name = f"best_tech_{tech}_pct"
        assert feature_label(name, "fr") != feature_label(name, "en")


def test_french_labels() -> None:
    assert feature_label("drive_min_TLS", "fr") == "Trajet vers l’aéroport Toulouse-Blagnac (TLS)"
    assert feature_label("dist_km_AGF", "fr") == "Distance à l’aéroport Agen-La Garenne (AGF)"
    assert feature_label("drive_min_TLS", "en") == "Drive to Toulouse-Blagnac airport (TLS)"
    assert feature_label("drive_min_hospital", "fr") == "Trajet vers l’hôpital le plus proche"
    assert feature_label("dist_km_pharmacy", "fr") == "Distance à la pharmacie la plus proche"
    assert (
        feature_label("dist_km_post_office", "fr") == "Distance au bureau de poste le plus proche"
    )
    assert feature_label("count_primary_school", "fr") == "Écoles élémentaires dans la commune"
    assert feature_label("drive_min_supermarket", "fr") == (
        "Trajet vers le supermarché ou hypermarché le plus proche"
    )
    # Default language is French.
    assert feature_label("population") == "Population"
    assert feature_label("house_price_eur_m2") == "Prix des maisons"


def test_airports_beyond_the_defaults() -> None:
    # Any airport the catalogue knows has a label, in both languages.
    # airportsdata writes "Bordeaux-Merignac (BA 106) Airport": the name without "Airport".
    assert feature_label("drive_min_BOD", "fr") == (
        "Trajet vers l’aéroport Bordeaux-Merignac (BA 106) (BOD)"
    )
    assert (
        feature_label("dist_km_BOD", "en") == "Distance to Bordeaux-Merignac (BA 106) airport (BOD)"
    )


def test_unknown_feature_falls_back_to_its_name() -> None:
    assert feature_label("not_a_feature", "fr") == "not_a_feature"
    assert feature_label("drive_min_ZZZ", "en") == "drive_min_ZZZ"


def test_service_labels() -> None:
    assert service_label("pharmacy", "fr") == "Pharmacies"
    assert service_label("primary_school", "fr") == "Écoles élémentaires"
    assert service_label("station", "en") == "Passenger railway stations"
    assert service_label("no_such_kind", "en") == "no_such_kind"
    same = [k for k in SERVICE_KINDS if service_label(k, "fr") == service_label(k, "en")]
    assert sorted(same) == ["college", "lycee", "pharmacy"]  # the same words in both


def test_units() -> None:
    assert unit_label("inhabitants", "fr") == "habitants"
    assert unit_label("h/week", "fr") == "h/semaine"
    assert unit_label("sales", "fr") == "ventes"
    assert unit_label("flag", "fr") == "indicateur"
    assert unit_label("inhabitants", "en") == "inhabitants"
    assert unit_label("km", "fr") == "km"
    assert unit_label("furlongs", "fr") == "furlongs"
    # Every unit the catalogue uses is declared, in both languages.
    for name in NAMES:
        spec = feature_spec(name)
        assert spec is not None
        assert UNITS[spec.unit.key] is spec.unit, name
        for lang in LANGUAGES:
            assert isinstance(spec.unit.symbol(lang), str), (name, lang)


@pytest.mark.parametrize(
    "call",
    [
        ui_strings,
        lambda lang: feature_label("population", lang),
        lambda lang: unit_label("km", lang),
        lambda lang: service_label("gp", lang),
    ],
)
def test_unknown_language_is_refused(call: object) -> None:
    with pytest.raises(InvalidOptionError, match=r"'de'.*fr, en"):
        call("de")  # type: ignore[operator]
