"""Source health: what each source delivered in its last run and in total, and whether it is failing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel

from crawlers.health import SourceHealth, list_health, load_health
from triage_api.deps import ReaderUser, StoreDep
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
