"""House prices of each village, from the DVF table of sales per commune."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.errors import MissingColumnError

__all__ = [
    "house_price_eur_m2",
    "house_price_low_confidence",
    "house_sales_count",
]


def _column(villages: gpd.GeoDataFrame, dvf: pd.DataFrame, column: str) -> pd.Series:
    """One column of the DVF table aligned to the villages (NaN where a commune has no sale)."""
    if column not in dvf.columns:
        raise MissingColumnError(f"the DVF table lacks column {column!r}")
    table = dvf.set_index("insee") if "insee" in dvf.columns else dvf
    values = table[column]
    values = values[~values.index.duplicated(keep="first")]
    return values.reindex(villages.index)


def house_price_eur_m2(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> pd.Series:
    r"""Median house price per m² of each village (NaN where no house sale was kept).

    .. math::

        p_i = \operatorname*{median}_{k \in K_i} \frac{v_k}{a_k}

    where :math:`K_i` is the set of house sales kept in the village over the DVF
    period, :math:`v_k` the price of sale :math:`k` in euros and :math:`a_k` the
    house's built surface in m². The DVF table holds the medians
    (``house_price_eur_m2``); this function aligns them to the villages.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    dvf : pandas.DataFrame
        The DVF table of house sales per commune, indexed by INSEE code (or with an
        ``insee`` column), with a ``house_price_eur_m2`` column.

    Returns
    -------
    pandas.Series
        ``house_price_eur_m2``: the median price in euros per m², indexed like
        ``villages`` (NaN where the commune is not in the table).

    Raises
    ------
    MissingColumnError
        If ``dvf`` has no ``house_price_eur_m2`` column.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B", "Village C"]},
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> dvf = pd.DataFrame(
    ...     {"house_price_eur_m2": [1500.0, 900.0], "house_sales": [12, 2]},
    ...     index=["99001", "99002"],
    ... )
    >>> price = house_price_eur_m2(villages, dvf)
    >>> price.name, price.to_dict()
    ('house_price_eur_m2', {'99001': 1500.0, '99002': 900.0, '99003': nan})
    """
    values = pd.to_numeric(_column(villages, dvf, "house_price_eur_m2"), errors="coerce")
    return pd.Series(values.to_numpy(dtype=float), index=villages.index, name="house_price_eur_m2")


def house_sales_count(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> pd.Series:
    r"""Number of house sales behind the median (NaN, not 0, where the commune has none).

    NaN rather than 0: the DVF table lists only communes with a sale kept, so a
    missing commune may also be one the table does not cover.

    .. math::

        n_i = \left| K_i \right|

    where :math:`K_i` is the set of house sales kept in the village over the DVF
    period, those :func:`house_price_eur_m2` takes the median of.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    dvf : pandas.DataFrame
        The DVF table of house sales per commune, indexed by INSEE code (or with an
        ``insee`` column), with a ``house_sales`` column.

    Returns
    -------
    pandas.Series
        ``house_sales``: a number of sales (float), indexed like ``villages`` (NaN
        where the commune is not in the table).

    Raises
    ------
    MissingColumnError
        If ``dvf`` has no ``house_sales`` column.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B", "Village C"]},
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> dvf = pd.DataFrame(
    ...     {"insee": ["99001", "99002"], "house_sales": [12, 2], "low_confidence": [False, True]}
    ... )
    >>> sales = house_sales_count(villages, dvf)
    >>> sales.name, sales.to_dict()
    ('house_sales', {'99001': 12.0, '99002': 2.0, '99003': nan})
    """
    values = pd.to_numeric(_column(villages, dvf, "house_sales"), errors="coerce")
    return pd.Series(values.to_numpy(dtype=float), index=villages.index, name="house_sales")


def house_price_low_confidence(villages: gpd.GeoDataFrame, dvf: pd.DataFrame) -> pd.Series:
    r"""1.0 where the median rests on too few sales (DVF's ``low_confidence``), 0.0 otherwise.

    A float so that it can be scored and shown with the other features; NaN
    where the commune has no sale (no price to trust or distrust).

    .. math::

        f_i = \begin{cases}
            1 & \text{if } n_i < n_{\min} \\
            0 & \text{otherwise}
        \end{cases}

    where :math:`n_i` is the village's number of house sales
    (:func:`house_sales_count`) and :math:`n_{\min}` the DVF source's threshold: the
    table's ``low_confidence`` column holds the comparison.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    dvf : pandas.DataFrame
        The DVF table of house sales per commune, indexed by INSEE code (or with an
        ``insee`` column), with a boolean ``low_confidence`` column.

    Returns
    -------
    pandas.Series
        ``house_price_low_confidence``: 1.0 or 0.0, indexed like ``villages`` (NaN
        where the commune is not in the table or its flag is missing).

    Raises
    ------
    MissingColumnError
        If ``dvf`` has no ``low_confidence`` column.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B", "Village C"]},
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> dvf = pd.DataFrame(
    ...     {"house_sales": [12, 2], "low_confidence": [False, True]}, index=["99001", "99002"]
    ... )
    >>> flag = house_price_low_confidence(villages, dvf)
    >>> flag.name, flag.to_dict()
    ('house_price_low_confidence', {'99001': 0.0, '99002': 1.0, '99003': nan})
    """
    flags = _column(villages, dvf, "low_confidence")
    values = np.array([np.nan if pd.isna(flag) else float(bool(flag)) for flag in flags])
    return pd.Series(values, index=villages.index, name="house_price_low_confidence")
