"""``relocate profile new``: a profile made from a household's answers, without writing TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from relocate.declare import LANGUAGES

if TYPE_CHECKING:
    from relocate.scoring.interview import Question

__all__ = ["profile"]

# The API and the prompt library are imported inside the commands (lazy): the command
# line must start without them.


@click.group()
def profile() -> None:
    """Make a household's profile by answering questions."""


def _ask(question: Question, lang: str, answers: dict[str, Any]) -> Any:
    """Ask one question with questionary's prompts; None for an optional one left empty."""
    import questionary  # lazy: the prompts load only when someone answers them

    from relocate.i18n import translator

    tr = translator(lang)
    text = tr._(question.text)
    if question.kind == "number":

        def number(value: str) -> bool | str:
            if not value.strip():
                return True if question.optional else tr._("An answer is needed")
            try:
                float(value.replace(",", ".").replace(" ", ""))
            except ValueError:
                return tr._("Give a number")
            return True

        given = questionary.text(text, validate=number).ask()
        if given is None:
            raise click.Abort
        cleaned = given.replace(",", ".").replace(" ", "").strip()
        return float(cleaned) if cleaned else None
    if question.kind == "text":
        given = questionary.text(text).ask()
        if given is None:
            raise click.Abort
        return " ".join(given.split()) or None
    choices = [questionary.Choice(tr._(label), value=value) for value, label in question.choices]
    if question.kind == "choices":
        how = tr._("(arrow keys to move, space to pick, Enter when done)")
        picked = questionary.checkbox(text, choices=choices, instruction=how).ask()
    else:
        how = tr._("(arrow keys to choose, then Enter)")
        picked = questionary.select(text, choices=choices, instruction=how).ask()
    if picked is None:
        raise click.Abort
    return picked


def _interview(lang: str) -> dict[str, Any]:
    """The household's answers, asked one by one (the irrelevant questions skipped)."""
    from relocate.scoring.interview import QUESTIONS

    answers: dict[str, Any] = {}
    for question in QUESTIONS:
        if question.key == "airport" and answers.get("flights") == "never":
            continue
        if question.key == "children" and answers.get("household") != "family":
            continue
        if question.key == "line" and answers.get("remote_work") == "no":
            continue
        value = _ask(question, lang, answers)
        if value is not None:
            answers[question.key] = value
    return answers


def _read_answers(path: Path) -> dict[str, Any]:
    from relocate.errors import ProfileError

    if not path.is_file():
        raise ProfileError(f"answers file {str(path)!r} not found; give the path of a .toml file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"answers file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ProfileError(f"cannot read answers file {path}: {exc.strerror or exc}") from None


@profile.command("new")
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the answers from this TOML file instead of asking (keys: household, "
    "flights, airport, children, remote_work, line, budget_eur_m2, village_size, must_have).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("my-profile.toml"),
    show_default=True,
    help="The profile file to write.",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="fr",
    show_default=True,
    help="Language of the questions and the profile's comments.",
)
def new(answers: Path | None, out: Path, force: bool, lang: str) -> None:
    """Ask a household's questions and write the profile they make (valid, commented TOML)."""
    from relocate._files import atomic_path
    from relocate.errors import InvalidOptionError
    from relocate.i18n import translator
    from relocate.scoring.interview import profile_from_answers

    if out.exists() and not force:
        raise InvalidOptionError(
            f"{out} exists; choose another --out, or add --force to replace it"
        )
    given = _read_answers(answers) if answers is not None else _interview(lang)
    origin = str(answers) if answers is not None else "the answers"
    made, text = profile_from_answers(given, lang=lang, origin=origin)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    tr = translator(lang)
    click.echo(
        tr._("Wrote {path}: {name}, {n} criteria; try it with `relocate rank -p {path}`").format(
            path=out, name=made.title(lang), n=len(made.criteria)
        )
    )
