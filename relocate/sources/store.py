"""The versioned cache of open-data editions, `<cache>/<source>/<edition>/`."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from relocate.sources._cache import source_cache_dir
from relocate.sources.opendata import OpenDataSource, Parsed
from relocate.sources.provenance import SourceInfo

__all__ = ["FileRecord", "LoadedSource", "Manifest", "Store"]

#: Bump when a parsed table's layout changes: older editions are parsed again.
TABLE_SCHEMA = 1
_MANIFEST = "manifest.json"
_TABLE = "table.parquet"


@dataclass(frozen=True, kw_only=True)
class FileRecord:
    """One source file kept in an edition folder."""

    name: str
    sha256: str
    bytes: int
    origin: str


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """What an edition folder holds and where it came from."""

    source: str
    edition: str
    edition_date: str
    departement: str | None
    retrieved: str
    how: str
    files: tuple[FileRecord, ...]
    rows: int
    warnings: tuple[str, ...] = ()
    notes: dict[str, int] = field(default_factory=dict)
    schema: int = TABLE_SCHEMA
    relocate_version: str = field(default_factory=lambda: importlib.metadata.version("relocate"))

    @property
    def date(self) -> date:
        """The date the edition describes."""
        return date.fromisoformat(self.edition_date)

    def to_json(self) -> str:
        """The manifest as JSON text."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest written by :meth:`to_json`."""
        data = json.loads(text)
        data["files"] = tuple(FileRecord(**f) for f in data["files"])
        data["warnings"] = tuple(data.get("warnings", ()))
        data.setdefault("schema", 0)  # written before schemas were recorded: parse again
        return cls(**data)


@dataclass(frozen=True, kw_only=True)
class LoadedSource:
    """An edition loaded from the cache: its standard table and provenance."""

    key: str
    table: pd.DataFrame
    manifest: Manifest
    info: SourceInfo
    folder: Path


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Installable(Protocol):
    """What the store needs of a source to keep its editions: its key, and how it is split."""

    @property
    def key(self) -> str:
        """The folder's name, ``<cache>/<key>/``."""
        ...

    @property
    def per_departement(self) -> bool:
        """True if each département has editions of its own."""
        ...


class Store:
    """The cache folder where each source's editions live.

    Parameters
    ----------
    cache_dir
        Root of relocate's cache; each source gets ``<cache_dir>/<key>/``.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def source_dir(self, key: str) -> Path:
        """The folder of one source's editions."""
        return self.cache_dir / key

    def _folder_name(self, parsed: Parsed, departement: str | None) -> str:
        name = parsed.edition if departement is None else f"{parsed.edition}_d{departement}"
        return source_cache_dir(self.cache_dir, source="x", edition=name).name

    def editions(self, key: str, *, departement: str | None = None) -> list[Manifest]:
        """The readable editions of a source, newest first (for one département if given)."""
        found = []
        root = self.source_dir(key)
        if not root.is_dir():
            return []
        for folder in root.iterdir():
            if folder.name.startswith(".") or not (folder / _MANIFEST).is_file():
                continue
            try:
                manifest = Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError, KeyError):
                continue
            if manifest.schema != TABLE_SCHEMA or not (folder / _TABLE).is_file():
                continue
            if departement is not None and manifest.departement not in (None, departement):
                continue
            found.append(manifest)
        return sorted(found, key=lambda m: (m.edition_date, m.retrieved), reverse=True)

    def folder_of(self, manifest: Manifest) -> Path:
        """The folder an edition lives in."""
        name = manifest.edition
        if manifest.departement is not None:
            name = f"{name}_d{manifest.departement}"
        return source_cache_dir(self.cache_dir, source=manifest.source, edition=name)

    def load(
        self, source: OpenDataSource, *, departement: str | None = None
    ) -> LoadedSource | None:
        """Load the newest edition of a source, or None if none is cached."""
        if source.per_departement and departement is None:
            return None  # which département's edition would be a guess
        dep = departement if source.per_departement else None
        for manifest in self.editions(source.key, departement=dep):
            folder = self.folder_of(manifest)
            try:
                table = pd.read_parquet(folder / _TABLE)
            except Exception:  # an unreadable edition is skipped, not fatal
                continue
            info = SourceInfo(
                key=source.key,
                name=source.name,
                publisher=source.publisher,
                licence=source.licence,
                edition=manifest.edition,
                loaded_from=str(folder),
                url=source.page_url,
            )
            return LoadedSource(
                key=source.key, table=table, manifest=manifest, info=info, folder=folder
            )
        return None

    def load_table(self, manifest: Manifest) -> pd.DataFrame | None:
        """The table of one edition, or None if it cannot be read."""
        try:
            return pd.read_parquet(self.folder_of(manifest) / _TABLE)
        except Exception:  # an unreadable edition is skipped, not fatal
            return None

    def install(
        self,
        source: Installable,
        *,
        staging: Path,
        files: Sequence[tuple[Path, str]],
        parsed: Parsed,
        how: str,
        departement: str | None,
    ) -> Manifest:
        """Move a parsed edition from ``staging`` into its edition folder, atomically.

        ``staging`` must be a folder inside this source's folder holding the
        files; it becomes the edition folder by a rename. An edition already
        there is replaced only once the new one is complete.

        Parameters
        ----------
        files
            Each file in ``staging`` with its origin (the URL or the path it came from).
        how
            ``fetched`` or ``imported``.
        """
        dep = departement if source.per_departement else None
        manifest = Manifest(
            source=source.key,
            edition=parsed.edition,
            edition_date=parsed.edition_date.isoformat(),
            departement=dep,
            retrieved=datetime.now(UTC).isoformat(timespec="seconds"),
            how=how,
            files=tuple(
                FileRecord(name=p.name, sha256=sha256_of(p), bytes=p.stat().st_size, origin=o)
                for p, o in files
            ),
            rows=len(parsed.table),
            warnings=parsed.warnings,
            notes=dict(parsed.notes),
        )
        parsed.table.to_parquet(staging / _TABLE)
        (staging / _MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        target = self.folder_of(manifest)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".replaced-", dir=target.parent))
            os.replace(target, old / "edition")
        try:
            os.replace(staging, target)
        except OSError:
            if old is not None:
                os.replace(old / "edition", target)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        return manifest

    def staging(self, key: str) -> Path:
        """A new, empty staging folder inside a source's folder (same filesystem)."""
        root = self.source_dir(key)
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
