"""The Elasticsearch store's batch upsert flow (claims, conditional writes, retries, failures) over an
in-memory stand-in for the three calls it makes: locate by id, read hash claims, bulk."""

from __future__ import annotations

from typing import Any

import pytest

from records.errors import StoreError
from records.schema import Item
from store.base import UpsertOutcome
from store.elasticsearch_store import ElasticsearchStore
from store.es_queries import item_from_source
from store.es_upsert import Located
from tests.store.contract import make_item


class InMemoryESStore(ElasticsearchStore):
    """Only the I/O edge is replaced: documents in dicts, bulk results like Elasticsearch's."""

    def __init__(self) -> None:
        super().__init__(client=None, prefix="mw")  # type: ignore[arg-type]
        self.docs: dict[str, tuple[int, dict[str, Any]]] = {}  # id -> (seq_no, source)
        self.claims: dict[str, str] = {}
        self.fail_ids: set[str] = set()
        self.before_bulk: list[Any] = []  # callables run before the next bulk (a concurrent writer)

    def _locate(self, ids: Any) -> dict[str, Located]:
        return {
            i: Located(
                index="mw-items-v1-000001",
                seq_no=self.docs[i][0],
                primary_term=1,
                item=item_from_source(self.docs[i][1]),
            )
            for i in ids
            if i in self.docs
        }

    def _hash_owners(self, hashes: Any) -> dict[str, str]:
        return {h: self.claims[h] for h in hashes if h in self.claims}

    def _bulk(self, actions: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
        while self.before_bulk:
            self.before_bulk.pop(0)()
        out = []
        for a in actions:
            op, doc_id = a["_op_type"], a["_id"]
            if a["_index"] == "mw-content_hashes":
                if op == "create" and doc_id in self.claims:
                    out.append((False, {op: {"status": 409}}))
                    continue
                self.claims[doc_id] = a["_source"]["owner"]
                out.append((True, {op: {"status": 201}}))
                continue
            if doc_id in self.fail_ids:
                out.append((False, {op: {"status": 400, "error": "mapper_parsing_exception"}}))
                continue
            current = self.docs.get(doc_id)
            if op == "create" and current is not None:
                out.append((False, {op: {"status": 409}}))
                continue
            if op == "index" and (current is None or current[0] != a["if_seq_no"]):
                out.append((False, {op: {"status": 409}}))
                continue
            self.docs[doc_id] = ((current[0] + 1) if current else 0, a["_source"])
            out.append((True, {op: {"status": 201}}))
        return out


def stored(store: InMemoryESStore, item_id: str) -> Item:
    return item_from_source(store.docs[item_id][1])


def test_outcomes_across_batches() -> None:
    store = InMemoryESStore()
    a = make_item("https://a.vn/1", "Bão số 5", "gió cấp 10")
    assert [r.outcome for r in store.upsert_items([a, a])] == [UpsertOutcome.created, UpsertOutcome.unchanged]
    copy = make_item("https://b.vn/1", "Bão số 5", "gió cấp 10")
    changed = make_item("https://a.vn/1", "Bão số 5", "gió cấp 12")
    results = store.upsert_items([copy, changed])
    assert [r.outcome for r in results] == [UpsertOutcome.duplicate, UpsertOutcome.updated]
    item = stored(store, a.id)
    assert item.text == "gió cấp 12" and [v.text for v in item.versions] == ["gió cấp 10"]
    assert copy.url in item.syndicated_with
    assert set(store.docs) == {a.id}
    assert store.claims == {a.content_hash: a.id, changed.content_hash: a.id}


def test_a_concurrent_writer_storing_the_same_content_first_makes_ours_a_duplicate() -> None:
    store = InMemoryESStore()
    theirs = make_item("https://other.vn/x", "Hội An ngập", "phố cổ ngập")
    ours = make_item("https://ours.vn/x", "Hội An ngập", "phố cổ ngập")

    def other_writer() -> None:
        store.claims[theirs.content_hash] = theirs.id
        store.docs[theirs.id] = (0, {**_source(theirs)})

    store.before_bulk.append(other_writer)
    result = store.upsert_items([ours])
    assert result[0].outcome == UpsertOutcome.duplicate and result[0].item_id == theirs.id
    assert ours.id not in store.docs
    assert ours.url in stored(store, theirs.id).syndicated_with


def test_a_concurrent_change_is_retried_not_overwritten() -> None:
    store = InMemoryESStore()
    a = make_item("https://a.vn/1", "Tin", "bản một")
    store.upsert_items([a])

    def other_writer() -> None:
        seq, src = store.docs[a.id]
        store.docs[a.id] = (seq + 1, {**src, "syndicated_with": ["https://copy.vn/1"]})

    store.before_bulk.append(other_writer)
    store.upsert_items([make_item("https://a.vn/1", "Tin", "bản hai")])
    item = stored(store, a.id)
    assert item.text == "bản hai"
    assert item.syndicated_with == ["https://copy.vn/1"]  # the retry re-read the concurrent version
    assert [v.text for v in item.versions] == ["bản một"]


def test_item_failures_are_counted_and_raised() -> None:
    store = InMemoryESStore()
    good = make_item("https://a.vn/ok", "Tốt", "một")
    bad = make_item("https://a.vn/bad", "Hỏng", "hai")
    store.fail_ids.add(bad.id)
    with pytest.raises(StoreError, match="1 of 2 items failed"):
        store.upsert_items([good, bad])
    assert good.id in store.docs and bad.id not in store.docs


def test_claim_left_by_a_crashed_writer_is_taken_over() -> None:
    store = InMemoryESStore()
    item = make_item("https://a.vn/3", "Tin", "nội dung")
    store.claims[item.content_hash] = "never-written"
    assert store.upsert_items([item])[0].outcome == UpsertOutcome.created
    assert store.claims[item.content_hash] == item.id


def _source(item: Item) -> dict[str, Any]:
    from store.es_queries import item_source

    return item_source(item)
