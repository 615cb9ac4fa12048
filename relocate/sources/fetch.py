"""Getting editions into the cache: downloads (timeouts, retries, progress) and imports."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from relocate.errors import FetchError, RelocateError, SourceError
from relocate.sources.opendata import OpenDataSource, ParseContext
from relocate.sources.store import Manifest, Store

__all__ = ["DEFAULT_TIMEOUT", "download", "fetch_source", "import_files", "make_session"]

#: Seconds to connect, and to wait for each chunk of data.
DEFAULT_TIMEOUT = (10.0, 60.0)
_CHUNK = 1 << 16


def make_session(*, retries: int = 3, backoff: float = 1.0) -> requests.Session:
    """A session that retries failed connections and 429/5xx answers, with backoff."""
    retry = Retry(
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
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "relocate (open-data fetcher)"
    return session


def download(
    url: str,
    dest: Path,
    *,
    session: requests.Session,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    progress: bool = True,
) -> None:
    """Download ``url`` to ``dest``, checking the length the server announced.

    Raises
    ------
    FetchError
        If the server cannot be reached, answers with an error, or the
        transfer stops before the end of the file.
    """
    host = urlsplit(url).netloc or url
    try:
        with session.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise FetchError(f"{host} answered {response.status_code} for {url}")
            expected = response.headers.get("Content-Length")
            total = int(expected) if expected and expected.isdigit() else None
            with (
                dest.open("wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc=dest.name,
                    disable=not progress,
                    leave=False,
                ) as bar,
            ):
                for chunk in response.iter_content(chunk_size=_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
            received = response.raw.tell()  # bytes on the wire, before any decompression
    except requests.exceptions.ConnectionError as exc:
        if "Connection broken" in str(exc) or "IncompleteRead" in str(exc):
            raise FetchError(f"the download of {url} was cut off") from exc
        raise FetchError(f"cannot reach {host} (offline?)") from exc
    except requests.exceptions.Timeout as exc:
        raise FetchError(f"{host} did not answer in time for {url}") from exc
    except requests.exceptions.ChunkedEncodingError as exc:
        raise FetchError(f"the download of {url} was cut off") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"cannot download {url}: {exc}") from exc
    if total is not None and received != total:
        raise FetchError(f"the download of {url} was cut off at {received} of {total} bytes")


def _previous(store: Store, source: OpenDataSource, departement: str) -> str:
    dep = departement if source.per_departement else None
    editions = store.editions(source.key, departement=dep)
    return f"edition {editions[0].edition} kept" if editions else "nothing was cached before"


def _download_all(
    source: OpenDataSource,
    staging: Path,
    *,
    context: ParseContext,
    session: requests.Session,
    progress: bool,
) -> list[tuple[Path, str]]:
    """Download every file of a source's edition into ``staging``; return each with its URL."""
    files = []
    for item in source.downloads(departement=context.departement):
        dest = staging / item.filename
        try:
            download(item.url, dest, session=session, progress=progress)
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
) -> Manifest:
    """Download a source's latest edition, parse it and install it in the cache.

    Everything happens in a staging folder that becomes the edition folder by a
    rename at the end: an interrupted or failed fetch leaves the cache as it was,
    and the message says which edition is kept.
    """
    session = session or make_session()
    # A source fetched through a client library (osmnx) has its own way in.
    custom = getattr(source, "fetch_into", None)

    def gather(staging: Path) -> list[tuple[Path, str]]:
        if custom is not None:
            return list(custom(staging, context=context, progress=progress))
        return _download_all(source, staging, context=context, session=session, progress=progress)

    return _install(source, store=store, context=context, how="fetched", gather=gather)


def _install(
    source: OpenDataSource,
    *,
    store: Store,
    context: ParseContext,
    how: str,
    gather: Callable[[Path], list[tuple[Path, str]]],
) -> Manifest:
    """Gather files into a staging folder, parse them, install the edition; clean up always.

    A failure leaves the cache as it was, and its message says which edition is kept.
    """
    staging = store.staging(source.key)
    try:
        files = gather(staging)
        parsed = source.parse([p for p, _ in files], context=context)
        return store.install(
            source,
            staging=staging,
            files=files,
            parsed=parsed,
            how=how,
            departement=context.departement,
        )
    except RelocateError as exc:
        kept = _previous(store, source, context.departement)
        raise type(exc)(f"{source.key}: {exc}; {kept}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def import_files(
    source: OpenDataSource,
    paths: Sequence[Path],
    *,
    store: Store,
    context: ParseContext,
) -> Manifest:
    """Parse files an analyst downloaded and install them in the cache, like a fetch."""
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path}: no such file; give the path of a file you downloaded")
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
            shutil.copy2(path, dest)  # keep the file date: some editions are dated by it
            files.append((dest, str(path.resolve())))
        return files

    return _install(source, store=store, context=context, how="imported", gather=gather)
