"""Where the data comes from: loaders for each source and their provenance."""

from relocate.sources.airports import AIRPORTS_SOURCE, load_airports
from relocate.sources.communes import (
    COMMUNES_SOURCE,
    Departement,
    list_departements,
    load_communes,
    select_departement,
)
from relocate.sources.provenance import SourceInfo

__all__ = [
    "AIRPORTS_SOURCE",
    "COMMUNES_SOURCE",
    "Departement",
    "SourceInfo",
    "list_departements",
    "load_airports",
    "load_communes",
    "select_departement",
]
