"""Where the data comes from: loaders for each source and their provenance."""

from relocate.sources.airports import AirportData, airports_source, load_airports
from relocate.sources.communes import (
    CommuneData,
    Departement,
    communes_source,
    list_departements,
    load_communes,
    select_departement,
)
from relocate.sources.provenance import SourceInfo

__all__ = [
    "AirportData",
    "CommuneData",
    "Departement",
    "SourceInfo",
    "airports_source",
    "communes_source",
    "list_departements",
    "load_airports",
    "load_communes",
    "select_departement",
]
