"""House prices per commune from DVF géolocalisées (Etalab), one file per département and year."""

from __future__ import annotations

import gzip
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.declare import EUR_PER_M2, FLAG, SALES, Feature, Text, from_table
from relocate.errors import SourceFormatError
from relocate.features.housing import (
    house_price_eur_m2,
    house_price_low_confidence,
    house_sales_count,
)
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    insee_codes,
    numbers,
    read_checked_csv,
    size_text,
)
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed

__all__ = [
    "BASE_URL",
    "LOW_CONFIDENCE_SALES",
    "MAX_PRICE_EUR_M2",
    "MIN_PRICE_EUR_M2",
    "SPEC",
    "YEARS",
    "DvfSource",
    "latest_full_year",
]

#: The published format: ``,``-separated, UTF-8 without BOM, one row per lot or local
#: of a mutation. Only the columns the parser uses are required, and kept.
_COLUMNS = (
    "id_mutation",
    "date_mutation",
    "nature_mutation",
    "valeur_fonciere",
    "code_commune",
    "type_local",
    "surface_reelle_bati",
)
SPEC = CsvSpec(sep=",", required=_COLUMNS, usecols=_COLUMNS)

#: Etalab's geo-dvf files: ``<BASE_URL>/<year>/departements/<département>.csv.gz``.
BASE_URL = "https://files.data.gouv.fr/geo-dvf/latest/csv"
#: How many full years a fetch downloads.
YEARS = 5
#: Communes with fewer house sales than this over the period are flagged ``low_confidence``.
LOW_CONFIDENCE_SALES = 5
#: Prices per m² outside these bounds are taken for errors (a house sold with a
#: farm, a price typed in thousands, a surface in the wrong unit) and dropped.
MIN_PRICE_EUR_M2 = 100.0
MAX_PRICE_EUR_M2 = 20_000.0
#: The month by which DGFiP's spring release has published the previous full year.
_RELEASE_MONTH = 5

_HOUSE = "Maison"
#: Other dwellings or premises whose value would be mixed with the house's.
_OTHER_BUILT = ("Appartement", "Local industriel. commercial ou assimilé")
_SALE = "Vente"
#: Arrondissement codes -> their commune (DVF codes Paris, Lyon and Marseille by arrondissement).
_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))


def latest_full_year(today: date) -> int:
    """The last calendar year DVF publishes in full on ``today``.

    DGFiP releases DVF twice a year; the spring release (April) adds the
    previous year's second half, so that year is complete from May on.
    """
    return today.year - 1 if today.month >= _RELEASE_MONTH else today.year - 2


def _gunzip(path: Path, dest: Path, *, max_bytes: int) -> None:
    """Decompress a ``.gz`` file to ``dest`` as a stream, refusing more than ``max_bytes``.

    An error writing ``dest`` (a full disk) is raised as it is, an OSError.
    """
    size = 0
    with gzip.open(path, "rb") as packed, dest.open("wb") as out:
        while True:
            try:
                chunk = packed.read(1 << 20)
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                raise SourceFormatError(f"{path.name}: not a readable gzip file ({exc})") from None
            if not chunk:
                return
            size += len(chunk)
            if size > max_bytes:
                raise SourceFormatError(
                    f"{path.name}: more than {size_text(max_bytes)} once decompressed, far "
                    "larger than a département's DVF: not the expected file (a compression "
                    "bomb?)"
                )
            out.write(chunk)


def _read(path: Path, *, max_bytes: int) -> TableRead:
    """Read one file, ``.csv`` or ``.csv.gz``; errors name the file as given."""
    spec = replace(SPEC, max_bytes=max_bytes)
    if path.suffix.lower() != ".gz":
        return read_checked_csv(path, spec)
    with tempfile.TemporaryDirectory(prefix="relocate-dvf-") as tmp:
        plain = Path(tmp) / path.name
        _gunzip(path, plain, max_bytes=max_bytes)
        table = read_checked_csv(plain, spec)
    table.path = path
    return table


def _dates(table: TableRead) -> pd.Series:
    """Column ``date_mutation`` (ISO 8601) as timestamps; anything else names its line."""
    values = table.frame["date_mutation"].astype(str).str.strip()
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, 'date_mutation')}: {values.iloc[row]!r} is not a date (yyyy-mm-dd)"
        )
    return parsed


def _rows(table: TableRead, file_number: int) -> pd.DataFrame:
    """The columns the parser uses, checked and typed."""
    frame = table.frame
    mutation = frame["id_mutation"].astype(str).str.strip()
    if (mutation == "").any():
        row = int(np.flatnonzero((mutation == "").to_numpy())[0])
        raise SourceFormatError(f"{table.where(row, 'id_mutation')}: the mutation id is empty")
    return pd.DataFrame(
        {
            "file": file_number,
            "mutation": mutation.to_numpy(),
            "date": _dates(table).to_numpy(),
            "nature": frame["nature_mutation"].astype(str).str.strip().to_numpy(),
            "value": numbers(table, "valeur_fonciere").to_numpy(),
            "insee": insee_codes(table, "code_commune").to_numpy(),
            "type_local": frame["type_local"].astype(str).str.strip().to_numpy(),
            "surface": numbers(table, "surface_reelle_bati").to_numpy(),
        }
    )


def _commune_of_arrondissement(codes: pd.Series, known: pd.Index) -> pd.Series:
    """Arrondissement codes (75101, 69381, 13201...) as their commune's code, where unknown."""
    result = codes.copy()
    unknown = ~codes.isin(known)
    for prefix, commune in _ARRONDISSEMENTS:
        result[unknown & codes.str.startswith(prefix)] = commune
    return result


def _drop_repeated_mutations(rows: pd.DataFrame, tables: list[TableRead]) -> pd.DataFrame:
    """Drop mutations a later file repeats (the same year imported twice), with a warning."""
    first_file = rows.groupby("mutation")["file"].transform("min")
    repeated = rows["file"] != first_file
    if not repeated.any():
        return rows
    for number in sorted(rows.loc[repeated, "file"].unique()):
        dropped = rows.loc[repeated & (rows["file"] == number), "mutation"].nunique()
        tables[number].warnings.append(
            f"{tables[number].path.name}: {dropped} mutations already read from another file "
            "were dropped (the same year given twice?)"
        )
    return rows[~repeated]


def _departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _house_sales(rows: pd.DataFrame, notes: dict[str, int]) -> pd.DataFrame:
    """One row per house sale kept, with its price per m²; counts what was set aside in ``notes``.

    A mutation (rows sharing an ``id_mutation``) counts as a house sale when its
    nature is ``Vente``, exactly one of its rows is a ``Maison`` and none is an
    ``Appartement`` or commercial premises; dependencies (garages) and land may
    come with it, as they do with most houses. The mutation's
    ``valeur_fonciere`` (repeated on each of its rows) is divided by the house
    row's ``surface_reelle_bati``.
    """
    sales = rows[rows["nature"] == _SALE]
    is_house = sales["type_local"] == _HOUSE
    is_other = sales["type_local"].isin(_OTHER_BUILT)
    per_mutation = pd.DataFrame(
        {
            "houses": is_house.groupby(sales["mutation"]).sum(),
            "others": is_other.groupby(sales["mutation"]).sum(),
        }
    )
    with_house = per_mutation[per_mutation["houses"] > 0]
    single = with_house[(with_house["houses"] == 1) & (with_house["others"] == 0)].index
    notes["excluded_several_dwellings"] = len(with_house) - len(single)
    houses = sales[is_house & sales["mutation"].isin(single)]

    no_price = ~(houses["value"] > 0)
    no_surface = ~(houses["surface"] > 0) & ~no_price
    notes["excluded_no_price"] = int(no_price.sum())
    notes["excluded_no_surface"] = int(no_surface.sum())
    houses = houses[~no_price & ~no_surface]
    price = houses["value"] / houses["surface"]
    absurd = (price < MIN_PRICE_EUR_M2) | (price > MAX_PRICE_EUR_M2)
    notes["excluded_price_bounds"] = int(absurd.sum())
    return houses.assign(price=price)[~absurd]


class DvfSource(OpenDataSource):
    """House prices from DVF géolocalisées (Etalab, from DGFiP's Demandes de valeurs foncières).

    The standard table is a COMMUNE table indexed by ``insee`` (arrondissements
    of Paris, Lyon and Marseille given as their commune), one row per commune
    with at least one house sale kept:

    ``house_price_eur_m2``
        Median price per m² of built surface of the house sales kept (see
        below), over the whole period.
    ``house_sales``
        How many sales the median is taken over.
    ``low_confidence``
        True where ``house_sales`` < :data:`LOW_CONFIDENCE_SALES`.
    ``low_confidence_prices_eur_m2``
        Where ``low_confidence``, the prices per m² of those few sales (sorted), so
        that the spread of their median can be measured (``rank --robust``
        bootstraps them); empty elsewhere.
    ``period_start``, ``period_end``
        The period the files cover (ISO dates): their earliest and latest
        mutation dates (the oldest year of the window may be only its second half).

    A sale is kept when its mutation is a ``Vente`` with exactly one ``Maison``
    and no ``Appartement`` or commercial local (a sale's ``valeur_fonciere`` is
    repeated on each of its rows and cannot be split between two dwellings),
    the house's ``surface_reelle_bati`` and the price are positive, and the
    price per m² lies within :data:`MIN_PRICE_EUR_M2`–:data:`MAX_PRICE_EUR_M2`.
    Rows repeated word for word within a file are kept (DVF lists identical
    dependencies that way): a mutation with two identical house rows is a sale
    of two houses, and is set aside.
    """

    key: ClassVar[str] = "dvf"
    name: ClassVar[str] = "Demandes de valeurs foncières géolocalisées (DVF géolocalisées)"
    publisher: ClassVar[str | Text] = Text(
        en="Etalab (DINUM), from DGFiP's Demandes de valeurs foncières",
        fr="Etalab (DINUM), d’après les Demandes de valeurs foncières de la DGFiP",
    )
    licence: ClassVar[str] = "Licence Ouverte / Etalab 2.0"
    page_url: ClassVar[str] = (
        "https://www.data.gouv.fr/fr/datasets/demandes-de-valeurs-foncieres-geolocalisees/"
    )
    file_format: ClassVar[str] = (
        "CSV, ','-separated, UTF-8 without BOM, gzip-compressed (.csv.gz; plain .csv accepted), "
        "one file per département and year, one row per lot or local of a mutation; columns "
        "used: id_mutation, date_mutation (yyyy-mm-dd), nature_mutation, valeur_fonciere, "
        "code_commune, type_local, surface_reelle_bati"
    )
    edition_rule: ClassVar[str] = (
        "The calendar years the mutation dates cover, 2021-2025 (one year: 2025); dated by "
        "the last mutation date; per département"
    )
    #: DGFiP publishes DVF twice a year (April and October).
    rhythm_days: ClassVar[int] = 183
    #: A release covers mutations up to about four months before it.
    lag_days: ClassVar[int] = 120
    per_departement: ClassVar[bool] = True
    #: Rows are communes with a house sale: fewer years give fewer communes (one year of
    #: five, about two thirds of them in the Gers), hence a looser share than elsewhere.
    min_row_share: ClassVar[float] = 0.5
    #: A département's year is a few hundred MB at most (Paris, the Nord) once decompressed.
    max_file_bytes: ClassVar[int] = 2 << 30
    table_columns: ClassVar[tuple[str, ...]] = ("insee", "house_price_eur_m2", "house_sales")
    features: ClassVar[tuple[Feature, ...]] = (
        Feature(
            name="house_price_eur_m2",
            unit=EUR_PER_M2,
            label=Text(en="House price", fr="Prix des maisons"),
            description=Text(
                en="Median price per m² of built surface of the houses sold in the commune "
                "over the DVF period (sales of one house alone; absurd prices set aside).",
                fr="Prix médian au m² de surface bâtie des maisons vendues dans la commune "
                "sur la période DVF (ventes d’une seule maison ; prix aberrants écartés).",
            ),
            sources=("dvf",),
            compute=from_table(house_price_eur_m2, "dvf"),
        ),
        Feature(
            name="house_sales",
            unit=SALES,
            label=Text(en="House sales", fr="Ventes de maisons"),
            description=Text(
                en="Number of house sales the median price is taken over.",
                fr="Nombre de ventes de maisons sur lesquelles porte le prix médian.",
            ),
            sources=("dvf",),
            compute=from_table(house_sales_count, "dvf"),
        ),
        Feature(
            name="house_price_low_confidence",
            unit=FLAG,
            label=Text(
                en="House price from few sales", fr="Prix des maisons établi sur peu de ventes"
            ),
            description=Text(
                en=f"1 where the median house price rests on fewer than {LOW_CONFIDENCE_SALES} "
                "sales, 0 otherwise.",
                fr=f"1 si le prix médian des maisons repose sur moins de {LOW_CONFIDENCE_SALES} "
                "ventes, 0 sinon.",
            ),
            sources=("dvf",),
            compute=from_table(house_price_low_confidence, "dvf"),
        ),
    )

    def downloads(self, *, departement: str, today: date | None = None) -> list[Download]:
        """The département's files for the last :data:`YEARS` full years.

        Each is optional: a year geo-DVF does not publish (any more) is skipped by a
        fetch, with a warning, and the edition covers the years there are.

        Parameters
        ----------
        departement
            The département code (``32``, ``2A``, ``974``).
        today
            The date to count the years from (default: today); see
            :func:`latest_full_year`.
        """
        last = latest_full_year(today or date.today())
        return [
            Download(
                url=f"{BASE_URL}/{year}/departements/{departement}.csv.gz",
                filename=f"dvf-{year}-{departement}.csv.gz",
                # Between October and April the oldest year is half there, or gone: a year
                # the server does not have is skipped with a warning.
                optional=True,
                what=f"DVF {year}",
            )
            for year in range(last - YEARS + 1, last + 1)
        ]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse one or more years of a département into the COMMUNE table (class docstring).

        Notes counted: ``sales_kept``, ``excluded_several_dwellings``,
        ``excluded_no_price``, ``excluded_no_surface``,
        ``excluded_price_bounds``, ``low_confidence_communes``,
        ``unknown_commune_sales`` (sales in communes the commune table does
        not know: a code older than its geography).

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read; or if no
            file has a mutation in the département.
        """
        if not files:
            raise SourceFormatError("DVF: no file given")
        tables = [_read(Path(path), max_bytes=self.max_file_bytes) for path in files]
        rows = pd.concat(
            [_rows(table, number) for number, table in enumerate(tables)], ignore_index=True
        )
        if rows.empty:
            names = ", ".join(t.path.name for t in tables)
            raise SourceFormatError(f"{names}: no mutation rows after the header line")
        in_departement = rows["insee"].map(_departement_of) == context.departement
        if not in_departement.any():
            found = ", ".join(sorted(rows["insee"].map(_departement_of).unique()))
            names = ", ".join(t.path.name for t in tables)
            raise SourceFormatError(
                f"{names}: no mutation in département {context.departement} "
                f"(the files are for {found})"
            )
        rows = _drop_repeated_mutations(rows, tables)
        known = context.communes.communes.index
        rows = rows.assign(insee=_commune_of_arrondissement(rows["insee"], known))

        years = sorted({int(y) for y in rows["date"].dt.year})
        warnings = [w for t in tables for w in t.warnings]
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        if missing:
            warnings.append(
                "no mutation dated " + ", ".join(map(str, missing)) + f" in the files "
                f"({years[0]}-{years[-1]}): a year's file is missing"
            )
        first_date, last_date = rows["date"].min().date(), rows["date"].max().date()
        if first_date.month >= 7:
            warnings.append(
                f"the first year, {years[0]}, starts on {first_date.isoformat()}: only its "
                "second half is published (DVF keeps five years, by half-years)"
            )
        period_start = first_date.isoformat()

        notes: dict[str, int] = {}
        sales = _house_sales(rows, notes)
        grouped = sales.groupby("insee")["price"]
        counts = grouped.size()
        low = counts < LOW_CONFIDENCE_SALES
        few = sales[sales["insee"].isin(counts.index[low])].groupby("insee")["price"]
        few_prices = {code: sorted(float(p) for p in prices) for code, prices in few}
        table = pd.DataFrame(
            {
                "house_price_eur_m2": grouped.median().astype(float),
                "house_sales": counts.astype("int64"),
                "low_confidence": low,
                "low_confidence_prices_eur_m2": pd.Series(
                    [few_prices.get(code) for code in counts.index],
                    index=counts.index,
                    dtype=object,
                ),
            }
        )
        table["period_start"] = period_start
        table["period_end"] = last_date.isoformat()
        table = table.rename_axis("insee").sort_index()
        notes["sales_kept"] = len(sales)
        notes["low_confidence_communes"] = int(table["low_confidence"].sum())
        notes["unknown_commune_sales"] = int((~sales["insee"].isin(known)).sum())
        edition = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        return Parsed(
            table=table,
            edition=edition,
            edition_date=last_date,
            warnings=tuple(warnings),
            notes=notes,
        )
