"""Provenance records: what a source is, who publishes it, under which licence, which edition."""

from __future__ import annotations

from dataclasses import dataclass

from relocate.declare import Text, in_language
from relocate.i18n import translator

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
    name: str | Text
    publisher: str | Text
    licence: str | Text
    edition: str
    loaded_from: str
    url: str = ""

    def citation(self, lang: str = "en") -> str:
        """One line naming the source, its publisher, edition and licence, in ``lang``."""
        tr = translator(lang)
        return tr._("{name} ({publisher}), edition {edition}, licence {licence}").format(
            name=tr.punctuate(in_language(self.name, lang)),
            publisher=in_language(self.publisher, lang),
            edition=self.edition,
            licence=in_language(self.licence, lang),
        )
