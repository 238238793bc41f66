"""Known false claims with their official corrections (the matcher uses them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from triage_api.deps import ClockDep, HooksDep, ReaderUser, StaffUser, StoreDep
from triage_api.errors import COMMON_RESPONSES
from triage_api.schemas import Deleted, KnownClaimIn, KnownClaimPublic, KnownClaimsPublic, KnownClaimUpdate
from triage_api.services import claims as service

router = APIRouter(prefix="/api/v1/known-claims", tags=["known claims"], responses=COMMON_RESPONSES)
ClaimId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("", summary="Every known false claim")
def list_claims(store: StoreDep, user: ReaderUser) -> KnownClaimsPublic:
    return KnownClaimsPublic(data=service.list_claims(store))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a known false claim with its correction")
def create_claim(
    body: KnownClaimIn, store: StoreDep, user: StaffUser, clock: ClockDep, hooks: HooksDep
) -> KnownClaimPublic:
    return service.create_claim(
        store,
        claim=body.claim,
        correction=body.correction,
        correction_url=body.correction_url,
        source=body.source,
        incident_id=body.incident_id,
        actor=user.username,
        now=clock(),
        on_claims_changed=hooks.on_claims_changed,
    )


@router.get("/{claim_id}", summary="One known claim")
def get_claim(claim_id: ClaimId, store: StoreDep, user: ReaderUser) -> KnownClaimPublic:
    return service.get_claim(store, claim_id=claim_id)


@router.put("/{claim_id}", summary="Edit a known claim at its current version")
def update_claim(
    claim_id: ClaimId, body: KnownClaimUpdate, store: StoreDep, user: StaffUser, hooks: HooksDep
) -> KnownClaimPublic:
    return service.update_claim(
        store,
        claim_id=claim_id,
        claim=body.claim,
        correction=body.correction,
        correction_url=body.correction_url,
        source=body.source,
        incident_id=body.incident_id,
        expected_version=body.expected_version,
        actor=user.username,
        on_claims_changed=hooks.on_claims_changed,
    )


@router.delete("/{claim_id}", summary="Withdraw a known claim")
def delete_claim(claim_id: ClaimId, store: StoreDep, user: StaffUser, hooks: HooksDep) -> Deleted:
    service.delete_claim(store, claim_id=claim_id, actor=user.username, on_claims_changed=hooks.on_claims_changed)
    return Deleted(deleted=True)
