"""Outputs: terminal reports, village cards, tables for analysts and the interactive map.

The names below are imported on first use (PEP 562), so that a terminal report
does not load folium and the map's assets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relocate.outputs.card import VillageCard, village_card
    from relocate.outputs.map import build_map, write_map
    from relocate.outputs.report import format_explanation, format_ranking
    from relocate.outputs.tables import (
        check_table_path,
        feature_frame,
        ranking_frame,
        sources_text,
        write_table,
    )

_WHERE = {
    "VillageCard": "card",
    "village_card": "card",
    "build_map": "map",
    "write_map": "map",
    "format_explanation": "report",
    "format_ranking": "report",
    "check_table_path": "tables",
    "feature_frame": "tables",
    "ranking_frame": "tables",
    "sources_text": "tables",
    "write_table": "tables",
}

__all__ = [
    "VillageCard",
    "build_map",
    "check_table_path",
    "feature_frame",
    "format_explanation",
    "format_ranking",
    "ranking_frame",
    "sources_text",
    "village_card",
    "write_map",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"relocate.outputs.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'relocate.outputs' has no attribute {name!r}")
