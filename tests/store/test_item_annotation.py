"""``ItemAnnotation``: the one place an annotation is validated and applied, for every store; and the
Elasticsearch store's conditional write of it (the SQLite store runs the whole contract suite)."""

from __future__ import annotations

from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ConflictError as ESConflictError

from records.errors import InputError, NotFoundError
from store.base import ItemAnnotation
from store.es_queries import item_source
from tests.store.contract import make_item
from tests.store.test_es_upsert_flow import InMemoryESStore, stored


def test_none_leaves_fields_and_the_original_is_not_changed() -> None:
    item = make_item("https://baoquangnam.vn/a", "Lũ ở Đại Lộc", topics=["disaster"], incident_id="inc-1")
    changed = ItemAnnotation(flags=[]).applied_to(item)
    assert changed.topics == ["disaster"] and changed.incident_id == "inc-1"
    assert ItemAnnotation(topics=["accident"]).applied_to(item).topics == ["accident"]
    assert item.topics == ["disaster"]


def test_clear_incident_removes_the_link() -> None:
    item = make_item("https://baoquangnam.vn/b", "Sạt lở ở Nam Trà My", incident_id="inc-2")
    assert ItemAnnotation(clear_incident=True).applied_to(item).incident_id is None


def test_an_invalid_value_is_an_input_error_naming_the_item() -> None:
    item = make_item("https://baoquangnam.vn/c", "Tin")
    with pytest.raises(InputError, match=item.id):
        ItemAnnotation(places=["not a place mention"]).applied_to(item)


class _Client:
    """The one call ``_annotate`` makes: a conditional index, refused once when ``conflicts`` > 0."""

    def __init__(self, store: InMemoryESStore, conflicts: int = 0) -> None:
        self.store, self.conflicts, self.calls = store, conflicts, 0

    def index(self, *, index: str, id: str, document: dict[str, Any], if_seq_no: int, **_: Any) -> None:
        self.calls += 1
        if self.conflicts:
            self.conflicts -= 1
            meta = ApiResponseMeta(409, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "127.0.0.1", 9200))
            raise ESConflictError("version_conflict_engine_exception", meta=meta, body={})
        seq_no, _source = self.store.docs[id]
        assert seq_no == if_seq_no
        self.store.docs[id] = (seq_no + 1, document)


def _es_store_with(conflicts: int = 0) -> tuple[InMemoryESStore, str]:
    store = InMemoryESStore()
    item = make_item("https://baoquangnam.vn/d", "Lũ ở Duy Xuyên", incident_id="inc-3")
    store.docs[item.id] = (0, item_source(item))
    store.client = _Client(store, conflicts)  # type: ignore[assignment]
    return store, item.id


def test_elasticsearch_store_writes_the_annotation_conditionally() -> None:
    store, item_id = _es_store_with()
    returned = store.annotate_item(item_id, topics=["disaster"], clear_incident=True)
    assert stored(store, item_id).topics == returned.topics == ["disaster"]
    assert stored(store, item_id).incident_id is None
    with pytest.raises(InputError):
        store.annotate_item(item_id, incident_id="inc-4", clear_incident=True)
    with pytest.raises(NotFoundError):
        store.annotate_item("missing", topics=[])


def test_elasticsearch_store_retries_a_concurrent_change() -> None:
    store, item_id = _es_store_with(conflicts=1)
    store.annotate_item(item_id, topics=["accident"])
    assert store.client.calls == 2  # type: ignore[attr-defined]
    assert stored(store, item_id).topics == ["accident"]
