"""Getting editions into the cache: downloads (bounded in time and size), imports, checks.

Fetch and import share one path (:func:`_install`): under the source's lock,
stale staging folders are removed, the files are gathered into a new staging
folder, parsed, checked against the edition in use (a file that gives far fewer
rows is refused as cut or partial), and the staging folder becomes the edition
folder by a rename. Whatever fails, the cache is left as it was and the message,
one line, says which edition is kept.
"""

from __future__ import annotations

import csv
import inspect
import os
import shutil
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from relocate.errors import FetchError, RelocateError, SourceError, SourceFormatError
from relocate.sources._csv import MAX_FILE_BYTES, size_text
from relocate.sources.opendata import OpenDataSource, ParseContext, Parsed
from relocate.sources.store import Installed, Manifest, Store, cache_problem

__all__ = [
    "DEFAULT_TIMEOUT",
    "Limits",
    "describe",
    "download",
    "fetch_source",
    "import_files",
    "make_session",
]

#: Seconds to connect, and to wait for each piece of data.
DEFAULT_TIMEOUT = (10.0, 60.0)
_CHUNK = 1 << 16
#: What a notice is shown with (``click.echo`` on the command line).
Notify = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How long and how much one download may take.

    Attributes
    ----------
    connect_s
        Seconds to wait for a connection.
    read_s
        Seconds to wait for each piece of data: a server silent for longer hangs.
    deadline_s
        Seconds a whole file may take, retries and waits included (a server that
        drips a byte now and then never times out otherwise).
    retry_after_s
        The longest ``Retry-After`` a server may ask relocate to wait between tries.
    max_bytes
        The largest file, once decompressed; None for the source's own limit
        (:attr:`~relocate.sources.opendata.OpenDataSource.max_file_bytes`).
    """

    connect_s: float = DEFAULT_TIMEOUT[0]
    read_s: float = DEFAULT_TIMEOUT[1]
    deadline_s: float = 3600.0
    retry_after_s: float = 120.0
    max_bytes: int | None = None

    @property
    def timeout(self) -> tuple[float, float]:
        """``(connect, read)`` seconds, as requests takes them."""
        return (self.connect_s, self.read_s)


class _CappedRetry(Retry):
    """urllib3's retries, waiting no longer than :attr:`max_retry_after_s` for a Retry-After."""

    max_retry_after_s: ClassVar[float] = Limits.retry_after_s

    def parse_retry_after(self, retry_after: str) -> float:
        """The server's Retry-After in seconds, capped; an unreadable one is ignored."""
        try:
            seconds = super().parse_retry_after(retry_after)
        except urllib3.exceptions.InvalidHeader:
            return 0.0
        return min(seconds, self.max_retry_after_s)


def make_session(
    *,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after_s: float = Limits.retry_after_s,
    max_redirects: int = 10,
) -> requests.Session:
    """A session that retries failed connections and 429/5xx answers, with backoff.

    A server's ``Retry-After`` is honoured up to ``max_retry_after_s`` seconds.
    """
    capped = type("_Retry", (_CappedRetry,), {"max_retry_after_s": max_retry_after_s})
    retry = capped(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )
    session = requests.Session()
    session.max_redirects = max_redirects
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "relocate (open-data fetcher)"
    return session


# --- one download -------------------------------------------------------------------------------


def _is_read_timeout(exc: BaseException) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(
        reason, urllib3.exceptions.ReadTimeoutError
    )


def _request_failure(
    url: str, host: str, exc: requests.exceptions.RequestException, timeout: tuple[float, float]
) -> FetchError:
    """The one-line error for a request that got no usable answer."""
    if _is_read_timeout(exc):
        return FetchError(
            f"{host} accepted the connection but sent nothing for {timeout[1]:g} s "
            f"for {url} (it hangs); try again later"
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return FetchError(f"cannot reach {host} (no connection within {timeout[0]:g} s: offline?)")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return FetchError(f"{host} redirects {url} in a loop (too many redirects)")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if "Connection broken" in str(exc) or "IncompleteRead" in str(exc):
            return FetchError(f"the download of {url} was cut off")
        return FetchError(f"cannot reach {host} (offline?)")
    if isinstance(exc, requests.exceptions.Timeout):
        return FetchError(f"{host} did not answer in time for {url}")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FetchError(f"the download of {url} was cut off")
    return FetchError(f"cannot download {url}: {exc}")


def _retry_after_note(response: requests.Response) -> str:
    wait = response.headers.get("Retry-After", "").strip()
    return f" (it asks to wait {wait} s before trying again)" if wait else ""


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body, decompressed, in pieces that come as soon as any data arrives."""
    read1 = getattr(response.raw, "read1", None)
    if read1 is None or "decode_content" not in inspect.signature(read1).parameters:
        # An older urllib3: pieces of a fixed size (the deadline is checked between them).
        yield from response.iter_content(chunk_size=_CHUNK)  # pragma: no cover
        return
    while chunk := read1(_CHUNK, decode_content=True):
        yield chunk


@dataclass(frozen=True)
class _Transfer:
    """What one download is allowed, and where it goes."""

    url: str
    host: str
    started: float
    deadline_s: float
    read_s: float
    max_bytes: int
    encoded: bool


def _stream(response: requests.Response, dest: Path, transfer: _Transfer, *, bar: tqdm) -> int:
    """Write the body to ``dest`` within the deadline and the size limit; return its size."""
    url, written = transfer.url, 0
    chunks = _chunks(response)
    with dest.open("wb") as out:
        while True:
            if time.monotonic() - transfer.started > transfer.deadline_s:
                raise FetchError(
                    f"the download of {url} took longer than {transfer.deadline_s:g} s "
                    f"({size_text(written)} received): {transfer.host} sends too slowly; "
                    "try again later"
                )
            try:
                chunk = next(chunks, b"")
            except (urllib3.exceptions.ReadTimeoutError, requests.ConnectionError) as exc:
                if isinstance(exc, requests.ConnectionError) and not _is_read_timeout(exc):
                    raise FetchError(f"the download of {url} was cut off") from exc
                raise FetchError(
                    f"{transfer.host} stopped sending {url} for {transfer.read_s:g} s after "
                    f"{size_text(written)} (it hangs); try again later"
                ) from exc
            except (
                urllib3.exceptions.DecodeError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                raise FetchError(
                    f"the compressed data {transfer.host} sent for {url} is damaged"
                ) from exc
            except (
                urllib3.exceptions.ProtocolError,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                raise FetchError(f"the download of {url} was cut off") from exc
            if not chunk:
                return written
            written += len(chunk)
            if written > transfer.max_bytes:
                once = " once decompressed" if transfer.encoded else ""
                raise FetchError(
                    f"the download of {url} passed {size_text(transfer.max_bytes)}{once}, more "
                    "than relocate accepts for this source: not the expected file "
                    "(a compression bomb?)"
                )
            out.write(chunk)
            bar.update(len(chunk))


def download(
    url: str,
    dest: Path,
    *,
    session: requests.Session,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    progress: bool = True,
    deadline_s: float = Limits.deadline_s,
    max_bytes: int = MAX_FILE_BYTES,
) -> None:
    """Download ``url`` to ``dest``, checking the length the server announced.

    Parameters
    ----------
    timeout
        Seconds to connect, and to wait for each piece of data.
    deadline_s
        Seconds the whole download may take.
    max_bytes
        The largest body accepted, once decompressed.

    Raises
    ------
    FetchError
        If the server cannot be reached, hangs, answers with an error, sends
        more than ``max_bytes``, takes longer than ``deadline_s``, or the
        transfer stops before the end of the file.
    """
    host = urlsplit(url).netloc or url
    started = time.monotonic()
    try:
        response = session.get(url, stream=True, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise _request_failure(url, host, exc, timeout) from exc
    with response:
        if response.status_code >= 400:
            raise FetchError(
                f"{host} answered {response.status_code} for {url}{_retry_after_note(response)}"
            )
        expected = response.headers.get("Content-Length")
        total = int(expected) if expected and expected.isdigit() else None
        encoded = response.headers.get("Content-Encoding", "identity").lower() not in (
            "",
            "identity",
        )
        if total is not None and not encoded and total > max_bytes:
            raise FetchError(
                f"{url} is {size_text(total)}, more than the {size_text(max_bytes)} relocate "
                "accepts for this source: not the expected file?"
            )
        transfer = _Transfer(
            url=url,
            host=host,
            started=started,
            deadline_s=deadline_s,
            read_s=timeout[1],
            max_bytes=max_bytes,
            encoded=encoded,
        )
        with tqdm(
            total=None if encoded else total,
            unit="B",
            unit_scale=True,
            desc=dest.name,
            disable=not progress,
            leave=False,
        ) as bar:
            _stream(response, dest, transfer, bar=bar)
        received = response.raw.tell()  # bytes on the wire, before any decompression
    if total is not None and received != total:
        raise FetchError(f"the download of {url} was cut off at {received} of {total} bytes")


# --- fetch and import -----------------------------------------------------------------------------


def _departement(source: OpenDataSource, context: ParseContext) -> str | None:
    return context.departement if source.per_departement else None


def _in_use(store: Store, source: OpenDataSource, context: ParseContext) -> Manifest | None:
    """The edition a run would load now, if any."""
    editions = store.editions(
        source.key, departement=_departement(source, context), columns=source.table_columns
    )
    return editions[0] if editions else None


def _kept(store: Store, source: OpenDataSource, context: ParseContext) -> str:
    try:
        in_use = _in_use(store, source, context)
    except OSError:
        return "the cache was left as it was"
    return f"edition {in_use.edition} kept" if in_use else "nothing was cached before"


def _download_all(
    source: OpenDataSource,
    staging: Path,
    *,
    context: ParseContext,
    session: requests.Session,
    progress: bool,
    limits: Limits,
) -> list[tuple[Path, str]]:
    """Download every file of a source's edition into ``staging``; return each with its URL."""
    files = []
    for item in source.downloads(departement=context.departement):
        dest = staging / item.filename
        try:
            download(
                item.url,
                dest,
                session=session,
                progress=progress,
                timeout=limits.timeout,
                deadline_s=limits.deadline_s,
                max_bytes=limits.max_bytes or source.max_file_bytes,
            )
        except FetchError as exc:
            raise FetchError(
                f"{exc}; you can download {item.url} yourself and run "
                f"`relocate data import {source.key} FILE`"
            ) from exc
        files.append((dest, item.url))
    return files


def fetch_source(
    source: OpenDataSource,
    *,
    store: Store,
    context: ParseContext,
    session: requests.Session | None = None,
    progress: bool = True,
    limits: Limits | None = None,
    accept_smaller: bool = False,
    notify: Notify | None = None,
) -> Manifest:
    """Download a source's latest edition, parse it and install it in the cache.

    Everything happens in a staging folder that becomes the edition folder by a
    rename at the end: an interrupted or failed fetch leaves the cache as it was,
    and the message says which edition is kept.

    Parameters
    ----------
    limits
        Timeouts, deadline and size limit of each download (:class:`Limits`).
    accept_smaller
        Install an edition with far fewer rows than the one in use (see
        :attr:`~relocate.sources.opendata.OpenDataSource.min_row_share`).
    notify
        Called with each line worth telling (what was installed, stale folders removed).
    """
    session = session or make_session()
    chosen = limits or Limits()
    # A source fetched through a client library (osmnx) has its own way in.
    custom = getattr(source, "fetch_into", None)

    def gather(staging: Path) -> list[tuple[Path, str]]:
        if custom is not None:
            return list(custom(staging, context=context, progress=progress))
        return _download_all(
            source, staging, context=context, session=session, progress=progress, limits=chosen
        )

    return _install(
        source,
        store=store,
        context=context,
        how="fetched",
        gather=gather,
        accept_smaller=accept_smaller,
        notify=notify,
    )


def _parse(source: OpenDataSource, files: Sequence[Path], context: ParseContext) -> Parsed:
    """Parse the files; an error the parser did not foresee still becomes one line."""
    try:
        return source.parse(list(files), context=context)
    except RelocateError:
        raise
    except (
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        UnicodeError,
        csv.Error,
        zlib.error,
        EOFError,
    ) as exc:
        names = ", ".join(path.name for path in files)
        raise SourceFormatError(
            f"{names}: cannot be read as {source.name} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'})"
        ) from exc


def _check_rows(
    source: OpenDataSource,
    parsed: Parsed,
    in_use: Manifest | None,
    names: str,
    *,
    accept_smaller: bool,
) -> None:
    """Refuse an edition with no rows, or far fewer than the edition in use."""
    rows = len(parsed.table)
    if rows == 0:
        raise SourceFormatError(f"{names}: no data rows (a header-only or empty file?)")
    if in_use is None or accept_smaller or rows >= in_use.rows * source.min_row_share:
        return
    raise SourceFormatError(
        f"{names} {'give' if ', ' in names else 'gives'} {rows:,} rows, far fewer than the "
        f"{in_use.rows:,} of edition "
        f"{in_use.edition} in use (under {source.min_row_share:.0%} of them): a cut or "
        "partial file? If it is complete, import it again with --accept-smaller"
    )


def describe(source: OpenDataSource, installed: Installed, in_use: Manifest | None) -> str:
    """What an install did, in one line (as ``relocate data import`` prints it)."""
    manifest = installed.manifest
    if installed.outcome == "unchanged":
        line = (
            f"{source.key}: edition {manifest.edition} is already in the cache with these "
            f"very files ({manifest.how} {manifest.retrieved[:10]}): nothing changed"
        )
    else:
        repairs = (
            f", {len(manifest.warnings)} repairs (see data status)" if manifest.warnings else ""
        )
        line = (
            f"{source.key}: edition {manifest.edition} {manifest.how} "
            f"({manifest.rows:,} rows{repairs})"
        )
        if installed.outcome == "renamed":
            base = manifest.edition.rsplit(" #", 1)[0]
            line += (
                f"; edition {base}, already in the cache, holds other files: both are kept, "
                "this one under its own name"
            )
    if in_use is not None and in_use.edition != manifest.edition:
        line += f"; not in use: edition {in_use.edition} is newer and stays in use"
    return line


def _scrub(message: str, staging: Path | None) -> str:
    """A message without the staging folder's path (a user never sees that folder)."""
    if staging is None:
        return message
    return message.replace(f"{staging}{os.sep}", "").replace(str(staging), "the new edition")


def _install(
    source: OpenDataSource,
    *,
    store: Store,
    context: ParseContext,
    how: str,
    gather: Callable[[Path], list[tuple[Path, str]]],
    accept_smaller: bool = False,
    notify: Notify | None = None,
) -> Manifest:
    """Gather files into a staging folder, parse them, install the edition; clean up always.

    A failure leaves the cache as it was, and its message says which edition is kept.
    """
    tell = notify or (lambda line: None)
    staging: Path | None = None
    try:
        with store.lock(source.key):
            for name in store.remove_stale(source.key):
                tell(f"{source.key}: removed {name}, left in the cache by an interrupted run")
            previous = _in_use(store, source, context)
            staging = store.staging(source.key)
            try:
                files = gather(staging)
                parsed = _parse(source, [p for p, _ in files], context)
                names = ", ".join(p.name for p, _ in files)
                _check_rows(source, parsed, previous, names, accept_smaller=accept_smaller)
                installed = store.put(
                    source,
                    staging=staging,
                    files=files,
                    parsed=parsed,
                    how=how,
                    departement=context.departement,
                )
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            in_use = _in_use(store, source, context)
    except RelocateError as exc:
        kept = _kept(store, source, context)
        raise type(exc)(f"{source.key}: {_scrub(str(exc), staging)}; {kept}") from exc
    except OSError as exc:
        where = store.source_dir(source.key)
        if isinstance(exc.filename, str) and not Path(exc.filename).is_relative_to(store.cache_dir):
            where = Path(exc.filename).parent  # a temporary folder of a parser
        kept = _kept(store, source, context)
        raise SourceError(f"{source.key}: {cache_problem(exc, where)}; {kept}") from exc
    tell(describe(source, installed, in_use))
    return installed.manifest


def _check_file(path: Path, source: OpenDataSource) -> None:
    """Refuse a path that is not a readable regular file of a plausible size."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise SourceError(f"{path}: no such file; give the path of a file you downloaded") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        try:
            inside = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))
        except OSError:
            inside = []
        listed = f" ({', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''})" if inside else ""
        raise SourceError(f"{path} is a folder, not a file: give the file(s) in it{listed}")
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise SourceError(f"{path} is {kind}, not a file: save the data to a file and give that")
    if info.st_size > source.max_file_bytes:
        raise SourceError(
            f"{path} is {size_text(info.st_size)}, more than the "
            f"{size_text(source.max_file_bytes)} relocate accepts for {source.key}: "
            "not the expected file?"
        )


def _copy(path: Path, dest: Path) -> None:
    """Copy a file keeping its date (some editions are dated by it); say which side failed."""
    try:
        source = path.open("rb")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    with source, dest.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    info = path.stat()
    os.utime(dest, ns=(info.st_atime_ns, info.st_mtime_ns))


def import_files(
    source: OpenDataSource,
    paths: Sequence[Path],
    *,
    store: Store,
    context: ParseContext,
    accept_smaller: bool = False,
    notify: Notify | None = None,
) -> Manifest:
    """Parse files an analyst downloaded and install them in the cache, like a fetch.

    Raises
    ------
    SourceError
        If a path is not a regular file (missing, a folder, a pipe, a device),
        two files have one name, or the cache cannot be written.
    SourceFormatError
        If the files are not the source's format, are cut, or give far fewer
        rows than the edition in use (unless ``accept_smaller``).
    """
    for path in paths:
        _check_file(path, source)
    names = [path.name for path in paths]
    if len(set(names)) != len(names):
        raise SourceError(
            f"two files named {next(n for n in names if names.count(n) > 1)!r}: "
            "rename one (a source's files are kept side by side)"
        )

    def gather(staging: Path) -> list[tuple[Path, str]]:
        files = []
        for path in paths:
            dest = staging / path.name
            _copy(path, dest)
            files.append((dest, str(path.resolve())))
        return files

    return _install(
        source,
        store=store,
        context=context,
        how="imported",
        gather=gather,
        accept_smaller=accept_smaller,
        notify=notify,
    )
