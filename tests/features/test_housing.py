"""House-price features: the DVF table aligned to the villages, NaN where no sale."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.errors import MissingColumnError
from relocate.features.housing import (
    house_price_eur_m2,
    house_price_low_confidence,
    house_sales_count,
)
from relocate.sources.dvf import DvfSource
from tests.conftest import make_context
from tests.sources.test_dvf import Y2023, Y2024

#: The DVF features the catalogue declares.
SPECS = [s for s in default_catalogue().specs() if s.sources == ("dvf",)]


def housing_features(villages: gpd.GeoDataFrame, *, dvf: pd.DataFrame) -> pd.DataFrame:
    """The columns of :data:`SPECS`, one row per village, as the catalogue declares them."""
    return pd.concat(
        [house_price_eur_m2(villages, dvf), house_sales_count(villages, dvf),
         house_price_low_confidence(villages, dvf)],
        axis=1,
    )  # fmt: skip


@pytest.fixture
def dvf() -> pd.DataFrame:
    """A DVF table shaped like DvfSource's: 99001 and 99002 of the villages, and a stranger."""
    return pd.DataFrame(
        {
            "house_price_eur_m2": [2000.0, 1000.0, 3000.0],
            "house_sales": [5, 1, 12],
            "low_confidence": [False, True, False],
            "period_start": "2023-01-01",
            "period_end": "2024-12-15",
        },
        index=pd.Index(["99001", "99002", "98001"], name="insee"),
    )


def test_price_is_aligned_to_the_villages_nan_without_sales(
    villages: gpd.GeoDataFrame, dvf: pd.DataFrame
) -> None:
    price = house_price_eur_m2(villages, dvf=dvf)
    assert price.name == "house_price_eur_m2"
    assert price.index.equals(villages.index)
    assert price.loc["99001"] == 2000.0
    assert price.loc["99002"] == 1000.0
    assert np.isnan(price.loc["99003"])


def test_sales_count_is_nan_not_zero_without_sales(
    villages: gpd.GeoDataFrame, dvf: pd.DataFrame
) -> None:
    sales = house_sales_count(villages, dvf=dvf)
    assert sales.name == "house_sales"
    assert sales.loc["99001"] == 5.0
    assert np.isnan(sales.loc["99003"])
    assert sales.dtype == float


def test_low_confidence_is_one_zero_or_nan(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> None:
    flag = house_price_low_confidence(villages, dvf=dvf)
    assert flag.name == "house_price_low_confidence"
    assert flag.loc["99001"] == 0.0
    assert flag.loc["99002"] == 1.0
    assert np.isnan(flag.loc["99003"])


def test_features_have_the_catalogue_columns(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> None:
    features = housing_features(villages, dvf=dvf)
    assert list(features.columns) == [spec.name for spec in SPECS]
    assert features.index.equals(villages.index)
    assert features.loc["99003"].isna().all()


def test_specs_units_and_source() -> None:
    units = {spec.name: spec.unit.key for spec in SPECS}
    assert units["house_price_eur_m2"] == "€/m²"
    assert units["house_sales"] == "sales"
    assert all(spec.sources == ("dvf",) for spec in SPECS)
    assert not any(spec.estimate for spec in SPECS)


def test_catalogue_knows_the_housing_features() -> None:
    spec = default_catalogue().spec("house_price_eur_m2")
    assert spec is not None
    assert spec.sources == ("dvf",)


def test_table_with_an_insee_column_is_accepted(
    villages: gpd.GeoDataFrame, dvf: pd.DataFrame
) -> None:
    price = house_price_eur_m2(villages, dvf=dvf.reset_index())
    assert price.loc["99002"] == 1000.0


def test_missing_column_is_named(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> None:
    with pytest.raises(MissingColumnError, match="house_sales"):
        house_sales_count(villages, dvf=dvf.drop(columns="house_sales"))


def test_from_parsed_fixtures_through_the_parquet_cache(
    villages: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    parsed = DvfSource().parse([Y2023, Y2024], context=make_context(villages))
    parsed.table.to_parquet(tmp_path / "table.parquet")
    cached = pd.read_parquet(tmp_path / "table.parquet")
    features = housing_features(villages, dvf=cached)
    assert features.loc["99001"].tolist() == [2000.0, 5.0, 0.0]
    assert features.loc["99002"].tolist() == [1000.0, 1.0, 1.0]
    assert features.loc["99003"].isna().all()
