"""The programme's sources: kept in the store like any other, readable by the user only.

An edition of a programme source is imported the way every source is
(:func:`relocate.sources.fetch.import_files`: a staging folder, the checked
parse, the rename into place, one line per problem, nothing half-written), with
three differences, all made here:

- the source's folder ``<cache>/<key>/``, its staging folder during the import
  and each edition folder are ``0700``, their files ``0600`` (the rest of the
  cache keeps the user's umask): the import runs under a umask of ``077``, which
  the store's own "share like the cache" step then follows;
- the source cannot be fetched (it is published nowhere), and its parser refuses
  to run outside :func:`private_import`, so that ``relocate data import members``
  cannot write the members readable by others: it says which command to use;
- every edition already in the source's folder is locked down again after an
  import (an edition copied in by hand, say).
"""

from __future__ import annotations

import contextlib
import os
from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import ClassVar

from relocate.declare import Text, in_language
from relocate.errors import SourceError
from relocate.sources.fetch import import_files
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed
from relocate.sources.store import Manifest, Store, cache_problem

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "PrivateSource",
    "lock_down",
    "private_import",
    "private_root",
    "private_umask",
]

#: The mode of a programme source's folders: the user only.
PRIVATE_DIR_MODE = 0o700
#: The mode of its files.
PRIVATE_FILE_MODE = 0o600
_PRIVATE_UMASK = 0o077

#: The programme sources being imported by :func:`private_import` in this context.
_IMPORTING: ContextVar[frozenset[str]] = ContextVar("relocate_private_import", default=frozenset())

Notify = Callable[[str], None]


class PrivateSource(OpenDataSource):
    """A source of the programme's own data: imported by the advisor, readable by them only.

    Subclasses implement :meth:`parse_private`; :meth:`parse` runs it only inside
    :func:`private_import`.
    """

    fetchable: ClassVar[bool] = False
    per_departement: ClassVar[bool] = True
    licence: ClassVar[str | Text] = Text(
        en="the programme's own data: not to be published",
        fr="données propres au programme\u00a0: à ne pas publier",
    )
    page_url: ClassVar[str] = ""
    rhythm_days: ClassVar[int] = 365
    #: The command that imports it (what ``data status`` and unavailable criteria name).
    load_command: ClassVar[str]

    def downloads(self, *, departement: str) -> list[Download]:
        """Nothing to download: the programme's data is published nowhere."""
        del departement
        return []

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the files, inside :func:`private_import` only.

        Raises
        ------
        SourceError
            Outside :func:`private_import` (``relocate data import``, ``data
            fetch``), naming the command that imports the source.
        """
        if self.key not in _IMPORTING.get():
            raise SourceError(
                f"{in_language(self.name, 'en')} are the programme's own data, kept readable "
                f"by you only: import them with `{self.load_command}`"
            )
        return self.parse_private(files, context=context)

    @abstractmethod
    def parse_private(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the files into the source's table (see each source's docstring)."""


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files and folders readable by the user only while the body runs.

    The umask is the process's: a program importing programme data in one thread
    while another writes files would give those files the same modes.
    """
    previous = os.umask(_PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def lock_down(folder: Path) -> None:
    """Make a folder ``0700`` and the files directly in it ``0600``.

    Raises
    ------
    SourceError
        If the modes cannot be changed (one line, saying where).
    """
    try:
        folder.chmod(PRIVATE_DIR_MODE)
        for path in folder.iterdir():
            if path.is_symlink():
                continue
            path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
    except OSError as exc:
        raise SourceError(cache_problem(exc, folder)) from None


def private_root(store: Store, key: str) -> Path:
    """The source's folder, made ``0700`` (the cache above it keeps the user's umask)."""
    root = store.source_dir(key)
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        root.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    except OSError as exc:
        raise SourceError(cache_problem(exc, root)) from None
    if not root.is_dir():
        raise SourceError(
            f"{root} is not a folder: move that file away (relocate keeps editions there)"
        )
    lock_down(root)
    return root


def private_import(
    source: PrivateSource,
    paths: Sequence[Path],
    *,
    store: Store,
    context: ParseContext,
    accept_smaller: bool = False,
    notify: Notify | None = None,
) -> Manifest:
    """Import a programme source's files, readable by the user only.

    As :func:`~relocate.sources.fetch.import_files` does, under a umask of ``077``.

    Parameters
    ----------
    source
        The programme source.
    paths
        Its files.
    store
        The store the edition goes into.
    context
        The communes and the département.
    accept_smaller
        Install an edition with far fewer rows than the one in use.
    notify
        Called with each line worth telling.

    Returns
    -------
    Manifest
        The edition installed (or already there with these very files).

    Raises
    ------
    SourceError, SourceFormatError
        As :func:`~relocate.sources.fetch.import_files` raises them: one line, the
        cache left as it was.
    """
    root = private_root(store, source.key)
    token = _IMPORTING.set(_IMPORTING.get() | {source.key})
    try:
        with private_umask():
            manifest = import_files(
                source,
                list(paths),
                store=store,
                context=context,
                accept_smaller=accept_smaller,
                notify=notify,
            )
    finally:
        _IMPORTING.reset(token)
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink():
            lock_down(folder)
    return manifest
