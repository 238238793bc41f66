"""Scrapy settings of the crawl child: polite defaults (Scrapy project template + AutoThrottle) and the
caps that keep a hostile site from hurting us. ``build_settings`` applies a run's options."""

from __future__ import annotations

from typing import Any

BOT_NAME = "mediawatch"
CONTACT = "mailto:mediawatch-ops@example.invalid"  # placeholder: operators set crawler contact per deployment
USER_AGENT = f"MediaWatch/0.1 (+{CONTACT}; Quang Nam media monitoring)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # also bounds the decompressed body (HttpCompressionMiddleware)
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds; n-th retry waits base * 2**(n-1) (MediaWatch setting)
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
DNS_TIMEOUT = 10
DNS_RESOLVER = "crawlers.resolver.PublicOnlyResolver"  # connects only to checked addresses (no DNS rebinding)
# Not the asyncio reactor: on it, Scrapy 2.19's downloader starts every queued request of a slot
# at once (``_process_queue`` schedules tasks that mark the slot busy only when they run), so
# CONCURRENT_REQUESTS_PER_DOMAIN is not enforced; with a plain Twisted reactor the coroutine runs
# synchronously up to its first await and the limit holds (tests/crawlers measure it).
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"
SSRF_ALLOW: list[str] = []  # MediaWatch setting: hosts/addresses/CIDRs allowed past the SSRF guard

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.SSRFGuardMiddleware": 50,
    "crawlers.middlewares.BackoffDelayMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.ExtractPipeline": 200,
    "crawlers.pipelines.RepairTextPipeline": 300,
    "crawlers.pipelines.DedupePipeline": 400,
    "crawlers.pipelines.EmitPipeline": 900,
}
EXTENSIONS = {"crawlers.middlewares.EmitDroppedExtension": 500}

_POLITE_KEYS = (
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_WARNSIZE",
    "RETRY_ENABLED",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
    "RETRY_BACKOFF_BASE",
    "REDIRECT_MAX_TIMES",
    "COOKIES_ENABLED",
    "TELNETCONSOLE_ENABLED",
    "LOG_LEVEL",
    "DNS_TIMEOUT",
    "DNS_RESOLVER",
    "TWISTED_REACTOR",
    "USER_AGENT",
    "BOT_NAME",
    "SSRF_ALLOW",
    "DOWNLOADER_MIDDLEWARES",
    "ITEM_PIPELINES",
    "EXTENSIONS",
)


def defaults() -> dict[str, Any]:
    """This module's Scrapy settings as a dict."""
    values = globals()
    return {key: values[key] for key in _POLITE_KEYS}


def build_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The child's Scrapy settings: defaults, then a run's overrides (upper-case Scrapy names)."""
    settings = defaults()
    for key, value in (overrides or {}).items():
        settings[key.upper()] = value
    return settings
