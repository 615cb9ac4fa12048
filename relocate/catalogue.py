"""The catalogue of what relocate knows, assembled from every source's declarations.

Each source module declares its features, destinations and service kinds
(:mod:`relocate.declare`); :class:`Catalogue` puts them together. Scoring, the
reports, the tables, the map and the brief read feature names, labels, units and
sources only from here, and :meth:`Catalogue.compute` computes every feature the
loaded sources allow. A name is resolved once, here: no other module takes
``drive_min_TLS`` apart.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from relocate._names import suggest
from relocate.declare import (
    DESTINATION_PREFIXES,
    NEAREST_NAME,
    Destination,
    DestinationFamily,
    Feature,
    Inputs,
    Points,
    Role,
    ServiceKind,
    SourceDeclaration,
    Text,
    Unit,
)
from relocate.errors import InvalidOptionError, UnknownFeatureError, UnknownSourceError
from relocate.features.access import drive_min_estimate, nearest_km
from relocate.features.drive import DriveTimeModel
from relocate.features.services import count_in_village, points_of_kind
from relocate.sources.registry import SOURCES

__all__ = [
    "Catalogue",
    "FeatureSet",
    "FeatureSpec",
    "PlacedDestination",
    "default_catalogue",
]

_COUNT_PREFIX = "count_"


@dataclass(frozen=True, kw_only=True)
class FeatureSpec:
    """What one feature column means: a declaration resolved to a name.

    Attributes
    ----------
    name
        The column's name (``drive_min_TLS``).
    unit, label, description, estimate
        As the source declares them.
    sources
        Keys of the sources it is computed from (for a service kind, every source
        that may give it, in order of preference).
    role
        ``value`` for a feature of its own, ``dist`` / ``drive`` for the distance
        and drive time to a destination, ``count`` for facilities in the village.
    destination
        The destination's key for ``dist``, ``drive`` and ``count`` features.
    family
        The destination family (``airport``) for ``dist_km_<IATA>`` and ``drive_min_<IATA>``.
    """

    name: str
    unit: Unit
    label: Text
    description: Text
    sources: tuple[str, ...]
    estimate: bool
    role: Role
    destination: str | None = None
    family: str | None = None

    @classmethod
    def of(
        cls,
        feature: Feature,
        *,
        role: Role = "value",
        destination: str | None = None,
        family: str | None = None,
        sources: tuple[str, ...] | None = None,
    ) -> FeatureSpec:
        """The spec of a declared feature."""
        return cls(
            name=feature.name,
            unit=feature.unit,
            label=feature.label,
            description=feature.description,
            sources=feature.sources if sources is None else sources,
            estimate=feature.estimate,
            role=role,
            destination=destination,
            family=family,
        )


@dataclass(frozen=True, kw_only=True)
class PlacedDestination:
    """A destination as computed for a run: where its points are, which sources gave them."""

    destination: Destination
    points: Points
    sources: tuple[str, ...]

    @property
    def key(self) -> str:
        """The destination's key."""
        return self.destination.key


@dataclass(frozen=True, kw_only=True)
class FeatureSet:
    """The features computed for a département.

    Attributes
    ----------
    frame
        One row per village (the villages' index), one column per feature.
    sources
        For each column, the keys of the sources it was computed from.
    destinations
        The destinations measured to, with their points, in column order (the road
        network recomputes their drive times).
    nearest
        For each destination, the position in its points of each village's nearest
        one (-1 where none).
    """

    frame: pd.DataFrame
    sources: dict[str, tuple[str, ...]]
    destinations: tuple[PlacedDestination, ...]
    nearest: dict[str, np.ndarray] = field(default_factory=dict)


class Catalogue:
    """Every feature, destination and service kind the given sources declare.

    Parameters
    ----------
    sources
        The sources, in order of preference: where two list the same kind of
        service (La Poste and the BPE both list post offices), the first one
        loaded gives it; features and columns follow this order too.

    Raises
    ------
    InvalidOptionError
        If two sources share a key, or two declarations one feature name.
    """

    def __init__(self, sources: Sequence[SourceDeclaration]) -> None:
        self.sources: tuple[SourceDeclaration, ...] = tuple(sources)
        keys = [s.key for s in self.sources]
        if len(set(keys)) != len(keys):
            raise InvalidOptionError(f"two sources share a key in {', '.join(keys)}")
        self._by_key = {s.key: s for s in self.sources}
        self._names: set[str] = set()
        self._plain: dict[str, FeatureSpec] = {}
        self._destinations: dict[str, Destination] = {}
        self._families: list[DestinationFamily] = []
        self._kinds: dict[str, ServiceKind] = {}
        self._providers: dict[str, list[str]] = {}
        for source in self.sources:
            for feature in source.features:
                self._add_name(feature.name)
                self._plain[feature.name] = FeatureSpec.of(feature)
            for destination in source.destinations:
                for feature in destination.features():
                    self._add_name(feature.name)
                if destination.name_feature is not None:
                    self._add_name(destination.name_feature.name)
                self._destinations[destination.key] = destination
            self._families.extend(source.families)
            for kind in source.service_kinds:
                known = self._kinds.setdefault(kind.key, kind)
                if known != kind:
                    raise InvalidOptionError(
                        f"service kind {kind.key!r} is declared twice, differently "
                        f"(by {source.key} and {self._providers[kind.key][0]})"
                    )
                self._providers.setdefault(kind.key, []).append(source.key)
        for key in self._kinds:
            if key in self._destinations:
                raise InvalidOptionError(f"{key!r} is both a destination and a service kind")

    def _add_name(self, name: str) -> None:
        if name in self._names:
            raise InvalidOptionError(f"feature {name!r} is declared twice")
        self._names.add(name)

    # -- the sources -------------------------------------------------------------------------

    def source(self, key: str) -> SourceDeclaration:
        """The source with this key.

        Raises
        ------
        UnknownSourceError
            Naming the known sources and the nearest one to a misspelling.
        """
        if key in self._by_key:
            return self._by_key[key]
        close = suggest(key, self._by_key)
        hint = f"did you mean {close!r}? " if close else ""
        raise UnknownSourceError(
            f"unknown source {key!r}; {hint}sources: {', '.join(self._by_key)}"
        )

    @property
    def built_in(self) -> tuple[str, ...]:
        """Keys of the sources installed with relocate's dependencies."""
        return tuple(s.key for s in self.sources if s.built_in)

    @property
    def point_sources(self) -> tuple[str, ...]:
        """Keys of the sources that list facilities as points, in order of preference."""
        return tuple(s.key for s in self.sources if s.service_kinds)

    def service_kinds(self) -> list[ServiceKind]:
        """Every kind of facility, in the order of the sources that first declare them."""
        return list(self._kinds.values())

    def service_kind(self, key: str) -> ServiceKind | None:
        """A kind of facility by key, or None."""
        return self._kinds.get(key)

    def providers(self, kind: str) -> tuple[str, ...]:
        """The sources that may give a kind of facility, in order of preference."""
        return tuple(self._providers.get(kind, ()))

    # -- resolving names ---------------------------------------------------------------------

    def spec(self, name: str) -> FeatureSpec | None:
        """The spec of a feature name, or None if no source declares such a feature."""
        return _resolve(self, name)

    def require(self, name: str) -> FeatureSpec:
        """The spec of a feature name.

        Raises
        ------
        UnknownFeatureError
            Naming the nearest known feature.
        """
        found = self.spec(name)
        if found is None:
            close = suggest(name, self.names())
            hint = f"; did you mean {close!r}?" if close else ""
            raise UnknownFeatureError(f"unknown feature {name!r}{hint}")
        return found

    def is_known(self, name: str) -> bool:
        """True if ``name`` is a feature relocate can compute."""
        return self.spec(name) is not None

    def names(self, airports: Iterable[str] = ()) -> list[str]:
        """Every feature name, per source in order; airport features for ``airports``."""
        return [spec.name for spec in self.specs(airports)]

    def specs(self, airports: Iterable[str] = ()) -> Iterator[FeatureSpec]:
        """Every feature's spec, per source in order; airport features for ``airports``."""
        airports = list(airports)
        for source in self.sources:
            for feature in source.features:
                yield self._plain[feature.name]
            for destination in source.destinations:
                yield from _destination_specs(destination)
                yield from _name_spec(destination)
            for family in source.families:
                for key in airports:
                    if key in family.domain():
                        yield from _destination_specs(family.make(key), family=family.name)
        for kind in self._kinds.values():
            yield from self._service_specs(kind)

    def _service_specs(self, kind: ServiceKind) -> Iterator[FeatureSpec]:
        providers = self.providers(kind.key)
        count = kind.count_feature(providers)
        yield FeatureSpec.of(count, role="count", destination=kind.key)
        destination = kind.destination(providers, points=_no_points)
        yield from _destination_specs(destination)
        yield from _name_spec(destination)

    def family_of(self, name: str) -> DestinationFamily | None:
        """The destination family a feature belongs to (``airport``), or None."""
        spec = self.spec(name)
        if spec is None or spec.family is None:
            return None
        return next(f for f in self._families if f.name == spec.family)

    # -- computing ---------------------------------------------------------------------------

    def compute(self, inputs: Inputs, *, drive_model: DriveTimeModel) -> FeatureSet:
        """Compute every feature the loaded sources allow, for the villages of ``inputs``.

        A feature is computed when all its sources are loaded (built-in sources
        always are; open-data ones when ``inputs.tables`` holds their table).
        Each destination gives its distance (:func:`~relocate.features.nearest_km`)
        and drive time (:meth:`DriveTimeModel.predict`); a service kind is given by
        the first source, in the catalogue's order, whose table lists it.

        Parameters
        ----------
        inputs
            The villages, communes, airports and loaded tables.
        drive_model
            The model that estimates drive times from distances.

        Returns
        -------
        FeatureSet
        """
        loaded = set(self.built_in) | set(inputs.tables)
        columns: list[pd.Series] = []
        sources: dict[str, tuple[str, ...]] = {}
        placed: list[PlacedDestination] = []
        for source in self.sources:
            for feature in source.features:
                if feature.compute is None or not set(feature.sources) <= loaded:
                    continue
                series = feature.compute(inputs)
                if series.name != feature.name:
                    raise InvalidOptionError(
                        f"the function of feature {feature.name!r} returned {series.name!r}"
                    )
                columns.append(series)
                sources[feature.name] = feature.sources
            for destination in source.destinations:
                if set(destination.sources) <= loaded:
                    placed.append(_placed(destination, inputs))
            for family in source.families:
                for key in family.instances(inputs) if source.key in loaded else ():
                    placed.append(_placed(family.make(key), inputs))
        counts: dict[str, pd.Series] = {}
        for kind in self._kinds.values():
            given = self._service(kind, inputs)
            if given is not None:
                counts[kind.key] = count_in_village(
                    inputs.villages, inputs.tables[given.sources[0]], kind=kind.key
                )
                placed.append(given)
        nearest: dict[str, np.ndarray] = {}
        for item in placed:
            if item.key in counts:
                columns.append(counts[item.key])
                sources[str(counts[item.key].name)] = item.sources
            dist, nearest[item.key] = nearest_km(
                inputs.villages, lon=item.points.lon, lat=item.points.lat, name=item.key
            )
            drive = drive_min_estimate(dist, model=drive_model)
            columns += [dist, drive]
            sources[str(dist.name)] = sources[str(drive.name)] = item.sources
            named = item.destination.name_feature
            if named is not None:
                columns.append(_nearest_names(item, nearest[item.key], inputs, named.name))
                sources[named.name] = item.sources
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=inputs.villages.index)
        return FeatureSet(frame=frame, sources=sources, destinations=tuple(placed), nearest=nearest)

    def _service(self, kind: ServiceKind, inputs: Inputs) -> PlacedDestination | None:
        """The kind's destination from the first loaded source whose table lists it."""
        for provider in self.providers(kind.key):
            table = inputs.tables.get(provider)
            if table is None or not (table["kind"] == kind.key).any():
                continue
            rows = points_of_kind(table, kind=kind.key)
            points = Points(
                lon=rows["lon"].to_numpy(dtype=float),
                lat=rows["lat"].to_numpy(dtype=float),
                names=rows["name"].to_numpy(dtype=object),
                communes=rows["insee"].to_numpy(dtype=object),
            )
            destination = kind.destination((provider,), points=functools.partial(_fixed, points))
            return PlacedDestination(destination=destination, points=points, sources=(provider,))
        return None


def _nearest_names(
    item: PlacedDestination, nearest: np.ndarray, inputs: Inputs, name: str
) -> pd.Series:
    """The name of each village's nearest point, with its commune where that adds to it."""
    points = item.points
    names = points.names if points.names is not None else np.full(len(points), None)
    communes = points.communes
    commune_names = inputs.communes["name"]
    out: list[str | None] = []
    for position in nearest:
        if position < 0:
            out.append(None)
            continue
        own = names[position]
        own = None if own is None or (isinstance(own, float) and np.isnan(own)) else str(own)
        code = None if communes is None else communes[position]
        where = commune_names.get(code) if code is not None else None
        where = (
            None if where is None or (isinstance(where, float) and np.isnan(where)) else str(where)
        )
        if own is None:
            out.append(where)
        elif where is None or where.casefold() in own.casefold():
            out.append(own)
        else:
            out.append(f"{own} ({where})")
    return pd.Series(out, index=inputs.villages.index, name=name, dtype=object)


def _name_spec(destination: Destination) -> Iterator[FeatureSpec]:
    named = destination.name_feature
    if named is not None:
        yield FeatureSpec.of(named, role="name", destination=destination.key)


def _fixed(points: Points, inputs: Inputs) -> Points:
    del inputs
    return points


def _no_points(inputs: Inputs) -> Points:
    del inputs
    return Points(lon=np.empty(0), lat=np.empty(0))


def _placed(destination: Destination, inputs: Inputs) -> PlacedDestination:
    return PlacedDestination(
        destination=destination, points=destination.points(inputs), sources=destination.sources
    )


def _destination_specs(
    destination: Destination, *, family: str | None = None
) -> Iterator[FeatureSpec]:
    dist, drive = destination.features()
    yield FeatureSpec.of(dist, role="dist", destination=destination.key, family=family)
    yield FeatureSpec.of(drive, role="drive", destination=destination.key, family=family)


def _resolve(catalogue: Catalogue, name: str) -> FeatureSpec | None:
    """The spec of a name: a plain feature, a destination's, a family's or a service's."""
    if name in catalogue._plain:
        return catalogue._plain[name]
    prefix, suffix = NEAREST_NAME
    if name.startswith(prefix) and name.endswith(suffix):
        key = name.removeprefix(prefix).removesuffix(suffix)
        found = catalogue._destinations.get(key)
        kind = catalogue._kinds.get(key)
        if kind is not None:
            found = kind.destination(catalogue.providers(key), points=_no_points)
        return next(_name_spec(found), None) if found is not None else None
    if name.startswith(_COUNT_PREFIX):
        kind = catalogue._kinds.get(name.removeprefix(_COUNT_PREFIX))
        return next(catalogue._service_specs(kind)) if kind is not None else None
    for role, prefix in DESTINATION_PREFIXES.items():
        if not name.startswith(prefix):
            continue
        key = name.removeprefix(prefix)
        index = 0 if role == "dist" else 1
        if key in catalogue._destinations:
            return list(_destination_specs(catalogue._destinations[key]))[index]
        if key in catalogue._kinds:
            return list(catalogue._service_specs(catalogue._kinds[key]))[1 + index]
        for family in catalogue._families:
            if re.fullmatch(family.pattern, key) and key in family.domain():
                return list(_destination_specs(family.make(key), family=family.name))[index]
    return None


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue of relocate's own sources (:data:`relocate.sources.registry.SOURCES`)."""
    return Catalogue(SOURCES)
