"""Metric projections of France: Lambert-93 in the metropole and Corsica, UTM overseas."""

from __future__ import annotations

__all__ = ["LAMBERT_93", "OVERSEAS_EPSG", "metric_crs", "metric_epsg"]

#: RGF93 / Lambert-93: metropolitan France and Corsica.
LAMBERT_93 = 2154

#: The projection INSEE and IGN use in each overseas département.
OVERSEAS_EPSG: dict[str, int] = {
    "971": 5490,  # Guadeloupe: RGAF09 / UTM zone 20N
    "972": 5490,  # Martinique: RGAF09 / UTM zone 20N
    "973": 2972,  # Guyane: RGFG95 / UTM zone 22N
    "974": 2975,  # La Réunion: RGR92 / UTM zone 40S
    "976": 4471,  # Mayotte: RGM04 / UTM zone 38S
}


def metric_epsg(departement: str | None) -> int:
    """The EPSG code of the metric projection for a commune of ``departement``.

    Examples
    --------
    >>> metric_epsg("32"), metric_epsg("974")
    (2154, 2975)
    """
    return OVERSEAS_EPSG.get(departement or "", LAMBERT_93)


def metric_crs(departement: str | None) -> str:
    """The metric CRS (``EPSG:NNNN``) to measure distances in, for ``departement``."""
    return f"EPSG:{metric_epsg(departement)}"
