"""Broadband in each village: shares of premises with fibre, wired speeds, best technology."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from relocate.errors import MissingColumnError
from relocate.features.catalogue import FeatureSpec

__all__ = [
    "BEST_TECH_LABELS",
    "SPECS",
    "best_tech_pct",
    "broadband_features",
    "fibre_share_pct",
    "ftth_deployed_share_pct",
    "wired_1gbps_share_pct",
    "wired_30mbps_share_pct",
    "wired_100mbps_share_pct",
]

#: Best technologies of the ``arcep`` table (``best_<tech>_premises``), best first.
BEST_TECH_LABELS: dict[str, str] = {
    "ftth": "fibre to the home",
    "coax": "cable",
    "cu_30": "copper at 30 Mbit/s or more",
    "thdr": "very-high-speed fixed radio",
    "cu_8": "copper at 8 to 30 Mbit/s",
    "4gf": "fixed 4G",
    "hdr": "high-speed fixed radio",
    "sat": "satellite",
}


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
    """Share of the village's premises eligible to fibre to the home (FttH), in %."""
    return _share(villages, arcep, part="ftth_premises", whole="premises", name="fibre_share_pct")


def wired_30mbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    """Share of premises with a wired offer of at least 30 Mbit/s, in %."""
    return _share(
        villages, arcep, part="wired_30_premises", whole="premises", name="wired_30mbps_share_pct"
    )


def wired_100mbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    """Share of premises with a wired offer of at least 100 Mbit/s, in %."""
    return _share(
        villages,
        arcep,
        part="wired_100_premises",
        whole="premises",
        name="wired_100mbps_share_pct",
    )


def wired_1gbps_share_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> pd.Series:
    """Share of premises with a wired offer of at least 1 Gbit/s, in %."""
    return _share(
        villages, arcep, part="wired_1g_premises", whole="premises", name="wired_1gbps_share_pct"
    )


def best_tech_pct(villages: gpd.GeoDataFrame, arcep: pd.DataFrame, *, tech: str) -> pd.Series:
    """Share of the premises served at 8 Mbit/s or more whose best technology is ``tech``, in %.

    The denominator is ``best_total_premises`` (ARCEP's ``nbr_elig_8``), which the
    best technologies partition: the eight shares of a village add up to 100.
    Premises with no offer of 8 Mbit/s at all are in none of them.
    """
    if tech not in BEST_TECH_LABELS:
        raise ValueError(f"unknown technology {tech!r}; known: {', '.join(BEST_TECH_LABELS)}")
    return _share(
        villages,
        arcep,
        part=f"best_{tech}_premises",
        whole="best_total_premises",
        name=f"best_tech_{tech}_pct",
    )


def ftth_deployed_share_pct(villages: gpd.GeoDataFrame, deploiements: pd.DataFrame) -> pd.Series:
    """Premises connectable to FttH per premises of the village, in %, capped at 100.

    The denominator (INSEE homes plus establishments with employees, as ARCEP
    used it) undercounts premises, so ARCEP's own rate exceeds 100 % in some
    communes (689 in 2018 T1); those are read as fully covered, 100 %.
    """
    return _share(
        villages,
        deploiements,
        part="ftth_connectable_premises",
        whole="premises",
        name="ftth_deployed_share_pct",
        cap=True,
    )


def _specs() -> tuple[FeatureSpec, ...]:
    arcep = ("arcep",)
    specs = [
        FeatureSpec(
            name="fibre_share_pct",
            label="Premises eligible to fibre",
            unit="%",
            sources=arcep,
            estimate=False,
            description="Share of the commune's premises eligible to fibre to the home (FttH).",
        ),
        FeatureSpec(
            name="wired_30mbps_share_pct",
            label="Premises with wired 30 Mbit/s",
            unit="%",
            sources=arcep,
            estimate=False,
            description="Share of premises eligible to a wired offer (fibre, cable, copper) "
            "of at least 30 Mbit/s; satellite and fixed 4G are not counted.",
        ),
        FeatureSpec(
            name="wired_100mbps_share_pct",
            label="Premises with wired 100 Mbit/s",
            unit="%",
            sources=arcep,
            estimate=False,
            description="Share of premises eligible to a wired offer of at least 100 Mbit/s.",
        ),
        FeatureSpec(
            name="wired_1gbps_share_pct",
            label="Premises with wired 1 Gbit/s",
            unit="%",
            sources=arcep,
            estimate=False,
            description="Share of premises eligible to a wired offer of at least 1 Gbit/s.",
        ),
    ]
    for tech, label in BEST_TECH_LABELS.items():
        specs.append(
            FeatureSpec(
                name=f"best_tech_{tech}_pct",
                label=f"Best connection: {label}",
                unit="%",
                sources=arcep,
                estimate=False,
                description=f"Share of the premises served at 8 Mbit/s or more whose best "
                f"available technology is {label}.",
            )
        )
    specs.append(
        FeatureSpec(
            name="ftth_deployed_share_pct",
            label="Premises connectable to fibre (FttH observatoire)",
            unit="%",
            sources=("arcep-deploiements",),
            estimate=False,
            description="FttH-connectable premises per home or establishment in the ARCEP "
            "observatoire of FttH deployments, capped at 100.",
        )
    )
    return tuple(specs)


#: What each broadband feature means.
SPECS: tuple[FeatureSpec, ...] = _specs()


def broadband_features(
    villages: gpd.GeoDataFrame,
    *,
    arcep: pd.DataFrame | None,
    deploiements: pd.DataFrame | None,
) -> pd.DataFrame:
    """The broadband features of whichever tables are given, one row per village.

    Parameters
    ----------
    villages
        The villages, indexed by INSEE code.
    arcep
        The ``arcep`` source's table ("Ma connexion internet"), or None.
    deploiements
        The ``arcep-deploiements`` source's table (FttH observatoire), or None.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``villages.index``; percentages, NaN where the commune is not
        in the table or has no premises.
    """
    columns: list[pd.Series] = []
    if arcep is not None:
        columns += [
            fibre_share_pct(villages, arcep),
            wired_30mbps_share_pct(villages, arcep),
            wired_100mbps_share_pct(villages, arcep),
            wired_1gbps_share_pct(villages, arcep),
            *(best_tech_pct(villages, arcep, tech=tech) for tech in BEST_TECH_LABELS),
        ]
    if deploiements is not None:
        columns.append(ftth_deployed_share_pct(villages, deploiements))
    if not columns:
        return pd.DataFrame(index=villages.index)
    return pd.concat(columns, axis=1)
