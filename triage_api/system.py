"""Operational endpoints outside the versioned API: ``/healthz`` and ``/metrics`` (no secrets)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from records.errors import StoreError
from store.base import IncidentQuery
from triage_api.services.queue import counts_by_status

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str  # "ok" or "degraded"
    store: bool  # the store answered a read
    components: dict[str, bool]  # names of loaded collaborators and whether they are present


def _store_ok(request: Request) -> bool:
    store = getattr(request.app.state, "store", None)
    if store is None:
        return False
    try:
        store.get_record("users", "__healthz__")
    except (StoreError, OSError):
        return False
    return True


@router.get("/healthz", summary="Liveness and readiness: names and booleans only")
def healthz(request: Request) -> Health:
    store_ok = _store_ok(request)
    hooks = request.app.state.hooks
    components = {
        "store": store_ok,
        "pipeline": hooks.pipeline is not None,
        "claims_hook": hooks.on_claims_changed is not None,
        "secret_key": True,  # create_app refuses to build without one; the value is never shown
    }
    return Health(status="ok" if store_ok else "degraded", store=store_ok, components=components)


def _queue_lines(request: Request) -> list[str]:
    store = getattr(request.app.state, "store", None)
    lines = [
        "# HELP mediawatch_incidents Incidents in the queue by status.",
        "# TYPE mediawatch_incidents gauge",
    ]
    if store is None:
        return lines
    try:
        counts = counts_by_status(store, query=IncidentQuery())
    except StoreError:
        return lines
    lines += [f'mediawatch_incidents{{status="{status}"}} {n}' for status, n in counts.items()]
    return lines


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics (no secrets)")
def metrics(request: Request) -> PlainTextResponse:
    lines = request.app.state.metrics.render()
    lines += _queue_lines(request)
    lines += [
        "# HELP mediawatch_login_throttled_keys User names and addresses with recent failed logins.",
        "# TYPE mediawatch_login_throttled_keys gauge",
        f"mediawatch_login_throttled_keys {request.app.state.login_limiter.tracked_keys()}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
