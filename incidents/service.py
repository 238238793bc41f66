"""The analysts' operations on incidents: merge, split, add items, remove items.

Each one recomputes the incidents' spread and severity from their items (and re-routes them when a
``router`` is given and the routing is still automatic), keeps ``Item.incident_id`` and the detector's
clusters consistent, and writes one audit entry naming the actor. Errors: NotFoundError for a missing
incident or item, InputError for an operation that makes no sense (Vietnamese message), ConflictError
when someone else holds the incident's lock or saved it meanwhile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from incidents import assemble
from incidents.cluster import Cluster, ClusterParams, Member, cluster_from_items, headline
from incidents.similarity import DocumentFrequencies, signature
from incidents.state import CLUSTERS, REDIRECTS, bump_generation, load_cluster_docs
from records.errors import ConflictError, InputError, NotFoundError
from records.schema import AuditEntry, Incident, IncidentStatus, Item, utcnow
from store.base import Store

if TYPE_CHECKING:
    from routing.engine import Router

Clock = Callable[[], datetime]


# -- helpers ----------------------------------------------------------------------------------
def _get_open(store: Store, incident_id: str, *, actor: str, now: datetime) -> Incident:
    incident = store.get_incident(incident_id)
    if incident is None:
        raise NotFoundError(f"Không có sự việc {incident_id}")
    if incident.status == IncidentStatus.resolved:
        raise InputError(f"Sự việc {incident_id} đã kết thúc; không thể thay đổi các tin của nó")
    if incident.lock is not None and incident.lock.holder != actor and incident.lock.expires_at > now:
        raise ConflictError(f"Sự việc {incident_id} đang được {incident.lock.holder} xử lý")
    return incident


def _unique(ids: Sequence[str], what: str) -> list[str]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise InputError(f"Cần ít nhất một {what}")
    return unique


def _items(store: Store, item_ids: Sequence[str]) -> list[Item]:
    items = store.get_items(list(item_ids))
    missing = sorted(set(item_ids) - {i.id for i in items})
    if missing:
        raise NotFoundError(f"Không có tin: {', '.join(missing)}")
    return items


def _members(store: Store, item_ids: Sequence[str]) -> list[Member]:
    return [Member.of(item) for item in store.get_items(list(item_ids))]


def _clusters_by_incident(store: Store, incident_ids: set[str]) -> dict[str, Cluster]:
    docs, _ = load_cluster_docs(store)
    return {doc["incident_id"]: Cluster.from_doc(doc) for doc in docs if doc.get("incident_id") in incident_ids}


def _cluster_of_items(store: Store, item_ids: set[str]) -> list[Cluster]:
    docs, _ = load_cluster_docs(store)
    return [
        Cluster.from_doc(doc) for doc in docs if any(m.get("item_id") in item_ids for m in doc.get("members", []))
    ]


def _drop_members(cluster: Cluster, item_ids: set[str]) -> None:
    for item_id in item_ids:
        cluster.members.pop(item_id, None)
        cluster.headlines.pop(item_id, None)
    cluster.signatures = [s for s in cluster.signatures if s.item_id not in item_ids]
    cluster.pending_suggestions = [i for i in cluster.pending_suggestions if i not in item_ids]


def _save_cluster(store: Store, cluster: Cluster) -> None:
    if cluster.members:
        store.put_record(CLUSTERS, cluster.id, cluster.to_doc())
    else:
        store.delete_record(CLUSTERS, cluster.id)


def _release(store: Store, item_ids: set[str]) -> None:
    """Drop the items from every detector cluster that holds them."""
    for cluster in _cluster_of_items(store, item_ids):
        _drop_members(cluster, item_ids)
        _save_cluster(store, cluster)


def _taking_out(
    incident: Incident, item_ids: Sequence[str], *, what: str, all_message: str
) -> tuple[list[str], list[str]]:
    """Check a split or removal of ``item_ids`` (items or suggestions of the incident): returns the
    unique ids taken out and the item ids that remain. InputError for foreign ids or an emptied incident."""
    taking = _unique(item_ids, what)
    known = set(incident.item_ids) | set(incident.suggested_item_ids)
    foreign = [i for i in taking if i not in known]
    if foreign:
        raise InputError(f"Tin không thuộc sự việc {incident.id}: {', '.join(foreign)}")
    taken = set(taking)
    remaining = [i for i in incident.item_ids if i not in taken]
    if not remaining:
        raise InputError(all_message)
    return taking, remaining


def _shrink(
    store: Store,
    incident: Incident,
    taken: set[str],
    remaining: Sequence[str],
    *,
    params: ClusterParams,
    now: datetime,
    router: Router | None,
) -> Incident:
    """Recompute and save the incident without the ``taken`` items and suggestions."""
    incident.suggested_item_ids = [i for i in incident.suggested_item_ids if i not in taken]
    rest = _members(store, remaining)
    if not rest:
        raise InputError("Các tin còn lại của sự việc không còn trong kho")
    assemble.refresh(incident, rest, params=params, now=now, router=router)
    return store.update_incident(incident)


def _title(items: Sequence[Item]) -> str:
    """The headline of the item most similar to the others."""
    sigs = [signature(i) for i in sorted(items, key=lambda i: (i.sort_time, i.id))[:8]]
    dfs = DocumentFrequencies()
    for sig in sigs:
        dfs.add(sig.terms)
    cluster = Cluster(id="title", signatures=sigs)
    rep = cluster.representative(dfs)
    by_id = {i.id: i for i in items}
    return headline(by_id[rep]) if rep in by_id else headline(items[0])


def _audit(store: Store, *, actor: str, action: str, incident: Incident, **details: object) -> None:
    store.append_audit(
        AuditEntry(
            actor=actor,
            action=action,
            target=f"incident:{incident.id}",
            details={
                **details,
                "items": len(incident.item_ids),
                "severity": incident.severity,
                "rule_id": incident.routing.rule_id if incident.routing else None,
                "owner_unit": incident.owner_unit,
            },
        )
    )


# -- operations -------------------------------------------------------------------------------
def merge_incidents(
    store: Store,
    ids: Sequence[str],
    *,
    actor: str,
    router: Router | None = None,
    clock: Clock = utcnow,
    params: ClusterParams | None = None,
) -> Incident:
    """Merge incidents into the first of ``ids``: it takes every item, suggestion and note; the others
    are deleted and their ids redirect to it (collection ``incident_redirects``)."""
    params = params or ClusterParams()
    now = clock()
    unique = list(dict.fromkeys(ids))
    if len(unique) < 2:
        raise InputError("Cần ít nhất hai sự việc khác nhau để gộp")
    incidents = [_get_open(store, i, actor=actor, now=now) for i in unique]
    target, others = incidents[0], incidents[1:]
    target_items = set(target.item_ids)
    item_ids = list(dict.fromkeys(i for inc in incidents for i in inc.item_ids))
    members = _members(store, item_ids)
    if not members:
        raise InputError("Các sự việc không còn tin nào để gộp")
    target.notes = sorted([n for inc in incidents for n in inc.notes], key=lambda n: n.at)
    target.known_claim_id = target.known_claim_id or next((o.known_claim_id for o in others if o.known_claim_id), None)
    suggested = [i for inc in others for i in inc.suggested_item_ids]
    assemble.refresh(target, members, params=params, now=now, router=router, suggested=suggested)
    target = store.update_incident(target)
    moved = [m.item_id for m in members if m.item_id not in target_items]
    for item_id in moved:
        store.annotate_item(item_id, incident_id=target.id)
    for other in others:
        store.put_record(REDIRECTS, other.id, {"into": target.id, "at": now.isoformat(), "by": actor})
        store.delete_incident(other.id)
    clusters = _clusters_by_incident(store, {inc.id for inc in incidents})
    merged = clusters.get(target.id) or Cluster(id=f"c-merge-{target.id}", incident_id=target.id)
    for other in others:
        cluster = clusters.get(other.id)
        if cluster is None:
            continue
        for item_id, member in cluster.members.items():
            merged.members.setdefault(item_id, member)
        room = params.max_signatures - len(merged.signatures)
        merged.signatures.extend(cluster.signatures[: max(0, room)])
        merged.headlines.update({s.item_id: cluster.headlines.get(s.item_id, "") for s in cluster.signatures})
        store.delete_record(CLUSTERS, cluster.id)
    for member in members:
        merged.members.setdefault(member.item_id, member)
    if not merged.signatures:
        merged.signatures = [signature(i) for i in store.get_items(target.item_ids[: params.max_signatures])]
    merged.incident_id = target.id
    _save_cluster(store, merged)
    bump_generation(store)
    _audit(store, actor=actor, action="incident.merge", incident=target, merged=[o.id for o in others])
    return target


def split_incident(
    store: Store,
    incident_id: str,
    item_ids: Sequence[str],
    *,
    actor: str,
    router: Router | None = None,
    clock: Clock = utcnow,
    params: ClusterParams | None = None,
) -> Incident:
    """Move ``item_ids`` (items or suggestions of the incident) into a new incident; returns the new one."""
    params = params or ClusterParams()
    now = clock()
    incident = _get_open(store, incident_id, actor=actor, now=now)
    moving, remaining = _taking_out(
        incident,
        item_ids,
        what="tin để tách",
        all_message="Không thể tách toàn bộ tin ra khỏi sự việc; hãy kết thúc sự việc nếu nó không cần xử lý",
    )
    moved_items = _items(store, moving)
    digest = hashlib.sha256(f"split:{incident_id}:{','.join(sorted(moving))}".encode()).hexdigest()[:16]
    first = min(i.sort_time for i in moved_items)
    new = Incident(
        id=f"inc-{digest}",
        title=_title(moved_items),
        first_seen=first,
        last_seen=first,
        created_at=now,
        updated_at=now,
    )
    assemble.refresh(new, [Member.of(i) for i in moved_items], params=params, now=now, router=router)
    new = store.create_incident(new)
    incident = _shrink(store, incident, set(moving), remaining, params=params, now=now, router=router)
    for item in moved_items:
        store.annotate_item(item.id, incident_id=new.id)
    _release(store, set(moving))
    _save_cluster(store, cluster_from_items(moved_items, f"c-split-{new.id}", new.id, params))
    bump_generation(store)
    _audit(store, actor=actor, action="incident.split", incident=incident, new_incident=new.id, moved=moving)
    _audit(store, actor=actor, action="incident.create", incident=new, split_from=incident.id)
    return new


def add_items(
    store: Store,
    incident_id: str,
    item_ids: Sequence[str],
    *,
    actor: str,
    router: Router | None = None,
    clock: Clock = utcnow,
    params: ClusterParams | None = None,
) -> Incident:
    """Add items (typically accepted suggestions) to an incident. An item of another incident is refused:
    merge or split instead."""
    params = params or ClusterParams()
    now = clock()
    incident = _get_open(store, incident_id, actor=actor, now=now)
    adding = [i for i in _unique(item_ids, "tin để thêm") if i not in set(incident.item_ids)]
    items = _items(store, adding)
    for item in items:
        if item.incident_id and item.incident_id != incident.id and store.get_incident(item.incident_id):
            raise InputError(
                f"Tin {item.id} thuộc sự việc {item.incident_id}; hãy gộp hai sự việc hoặc tách tin ra trước"
            )
    members = _members(store, incident.item_ids) + [Member.of(i) for i in items]
    assemble.refresh(incident, members, params=params, now=now, router=router)
    incident = store.update_incident(incident)
    for item in items:
        store.annotate_item(item.id, incident_id=incident.id)
    adding_set = {i.id for i in items}
    for cluster in _cluster_of_items(store, adding_set):
        if cluster.incident_id != incident.id:
            _drop_members(cluster, adding_set)
            _save_cluster(store, cluster)
    own = _clusters_by_incident(store, {incident.id}).get(incident.id)
    if own is None:
        own = cluster_from_items(store.get_items(incident.item_ids), f"c-own-{incident.id}", incident.id, params)
    for item in items:
        own.members[item.id] = Member.of(item)
        if len(own.signatures) < params.max_signatures:
            own.signatures.append(signature(item))
            own.headlines[item.id] = headline(item)
    _save_cluster(store, own)
    bump_generation(store)
    _audit(store, actor=actor, action="incident.add_items", incident=incident, added=[i.id for i in items])
    return incident


def remove_items(
    store: Store,
    incident_id: str,
    item_ids: Sequence[str],
    *,
    actor: str,
    router: Router | None = None,
    clock: Clock = utcnow,
    params: ClusterParams | None = None,
) -> Incident:
    """Take items (or declined suggestions) out of an incident; removed items belong to no incident."""
    params = params or ClusterParams()
    now = clock()
    incident = _get_open(store, incident_id, actor=actor, now=now)
    removing, remaining = _taking_out(
        incident,
        item_ids,
        what="tin để bỏ ra",
        all_message="Không thể bỏ mọi tin của sự việc; hãy kết thúc sự việc với kết luận phù hợp",
    )
    remove_set = set(removing)
    members_removed = [i for i in incident.item_ids if i in remove_set]
    incident = _shrink(store, incident, remove_set, remaining, params=params, now=now, router=router)
    for item_id in members_removed:
        if store.get_item(item_id) is not None:
            store.annotate_item(item_id, clear_incident=True)
    _release(store, set(members_removed))  # declined suggestions keep their own cluster
    bump_generation(store)
    _audit(store, actor=actor, action="incident.remove_items", incident=incident, removed=removing)
    return incident
