"""``relocate profile new``: asked or from an answers file, it writes a profile that ranks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import relocate.cli
from relocate.scoring import load_profile

ANSWERS = """
household = "couple"
flights = "yearly"
airport = "AGF"
remote_work = "sometimes"
line = "good"
village_size = "hamlet"
must_have = ["bakery"]
"""


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        relocate.cli.main(list(args))
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def test_answers_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(ANSWERS, encoding="utf-8")
    out = tmp_path / "couple.toml"
    code, stdout, err = run(
        "profile", "new", "--answers", str(answers), "--out", str(out), "--lang", "en",
        capsys=capsys,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert f"Wrote {out}" in stdout
    profile = load_profile(out)
    assert "drive_min_AGF" in profile.criteria and "drive_min_bakery" in profile.criteria
    assert "wired_30mbps_share_pct" in profile.criteria
    assert profile.trade is None  # not asked in the file: none
    # It does not replace a file unless asked to.
    code, _, err = run("profile", "new", "--answers", str(answers), "--out", str(out),
                       capsys=capsys)  # fmt: skip
    assert code == 2 and "--force" in err and err.count("\n") == 1


def test_a_wrong_answers_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('household = "tribe"\n', encoding="utf-8")
    code, _, err = run("profile", "new", "--answers", str(bad), "--out", str(tmp_path / "x.toml"),
                       capsys=capsys)  # fmt: skip
    assert code == 2
    assert err.startswith("relocate: error: ") and "household" in err and err.count("\n") == 1
    assert not (tmp_path / "x.toml").exists()


def test_the_questions_are_asked_with_questionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import questionary

    replies = iter(["family", "weekly", "both", ["primary"], "daily", "fibre", "1 500", "village",
                    ["gp"], "  graphiste   illustratrice "])  # fmt: skip
    asked: list[str] = []

    class Reply:
        def __init__(self, text: str, **kwargs: Any) -> None:
            asked.append(text)

        def ask(self) -> Any:
            return next(replies)

    for prompt in ("select", "checkbox", "text"):
        monkeypatch.setattr(questionary, prompt, Reply)
    out = tmp_path / "asked.toml"
    code, _, err = run("profile", "new", "--out", str(out), capsys=capsys)
    assert (code, err) == (0, "")
    assert asked[0] == "Qui déménage\u00a0?"  # French by default
    profile = load_profile(out)
    assert profile.constraints["drive_min_TLS"].max == 90
    assert profile.criteria["house_price_eur_m2"].zero == 1800
    assert profile.trade == "graphiste illustratrice"  # the last question, tidied
