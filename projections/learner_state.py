"""A learner's record as a pure fold over their facts: `state = apply(state, fact)`. No I/O.

The state is a JSON tree (stored as one document per learner); every view of a learner (CLR, skills, pathway,
shares) is a pure function of it and of the catalogue. Folding the facts up to a position gives the state as
it stood then, which is how the read side answers "as of". A share's openings are not folded in: they are an
access log kept beside the state (`share_openings`), so that opening a link, the ledger's most frequent write,
neither rewrites the learner's state nor moves the position every current view of the learner is kept for.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from projections import events
from projections.events import EventClass
from projections.learner_record import STATUS_AFTER

Json = dict[str, Any]


def empty(learner_id: str) -> Json:
    return {
        "learner_id": learner_id, "registered": False, "registered_on": None, "did": "", "sealed_profile": "",
        "identity_hash": "", "identity_salt": "", "erased": False, "credentials": {}, "enrolments": {}, "rpl": {},
        "work": {},
        "shares": {}, "facts": 0, "position": 0, "recorded_at": None,
    }


def fold(learner_id: str, facts: Iterable[Json]) -> Json:
    state = empty(learner_id)
    for fact in facts:
        advance(state, fact)
    return state


def apply(state: Json, fact: Json) -> Json:
    """The state after one more fact. The given state is not changed."""
    return advance(copy.deepcopy(state), fact)


def advance(state: Json, fact: Json) -> Json:
    """`apply` in place, for a state nobody else holds (freshly loaded or built)."""
    if fact["fact"] in KEPT_BESIDE:
        return state
    handler = HANDLERS.get(fact["fact"])
    if handler is not None:
        handler(state, fact, fact["data"], fact["subject"])
    state["facts"] += 1
    state["position"] = fact["position"]
    state["recorded_at"] = fact["recorded_at"]
    return state


KEPT_BESIDE = frozenset({events.name(events.ShareOpened)})  # facts that leave the state as it was
Handler = Callable[[Json, Json, Json, Json], None]
HANDLERS: dict[str, Handler] = {}


def handles(*classes: EventClass) -> Callable[[Handler], Handler]:
    """Registers a handler for events of these classes (a stored fact names its event's class)."""

    def register(handler: Handler) -> Handler:
        for cls in classes:
            HANDLERS[events.name(cls)] = handler
        return handler

    return register


def _levels(skill_levels: list[Json]) -> dict[str, int]:
    return {level["skill_url"]: level["level"] for level in skill_levels}


# ---- the learner ----------------------------------------------------------------------------------------

@handles(events.LearnerRegistered)
def _registered(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state.update(registered=True, registered_on=fact["effective"], did=data["did"],
                 sealed_profile=data["sealed_profile"], identity_hash=data["identity_hash"],
                 identity_salt=data["identity_salt"])


@handles(events.ShareGranted)
def _share_granted(state: Json, fact: Json, data: Json, subject: Json) -> None:
    share = data["share"]
    state["shares"][share["share_id"]] = {
        "share_id": share["share_id"], "employer_id": share["employer_id"],
        "credential_ids": share["credential_ids"], "skill_urls": share["skill_urls"], "purpose": share["purpose"],
        "expires_at": share["expires_at"], "token_hash": share["token_hash"], "revoked": share["revoked"],
        "granted_at": fact["recorded_at"], "granted_position": fact["position"], "revoked_at": None,
    }


@handles(events.ShareRevoked)
def _share_revoked(state: Json, fact: Json, data: Json, subject: Json) -> None:
    share = state["shares"][data["share_id"]]
    share["revoked"] = True
    share["revoked_at"] = fact["recorded_at"]


@handles(events.Erased)
def _erased(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state.update(erased=True, did="", sealed_profile="", identity_hash="", identity_salt="")
    for share in state["shares"].values():
        if not share["revoked"]:
            share["revoked"] = True
            share["revoked_at"] = fact["recorded_at"]


# ---- enrolments and assessments ---------------------------------------------------------------------------

@handles(events.Enrolled)
def _enrolled(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["enrolments"][subject["enrolment_id"]] = {
        "achievement_id": data["achievement_id"], "provider_id": data["provider_id"], "term": data["term"],
        "enrolled_on": fact["effective"], "assessments": {}, "completed_on": None, "withdrawn_on": None,
    }


@handles(events.AssessmentRecorded)
def _assessed(state: Json, fact: Json, data: Json, subject: Json) -> None:
    assessment = data["assessment"]
    state["enrolments"][subject["enrolment_id"]]["assessments"][assessment["assessment_id"]] = {
        "title": assessment["title"], "outcome": assessment["outcome"], "score": assessment["score"],
        "skill_levels": _levels(assessment["skill_levels"]), "assessor": assessment["assessor"],
        "assessed_on": assessment["assessed_on"], "corrects": assessment["corrects"], "position": fact["position"],
    }


@handles(events.Completed)
def _completed(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["enrolments"][subject["enrolment_id"]]["completed_on"] = fact["effective"]


@handles(events.Withdrawn)
def _withdrawn(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["enrolments"][subject["enrolment_id"]]["withdrawn_on"] = fact["effective"]


# ---- credentials ---------------------------------------------------------------------------------------------

@handles(events.Issued)
def _issued(state: Json, fact: Json, data: Json, subject: Json) -> None:
    terms = data["terms"]
    state["credentials"][subject["credential_id"]] = {
        "achievement_id": data["achievement_id"], "provider_id": data["provider_id"], "status": "active",
        "issued_on": terms["issued_on"], "expires_on": terms["expires_on"], "credits": terms["credits"],
        "skill_levels": _levels(terms["skill_levels"]), "score": terms["score"], "basis": terms["basis"],
        "basis_id": terms["basis_id"], "status_index": data["status_index"], "replaced_by": None,
        "position": fact["position"], "status_changed_on": fact["effective"],
    }


@handles(events.Suspended, events.Reinstated, events.Revoked, events.Superseded)
def _status_changed(state: Json, fact: Json, data: Json, subject: Json) -> None:
    credential = state["credentials"][subject["credential_id"]]
    credential["status"] = STATUS_AFTER[events.NAMES[fact["fact"]]].value
    credential["status_changed_on"] = fact["effective"]
    if "replaced_by" in data:
        credential["replaced_by"] = data["replaced_by"]


# ---- recognition of prior learning ----------------------------------------------------------------------------

@handles(events.Applied)
def _applied(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["rpl"][subject["case_id"]] = {
        "achievement_id": data["achievement_id"], "provider_id": data["provider_id"], "claim": data["claim"],
        "applied_on": fact["effective"], "evidence": 0, "decision": None, "decided_on": None, "appealed": False,
    }


@handles(events.EvidenceSubmitted)
def _evidence(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["rpl"][subject["case_id"]]["evidence"] += 1


@handles(events.Decided, events.Revised)
def _decided(state: Json, fact: Json, data: Json, subject: Json) -> None:
    decision = data["decision"]
    case = state["rpl"][subject["case_id"]]
    case["decision"] = {
        "outcome": decision["outcome"], "credits_granted": decision["credits_granted"],
        "skill_levels": _levels(decision["skill_levels"]), "rationale": decision["rationale"],
        "assessor": decision["assessor"], "number": decision["number"], "corrects": decision["corrects"],
    }
    case["decided_on"] = fact["effective"]
    case["appealed"] = False



@handles(events.Appealed)
def _appealed(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["rpl"][subject["case_id"]]["appealed"] = True


# ---- work experience -------------------------------------------------------------------------------------------

@handles(events.Stated)
def _stated(state: Json, fact: Json, data: Json, subject: Json) -> None:
    position = data["position"]
    state["work"][subject["experience_id"]] = {
        "kind": position["kind"], "employer_name": position["employer_name"], "role": position["role"],
        "start": position["period"]["start"], "end": position["period"]["end"], "skills": position["skills"],
        "employer_id": position["employer_id"], "placed_by": position["placed_by"], "stated_on": fact["effective"],
        "attested_by": None, "attested_on": None, "confirmed_skills": [], "disputed": False,
    }


@handles(events.Attested)
def _attested(state: Json, fact: Json, data: Json, subject: Json) -> None:
    work = state["work"][subject["experience_id"]]
    work["attested_by"] = fact["recorded_by"]
    work["attested_on"] = fact["effective"]
    work["confirmed_skills"] = data["confirmed_skills"]


@handles(events.Disputed)
def _disputed(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["work"][subject["experience_id"]]["disputed"] = True


@handles(events.Ended)
def _ended(state: Json, fact: Json, data: Json, subject: Json) -> None:
    state["work"][subject["experience_id"]]["end"] = data["ended_on"]
