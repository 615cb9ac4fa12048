"""Drive-time models fitted on a loaded road network, kept as editions of the store.

A fit is made by an explicit step (importing or fetching a road network, or
``relocate data fit-drive-model``), never as a side effect of a run. It is kept as
an edition of the item ``drive-model`` (``<cache>/drive-model/fit-<roads edition>_d<dép>/``),
listed by ``relocate data status``, and every output that uses it names it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import pandas as pd

from relocate.errors import InvalidOptionError
from relocate.features.drive import DriveTimeModel
from relocate.sources.opendata import Parsed
from relocate.sources.store import Manifest, Store

__all__ = ["KEY", "FittedModel", "load_fit", "save_fit"]

#: The store's name for fitted drive-time models.
KEY = "drive-model"


class _DriveModelItem:
    """What the store needs to know of the item: its key, and that it is per département."""

    key: ClassVar[str] = KEY
    per_departement: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class FittedModel:
    """A drive-time model fitted on the road network of one département.

    Attributes
    ----------
    model
        The fitted model.
    departement
        The département whose network it was fitted on.
    roads_edition
        The edition of the road network (``osm``) it was fitted on.
    edition
        Its own edition in the store (``fit-2026-11-30``).
    """

    model: DriveTimeModel
    departement: str
    roads_edition: str
    edition: str

    @property
    def description(self) -> str:
        """The model in one line, with where it was fitted and its error (English)."""
        detour, speed = self.model.parameters
        return (
            f"estimate: straight-line distance x {detour:.2f} detour at {speed:.0f} km/h, "
            f"fitted on the road network of département {self.departement} (OpenStreetMap "
            f"{self.roads_edition}; mean error {self.model.mae_min_:.1f} min, largest "
            f"{self.model.max_error_min_:.0f} min, {self.model.n_routes_} routes; "
            f"{KEY} edition {self.edition})"
        )


def save_fit(
    store: Store,
    model: DriveTimeModel,
    *,
    departement: str,
    roads_edition: str,
    roads_date: date,
) -> Manifest:
    """Keep a fitted model as an edition of the store, replacing one of the same roads.

    Raises
    ------
    NotFittedError
        If the model is not fitted.
    """
    model.check_fitted()
    table = pd.DataFrame(
        [{**model.to_dict(), "departement": departement, "roads_edition": roads_edition}]
    )
    parsed = Parsed(
        table=table,
        edition=f"fit-{roads_edition}",
        edition_date=roads_date,
        notes={"routes": model.n_routes_},
    )
    staging = store.staging(KEY)
    try:
        return store.install(
            _DriveModelItem(),
            staging=staging,
            files=[],
            parsed=parsed,
            how="fitted",
            departement=departement,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_fit(store: Store, *, departement: str) -> FittedModel | None:
    """The fit of this département's road network, else the newest fit of any; or None."""
    editions = store.editions(KEY)
    own = [m for m in editions if m.departement == departement]
    for manifest in own + [m for m in editions if m.departement != departement]:
        loaded = store.load_table(manifest)
        if loaded is None:
            continue
        row = {str(key): value for key, value in loaded.iloc[0].items()}
        try:
            model = DriveTimeModel.from_dict(row)
        except InvalidOptionError:
            continue
        if not model.is_fitted:
            continue
        return FittedModel(
            model=model,
            departement=str(row.get("departement", manifest.departement)),
            roads_edition=str(row.get("roads_edition", "")),
            edition=manifest.edition,
        )
    return None
