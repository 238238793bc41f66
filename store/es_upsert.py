"""Planning an idempotent batch upsert against what Elasticsearch already holds (pure, testable offline).

Given the submitted items, the stored copies found by id (``Located``) and the owners of their
content hashes, decide per item: created / unchanged / updated / duplicate, and which writes that
needs. The store then claims new content hashes (create-only documents, ``_id`` = hash: the
uniqueness constraint Elasticsearch lacks) and writes the items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from records.schema import Item, ItemVersion
from store.base import UpsertOutcome, UpsertResult
from store.es_queries import claim_hash_action, create_item_action, replace_item_action


@dataclass(frozen=True)
class Located:
    """A stored item and where it lives (for a conditional rewrite)."""

    index: str
    seq_no: int
    primary_term: int
    item: Item


@dataclass
class Write:
    kind: Literal["create", "replace"]
    item: Item
    positions: list[int] = field(default_factory=list)  # submitted items whose outcome rides on this write
    located: Located | None = None

    def action(self, items_alias: str) -> dict[str, Any]:
        if self.kind == "create" or self.located is None:
            return create_item_action(items_alias, self.item)
        return replace_item_action(
            self.located.index, self.item, seq_no=self.located.seq_no, primary_term=self.located.primary_term
        )


@dataclass
class UpsertPlan:
    results: list[UpsertResult]
    writes: dict[str, Write]  # item id → the one write for it
    claims: dict[str, str]  # content hash → owner item id (create-only)
    overwrite_claims: set[str]  # hashes whose recorded owner no longer exists

    def claim_actions(self, hashes_index: str) -> list[dict[str, Any]]:
        out = []
        for content_hash, owner in self.claims.items():
            action = claim_hash_action(hashes_index, content_hash, owner)
            if content_hash in self.overwrite_claims:
                action["_op_type"] = "index"
            out.append(action)
        return out


def merge_changed(old: Item, new: Item) -> Item:
    """The stored item after its URL came back with other text: the earlier text kept in versions."""
    earlier = ItemVersion(content_hash=old.content_hash, title=old.title, text=old.text, seen_at=old.collected_at)
    return new.model_copy(
        update={
            "versions": [*old.versions, earlier],
            "syndicated_with": list(dict.fromkeys([*old.syndicated_with, *new.syndicated_with])),
            "incident_id": new.incident_id or old.incident_id,
        }
    )


def plan_upserts(items: list[Item], located: dict[str, Located], hash_owners: dict[str, str]) -> UpsertPlan:
    """Decide outcomes and writes in submission order (later items see earlier ones of the batch).

    ``hash_owners`` maps content hashes to the item id that claimed them; an owner missing from
    ``located`` (a crash between claim and write, or a deleted item) does not count.
    """
    current: dict[str, Item] = {i: loc.item for i, loc in located.items()}
    owners = {h: o for h, o in hash_owners.items() if o in located}
    writes: dict[str, Write] = {}
    claims: dict[str, str] = {}
    overwrite: set[str] = set()
    results: list[UpsertResult] = []
    for pos, item in enumerate(items):
        if item.id in current:
            stored = current[item.id]
            if stored.content_hash == item.content_hash:
                results.append(UpsertResult(item_id=item.id, outcome=UpsertOutcome.unchanged, submitted_id=item.id))
                continue
            merged = merge_changed(stored, item)
            current[item.id] = merged
            write = writes.get(item.id)
            if write is None:
                write = writes[item.id] = Write("replace", merged, located=located.get(item.id))
            write.item = merged
            write.positions.append(pos)
            if item.content_hash not in owners:
                owners[item.content_hash] = item.id
                claims[item.content_hash] = item.id
            results.append(UpsertResult(item_id=item.id, outcome=UpsertOutcome.updated, submitted_id=item.id))
            continue
        owner = owners.get(item.content_hash)
        if owner is not None and owner != item.id and owner in current:
            stored = current[owner]
            if item.url != stored.url and item.url not in stored.syndicated_with:
                linked = stored.model_copy(update={"syndicated_with": [*stored.syndicated_with, item.url]})
                current[owner] = linked
                write = writes.get(owner)
                if write is None:
                    write = writes[owner] = Write("replace", linked, located=located.get(owner))
                write.item = linked
                write.positions.append(pos)
            results.append(UpsertResult(item_id=owner, outcome=UpsertOutcome.duplicate, submitted_id=item.id))
            continue
        current[item.id] = item
        owners[item.content_hash] = item.id
        claims[item.content_hash] = item.id
        if item.content_hash in hash_owners and hash_owners[item.content_hash] != item.id:
            overwrite.add(item.content_hash)
        writes[item.id] = Write("create", item, positions=[pos])
        results.append(UpsertResult(item_id=item.id, outcome=UpsertOutcome.created, submitted_id=item.id))
    return UpsertPlan(results=results, writes=writes, claims=claims, overwrite_claims=overwrite)
