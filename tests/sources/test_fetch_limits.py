"""Downloads are bounded, damaged files refused, and every failure is one line (local servers)."""

from __future__ import annotations

import errno
import gzip
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

import relocate.sources.fetch as fetch_module
from relocate.errors import FetchError, SourceError, SourceFormatError
from relocate.sources.fetch import Limits, download, fetch_source, import_files, make_session
from relocate.sources.store import Manifest, Store
from tests.conftest import DummySource, empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
GOOD = FIXTURES / "dummy-2024.csv"
NEWER = FIXTURES / "dummy-2025.csv"
#: A newer edition with many rows, to cut.
BIG = (
    "code_insee;count;date\n" + "".join(f"99{i:03d};{i};2025-12-31\n" for i in range(400))
).encode()
#: Seconds the hanging and dripping servers keep a connection before giving up.
HOLD_S = 3.0


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    hits: Counter[str]
    stop: threading.Event


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _head(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self._head(status, Content_Length=str(len(body)), **headers)
        self.wfile.write(body)

    def _wait(self) -> None:
        self.server.stop.wait(HOLD_S)

    def do_GET(self) -> None:  # noqa: C901 - one branch per fixture server
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        if path == "/big.csv":
            self._send(200, BIG)
        elif path == "/good.csv":
            self._send(200, GOOD.read_bytes())
        elif path == "/cut-no-length.csv":
            # No Content-Length: the end of the connection ends the body, here mid-line.
            self._head(200, Connection="close")
            self.wfile.write(BIG[: len(BIG) // 2 + 3])
            self.close_connection = True
        elif path == "/cut-at-a-line.csv":
            body = BIG[: BIG.index(b"\n", len(BIG) // 2) + 1]
            self._head(200, Connection="close")
            self.wfile.write(body)
            self.close_connection = True
        elif path == "/hang.csv":
            self._wait()  # accept, then say nothing
            self.close_connection = True
        elif path == "/hang-midway.csv":
            self._head(200, Content_Length=str(len(BIG)))
            self.wfile.write(BIG[:100])
            self.wfile.flush()
            self._wait()
            self.close_connection = True
        elif path == "/drip.csv":
            self._head(200, Content_Length=str(len(BIG)))
            for byte in BIG:
                if self.server.stop.wait(0.05):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            self.close_connection = True
        elif path == "/redirect.csv":
            self._send(302, b"", Location="/good.csv")
        elif path == "/loop.csv":
            self._send(302, b"", Location="/loop.csv")
        elif path == "/bomb.csv":
            # 20 MB of zeros in about 20 KB, sent compressed on the fly.
            self._send(200, gzip.compress(b"0" * (20 << 20)), Content_Encoding="gzip")
        elif path == "/busy.csv":
            self._send(503, b"busy", Retry_After=str(10**9))
        elif path == "/html.csv":
            self._send(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>")
        else:
            self._send(404, b"fixture: not found")


@pytest.fixture
def server() -> Iterator[tuple[str, Counter[str]]]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.hits = Counter()
    httpd.stop = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host!s}:{port}", httpd.hits
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with make_session(retries=1, backoff=0, max_retry_after_s=0.1) as session:
        yield session


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cache")


FAST = Limits(connect_s=2.0, read_s=0.5, deadline_s=1.5)


def fetch(
    store: Store,
    session: requests.Session,
    base_url: str,
    filename: str,
    *,
    limits: Limits = FAST,
    accept_smaller: bool = False,
    told: list[str] | None = None,
) -> Manifest:
    return fetch_source(
        DummySource(base_url=base_url, filename=filename),
        store=store,
        context=empty_context(),
        session=session,
        progress=False,
        limits=limits,
        accept_smaller=accept_smaller,
        notify=None if told is None else told.append,
    )


def fetch_error(*args: object, **kwargs: object) -> str:
    with pytest.raises((FetchError, SourceFormatError, SourceError)) as info:
        fetch(*args, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert "staging" not in message
    return message


def hidden(store: Store) -> list[str]:
    root = store.source_dir("dummy")
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".") and p.name != ".lock")


# --- cut files ----------------------------------------------------------------------------------


def test_a_cut_without_content_length_is_refused_and_the_edition_kept(server, session, store):
    base, _ = server
    fetch(store, session, base, "big.csv")
    message = fetch_error(store, session, base, "cut-no-length.csv")
    assert message.startswith("dummy: cut-no-length.csv, line ")
    assert "the last line is cut" in message
    assert message.endswith("; edition 2025-12-31 kept")
    assert [m.rows for m in store.editions("dummy")] == [400]
    assert hidden(store) == []


def test_a_cut_at_a_line_end_is_refused_by_its_row_count(server, session, store):
    base, _ = server
    fetch(store, session, base, "big.csv")
    message = fetch_error(store, session, base, "cut-at-a-line.csv")
    rows = BIG[: BIG.index(b"\n", len(BIG) // 2) + 1].count(b"\n") - 1
    assert message == (
        f"dummy: cut-at-a-line.csv gives {rows} rows, far fewer than the 400 of edition "
        "2025-12-31 in use (under 90% of them): a cut or partial file? If it is complete, "
        "import it again with --accept-smaller; edition 2025-12-31 kept"
    )
    told: list[str] = []
    manifest = fetch(store, session, base, "cut-at-a-line.csv", accept_smaller=True, told=told)
    assert manifest.edition == "2025-12-31 #2"
    assert manifest.rows == rows
    assert told == [
        f"dummy: edition 2025-12-31 #2 fetched ({rows} rows); edition 2025-12-31, already in "
        "the cache, holds other files: both are kept, this one under its own name"
    ]


def test_a_web_page_instead_of_the_data_is_named(server, session, store):
    message = fetch_error(store, session, server[0], "html.csv")
    assert "html.csv: a web page (HTML), not a CSV file" in message


# --- bounded downloads --------------------------------------------------------------------------


def test_a_hang_is_reported_as_a_hang_not_as_offline(server, session, store):
    base, hits = server
    start = time.monotonic()
    message = fetch_error(store, session, base, "hang.csv")
    assert time.monotonic() - start < HOLD_S
    host = base.removeprefix("http://")
    assert message.startswith(f"dummy: {host} accepted the connection but sent nothing for 0.5 s")
    assert "(it hangs)" in message
    assert "offline" not in message and "cannot reach" not in message
    assert hits["/hang.csv"] == 2  # one retry
    assert message.endswith("nothing was cached before")


def test_a_hang_midway_says_how_much_came(server, session, store):
    message = fetch_error(store, session, server[0], "hang-midway.csv")
    assert "stopped sending" in message
    assert "for 0.5 s after 100 bytes (it hangs)" in message


def test_a_dripping_server_meets_the_deadline(server, session, store):
    start = time.monotonic()
    message = fetch_error(store, session, server[0], "drip.csv")
    assert time.monotonic() - start < HOLD_S
    assert "took longer than 1.5 s" in message
    assert "sends too slowly; try again later" in message


def test_a_redirect_is_followed_and_a_loop_is_one_line(server, session, store):
    base, hits = server
    manifest = fetch(store, session, base, "redirect.csv")
    assert manifest.edition == "2024-12-31"
    assert manifest.files[0].origin == f"{base}/redirect.csv"
    message = fetch_error(store, session, base, "loop.csv")
    assert "redirects" in message and "in a loop" in message
    assert 1 < hits["/loop.csv"] <= 11


def test_a_compression_bomb_stops_at_the_size_limit(server, session, store, tmp_path):
    limits = Limits(connect_s=2.0, read_s=2.0, deadline_s=10.0, max_bytes=1 << 20)
    message = fetch_error(store, session, server[0], "bomb.csv", limits=limits)
    assert "passed 1 MiB once decompressed" in message
    assert "a compression bomb?" in message
    assert hidden(store) == []
    # Nothing near 20 MB was written anywhere in the cache.
    written = sum(p.stat().st_size for p in store.cache_dir.rglob("*") if p.is_file())
    assert written < 1 << 20


def test_a_huge_retry_after_is_capped(server, store):
    base, hits = server
    with make_session(retries=2, backoff=0, max_retry_after_s=0.2) as session:
        start = time.monotonic()
        message = fetch_error(store, session, base, "busy.csv")
    assert time.monotonic() - start < 3.0  # not 10**9 seconds
    assert hits["/busy.csv"] == 3
    assert f"answered 503 for {base}/busy.csv (it asks to wait {10**9} s" in message


def test_an_unparseable_retry_after_is_ignored() -> None:
    retry = make_session().get_adapter("http://x/").max_retries
    assert retry.parse_retry_after("soon") == 0.0
    assert retry.parse_retry_after("100000") == Limits().retry_after_s


def test_download_refuses_an_announced_size_over_the_limit(server, session, tmp_path):
    with pytest.raises(FetchError, match=r"big\.csv is 8\.\d+ KiB, more than the 1 KiB"):
        download(f"{server[0]}/big.csv", tmp_path / "x", session=session, max_bytes=1024)


# --- the cache and its folders -----------------------------------------------------------


def test_a_stale_staging_folder_is_removed_and_said(server, session, store):
    base, _ = server
    root = store.source_dir("dummy")
    (root / ".staging-1-left" / "x").mkdir(parents=True)  # pid 1 is init: alive, left alone
    (root / ".staging-abc123" / "x").mkdir(parents=True)  # an older relocate's: stale
    told: list[str] = []
    fetch(store, session, base, "good.csv", told=told)
    assert told[0] == "dummy: removed .staging-abc123, left in the cache by an interrupted run"
    assert told[1] == "dummy: edition 2024-12-31 fetched (3 rows)"
    assert hidden(store) == [".staging-1-left"]


def test_fetching_the_same_files_again_changes_nothing(server, session, store):
    base, _ = server
    first = fetch(store, session, base, "good.csv")
    told: list[str] = []
    again = fetch(store, session, base, "good.csv", told=told)
    assert again == first
    assert told == [
        f"dummy: edition 2024-12-31 is already in the cache with these very files (fetched "
        f"{first.retrieved[:10]}): nothing changed"
    ]


def test_an_older_edition_says_it_is_not_in_use(server, session, store, tmp_path):
    base, _ = server
    fetch(store, session, base, "big.csv")
    told: list[str] = []
    import_files(DummySource(), [GOOD], store=store, context=empty_context(), notify=told.append,
                 accept_smaller=True)  # fmt: skip
    assert told == [
        "dummy: edition 2024-12-31 imported (3 rows); not in use: edition 2025-12-31 is newer "
        "and stays in use"
    ]


def test_a_header_only_file_is_refused_even_when_accepted(store, tmp_path):
    path = tmp_path / "dummy.csv"
    path.write_text("code_insee;count;date\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        import_files(DummySource(), [path], store=store, context=empty_context(),
                     accept_smaller=True)  # fmt: skip
    # The fixture parser finds no date first; a source that parses an empty table says so.
    assert str(info.value).startswith("dummy: dummy.csv")


def test_an_empty_table_is_refused(store, tmp_path, monkeypatch):
    source = DummySource()
    real_parse = source.parse

    def empty(files, *, context):
        parsed = real_parse(files, context=context)
        return type(parsed)(
            table=parsed.table.iloc[:0], edition="x", edition_date=parsed.edition_date
        )

    monkeypatch.setattr(source, "parse", empty)
    with pytest.raises(SourceFormatError) as info:
        import_files(source, [GOOD], store=store, context=empty_context(), accept_smaller=True)
    assert str(info.value) == (
        "dummy: dummy-2024.csv: no data rows (a header-only or empty file?); nothing was cached "
        "before"
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "no space left to write in"),
        (errno.EROFS, "is on a read-only file system: set RELOCATE_CACHE_DIR"),
    ],
)
def test_a_full_or_read_only_cache_is_one_line(store, monkeypatch, code, said):
    import_files(DummySource(), [GOOD], store=store, context=empty_context())

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fetch_module, "_copy", refuse)
    with pytest.raises(SourceError) as info:
        import_files(DummySource(), [NEWER], store=store, context=empty_context())
    message = str(info.value)
    assert message.startswith("dummy: ")
    assert said in message
    assert message.endswith("; edition 2024-12-31 kept")
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31"]


def test_a_cache_whose_source_folder_is_a_file(store):
    store.cache_dir.mkdir(parents=True)
    (store.cache_dir / "dummy").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        import_files(DummySource(), [GOOD], store=store, context=empty_context())
    assert "is not a folder: move that file away" in str(info.value)


# --- what is given to import ---------------------------------------------------------------


def test_import_of_a_folder_names_its_files(store, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "dummy-2024.csv").write_bytes(GOOD.read_bytes())
    with pytest.raises(SourceError) as info:
        import_files(DummySource(), [folder], store=store, context=empty_context())
    assert str(info.value) == (
        f"{folder} is a folder, not a file: give the file(s) in it (dummy-2024.csv)"
    )


def test_import_of_a_pipe_or_a_device_is_refused(store, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/null"), "a device")):
        with pytest.raises(SourceError) as info:
            import_files(DummySource(), [path], store=store, context=empty_context())
        assert str(info.value).startswith(f"{path} is {kind}")
        assert "save the data to a file and give that" in str(info.value)
    assert not store.cache_dir.exists()


def test_import_of_an_unreadable_file_names_it(store, tmp_path, monkeypatch):
    path = tmp_path / "dummy.csv"
    path.write_bytes(GOOD.read_bytes())
    real_open = Path.open

    def no_read(self: Path, *args: object, **kwargs: object):
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", no_read)
    with pytest.raises(SourceError) as info:
        import_files(DummySource(), [path], store=store, context=empty_context())
    assert str(info.value).startswith(f"dummy: cannot read {path}: Permission denied")


def test_a_closed_port_is_offline(store, session):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = fetch_error(store, session, f"http://127.0.0.1:{port}", "good.csv")
    assert "cannot reach 127.0.0.1" in message
