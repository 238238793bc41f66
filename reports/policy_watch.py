"""Policy watch (plan section I.1): register a draft policy, then measure its coverage and the public's
reaction — volume, main concerns, example items — from the store.

A policy is kept in collection "policies". Coverage = items matching any of its keywords
(diacritic-insensitive phrase match). Main concerns are the most frequent compound words of the
matching items (word-segmented by enrichment or underthesea; counted once per item; generic words
and the keywords themselves left out), and
the reaction cues count items that use words of support, objection, worry or proposal. Nothing is
aggregated by author: the examples show title, source and link only.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from records.errors import InputError, NotFoundError
from records.schema import AuditEntry, Item, utcnow
from records.textfold import fold
from store.base import ItemQuery, Store

COLLECTION = "policies"
MAX_ITEMS_ANALYSED = 400  # items whose words are counted for the main concerns

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# compound words too general to be a concern of their own
GENERIC_WORDS = frozenset(
    {"dự thảo", "quy định", "người dân", "hiện nay", "thông tin", "theo đó", "tuy nhiên", "ngoài ra", "bên cạnh",
     "cơ quan", "đơn vị", "địa phương", "vấn đề", "nội dung", "trường hợp", "thực hiện", "quảng nam", "năm học",
     "thông báo", "đề nghị", "cho biết", "hiện tại", "thời gian", "khu vực", "một số", "bà con"}
)
# reaction cues, matched on folded text (diacritic-insensitive); words of the public, not of a person
REACTION_CUES: dict[str, tuple[str, ...]] = {
    "Đồng tình, ủng hộ": ("ung ho", "dong tinh", "hoan nghenh", "rat hop ly", "dong y"),
    "Phản đối, không đồng tình": ("phan doi", "khong dong tinh", "khong dong y", "bat hop ly", "vo ly"),
    "Băn khoăn, lo ngại": ("ban khoan", "lo ngai", "lo lang", "thac mac", "chua ro"),
    "Kiến nghị, đề xuất": ("kien nghi", "de xuat", "de nghi", "gop y", "mong muon"),
}


class Policy(BaseModel):
    """A draft policy under public consultation."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=3, max_length=300)
    keywords: list[str] = Field(min_length=1, max_length=20)
    opens: date
    closes: date
    note: str = ""
    created_by: str
    created_at: datetime = Field(default_factory=utcnow)

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, value: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(k.strip() for k in value if k.strip()))
        if not cleaned:
            raise ValueError("at least one keyword")
        return cleaned

    @model_validator(mode="after")
    def _window(self) -> Policy:
        if self.closes < self.opens:
            raise ValueError("the consultation window closes before it opens")
        return self


def add_policy(
    store: Store, *, title: str, keywords: list[str], opens: date, closes: date, actor: str, note: str = ""
) -> Policy:
    """Register a draft policy (audited); InputError with reasons when the fields are invalid."""
    try:
        policy = Policy(id="pol-" + uuid.uuid4().hex[:10], title=title, keywords=keywords, opens=opens,
                        closes=closes, note=note, created_by=actor)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid policy: {reasons}") from exc
    store.put_record(COLLECTION, policy.id, policy.model_dump(mode="json"), expected_version=0)
    store.append_audit(AuditEntry(actor=actor, action="policy.add", target=f"policy:{policy.id}",
                                  details={"title": title, "keywords": policy.keywords}))
    return policy


def list_policies(store: Store) -> list[Policy]:
    policies = [Policy.model_validate(r.doc) for r in store.list_records(COLLECTION)]
    return sorted(policies, key=lambda p: (p.opens, p.title), reverse=True)


def get_policy(store: Store, policy_id: str) -> Policy:
    record = store.get_record(COLLECTION, policy_id)
    if record is None:
        raise NotFoundError(f"no policy {policy_id!r}")
    return Policy.model_validate(record.doc)


def delete_policy(store: Store, policy_id: str, *, actor: str) -> None:
    if not store.delete_record(COLLECTION, policy_id):
        raise NotFoundError(f"no policy {policy_id!r}")
    store.append_audit(AuditEntry(actor=actor, action="policy.delete", target=f"policy:{policy_id}"))


@dataclass
class Example:
    title: str
    url: str
    source_id: str
    kind: str
    published_at: datetime
    reach: int | None


@dataclass
class PolicyCoverage:
    policy: Policy
    since: datetime
    until: datetime
    volume: int
    by_kind: dict[str, int]
    by_day: list[tuple[date, int]]
    topics: dict[str, int]
    concerns: list[tuple[str, int]]
    reactions: dict[str, int]
    examples: list[Example] = field(default_factory=list)


def window_bounds(policy: Policy, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The consultation window in UTC (local midnight of ``opens`` to the end of ``closes``)."""
    since = datetime(policy.opens.year, policy.opens.month, policy.opens.day, tzinfo=tz)
    end = policy.closes + timedelta(days=1)
    return since, datetime(end.year, end.month, end.day, tzinfo=tz)


def matching_items(store: Store, policy: Policy, since: datetime, until: datetime) -> dict[str, Item]:
    """Items matching any keyword in ``[since, until)`` by id (the first MAX_ITEMS_ANALYSED kept whole)."""
    found: dict[str, Item] = {}
    for keyword in policy.keywords:
        for item in store.iter_items(ItemQuery(text=f'"{keyword}"', since=since, until=until)):
            found.setdefault(item.id, item)
    return found


def _segmented(item: Item) -> str:
    """The item's word-segmented text: from enrichment when present, else underthesea (offline)."""
    if item.segmented:
        return item.segmented
    from underthesea import word_tokenize

    return str(word_tokenize(f"{item.title}. {item.text}", format="text"))


def _phrases(item: Item, skip: frozenset[str]) -> set[str]:
    """Candidate concern phrases of an item: its compound words (syllables joined by "_" by the
    word segmenter), leaving out those that repeat the policy's own keywords."""
    words = {t.lower().replace("_", " ") for t in _segmented(item).split() if "_" in t}
    places = {(x or "").lower() for p in item.places for x in (p.mention, p.name, p.district)}
    return {
        w for w in words
        if w not in GENERIC_WORDS and w not in places and not (set(w.split()) & skip)
        and _WORD.fullmatch(w.replace(" ", ""))
    }


def display_title(item: Item, limit: int = 120) -> str:
    """The title, or for a post without one the start of its text."""
    if item.title.strip():
        return item.title.strip()
    text = " ".join(item.text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def policy_coverage(
    store: Store, policy: Policy, *, since: datetime, until: datetime, tz: ZoneInfo, n_concerns: int = 8,
    n_examples: int = 5,
) -> PolicyCoverage:
    """Coverage and public reaction of a policy in ``[since, until)``."""
    items = matching_items(store, policy, since, until)
    skip = frozenset(w for k in policy.keywords for w in _WORD.findall(k.lower()))
    phrases: Counter[str] = Counter()
    reactions: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    by_day: Counter[date] = Counter()
    for n, item in enumerate(sorted(items.values(), key=lambda i: i.sort_time, reverse=True)):
        by_kind[str(item.kind)] += 1
        topics.update(item.topics)
        by_day[item.sort_time.astimezone(tz).date()] += 1
        if n < MAX_ITEMS_ANALYSED:
            phrases.update(_phrases(item, skip))
        folded = fold(f"{item.title} {item.text}")
        for label, cues in REACTION_CUES.items():
            if any(cue in folded for cue in cues):
                reactions[label] += 1
    # examples of the public's reaction: items without flags (flagged ones go to the triage queue)
    unflagged = [i for i in items.values() if not i.flags]
    examples = sorted(unflagged, key=lambda i: (-(i.reach or 0), -i.sort_time.timestamp()))[:n_examples]
    return PolicyCoverage(
        policy=policy,
        since=since,
        until=until,
        volume=len(items),
        by_kind=dict(by_kind.most_common()),
        by_day=sorted(by_day.items()),
        topics=dict(topics.most_common()),
        concerns=[(p, c) for p, c in phrases.most_common(n_concerns) if c >= 2],
        reactions={label: reactions.get(label, 0) for label in REACTION_CUES},
        examples=[
            Example(display_title(i), i.url, i.source_id, str(i.kind), i.sort_time, i.reach) for i in examples
        ],
    )


def overlapping(policies: list[Policy], since: datetime, until: datetime, tz: ZoneInfo) -> list[Policy]:
    """Policies whose consultation window overlaps ``[since, until)``."""
    out = []
    for p in policies:
        start, end = window_bounds(p, tz)
        if start < until and end > since:
            out.append(p)
    return out
