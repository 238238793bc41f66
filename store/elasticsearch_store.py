"""The scale-out store on Elasticsearch (indices and analyzers from ``index_config/``).

- One client per process (``client_for``), passed settings explicitly.
- Items: deterministic ``_id`` (the item id); first inserts are create-only into the write alias,
  changes are conditional rewrites (``if_seq_no``/``if_primary_term``) where the item lives, so
  monthly rollover never makes a second copy. Content uniqueness: a create-only claim document per
  content hash. Bulk writes via ``helpers.streaming_bulk`` with ``max_retries`` and
  ``retry_on_status=(429,)``; per-item failures are counted and raise StoreError.
- Every acknowledged write uses ``refresh="wait_for"``: the next search sees it (the pipeline
  searches right after storing).
- Pages: a point in time (PIT) plus ``search_after``, so pages stay stable while items arrive.
- Incidents and records: optimistic concurrency on ``_seq_no``/``_primary_term``.
- Audit: one create-only document per sequence number serializes appends; a head document
  points at the last entry.

No Elasticsearch server runs on the build machines: the contract suite runs against this store
where ``ELASTICSEARCH_URL`` is set.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers
from elasticsearch import ConflictError as ESConflictError
from elasticsearch import NotFoundError as ESNotFoundError

from records.audit import GENESIS, chain_hash
from records.errors import ConfigError, ConflictError, InputError, NotFoundError, StoreError
from records.schema import AuditEntry, Incident, Item, QuarantinedRecord, VersionedRecord
from store.base import (
    Bucket,
    FacetField,
    IncidentQuery,
    Interval,
    ItemAnnotation,
    ItemQuery,
    Page,
    Store,
    UpsertResult,
)
from store.cursors import decode_cursor, encode_cursor
from store.es_queries import (
    delete_action,
    facet_aggs,
    histogram_aggs,
    incident_query,
    incident_sort,
    incident_source,
    item_from_source,
    item_order,
    item_query,
    item_sort,
    item_source,
)
from store.es_upsert import Located, UpsertPlan, plan_upserts
from store.sqlite_store import normalize_details

if TYPE_CHECKING:
    from mediawatch.settings import Settings

CHUNK = 500
PIT_KEEP_ALIVE = "2m"  # each page extends it; open PITs count against search.max_open_pit_context
BULK_RETRIES = 5
CONFLICT_ATTEMPTS = 3
AUDIT_HEAD = "head"
_clients: dict[tuple[str, str], Elasticsearch] = {}
_clients_lock = threading.Lock()


def client_for(url: str, api_key: str | None = None) -> Elasticsearch:
    """The process's one client for this server (created on first use)."""
    key = (url, api_key or "")
    with _clients_lock:
        if key not in _clients:
            _clients[key] = Elasticsearch(
                url, api_key=api_key, request_timeout=30, retry_on_timeout=True, max_retries=3
            )
        return _clients[key]


@contextmanager
def _es_errors(what: str) -> Iterator[None]:
    """Server and connection failures become StoreError (conflicts are handled where expected)."""
    try:
        yield
    except (ApiError, TransportError) as exc:
        raise StoreError(f"Elasticsearch {what} failed: {exc}") from exc


class ElasticsearchStore(Store):
    """``Store`` on Elasticsearch, under aliases ``<prefix>-items``, ``<prefix>-incidents``, …"""

    def __init__(self, client: Elasticsearch, prefix: str, *, refresh: str = "wait_for") -> None:
        if not prefix or prefix != prefix.lower():
            raise ConfigError(f"Elasticsearch index prefix must be lower-case and non-empty: {prefix!r}")
        self.client = client
        self.prefix = prefix
        self.refresh = refresh

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchStore:
        """The store for these settings, checked against the server (fails at start-up, not later)."""
        if not settings.elasticsearch_url:
            raise ConfigError("the Elasticsearch store needs ELASTICSEARCH_URL")
        key = settings.es_api_key.get_secret_value() if settings.es_api_key else None
        store = cls(client_for(settings.elasticsearch_url, key), settings.es_index_prefix)
        store.check()
        return store

    def check(self) -> None:
        """ConfigError when an alias is missing (run ``mediawatch es-setup``); StoreError when the
        server cannot be reached."""
        from store.es_admin import INDEX_NAMES

        with _es_errors("start-up check"):
            missing = [n for n in INDEX_NAMES if not self.client.indices.exists_alias(name=self.alias(n))]
        if missing:
            names = ", ".join(self.alias(n) for n in missing)
            raise ConfigError(f"Elasticsearch aliases missing: {names} (run `mediawatch es-setup`)")

    def alias(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def close(self) -> None:
        """The client is shared by the process and stays open."""

    # -- items: locating --------------------------------------------------------------------------
    def _locate(self, ids: Sequence[str]) -> dict[str, Located]:
        found: dict[str, Located] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            with _es_errors("item lookup"):
                resp = self.client.search(
                    index=self.alias("items"),
                    query={"ids": {"values": chunk}},
                    size=len(chunk),
                    seq_no_primary_term=True,
                )
            for hit in resp["hits"]["hits"]:
                found[hit["_id"]] = Located(
                    index=hit["_index"],
                    seq_no=hit["_seq_no"],
                    primary_term=hit["_primary_term"],
                    item=item_from_source(hit["_source"]),
                )
        return found

    def _hash_owners(self, hashes: Sequence[str]) -> dict[str, str]:
        unique = list(dict.fromkeys(hashes))
        if not unique:
            return {}
        with _es_errors("content hash lookup"):
            resp = self.client.mget(index=self.alias("content_hashes"), ids=unique)
        return {d["_id"]: d["_source"]["owner"] for d in resp["docs"] if d.get("found")}

    # -- items: writing ---------------------------------------------------------------------------
    def _bulk(self, actions: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
        """streaming_bulk with 429 retries; one (ok, info) per action, in order."""
        if not actions:
            return []
        with _es_errors("bulk write"):
            return list(
                helpers.streaming_bulk(
                    self.client,
                    actions,
                    chunk_size=CHUNK,
                    max_retries=BULK_RETRIES,
                    retry_on_status=(429,),
                    raise_on_error=False,
                    raise_on_exception=False,
                    refresh=self.refresh,
                )
            )

    @staticmethod
    def _status(info: dict[str, Any]) -> int:
        body: dict[str, Any] = next(iter(info.values()), {})
        return int(body.get("status", 0))

    def upsert_items(self, items: Sequence[Item]) -> list[UpsertResult]:
        results: list[UpsertResult] = []
        for start in range(0, len(items), CHUNK):
            results += self._upsert_chunk(list(items[start : start + CHUNK]))
        return results

    def _plan(self, items: list[Item]) -> UpsertPlan:
        located = self._locate([i.id for i in items])
        owners = self._hash_owners([i.content_hash for i in items if i.id not in located])
        missing_owners = [o for o in owners.values() if o not in located]
        if missing_owners:
            located.update(self._locate(missing_owners))
        return plan_upserts(items, located, owners)

    def _upsert_chunk(self, items: list[Item]) -> list[UpsertResult]:
        final: dict[int, UpsertResult] = {}
        pending = list(range(len(items)))
        failures: list[str] = []
        for _ in range(CONFLICT_ATTEMPTS):
            batch = [items[p] for p in pending]
            plan = self._plan(batch)
            retry: set[int] = set()
            lost_claims: set[str] = set()
            claim_actions = plan.claim_actions(self.alias("content_hashes"))
            for action, (ok, info) in zip(claim_actions, self._bulk(claim_actions), strict=True):
                if not ok and self._status(info) == 409:
                    lost_claims.add(action["_id"])  # another writer stored this content first
                elif not ok:
                    failures.append(f"claim {action['_id']}: {info}")
            writes = [
                w for w in plan.writes.values() if not (w.kind == "create" and w.item.content_hash in lost_claims)
            ]
            for w in plan.writes.values():
                if w not in writes:
                    retry.update(w.positions)
            actions = [w.action(self.alias("items")) for w in writes]
            for write, (ok, info) in zip(writes, self._bulk(actions), strict=True):
                if ok:
                    continue
                if self._status(info) == 409:
                    retry.update(write.positions)  # changed or created concurrently: plan again
                else:
                    failures.append(f"item {write.item.id}: {info}")
            for pos, result in enumerate(plan.results):
                if pos not in retry and pending[pos] not in final:
                    final[pending[pos]] = result
            pending = [pending[pos] for pos in sorted(retry)]
            if not pending:
                break
        if pending:
            failures += [f"item {items[p].id}: kept conflicting with concurrent writers" for p in pending]
        if failures:
            raise StoreError(f"{len(failures)} of {len(items)} items failed to store; first: {failures[0]}")
        return [final[p] for p in range(len(items))]

    def _annotate(self, item_id: str, annotation: ItemAnnotation) -> Item:
        for _ in range(CONFLICT_ATTEMPTS):
            loc = self._locate([item_id]).get(item_id)
            if loc is None:
                raise NotFoundError(f"no item {item_id}")
            item = annotation.applied_to(loc.item)
            try:
                with _es_errors("annotate"):
                    self.client.index(
                        index=loc.index,
                        id=item_id,
                        document=item_source(item),
                        if_seq_no=loc.seq_no,
                        if_primary_term=loc.primary_term,
                        refresh=self.refresh,
                    )
                return item
            except StoreError as exc:
                if not isinstance(exc.__cause__, ESConflictError):
                    raise
        raise ConflictError(f"item {item_id} kept changing while annotating it")

    def delete_items(self, item_ids: Sequence[str]) -> int:
        located = self._locate(item_ids)
        if not located:
            return 0
        hashes = {
            h for loc in located.values() for h in [loc.item.content_hash, *(v.content_hash for v in loc.item.versions)]
        }
        owners = self._hash_owners(sorted(hashes))
        actions = [delete_action(loc.index, item_id) for item_id, loc in located.items()]
        actions += [delete_action(self.alias("content_hashes"), h) for h, owner in owners.items() if owner in located]
        failed = [info for ok, info in self._bulk(actions) if not ok and self._status(info) != 404]
        if failed:
            raise StoreError(f"{len(failed)} deletions failed; first: {failed[0]}")
        return len(located)

    # -- items: reading ---------------------------------------------------------------------------
    def get_item(self, item_id: str) -> Item | None:
        loc = self._locate([item_id]).get(item_id)
        return loc.item if loc else None

    def get_items(self, item_ids: Sequence[str]) -> list[Item]:
        located = self._locate(item_ids)
        return [located[i].item for i in item_ids if i in located]

    def _open_pit(self, index: str) -> str:
        with _es_errors("open point in time"):
            return str(self.client.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE)["id"])

    def _close_pit(self, pit_id: str) -> None:
        with suppress(ApiError, TransportError):  # it expires on its own after PIT_KEEP_ALIVE
            self.client.close_point_in_time(id=pit_id)

    def search(self, query: ItemQuery) -> Page[Item]:
        order = item_order(query)
        mode = f"items-{order}"
        es_query = item_query(query)
        if query.cursor:
            cursor = decode_cursor(query.cursor, kind=mode)
            pit_id, after, total = cursor.get("pit"), cursor.get("after"), cursor.get("total")
            if not isinstance(pit_id, str) or not isinstance(after, list):
                raise InputError("invalid page cursor")
        else:
            pit_id, after, total = self._open_pit(self.alias("items")), None, None
        kwargs: dict[str, Any] = {
            "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
            "query": es_query,
            "sort": item_sort(order),
            "size": query.limit + 1,
            "track_total_hits": total is None,
        }
        if after is not None:
            kwargs["search_after"] = after
        try:
            resp = self.client.search(**kwargs)
        except ESNotFoundError as exc:
            raise InputError("the page cursor has expired: search again") from exc
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch search failed: {exc}") from exc
        hits = resp["hits"]["hits"]
        if total is None:
            total = int(resp["hits"]["total"]["value"])
        pit_id = resp.get("pit_id", pit_id)
        more = len(hits) > query.limit
        hits = hits[: query.limit]
        next_cursor = None
        if more and hits:
            next_cursor = encode_cursor({"k": mode, "pit": pit_id, "after": hits[-1]["sort"], "total": total})
        else:
            self._close_pit(pit_id)
        return Page[Item](items=[item_from_source(h["_source"]) for h in hits], next_cursor=next_cursor, total=total)

    def count(self, query: ItemQuery) -> int:
        with _es_errors("count"):
            return int(self.client.count(index=self.alias("items"), query=item_query(query))["count"])

    def facet_counts(self, query: ItemQuery, by: FacetField) -> dict[str, int]:
        with _es_errors("facet counts"):
            resp = self.client.search(index=self.alias("items"), size=0, query=item_query(query), aggs=facet_aggs(by))
        buckets = resp["aggregations"]["facet"]["buckets"]
        return {
            str(b["key"]): int(b["doc_count"]) for b in sorted(buckets, key=lambda b: (-b["doc_count"], str(b["key"])))
        }

    def histogram(self, query: ItemQuery, *, interval: Interval, by: FacetField | None = None) -> list[Bucket]:
        with _es_errors("histogram"):
            resp = self.client.search(
                index=self.alias("items"), size=0, query=item_query(query), aggs=histogram_aggs(interval, by)
            )
        out: list[Bucket] = []
        for b in resp["aggregations"]["hist"]["buckets"]:
            start = datetime.fromtimestamp(b["key"] / 1000, tz=UTC)
            if by is None:
                if b["doc_count"]:
                    out.append(Bucket(start=start, key=None, count=int(b["doc_count"])))
                continue
            for sub in sorted(b["facet"]["buckets"], key=lambda s: str(s["key"])):
                out.append(Bucket(start=start, key=str(sub["key"]), count=int(sub["doc_count"])))
        return out

    def iter_items(self, query: ItemQuery, batch_size: int = 500) -> Iterator[Item]:
        pit_id = self._open_pit(self.alias("items"))
        after: list[Any] | None = None
        try:
            while True:
                kwargs: dict[str, Any] = {
                    "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
                    "query": item_query(query),
                    "sort": item_sort("oldest"),
                    "size": batch_size,
                    "track_total_hits": False,
                }
                if after is not None:
                    kwargs["search_after"] = after
                with _es_errors("iterate items"):
                    resp = self.client.search(**kwargs)
                pit_id = resp.get("pit_id", pit_id)
                hits = resp["hits"]["hits"]
                for hit in hits:
                    yield item_from_source(hit["_source"])
                if len(hits) < batch_size:
                    return
                after = hits[-1]["sort"]
        finally:
            self._close_pit(pit_id)

    # -- quarantine -------------------------------------------------------------------------------
    def quarantine(self, record: QuarantinedRecord) -> str:
        record_id = record.id or uuid.uuid4().hex
        stored = record.model_copy(update={"id": record_id})
        with _es_errors("quarantine"):
            self.client.index(
                index=self.alias("quarantine"),
                id=record_id,
                document=stored.model_dump(mode="json"),
                refresh=self.refresh,
            )
        return record_id

    def list_quarantine(self, *, limit: int = 100, cursor: str | None = None) -> Page[QuarantinedRecord]:
        kwargs: dict[str, Any] = {
            "index": self.alias("quarantine"),
            "sort": [{"received_at": "desc"}, {"id": "desc"}],
            "size": limit + 1,
        }
        if cursor:
            after = decode_cursor(cursor, kind="quarantine").get("after")
            if not isinstance(after, list):
                raise InputError("invalid page cursor")
            kwargs["search_after"] = after
        with _es_errors("list quarantine"):
            hits = self.client.search(**kwargs)["hits"]["hits"]
        more = len(hits) > limit
        hits = hits[:limit]
        next_cursor = encode_cursor({"k": "quarantine", "after": hits[-1]["sort"]}) if more and hits else None
        return Page[QuarantinedRecord](
            items=[QuarantinedRecord.model_validate(h["_source"]) for h in hits], next_cursor=next_cursor
        )

    # -- incidents --------------------------------------------------------------------------------
    def create_incident(self, incident: Incident) -> Incident:
        stored = incident.model_copy(update={"version": 1})
        try:
            self.client.create(
                index=self.alias("incidents"), id=stored.id, document=incident_source(stored), refresh=self.refresh
            )
        except ESConflictError as exc:
            raise ConflictError(f"incident {incident.id} already exists") from exc
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch create incident failed: {exc}") from exc
        return stored

    def _get(self, name: str, doc_id: str) -> dict[str, Any] | None:
        try:
            resp = self.client.get(index=self.alias(name), id=doc_id)
        except ESNotFoundError:
            return None
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch get {name}/{doc_id} failed: {exc}") from exc
        return dict(resp.body)

    def _write_over(self, name: str, doc_id: str, body: dict[str, Any], current: dict[str, Any] | None) -> None:
        """Create the document, or rewrite ``current`` (as read by ``_get``) only if nobody has changed it
        since (Elasticsearch's ConflictError otherwise)."""
        if current is None:
            self.client.create(index=self.alias(name), id=doc_id, document=body, refresh=self.refresh)
        else:
            self.client.index(
                index=current["_index"],
                id=doc_id,
                document=body,
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
                refresh=self.refresh,
            )

    def get_incident(self, incident_id: str) -> Incident | None:
        doc = self._get("incidents", incident_id)
        return Incident.model_validate(doc["_source"]) if doc else None

    def update_incident(self, incident: Incident) -> Incident:
        doc = self._get("incidents", incident.id)
        if doc is None:
            raise NotFoundError(f"no incident {incident.id}")
        stored_version = doc["_source"]["version"]
        if stored_version != incident.version:
            raise ConflictError(
                f"incident {incident.id} was changed by someone else (version {stored_version}, not {incident.version})"
            )
        updated = incident.model_copy(update={"version": incident.version + 1})
        try:
            self.client.index(
                index=doc["_index"],
                id=incident.id,
                document=incident_source(updated),
                if_seq_no=doc["_seq_no"],
                if_primary_term=doc["_primary_term"],
                refresh=self.refresh,
            )
        except ESConflictError as exc:
            raise ConflictError(f"incident {incident.id} was changed by someone else") from exc
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch update incident failed: {exc}") from exc
        return updated

    def list_incidents(self, query: IncidentQuery) -> Page[Incident]:
        mode = f"incidents-{query.order}"
        kwargs: dict[str, Any] = {
            "index": self.alias("incidents"),
            "query": incident_query(query),
            "sort": incident_sort(query.order),
            "size": query.limit + 1,
        }
        if query.cursor:
            after = decode_cursor(query.cursor, kind=mode).get("after")
            if not isinstance(after, list):
                raise InputError("invalid page cursor")
            kwargs["search_after"] = after
        with _es_errors("list incidents"):
            hits = self.client.search(**kwargs)["hits"]["hits"]
        more = len(hits) > query.limit
        hits = hits[: query.limit]
        next_cursor = encode_cursor({"k": mode, "after": hits[-1]["sort"]}) if more and hits else None
        return Page[Incident](items=[Incident.model_validate(h["_source"]) for h in hits], next_cursor=next_cursor)

    def delete_incident(self, incident_id: str) -> bool:
        try:
            self.client.delete(index=self.alias("incidents"), id=incident_id, refresh=self.refresh)
        except ESNotFoundError:
            return False
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch delete incident failed: {exc}") from exc
        return True

    # -- records ----------------------------------------------------------------------------------
    @staticmethod
    def _record_id(collection: str, key: str) -> str:
        return f"{collection}/{key}"

    def put_record(
        self, collection: str, key: str, doc: dict, *, expected_version: int | None = None
    ) -> VersionedRecord:
        doc_id = self._record_id(collection, key)
        for _ in range(CONFLICT_ATTEMPTS if expected_version is None else 1):
            current = self._get("records", doc_id)
            version = int(current["_source"]["version"]) if current else 0
            if expected_version is not None and expected_version != version:
                if expected_version == 0:
                    raise ConflictError(f"record {collection}/{key} already exists")
                raise ConflictError(f"record {collection}/{key} is at version {version}, not {expected_version}")
            body = {"collection": collection, "key": key, "version": version + 1, "doc": doc}
            try:
                self._write_over("records", doc_id, body, current)
            except ESConflictError:
                continue
            except (ApiError, TransportError) as exc:
                raise StoreError(f"Elasticsearch put record failed: {exc}") from exc
            return VersionedRecord(collection=collection, key=key, version=version + 1, doc=doc)
        raise ConflictError(f"record {collection}/{key} was changed concurrently")

    def get_record(self, collection: str, key: str) -> VersionedRecord | None:
        current = self._get("records", self._record_id(collection, key))
        if current is None:
            return None
        src = current["_source"]
        return VersionedRecord(collection=collection, key=key, version=src["version"], doc=src["doc"])

    def list_records(self, collection: str) -> list[VersionedRecord]:
        out: list[VersionedRecord] = []
        after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {
                "index": self.alias("records"),
                "query": {"term": {"collection": collection}},
                "sort": [{"key": "asc"}],
                "size": 1000,
            }
            if after is not None:
                kwargs["search_after"] = after
            with _es_errors("list records"):
                hits = self.client.search(**kwargs)["hits"]["hits"]
            out += [
                VersionedRecord(
                    collection=collection,
                    key=h["_source"]["key"],
                    version=h["_source"]["version"],
                    doc=h["_source"]["doc"],
                )
                for h in hits
            ]
            if len(hits) < 1000:
                return out
            after = hits[-1]["sort"]

    def delete_record(self, collection: str, key: str) -> bool:
        try:
            self.client.delete(index=self.alias("records"), id=self._record_id(collection, key), refresh=self.refresh)
        except ESNotFoundError:
            return False
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch delete record failed: {exc}") from exc
        return True

    # -- audit ------------------------------------------------------------------------------------
    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        details = normalize_details(entry.details)
        at = entry.at if entry.at.tzinfo is not None else entry.at.replace(tzinfo=UTC)
        index = self.alias("audit")
        for _ in range(1000):
            head = self._get("audit", AUDIT_HEAD)
            seq, prev = (head["_source"]["head_seq"], head["_source"]["hash"]) if head else (0, GENESIS)
            stored = entry.model_copy(update={"seq": seq + 1, "at": at, "details": details, "prev_hash": prev})
            stored = stored.model_copy(update={"hash": chain_hash(stored, prev)})
            body = stored.model_dump(mode="json")
            body["at"] = stored.at.isoformat()
            try:
                self.client.create(index=index, id=f"{stored.seq:012d}", document=body, refresh=self.refresh)
                won = True
            except ESConflictError:
                won = False  # another writer took this sequence number (or a head update was lost)
            except (ApiError, TransportError) as exc:
                raise StoreError(f"Elasticsearch audit append failed: {exc}") from exc
            if won:
                self._advance_head(head, stored.seq, stored.hash)
                return stored
            existing = self._get("audit", f"{seq + 1:012d}")
            if existing is not None:
                self._advance_head(head, seq + 1, existing["_source"]["hash"])
        raise StoreError("could not append to the audit log: too many concurrent writers")

    def _advance_head(self, head: dict[str, Any] | None, seq: int, digest: str) -> None:
        """Move the head pointer forward, only from the state that was read (never backwards)."""
        body = {"head_seq": seq, "hash": digest}
        try:
            self._write_over("audit", AUDIT_HEAD, body, head)
        except ESConflictError:
            pass  # someone else moved it; appenders repair a lagging head themselves
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch audit head update failed: {exc}") from exc

    def iter_audit(self, *, after_seq: int = 0) -> Iterator[AuditEntry]:
        after = after_seq
        while True:
            with _es_errors("read audit"):
                hits = self.client.search(
                    index=self.alias("audit"),
                    query={"range": {"seq": {"gt": after}}},
                    sort=[{"seq": "asc"}],
                    size=500,
                )["hits"]["hits"]
            for h in hits:
                src = dict(h["_source"])
                src["at"] = datetime.fromisoformat(src["at"])
                yield AuditEntry.model_validate(src)
            if len(hits) < 500:
                return
            after = hits[-1]["_source"]["seq"]
