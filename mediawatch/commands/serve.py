"""``mediawatch serve``: the API under /api/v1 and the analysts' page (needs MEDIAWATCH_SECRET_KEY)."""

from __future__ import annotations

import argparse

from mediawatch.context import CommandContext
from records.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the API (/api/v1) and the analysts' page")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    import uvicorn

    from mediawatch.pipeline import build_pipeline
    from triage_api.app import create_app

    if ctx.settings.secret_key is None:
        raise ConfigError("MEDIAWATCH_SECRET_KEY is required to serve (at least 16 characters; no default)")
    pipeline = build_pipeline(ctx.settings, ctx.store)  # models load once, at start-up
    app = create_app(ctx.settings, store=ctx.store, pipeline=pipeline, on_claims_changed=pipeline.refresh_claims)
    print(f"mediawatch: serving http://{args.host}:{args.port}/ (API: /api/v1/docs)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0
