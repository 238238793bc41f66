"""``mediawatch demo``: the main job on the bundled sample sources (what ``make run`` runs)."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from pydantic import SecretStr

from mediawatch.context import CommandContext
from mediawatch.pipeline import Pipeline, build_pipeline
from records.errors import ConflictError
from records.schema import utcnow


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="crawl the bundled sample sources on loopback, run every stage, then serve the page",
        description=(
            "Start the sample Quảng Nam sources on loopback, crawl them, enrich, store, group into "
            "incidents and route them, raise alerts at a local webhook sink, write the week's digest "
            "and the half-year report into --out, then serve the API and the analysts' page. "
            "Meant for a fresh store (make run starts from an empty var/demo.db)."
        ),
    )
    p.add_argument("--no-serve", action="store_true", help="exit after the run with a one-line summary")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    p.add_argument("--out", type=Path, default=Path("var"), help="folder for the digest, report and logs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from mediawatch.demo import run_demo

    print("Nạp mô hình và từ điển địa danh ...")
    pipeline = build_pipeline(ctx.settings, ctx.store)  # models load once, for the run and the server
    summary = run_demo(ctx.settings, ctx.store, pipeline, out_dir=args.out, say=print)
    if args.no_serve:
        print(summary.line())
        return 0
    return _serve(args, ctx, pipeline)


def _serve(args: argparse.Namespace, ctx: CommandContext, pipeline: Pipeline) -> int:
    import uvicorn

    from mediawatch.demo import DEMO_ADMIN, DEMO_ANALYST
    from triage_api.app import create_app
    from triage_api.services import users

    for username, role in ((DEMO_ANALYST, "analyst"), (DEMO_ADMIN, "admin")):
        try:
            created = users.create_user(ctx.store, username=username, role=role, actor="demo", now=utcnow())
        except ConflictError:
            print(f"Tài khoản {username} đã có trong kho này (mật khẩu không đổi).")
            continue
        print(f"Tài khoản {username} ({role}): mật khẩu dùng một lần {created.password}")
    # A secret generated for this run only, never a default: sessions end when the demo stops.
    settings = ctx.settings
    if settings.secret_key is None:
        settings = settings.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(32))})
    app = create_app(settings, store=ctx.store, pipeline=pipeline, on_claims_changed=pipeline.refresh_claims)
    print(f"Trang phân tích: http://{args.host}:{args.port}/  (API: /api/v1/docs; Ctrl-C để dừng)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
