"""The transparency log: signed checkpoints, the verifier key, inclusion and consistency proofs, the leaf bytes of
stored events, and verification bundles for a CLR and for a shared view. Checkpoints, the key and proofs (hashes
only) are public; leaf bytes are the stored events themselves, so only an admin (the auditor's token) reads them
all; a bundle carries the leaves of what its reader was already shown."""

import threading
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.context import MaybePrincipal, Principal, State
from api.problems import responses
from application.authorization import Action, Parties, check, permits
from domain.errors import NotFound
from wiring.transparency_log import TransparencyLog

router = APIRouter(tags=["transparency log"])
Position = Annotated[int, Query(ge=1, le=2**62, description="A log position (notification id)")]
Size = Annotated[int, Query(ge=0, le=2**62, description="A tree size (a number of leaves)")]
FACTS_PAGE = 500
ShareLink = Annotated[str, Path(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


OPENING = threading.Lock()


def tlog(request: Request) -> TransparencyLog:
    """The app's reader of the log, opened on first use."""
    state = request.app.state
    with OPENING:
        if getattr(state, "tlog", None) is None:
            services = state.api.services
            state.tlog = TransparencyLog.open(services.settings, services.ledger)
            services.closers.append(state.tlog.close)
    log: TransparencyLog = state.tlog
    return log


class InclusionProof(BaseModel):
    position: int = Field(description="The log position asked for")
    leaf_index: int = Field(description="Its leaf in the tree (0-based; gaps in positions have no leaf)")
    tree_size: int
    leaf_hash: str = Field(description="The leaf's hash in the tree (base64)")
    leaf: str | None = Field(description="The leaf bytes as the event store holds them now (base64; admin only)")
    proof: list[str] = Field(description="RFC 6962 audit path, leaf side first (base64 SHA-256 hashes)")


class ConsistencyProof(BaseModel):
    from_: int = Field(alias="from")
    to: int
    proof: list[str] = Field(description="RFC 6962 consistency proof (base64 SHA-256 hashes)")


class Leaf(BaseModel):
    position: int
    leaf: str = Field(description="The canonical leaf bytes of the stored event (base64)")


class Leaves(BaseModel):
    leaves: list[Leaf]
    next_after: int | None = Field(description="Pass as `after` for the next page; null at the end")


class BundledFact(BaseModel):
    position: int
    leaf_index: int
    leaf: str | None
    proof: list[str]


class Bundle(BaseModel):
    origin: str
    verifier_key: str = Field(description="The log's verifier key (C2SP signed-note format)")
    tree_size: int
    checkpoint: str = Field(description="The signed checkpoint the proofs lead to")
    facts: list[BundledFact]
    not_yet_covered: list[int] = Field(description="Positions newer than the checkpoint (proofs come later)")


@router.get("/v1/log/checkpoint", response_class=PlainTextResponse, responses=responses(404, 422),
            summary="The latest signed checkpoint (C2SP tlog-checkpoint), or the one kept for a tree size")
def checkpoint(request: Request, size: Size | None = None) -> PlainTextResponse:
    return PlainTextResponse(tlog(request).checkpoint(size).note)


@router.get("/v1/log/key", response_class=PlainTextResponse,
            summary="The log's current verifier key: name+hash+base64(0x01 || Ed25519 public key); its history "
                    "(rotations) at /v1/log/keys")
def key(request: Request) -> PlainTextResponse:
    return PlainTextResponse(tlog(request).verifier.text() + "\n", headers={"Link": '</v1/log/keys>; rel="history"'})


class LogKey(BaseModel):
    generation: int
    verifier_key: str = Field(description="C2SP signed-note verifier key")
    from_size: int = Field(description="It signs the checkpoints of this size and larger ...")
    until_size: int | None = Field(description="... up to this size (the next key's transition), or to now if null")
    transition: str | None = Field(description="The checkpoint of size from_size signed by the key before it AND by "
                                               "this one: how an auditor trusting the old key learns the new one")


class LogKeys(BaseModel):
    origin: str
    keys: list[LogKey] = Field(description="Oldest first; the last one signs the checkpoints now")


@router.get("/v1/log/keys", response_model=LogKeys,
            summary="Every log key with the tree sizes it signed, and the transition checkpoints of rotations")
def keys(request: Request) -> dict[str, Any]:
    return tlog(request).key_history()


@router.get("/v1/log/proofs/inclusion", response_model=InclusionProof, responses=responses(404, 422),
            summary="Proof that the event at a position is in the tree of a size (default: the latest checkpoint)")
def inclusion(request: Request, actor: MaybePrincipal, position: Position | None = None, size: Size | None = None,
              index: Annotated[int | None, Query(ge=0, le=2**62, description="A leaf index, instead of a position")]
              = None) -> dict[str, Any]:
    reads_log = actor is not None and permits(actor, Action.READ_EVENT_LOG)
    return tlog(request).inclusion(position, size, index, with_leaf=reads_log)


@router.get("/v1/log/proofs/consistency", response_model=ConsistencyProof, responses=responses(422),
            summary="Proof that the tree of size `to` extends the tree of size `from`")
def consistency(request: Request, from_: Annotated[int, Query(alias="from", ge=0, le=2**62)],
                to: Annotated[int, Query(ge=0, le=2**62)]) -> dict[str, Any]:
    return tlog(request).consistency(from_, to)


@router.get("/v1/log/leaves", response_model=Leaves, responses=responses(401, 403, 422),
            summary="The leaf bytes of stored events after a position, read from the event store (auditors: admin)")
def leaves(request: Request, actor: Principal, after: Annotated[int, Query(ge=0, le=2**62)] = 0,
           limit: Annotated[int, Query(ge=1, le=1000)] = 1000) -> dict[str, Any]:
    check(actor, Action.READ_EVENT_LOG)
    return tlog(request).leaves(after, limit)


def _facts(state: State, learner_id: str) -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = []
    while page := state.read_side.views.facts(learner_id, None, FACTS_PAGE, len(facts)):
        facts += page
        if len(page) < FACTS_PAGE:
            break
    return facts


@router.get("/v1/learners/{learner_id}/clr/log-bundle", response_model=Bundle, responses=responses(401, 403, 404, 422),
            summary="The checkpoint and inclusion proofs of every fact about the learner's credentials (the CLR)")
def clr_bundle(learner_id: UUID, actor: Principal, request: Request, state: State) -> dict[str, Any]:
    check(actor, Action.READ_LEARNER_VIEWS, Parties(learner_id=learner_id))
    positions = [f["position"] for f in _facts(state, str(learner_id)) if "credential_id" in f["subject"]]
    if not positions and state.read_side.views.learner(str(learner_id))[0] is None:
        raise NotFound(f"no learner {learner_id}")
    return tlog(request).bundle(positions)


@router.get("/v1/shared/{token}/log-bundle", response_model=Bundle, responses=responses(404, 422),
            summary="The checkpoint and inclusion proofs of the facts behind a live share: its grant, the shared "
                    "credentials' facts, and the facts naming a shared skill")
def share_bundle(token: ShareLink, request: Request, state: State) -> dict[str, Any]:
    found = state.read_side.share_by_token(token)
    if found is None or not found.live:
        raise NotFound("no live share for this link")
    learner_id, share_id = str(found.learner_id), str(found.share_id)
    learner, _ = state.read_side.views.learner(learner_id)
    share = (learner or {}).get("shares", {}).get(share_id, {})
    credentials, skills = set(share.get("credential_ids", [])), share.get("skill_urls", [])
    positions = [f["position"] for f in _facts(state, learner_id)
                 if f["subject"].get("credential_id") in credentials
                 or (f["fact"] == "Learner.ShareGranted" and f["subject"].get("share_id") == share_id)
                 or (skills and any(url in str(f["data"]) for url in skills))]
    return tlog(request).bundle(positions)
