"""Provenance records: what a source is, who publishes it, under which licence, which edition."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SourceInfo"]


@dataclass(frozen=True, kw_only=True)
class SourceInfo:
    """One data source as loaded for a run.

    Parameters
    ----------
    key
        Short name used on the command line (``communes``, ``airports``...).
    name
        The dataset's official name.
    publisher
        Who publishes it (and who repackages it, where that applies).
    licence
        The licence it is published under.
    edition
        The edition loaded, as precisely as the source states it.
    loaded_from
        Where this run read it from (a package and version, a file, a cache).
    url
        Where a reader can find the dataset.

    """

    key: str
    name: str
    publisher: str
    licence: str
    edition: str
    loaded_from: str
    url: str = ""

    def citation(self) -> str:
        """One line naming the source, its publisher, edition and licence."""
        return f"{self.name} ({self.publisher}), edition {self.edition}, licence {self.licence}"
