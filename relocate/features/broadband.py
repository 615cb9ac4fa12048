"""Broadband in each village: shares of premises with fibre, wired speeds, best technology."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from relocate.errors import InvalidOptionError, MissingColumnError

__all__ = [
    "best_tech_pct",
    "fibre_share_pct",
    "ftth_deployed_share_pct",
    "wired_1gbps_share_pct",
    "wired_30mbps_share_pct",
    "wired_100mbps_share_pct",
]


def _share(
    villages: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    part: str,
    whole: str,
    name: str,
    cap: bool = False,
) -> pd.Series:
    """``part / whole × 100`` per village; NaN where the commune is absent or ``whole`` is 0."""
    for column in (part, whole):
        if column not in table.columns:
            raise MissingColumnError(f"broadband table lacks column {column!r}")
    numerator = table[part].reindex(villages.index).astype(float)
    denominator = table[whole].reindex(villages.index).astype(float)
    values = numerator / denominator.where(denominator > 0) * 100.0
    if cap:
        values = values.clip(upper=100.0)
    return pd.Series(values.to_numpy(dtype=float), index=villages.index, name=name)


def fibre_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    r"""Share of the village's premises eligible to fibre to the home (FttH), in %.

    .. math::

        s_i = \frac{N^{\mathrm{FttH}}_i}{N_i} \times 100

    where :math:`N_i` is the number of premises of the village (``premises``) and
    :math:`N^{\mathrm{FttH}}_i` how many of them are eligible to FttH
    (``ftth_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    arcep : pandas.DataFrame
        ARCEP's counts of premises per commune, indexed by INSEE code, with the
        columns ``ftth_premises`` and ``premises``.

    Returns
    -------
    pandas.Series
        ``fibre_share_pct``: a share in %, indexed like ``villages`` (NaN where the
        commune is not in the table or has no premises).

    Raises
    ------
    MissingColumnError
        If ``arcep`` lacks one of the columns.

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
    >>> arcep = pd.DataFrame(
    ...     {"premises": [200.0, 0.0], "ftth_premises": [150.0, 0.0]}, index=["99001", "99002"]
    ... )
    >>> share = fibre_share_pct(villages, arcep)
    >>> share.name, share.to_dict()
    ('fibre_share_pct', {'99001': 75.0, '99002': nan, '99003': nan})
    """
    return _share(villages, arcep, part="ftth_premises", whole="premises", name="fibre_share_pct")


def wired_30mbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    r"""Share of premises with a wired offer of at least 30 Mbit/s, in %.

    .. math::

        s_i = \frac{N^{\geq 30\,\mathrm{Mbit/s}}_i}{N_i} \times 100

    where :math:`N_i` is the number of premises of the village (``premises``) and
    :math:`N^{\geq 30\,\mathrm{Mbit/s}}_i` how many of them have a wired offer of at
    least 30 Mbit/s (``wired_30_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    arcep : pandas.DataFrame
        ARCEP's counts of premises per commune, indexed by INSEE code, with the
        columns ``wired_30_premises`` and ``premises``.

    Returns
    -------
    pandas.Series
        ``wired_30mbps_share_pct``: a share in %, indexed like ``villages`` (NaN where
        the commune is not in the table or has no premises).

    Raises
    ------
    MissingColumnError
        If ``arcep`` lacks one of the columns.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> arcep = pd.DataFrame(
    ...     {"premises": [200.0, 30.0], "wired_30_premises": [190.0, 10.0]},
    ...     index=["99001", "99002"],
    ... )
    >>> share = wired_30mbps_share_pct(villages, arcep)
    >>> share.name, share.round(1).to_dict()
    ('wired_30mbps_share_pct', {'99001': 95.0, '99002': 33.3})
    """
    return _share(
        villages, arcep, part="wired_30_premises", whole="premises", name="wired_30mbps_share_pct"
    )


def wired_100mbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    r"""Share of premises with a wired offer of at least 100 Mbit/s, in %.

    .. math::

        s_i = \frac{N^{\geq 100\,\mathrm{Mbit/s}}_i}{N_i} \times 100

    where :math:`N_i` is the number of premises of the village (``premises``) and
    :math:`N^{\geq 100\,\mathrm{Mbit/s}}_i` how many of them have a wired offer of
    at least 100 Mbit/s (``wired_100_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    arcep : pandas.DataFrame
        ARCEP's counts of premises per commune, indexed by INSEE code, with the
        columns ``wired_100_premises`` and ``premises``.

    Returns
    -------
    pandas.Series
        ``wired_100mbps_share_pct``: a share in %, indexed like ``villages`` (NaN
        where the commune is not in the table or has no premises).

    Raises
    ------
    MissingColumnError
        If ``arcep`` lacks one of the columns.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> arcep = pd.DataFrame(
    ...     {"premises": [200.0, 30.0], "wired_100_premises": [120.0, 0.0]},
    ...     index=["99001", "99002"],
    ... )
    >>> share = wired_100mbps_share_pct(villages, arcep)
    >>> share.name, share.to_dict()
    ('wired_100mbps_share_pct', {'99001': 60.0, '99002': 0.0})
    """
    return _share(
        villages,
        arcep,
        part="wired_100_premises",
        whole="premises",
        name="wired_100mbps_share_pct",
    )


def wired_1gbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    r"""Share of premises with a wired offer of at least 1 Gbit/s, in %.

    .. math::

        s_i = \frac{N^{\geq 1\,\mathrm{Gbit/s}}_i}{N_i} \times 100

    where :math:`N_i` is the number of premises of the village (``premises``) and
    :math:`N^{\geq 1\,\mathrm{Gbit/s}}_i` how many of them have a wired offer of at
    least 1 Gbit/s (``wired_1g_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    arcep : pandas.DataFrame
        ARCEP's counts of premises per commune, indexed by INSEE code, with the
        columns ``wired_1g_premises`` and ``premises``.

    Returns
    -------
    pandas.Series
        ``wired_1gbps_share_pct``: a share in %, indexed like ``villages`` (NaN where
        the commune is not in the table or has no premises).

    Raises
    ------
    MissingColumnError
        If ``arcep`` lacks one of the columns.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> arcep = pd.DataFrame(
    ...     {"premises": [200.0, 30.0], "wired_1g_premises": [100.0, 0.0]},
    ...     index=["99001", "99002"],
    ... )
    >>> share = wired_1gbps_share_pct(villages, arcep)
    >>> share.name, share.to_dict()
    ('wired_1gbps_share_pct', {'99001': 50.0, '99002': 0.0})
    """
    return _share(
        villages, arcep, part="wired_1g_premises", whole="premises", name="wired_1gbps_share_pct"
    )


def best_tech_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame, *, tech: str) -> pd.Series:
    r"""Share of the premises served at 8 Mbit/s or more whose best technology is ``tech``, in %.

    The denominator is ``best_total_premises`` (ARCEP's ``nbr_elig_8``), which the
    best technologies partition: the eight shares of a village add up to 100.
    Premises with no offer of 8 Mbit/s at all are in none of them.

    .. math::

        s_{i,t} = \frac{N^{t}_i}{N^{\geq 8\,\mathrm{Mbit/s}}_i} \times 100

    where :math:`N^{\geq 8\,\mathrm{Mbit/s}}_i` is the number of premises of the
    village with an offer of at least 8 Mbit/s (``best_total_premises``) and
    :math:`N^{t}_i` how many of them have :math:`t` as their best technology
    (``best_<tech>_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    arcep : pandas.DataFrame
        ARCEP's counts of premises per commune, indexed by INSEE code, with the
        columns ``best_<tech>_premises`` and ``best_total_premises``.
    tech : str
        The technology, as the table's columns name it (``ftth``, ``cu_30``...).

    Returns
    -------
    pandas.Series
        ``best_tech_<tech>_pct``: a share in %, indexed like ``villages`` (NaN where
        the commune is not in the table or has no premises served at 8 Mbit/s).

    Raises
    ------
    InvalidOptionError
        If the table has no ``best_<tech>_premises`` column: not a technology ARCEP counts.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> arcep = pd.DataFrame(
    ...     {
    ...         "best_total_premises": [190.0, 40.0],
    ...         "best_ftth_premises": [100.0, 0.0],
    ...         "best_cu_30_premises": [90.0, 40.0],
    ...     },
    ...     index=["99001", "99002"],
    ... )
    >>> share = best_tech_pct(villages, arcep, tech="ftth")
    >>> share.name, share.round(1).to_dict()
    ('best_tech_ftth_pct', {'99001': 52.6, '99002': 0.0})
    >>> best_tech_pct(villages, arcep, tech="cu_30").round(1).tolist()
    [47.4, 100.0]
    """
    if f"best_{tech}_premises" not in arcep.columns:
        known = sorted(
            c.removeprefix("best_").removesuffix("_premises")
            for c in arcep.columns
            if c.startswith("best_") and c != "best_total_premises"
        )
        raise InvalidOptionError(f"unknown technology {tech!r}; the table has: {', '.join(known)}")
    return _share(
        villages,
        arcep,
        part=f"best_{tech}_premises",
        whole="best_total_premises",
        name=f"best_tech_{tech}_pct",
    )


def ftth_deployed_share_pct(villages: gpd.GeoDataFrame, deploiements: pd.DataFrame) -> pd.Series:
    r"""Premises connectable to FttH per premises of the village, in %, capped at 100.

    The denominator (INSEE homes plus establishments with employees, as ARCEP
    used it) undercounts premises, so ARCEP's own rate exceeds 100 % in some
    communes (689 in 2018 T1); those are read as fully covered, 100 %.

    .. math::

        s_i = \min\left(\frac{N^{\mathrm{conn}}_i}{N_i} \times 100,\ 100\right)

    where :math:`N_i` is the number of premises of the village (``premises``) and
    :math:`N^{\mathrm{conn}}_i` the premises connectable to FttH
    (``ftth_connectable_premises``).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    deploiements : pandas.DataFrame
        ARCEP's FttH deployment per commune, indexed by INSEE code, with the
        columns ``ftth_connectable_premises`` and ``premises``.

    Returns
    -------
    pandas.Series
        ``ftth_deployed_share_pct``: a share in %, at most 100, indexed like
        ``villages`` (NaN where the commune is not in the table or has no premises).

    Raises
    ------
    MissingColumnError
        If ``deploiements`` lacks one of the columns.

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
    >>> deploiements = pd.DataFrame(
    ...     {"premises": [200.0, 100.0, 0.0], "ftth_connectable_premises": [50.0, 130.0, 0.0]},
    ...     index=["99001", "99002", "99003"],
    ... )
    >>> share = ftth_deployed_share_pct(villages, deploiements)
    >>> share.name, share.to_dict()
    ('ftth_deployed_share_pct', {'99001': 25.0, '99002': 100.0, '99003': nan})
    """
    return _share(
        villages,
        deploiements,
        part="ftth_connectable_premises",
        whole="premises",
        name="ftth_deployed_share_pct",
        cap=True,
    )
