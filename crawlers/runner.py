"""Parent side of a crawl run: start ``crawlers.scrapy_child``, send the job, stream its JSON records."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from crawlers.errors import CrawlError

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_child(job: dict[str, Any], *, timeout: float = 1800.0) -> Iterator[dict[str, Any]]:
    """Yield the child's records as they arrive; CrawlError if it dies without its ``stats`` record
    or runs past ``timeout`` seconds (it is killed, what arrived before is kept by the caller)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONWARNINGS", "ignore")
    with tempfile.TemporaryFile(mode="w+b") as errlog:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawlers.scrapy_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errlog,
            env=env,
            cwd=str(REPO_ROOT),
        )
        timed_out = threading.Event()

        def _kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, _kill)
        timer.start()
        got_stats = False
        # A reader thread drains the child's stdout at once: the caller's sink (enrichment) can take
        # seconds per batch, and a full pipe would block the child's reactor mid-download.
        lines: queue.Queue[bytes | None] = queue.Queue()

        def _drain(stream: IO[bytes]) -> None:
            for raw in stream:
                lines.put(raw)
            lines.put(None)

        try:
            assert proc.stdin is not None and proc.stdout is not None
            reader = threading.Thread(target=_drain, args=(proc.stdout,), daemon=True)
            reader.start()
            proc.stdin.write(json.dumps(job, ensure_ascii=False, default=str).encode("utf-8"))
            proc.stdin.close()
            while (line := lines.get()) is not None:
                line = line.strip()
                if not line.startswith(b"{"):
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                got_stats = got_stats or record.get("type") == "stats"
                yield record
            reader.join()
            proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if timed_out.is_set():
            raise CrawlError(f"crawl child killed after {timeout:g} s")
        if proc.returncode != 0 or not got_stats:
            errlog.seek(0)
            tail = errlog.read()[-2000:].decode("utf-8", errors="replace").strip().splitlines()[-5:]
            raise CrawlError(f"crawl child failed (exit {proc.returncode}): {' | '.join(tail)}")
