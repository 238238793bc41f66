"""IncidentDetector: links newly stored items to incidents, online.

For each item (oldest first): an item already in a cluster refreshes its entry (its flags may have
changed); otherwise it is compared with the recent clusters (``incidents.cluster``) and joins the best
one above the merge threshold, or starts its own cluster and is suggested to the similar clusters'
incidents. Each touched cluster then becomes or updates its incident (``incidents.assemble``), which
is routed (``routing.engine.Router``). Clusters are persisted in the store collection
``incident_clusters`` so a restart continues where the last run stopped.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incidents import assemble
from incidents.cluster import Cluster, ClusterIndex, ClusterParams, Member, cluster_from_items, is_short
from incidents.similarity import signature
from incidents.state import (
    BATCH_PREFIX,
    CLUSTERS,
    SYSTEM_ACTOR,
    current_generation,
    load_cluster_docs,
    resolve_incident_id,
)
from records.errors import ConflictError, NotFoundError
from records.schema import AuditEntry, Incident, IncidentStatus, Item, utcnow
from store.base import IncidentQuery, Store

if TYPE_CHECKING:
    from routing.engine import Router

log = logging.getLogger(__name__)

FUTURE_SLACK = timedelta(hours=1)  # items dated later than now + this do not move the stream's clock
UPDATE_ATTEMPTS = 5


def incident_id_for(cluster_id: str) -> str:
    """Deterministic: a re-run after a crash finds the incident it created."""
    return "inc-" + hashlib.sha256(cluster_id.encode()).hexdigest()[:16]


class IncidentDetector:
    def __init__(
        self,
        store: Store,
        router: Router | None,
        *,
        clock: Callable[[], datetime] = utcnow,
        params: ClusterParams | None = None,
    ) -> None:
        self.store = store
        self.router = router
        self.clock = clock
        self.params = params or ClusterParams()
        self.index = ClusterIndex(self.params)
        self._generation = -1
        self._batches: dict[str, str] = {}
        self._own_records: set[str] = set()
        self._load()

    # -- index persistence -------------------------------------------------------------------
    def _load(self) -> None:
        """(Re)build the in-memory index from the stored clusters."""
        self._generation = current_generation(self.store)
        self.index = ClusterIndex(self.params)
        docs, self._batches = load_cluster_docs(self.store)
        for doc in docs:
            self.index.load(Cluster.from_doc(doc))
        self._own_records = {d["id"] for d in docs if not d.get("batched")}
        self._recover_open_incidents()
        log.debug("incident index: %d clusters", len(self.index.clusters))

    def _recover_open_incidents(self) -> None:
        """Rebuild the clusters of recent open incidents the stored index lacks (a run that stopped
        between writing an incident and saving its cluster), so their stories keep growing."""
        since = self.clock() - self.params.window
        statuses: list[IncidentStatus] = [s for s in IncidentStatus if s != IncidentStatus.resolved]
        cursor: str | None = None
        while True:
            page = self.store.list_incidents(IncidentQuery(statuses=statuses, since=since, limit=200, cursor=cursor))
            for incident in page.items:
                if incident.id in self.index.by_incident:
                    continue
                items = self.store.get_items(incident.item_ids)
                if items:
                    cluster = cluster_from_items(items, f"c-recovered-{incident.id}", incident.id, self.params)
                    self.index.load(cluster)
                    self.store.put_record(CLUSTERS, cluster.id, cluster.to_doc())
                    self._own_records.add(cluster.id)
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def _save(self, clusters: Sequence[Cluster]) -> None:
        """One record per cluster of several items (or with an incident or suggestions); the batch's
        single-item clusters together in one record."""
        singles = []
        for cluster in clusters:
            if cluster.id not in self.index.clusters:
                continue
            single = len(cluster.members) == 1 and not cluster.incident_id and not cluster.pending_suggestions
            if single and cluster.id not in self._own_records:
                singles.append(cluster)
                continue
            self.store.put_record(CLUSTERS, cluster.id, cluster.to_doc())
            self._own_records.add(cluster.id)
        if singles:
            key = f"{BATCH_PREFIX}{time.time_ns():020d}"
            last_seen = max(c.last_seen for c in singles).isoformat()
            docs = [dict(c.to_doc(), batched=True) for c in singles]
            self.store.put_record(CLUSTERS, key, {"clusters": docs, "last_seen": last_seen})
            self._batches[key] = last_seen

    def _expire(self, keep: set[str]) -> int:
        expired = [c for c in self.index.expired() if c.id not in keep]
        for cluster in expired:
            self.index.remove(cluster.id)
            if cluster.id in self._own_records:
                self.store.delete_record(CLUSTERS, cluster.id)
                self._own_records.discard(cluster.id)
        if self.index.high_water is not None:
            horizon = self.index.high_water - self.params.window
            for key, last_seen in list(self._batches.items()):
                if last_seen and datetime.fromisoformat(last_seen) < horizon:
                    self.store.delete_record(CLUSTERS, key)
                    del self._batches[key]
        return len(expired)

    # -- the pipeline stage ------------------------------------------------------------------
    def process(self, items: Sequence[Item]) -> list[Incident]:
        """Cluster the (already stored) items and create/update/route their incidents.

        Returns the incidents created or updated, each once."""
        now = self.clock()
        if current_generation(self.store) != self._generation:
            self._load()  # an analyst merged or split incidents since
        stored = self.store.get_items(list(dict.fromkeys(i.id for i in items)))
        touched: dict[str, Cluster] = {}
        added: dict[str, list[str]] = {}  # cluster id → item ids added in this call
        suggestions: dict[str, list[str]] = {}  # incident id → suggested item ids
        statuses: dict[str, Incident | None] = {}
        for item in sorted(stored, key=lambda i: (i.sort_time, i.id)):
            if item.sort_time <= now + FUTURE_SLACK:
                self.index.observe(item.sort_time)
            cluster = self._place(item, touched, suggestions, statuses)
            added.setdefault(cluster.id, []).append(item.id)
        results: dict[str, Incident] = {}
        for cluster in list(touched.values()):
            incident = self._sync(cluster, now, added.get(cluster.id, []), suggestions, statuses)
            if incident is not None:
                results[incident.id] = incident
        self._save(list(touched.values()))
        self._expire(set(touched))
        return list(results.values())

    def _incident(self, incident_id: str, cache: dict[str, Incident | None]) -> Incident | None:
        if incident_id not in cache:
            cache[incident_id] = self.store.get_incident(incident_id)
        return cache[incident_id]

    def _joinable(self, cluster: Cluster, cache: dict[str, Incident | None]) -> bool:
        """Items join clusters without an incident or with an incident not yet resolved."""
        if not cluster.incident_id:
            return True
        incident = self._incident(cluster.incident_id, cache)
        return incident is None or incident.status != IncidentStatus.resolved

    def _place(
        self,
        item: Item,
        touched: dict[str, Cluster],
        suggestions: dict[str, list[str]],
        cache: dict[str, Incident | None],
    ) -> Cluster:
        member = Member.of(item)
        known = self.index.item_cluster.get(item.id)
        if known is not None:  # an update of an item already clustered: refresh what the cluster knows
            cluster = self.index.clusters[known]
            member.suggested_to = cluster.members[item.id].suggested_to
            cluster.members[item.id] = member
            touched[cluster.id] = cluster
            return cluster
        sig = signature(item)
        if item.incident_id:  # linked by an analyst or a run whose cluster record was lost
            linked = self.index.by_incident.get(resolve_incident_id(self.store, item.incident_id))
            if linked is not None:
                cluster = self.index.clusters[linked]
                self.index.add_member(cluster, member, sig, item)
                touched[cluster.id] = cluster
                return cluster
        candidates = self.index.candidates(sig, item.sort_time, member)
        matches = [m for m in candidates if self._joinable(m.cluster, cache)]
        if matches and matches[0].score >= self.params.merge_threshold and not is_short(sig, self.params):
            cluster = matches[0].cluster
            self.index.add_member(cluster, member, sig, item)
            touched[cluster.id] = cluster
            return cluster
        cluster = self.index.new_cluster(f"c-{item.id}", member, sig, item)
        if item.incident_id:
            self.index.link_incident(cluster, resolve_incident_id(self.store, item.incident_id))
        touched[cluster.id] = cluster
        for match in matches[: self.params.max_suggestions]:
            if match.score < self.params.suggest_threshold:
                break
            target = match.cluster
            if target.incident_id:
                suggestions.setdefault(target.incident_id, []).append(item.id)
                if match.score >= self.params.merge_threshold:
                    # would have joined but for its length: the incident covers it, no second incident
                    member.suggested_to.append(target.incident_id)
            elif item.id not in target.pending_suggestions:
                target.pending_suggestions.append(item.id)
            touched[target.id] = target
        return cluster

    def _sync(
        self,
        cluster: Cluster,
        now: datetime,
        added: list[str],
        suggestions: dict[str, list[str]],
        cache: dict[str, Incident | None],
    ) -> Incident | None:
        incident: Incident | None = None
        if cluster.incident_id:
            current = resolve_incident_id(self.store, cluster.incident_id)
            incident = self.store.get_incident(current)
            self.index.link_incident(cluster, current if incident is not None else None)
        members = list(cluster.members.values())
        if incident is None and not assemble.should_open(members, self.params):
            return None
        title = self._title(cluster)
        if incident is None:
            return self._create(cluster, members, title, now)
        for attempt in range(UPDATE_ATTEMPTS):
            rerouted = assemble.refresh(
                incident,
                self._with_analyst_items(incident, members),
                params=self.params,
                now=now,
                router=self.router,
                title=title,
                suggested=[*suggestions.get(incident.id, []), *cluster.pending_suggestions],
            )
            try:
                incident = self.store.update_incident(incident)
                break
            except ConflictError:  # an analyst saved it meanwhile: re-read and apply again
                if attempt == UPDATE_ATTEMPTS - 1:
                    raise
                fresh = self.store.get_incident(incident.id)
                if fresh is None:
                    return None
                incident = fresh
        cluster.pending_suggestions.clear()
        cache[incident.id] = incident
        self._link_items(added, incident.id)
        if rerouted and incident.routing is not None:
            self._audit("incident.route", incident)
        return incident

    def _with_analyst_items(self, incident: Incident, members: list[Member]) -> list[Member]:
        """Members, plus items the incident holds that the cluster does not know (added elsewhere)."""
        known = {m.item_id for m in members}
        missing = [i for i in incident.item_ids if i not in known]
        if not missing:
            return members
        return members + [Member.of(item) for item in self.store.get_items(missing)]

    def _title(self, cluster: Cluster) -> str:
        rep = self.index.representative(cluster)
        title = cluster.headlines.get(rep or "", "") if rep else ""
        return title or next(iter(cluster.headlines.values()), "") or "(không có tiêu đề)"

    def _create(self, cluster: Cluster, members: list[Member], title: str, now: datetime) -> Incident:
        first = min(m.at for m in members)
        incident = Incident(
            id=incident_id_for(cluster.id),
            title=title,
            first_seen=first,
            last_seen=first,
            created_at=now,
            updated_at=now,
        )
        assemble.refresh(
            incident, members, params=self.params, now=now, router=self.router, suggested=cluster.pending_suggestions
        )
        try:
            incident = self.store.create_incident(incident)
            self._audit("incident.create", incident)
        except ConflictError:  # created by an earlier, interrupted run: continue with it
            existing = self.store.get_incident(incident.id)
            if existing is None:
                raise
            incident = existing
        self.index.link_incident(cluster, incident.id)
        cluster.pending_suggestions.clear()
        self._link_items([m.item_id for m in members], incident.id)
        return incident

    def _link_items(self, item_ids: list[str], incident_id: str) -> None:
        for item_id in item_ids:
            try:
                self.store.annotate_item(item_id, incident_id=incident_id)
            except NotFoundError:  # deleted since (retention): nothing left to link
                log.info("item %s is gone; not linked to %s", item_id, incident_id)

    def _audit(self, action: str, incident: Incident) -> None:
        routing = incident.routing
        self.store.append_audit(
            AuditEntry(
                actor=SYSTEM_ACTOR,
                action=action,
                target=f"incident:{incident.id}",
                details={
                    "kind": incident.kind,
                    "severity": incident.severity,
                    "items": len(incident.item_ids),
                    "rule_id": routing.rule_id if routing else None,
                    "lead_unit": routing.lead_unit if routing else None,
                },
            )
        )
