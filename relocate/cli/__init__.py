"""The command line: a thin layer over the Python API.

Each command imports what it needs when it runs, not when the command line
starts, so that ``relocate --help`` and ``relocate --version`` answer at once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from relocate.cli import data, profiles, programme, ranking, trip
from relocate.errors import RelocateError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="relocate")
def cli() -> None:
    """Score, rank, explain and map the villages of a département for a newcomer's profile."""


for _command in (
    *ranking.COMMANDS,
    profiles.profile,
    trip.trip,
    data.data,
    programme.network,
    programme.notes,
):
    cli.add_command(_command)


def _one_line(message: str) -> str:
    r"""The message on one line: a line break or control character from the input is escaped.

    Examples
    --------
    >>> print(_one_line("no village named 'a\nb'\n"))
    no village named 'a\nb'

    """
    text = message.strip()
    return "".join(
        repr(ch)[1:-1] if ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029" else ch
        for ch in text
    )


def _fail(message: str) -> None:
    click.echo(f"relocate: error: {_one_line(message)}", err=True)
    sys.exit(2)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; errors print one line and exit with code 2."""
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="relocate",
                        standalone_mode=False)  # fmt: skip
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else cli.get_help(click.Context(cli)))
        sys.exit(0)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "relocate"
        _fail(f"{exc.format_message()} (see '{where} --help')")
    except click.ClickException as exc:
        _fail(exc.format_message())
    except click.Abort:
        _fail("interrupted")
    except RelocateError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
