"""Village look-up by INSEE code or by name, forgiving case, accents and articles."""

from __future__ import annotations

import pytest

from relocate._names import find_village, normalise_name
from relocate.errors import RelocateError, UnknownVillageError

NAMES = {
    "99001": "Saint-Élix",
    "99002": "Saint-Élix-sur-Test",
    "99003": "L'Isle-Jourdain",
    "99004": "Le Village-Test",
    "99005": "Cœur-de-Test",
    "99006": "Villeneuve-A",
    "99007": "Villeneuve-B",
    "99010": "Castel-Test",
    "99011": "Castelnau-Fixture",
    "2A099": "Village Corse",
}


def lookup_error(names: dict[str, str], query: str) -> UnknownVillageError:
    with pytest.raises(UnknownVillageError) as exc:
        find_village(names, query)
    error = exc.value
    assert isinstance(error, KeyError)
    assert isinstance(error, RelocateError)
    message = str(error)
    # Plain text, not KeyError's repr-quoted message.
    assert message == error.args[0]
    assert not message.startswith('"')
    assert "\n" not in message
    return error


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("99003", "99003"),
        (" 99003 ", "99003"),
        ("2a099", "2A099"),
        ("2A099", "2A099"),
        ("Saint-Élix", "99001"),
        ("saint elix", "99001"),
        ("SAINT-ELIX", "99001"),
        ("Saint Élix", "99001"),
        ("saint-elix-sur-test", "99002"),
        ("Isle-Jourdain", "99003"),
        ("isle jourdain", "99003"),
        ("L'ISLE-JOURDAIN", "99003"),
        ("l isle jourdain", "99003"),
        ("jourdain", "99003"),
        ("Village-Test", "99004"),
        ("le village test", "99004"),
        ("Cœur-de-Test", "99005"),
        ("castel", "99010"),  # a whole word of Castel-Test beats the start of Castelnau
        ("castelna", "99011"),  # the beginning of a name
        ("elnau", "99011"),  # any part of a name
        ("corse", "2A099"),
    ],
)
def test_find_village(query: str, code: str) -> None:
    assert find_village(NAMES, query) == code


def test_exact_name_beats_longer_names() -> None:
    # "Saint-Élix" is also the start of "Saint-Élix-sur-Test", but matches one name exactly.
    assert find_village(NAMES, "saint-élix") == "99001"


def test_ambiguous_query_lists_candidates_with_codes() -> None:
    error = lookup_error(NAMES, "Villeneuve")
    message = str(error)
    assert "'Villeneuve' matches 2 villages" in message
    assert "Villeneuve-A (99006), Villeneuve-B (99007)" in message
    assert "INSEE code" in message


def test_ambiguous_whole_word_query() -> None:
    message = str(lookup_error(NAMES, "saint"))
    assert "Saint-Élix (99001), Saint-Élix-sur-Test (99002)" in message


def test_same_name_twice_is_ambiguous() -> None:
    names = {"99021": "Village A", "99020": "Village A"}
    message = str(lookup_error(names, "village a"))
    assert "Village A (99020), Village A (99021)" in message  # sorted by code


def test_long_candidate_lists_are_cut() -> None:
    names = {f"990{i:02d}": f"Village Test {i}" for i in range(20)}
    message = str(lookup_error(names, "village test"))
    assert "matches 20 villages" in message
    assert message.count("(990") == 15
    assert "and 5 more" in message


def test_unknown_name_suggests_close_names() -> None:
    message = str(lookup_error(NAMES, "Saint-Elox"))
    assert message.startswith("no village named 'Saint-Elox' here")
    assert "did you mean" in message
    assert "Saint-Élix (99001)" in message


def test_unknown_name_without_close_names() -> None:
    message = str(lookup_error(NAMES, "Qwzrtp"))
    assert message == "no village named 'Qwzrtp' here"


def test_unknown_code_is_not_found() -> None:
    message = str(lookup_error(NAMES, "99999"))
    assert "'99999'" in message


@pytest.mark.parametrize("query", ["", "   ", "'", "-"])
def test_empty_query(query: str) -> None:
    assert str(lookup_error(NAMES, query)) == "give a village name or INSEE code"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("L'Isle-Jourdain", "isle jourdain"),
        ("Le Village-Test", "village test"),
        ("Les Fixtures", "fixtures"),
        ("La Test", "test"),
        ("Le", "le"),  # a lone article is the whole name
        ("Saint-Élix", "saint elix"),
        ("  ÉLAN   du   Test ", "elan du test"),
        ("Village-99", "village 99"),
        ("Lectoure-Test", "lectoure test"),  # 'le' is dropped as a word, not as letters
    ],
)
def test_normalise_name(name: str, key: str) -> None:
    assert normalise_name(name) == key


@pytest.mark.parametrize("query", ["coeur de test", "COEUR-DE-TEST"])
def test_oe_ligature_is_spelt_out(query: str) -> None:
    assert normalise_name("Cœur-de-Test") == "coeur de test"
    assert find_village(NAMES, query) == "99005"


def test_suggestions_name_each_close_village_once() -> None:
    names = {"99001": "Village Test", "99003": "Other Fixture"}
    message = str(lookup_error(names, "Vilage Test"))
    assert message.endswith("did you mean Village Test (99001)?")


def test_suggestions_for_homonyms_give_both_codes() -> None:
    names = {"99001": "Village Test", "99002": "Village Test"}
    message = str(lookup_error(names, "Vilage Test"))
    assert "Village Test (99001)" in message
    assert "Village Test (99002)" in message
