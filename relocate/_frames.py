"""Typed reads of single cells of a table (pandas types every cell as any scalar)."""

from __future__ import annotations

import math
from typing import SupportsFloat, cast

import pandas as pd

__all__ = ["number_at", "value_at"]


def value_at(frame: pd.DataFrame, row: object, column: str) -> object:
    """The cell at ``row``, ``column``."""
    return cast(object, frame.at[row, column])


def number_at(frame: pd.DataFrame, row: object, column: str) -> float:
    """The cell at ``row``, ``column`` as a float (NaN for a missing value).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, None]}, index=["a", "b"], dtype="Int64")
    >>> number_at(frame, "a", "x"), math.isnan(number_at(frame, "b", "x"))
    (1.0, True)
    """
    value = frame.at[row, column]
    if value is None or value is pd.NA:
        return math.nan
    return float(cast(SupportsFloat, value))
