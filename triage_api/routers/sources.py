"""Source health (what each source delivered in its last run and in total, whether it is failing) and
sources added by administrators beside the registry file (SSRF-checked; `mediawatch crawl` merges them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, status
from pydantic import BaseModel

from crawlers.health import SourceHealth, list_health, load_health
from crawlers.registry import Source, add_source, remove_source
from triage_api.deps import AdminUser, ReaderUser, SettingsDep, StoreDep
from triage_api.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api/v1/sources", tags=["sources"], responses=COMMON_RESPONSES)
SourceId = Annotated[str, Path(min_length=1, max_length=64)]
_ORDER = {"failing": 0, "degraded": 1, "never": 2, "ok": 3}


class SourcesPublic(BaseModel):
    data: list[SourceHealth]
    count: int


@router.get("", summary="Health of every collected source (failing first)")
def list_sources(store: StoreDep, user: ReaderUser) -> SourcesPublic:
    rows = sorted(list_health(store), key=lambda h: (_ORDER.get(str(h.status), 4), h.source_id))
    return SourcesPublic(data=rows, count=len(rows))


@router.get("/{source_id}", summary="Health of one source")
def get_source(source_id: SourceId, store: StoreDep, user: ReaderUser) -> SourceHealth:
    health = load_health(store, source_id)
    if health is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no health recorded for source {source_id!r}")
    return health


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a source (registry entry format, http(s) URLs)")
def create_source(
    store: StoreDep, settings: SettingsDep, user: AdminUser, body: Annotated[dict[str, Any], Body()]
) -> Source:
    return add_source(store, body, allow=settings.ssrf_allow, actor=user.username)


@router.delete("/{source_id}", summary="Remove a source added through the API")
def delete_source(source_id: SourceId, store: StoreDep, user: AdminUser) -> dict[str, bool]:
    if not remove_source(store, source_id, actor=user.username):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no source {source_id!r} was added through the API")
    return {"deleted": True}
