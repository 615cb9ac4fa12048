"""Matching names people type: villages (case-, accent- and article-insensitive), misspellings."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from relocate.errors import UnknownVillageError

__all__ = ["find_village", "normalise_name", "suggest"]

_ARTICLES = {"l", "le", "la", "les"}


def normalise_name(name: str) -> str:
    """Lower-case, strip accents, keep letters and digits, drop a leading article."""
    ligatures = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFKD", ligatures)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = re.findall(r"[a-z0-9]+", plain)
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def find_village(names: Mapping[str, str], query: str) -> str:
    """Return the INSEE code of the one village that ``query`` names.

    Parameters
    ----------
    names
        Village names by INSEE code.
    query
        An INSEE code, or a name in any case, with or without accents or a
        leading article (``Isle-Jourdain`` finds ``L'Isle-Jourdain``).

    Raises
    ------
    UnknownVillageError
        If nothing matches (close names are suggested) or several villages do
        (they are listed with their codes).

    """
    wanted = query.strip()
    if wanted.upper() in names:
        return wanted.upper()
    key = normalise_name(wanted)
    if not key:
        raise UnknownVillageError("give a village name or INSEE code")
    normalised = {code: normalise_name(name) for code, name in names.items()}
    tiers = (
        lambda norm: norm == key,  # the whole name
        lambda norm: f" {key} " in f" {norm} ",  # whole words of it
        lambda norm: norm.startswith(key),  # its beginning
        lambda norm: key in norm,  # any part of it
    )
    matches: list[str] = []
    for tier in tiers:
        matches = sorted(code for code, norm in normalised.items() if tier(norm))
        if matches:
            break
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(f"{names[c]} ({c})" for c in matches[:15])
        more = f" and {len(matches) - 15} more" if len(matches) > 15 else ""
        raise UnknownVillageError(
            f"{query!r} matches {len(matches)} villages: {shown}{more}; "
            "give the full name or the INSEE code"
        )
    close = difflib.get_close_matches(key, sorted(set(normalised.values())), n=5, cutoff=0.6)
    codes = [code for norm in close for code in sorted(normalised) if normalised[code] == norm]
    hint = (
        "; did you mean " + ", ".join(f"{names[code]} ({code})" for code in codes) + "?"
        if codes
        else ""
    )
    raise UnknownVillageError(f"no village named {query!r} here{hint}")


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to a misspelt name, if one is close enough."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None
