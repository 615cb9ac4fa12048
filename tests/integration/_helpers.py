"""Helpers shared by the integration tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CliResult:
    """What one run of the command line did."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def assert_one_line_error(self) -> str:
        """Check the run failed with exit code 2 and one clean line on stderr; return it."""
        assert self.code == 2, (self.code, self.out, self.err)
        assert "Traceback" not in self.err
        assert len(self.err_lines) == 1, self.err
        line = self.err_lines[0]
        assert line.startswith("relocate: error: "), line
        return line


_PAGE_DATA = re.compile(r'<script type="application/json" id="relocate-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    """The data a map page embeds for its script, decoded."""
    match = _PAGE_DATA.search(html)
    assert match is not None, "no relocate-data element in the page"
    return json.loads(match.group(1))
