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
import dataclasses
import email.utils
import inspect
import json
import os
import shutil
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from relocate.declare import in_language
from relocate.errors import FetchError, RelocateError, SourceError, SourceFormatError
from relocate.sources._csv import MAX_FILE_BYTES, size_text
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed
from relocate.sources.store import Installed, Manifest, Store, cache_problem

__all__ = [
    "DEFAULT_TIMEOUT",
    "MIRROR_ENV",
    "Limits",
    "NotFoundError",
    "describe",
    "download",
    "fetch_source",
    "import_files",
    "make_session",
    "mirrored",
]

#: The environment variable that gives the mirror of the publishers' files (``--mirror``).
MIRROR_ENV = "RELOCATE_DATA_MIRROR"
#: The most pages a paged API is followed over (a ``next`` that never ends is refused).
MAX_PAGES = 1000

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


class NotFoundError(FetchError):
    """The server has no such file (404 or 410): a fallback or an optional file may follow."""


def mirrored(url: str, mirror: str | None) -> str:
    """The address of a publisher's file on a mirror with the same paths.

    The mirror holds each file under the publisher's host name, then its path
    (and query): ``https://www.insee.fr/fr/statistiques/fichier/8217525/BPE25.zip``
    is ``<mirror>/www.insee.fr/fr/statistiques/fichier/8217525/BPE25.zip``.

    Examples
    --------
    >>> mirrored("https://files.data.gouv.fr/geo-dvf/latest/csv/2024/departements/32.csv.gz",
    ...          "http://127.0.0.1:8000/open-data/")
    'http://127.0.0.1:8000/open-data/files.data.gouv.fr/geo-dvf/latest/csv/2024/departements/32.csv.gz'
    >>> mirrored("https://example.org/a?b=1", None)
    'https://example.org/a?b=1'
    """
    if not mirror:
        return url
    parts = urlsplit(url)
    if mirror.rstrip("/") and url.startswith(mirror.rstrip("/") + "/"):
        return url  # already on the mirror (a next page the mirror itself wrote)
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}{query}"


class _MirroredSession(requests.Session):
    """A session that sends every request to the mirror (:func:`mirrored`)."""

    def __init__(self, mirror: str) -> None:
        super().__init__()
        self.mirror = mirror

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """The request, to the mirror's copy of ``url``."""
        target = url.decode() if isinstance(url, bytes) else url
        return super().request(method, mirrored(target, self.mirror), *args, **kwargs)


def make_session(
    *,
    retries: int = 3,
    backoff: float = 1.0,
    max_retry_after_s: float = Limits.retry_after_s,
    max_redirects: int = 10,
    mirror: str | None = None,
) -> requests.Session:
    """A session that retries failed connections and 429/5xx answers, with backoff.

    A server's ``Retry-After`` is honoured up to ``max_retry_after_s`` seconds.
    With ``mirror``, every address is fetched from that mirror instead of the
    publisher (:func:`mirrored`: for institutions behind a proxy, and for tests).
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
    session = _MirroredSession(mirror) if mirror else requests.Session()
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
) -> date | None:
    """Download ``url`` to ``dest``, checking the length the server announced.

    Parameters
    ----------
    timeout
        Seconds to connect, and to wait for each piece of data.
    deadline_s
        Seconds the whole download may take.
    max_bytes
        The largest body accepted, once decompressed.

    Returns
    -------
    date or None
        The day the server says the file was last modified (``Last-Modified``).

    Raises
    ------
    NotFoundError
        If the server has no such file (404, 410).
    FetchError
        If the server cannot be reached, hangs, answers with an error, sends
        more than ``max_bytes``, takes longer than ``deadline_s``, or the
        transfer stops before the end of the file.
    """
    target = mirrored(url, getattr(session, "mirror", None))
    url = _shown(target)  # in messages
    host = urlsplit(target).netloc or target
    started = time.monotonic()
    try:
        response = session.get(target, stream=True, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise _request_failure(url, host, exc, timeout) from exc
    with response:
        if response.status_code in (404, 410):
            raise NotFoundError(f"{host} answered {response.status_code} for {url}")
        if response.status_code >= 400:
            raise FetchError(
                f"{host} answered {response.status_code} for {url}{_retry_after_note(response)}"
            )
        modified = _last_modified(response.headers.get("Last-Modified", ""))
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
    return modified


def _shown(url: str) -> str:
    """An address as messages give it: a long query (an Overpass query) cut short."""
    parts = urlsplit(url)
    if len(parts.query) <= 120:
        return url
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{parts.query[:60]}..."


def _last_modified(value: str) -> date | None:
    """The day of an HTTP date (``Wed, 21 Oct 2026 07:28:00 GMT``), None if unreadable."""
    if not value.strip():
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


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


@dataclass
class _Gathered:
    """The files of an edition in the staging folder, and what their fetch learnt."""

    #: Each file with its origin (the URL or the path it came from).
    files: list[tuple[Path, str]] = field(default_factory=list)
    #: The server's Last-Modified date of each fetched file, by file name.
    server_dates: dict[str, date] = field(default_factory=dict)
    #: Optional files the server did not have, each in a sentence (the edition's warnings).
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Getter:
    """How one fetch downloads: its session, limits and progress bars."""

    session: requests.Session
    limits: Limits
    progress: bool
    max_bytes: int

    def get(self, url: str, dest: Path) -> date | None:
        return download(
            url,
            dest,
            session=self.session,
            progress=self.progress,
            timeout=self.limits.timeout,
            deadline_s=self.limits.deadline_s,
            max_bytes=self.max_bytes,
        )

    def get_pages(self, url: str, dest: Path) -> date | None:
        """Follow a paged JSON API from ``url``; save every page's results as one document."""
        results: list[Any] = []
        page_file = dest.with_name(dest.name + ".page")
        modified, pages, next_url = None, 0, url
        while next_url:
            pages += 1
            if pages > MAX_PAGES:
                raise FetchError(f"{url} gives more than {MAX_PAGES} pages: not the expected API")
            modified = self.get(next_url, page_file) or modified
            try:
                page = json.loads(page_file.read_text(encoding="utf-8"))
                results.extend(page["results"])
                next_url = page.get("next") or ""
            except (ValueError, KeyError, TypeError, AttributeError):
                raise FetchError(
                    f"{next_url} is not a page of results (JSON with 'results' and 'next')"
                ) from None
        page_file.unlink(missing_ok=True)
        dest.write_text(json.dumps({"results": results}, ensure_ascii=False), encoding="utf-8")
        return modified


def _one(item: Download, staging: Path, getter: _Getter) -> tuple[Download, date | None]:
    """Download one file, or the first of its fallbacks the server has."""
    tried: list[str] = []
    for candidate in (item, *item.fallbacks):
        dest = staging / candidate.filename
        try:
            if candidate.paged:
                return candidate, getter.get_pages(candidate.url, dest)
            return candidate, getter.get(candidate.url, dest)
        except NotFoundError as exc:
            dest.unlink(missing_ok=True)
            tried.append(candidate.url)
            last = exc
    if len(tried) == 1:
        raise last
    raise NotFoundError(
        f"{last}: none of the {len(tried)} addresses tried has the file ({', '.join(tried)})"
    )


def _download_all(
    source: OpenDataSource,
    staging: Path,
    *,
    context: ParseContext,
    getter: _Getter,
) -> _Gathered:
    """Download every file of a source's edition into ``staging``.

    A file the server does not have is replaced by its first fallback it has; an
    optional one is skipped, with a warning; any other failure stops the fetch.
    """
    gathered = _Gathered()
    items = source.plan(context)
    advice = getattr(source, "import_advice", None)  # a source with its own way by hand
    for item in items:
        by_hand = (
            advice(context)
            if advice is not None
            else f"you can download {_shown(item.url)} yourself and run "
            f"`relocate data import {source.key} FILE`"
        )
        try:
            got, modified = _one(item, staging, getter)
        except NotFoundError as exc:
            if item.optional:
                what = f"{item.what}: " if item.what else ""
                gathered.skipped.append(f"{what}{exc}: skipped (not published there)")
                continue
            raise FetchError(f"{exc}; {by_hand}") from exc
        except FetchError as exc:
            raise FetchError(f"{exc}; {by_hand}") from exc
        gathered.files.append((staging / got.filename, got.url))
        if modified is not None:
            gathered.server_dates[got.filename] = modified
    if not gathered.files:
        raise FetchError(
            f"none of the {len(items)} files of {source.key} is published there "
            f"({'; '.join(gathered.skipped)})"
        )
    return gathered


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
    and the message says which edition is kept. The files are the source's
    :meth:`~relocate.sources.opendata.OpenDataSource.plan`; each fetched file's
    ``Last-Modified`` is kept, and dates the edition of files that state no date.

    Parameters
    ----------
    session
        The HTTP session (:func:`make_session`; its ``mirror`` sends every request
        to a mirror of the publishers' files).
    limits
        Timeouts, deadline and size limit of each download (:class:`Limits`).
    accept_smaller
        Install an edition with far fewer rows than the one in use (see
        :attr:`~relocate.sources.opendata.OpenDataSource.min_row_share`).
    notify
        Called with each line worth telling (what was installed, stale folders removed).
    """
    chosen = limits or Limits()
    getter = _Getter(
        session=session or make_session(),
        limits=chosen,
        progress=progress,
        max_bytes=chosen.max_bytes or source.max_file_bytes,
    )

    def gather(staging: Path) -> _Gathered:
        return _download_all(source, staging, context=context, getter=getter)

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
            f"{names}: cannot be read as {in_language(source.name, 'en')} ({type(exc).__name__}: "
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
    gather: Callable[[Path], _Gathered],
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
                gathered = gather(staging)
                files = gathered.files
                dated = dataclasses.replace(context, server_dates=gathered.server_dates)
                parsed = _parse(source, [p for p, _ in files], dated)
                if gathered.skipped:
                    parsed = dataclasses.replace(
                        parsed, warnings=(*gathered.skipped, *parsed.warnings)
                    )
                names = ", ".join(p.name for p, _ in files)
                _check_rows(source, parsed, previous, names, accept_smaller=accept_smaller)
                installed = store.put(
                    source,
                    staging=staging,
                    files=files,
                    parsed=parsed,
                    how=how,
                    departement=context.departement,
                    server_dates=gathered.server_dates,
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
    for line in gathered.skipped:
        tell(f"{source.key}: {line}")
    if context.edition and parsed.dated_by in ("content", "metadata"):
        tell(
            f"{source.key}: --edition {context.edition} not used: the files state their "
            f"edition ({parsed.edition})"
        )
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
    """Copy a file keeping its modification time; say which side failed."""
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

    def gather(staging: Path) -> _Gathered:
        gathered = _Gathered()
        for path in paths:
            dest = staging / path.name
            _copy(path, dest)
            gathered.files.append((dest, str(path.resolve())))
        return gathered

    return _install(
        source,
        store=store,
        context=context,
        how="imported",
        gather=gather,
        accept_smaller=accept_smaller,
        notify=notify,
    )
