"""Known false claims (collection "known_claims"): verified by analysts, with the official correction.
The matcher reads them; ``on_claims_changed`` (wired by the lead) refreshes it after every change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from records.errors import NotFoundError
from records.schema import AuditEntry
from store.base import Store
from triage_api.schemas import KnownClaimPublic

KNOWN_CLAIMS = "known_claims"


def _public(key: str, version: int, doc: dict) -> KnownClaimPublic:
    return KnownClaimPublic.model_validate({**doc, "claim_id": key, "version": version})


def list_claims(store: Store) -> list[KnownClaimPublic]:
    return [_public(r.key, r.version, r.doc) for r in store.list_records(KNOWN_CLAIMS)]


def get_claim(store: Store, *, claim_id: str) -> KnownClaimPublic:
    record = store.get_record(KNOWN_CLAIMS, claim_id)
    if record is None:
        raise NotFoundError(f"no known claim {claim_id}")
    return _public(record.key, record.version, record.doc)


def create_claim(
    store: Store,
    *,
    claim: str,
    correction: str,
    source: str,
    actor: str,
    now: datetime,
    correction_url: str | None = None,
    incident_id: str | None = None,
    claim_id: str | None = None,
    on_claims_changed: Callable[[], None] | None = None,
) -> KnownClaimPublic:
    """Add a known false claim with its correction; audit-logged; the matcher is refreshed."""
    claim_id = claim_id or f"claim-{uuid.uuid4().hex[:12]}"
    claim, source = claim.strip(), source.strip()
    doc = {
        "claim_id": claim_id,
        "claim": claim,
        "correction": correction.strip(),
        "correction_url": correction_url,
        "source": source,
        "added_by": actor,
        "added_at": now.isoformat(),
        "incident_id": incident_id,
    }
    record = store.put_record(KNOWN_CLAIMS, claim_id, doc, expected_version=0)
    store.append_audit(
        AuditEntry(
            actor=actor,
            action="known_claim.create",
            target=f"known_claim:{claim_id}",
            details={"claim": claim[:500], "source": source, "incident_id": incident_id},
        )
    )
    if on_claims_changed is not None:
        on_claims_changed()
    return _public(claim_id, record.version, doc)


def update_claim(
    store: Store,
    *,
    claim_id: str,
    claim: str,
    correction: str,
    source: str,
    correction_url: str | None,
    incident_id: str | None,
    expected_version: int,
    actor: str,
    on_claims_changed: Callable[[], None] | None = None,
) -> KnownClaimPublic:
    """Edit a claim at a known version (stale → ConflictError); audit-logged."""
    current = store.get_record(KNOWN_CLAIMS, claim_id)
    if current is None:
        raise NotFoundError(f"no known claim {claim_id}")
    doc = {
        **current.doc,
        "claim": claim.strip(),
        "correction": correction.strip(),
        "correction_url": correction_url,
        "source": source.strip(),
        "incident_id": incident_id,
    }
    record = store.put_record(KNOWN_CLAIMS, claim_id, doc, expected_version=expected_version)
    changed = sorted(k for k in doc if doc[k] != current.doc.get(k))
    store.append_audit(
        AuditEntry(
            actor=actor,
            action="known_claim.update",
            target=f"known_claim:{claim_id}",
            details={"changed": changed, "version": record.version},
        )
    )
    if on_claims_changed is not None:
        on_claims_changed()
    return _public(claim_id, record.version, doc)


def delete_claim(
    store: Store, *, claim_id: str, actor: str, on_claims_changed: Callable[[], None] | None = None
) -> None:
    current = store.get_record(KNOWN_CLAIMS, claim_id)
    if current is None or not store.delete_record(KNOWN_CLAIMS, claim_id):
        raise NotFoundError(f"no known claim {claim_id}")
    store.append_audit(
        AuditEntry(
            actor=actor,
            action="known_claim.delete",
            target=f"known_claim:{claim_id}",
            details={"claim": str(current.doc.get("claim", ""))[:500]},
        )
    )
    if on_claims_changed is not None:
        on_claims_changed()
