"""A local HTTP sink on loopback that records what alert channels POST to it (the demo's on-duty
officer's phone, so to speak). Used by ``mediawatch demo``; nothing leaves the machine."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: _SinkServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1_000_000))
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = body.decode("utf-8", "replace")
        record = {"path": self.path, "headers": dict(self.headers), "payload": payload}
        with self.server.lock:
            self.server.received.append(record)
            if self.server.log_path is not None:
                with self.server.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, format: str, *args: Any) -> None:
        return


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], log_path: Path | None) -> None:
        super().__init__(address, _Handler)
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []
        self.log_path = log_path


class LocalSink:
    """``with LocalSink() as sink: sink.url`` — records every POST in ``sink.received``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, log_path: Path | None = None) -> None:
        self._server = _SinkServer((host, port), log_path)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-sink", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]  # AF_INET: (str, int)
        return f"http://{host}:{port}/alerts"

    @property
    def received(self) -> list[dict[str, Any]]:
        with self._server.lock:
            return list(self._server.received)

    def __enter__(self) -> LocalSink:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
