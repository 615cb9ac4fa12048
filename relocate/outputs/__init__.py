"""Outputs: terminal reports, tables for analysts and the interactive map."""

from relocate.outputs.map import build_map, write_map
from relocate.outputs.report import format_explanation, format_ranking
from relocate.outputs.tables import (
    check_table_path,
    feature_frame,
    ranking_frame,
    sources_text,
    write_table,
)

__all__ = [
    "build_map",
    "check_table_path",
    "feature_frame",
    "format_explanation",
    "format_ranking",
    "ranking_frame",
    "sources_text",
    "write_map",
    "write_table",
]
