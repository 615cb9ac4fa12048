"""Matching names people type: villages (case-, accent- and article-insensitive), misspellings."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from relocate.errors import UnknownVillageError

__all__ = ["find_village", "insee_departement", "nearest", "normalise_name", "suggest"]

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
    departement = insee_departement(wanted)
    if departement is not None:
        _refuse_code(wanted.upper(), departement, names)
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
            f"{_shown(query)} matches {len(matches)} villages: {shown}{more}; "
            "give the full name or the INSEE code"
        )
    close = nearest(key, sorted(set(normalised.values())), n=5)
    codes = [code for norm in close for code in sorted(normalised) if normalised[code] == norm]
    hint = (
        "; did you mean " + ", ".join(f"{names[code]} ({code})" for code in codes) + "?"
        if codes
        else ""
    )
    raise UnknownVillageError(f"no village named {_shown(query)} here{hint}")


def _refuse_code(code: str, departement: str, names: Mapping[str, str]) -> None:
    """Say why an INSEE code names no village here: another département's, or no village's."""
    here = sorted({d for c in names if (d := insee_departement(c)) is not None})
    if here and departement not in here:
        option = "2A or 2B" if departement == "20" else departement  # Corsica's old 20
        raise UnknownVillageError(
            f"{code!r} is an INSEE code of département {option}, not {', '.join(here)}: "
            f"add --departement {option}"
        )
    raise UnknownVillageError(
        f"no village has INSEE code {code!r} here; check the code, or give the village's name"
    )


def _shown(text: str, limit: int = 80) -> str:
    """Text as a message quotes it: repr (line breaks escaped); a long one keeps its two ends."""
    if len(text) <= limit:
        return repr(text)
    half = limit // 2
    return f"{text[:half]!r}...{text[-half:]!r}"


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to a misspelt name, if one is close enough."""
    close = nearest(name, candidates, n=1)
    return close[0] if close else None


def nearest(
    name: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6, parts: bool = False
) -> list[str]:
    """Return up to ``n`` candidates close to a misspelt name, the closest first.

    With ``parts``, candidates that contain the name (in any case) come next.

    Examples
    --------
    >>> nearest("populatoin", ["population", "density_per_km2", "house_sales"])
    ['population']
    >>> nearest("price", ["population", "house_price_eur_m2"], parts=True)
    ['house_price_eur_m2']

    """
    pool = list(candidates)
    # difflib is quadratic in the length: a pasted paragraph is compared by its start only.
    found = difflib.get_close_matches(name[:100], pool, n=n, cutoff=cutoff)
    if parts and len(name) >= 3:
        found += [c for c in pool if name.lower() in c.lower() and c not in found]
    return found[:n]


_INSEE_CODE = re.compile(r"(?:\d{2}|2[AB])\d{3}")


def insee_departement(code: str) -> str | None:
    """The département of an INSEE commune code, or None if ``code`` is not one.

    Examples
    --------
    >>> insee_departement("31555"), insee_departement("2a004"), insee_departement("97411")
    ('31', '2A', '974')
    >>> insee_departement("Auch") is None
    True

    """
    code = code.strip().upper()
    if not _INSEE_CODE.fullmatch(code):
        return None
    return code[:3] if code.startswith("97") else code[:2]
