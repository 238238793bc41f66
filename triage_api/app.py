"""The FastAPI application: the API under ``/api/v1``, the analysts' page, ``/healthz`` and ``/metrics``.

``create_app(settings, store=...)`` builds it; the store is opened in the lifespan when none is given
(and closed with it). Every module in ``triage_api/routers/`` exposing ``router`` is included.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from mediawatch.settings import Settings
from records.errors import ConfigError
from records.schema import utcnow
from store.base import Store
from triage_api import routers as routers_package
from triage_api.deps import Hooks, Ingestor
from triage_api.errors import install_error_handlers
from triage_api.labels import load_topic_names, load_unit_names
from triage_api.middleware import MetricsMiddleware, RequestMetrics
from triage_api.ratelimit import LoginLimiter
from triage_api.security import CookieSigner
from triage_api.templating import STATIC_DIR, build_templates

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1_000_000
MAX_PAGE_SIZE = 200


def discover_routers() -> list[APIRouter]:
    """The ``router`` of every module in ``triage_api/routers/``, in module-name order.

    An import error in a router module is raised: a broken router must fail start-up, not vanish."""
    found: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(routers_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routers_package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    pipeline: Ingestor | None = None,
    on_claims_changed: Callable[[], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """Build the app. ``store``: use this open store (the caller closes it); otherwise the lifespan
    opens ``open_store(settings)``. ``pipeline``: an object with ``ingest(items)`` for pushed items.
    ``on_claims_changed``: called after the known claims changed (to refresh the matcher).
    Raises ConfigError if ``settings.secret_key`` is missing."""
    if settings.secret_key is None or len(settings.secret_key.get_secret_value()) < 16:
        raise ConfigError("MEDIAWATCH_SECRET_KEY is required to serve (at least 16 characters; no default)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened: Store | None = None
        if app.state.store is None:
            from store import open_store

            opened = open_store(settings)
            app.state.store = opened
        try:
            yield
        finally:
            if opened is not None:
                opened.close()
                app.state.store = None

    app = FastAPI(
        title="MediaWatch triage desk",
        version="1",
        summary="Incidents, search and accountability for the Quảng Nam information task force.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads its JavaScript from a CDN: /api/v1/docs is our own page (pages/apidocs.py)
        redoc_url=None,
        max_body_size=MAX_BODY_BYTES,
    )
    metrics = RequestMetrics()
    app.state.settings = settings
    app.state.store = store
    app.state.clock = clock
    app.state.hooks = Hooks(pipeline=pipeline, on_claims_changed=on_claims_changed)
    app.state.metrics = metrics
    app.state.login_limiter = LoginLimiter()
    app.state.signer = CookieSigner(settings.secret_key.get_secret_value())
    app.state.topic_names = load_topic_names(settings.config_dir)
    app.state.unit_names = load_unit_names(settings.config_dir)
    app.state.templates = build_templates(
        timezone=settings.timezone, topic_names=app.state.topic_names, unit_names=app.state.unit_names
    )

    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    from triage_api import system
    from triage_api.pages import router as pages_router
    from triage_api.pages.common import LoginRequired, PageForbidden, login_required_handler, page_forbidden_handler

    app.add_exception_handler(LoginRequired, login_required_handler)
    app.add_exception_handler(PageForbidden, page_forbidden_handler)

    app.include_router(system.router)
    for router in discover_routers():
        app.include_router(router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app
