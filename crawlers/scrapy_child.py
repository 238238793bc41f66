"""The crawl child process: ``python -m crawlers.scrapy_child`` reads one job (JSON) on stdin, runs
``CollectSpider`` in a fresh Twisted reactor and writes one JSON record per line on stdout, ending
with a ``stats`` record (request counts, peak memory).

Why a child process: Twisted's reactor starts once per process and cannot be restarted, so a
``collect_once`` that runs Scrapy in-process could run only once per CLI or test process. A child
per run is restartable, isolates memory (a hostile page cannot bloat the parent) and gives an
honest peak-memory figure (``ru_maxrss``) for the bench.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawlers.settings import build_settings
from crawlers.spiders.collect import CollectSpider

_STATS = (
    "downloader/request_count",
    "downloader/response_count",
    "downloader/response_bytes",
    "item_scraped_count",
    "item_dropped_count",
    "retry/count",
    "retry/max_reached",
    "robotstxt/forbidden",
    "robotstxt/request_count",
    "elapsed_time_seconds",
    "log_count/ERROR",
)


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run the job to completion in this process (once: the reactor cannot restart)."""
    settings = build_settings(job.get("settings"))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(CollectSpider)
    process.crawl(crawler, job=job, out=sys.stdout)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary: dict[str, Any] = {key: stats.get(key, 0) for key in _STATS}
    summary["finish_reason"] = stats.get("finish_reason")
    summary["ru_maxrss_kb"] = peak_rss_kb()
    return summary


def peak_rss_kb() -> int:
    """This process's own peak resident memory in KiB.

    Linux's ``ru_maxrss`` survives fork and exec, so a child started from a large parent would report
    the parent's peak; ``VmHWM`` belongs to the process's own address space since its exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    job = json.loads(sys.stdin.read())
    summary = run(job)
    sys.stdout.write(json.dumps({"type": "stats", **summary}, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
