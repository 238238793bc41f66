"""Crawl benchmark: pages/s of the Scrapy child against a local site with politeness off, and the
child's peak memory (``ru_maxrss``) for a crawl of ``pages`` article pages.

Two runs over a sitemap of synthetic Vietnamese article pages on a loopback server in this process:
``engine`` skips extraction (download, scheduling, item pipeline and the JSON stream to the parent),
``extract`` runs the full child pipeline (trafilatura, text repair) on ``extract_pages`` pages. The
server shares the two cores with the crawl, so the figures are a lower bound of the engine alone.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawlers.collect import CollectOptions, collect_once
from crawlers.registry import parse_registry
from crawlers.relevance import RelevanceFilter
from mediawatch.settings import Settings
from records.schema import Item
from store.base import UpsertOutcome, UpsertResult

_PARAGRAPH = (
    "Sáng nay, nước sông Vu Gia dâng cao khiến nhiều khu dân cư ở huyện Đại Lộc, tỉnh Quảng Nam bị ngập. "
    "Chính quyền địa phương đã sơ tán người dân đến nơi an toàn và bố trí lực lượng trực tại các điểm xung yếu. "
)


def _page(number: int) -> bytes:
    body = "".join(f"<p>{_PARAGRAPH} Đoạn {k} của bài {number}.</p>" for k in range(6))
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bài số {number}</title>'
        f'<meta property="article:published_time" content="2024-10-28T08:00:00+07:00"></head>'
        f"<body><nav><a href='/'>Trang chủ</a></nav><article><h1>Bài số {number}</h1>{body}</article>"
        f"<footer>Bản quyền</footer></body></html>"
    ).encode()


class _BenchSite:
    def __init__(self, pages: int) -> None:
        self.pages = pages
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/sitemap-"):
                    start, stop = (int(x) for x in self.path[len("/sitemap-") : -len(".xml")].split("-"))
                    urls = "".join(f"<url><loc>{site.base_url}/a/{i}.html</loc></url>" for i in range(start, stop))
                    body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
                    self._send(body.encode(), "application/xml")
                elif self.path.startswith("/a/"):
                    self._send(_page(int(self.path[3:].split(".")[0])), "text/html; charset=utf-8")
                else:
                    self.send_error(404)

            def _send(self, body: bytes, ctype: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> _BenchSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _counting_sink(items: Sequence[Item]) -> list[UpsertResult]:
    return [UpsertResult(item_id=i.id, outcome=UpsertOutcome.created, submitted_id=i.id) for i in items]


def _crawl(
    site: _BenchSite, start: int, stop: int, *, extract: bool, workdir: Path
) -> tuple[int, float, float, int]:
    """Pages fetched, wall seconds of collect_once, seconds inside the crawl child, child peak RSS (KB)."""
    from store.sqlite_store import SQLiteStore

    registry = parse_registry(
        {
            "sources": [
                {"id": f"bench-{start}", "name": "Bench", "kind": "press", "method": "sitemap",
                 "url": f"{site.base_url}/sitemap-{start}-{stop}.xml", "max_articles": stop - start}
            ]
        }
    )  # fmt: skip
    settings = Settings(db=workdir / "bench.db", ssrf_allow=["127.0.0.1"])
    options = CollectOptions(polite=False, scrapy={"MEDIAWATCH_EXTRACT": extract, "LOG_LEVEL": "ERROR"},
                             batch_size=500, child_timeout=1800)  # fmt: skip
    with SQLiteStore(workdir / f"bench-{start}.db") as store:
        began = time.perf_counter()
        report = collect_once(registry, sink=_counting_sink, store=store, settings=settings, options=options,
                              relevance=RelevanceFilter.from_names([]))  # fmt: skip
        elapsed = time.perf_counter() - began
    fetched = report.sources[f"bench-{start}"].counts.fetched
    engine = float(report.child_stats.get("elapsed_time_seconds") or elapsed)
    return fetched, elapsed, engine, int(report.child_stats.get("ru_maxrss_kb", 0))


def run(pages: int = 10_000, extract_pages: int = 1_000) -> dict[str, float | int | str]:
    """Measure once; ``pages`` for the engine run, ``min(extract_pages, pages)`` for the full pipeline."""
    extract_pages = min(extract_pages, pages)
    with tempfile.TemporaryDirectory() as tmp, _BenchSite(pages + extract_pages) as site:
        workdir = Path(tmp)
        fetched, seconds, engine, rss_kb = _crawl(site, 0, pages, extract=False, workdir=workdir)
        x_fetched, x_seconds, x_engine, x_rss_kb = _crawl(
            site, pages, pages + extract_pages, extract=True, workdir=workdir
        )
    return {
        "crawl_engine_pages": fetched,
        "crawl_engine_wall_seconds": round(seconds, 2),  # includes the child's start-up
        "crawl_engine_pages_per_s": round(fetched / engine, 1) if engine else 0.0,  # inside the child
        "crawl_engine_peak_rss_mb": round(rss_kb / 1024, 1),
        "crawl_extract_pages": x_fetched,
        "crawl_extract_pages_per_s": round(x_fetched / x_engine, 1) if x_engine else 0.0,
        "crawl_extract_wall_seconds": round(x_seconds, 2),
        "crawl_extract_peak_rss_mb": round(x_rss_kb / 1024, 1),
        "crawl_setup": "loopback stdlib server in this process, politeness off (no robots/delay, 32 per host)",
    }
