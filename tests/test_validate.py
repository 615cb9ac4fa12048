"""The one check at the boundary into scoring: one row per village, known numeric features."""

from __future__ import annotations

import pandas as pd
import pytest

from relocate._validate import validate_features
from relocate.catalogue import default_catalogue
from relocate.errors import (
    FeatureTypeError,
    NonUniqueIndexError,
    RelocateError,
    UnknownFeatureError,
)

CATALOGUE = default_catalogue()


def frame(data: dict[str, list[object]], codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(data, index=pd.Index(codes, name="insee"))


def test_a_good_table_passes() -> None:
    validate_features(
        frame({"population": [10, 20], "drive_min_TLS": [30.5, None]}, ["99001", "99002"]),
        CATALOGUE,
    )
    # Nullable integers and booleans are numbers too.
    validate_features(
        frame({"population": pd.array([1, None], dtype="Int64")}, ["99001", "99002"]), CATALOGUE
    )


def test_a_village_on_two_rows_is_a_value_error_naming_it() -> None:
    table = frame({"population": [10, 20]}, ["99001", "99001"])
    with pytest.raises(NonUniqueIndexError, match="99001") as caught:
        validate_features(table, CATALOGUE)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, RelocateError)
    assert not isinstance(caught.value, KeyError)


def test_an_unknown_column_names_the_nearest_feature() -> None:
    with pytest.raises(UnknownFeatureError, match="did you mean 'population'"):
        validate_features(frame({"populaton": [1]}, ["99001"]), CATALOGUE)


def test_text_where_numbers_belong_is_a_type_error() -> None:
    with pytest.raises(FeatureTypeError, match="'population' holds str") as caught:
        validate_features(frame({"population": ["12", "x"]}, ["99001", "99002"]), CATALOGUE)
    assert isinstance(caught.value, TypeError)
