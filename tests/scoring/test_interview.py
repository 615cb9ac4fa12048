"""A household's answers make a valid, commented profile that means what they said."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from relocate.errors import ProfileError
from relocate.scoring import load_profile
from relocate.scoring.interview import QUESTIONS, check_answers, profile_from_answers

FAMILY: dict[str, Any] = {
    "household": "family",
    "flights": "monthly",
    "airport": "TLS",
    "children": ["primary", "college"],
    "remote_work": "daily",
    "line": "fibre",
    "budget_eur_m2": 1800,
    "village_size": "village",
    "must_have": ["gp", "station"],
}


def test_the_answers_make_the_criteria_they_mean(tmp_path: Any) -> None:
    profile, text = profile_from_answers(FAMILY, lang="fr")
    criteria = profile.criteria
    assert criteria["drive_min_TLS"].weight_range == (2.0, 4.0)  # monthly flights: unsure
    assert {"drive_min_primary_school", "drive_min_college"} <= set(criteria)
    assert criteria["fibre_share_pct"].weight == 5  # daily remote work on fibre
    price = criteria["house_price_eur_m2"]
    assert (price.full, price.zero) == (1260, 2160)  # 70 % and 120 % of the budget
    assert criteria["population"].points is not None  # a village of 300-1,500 is ideal
    assert profile.constraints["drive_min_station"].max == 45
    assert profile.constraints["drive_min_gp"].max == 30
    assert profile.title("fr").startswith("Une famille avec enfants")
    assert profile.title("en").startswith("A family with children")
    # The text is a commented profile that loads as the same profile.
    assert text.startswith("#")
    assert "# drive_min_TLS\u00a0: poids entre" in text
    path = tmp_path / "made.toml"
    path.write_text(text, encoding="utf-8")
    assert load_profile(path) == profile
    assert tomllib.loads(text)["name"]["en"] == profile.title("en")


def test_a_trade_answered_is_the_profile_s_trade(tmp_path: Any) -> None:
    profile, text = profile_from_answers({**FAMILY, "trade": "traductrice  technique"})
    assert profile.trade == "traductrice technique"
    assert tomllib.loads(text)["trade"] == "traductrice technique"
    assert profile_from_answers(FAMILY)[0].trade is None
    with pytest.raises(ProfileError, match="trade"):
        profile_from_answers({**FAMILY, "trade": "x" * 101})


def test_what_does_not_apply_gives_nothing() -> None:
    answers = {**FAMILY, "household": "couple", "flights": "never", "remote_work": "no"}
    answers.pop("budget_eur_m2")
    profile, _ = profile_from_answers(answers)
    names = set(profile.criteria)
    assert not {"drive_min_TLS", "drive_min_primary_school", "fibre_share_pct"} & names
    assert "house_price_eur_m2" not in names
    assert {"population", "drive_min_town", "townhall_hours_per_week"} <= names


def test_weekly_flights_from_both_airports_limit_both() -> None:
    profile, _ = profile_from_answers({**FAMILY, "flights": "weekly", "airport": "both"})
    assert profile.constraints["drive_min_TLS"].max == 90
    assert profile.constraints["drive_min_AGF"].max == 90
    assert profile.criteria["drive_min_AGF"].weight_range == (3.0, 5.0)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"household": "tribe"}, "household:"),
        ({"flights": None}, "flights:"),
        ({"budget_eur_m2": 5}, "budget_eur_m2:"),
        ({"pets": "a cat"}, "pets: not a question"),
    ],
)
def test_a_wrong_answer_is_one_line(change: dict[str, Any], fragment: str) -> None:
    answers = {**FAMILY, **change}
    with pytest.raises(ProfileError, match=fragment) as exc:
        check_answers(answers, origin="a.toml")
    assert "\n" not in str(exc.value)
    assert str(exc.value).startswith("a.toml: ")


def test_every_question_is_asked_in_both_languages() -> None:
    from relocate.i18n import translator

    fr = translator("fr")
    for question in QUESTIONS:
        assert fr._(question.text) != question.text
        for _, label in question.choices:
            assert fr._(label)
