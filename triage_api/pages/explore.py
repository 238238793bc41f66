"""Search, the dashboard (volume by topic and district over time) and the sources' health."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from records.errors import InputError
from records.schema import TOPIC_IDS, FlagKind, SourceKind
from store.base import ItemQuery
from triage_api.charts import line_chart
from triage_api.deps import ClockDep, StoreDep
from triage_api.pages.common import ReaderPageUser, render
from triage_api.schemas import SavedSearchIn, SearchParams
from triage_api.services import saved_searches as saved_service
from triage_api.services import search as search_service

router = APIRouter(include_in_schema=False)
SOURCE_HEALTH = "source_health"


def _params(
    q: str, topic: str, district: str, flag: str, source: str, kind: str, days: int, now: datetime
) -> SearchParams:
    return SearchParams(
        q=q.strip() or None,
        topic=[topic] if topic else [],
        district=[district] if district else [],
        flag=[flag] if flag else [],
        source=[source] if source else [],
        kind=[SourceKind(kind)] if kind in {k.value for k in SourceKind} else [],
        since=now - timedelta(days=days) if days else None,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    user: ReaderPageUser,
    clock: ClockDep,
    q: Annotated[str, Query(max_length=500)] = "",
    topic: Annotated[str, Query(max_length=50)] = "",
    district: Annotated[str, Query(max_length=100)] = "",
    flag: Annotated[str, Query(max_length=50)] = "",
    source: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    days: Annotated[int, Query(ge=0, le=3650)] = 0,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    saved: str = "",
) -> HTMLResponse:
    now = clock()
    params = _params(q, topic, district, flag, source, kind, days, now)
    searched = any([q, topic, district, flag, source, kind, days])
    results, aggregations, error = None, None, None
    if searched:
        query = search_service.item_query(params, limit=30, cursor=cursor)
        search_service.audit_board_search(store, user=user, what="page:search", params=params)
        try:
            results = store.search(query)
            aggregations = search_service.aggregate(
                store, query=query, interval="day", histogram_by=None, facets=("topic", "district", "flag", "source")
            )
        except InputError as exc:
            error = f"Không thực hiện được tìm kiếm: {exc}"
    return render(
        request,
        "search.html",
        user,
        status_code=400 if error else 200,
        error=error,
        flash="Đã lưu tìm kiếm." if saved else None,
        form={"q": q, "topic": topic, "district": district, "flag": flag, "source": source, "kind": kind, "days": days},
        results=results,
        aggregations=aggregations,
        saved_searches=saved_service.list_saved(store, user=user),
        topics=TOPIC_IDS,
        flags=[f.value for f in FlagKind],
        kinds=[k.value for k in SourceKind],
        query_string=request.url.query,
    )


@router.post("/search/save")
def save_search(
    request: Request,
    store: StoreDep,
    user: ReaderPageUser,
    clock: ClockDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    q: Annotated[str, Form(max_length=500)] = "",
    topic: Annotated[str, Form(max_length=50)] = "",
    district: Annotated[str, Form(max_length=100)] = "",
    flag: Annotated[str, Form(max_length=50)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        params = _params(q, topic, district, flag, source, kind, 0, clock())
        saved_service.create_saved(store, body=SavedSearchIn(name=name, params=params), user=user, now=clock())
    except (ValidationError, InputError):
        return RedirectResponse("/search", status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse(
        f"/search?{request.url.query}&saved=1" if request.url.query else "/search?saved=1",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    store: StoreDep,
    user: ReaderPageUser,
    clock: ClockDep,
    days: Annotated[int, Query(ge=1, le=366)] = 14,
) -> HTMLResponse:
    now = clock()
    since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    query = ItemQuery(since=since)
    search_service.audit_board_search(store, user=user, what="page:dashboard", params=SearchParams(since=since))
    by_topic: dict[str, dict[datetime, int]] = defaultdict(dict)
    for bucket in store.histogram(query, interval="day", by="topic"):
        if bucket.key:
            by_topic[bucket.key][bucket.start] = bucket.count
    by_district: dict[str, dict[datetime, int]] = defaultdict(dict)
    for bucket in store.histogram(query, interval="day", by="district"):
        if bucket.key:
            by_district[bucket.key][bucket.start] = bucket.count
    days_axis = [since + timedelta(days=k) for k in range((now - since).days + 1)]
    topic_names = request.app.state.topic_names
    district_totals = sorted(((d, sum(v.values())) for d, v in by_district.items()), key=lambda kv: -kv[1])
    flags = store.facet_counts(query, "flag")
    return render(
        request,
        "dashboard.html",
        user,
        days=days,
        total=store.count(query),
        flags=flags,
        topic_chart=line_chart(by_topic, labels=topic_names, title="Số tin theo chủ đề mỗi ngày", axis=days_axis),
        district_chart=line_chart(
            {d: by_district[d] for d, _ in district_totals[:8]},
            labels={},
            title="Số tin theo địa bàn mỗi ngày",
            axis=days_axis,
        ),
        district_rows=[(d, total, [by_district[d].get(t, 0) for t in days_axis]) for d, total in district_totals],
        days_axis=days_axis,
        heat_max=max((c for v in by_district.values() for c in v.values()), default=1),
    )


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, store: StoreDep, user: ReaderPageUser) -> HTMLResponse:
    rows = [record.doc for record in store.list_records(SOURCE_HEALTH)]
    order = {"failing": 0, "degraded": 1, "never": 2, "ok": 3}
    rows.sort(key=lambda doc: (order.get(str(doc.get("status")), 4), str(doc.get("source_id", ""))))
    return render(request, "sources.html", user, rows=rows, parse_time=_parse_time)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
