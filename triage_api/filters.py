"""Query-string filters shared by the item list, search and aggregation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from records.schema import SourceKind
from triage_api.schemas import SearchParams


async def search_params(
    q: Annotated[str | None, Query(max_length=500, description="full text, diacritic-insensitive")] = None,
    topic: Annotated[list[str] | None, Query(max_length=20)] = None,
    district: Annotated[list[str] | None, Query(max_length=30)] = None,
    flag: Annotated[list[str] | None, Query(max_length=3, description="misinformation, scam, hate_speech")] = None,
    source: Annotated[list[str] | None, Query(max_length=50)] = None,
    kind: Annotated[list[SourceKind] | None, Query(max_length=3)] = None,
    since: Annotated[datetime | None, Query(description="published (else collected) at or after")] = None,
    until: Annotated[datetime | None, Query(description="published (else collected) before")] = None,
) -> SearchParams:
    return SearchParams(
        q=q,
        topic=topic or [],
        district=district or [],
        flag=flag or [],
        source=source or [],
        kind=kind or [],
        since=since,
        until=until,
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]
