"""``python -m relocate``: the command line."""

from relocate.cli import main

main()
