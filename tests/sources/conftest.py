"""A local mirror of the publishers' servers, for fetches that never leave 127.0.0.1."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from relocate.sources.fetch import make_session, mirrored

#: What a route answers: a body, or a function of the query (a dict of lists) giving one.
Answer = bytes | Callable[[dict[str, list[str]]], bytes]


@dataclass
class Route:
    """One file of the mirror."""

    body: Answer
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Mirror:
    """A local server laid out as a mirror: ``<base_url>/<publisher's host>/<path>``.

    ``add(url, body)`` serves the publisher's ``url`` (its host, path, and query if
    ``exact_query``); anything else answers 404. ``hits`` counts the paths asked.
    """

    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    queries: list[str] = field(default_factory=list)

    def add(
        self,
        url: str,
        body: Answer,
        *,
        status: int = 200,
        exact_query: bool = False,
        **headers: str,
    ) -> None:
        """Serve ``url`` (a publisher's address) with ``body``."""
        target = urlsplit(mirrored(url, self.base_url))
        key = target.path + (f"?{target.query}" if exact_query and target.query else "")
        self.routes[key] = Route(body=body, status=status, headers=headers)

    def session(self) -> requests.Session:
        """A session fetching from this mirror, retrying without waiting."""
        return make_session(retries=1, backoff=0, mirror=self.base_url)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    mirror: Mirror


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        mirror.hits[parts.path] += 1
        mirror.queries.append(self.path)
        route = mirror.routes.get(self.path) or mirror.routes.get(parts.path)
        if route is None:
            self._send(404, b"fixture mirror: not found", {})
            return
        body = route.body if isinstance(route.body, bytes) else route.body(parse_qs(parts.query))
        self._send(route.status, body, route.headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    """A mirror of the publishers on 127.0.0.1, stopped and joined after the test."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    host, port = httpd.server_address[:2]
    httpd.mirror = Mirror(base_url=f"http://{host!s}:{port}/mirror")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd.mirror
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()
