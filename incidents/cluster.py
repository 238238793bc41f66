"""Online clustering: an in-memory index of the recent clusters (stories), persisted as plain documents.

An item is compared only with the clusters that share some of its heaviest terms (an inverted index
over the key terms of the clusters' stored signatures), never with every cluster. Against each
candidate, its score is the best similarity to one of the cluster's stored signatures. Two thresholds:

- ``merge_threshold``: the item joins the best cluster automatically;
- ``suggest_threshold``: the item starts its own cluster and is *suggested* to the candidates' incidents
  for an analyst to decide. Short texts (fewer than ``min_words_auto`` words) are only ever suggested.

A cluster accepts items within ``window`` of its first and last item; clusters whose last item is
older than the stream's high-water mark minus the window are dropped from the index.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from incidents.similarity import (
    DocumentFrequencies,
    Signature,
    Vector,
    cosine_vectors,
    key_terms,
    resemblance,
    signature,
    similarity,
    vectorize,
)
from records.schema import Item

CRISIS_TOPICS: tuple[str, ...] = ("disaster", "accident", "health")


@dataclass(frozen=True)
class ClusterParams:
    """The clustering's knobs (defaults calibrated on tests/incidents/incident_stories.py)."""

    window: timedelta = timedelta(hours=72)
    merge_threshold: float = 0.28
    suggest_threshold: float = 0.24
    min_words_auto: int = 15
    max_signatures: int = 8  # kept per cluster: the first few and the latest
    key_terms: int = 40  # indexed per stored signature (its heaviest terms)
    min_shared_terms: int = 3
    max_posting: int = 2000  # terms in more clusters than this are too common to find candidates by
    max_candidates: int = 12
    max_suggestions: int = 3
    flag_bonus: float = 0.04
    flag_bonus_kinds: tuple[str, ...] = ("misinformation",)  # claims are repeated in other words; scams and
    # hate speech by different posters are different incidents, and a noisy flag must not glue stories
    district_bonus: float = 0.02
    # when a cluster becomes an incident (besides holding a flagged item)
    story_min_items: int = 4
    story_min_sources: int = 2
    crisis_topics: tuple[str, ...] = CRISIS_TOPICS
    crisis_min_items: int = 3
    crisis_min_sources: int = 2
    crisis_burst: timedelta = timedelta(hours=3)


@dataclass
class Member:
    """What a cluster keeps of each item: enough for spread, severity, kind and routing."""

    item_id: str
    source_id: str
    source_kind: str
    at: datetime
    reach: int = 0
    flags: dict[str, float] = field(default_factory=dict)  # flag kind → score
    topics: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    suggested_to: list[str] = field(default_factory=list)  # incidents this item was suggested to

    @classmethod
    def of(cls, item: Item) -> Member:
        flags: dict[str, float] = {}
        for flag in item.flags:
            flags[str(flag.kind)] = max(flags.get(str(flag.kind), 0.0), flag.score)
        return cls(
            item_id=item.id,
            source_id=item.source_id,
            source_kind=str(item.kind),
            at=item.sort_time,
            reach=item.reach or 0,
            flags=flags,
            topics=list(item.topics),
            districts=item.districts,
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "source_id": self.source_id,
            "source_kind": self.source_kind,
            "at": self.at.isoformat(),
            "reach": self.reach,
            "flags": self.flags,
            "topics": self.topics,
            "districts": self.districts,
            "suggested_to": self.suggested_to,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Member:
        return cls(
            item_id=doc["item_id"],
            source_id=doc["source_id"],
            source_kind=doc.get("source_kind", "press"),
            at=datetime.fromisoformat(doc["at"]),
            reach=int(doc.get("reach") or 0),
            flags={k: float(v) for k, v in (doc.get("flags") or {}).items()},
            topics=list(doc.get("topics") or []),
            districts=list(doc.get("districts") or []),
            suggested_to=list(doc.get("suggested_to") or []),
        )


def headline(item: Item, limit: int = 160) -> str:
    """An item's title, else the first sentence of its text, cut to ``limit`` characters."""
    text = item.title.strip()
    if not text:
        body = " ".join(item.text.split())
        for end in (". ", "! ", "? ", "\n"):
            cut = body.find(end)
            if 0 < cut < limit:
                body = body[: cut + 1]
                break
        text = body
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Cluster:
    id: str
    members: dict[str, Member] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)
    headlines: dict[str, str] = field(default_factory=dict)  # item id → headline, for stored signatures
    incident_id: str | None = None
    pending_suggestions: list[str] = field(default_factory=list)  # similar items, until there is an incident

    @property
    def first_seen(self) -> datetime:
        return min(m.at for m in self.members.values())

    @property
    def last_seen(self) -> datetime:
        return max(m.at for m in self.members.values())

    def accepts(self, at: datetime, window: timedelta) -> bool:
        return self.first_seen - window <= at <= self.last_seen + window

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "incident_id": self.incident_id,
            "members": [m.to_doc() for m in self.members.values()],
            "signatures": [s.to_doc() for s in self.signatures],
            "headlines": self.headlines,
            "pending_suggestions": self.pending_suggestions,
            "last_seen": self.last_seen.isoformat(),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Cluster:
        members = [Member.from_doc(m) for m in doc.get("members", [])]
        return cls(
            id=doc["id"],
            members={m.item_id: m for m in members},
            signatures=[Signature.from_doc(s) for s in doc.get("signatures", [])],
            headlines=dict(doc.get("headlines") or {}),
            incident_id=doc.get("incident_id"),
            pending_suggestions=list(doc.get("pending_suggestions") or []),
        )

    # -- what the cluster says ---------------------------------------------------------------
    def representative(self, dfs: DocumentFrequencies) -> str | None:
        """The stored signature closest to the others (the most representative item), by id."""
        if not self.signatures:
            return None
        if len(self.signatures) <= 2:
            return self.signatures[0].item_id
        best, best_score = self.signatures[0].item_id, -1.0
        for sig in self.signatures:
            score = sum(similarity(sig, other, dfs) for other in self.signatures if other is not sig)
            if score > best_score:
                best, best_score = sig.item_id, score
        return best


@dataclass
class Match:
    cluster: Cluster
    score: float


class ClusterIndex:
    """The recent clusters, an inverted index over their key terms, and the document frequencies."""

    def __init__(self, params: ClusterParams) -> None:
        self.params = params
        self.clusters: dict[str, Cluster] = {}
        self.item_cluster: dict[str, str] = {}
        self.by_incident: dict[str, str] = {}
        self.dfs = DocumentFrequencies()
        self._postings: dict[str, set[str]] = {}
        self._keys: dict[str, set[str]] = {}
        self._vectors: dict[str, Vector] = {}  # item id → weighted terms of its stored signature
        self._centroids: dict[str, Vector] = {}  # cluster id → the sum of its signatures' vectors
        self.high_water: datetime | None = None

    # -- building ----------------------------------------------------------------------------
    def load(self, cluster: Cluster) -> None:
        """Add a cluster (from a stored document, or a new one)."""
        self.clusters[cluster.id] = cluster
        for item_id in cluster.members:
            self.item_cluster[item_id] = cluster.id
        if cluster.incident_id:
            self.by_incident[cluster.incident_id] = cluster.id
        for sig in cluster.signatures:
            self.dfs.add(sig.terms)
        self._reindex(cluster)
        if cluster.members:
            self.observe(cluster.last_seen)

    def observe(self, at: datetime) -> None:
        if self.high_water is None or at > self.high_water:
            self.high_water = at

    def _reindex(self, cluster: Cluster) -> None:
        """Recompute the cluster's vectors (with the current IDF) and its indexed terms."""
        new: set[str] = set()
        total: dict[str, float] = {}
        for sig in cluster.signatures:
            vector = vectorize(sig, self.dfs)
            self._vectors[sig.item_id] = vector
            new.update(key_terms(vector.weights, self.params.key_terms))
            for term, weight in vector.weights.items():
                total[term] = total.get(term, 0.0) + weight / (vector.norm or 1.0)
        self._centroids[cluster.id] = Vector(total, math.sqrt(sum(w * w for w in total.values())))
        old = self._keys.get(cluster.id, set())
        for term in old - new:
            ids = self._postings.get(term)
            if ids is not None:
                ids.discard(cluster.id)
                if not ids:
                    del self._postings[term]
        for term in new - old:
            self._postings.setdefault(term, set()).add(cluster.id)
        self._keys[cluster.id] = new

    def remove(self, cluster_id: str) -> Cluster | None:
        cluster = self.clusters.pop(cluster_id, None)
        if cluster is None:
            return None
        for sig in cluster.signatures:
            self.dfs.remove(sig.terms)
            self._vectors.pop(sig.item_id, None)
        self._centroids.pop(cluster_id, None)
        for term in self._keys.pop(cluster_id, set()):
            ids = self._postings.get(term)
            if ids is not None:
                ids.discard(cluster_id)
                if not ids:
                    del self._postings[term]
        for item_id in cluster.members:
            if self.item_cluster.get(item_id) == cluster_id:
                del self.item_cluster[item_id]
        if cluster.incident_id and self.by_incident.get(cluster.incident_id) == cluster_id:
            del self.by_incident[cluster.incident_id]
        return cluster

    # -- matching ----------------------------------------------------------------------------
    def candidates(self, sig: Signature, at: datetime, member: Member | None = None) -> list[Match]:
        """Clusters in the window sharing indexed terms with ``sig``, scored, best first.

        Every term of the item is looked up among the clusters' indexed (heaviest) terms; clusters
        are ranked by the summed IDF of the terms they share and the best ``max_candidates`` scored.
        With the item's ``member`` entry, a cluster whose items carry the same misinformation flag
        (``flag_bonus_kinds``), or name the same district, scores a little higher (``flag_bonus``,
        ``district_bonus``): two posts flagged as misinformation about one place are more likely one
        claim than their words alone say."""
        shared: Counter[str] = Counter()
        weight: dict[str, float] = {}
        for term in sig.terms:
            ids = self._postings.get(term)
            if not ids or len(ids) > self.params.max_posting:
                continue
            idf = self.dfs.idf(term)
            for cluster_id in ids:
                shared[cluster_id] += 1
                weight[cluster_id] = weight.get(cluster_id, 0.0) + idf
        needed = min(self.params.min_shared_terms, max(1, len(sig.terms) // 4))
        ranked = sorted((cid for cid, n in shared.items() if n >= needed), key=lambda cid: -weight[cid])
        query = vectorize(sig, self.dfs)
        matches = []
        for cluster_id in ranked[: self.params.max_candidates]:
            cluster = self.clusters[cluster_id]
            if not cluster.accepts(at, self.params.window):
                continue
            centroid = self._centroids.get(cluster_id)
            # A story's centroid is close to each of its items: when even the centroid is far, and the
            # texts share no shingles, the cluster is not worth comparing item by item.
            far = centroid is not None and cosine_vectors(query, centroid) < self.params.suggest_threshold / 2
            if far and not any(resemblance(sig, o) >= self.params.suggest_threshold for o in cluster.signatures):
                continue
            score = max(self._score(sig, query, other) for other in cluster.signatures)
            if member is not None and score > 0:
                score += self._context_bonus(member, cluster)
            matches.append(Match(cluster, min(1.0, score)))
        return sorted(matches, key=lambda m: (-m.score, m.cluster.id))

    def _context_bonus(self, member: Member, cluster: Cluster) -> float:
        bonus = 0.0
        kinds = set(member.flags) & set(self.params.flag_bonus_kinds)
        if kinds and any(kinds & set(m.flags) for m in cluster.members.values()):
            bonus += self.params.flag_bonus
        if member.districts and any(set(member.districts) & set(m.districts) for m in cluster.members.values()):
            bonus += self.params.district_bonus
        return bonus

    def _score(self, sig: Signature, query: Vector, other: Signature) -> float:
        vector = self._vectors.get(other.item_id)
        if vector is None:
            vector = self._vectors[other.item_id] = vectorize(other, self.dfs)
        return max(cosine_vectors(query, vector), resemblance(sig, other))

    def representative(self, cluster: Cluster) -> str | None:
        """The id of the stored signature most similar to the cluster's other ones (cached vectors)."""
        sigs = cluster.signatures
        if len(sigs) <= 2:
            return sigs[0].item_id if sigs else None
        vectors = [self._vectors.get(s.item_id) or vectorize(s, self.dfs) for s in sigs]
        scores = [
            sum(cosine_vectors(v, w) for j, w in enumerate(vectors) if j != i) for i, v in enumerate(vectors)
        ]
        return sigs[max(range(len(sigs)), key=lambda i: (scores[i], -i))].item_id

    # -- changing ----------------------------------------------------------------------------
    def add_member(self, cluster: Cluster, member: Member, sig: Signature | None, item: Item | None) -> None:
        """Add an item to a cluster; its signature is kept if the cluster keeps fewer than the maximum,
        else it replaces the latest (the first half of the kept signatures stays: the story's origin)."""
        cluster.members[member.item_id] = member
        self.item_cluster[member.item_id] = cluster.id
        if member.item_id in cluster.pending_suggestions:
            cluster.pending_suggestions.remove(member.item_id)
        if sig is None:
            return
        keep_first = self.params.max_signatures // 2
        if len(cluster.signatures) >= self.params.max_signatures:
            dropped = cluster.signatures.pop(keep_first)
            self.dfs.remove(dropped.terms)
            self._vectors.pop(dropped.item_id, None)
            cluster.headlines.pop(dropped.item_id, None)
        cluster.signatures.append(sig)
        self.dfs.add(sig.terms)
        if item is not None:
            cluster.headlines[sig.item_id] = headline(item)
        self._reindex(cluster)

    def new_cluster(self, cluster_id: str, member: Member, sig: Signature | None, item: Item | None) -> Cluster:
        cluster = Cluster(id=cluster_id)
        self.clusters[cluster_id] = cluster
        self.add_member(cluster, member, sig, item)
        return cluster

    def link_incident(self, cluster: Cluster, incident_id: str | None) -> None:
        if cluster.incident_id and self.by_incident.get(cluster.incident_id) == cluster.id:
            del self.by_incident[cluster.incident_id]
        cluster.incident_id = incident_id
        if incident_id:
            self.by_incident[incident_id] = cluster.id

    def expired(self) -> list[Cluster]:
        """Clusters whose last item is older than the high-water mark minus the window."""
        if self.high_water is None:
            return []
        horizon = self.high_water - self.params.window
        return [c for c in self.clusters.values() if not c.members or c.last_seen < horizon]


def is_short(sig: Signature, params: ClusterParams) -> bool:
    return sig.n_words < params.min_words_auto


def cluster_from_items(
    items: Sequence[Item], cluster_id: str, incident_id: str | None, params: ClusterParams
) -> Cluster:
    """A cluster holding ``items`` (signatures of the first ``max_signatures``), e.g. after a split."""
    ordered = sorted(items, key=lambda i: (i.sort_time, i.id))
    cluster = Cluster(id=cluster_id, incident_id=incident_id)
    for item in ordered:
        cluster.members[item.id] = Member.of(item)
    for item in ordered[: params.max_signatures]:
        cluster.signatures.append(signature(item))
        cluster.headlines[item.id] = headline(item)
    return cluster
