"""Village look-up by INSEE code or by name, forgiving case, accents and articles."""

from __future__ import annotations

import pytest

from relocate._names import find_village, insee_departement, nearest, normalise_name
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


# --- INSEE codes of other départements, hostile queries, near names -------------------------

GERS = {"32013": "Auch", "32208": "Lectoure", "32160": "L'Isle-Jourdain"}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("31555", "'31555' is an INSEE code of département 31, not 32: add --departement 31"),
        ("2a004", "'2A004' is an INSEE code of département 2A, not 32: add --departement 2A"),
        ("97411", "département 974, not 32: add --departement 974"),
        ("20004", "département 2A or 2B, not 32"),
        ("32999", "no village has INSEE code '32999' here; check the code"),
    ],
)
def test_an_insee_code_from_elsewhere_names_its_departement(query: str, fragment: str) -> None:
    assert fragment in str(lookup_error(GERS, query))


@pytest.mark.parametrize(
    ("code", "departement"),
    [("31555", "31"), ("2A004", "2A"), ("2b033", "2B"), ("97411", "974"), ("01001", "01")],
)
def test_insee_departement(code: str, departement: str) -> None:
    assert insee_departement(code) == departement


@pytest.mark.parametrize("text", ["Auch", "3155", "315555", "2C004", "", "31 555"])
def test_insee_departement_of_what_is_no_code(text: str) -> None:
    assert insee_departement(text) is None


def test_a_query_on_two_lines_is_quoted_on_one() -> None:
    assert "'Au\\nch'" in str(lookup_error(GERS, "Au\nch"))


def test_a_pasted_paragraph_is_shortened_in_the_message() -> None:
    message = str(lookup_error(GERS, "Lorem ipsum " * 1000))
    assert len(message) < 300
    assert "..." in message


def test_nearest_names_up_to_n_closest_then_those_containing_it() -> None:
    names = ["drive_min_primary_school", "drive_min_nursery_school", "drive_min_college", "x"]
    assert nearest("drive_min_school", names, n=3) == names[:3]
    assert nearest("school", names, parts=True) == names[:2]
    assert nearest("school", names) == []
    assert nearest("sc", names, parts=True) == []  # too short to be a part
