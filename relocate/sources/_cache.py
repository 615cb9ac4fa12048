"""The on-disk cache layout shared by every source: ``<cache>/<source>/<edition>/``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["source_cache_dir"]


def source_cache_dir(cache_dir: Path, *, source: str, edition: str) -> Path:
    """Return the folder one edition of a source is cached in."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in edition)
    return cache_dir / source / safe
