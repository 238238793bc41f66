"""Pure builders for the Elasticsearch store: documents, structured queries, aggregations, bulk actions.

No client here, so everything is testable offline. User text only ever reaches Elasticsearch as
the text of ``match``/``match_phrase`` queries (analysed, never parsed): no ``query_string``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from records.schema import Incident, Item
from store.base import FacetField, IncidentQuery, Interval, ItemQuery
from store.fts import TextQuery, parse_text_query

DERIVED_ITEM_FIELDS = ("sort_time", "districts", "flag_kinds", "flagged")
FACET_FIELDS: dict[str, str] = {
    "topic": "topics",
    "district": "districts",
    "flag": "flag_kinds",
    "source": "source_id",
    "kind": "kind",
}
FACET_SIZE = 10_000  # facet values are bounded (topics, districts, flag kinds, sources, kinds)
EXACT_BOOST = 3.0


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


# -- documents ---------------------------------------------------------------------------------
def item_source(item: Item) -> dict[str, Any]:
    """The ``_source`` of an item: the Item's JSON plus fields derived for filtering and facets."""
    src = item.model_dump(mode="json")
    src["sort_time"] = _iso(item.sort_time)
    src["districts"] = item.districts
    src["flag_kinds"] = list(dict.fromkeys(item.flag_kinds))
    src["flagged"] = bool(item.flags)
    return src


def item_from_source(src: dict[str, Any]) -> Item:
    return Item.model_validate({k: v for k, v in src.items() if k not in DERIVED_ITEM_FIELDS})


def incident_source(incident: Incident) -> dict[str, Any]:
    return incident.model_dump(mode="json")


# -- item queries ------------------------------------------------------------------------------
def text_query(query: ItemQuery) -> TextQuery | None:
    if query.text is None or not query.text.strip():
        return None
    return parse_text_query(query.text)


def _term_clause(tokens: tuple[str, ...], fields: list[str], boost: float | None = None) -> dict[str, Any]:
    """Every token of one term in one of the fields (a phrase when several tokens)."""
    clause: dict[str, Any] = {
        "multi_match": {
            "query": " ".join(tokens),
            "fields": fields,
            "type": "phrase" if len(tokens) > 1 else "best_fields",
            "operator": "and",
        }
    }
    if len(tokens) > 1:
        del clause["multi_match"]["operator"]
    if boost is not None:
        clause["multi_match"]["boost"] = boost
    return clause


def text_clauses(tq: TextQuery) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(must, should): every folded term must match; exact-diacritic terms add to the score."""
    must = [_term_clause(term, ["title.folded^2", "text.folded", "segmented.folded"]) for term in tq.exact]
    should = [_term_clause(term, ["title^2", "text"], boost=EXACT_BOOST) for term in tq.exact]
    return must, should


def _time_range(field: str, since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    """A ``since <= field < until`` filter (either bound optional), or none without bounds."""
    bounds: dict[str, str] = {}
    if since is not None:
        bounds["gte"] = _iso(since)
    if until is not None:
        bounds["lt"] = _iso(until)
    return [{"range": {field: bounds}}] if bounds else []


def item_filters(query: ItemQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    filters += _time_range("sort_time", query.since, query.until)
    for field, values in (
        ("topics", query.topics),
        ("districts", query.districts),
        ("flag_kinds", query.flags),
        ("source_id", query.sources),
        ("kind", [str(k) for k in query.kinds]),
    ):
        if values:
            filters.append({"terms": {field: list(values)}})
    if query.incident_id is not None:
        filters.append({"term": {"incident_id": query.incident_id}})
    if query.flagged is not None:
        filters.append({"term": {"flagged": query.flagged}})
    return filters


def item_query(query: ItemQuery) -> dict[str, Any]:
    """A structured ``bool`` query for an ItemQuery (filters in filter context, text scored)."""
    bool_q: dict[str, Any] = {"filter": item_filters(query)}
    tq = text_query(query)
    if tq is not None:
        if tq.empty:
            bool_q["must_not"] = [{"match_all": {}}]  # only punctuation: finds nothing
        else:
            must, should = text_clauses(tq)
            bool_q["must"] = must
            bool_q["should"] = should
    return {"bool": bool_q}


def item_order(query: ItemQuery) -> str:
    tq = text_query(query)
    has_text = tq is not None and not tq.empty
    if query.order == "relevance" and has_text:
        return "relevance"
    if query.order == "auto":
        return "relevance" if has_text else "newest"
    return "newest"


def item_sort(order: str) -> list[dict[str, Any]]:
    """Sort keys; ``id`` breaks ties so search_after never repeats or skips."""
    if order == "relevance":
        return [{"_score": "desc"}, {"sort_time": "desc"}, {"id": "desc"}]
    if order == "oldest":
        return [{"sort_time": "asc"}, {"id": "asc"}]
    return [{"sort_time": "desc"}, {"id": "desc"}]


def facet_aggs(by: FacetField) -> dict[str, Any]:
    return {"facet": {"terms": {"field": FACET_FIELDS[by], "size": FACET_SIZE}}}


def histogram_aggs(interval: Interval, by: FacetField | None) -> dict[str, Any]:
    hist: dict[str, Any] = {
        "date_histogram": {"field": "sort_time", "calendar_interval": interval, "time_zone": "UTC", "min_doc_count": 1}
    }
    if by is not None:
        hist["aggs"] = facet_aggs(by)
    return {"hist": hist}


# -- incidents ---------------------------------------------------------------------------------
def incident_query(query: IncidentQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    for field, values in (
        ("status", [str(s) for s in query.statuses]),
        ("topics", query.topics),
        ("districts", query.districts),
        ("flag_kinds", query.flags),
    ):
        if values:
            filters.append({"terms": {field: values}})
    if query.owner_unit is not None:
        filters.append({"term": {"owner_unit": query.owner_unit}})
    if query.assignee is not None:
        filters.append({"term": {"assignee": query.assignee}})
    if query.min_severity is not None:
        filters.append({"range": {"severity": {"gte": query.min_severity}}})
    filters += _time_range("last_seen", query.since, query.until)
    return {"bool": {"filter": filters}}


def incident_sort(order: str) -> list[dict[str, Any]]:
    if order == "severity":
        return [{"severity": "desc"}, {"last_seen": "desc"}, {"id": "desc"}]
    return [{"last_seen": "desc"}, {"id": "desc"}]


# -- bulk actions ------------------------------------------------------------------------------
def create_item_action(alias: str, item: Item) -> dict[str, Any]:
    """First insert: create-only into the write index, ``_id`` = the item id."""
    return {"_op_type": "create", "_index": alias, "_id": item.id, "_source": item_source(item)}


def replace_item_action(index: str, item: Item, *, seq_no: int, primary_term: int) -> dict[str, Any]:
    """Rewrite an item where it lives, only if nobody changed it since it was read."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": item.id,
        "if_seq_no": seq_no,
        "if_primary_term": primary_term,
        "_source": item_source(item),
    }


def claim_hash_action(index: str, content_hash: str, owner: str) -> dict[str, Any]:
    """Create-only claim of a content hash: the first item to claim it stores that content."""
    return {"_op_type": "create", "_index": index, "_id": content_hash, "_source": {"owner": owner}}


def delete_action(index: str, doc_id: str) -> dict[str, Any]:
    return {"_op_type": "delete", "_index": index, "_id": doc_id}
