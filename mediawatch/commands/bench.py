"""``mediawatch bench``: run every area's benchmark once and print the measured figures."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from typing import Any

from mediawatch.context import CommandContext
from records.errors import InputError

# area -> (module, keyword arguments of a full run, keyword arguments of a --quick run)
BENCHES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "store": ("store.bench", {"n_items": 100_000}, {"n_items": 5_000}),
    "enrichment": ("nlp.bench", {}, {"corpus_chars": 200_000}),
    "crawl": ("crawlers.bench", {}, {"pages": 500, "extract_pages": 100}),
    "incidents": ("incidents.bench", {}, {"n_items": 1_000}),
    "api": ("triage_api.bench", {"n_items": 100_000}, {"n_items": 5_000}),
    "alerts": ("alerts.bench", {}, {"quick": True}),
    "digest": ("reports.bench", {}, {"n_items": 5_000}),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run the benchmarks and print measured figures as JSON")
    p.add_argument("--json", action="store_true", help="one JSON document only (no progress on stderr)")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--only", action="append", choices=sorted(BENCHES), help="run only these areas (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    areas = args.only or list(BENCHES)
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "mode": "quick" if args.quick else "full",
    }
    for area in areas:
        module_name, full_kwargs, quick_kwargs = BENCHES[area]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise InputError(f"benchmark {area!r} is not available: {exc}") from exc
        if not args.json:
            print(f"bench: {area} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        figures = module.run(**(quick_kwargs if args.quick else full_kwargs))
        figures["bench_seconds"] = round(time.perf_counter() - started, 2)
        report[area] = figures
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0
