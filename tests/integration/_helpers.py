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


_LAYER = re.compile(r'"([^"]+)"\s*:\s*(geo_json_[0-9a-f]+)\s*,')


def geojson_layers(html: str) -> dict[str, dict]:
    """The GeoJSON data of each named overlay of a Folium map, decoded from its HTML."""
    decoder = json.JSONDecoder()
    layers = {}
    for name, var in _LAYER.findall(html):
        call = f"{var}_add("
        start = html.index(call) + len(call)
        data, _ = decoder.raw_decode(html, start)
        layers[name] = data
    return layers
