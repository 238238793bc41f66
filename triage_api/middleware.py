"""Pure ASGI middleware recording request metrics for ``/metrics`` (the body limit is FastAPI's own)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS_S: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class _Series:
    count: int = 0
    total_s: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS_S))


class RequestMetrics:
    """Counts and latency histograms per (method, route template, status); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str, int], _Series] = defaultdict(_Series)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            series = self._series[(method, route, status)]
            series.count += 1
            series.total_s += seconds
            for i, bound in enumerate(LATENCY_BUCKETS_S):
                if seconds <= bound:
                    series.buckets[i] += 1

    def render(self) -> list[str]:
        """Prometheus text exposition lines for the request series."""
        lines = [
            "# HELP mediawatch_http_requests_total HTTP requests by method, route template and status.",
            "# TYPE mediawatch_http_requests_total counter",
        ]
        with self._lock:
            snapshot = {key: (s.count, s.total_s, list(s.buckets)) for key, s in self._series.items()}
        for (method, route, status), (count, _, _) in sorted(snapshot.items()):
            lines.append(f"mediawatch_http_requests_total{{{_labels(method, route, status)}}} {count}")
        lines += [
            "# HELP mediawatch_http_request_duration_seconds HTTP request latency.",
            "# TYPE mediawatch_http_request_duration_seconds histogram",
        ]
        merged: dict[tuple[str, str], tuple[int, float, list[int]]] = {}
        for (method, route, _status), (count, total, buckets) in snapshot.items():
            c, t, b = merged.get((method, route), (0, 0.0, [0] * len(LATENCY_BUCKETS_S)))
            merged[(method, route)] = (c + count, t + total, [x + y for x, y in zip(b, buckets, strict=True)])
        for (method, route), (count, total, buckets) in sorted(merged.items()):
            base = _labels(method, route)
            for bound, n in zip(LATENCY_BUCKETS_S, buckets, strict=True):
                lines.append(f'mediawatch_http_request_duration_seconds_bucket{{{base},le="{bound}"}} {n}')
            lines.append(f'mediawatch_http_request_duration_seconds_bucket{{{base},le="+Inf"}} {count}')
            lines.append(f"mediawatch_http_request_duration_seconds_sum{{{base}}} {total:.6f}")
            lines.append(f"mediawatch_http_request_duration_seconds_count{{{base}}} {count}")
        return lines


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(method: str, route: str, status: int | None = None) -> str:
    text = f'method="{_escape(method)}",route="{_escape(route)}"'
    return text if status is None else f'{text},status="{status}"'


class MetricsMiddleware:
    """Times every HTTP request and records it under its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def recording_send(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope.get("method", "GET"), template, status_code, time.perf_counter() - started)
