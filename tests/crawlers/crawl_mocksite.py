"""A local mock site on 127.0.0.1:0 serving tests/resources/crawlers/site/, with hazards on purpose:
slow and failing paths, redirects (one to a private address), a gzip bomb, ETag/Last-Modified with
304 answers. It logs every request and the peak number of concurrent requests per Host."""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.collect import CollectOptions

SITE = Path(__file__).resolve().parents[1] / "resources" / "crawlers" / "site"
CHARSETS = {
    "legacy/tcvn3-40001.html": "windows-1252",
    "legacy/vni-40002.html": "windows-1252",
    "legacy/cp1258-40003.html": "windows-1258",
    "legacy/mojibake-40004.html": "iso-8859-1",
}
BOMB_SIZE = 256 * 1024 * 1024
LAST_MODIFIED = "Mon, 28 Oct 2024 03:00:00 GMT"


@dataclass
class MockSite:
    base_url: str = ""
    latency: float = 0.03
    slow_seconds: float = 3.0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)
    bomb: bytes = b""
    overrides: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.requests]

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def mock_handler(site: MockSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            host = self.headers.get("Host", "")
            with site.lock:
                site.requests.append((host, self.path, dict(self.headers.items())))
                site.in_flight[host] += 1
                site.max_in_flight[host] = max(site.max_in_flight[host], site.in_flight[host])
            try:
                time.sleep(site.latency)
                self._route()
            finally:
                with site.lock:
                    site.in_flight[host] -= 1

        def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _route(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            if path in site.overrides:
                status, body, ctype = site.overrides[path]
                self._send(status, body, ctype)
            elif path.startswith("/slow/"):
                time.sleep(site.slow_seconds)
                self._send(200, b"<html><body><p>late</p></body></html>")
            elif path.startswith("/fail/"):
                self._send(500, b"server error")
            elif path.startswith("/redirect-private/"):
                self._send(302, b"", Location="http://10.255.255.1/noi-bo.html")
            elif path.startswith("/redirect/"):
                self._send(301, b"", Location=path[len("/redirect") :])
            elif path.startswith("/bomb/"):
                self._send(200, site.bomb, Content_Encoding="gzip")
            else:
                self._file(path, parts.query)

        def _file(self, path: str, query: str) -> None:
            rel = path.lstrip("/") or "index.html"
            if rel.endswith("tin-tuc/index.html") and query == "page=2":
                rel = rel.replace("index.html", "index-page2.html")
            target = (SITE / rel).resolve()
            if SITE not in target.parents or not target.is_file():
                self._send(404, b"not found")
                return
            body = target.read_bytes().replace(b"{BASE}", site.base_url.encode())
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            if rel.endswith(".rss"):
                ctype = "application/rss+xml; charset=utf-8"
            elif rel.endswith(".xml"):
                ctype = "application/xml"
            elif rel.endswith(".json"):
                ctype = "application/json"
            elif rel.endswith(".txt") or rel.endswith(".csv"):
                ctype = "text/plain; charset=utf-8"
            else:
                ctype = f"text/html; charset={CHARSETS.get(rel, 'utf-8')}"
            self._send(200, body, ctype, ETag=etag, Last_Modified=LAST_MODIFIED)

    return Handler


def make_gzip_bomb() -> bytes:
    """BOMB_SIZE bytes of zeros, gzip-compressed (about 0.1 % of that), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    parts = [packer.compress(chunk) for _ in range(BOMB_SIZE // len(chunk))]
    return b"".join([*parts, packer.flush()])


def fast_options(**extra: object) -> CollectOptions:
    """Polite settings kept (robots.txt, per-host limit 2) but without the delays, for test speed."""
    scrapy = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_TIMEOUT": 1.5,
        "RETRY_TIMES": 1,
        "RETRY_BACKOFF_BASE": 0.2,
    }
    scrapy.update(extra.pop("scrapy", {}))  # type: ignore[arg-type]
    return CollectOptions(allow=["127.0.0.1"], scrapy=scrapy, feed_timeout=3.0, **extra)  # type: ignore[arg-type]
