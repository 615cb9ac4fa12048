"""Fetching and importing editions from a local HTTP server; failures leave the cache as it was."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from relocate.errors import FetchError, RelocateError, SourceError, SourceFormatError
from relocate.sources.fetch import download, fetch_source, import_files, make_session
from relocate.sources.store import Manifest, Store
from tests.conftest import DummySource, empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
GOOD = FIXTURES / "dummy-2024.csv"
NEWER = FIXTURES / "dummy-2025.csv"
MISSING_COLUMN = FIXTURES / "dummy-missing-column.csv"


@dataclass
class FixtureServer:
    """A local server's address and how many times each path was asked for."""

    base_url: str
    hits: Counter[str] = field(default_factory=Counter)


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(): nothing outlives the fixture.
    daemon_threads = False
    hits: Counter[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.hits[self.path] += 1
        if self.path == "/good.csv":
            self._send(200, GOOD.read_bytes())
        elif self.path == "/newer.csv":
            self._send(200, NEWER.read_bytes())
        elif self.path == "/dummy-missing-column.csv":
            self._send(200, MISSING_COLUMN.read_bytes())
        elif self.path == "/drop.csv":
            # Announce the whole file, send half of it, then close the connection.
            body = NEWER.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/gzip.csv":
            # A server compressing on the fly: Content-Length is the compressed size.
            self._send(200, gzip.compress(NEWER.read_bytes()), Content_Encoding="gzip")
        elif self.path == "/error.csv":
            self._send(500, b"fixture server error")
        else:
            self._send(404, b"fixture: not found")


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A fixture HTTP server on 127.0.0.1, stopped and joined after the test."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.hits = Counter()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield FixtureServer(base_url=f"http://{host!s}:{port}", hits=httpd.hits)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with make_session(retries=2, backoff=0) as session:
        yield session


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cache")


def entries(folder: Path) -> list[str]:
    """The names in a folder, without the source's lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root``, hidden ones included, with file contents."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def fetch(store: Store, session: requests.Session, base_url: str, filename: str) -> Manifest:
    return fetch_source(
        DummySource(base_url=base_url, filename=filename),
        store=store,
        context=empty_context(),
        session=session,
        progress=False,
    )


def test_make_session_retries_with_the_given_backoff() -> None:
    with make_session(retries=2, backoff=0) as session:
        adapter = session.get_adapter("https://example.invalid/")
        assert isinstance(adapter, HTTPAdapter)
        retry = adapter.max_retries
        assert (retry.total, retry.connect, retry.read, retry.status) == (2, 2, 2, 2)
        assert retry.backoff_factor == 0
        assert 500 in retry.status_forcelist and 404 not in retry.status_forcelist


def test_download_writes_the_file(
    server: FixtureServer, session: requests.Session, tmp_path: Path
) -> None:
    dest = tmp_path / "out.csv"
    download(f"{server.base_url}/good.csv", dest, session=session, progress=False)
    assert dest.read_bytes() == GOOD.read_bytes()


def test_a_good_fetch_installs_an_edition(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    url = f"{server.base_url}/good.csv"
    manifest = fetch(store, session, server.base_url, "good.csv")
    assert manifest.how == "fetched"
    assert manifest.edition == "2024-12-31"
    assert manifest.rows == 3
    [record] = manifest.files
    assert record.origin == url
    assert record.name == "good.csv"
    assert record.sha256 == hashlib.sha256(GOOD.read_bytes()).hexdigest()
    assert record.bytes == GOOD.stat().st_size

    folder = store.folder_of(manifest)
    assert (folder / "good.csv").read_bytes() == GOOD.read_bytes()
    assert entries(store.source_dir("dummy")) == ["2024-12-31"]
    loaded = store.load(DummySource())
    assert loaded is not None
    assert loaded.manifest == manifest
    assert loaded.table["count"].tolist() == [12.0, 0.0, 7.5]
    assert server.hits["/good.csv"] == 1


def test_a_newer_fetch_becomes_the_loaded_edition(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    fetch(store, session, server.base_url, "good.csv")
    fetch(store, session, server.base_url, "newer.csv")
    assert [m.edition for m in store.editions("dummy")] == ["2025-12-31", "2024-12-31"]
    loaded = store.load(DummySource())
    assert loaded is not None
    assert loaded.manifest.edition == "2025-12-31"


def test_a_dropped_connection_keeps_the_previous_edition_intact(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    fetch(store, session, server.base_url, "good.csv")
    before = snapshot(store.cache_dir)

    with pytest.raises(FetchError) as info:
        fetch(store, session, server.base_url, "drop.csv")
    error = info.value
    assert isinstance(error, SourceError)
    assert isinstance(error, OSError)
    assert isinstance(error, RelocateError)
    message = str(error)
    assert message.startswith("dummy: ")
    assert "cut off" in message
    assert f"{server.base_url}/drop.csv" in message
    assert message.endswith("; edition 2024-12-31 kept")
    assert "\n" not in message

    # No partial file, no staging folder: the cache is byte-identical.
    assert snapshot(store.cache_dir) == before
    loaded = store.load(DummySource())
    assert loaded is not None
    assert loaded.manifest.edition == "2024-12-31"


def test_a_dropped_connection_with_nothing_cached_says_so(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    with pytest.raises(FetchError, match=r"cut off.*; nothing was cached before$"):
        fetch(store, session, server.base_url, "drop.csv")
    assert entries(store.source_dir("dummy")) == []
    assert store.load(DummySource()) is None


def test_a_file_with_a_missing_column_keeps_the_previous_edition(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    fetch(store, session, server.base_url, "good.csv")
    before = snapshot(store.cache_dir)
    with pytest.raises(SourceFormatError) as info:
        fetch(store, session, server.base_url, "dummy-missing-column.csv")
    message = str(info.value)
    assert message.startswith("dummy: dummy-missing-column.csv, line 1: column 'count' is missing")
    assert message.endswith("; edition 2024-12-31 kept")
    assert snapshot(store.cache_dir) == before


def test_an_unreachable_server_says_to_import_by_hand(
    session: requests.Session, store: Store
) -> None:
    with socket.socket() as probe:  # a port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetch(store, session, f"http://127.0.0.1:{port}", "good.csv")
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot reach 127.0.0.1:{port}" in message
    assert "`relocate data import dummy FILE`" in message
    assert message.endswith("nothing was cached before")
    assert entries(store.source_dir("dummy")) == []


def test_not_found_names_the_status_and_is_not_retried(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    url = f"{server.base_url}/gone.csv"
    with pytest.raises(FetchError) as info:
        fetch(store, session, server.base_url, "gone.csv")
    assert str(info.value) == (
        f"dummy: {server.base_url.removeprefix('http://')} answered 404 for {url}; "
        f"you can download {url} yourself and run `relocate data import dummy FILE`; "
        "nothing was cached before"
    )
    assert server.hits["/gone.csv"] == 1
    assert entries(store.source_dir("dummy")) == []


def test_a_server_error_is_retried_then_reported(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    fetch(store, session, server.base_url, "good.csv")
    before = snapshot(store.cache_dir)
    with pytest.raises(
        FetchError, match=r"answered 500 for .*/error\.csv; .*; edition 2024-12-31 kept"
    ):
        fetch(store, session, server.base_url, "error.csv")
    assert server.hits["/error.csv"] == 3  # the first try and two retries
    assert snapshot(store.cache_dir) == before


def test_a_compressed_transfer_is_not_taken_for_a_cut(
    server: FixtureServer, session: requests.Session, store: Store
) -> None:
    manifest = fetch(store, session, server.base_url, "gzip.csv")
    assert manifest.edition == "2025-12-31"


# --- import ----------------------------------------------------------------------------------


def test_import_installs_a_local_file(store: Store, tmp_path: Path) -> None:
    downloaded = tmp_path / "downloads" / "dummy-2024.csv"
    downloaded.parent.mkdir()
    downloaded.write_bytes(GOOD.read_bytes())
    manifest = import_files(DummySource(), [downloaded], store=store, context=empty_context())
    assert manifest.how == "imported"
    assert manifest.edition == "2024-12-31"
    [record] = manifest.files
    assert record.origin == str(downloaded.resolve())
    assert record.sha256 == hashlib.sha256(GOOD.read_bytes()).hexdigest()
    folder = store.folder_of(manifest)
    assert (folder / "dummy-2024.csv").read_bytes() == GOOD.read_bytes()
    assert entries(store.source_dir("dummy")) == ["2024-12-31"]
    # The analyst's file is copied, not moved.
    assert downloaded.read_bytes() == GOOD.read_bytes()


def test_import_rejects_a_missing_path(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(SourceError) as info:
        import_files(DummySource(), [path], store=store, context=empty_context())
    assert not isinstance(info.value, FetchError)
    assert str(info.value) == f"{path}: no such file; give the path of a file you downloaded"
    assert not store.cache_dir.exists()


def test_import_of_a_bad_file_leaves_the_cache_untouched(store: Store, tmp_path: Path) -> None:
    source = DummySource()
    import_files(source, [GOOD], store=store, context=empty_context())
    before = snapshot(store.cache_dir)
    with pytest.raises(SourceFormatError) as info:
        import_files(source, [MISSING_COLUMN], store=store, context=empty_context())
    message = str(info.value)
    assert "dummy-missing-column.csv, line 1: column 'count' is missing" in message
    assert message.endswith("; edition 2024-12-31 kept")
    assert snapshot(store.cache_dir) == before


# --- mirrors, fallbacks, optional files, the server's dates ---------------------------------


def test_a_mirror_keeps_the_publishers_host_and_path() -> None:
    from relocate.sources.fetch import mirrored

    url = "https://ressources.data.sncf.com/api/explore/v2.1/catalog/datasets/x/exports/csv?a=1"
    assert mirrored(url, "http://proxy.example/open-data") == (
        "http://proxy.example/open-data/ressources.data.sncf.com/api/explore/v2.1/catalog/"
        "datasets/x/exports/csv?a=1"
    )
    assert mirrored(url, None) == url
    # A next page the mirror wrote itself is not mapped twice.
    assert mirrored("http://proxy.example/open-data/h/p", "http://proxy.example/open-data") == (
        "http://proxy.example/open-data/h/p"
    )


def test_a_fetched_file_without_a_date_takes_the_servers(mirror, store: Store) -> None:
    from relocate.sources.sncf import SncfStationsSource

    source = SncfStationsSource()
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "sncf" / "gares-de-voyageurs.csv"
    mirror.add(
        source.export_url, fixture.read_bytes(), Last_Modified="Wed, 14 Oct 2026 07:28:00 GMT"
    )
    lines: list[str] = []
    manifest = fetch_source(
        source,
        store=store,
        context=empty_context(),
        session=mirror.session(),
        progress=False,
        notify=lines.append,
    )
    assert (manifest.edition, manifest.edition_date, manifest.dated_by) == (
        "2026-10-14",
        "2026-10-14",
        "server",
    )
    assert manifest.files[0].last_modified == "2026-10-14"
    # The metadata is optional: the server did not have it, the fetch goes on and says so.
    [skipped] = [w for w in manifest.warnings if "skipped" in w]
    assert skipped.startswith("metadata: ") and "answered 404" in skipped
    assert lines[0].startswith("sncf: metadata: ") and lines[-1].startswith("sncf: edition 2026")


def test_a_mirror_that_lacks_the_file_is_one_line(mirror, store: Store) -> None:
    from relocate.sources.sncf import SncfStationsSource

    with pytest.raises(FetchError) as caught:
        fetch_source(
            SncfStationsSource(),
            store=store,
            context=empty_context(),
            session=mirror.session(),
            progress=False,
        )
    message = str(caught.value)
    assert message.startswith("sncf: 127.0.0.1:")
    assert "answered 404 for http://127.0.0.1:" in message
    assert "/mirror/ressources.data.sncf.com/api/explore/v2.1/" in message
    assert message.endswith("`relocate data import sncf FILE`; nothing was cached before")


def test_an_edition_option_is_not_used_when_the_files_state_one(
    store: Store, tmp_path: Path
) -> None:
    context = empty_context()
    lines: list[str] = []
    given = type(context)(communes=context.communes, departement="99", edition="2020")
    manifest = import_files(DummySource(), [GOOD], store=store, context=given, notify=lines.append)
    assert manifest.edition == "2024-12-31"
    assert lines[0] == "dummy: --edition 2020 not used: the files state their edition (2024-12-31)"
