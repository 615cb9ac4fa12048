"""The versioned cache of open-data editions, `<cache>/<source>/<edition>/`.

An edition folder is made in a staging folder beside it and renamed into place,
so that a reader never sees half an edition; one already there is never replaced:
the same files again change nothing, other files get a name of their own. Imports
of one source take a lock on a file in its folder (``.lock``), so that two runs at
once queue up instead of renaming folders under each other.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd
import pyarrow.parquet as pq

from relocate.errors import SourceError
from relocate.sources._cache import source_cache_dir
from relocate.sources.opendata import OpenDataSource, Parsed, is_undated
from relocate.sources.provenance import SourceInfo

try:  # POSIX; elsewhere imports of one source are not protected from each other
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["FileRecord", "Installed", "LoadedSource", "Manifest", "Store", "cache_problem"]

#: Bump when a parsed table's layout changes: older editions are parsed again.
TABLE_SCHEMA = 1
_MANIFEST = "manifest.json"
_TABLE = "table.parquet"
_LOCK = ".lock"
_STAGING = ".staging-"
_REPLACED = ".replaced-"
#: ``.staging-<pid>-<random>``: the process that made it.
_STAGING_PID = re.compile(r"^\.staging-(\d+)-")
#: The number a later edition of the same name gets: ``2020-03-06 #2``.
_SERIAL = re.compile(r" #(\d+)$")
#: How long an import waits for another import of the same source to finish, in seconds.
LOCK_WAIT_S = 600.0


@dataclass(frozen=True, kw_only=True)
class FileRecord:
    """One source file kept in an edition folder."""

    name: str
    sha256: str
    bytes: int
    origin: str
    #: The server's ``Last-Modified`` date of a fetched file (ISO), if it gave one.
    last_modified: str | None = None


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"manifest: {what}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked_fields(data: Any) -> dict[str, Any]:
    """The fields of a manifest read from JSON, each of the type it must have."""
    _check(isinstance(data, dict), "not a JSON object")
    for key in ("source", "edition", "edition_date", "retrieved", "how"):
        _check(isinstance(data.get(key), str), f"{key!r} is not text")
    date.fromisoformat(data["edition_date"])  # ValueError if not a date
    datetime.fromisoformat(data["retrieved"])
    _check(data.get("departement") is None or isinstance(data["departement"], str), "departement")
    _check(_is_int(data.get("rows")) and data["rows"] >= 0, "'rows' is not a count")
    files = data.get("files")
    _check(isinstance(files, list) and all(isinstance(f, dict) for f in files), "'files'")
    records = tuple(FileRecord(**f) for f in files)
    _check(all(isinstance(r.name, str) and _is_int(r.bytes) for r in records), "a file record")
    warnings = data.get("warnings", [])
    _check(isinstance(warnings, list) and all(isinstance(w, str) for w in warnings), "warnings")
    notes = data.get("notes", {})
    _check(isinstance(notes, dict) and all(_is_int(v) for v in notes.values()), "'notes'")
    _check(_is_int(data.get("schema", 0)), "'schema' is not a number")
    _check(isinstance(data.get("dated_by", "content"), str), "'dated_by' is not text")
    return {
        **data,
        "files": records,
        "warnings": tuple(warnings),
        "schema": data.get("schema", 0),  # written before schemas were recorded: parse again
    }


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
    #: How the edition's date was established (:data:`~relocate.sources.opendata.DatedBy`).
    dated_by: str = "content"

    @property
    def date(self) -> date:
        """The date the edition describes (the import's day when it is unknown)."""
        return date.fromisoformat(self.edition_date)

    @property
    def age_known(self) -> bool:
        """False for an edition nobody could date (the files state no date).

        Editions made by earlier versions of relocate named ``retrieved YYYY-MM-DD``
        (the download's day) are of unknown age too.
        """
        return self.dated_by != "unknown" and not is_undated(self.edition)

    def to_json(self) -> str:
        """The manifest as JSON text."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest written by :meth:`to_json`.

        Raises
        ------
        ValueError, TypeError, KeyError
            If the text is not such a manifest: not JSON, a field missing or of
            the wrong type, a date that is not one, a negative row count.
        """
        return cls(**_checked_fields(json.loads(text)))


@dataclass(frozen=True, kw_only=True)
class LoadedSource:
    """An edition loaded from the cache: its standard table and provenance."""

    key: str
    table: pd.DataFrame
    manifest: Manifest
    info: SourceInfo
    folder: Path


@dataclass(frozen=True, kw_only=True)
class Installed:
    """What an install did.

    Attributes
    ----------
    manifest
        The edition now in the cache for these files.
    outcome
        ``new`` (a new edition folder), ``unchanged`` (an edition of that name
        already holds these very files: nothing was written) or ``renamed`` (an
        edition of that name holds other files: this one got a name of its own,
        ``<edition> #2``).
    """

    manifest: Manifest
    outcome: Literal["new", "unchanged", "renamed"]


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_problem(exc: OSError, where: Path) -> str:
    """What an error writing the cache means, and what to do, in one line."""
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"no space left to write in {where}: free some space (or set RELOCATE_CACHE_DIR)"
    if code == errno.EROFS:
        return (
            f"the cache {where} is on a read-only file system: set RELOCATE_CACHE_DIR "
            "to a writable folder"
        )
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"no permission to write in {where}: set RELOCATE_CACHE_DIR to a folder of "
            "yours, or fix its permissions"
        )
    if code in (errno.EEXIST, errno.ENOTDIR):
        return f"{where} is not a folder: move that file away (relocate keeps editions there)"
    return f"cannot write in the cache {where}: {exc.strerror or exc}"


def _umask() -> int:
    """The process's umask (read from /proc where it can be, not to change it even briefly)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _share_like_the_cache(folder: Path) -> None:
    """Give a folder and its files the usual modes (mkdtemp makes 0700, copies keep 0444)."""
    mask = _umask()
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(0o666 & ~mask)
    folder.chmod(0o777 & ~mask)


def _serial(edition: str) -> int:
    match = _SERIAL.search(edition)
    return int(match.group(1)) if match else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


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
    lock_wait_s
        How long an import waits for another import of the same source, in seconds.
    """

    def __init__(self, cache_dir: Path, *, lock_wait_s: float = LOCK_WAIT_S) -> None:
        self.cache_dir = cache_dir
        self.lock_wait_s = lock_wait_s
        self._held: dict[tuple[str, int], int] = {}

    def source_dir(self, key: str) -> Path:
        """The folder of one source's editions."""
        return self.cache_dir / key

    # --- reading ------------------------------------------------------------------------

    def _scan(
        self, key: str, *, departement: str | None, columns: Sequence[str]
    ) -> tuple[list[Manifest], list[str]]:
        """The readable editions of a source, and why each other folder is not one."""
        found: list[Manifest] = []
        ignored: list[str] = []
        root = self.source_dir(key)
        if root.exists() and not root.is_dir():
            return [], [f"{root} is a file, not a folder: move it away"]
        try:
            folders = sorted(root.iterdir()) if root.is_dir() else []
        except OSError as exc:
            return [], [f"{root}: cannot be read ({exc.strerror or exc})"]
        for folder in folders:
            if folder.name.startswith("."):
                continue
            reason, manifest = self._read_edition(key, folder, columns)
            if manifest is None:
                ignored.append(f"{folder.name}: {reason}")
                continue
            if departement is not None and manifest.departement not in (None, departement):
                continue
            found.append(manifest)
        found.sort(key=lambda m: (m.edition_date, m.retrieved, _serial(m.edition)), reverse=True)
        return found, ignored

    def _read_edition(
        self, key: str, folder: Path, columns: Sequence[str]
    ) -> tuple[str, Manifest | None]:
        """One edition folder's manifest, or why it is not a usable edition of ``key``."""
        if not folder.is_dir():
            return "not a folder", None
        try:
            manifest = Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return "no manifest.json", None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            return f"unreadable manifest.json ({str(exc).splitlines()[0][:80]})", None
        if manifest.source != key:
            return f"the manifest is of source {manifest.source!r}, not {key!r}", None
        if manifest.schema != TABLE_SCHEMA:
            return (
                f"made by another relocate (table layout {manifest.schema}): import it again",
                None,
            )
        if self.folder_of(manifest) != folder:
            return f"its manifest names edition {manifest.edition!r}, kept in another folder", None
        if not (folder / _TABLE).is_file():
            return "no table.parquet", None
        if columns:
            try:
                names = set(pq.read_schema(folder / _TABLE).names)
            except Exception:  # pyarrow raises several types for a damaged file
                return "unreadable table.parquet", None
            missing = [c for c in columns if c not in names]
            if missing:
                return (
                    f"its table has no column {missing[0]!r}: not a {key} table, or one an "
                    "earlier relocate made (import it again)",
                    None,
                )
        return "", manifest

    def editions(
        self, key: str, *, departement: str | None = None, columns: Sequence[str] = ()
    ) -> list[Manifest]:
        """The readable editions of a source, newest first (for one département if given).

        Parameters
        ----------
        columns
            Columns the edition's table must have (checked on the table's schema).
        """
        return self._scan(key, departement=departement, columns=columns)[0]

    def ignored(self, key: str, *, columns: Sequence[str] = ()) -> list[str]:
        """Why each folder of a source that is not a usable edition is left out, in words."""
        return self._scan(key, departement=None, columns=columns)[1]

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
        columns = getattr(source, "table_columns", ())
        for manifest in self.editions(source.key, departement=dep, columns=columns):
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

    # --- writing ------------------------------------------------------------------------

    def _root(self, key: str) -> Path:
        """The source's folder, made if needed."""
        root = self.source_dir(key)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except FileExistsError as exc:
            raise SourceError(cache_problem(exc, root)) from None
        if not root.is_dir():
            raise SourceError(cache_problem(OSError(errno.ENOTDIR, "Not a directory"), root))
        return root

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the source's lock: one import of a source at a time (re-entrant per thread).

        Raises
        ------
        SourceError
            If another import of the source holds it for longer than
            ``lock_wait_s``, or the lock file cannot be made.
        """
        held = (key, threading.get_ident())
        if self._held.get(held) or fcntl is None:
            self._held[held] = self._held.get(held, 0) + 1
            try:
                yield
            finally:
                self._held[held] -= 1
            return
        path = self._root(key) / _LOCK
        with path.open("a+", encoding="utf-8") as handle:
            self._acquire(handle, key, path)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            self._held[held] = 1
            try:
                yield
            finally:
                del self._held[held]
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _acquire(self, handle: Any, key: str, path: Path) -> None:
        deadline = time.monotonic() + self.lock_wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "?"
                    raise SourceError(
                        f"another relocate (process {holder}) has been importing {key} into "
                        f"{path.parent} for over {self.lock_wait_s:g} s; wait for it to finish "
                        "and try again"
                    ) from None
                time.sleep(0.05)

    def remove_stale(self, key: str) -> list[str]:
        """Remove the staging folders left by runs that were killed; return their names.

        A staging folder whose process is still running is left alone. Call it
        holding the source's lock.
        """
        root = self.source_dir(key)
        if not root.is_dir():
            return []
        removed = []
        for folder in sorted(root.iterdir()):
            if not folder.name.startswith((_STAGING, _REPLACED)) or not folder.is_dir():
                continue
            match = _STAGING_PID.match(folder.name)
            if match and (int(match.group(1)) == os.getpid() or _alive(int(match.group(1)))):
                continue  # a process at work (a fit stages before it takes the lock)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
        return removed

    def staging(self, key: str) -> Path:
        """A new, empty staging folder inside a source's folder (same filesystem)."""
        root = self._root(key)
        return Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=root))

    def _existing(self, target: Path) -> Manifest | None:
        try:
            return Manifest.from_json((target / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(
        self,
        source: Installable,
        *,
        staging: Path,
        files: Sequence[tuple[Path, str]],
        parsed: Parsed,
        how: str,
        departement: str | None,
        server_dates: Mapping[str, date] | None = None,
    ) -> Installed:
        """Move a parsed edition from ``staging`` into its edition folder, atomically.

        ``staging`` must be a folder inside this source's folder holding the
        files; it becomes the edition folder by a rename. An edition of the same
        name is never replaced: if it holds the same files (made by this version
        of relocate) nothing changes; otherwise the new one is named
        ``<edition> #2`` (``#3``...) beside it.

        Parameters
        ----------
        files
            Each file in ``staging`` with its origin (the URL or the path it came from).
        how
            ``fetched``, ``imported`` or ``fitted``.
        server_dates
            The ``Last-Modified`` date each fetched file's server gave, by file name.
        """
        dep = departement if source.per_departement else None
        served = server_dates or {}
        records = tuple(
            FileRecord(
                name=p.name,
                sha256=sha256_of(p),
                bytes=p.stat().st_size,
                origin=o,
                last_modified=served[p.name].isoformat() if p.name in served else None,
            )
            for p, o in files
        )
        with self.lock(source.key):
            manifest = Manifest(
                source=source.key,
                edition=parsed.edition,
                edition_date=parsed.edition_date.isoformat(),
                departement=dep,
                retrieved=datetime.now(UTC).isoformat(timespec="seconds"),
                how=how,
                files=records,
                rows=len(parsed.table),
                warnings=parsed.warnings,
                notes=dict(parsed.notes),
                dated_by=parsed.dated_by,
            )
            parsed.table.to_parquet(staging / _TABLE)
            outcome: Literal["new", "unchanged", "renamed"] = "new"
            target = self.folder_of(manifest)
            if target.exists() or target.is_symlink():
                existing = self._existing(target)
                if existing is not None and self._same(existing, manifest, target, staging):
                    return Installed(manifest=existing, outcome="unchanged")
                manifest, outcome = self._free_name(manifest), "renamed"
                target = self.folder_of(manifest)
            (staging / _MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
            _share_like_the_cache(staging)
            os.rename(staging, target)
        return Installed(manifest=manifest, outcome=outcome)

    @staticmethod
    def _same(existing: Manifest, new: Manifest, target: Path, staging: Path) -> bool:
        """True if an edition already holds what ``staging`` would.

        That is the same files, parsed by this version of relocate; or, for an
        edition made of no file (a fitted model), the same table.
        """
        if (
            existing.relocate_version != new.relocate_version
            or existing.schema != TABLE_SCHEMA
            or not (target / _TABLE).is_file()
        ):
            return False
        if new.files:
            ours = {(r.name, r.sha256) for r in new.files}
            return {(r.name, r.sha256) for r in existing.files} == ours
        return not existing.files and sha256_of(target / _TABLE) == sha256_of(staging / _TABLE)

    def _free_name(self, manifest: Manifest) -> Manifest:
        """The manifest under the first name ``<edition> #n`` whose folder is free."""
        base = _SERIAL.sub("", manifest.edition)
        number = max(2, _serial(manifest.edition) + 1)
        while True:
            renamed = _replace_edition(manifest, f"{base} #{number}")
            folder = self.folder_of(renamed)
            if not (folder.exists() or folder.is_symlink()):
                return renamed
            number += 1

    def install(
        self,
        source: Installable,
        *,
        staging: Path,
        files: Sequence[tuple[Path, str]],
        parsed: Parsed,
        how: str,
        departement: str | None,
        server_dates: Mapping[str, date] | None = None,
    ) -> Manifest:
        """Install an edition as :meth:`put` does, and return its manifest."""
        return self.put(
            source,
            staging=staging,
            files=files,
            parsed=parsed,
            how=how,
            departement=departement,
            server_dates=server_dates,
        ).manifest


def _replace_edition(manifest: Manifest, edition: str) -> Manifest:
    data = asdict(manifest)
    data["edition"] = edition
    data["files"] = manifest.files
    data["warnings"] = manifest.warnings
    return Manifest(**data)
