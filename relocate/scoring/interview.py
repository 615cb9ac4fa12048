"""The questions a household answers to make a profile, and the profile the answers make.

``relocate profile new`` asks them in plain French or English (questionary's
prompts), or reads them from a file (``--answers``); :func:`profile_from_answers`
turns them into a commented, valid profile. What each answer gives:

- **who moves** (alone, a couple, a family): the name, and for a family the schools;
- **flights** (never, a few times a year, monthly, weekly) **and from where** (TLS,
  AGF, both): a drive to that airport, weighted as a range that grows with the
  flights (0.5-1.5, 2-4, 3-5); weekly flights add a limit of 90 minutes;
- **children's schools** (nursery, primary, collège, lycée): a drive to each;
- **work from home** (no, sometimes, every day) **and the line it needs** (any,
  good: 30 Mbit/s wired, fibre): a share of fibre-eligible or 30 Mbit/s premises,
  weighted more for daily remote work;
- **budget** (a house price per m², optional): prices under 70 % of it are fully
  satisfying, over 120 % not at all;
- **village size** (under 300, 300-1,500, 1,500-5,000, a town): a curve through
  points on the population, the chosen size ideal;
- **cannot do without** (a doctor, a pharmacy, a bakery, a supermarket, a station,
  a post office, a hospital): a drive to each, and a limit of 30 minutes (45 for
  a station or a hospital).

Every profile also asks for a town within reach and a town hall open often enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from relocate.errors import ProfileError
from relocate.i18n import N_, translator
from relocate.scoring.profile import MAX_TRADE, Profile, parse_profile

__all__ = ["QUESTIONS", "Answers", "Question", "check_answers", "profile_from_answers"]


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question: its key in the answers, its text, and its choices (value, label)."""

    key: str
    text: str
    kind: Literal["choice", "choices", "number", "text"]
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="household",
        text=N_("Who is moving?"),
        kind="choice",
        choices=(
            ("alone", N_("One person")),
            ("couple", N_("A couple")),
            ("family", N_("A family with children")),
        ),
    ),
    Question(
        key="flights",
        text=N_("How often does someone in the household fly?"),
        kind="choice",
        choices=(
            ("never", N_("Never or almost")),
            ("yearly", N_("A few times a year")),
            ("monthly", N_("About once a month")),
            ("weekly", N_("Every week")),
        ),
    ),
    Question(
        key="airport",
        text=N_("From which airport?"),
        kind="choice",
        choices=(
            ("TLS", N_("Toulouse-Blagnac")),
            ("AGF", N_("Agen-La Garenne")),
            ("both", N_("Both")),
        ),
    ),
    Question(
        key="children",
        text=N_("Which schools do the children go to?"),
        kind="choices",
        choices=(
            ("nursery", N_("Nursery school")),
            ("primary", N_("Primary school")),
            ("college", N_("Collège")),
            ("lycee", N_("Lycée")),
        ),
        optional=True,
    ),
    Question(
        key="remote_work",
        text=N_("Does someone work from home?"),
        kind="choice",
        choices=(
            ("no", N_("No")),
            ("sometimes", N_("Sometimes")),
            ("daily", N_("Every day")),
        ),
    ),
    Question(
        key="line",
        text=N_("What internet line does that work need?"),
        kind="choice",
        choices=(
            ("any", N_("Any line")),
            ("good", N_("A good line (30 Mbit/s)")),
            ("fibre", N_("Fibre")),
        ),
    ),
    Question(
        key="budget_eur_m2",
        text=N_("Budget for a house, in euros per m² (leave empty if none)"),
        kind="number",
        optional=True,
    ),
    Question(
        key="village_size",
        text=N_("What size of village?"),
        kind="choice",
        choices=(
            ("hamlet", N_("A small village (under 300 inhabitants)")),
            ("village", N_("A village (300 to 1,500)")),
            ("large_village", N_("A large village (1,500 to 5,000)")),
            ("town", N_("A town")),
        ),
    ),
    Question(
        key="must_have",
        text=N_("What can the household not do without, close by?"),
        kind="choices",
        choices=(
            ("gp", N_("A doctor")),
            ("pharmacy", N_("A pharmacy")),
            ("bakery", N_("A bakery")),
            ("supermarket", N_("A supermarket")),
            ("station", N_("A railway station")),
            ("post_office", N_("A post office")),
            ("hospital", N_("A hospital")),
        ),
        optional=True,
    ),
    Question(
        key="trade",
        text=N_(
            "Your trade or activity, to count the programme's members of the same trade "
            "(leave empty if none)"
        ),
        kind="text",
        optional=True,
    ),
)


class Answers(BaseModel):
    """A household's answers, checked (the keys of :data:`QUESTIONS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    household: Literal["alone", "couple", "family"]
    flights: Literal["never", "yearly", "monthly", "weekly"]
    airport: Literal["TLS", "AGF", "both"] = "TLS"
    children: list[Literal["nursery", "primary", "college", "lycee"]] = Field(default_factory=list)
    remote_work: Literal["no", "sometimes", "daily"]
    line: Literal["any", "good", "fibre"] = "any"
    budget_eur_m2: float | None = Field(default=None, gt=100, le=20_000)
    village_size: Literal["hamlet", "village", "large_village", "town"]
    must_have: list[
        Literal["gp", "pharmacy", "bakery", "supermarket", "station", "post_office", "hospital"]
    ] = Field(default_factory=list)
    trade: str | None = Field(default=None, min_length=1, max_length=MAX_TRADE)


def check_answers(answers: Mapping[str, Any], *, origin: str = "answers") -> Answers:
    """Check a household's answers.

    Raises
    ------
    ProfileError
        In one line: the answer that is wrong and the values it may take.
    """
    try:
        return Answers.model_validate(dict(answers))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "answers"
        if error["type"] == "missing":
            message = "required answer is missing"
        elif error["type"] == "extra_forbidden":
            message = f"not a question; the questions: {', '.join(q.key for q in QUESTIONS)}"
        else:
            message = " ".join(str(error["msg"]).split())
        raise ProfileError(f"{origin}: {where}: {message}") from None


_FLIGHT_WEIGHTS: dict[str, list[float]] = {
    "yearly": [0.5, 1.5],
    "monthly": [2, 4],
    "weekly": [3, 5],
}
_AIRPORT_CURVES = {"TLS": (30, 100), "AGF": (20, 70)}
_SCHOOLS = {
    "nursery": ("drive_min_nursery_school", 2, 5, 20),
    "primary": ("drive_min_primary_school", 3, 5, 20),
    "college": ("drive_min_college", 2, 10, 35),
    "lycee": ("drive_min_lycee", 2, 15, 45),
}
_SIZES = {
    "hamlet": [[30, 0], [100, 1], [300, 1], [1500, 0.3]],
    "village": [[100, 0], [300, 1], [1500, 1], [5000, 0.2]],
    "large_village": [[300, 0], [1500, 1], [5000, 1], [15000, 0.3]],
    "town": [[1000, 0], [5000, 1]],
}
_NEEDS = {
    "gp": (10, 25, 30),
    "pharmacy": (10, 25, 30),
    "bakery": (5, 20, 30),
    "supermarket": (10, 30, 30),
    "station": (15, 45, 45),
    "post_office": (10, 25, 30),
    "hospital": (20, 60, 45),
}


def _lower(weight: float | list[float], full: float, zero: float) -> dict[str, Any]:
    return {"weight": weight, "better": "lower", "full": full, "zero": zero}


def _criteria(answers: Answers) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    criteria: dict[str, dict[str, Any]] = {}
    constraints: dict[str, dict[str, Any]] = {}
    if answers.flights != "never":
        airports = ["TLS", "AGF"] if answers.airport == "both" else [answers.airport]
        for iata in airports:
            full, zero = _AIRPORT_CURVES[iata]
            criteria[f"drive_min_{iata}"] = _lower(_FLIGHT_WEIGHTS[answers.flights], full, zero)
            if answers.flights == "weekly":
                constraints[f"drive_min_{iata}"] = {"max": 90}
    for school in answers.children if answers.household == "family" else []:
        name, weight, full, zero = _SCHOOLS[school]
        criteria[name] = _lower(weight, full, zero)
    if answers.remote_work != "no" and answers.line != "any":
        weight = 5 if answers.remote_work == "daily" else 3
        if answers.line == "fibre":
            criteria["fibre_share_pct"] = {
                "weight": weight, "better": "higher", "full": 80, "zero": 20
            }  # fmt: skip
        else:
            criteria["wired_30mbps_share_pct"] = {
                "weight": weight, "better": "higher", "full": 90, "zero": 50
            }  # fmt: skip
    if answers.budget_eur_m2 is not None:
        budget = answers.budget_eur_m2
        criteria["house_price_eur_m2"] = _lower(3, round(budget * 0.7), round(budget * 1.2))
    criteria["population"] = {"weight": 2, "points": _SIZES[answers.village_size]}
    criteria["drive_min_town"] = _lower(1, 10, 30)
    criteria["townhall_hours_per_week"] = {"weight": 1, "better": "higher", "full": 15, "zero": 3}
    for need in answers.must_have:
        full, zero, limit = _NEEDS[need]
        criteria[f"drive_min_{need}"] = _lower(2, full, zero)
        constraints[f"drive_min_{need}"] = {"max": limit}
    return criteria, constraints


def _name(answers: Answers, lang: str) -> str:
    tr = translator(lang)
    who = {
        "alone": tr._("One person"),
        "couple": tr._("A couple"),
        "family": tr._("A family with children"),
    }[answers.household]
    parts = [who]
    if answers.remote_work != "no":
        parts.append(tr._("working from home"))
    if answers.flights in ("monthly", "weekly"):
        airports = "TLS, AGF" if answers.airport == "both" else answers.airport
        parts.append(tr._("flying often ({airports})").format(airports=airports))
    return ", ".join(parts)


def profile_from_answers(
    answers: Mapping[str, Any], *, lang: str = "fr", origin: str = "answers"
) -> tuple[Profile, str]:
    """The profile a household's answers make, and its TOML text with comments.

    Parameters
    ----------
    answers
        The answers, by question key (:data:`QUESTIONS`).
    lang
        The language of the comments (the name and description are in both).
    origin
        Where the answers come from, for messages.

    Returns
    -------
    profile, text
        The validated profile, and the TOML file that loads as it.

    Raises
    ------
    ProfileError
        If an answer is wrong (one line).
    """
    checked = check_answers(answers, origin=origin)
    criteria, constraints = _criteria(checked)
    tr = translator(lang)
    doc = tomlkit.document()
    doc.add(tomlkit.comment(tr._("A profile made by `relocate profile new` from these answers:")))
    for question in QUESTIONS:
        value = getattr(checked, question.key)
        if value not in (None, []):
            doc.add(tomlkit.comment(f"  {question.key} = {value}"))
    doc.add(tomlkit.nl())
    if checked.trade:
        doc.add("trade", " ".join(checked.trade.split()))
    name = tomlkit.table()
    for code in ("fr", "en"):
        name.add(code, _name(checked, code))
    doc.add("name", name)
    table = tomlkit.table(is_super_table=True)
    for key, fields in criteria.items():
        entry = tomlkit.table()
        entry.add(tomlkit.comment(_why(key, fields, lang)))
        for field, value in fields.items():
            entry.add(field, value)
        table.add(key, entry)
    doc.add("criteria", table)
    if constraints:
        limits = tomlkit.table(is_super_table=True)
        for key, bounds in constraints.items():
            entry = tomlkit.table()
            entry.add(tomlkit.comment(tr._("A hard limit: villages beyond it are left out.")))
            for field, value in bounds.items():
                entry.add(field, value)
            limits.add(key, entry)
        doc.add("constraints", limits)
    text = tomlkit.dumps(doc)
    profile = parse_profile(tomlkit.parse(text).unwrap(), origin=f"profile from {origin}")
    return profile, text


def _why(key: str, fields: Mapping[str, Any], lang: str) -> str:
    tr = translator(lang)
    weight = fields["weight"]
    if isinstance(weight, list):
        return tr._("{key}: weight between {low} and {high} (not sure how much it matters)").format(
            key=key, low=weight[0], high=weight[1]
        )
    return tr._("{key}: weight {weight}").format(key=key, weight=weight)
