"""A loopback HTTP server serving a JWK Set, for the remote-JWKS tests (never leaves 127.0.0.1)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JWKSServer:
    """Serves ``document`` at ``/jwks.json``; counts requests; can answer slowly or fail."""

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.status = 200
        self.delay = 0.0
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks.json"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                time.sleep(server.delay)
                body = server.body()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def body(self) -> bytes:
        """The response body: the document as JSON, or raw bytes as given."""
        if isinstance(self.document, bytes):
            return self.document
        return json.dumps(self.document).encode()

    def start(self) -> None:
        """Serve in a daemon thread."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and free the port (later requests are refused)."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving() -> Iterator[JWKSServer]:
    """A started :class:`JWKSServer`, stopped afterwards."""
    server = JWKSServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
