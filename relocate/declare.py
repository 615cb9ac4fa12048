"""What a source module declares: its features, their units and labels, places and services.

Every fact about a feature is written once, in the module of the source it comes
from, with the types of this module: its name, :class:`Unit`, label and description
in each language (:class:`Text`), the sources it needs, whether it is an estimate,
and the pure function that computes it. :mod:`relocate.catalogue` assembles the
declarations of every source into the one catalogue that scoring, the reports, the
tables, the map and the brief read.

Three kinds of declaration:

- :class:`Feature`: one column (``fibre_share_pct``), computed from the inputs.
- :class:`Destination`: a place the villages are measured to (the préfecture, the
  nearest town, an airport). Each gives two columns, ``dist_km_<key>`` (geodesic
  distance) and ``drive_min_<key>`` (drive time: estimated from the distance, or
  along the road network when one is loaded).
- :class:`ServiceKind`: a kind of facility a point source lists (``pharmacy``). Each
  is a destination (the nearest one) and gives ``count_<key>`` besides.

:class:`DestinationFamily` declares destinations named by a pattern over a domain:
``dist_km_<IATA>`` for every airport relocate knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from relocate.errors import InvalidOptionError

if TYPE_CHECKING:  # typing only: this module is imported before any heavy library
    from datetime import date

    import geopandas as gpd
    import pandas as pd

    from relocate.features.drive import DriveTimeModel

__all__ = [
    "COUNT",
    "DEFAULT_LANGUAGE",
    "EUR_PER_M2",
    "FLAG",
    "HOURS_PER_WEEK",
    "INHABITANTS",
    "INHABITANTS_PER_KM2",
    "KM",
    "LANGUAGES",
    "METRES",
    "MINUTES",
    "PERCENT",
    "SALES",
    "TEXT",
    "UNITS",
    "BuiltInSource",
    "Destination",
    "DestinationFamily",
    "Feature",
    "Inputs",
    "Noun",
    "Points",
    "ServiceKind",
    "SourceDeclaration",
    "Text",
    "Unit",
    "check_language",
    "from_table",
    "from_villages",
    "to_french_place",
]

#: Languages relocate writes in; every :class:`Text` has each of them.
LANGUAGES: tuple[str, ...] = ("fr", "en")
#: The households and the advisors read French first.
DEFAULT_LANGUAGE = "fr"

_NBSP = "\u00a0"


def check_language(lang: str) -> str:
    """Return ``lang`` if relocate writes in it.

    Raises
    ------
    InvalidOptionError
        Naming the languages relocate writes in.
    """
    if lang not in LANGUAGES:
        raise InvalidOptionError(
            f"unknown language {lang!r}; relocate writes in: {', '.join(LANGUAGES)}"
        )
    return lang


@dataclass(frozen=True)
class Text:
    """A text in every language relocate writes in.

    Examples
    --------
    >>> label = Text(en="Distance to {iata} airport", fr="Distance à l’aéroport {iata}")
    >>> label.format(iata="TLS")("fr")
    'Distance à l’aéroport TLS'
    """

    en: str
    fr: str

    def __call__(self, lang: str) -> str:
        """The text in ``lang``."""
        return str(getattr(self, check_language(lang)))

    def format(self, **values: object) -> Text:
        """The text with ``{placeholders}`` filled in, in every language."""
        return Text(en=self.en.format(**values), fr=self.fr.format(**values))


def in_language(text: str | Text, lang: str) -> str:
    """A text given once for every language (a name) or per language, in ``lang``.

    Examples
    --------
    >>> in_language("ARCEP", "fr"), in_language(Text(en="stations", fr="gares"), "fr")
    ('ARCEP', 'gares')
    """
    return text if isinstance(text, str) else text(lang)


@dataclass(frozen=True, kw_only=True)
class Unit:
    """The unit of a feature's values: how a value is written after its number.

    Attributes
    ----------
    key
        Stable identifier (``min``, ``km``, ``%``...), as tables and the page name it.
    symbol
        What follows the number, in each language (empty for plain counts).
    integer
        Counts, shown without decimals.
    flag
        Yes/no values (1/0), shown as words.
    numeric
        False for text values (a facility's name).
    name
        What the unit is called where it has no symbol (a table's unit column).
    """

    key: str
    symbol: Text
    integer: bool = False
    flag: bool = False
    numeric: bool = True
    name: Text | None = None

    def called(self, lang: str) -> str:
        """The unit as a table's unit column names it: its symbol, else its name.

        Examples
        --------
        >>> COUNT.called("fr"), MINUTES.called("fr")
        ('nombre', 'min')
        """
        if symbol := self.symbol(lang):
            return symbol
        return self.name(lang) if self.name is not None else self.key


#: A number of things (facilities in a village): no symbol, no decimals.
COUNT = Unit(
    key="count", symbol=Text(en="", fr=""), integer=True, name=Text(en="count", fr="nombre")
)
INHABITANTS = Unit(key="inhabitants", symbol=Text(en="inhabitants", fr="habitants"), integer=True)
INHABITANTS_PER_KM2 = Unit(key="inhabitants/km²", symbol=Text(en="inhabitants/km²", fr="hab./km²"))
HOURS_PER_WEEK = Unit(key="h/week", symbol=Text(en="h/week", fr="h/semaine"))
KM = Unit(key="km", symbol=Text(en="km", fr="km"))
METRES = Unit(key="m", symbol=Text(en="m", fr="m"))
MINUTES = Unit(key="min", symbol=Text(en="min", fr="min"))
PERCENT = Unit(key="%", symbol=Text(en="%", fr="%"))
EUR_PER_M2 = Unit(key="€/m²", symbol=Text(en="€/m²", fr="€/m²"), integer=True)
SALES = Unit(key="sales", symbol=Text(en="sales", fr="ventes"), integer=True)
#: 1 for yes, 0 for no (written as words: the symbol names the unit in lists).
FLAG = Unit(key="flag", symbol=Text(en="flag", fr="indicateur"), integer=True, flag=True)
#: A name or a word, not a number.
TEXT = Unit(key="text", symbol=Text(en="", fr=""), numeric=False, name=Text(en="text", fr="texte"))

#: Every unit, by key.
UNITS: dict[str, Unit] = {
    unit.key: unit
    for unit in (
        COUNT,
        INHABITANTS,
        INHABITANTS_PER_KM2,
        HOURS_PER_WEEK,
        KM,
        METRES,
        MINUTES,
        PERCENT,
        EUR_PER_M2,
        SALES,
        FLAG,
        TEXT,
    )
}


@dataclass(frozen=True, kw_only=True)
class Noun:
    """A kind of place, as labels name it: singular and plural in each language.

    French labels agree with the gender (``le bureau de poste le plus proche``,
    ``la pharmacie la plus proche``) and elide before a vowel (``l’école``).

    Examples
    --------
    >>> school = Noun(en="nursery school", en_plural="nursery schools",
    ...               fr="école maternelle", fr_plural="écoles maternelles", feminine=True)
    >>> school.the_nearest()("fr")
    'l’école maternelle la plus proche'
    >>> school.the_nearest()("en")
    'the nearest nursery school'
    """

    en: str
    en_plural: str
    fr: str
    fr_plural: str
    feminine: bool

    def plural(self) -> Text:
        """The plural, capitalised, as a layer or a count is named."""
        return Text(en=_capital(self.en_plural), fr=_capital(self.fr_plural))

    def the_nearest(self) -> Text:
        """``the nearest post office`` / ``le bureau de poste le plus proche``."""
        article = "l’" if _elides(self.fr) else "la " if self.feminine else "le "
        nearest = "la plus proche" if self.feminine else "le plus proche"
        return Text(en=f"the nearest {self.en}", fr=f"{article}{self.fr} {nearest}")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _elides(word: str) -> bool:
    return word[:1].lower() in "aeiouyàâéèêîôûh"


def of_french_place(place: str) -> str:
    """``de`` and the place, with the article contracted: ``du``, ``des``, ``de la``, ``de l’``."""
    if place.startswith("le "):
        return "du " + place.removeprefix("le ")
    if place.startswith("les "):
        return "des " + place.removeprefix("les ")
    return "de " + place


def to_french_place(place: str) -> str:
    """``à`` and the place, with the article contracted: ``au``, ``aux``, ``à la``, ``à l’``."""
    if place.startswith("le "):
        return "au " + place.removeprefix("le ")
    if place.startswith("les "):
        return "aux " + place.removeprefix("les ")
    return "à " + place


@dataclass(frozen=True, kw_only=True)
class Points:
    """Where a destination is: one or more points (WGS84), with their names if known."""

    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    names: npt.NDArray[np.object_] | None = None
    #: The INSEE code of each point's commune, where known (to say where a facility is).
    communes: npt.NDArray[np.object_] | None = None

    def __len__(self) -> int:
        return len(self.lon)


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """Everything a feature may be computed from, for one département.

    Attributes
    ----------
    villages
        The villages to describe, indexed by INSEE code (EPSG:4326).
    communes
        Every commune of France (towns across the border, the préfecture).
    prefecture
        INSEE code of the département's préfecture.
    airports
        The airports measured against, indexed by IATA code, point geometry.
    tables
        Each loaded open-data source's standard table, by source key.
    town_min_population
        A town has at least this many inhabitants.
    trade
        The household's trade or activity, for the programme's
        ``trade_members_within_*`` features (None: no trade named).
    min_members_shown
        Counts of the programme's members below this are given as 0, so that no
        output points at fewer members than this (privacy).
    drive_model
        The run's drive-time model, for features that estimate drive times between
        villages (None: the stated one).
    today
        The day the run is for: field notes past their end are expired on it
        (None: the day the features are computed).
    """

    villages: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    prefecture: str
    airports: gpd.GeoDataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    town_min_population: int = 2000
    trade: str | None = None
    min_members_shown: int = 3
    drive_model: DriveTimeModel | None = None
    today: date | None = None


Compute = Callable[[Inputs], "pd.Series"]


@dataclass(frozen=True)
class from_table:  # noqa: N801 (used like a function in declarations)
    """Compute a feature with ``func(villages, table, **kwargs)``, the table a source's.

    Examples
    --------
    >>> from_table(len, "arcep")
    from_table(len, 'arcep')
    """

    func: Callable[..., pd.Series]
    key: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, inputs: Inputs) -> pd.Series:
        """The feature's series for these inputs."""
        return self.func(inputs.villages, inputs.tables[self.key], **self.kwargs)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"from_table({getattr(self.func, '__name__', self.func)}, {self.key!r}{extra})"


@dataclass(frozen=True)
class from_villages:  # noqa: N801 (used like a function in declarations)
    """Compute a feature with ``func(villages)``: from the villages table alone."""

    func: Callable[..., pd.Series]

    def __call__(self, inputs: Inputs) -> pd.Series:
        """The feature's series for these inputs."""
        return self.func(inputs.villages)


@dataclass(frozen=True, kw_only=True)
class Feature:
    """One feature column a source provides.

    Attributes
    ----------
    name
        The column's name, its unit in it (``fibre_share_pct``).
    unit
        The unit of its values.
    label
        Short human label, in each language.
    description
        How it is computed, in one sentence, in each language.
    sources
        Keys of the sources it is computed from; it exists only when all are loaded.
    compute
        The pure function that computes it from the :class:`Inputs`; None for a
        column another stage makes (``snap_m``, by the road network).
    estimate
        True if its values are modelled rather than measured.
    """

    name: str
    unit: Unit
    label: Text
    description: Text
    sources: tuple[str, ...]
    compute: Compute | None = None
    estimate: bool = False


#: The features of a destination, by role: their names are ``<prefix><key><suffix>``.
DESTINATION_PREFIXES: dict[str, str] = {"dist": "dist_km_", "drive": "drive_min_"}
#: The name of the nearest point of a destination of several: ``nearest_<key>_name``.
NEAREST_NAME = ("nearest_", "_name")


@dataclass(frozen=True, kw_only=True)
class Destination:
    """A place villages are measured to: gives ``dist_km_<key>`` and ``drive_min_<key>``.

    Attributes
    ----------
    key
        The suffix of its two features (``prefecture``, ``TLS``).
    place
        The place with its article, in each language (``the préfecture``,
        ``la préfecture``), for labels such as "Drive to the préfecture".
    sources
        Keys of the sources it needs.
    points
        Where it is: one point, or several (the nearest counts).
    description
        What the distance is measured to, in each language.
    named
        True for a destination of several named points (the nearest town, station):
        it also gives ``nearest_<key>_name``, the name of the nearest one.
    """

    key: str
    place: Text
    sources: tuple[str, ...]
    points: Callable[[Inputs], Points]
    description: Text
    named: bool = False

    @property
    def name_feature(self) -> Feature | None:
        """``nearest_<key>_name``: the name (and commune) of the nearest point, if named."""
        if not self.named:
            return None
        prefix, suffix = NEAREST_NAME
        return Feature(
            name=f"{prefix}{self.key}{suffix}",
            unit=TEXT,
            label=Text(
                en=_capital(self.place.en),
                fr=_capital(
                    self.place.fr.removeprefix("l’").removeprefix("la ").removeprefix("le ")
                ),
            ),
            description=Text(
                en=f"The name of {self.description.en}, and its commune.",
                fr=f"Le nom {of_french_place(self.description.fr)}, et sa commune.",
            ),
            sources=self.sources,
        )

    @property
    def names(self) -> tuple[str, str]:
        """The names of its distance and drive-time features."""
        return (
            f"{DESTINATION_PREFIXES['dist']}{self.key}",
            f"{DESTINATION_PREFIXES['drive']}{self.key}",
        )

    def features(self) -> tuple[Feature, Feature]:
        """Its distance and drive-time features (computed by the catalogue's stages)."""
        dist_name, drive_name = self.names
        dist = Feature(
            name=dist_name,
            unit=KM,
            label=Text(
                en=f"Distance to {self.place.en}", fr=f"Distance {to_french_place(self.place.fr)}"
            ),
            description=Text(
                en=f"Geodesic distance from the town hall to {self.description.en}.",
                fr=f"Distance géodésique de la mairie {to_french_place(self.description.fr)}.",
            ),
            sources=self.sources,
        )
        drive = Feature(
            name=drive_name,
            unit=MINUTES,
            label=Text(en=f"Drive to {self.place.en}", fr=f"Trajet vers {self.place.fr}"),
            description=Text(
                en=f"Drive time to {self.description.en}: along the road network when one "
                "is loaded, else estimated from the straight-line distance.",
                fr=f"Temps de trajet en voiture jusqu’{to_french_place(self.description.fr)}"
                f"{_NBSP}: par le réseau routier s’il est chargé, sinon estimé d’après la "
                "distance à vol d’oiseau.",
            ),
            sources=self.sources,
            estimate=True,
        )
        return dist, drive


@dataclass(frozen=True, kw_only=True)
class DestinationFamily:
    """Destinations named by a pattern over a domain: one per airport code, say.

    Attributes
    ----------
    name
        What the domain is, for messages (``airport``).
    domain
        The keys that may be used (every airport relocate knows); checked when a
        profile names a feature of the family.
    make
        The destination of one key.
    instances
        The keys a run computes (the airports it is given).
    pattern
        A regular expression a key must match to be looked up in ``domain``.
    """

    name: str
    domain: Callable[[], frozenset[str]]
    make: Callable[[str], Destination]
    instances: Callable[[Inputs], Sequence[str]]
    pattern: str = r"[A-Z0-9]{3}"


@dataclass(frozen=True, kw_only=True)
class ServiceKind:
    """A kind of facility point sources list (``pharmacy``): a destination and a count.

    The features are ``count_<key>`` (facilities in the village), ``dist_km_<key>``
    and ``drive_min_<key>`` (to the nearest one, in any département).
    """

    key: str
    noun: Noun

    def count_feature(self, sources: tuple[str, ...]) -> Feature:
        """The ``count_<key>`` feature, given by ``sources``."""
        plural = self.noun.plural()
        return Feature(
            name=f"count_{self.key}",
            unit=COUNT,
            label=Text(en=f"{plural.en} in the village", fr=f"{plural.fr} dans la commune"),
            description=Text(
                en=f"Number of {self.noun.en_plural} located in the commune.",
                fr=f"Nombre de {self.noun.fr_plural} dans la commune.",
            ),
            sources=sources,
        )

    def destination(
        self, sources: tuple[str, ...], points: Callable[[Inputs], Points]
    ) -> Destination:
        """The nearest facility of this kind as a destination, given by ``sources``."""
        nearest = self.noun.the_nearest()
        return Destination(
            key=self.key,
            place=nearest,
            sources=sources,
            points=points,
            description=Text(
                en=f"{nearest.en}, in any département",
                fr=f"{nearest.fr}, dans n’importe quel département",
            ),
            named=True,
        )


#: Which role a resolved feature plays, for the stages that treat them alike.
Role = Literal["value", "dist", "drive", "count", "name"]


class SourceDeclaration(Protocol):
    """What the catalogue reads of a source: its key and what it declares."""

    @property
    def key(self) -> str:
        """The source's name on the command line (``communes``, ``arcep``)."""
        ...

    @property
    def built_in(self) -> bool:
        """True if installed with relocate's dependencies (nothing to fetch or import)."""
        ...

    @property
    def features(self) -> tuple[Feature, ...]:
        """Its features, each one column."""
        ...

    @property
    def destinations(self) -> tuple[Destination, ...]:
        """The places it lets villages be measured to."""
        ...

    @property
    def families(self) -> tuple[DestinationFamily, ...]:
        """Destinations named by a pattern (one per airport)."""
        ...

    @property
    def service_kinds(self) -> tuple[ServiceKind, ...]:
        """The kinds of facility its table of points lists, in order of preference."""
        ...


@dataclass(frozen=True, kw_only=True)
class BuiltInSource:
    """A source installed with relocate's dependencies: what it declares."""

    key: str
    features: tuple[Feature, ...] = ()
    destinations: tuple[Destination, ...] = ()
    families: tuple[DestinationFamily, ...] = ()
    service_kinds: tuple[ServiceKind, ...] = ()
    built_in: bool = True
