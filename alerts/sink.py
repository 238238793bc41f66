"""A loopback webhook receiver for the demo and the benchmark: it verifies the HMAC signature and
keeps what arrived (dropping a repeat of a delivery id, as a real receiver should).

    with LocalWebhookSink(secret=b"...") as sink:
        attach_channel(store, {"type": "webhook", "url": sink.url}, actor="demo")
        engine.run_once()
        sink.wait_for(1, timeout=10)
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from alerts.channels.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from alerts.rules import get_rule, list_rules, save_rule
from store.base import Store


@dataclass
class Arrival:
    at: float  # time.perf_counter() when it arrived
    payload: dict[str, Any]
    signature_ok: bool
    delivery_id: str


class LocalWebhookSink:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS) that accepts signed alert webhooks."""

    def __init__(self, *, secret: bytes | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.secret = secret
        self.arrivals: list[Arrival] = []
        self.repeats = 0
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._event = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = sink.secret is None or verify(
                    sink.secret, self.headers.get(TIMESTAMP_HEADER, ""), body, self.headers.get(SIGNATURE_HEADER, "")
                )
                if not ok:
                    self.send_response(401)
                    self.end_headers()
                    return
                delivery = self.headers.get(DELIVERY_HEADER, "")
                with sink._lock:
                    if delivery and delivery in sink._seen:
                        sink.repeats += 1
                    else:
                        sink._seen.add(delivery)
                        sink.arrivals.append(Arrival(time.perf_counter(), json.loads(body), ok, delivery))
                        sink._event.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self._server.server_address[1]}/mediawatch-alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalWebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def wait_for(self, count: int, *, timeout: float) -> bool:
        """Wait until at least ``count`` alerts arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if len(self.arrivals) >= count:
                    return True
                self._event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._event.wait(min(remaining, 0.2))


def attach_channel(
    store: Store,
    target: dict[str, Any],
    *,
    actor: str,
    rule_ids: list[str] | None = None,
    drop_quiet_hours: bool = False,
) -> list[str]:
    """Add a channel target to rules (all enabled rules by default); returns the rule ids changed.

    ``drop_quiet_hours``: also clear the rules' quiet hours (for a demo run at night)."""
    changed = []
    for rule in list_rules(store):
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        _, version = get_rule(store, rule.id)
        doc = rule.model_dump(mode="json")
        if target not in doc["channels"]:
            doc["channels"].append(target)
        if drop_quiet_hours:
            doc["quiet_hours"] = None
        save_rule(store, doc, actor=actor, expected_version=version)
        changed.append(rule.id)
    return changed
