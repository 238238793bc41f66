"""From a set of members (items as the clusters keep them) to an incident's fields: when a story
becomes an incident, its kind, topics, districts, spread, severity, title and routing.

Shared by the detector (online) and the analysts' operations (merge, split, add, remove).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from incidents.cluster import ClusterParams, Member
from incidents.severity import Assessment, assess
from incidents.spread import Spread, SpreadPoint, compute_spread
from records.schema import Incident, IncidentStatus
from routing.rules import IncidentKind

if TYPE_CHECKING:
    from routing.engine import Router

FLAG_ORDER = ("scam", "misinformation", "hate_speech")
AUTO_ROUTED_STATUSES = (IncidentStatus.new, IncidentStatus.triaged)


def _frequent(values: list[list[str]], n: int, share: float = 0.25) -> list[str]:
    counts: Counter[str] = Counter(v for vs in values for v in dict.fromkeys(vs))
    floor = max(1.0, share * n)
    return [v for v, c in counts.most_common() if c >= floor] or [v for v, _ in counts.most_common(1)]


def topics_of(members: Sequence[Member]) -> list[str]:
    """Topics at least a quarter of the items carry, most frequent first."""
    return _frequent([m.topics for m in members], len(members))


def districts_of(members: Sequence[Member]) -> list[str]:
    return _frequent([m.districts for m in members], len(members))


def flag_scores(members: Sequence[Member]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for member in members:
        for kind, score in member.flags.items():
            scores[kind] = max(scores.get(kind, 0.0), score)
    return scores


def spread_of(members: Sequence[Member]) -> Spread:
    return compute_spread(SpreadPoint(m.at, m.source_id, m.reach) for m in members)


def burst(members: Sequence[Member], params: ClusterParams) -> bool:
    """Whether ``crisis_min_items`` items from ``crisis_min_sources`` sources came within ``crisis_burst``."""
    times = sorted(members, key=lambda m: m.at)
    lo = 0
    for hi, member in enumerate(times):
        while member.at - times[lo].at > params.crisis_burst:
            lo += 1
        window = times[lo : hi + 1]
        if len(window) >= params.crisis_min_items and len({m.source_id for m in window}) >= params.crisis_min_sources:
            return True
    return False


def classify(members: Sequence[Member], params: ClusterParams) -> IncidentKind:
    """scam > misinformation (press_issue when every item flagged as such is a press article) >
    hate speech > crisis spike (a crisis topic in a burst) > public concern."""
    flags = flag_scores(members)
    if "scam" in flags:
        return IncidentKind.scam
    if "misinformation" in flags:
        flagged = [m for m in members if "misinformation" in m.flags]
        if all(m.source_kind == "press" for m in flagged):
            return IncidentKind.press_issue
        return IncidentKind.misinformation
    if "hate_speech" in flags:
        return IncidentKind.hate_speech
    if set(topics_of(members)) & set(params.crisis_topics) and burst(members, params):
        return IncidentKind.crisis_spike
    return IncidentKind.public_concern


def should_open(members: Sequence[Member], params: ClusterParams) -> bool:
    """The incident rule (docs/incidents.md): a flagged item not already covered by an open incident
    (a short text that matched it above the merge threshold);
    or a story of ``story_min_items`` items from ``story_min_sources`` sources; or a crisis topic in a
    burst (``crisis_min_items`` items from ``crisis_min_sources`` sources within ``crisis_burst``)."""
    if any(m.flags and not m.suggested_to for m in members):
        return True
    if len(members) >= params.story_min_items and len({m.source_id for m in members}) >= params.story_min_sources:
        return True
    return bool(set(topics_of(members)) & set(params.crisis_topics)) and burst(members, params)


def assessment_of(members: Sequence[Member]) -> Assessment:
    return assess(flags=flag_scores(members), spread=spread_of(members), topics=topics_of(members))


def refresh(
    incident: Incident,
    members: Sequence[Member],
    *,
    params: ClusterParams,
    now: datetime,
    router: Router | None,
    title: str | None = None,
    suggested: Sequence[str] = (),
) -> bool:
    """Set the incident's items, spread, severity (and, while new, kind and title) from ``members``;
    re-route it while the routing is still the detector's (status new or triaged and the owner unit is
    the routed one). Returns whether the routing changed. ``incident`` is modified in place."""
    ordered = sorted(members, key=lambda m: (m.at, m.item_id))
    ids = [m.item_id for m in ordered]
    spread = spread_of(ordered)
    flags = flag_scores(ordered)
    incident.item_ids = ids
    member_set = set(ids)
    incident.suggested_item_ids = [
        i for i in dict.fromkeys([*incident.suggested_item_ids, *suggested]) if i not in member_set
    ]
    incident.topics = topics_of(ordered)
    incident.districts = districts_of(ordered)
    incident.flag_kinds = [k for k in FLAG_ORDER if k in flags]
    incident.sources = spread.sources
    incident.first_seen = spread.first_seen
    incident.last_seen = spread.last_seen
    incident.reach = spread.reach
    old_severity = incident.severity
    incident.severity = assess(flags=flags, spread=spread, topics=incident.topics).severity
    if incident.status == IncidentStatus.new:
        incident.kind = str(classify(ordered, params))
        if title:
            incident.title = title
    incident.updated_at = now
    if router is None or incident.status not in AUTO_ROUTED_STATUSES:
        return False
    if incident.routing is not None and incident.owner_unit not in (None, incident.routing.lead_unit):
        return False  # an analyst chose the owner: leave the routing to them
    decision = router.route(incident, now=now)
    old = incident.routing
    unchanged = old is not None and (old.rule_id, old.lead_unit, old.partner_units) == (
        decision.rule_id,
        decision.lead_unit,
        decision.partner_units,
    )
    if unchanged and incident.severity == old_severity:
        return False
    if incident.deadline is not None and decision.deadline is not None and incident.deadline < decision.deadline:
        decision.deadline = incident.deadline  # a re-route never extends the deadline
    incident.routing = decision
    incident.owner_unit = decision.lead_unit
    incident.deadline = decision.deadline
    return True
