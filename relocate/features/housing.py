"""House prices of each village, from the DVF table of sales per commune."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.errors import MissingColumnError
from relocate.features.catalogue import FeatureSpec
from relocate.sources.dvf import LOW_CONFIDENCE_SALES

__all__ = [
    "SPECS",
    "house_price_eur_m2",
    "house_price_low_confidence",
    "house_sales_count",
    "housing_features",
]

_DVF = ("dvf",)

SPECS: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        name="house_price_eur_m2",
        label="House price",
        unit="€/m²",
        sources=_DVF,
        estimate=False,
        description="Median price per m² of built surface of the houses sold in the commune "
        "over the DVF period (sales of one house alone; absurd prices set aside).",
    ),
    FeatureSpec(
        name="house_sales",
        label="House sales",
        unit="sales",
        sources=_DVF,
        estimate=False,
        description="Number of house sales the median price is taken over.",
    ),
    FeatureSpec(
        name="house_price_low_confidence",
        label="House price from few sales",
        unit="flag",
        sources=_DVF,
        estimate=False,
        description=f"1 where the median house price rests on fewer than {LOW_CONFIDENCE_SALES} "
        "sales, 0 otherwise.",
    ),
)


def _column(villages: gpd.GeoDataFrame, dvf: pd.DataFrame, column: str) -> pd.Series:
    """One column of the DVF table aligned to the villages (NaN where a commune has no sale)."""
    if column not in dvf.columns:
        raise MissingColumnError(f"the DVF table lacks column {column!r}")
    table = dvf.set_index("insee") if "insee" in dvf.columns else dvf
    values = table[column]
    values = values[~values.index.duplicated(keep="first")]
    return values.reindex(villages.index)


def house_price_eur_m2(villages: gpd.GeoDataFrame, *, dvf: pd.DataFrame) -> pd.Series:
    """Median house price per m² of each village (NaN where no house sale was kept)."""
    values = pd.to_numeric(_column(villages, dvf, "house_price_eur_m2"), errors="coerce")
    return pd.Series(values.to_numpy(dtype=float), index=villages.index, name="house_price_eur_m2")


def house_sales_count(villages: gpd.GeoDataFrame, *, dvf: pd.DataFrame) -> pd.Series:
    """Number of house sales behind the median (NaN, not 0, where the commune has none).

    NaN rather than 0: the DVF table lists only communes with a sale kept, so a
    missing commune may also be one the table does not cover.
    """
    values = pd.to_numeric(_column(villages, dvf, "house_sales"), errors="coerce")
    return pd.Series(values.to_numpy(dtype=float), index=villages.index, name="house_sales")


def house_price_low_confidence(villages: gpd.GeoDataFrame, *, dvf: pd.DataFrame) -> pd.Series:
    """1.0 where the median rests on too few sales (DVF's ``low_confidence``), 0.0 otherwise.

    A float so that it can be scored and shown with the other features; NaN
    where the commune has no sale (no price to trust or distrust).
    """
    flags = _column(villages, dvf, "low_confidence")
    values = np.array([np.nan if pd.isna(flag) else float(bool(flag)) for flag in flags])
    return pd.Series(values, index=villages.index, name="house_price_low_confidence")


def housing_features(villages: gpd.GeoDataFrame, *, dvf: pd.DataFrame) -> pd.DataFrame:
    """The columns of :data:`SPECS`, one row per village."""
    return pd.concat(
        [
            house_price_eur_m2(villages, dvf=dvf),
            house_sales_count(villages, dvf=dvf),
            house_price_low_confidence(villages, dvf=dvf),
        ],
        axis=1,
    )
