"""Learner: registration (natural key), shares and their openings, erasure."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from application.commands import (
    AppealRpl,
    ApplyForRpl,
    AttestWorkExperience,
    CompleteEnrolment,
    DecideRpl,
    EndWorkExperience,
    Enrol,
    EraseLearner,
    GrantShare,
    IssueCredential,
    IssueToken,
    RecordShareOpening,
    RegisterLearner,
    RevokeCredential,
    RevokeShare,
    StateWorkExperience,
    SubmitRplEvidence,
)
from domain.access import AccessToken
from domain.credential import CredentialBasis
from domain.enrolment import Enrolment
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.learner import Learner
from domain.values import Actor, Evidence, Identifier
from tests.domain.gwt import ADMIN, START, certificate, rpl_decision, when


@pytest.fixture
def uni(world):
    return world.provider()


@pytest.fixture
def learner(world):
    return world.learner(number="S1234567")


@pytest.fixture
def aroha(learner):
    return Actor.learner(learner)


@pytest.fixture
def employer(world):
    return world.employer()


# ---- registration --------------------------------------------------------------------------------------------------

def register(ledger, actor, number="S7654321", **kwargs):
    return lambda: ledger.execute(actor, RegisterLearner(
        primary_identifier=Identifier("student id", number), profile={"name": "Sam O'Brien"}, **kwargs,
    ))


def test_an_admin_registers_a_learner_who_gets_a_token(ledger):
    registered, issued = when(ledger, register(ledger, ADMIN, effective=START)).then(
        ("Learner.Registered", {"effective": START}), "AccessToken.Issued")
    assert registered.originator_id == ledger.records.learner_ids.learner_id(Identifier("student id", "S7654321")), \
        "id from the identifier, keyed with a secret"
    assert issued.principal == Actor.learner(registered.originator_id)


def test_a_provider_registers_a_learner_and_gets_no_token(ledger, uni):
    outcome = when(ledger, register(ledger, uni))
    outcome.then("Learner.Registered")
    assert outcome.result.token == "", "a token would tell the provider whether the learner existed already"


def test_a_provider_registering_someone_already_registered_is_answered_alike(ledger, world, uni):
    other = world.provider("Other Polytechnic")
    before = ledger.position()
    new = register(ledger, other, "S5550001")()
    first_events = ledger.position() - before
    existing = world.learner(by=uni, number="S5550002")
    again = when(ledger, register(ledger, other, "S5550002"))
    again.then(("RepeatedRegistration.Recorded", {"learner_id": existing, "actor": other}))
    assert len(again.events) == first_events, "as many events, so the position advances alike"
    assert (again.result.id, again.result.token, again.result.replayed) == (existing, new.token, new.replayed)
    assert new.token == ""


def test_a_provider_registering_an_erased_learner_is_answered_alike(ledger, world, uni):
    erased = world.learner(by=uni, number="S5550003")
    ledger.execute(ADMIN, EraseLearner(erased, reason="asked"))
    new = register(ledger, uni, "S5550004")()
    again = when(ledger, register(ledger, uni, "S5550003"))
    again.then(("RepeatedRegistration.Recorded", {"learner_id": erased}))
    assert (again.result.token, again.result.replayed) == (new.token, new.replayed) == ("", False)


@pytest.mark.parametrize("kind", ["learner", "employer"])
def test_learners_and_employers_do_not_register_learners(ledger, world, learner, kind):
    actor = Actor.learner(learner) if kind == "learner" else world.employer()
    when(ledger, register(ledger, actor)).then_refused(NotPermitted, "not-permitted")


def test_registering_the_same_identifier_again_finds_the_same_learner(ledger, uni, learner):
    outcome = when(ledger, register(ledger, uni, "S1234567"))
    outcome.then(("RepeatedRegistration.Recorded", {"learner_id": learner, "actor": uni}))
    assert outcome.result.id == learner
    assert outcome.result.token == "", "no second token for a learner who exists already"


def test_an_admin_registering_again_records_nothing(ledger, learner):
    assert when(ledger, register(ledger, ADMIN, "S1234567")).then_nothing().id == learner


def test_the_personal_data_is_sealed_apart(ledger, vault, learner):
    registered = ledger.load(Learner, learner)
    assert "Aroha" not in registered.sealed_profile
    assert vault.open(learner, registered.sealed_profile)["name"] == "Aroha Ngata"


def test_a_did_starts_with_did(ledger):
    when(ledger, register(ledger, ADMIN, did="https://example.org/me")).then_refused(InvalidValue, "invalid-value")


def test_an_identifier_needs_a_scheme_and_value():
    with pytest.raises(InvalidValue):
        Identifier("student id", " ")


# ---- shares --------------------------------------------------------------------------------------------------------

def test_the_learner_shares_chosen_credentials_with_an_employer(ledger, world, uni, learner, aroha, employer, clock):
    credential = world.credential(uni, learner)
    outcome = when(ledger, lambda: world.share(learner, employer, (credential,)))
    [granted] = outcome.then(("Learner.ShareGranted", {"originator_id": learner, "actor": aroha}))
    share = granted.share
    assert share.share_id == outcome.result.id
    assert share.credential_ids == (credential,) and share.employer_id == UUID(employer.id)
    assert outcome.result.token and outcome.result.token not in share.token_hash, "only the token's hash is kept"


def test_only_the_learner_shares(ledger, world, learner, employer, uni):
    for someone in (uni, employer, ADMIN, Actor.learner(world.learner())):
        when(ledger, lambda s=someone: ledger.execute(s, GrantShare(
            learner, employer_id=UUID(employer.id), skill_urls=("urn:x",), purpose="x",
            expires_at=world.clock.now + timedelta(days=1),
        ))).then_refused(NotPermitted, "not-permitted")


@pytest.mark.parametrize("hours", [0, -1])
def test_a_share_must_expire_in_the_future(ledger, world, learner, employer, hours):
    when(ledger, lambda: world.share(learner, employer, hours=hours)).then_refused(InvalidValue, "invalid-value")


def test_a_learner_shares_only_their_own_credentials(ledger, world, uni, learner, employer):
    someone_elses = world.credential(uni)
    when(ledger, lambda: world.share(learner, employer, (someone_elses,))).then_refused(NotPermitted, "not-permitted")


def test_a_share_goes_to_a_registered_employer(ledger, world, learner):
    when(ledger, lambda: world.share(learner, Actor.employer(uuid4()))).then_refused(NotFound, "not-found")


def test_a_share_grants_something_for_a_purpose(ledger, world, learner, aroha, employer):
    def share(**changes):
        return lambda: ledger.execute(aroha, GrantShare(learner, **{
            "employer_id": UUID(employer.id), "skill_urls": ("urn:skill",), "purpose": "Job application",
            "expires_at": world.clock.now + timedelta(days=1), **changes}))

    when(ledger, share(skill_urls=())).then_refused(InvalidValue, "invalid-value")
    when(ledger, share(purpose="")).then_refused(InvalidValue, "invalid-value")


def test_the_learner_revokes_a_share_once(ledger, world, learner, aroha, employer):
    share = world.share(learner, employer).id
    when(ledger, lambda: ledger.execute(aroha, RevokeShare(learner, share))).then(
        ("Learner.ShareRevoked", {"share_id": share}))
    when(ledger, lambda: ledger.execute(aroha, RevokeShare(
        learner, share,
    ))).then_refused(RuleBroken, "share-already-revoked")


def test_only_the_learner_revokes_a_share(ledger, world, learner, employer):
    share = world.share(learner, employer).id
    when(ledger, lambda: ledger.execute(employer, RevokeShare(
        learner, share,
    ))).then_refused(NotPermitted, "not-permitted")


def test_revoking_an_unknown_share_is_refused(ledger, learner, aroha):
    when(ledger, lambda: ledger.execute(aroha, RevokeShare(learner, uuid4()))).then_refused(NotFound, "not-found")


def test_opening_a_live_share_is_recorded(ledger, world, learner, employer):
    share = world.share(learner, employer).id
    when(ledger, lambda: ledger.execute(employer, RecordShareOpening(learner, share, viewer="hr@council.example"))
         ).then(("Learner.ShareOpened", {"share_id": share, "viewer": "hr@council.example", "actor": employer}))


def test_opening_a_revoked_share_is_refused(ledger, world, learner, aroha, employer):
    share = world.share(learner, employer).id
    ledger.execute(aroha, RevokeShare(learner, share))
    when(ledger, lambda: ledger.execute(employer, RecordShareOpening(learner, share, viewer="hr"))).then_refused(
        RuleBroken, "share-ended")


def test_opening_an_expired_share_is_refused(ledger, world, clock, learner, employer):
    share = world.share(learner, employer, hours=2).id
    clock.advance(hours=2)
    when(ledger, lambda: ledger.execute(employer, RecordShareOpening(learner, share, viewer="hr"))).then_refused(
        RuleBroken, "share-ended")


# ---- erasure -------------------------------------------------------------------------------------------------------

def test_the_learner_asks_for_erasure(ledger, vault, world, learner, aroha, employer):
    world.share(learner, employer)
    sealed = ledger.load(Learner, learner).sealed_profile
    tokens = ledger.load(Learner, learner).granted_tokens
    when(ledger, lambda: ledger.execute(aroha, EraseLearner(learner, reason="Asked to be forgotten"))).then(
        ("Learner.Erased", {"originator_id": learner, "reason": "Asked to be forgotten"}),
        *[("AccessToken.Revoked", {"originator_id": token}) for token in tokens])
    assert tokens, "the token given at registration"
    assert all(ledger.load(AccessToken, token).revoked for token in tokens), "her tokens are revoked"
    erased = ledger.load(Learner, learner)
    assert erased.sealed_profile == "" and all(s.revoked for s in erased.shares.values())
    assert vault.open(learner, sealed) is None, "the per-learner key is destroyed"


def test_an_admin_carries_out_erasure(ledger, learner):
    when(ledger, lambda: ledger.execute(ADMIN, EraseLearner(learner, reason="Court order"))).then(
        "Learner.Erased", "AccessToken.Revoked")


def test_a_token_issued_later_is_revoked_at_erasure_too(ledger, learner):
    later = ledger.execute(ADMIN, IssueToken(Actor.learner(learner)))
    assert ledger.principal_for(later.token) == Actor.learner(learner)
    when(ledger, lambda: ledger.execute(ADMIN, EraseLearner(learner, reason="Court order"))).then(
        "Learner.Erased", "AccessToken.Revoked", "AccessToken.Revoked")
    assert ledger.principal_for(later.token) is None


def test_no_one_else_erases_a_learner(ledger, world, uni, learner):
    for someone in (uni, Actor.learner(world.learner())):
        when(ledger, lambda s=someone: ledger.execute(s, EraseLearner(learner, reason="x"))).then_refused(
            NotPermitted, "not-permitted")


def test_a_learner_is_erased_once(ledger, aroha, learner):
    ledger.execute(aroha, EraseLearner(learner, reason="Asked"))
    when(ledger, lambda: ledger.execute(aroha, EraseLearner(learner, reason="Again"))).then_refused(
        RuleBroken, "learner-erased")


def test_an_erased_learners_shares_cannot_be_opened(ledger, world, learner, aroha, employer):
    share = world.share(learner, employer).id
    ledger.execute(aroha, EraseLearner(learner, reason="Asked"))
    when(ledger, lambda: ledger.execute(employer, RecordShareOpening(learner, share, viewer="hr"))).then_refused(
        RuleBroken, "share-ended")


class TestAnErasedLearnerRefusesNewFacts:
    """Every new fact about an erased learner is refused; what protects others (a revocation) still goes through."""

    @pytest.fixture
    def history(self, ledger, world, uni, learner, aroha, employer):
        course = world.achievement(uni)
        care = world.achievement(uni, certificate())
        open_enrolment = world.enrolment(uni, learner, course)
        passed = world.enrolment(uni, learner, world.achievement(uni))
        world.assess(uni, passed)
        completed = world.completed_enrolment(uni, learner, world.achievement(uni))
        credential = world.credential(uni, learner, world.achievement(uni))
        case = world.rpl_case(uni, learner, care)
        decided = world.decided_case(uni, learner, care)
        experience = world.experience(learner, world.position(employer))
        ledger.execute(aroha, EraseLearner(learner, reason="Asked to be forgotten"))
        return dict(course=course, care=care, open=open_enrolment, passed=passed, completed=completed,
                    credential=credential, case=case, decided=decided, experience=experience)

    def test_refused(self, ledger, world, uni, learner, aroha, employer, history):
        h = history
        commands = {
            "enrol": lambda: ledger.execute(uni, Enrol(learner, achievement_id=h["course"], term="2025-T1")),
            "assessment": lambda: world.assess(uni, h["open"]),
            "completion": lambda: ledger.execute(uni, CompleteEnrolment(h["passed"])),
            "credential": lambda: ledger.execute(uni, IssueCredential(
                learner, achievement_id=ledger.load(Enrolment, h["completed"]).achievement_id,
                basis=CredentialBasis.ENROLMENT, basis_id=h["completed"], issued_on=date(2024, 6, 1),
            )),
            "rpl application": lambda: ledger.execute(aroha, ApplyForRpl(learner, achievement_id=h["care"], claim="x")),
            "rpl evidence": lambda: ledger.execute(uni, SubmitRplEvidence(h["case"], evidence=Evidence("x"))),
            "rpl decision": lambda: ledger.execute(uni, DecideRpl(h["case"], decision=rpl_decision())),
            "rpl appeal": lambda: ledger.execute(aroha, AppealRpl(h["decided"], grounds="x")),
            "work experience": lambda: ledger.execute(aroha, StateWorkExperience(learner, position=world.position())),
            "attestation": lambda: ledger.execute(employer, AttestWorkExperience(
                h["experience"], effective=date(2024, 10, 2),
            )),
            "end of work": lambda: ledger.execute(aroha, EndWorkExperience(h["experience"], ended_on=date(2025, 1, 1))),
            "share": lambda: world.share(learner, employer),
        }
        for name, command in commands.items():
            try:
                when(ledger, command).then_refused(RuleBroken, "learner-erased")
            except AssertionError as failure:
                raise AssertionError(f"{name}: {failure}") from failure

    def test_the_issuer_still_revokes_their_credential(self, ledger, uni, history):
        when(ledger, lambda: ledger.execute(uni, RevokeCredential(
            history["credential"], reason="Issued in error",
        ))).then(
            "Credential.Revoked")
