"""Checks at the boundaries between stages: a table is checked once, with a specific error."""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from relocate._names import suggest
from relocate.catalogue import Catalogue
from relocate.errors import FeatureTypeError, NonUniqueIndexError, UnknownFeatureError

__all__ = ["validate_features"]


def validate_features(features: pd.DataFrame, catalogue: Catalogue) -> None:
    """Check a feature table as it enters scoring.

    Parameters
    ----------
    features
        One row per village, indexed by INSEE code; one column per feature.
    catalogue
        The catalogue the column names and units are checked against.

    Raises
    ------
    NonUniqueIndexError
        If an INSEE code names several rows.
    UnknownFeatureError
        If a column is no feature of the catalogue (the nearest one is named).
    FeatureTypeError
        If a column of numbers holds something else (text, dates).
    """
    if not features.index.is_unique:
        repeated = features.index[features.index.duplicated()].unique()
        raise NonUniqueIndexError(
            f"the feature table names village {repeated[0]} on several rows "
            f"({len(repeated)} such codes): give each INSEE code once"
        )
    for column in features.columns:
        spec = catalogue.spec(str(column))
        if spec is None:
            close = suggest(str(column), catalogue.names())
            hint = f"; did you mean {close!r}?" if close else ""
            raise UnknownFeatureError(
                f"the feature table has a column {column!r} that no source declares{hint}"
            )
        dtype = features[column].dtype
        numeric = is_numeric_dtype(dtype) or is_bool_dtype(dtype)
        if spec.unit.numeric and not numeric:
            raise FeatureTypeError(
                f"feature {column!r} holds {dtype} values; its unit ({spec.unit.key}) is "
                "a number: convert the column with pandas.to_numeric"
            )
