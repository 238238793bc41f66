"""Serve the sample sites on loopback: ``with SampleSite() as site: site.base_url``.

One stdlib HTTP server in a background thread hosts every virtual site under a path prefix (see
``sample_site.content.SITES``): RSS feeds, a sitemap, the portal's paginated listing, article pages,
robots.txt and the social-post exports. Responses carry ``ETag`` and ``Last-Modified`` and answer
conditional requests with 304, like real news sites. ``python -m sample_site.server`` serves it
standalone and writes a registry file.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import threading
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import yaml

from sample_site.content import SITES, default_anchor, load_items
from sample_site.render import (
    EXPORT_PATHS,
    FEED_PATHS,
    LISTING_PATH,
    SITEMAP_PATHS,
    Resource,
    export_csv,
    export_json,
    not_found_page,
    render_site,
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    resources: dict[str, Resource]
    hits: list[str]
    hits_lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SampleSite/1.0"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``SampleSite.hits``."""

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _lookup(self) -> tuple[str, Resource | None]:
        parts = urlsplit(self.path)
        path = parts.path or "/"
        with_query = f"{path}?{parts.query}" if parts.query else path
        resources = self.server.resources
        return path, resources.get(with_query) or resources.get(path)

    def _respond(self, *, send_body: bool) -> None:
        path, res = self._lookup()
        with self.server.hits_lock:
            self.server.hits.append(self.path)
        if res is None:
            self._send(HTTPStatus.NOT_FOUND, not_found_page(path), "text/html; charset=utf-8", {}, send_body)
            return
        etag = '"' + hashlib.sha1(res.body).hexdigest()[:20] + '"'
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(res.last_modified, usegmt=True),
            "Cache-Control": "max-age=60",
        }
        if self._not_modified(etag, res.last_modified):
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, headers, send_body)
            return
        self._send(HTTPStatus.OK, res.body, res.content_type, headers, send_body)

    def _not_modified(self, etag: str, last_modified: datetime) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str | None, headers: dict[str, str], send_body: bool
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


class SampleSite:
    """The sample sites served on ``host:port`` (port 0: an ephemeral port) while the context is open."""

    def __init__(self, anchor: datetime | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.anchor = default_anchor() if anchor is None else anchor
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.items: list[dict[str, Any]] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> SampleSite:
        server = _Server((self._host, self._port), _Handler)
        server.hits, server.hits_lock = [], threading.Lock()
        host, port = server.socket.getsockname()[:2]  # AF_INET: (str, int)
        self.base_url = f"http://{host}:{port}"
        self.items = load_items(self.anchor, base_url=self.base_url)
        server.resources = render_site(self.items, self.base_url, self.anchor)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what is served --------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def paths(self) -> list[str]:
        """Every path the server answers with 200."""
        return sorted(self._require().resources)

    @property
    def hits(self) -> list[str]:
        """Request paths received so far, in order (lets tests check robots.txt was obeyed)."""
        server = self._require()
        with server.hits_lock:
            return list(server.hits)

    def _require(self) -> _Server:
        if self._server is None:
            raise RuntimeError("SampleSite is not running: use it as a context manager")
        return self._server

    def sources(self, *, export_dir: Path | None = None) -> list[dict[str, Any]]:
        """Registry entries (``crawlers.registry`` format) for the virtual sites.

        With ``export_dir`` the social exports are written there as files and referenced by path;
        otherwise the registry points at their URLs on this server.
        """
        self._require()
        entries: list[dict[str, Any]] = []
        for key, site in SITES.items():
            entry: dict[str, Any] = {
                "id": site.source_id,
                "name": site.name,
                "kind": site.kind,
                "method": site.method,
                "national": site.national,
            }
            if site.method == "rss":
                entry["url"] = self.url(FEED_PATHS[key])
            elif site.method == "sitemap":
                entry["url"] = self.url(SITEMAP_PATHS[key])
                entry["article_pattern"] = rf"{site.prefix}bai-viet/[^/]+\.html$"
            elif site.method == "listing":
                entry["url"] = self.url(LISTING_PATH)
                entry["article_pattern"] = rf"{LISTING_PATH}[^/?]+\.html$"
                entry["max_pages"] = 10
            else:
                entry["url"] = self.url(EXPORT_PATHS[key])
                if export_dir is not None:
                    own = [i for i in self.items if i["site"] == key]
                    data = export_json(own) if key == "social_json" else export_csv(own)
                    target = Path(export_dir) / Path(EXPORT_PATHS[key]).name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    entry["url"] = str(target)
            entry["schedule"] = {"interval": 5 if key == "social_json" else 15, "min": 1, "max": 360}
            entries.append(entry)
        return entries

    def write_registry(self, path: Path, *, exports_as_files: bool = False) -> Path:
        """Write a sources YAML pointing at this server; returns the path written."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        export_dir = path.parent / "sample-exports" if exports_as_files else None
        doc = {"sources": self.sources(export_dir=export_dir)}
        header = f"# Sample sources served by sample_site on {self.base_url} (anchor {self.anchor.isoformat()})\n"
        path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path


def main(argv: list[str] | None = None) -> int:
    """Serve the sample sites until interrupted (for manual checks)."""
    parser = argparse.ArgumentParser(description="Serve the MediaWatch sample sites on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--registry", type=Path, default=None, help="write a sources YAML here")
    args = parser.parse_args(argv)
    with SampleSite(host=args.host, port=args.port) as site:
        print(f"sample sites at {site.base_url}/ ({len(site.items)} items)")
        if args.registry:
            print(f"registry written to {site.write_registry(args.registry)}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
