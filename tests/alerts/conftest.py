"""Fixtures of the alert tests: a SQLite store in a temporary folder, settings, a frozen clock."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from mediawatch.settings import REPO_ROOT, Settings
from store.sqlite_store import SQLiteStore
from tests.factories import FrozenClock


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "alerts.db")
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        db=tmp_path / "alerts.db",
        config_dir=REPO_ROOT / "config",
        webhook_secret="test-webhook-secret",
        ssrf_allow=["127.0.0.1"],
        public_base_url="http://127.0.0.1:8000",
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))


# -- local receivers on loopback -------------------------------------------------------------------



@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class HttpSink:
    """Records every POST; answers with the queued statuses first (e.g. a 500), then 200."""

    url: str
    accepted: list[Received] = field(default_factory=list)
    refused: list[Received] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    reply: bytes = b'{"ok": true}'
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with sink.lock:
                status = sink.fail_next.pop(0) if sink.fail_next else 200
                (sink.accepted if status < 300 else sink.refused).append(received)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(sink.reply)
            if status < 300:
                sink.arrived.set()

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    sink = SmtpSink("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield sink
    controller.stop()
