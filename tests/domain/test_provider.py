"""Provider: registered (with a signing key, a status list and a token) -> keys rotated -> deregistered."""

from datetime import date
from uuid import UUID

import pytest

from application.commands import (
    AppealRpl,
    ApplyForRpl,
    AttestWorkExperience,
    CompleteEnrolment,
    DecideRpl,
    DefineAchievement,
    DeregisterProvider,
    DisputeWorkExperience,
    Enrol,
    IssueCredential,
    RegisterLearner,
    RegisterProvider,
    ReviewAchievement,
    ReviseRpl,
    RevokeCredential,
    RotateProviderKey,
    SubmitRplEvidence,
    SuspendCredential,
    WithdrawEnrolment,
)
from domain.credential import CredentialBasis
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.provider import Provider
from domain.status_list import StatusList
from domain.values import Actor, Evidence, Identifier
from tests.domain.gwt import ADMIN, START, certificate, micro_credential, rpl_decision, when


def register(ledger, actor=ADMIN, **changes):
    return lambda: ledger.execute(actor, RegisterProvider(**{
        "name": "Harbour University", "identifiers": (Identifier("NZQA provider", "7001"),),
        "website": "https://harbour.example.ac.nz", "effective": START, **changes}))


@pytest.fixture
def uni(world):
    return world.provider()


def test_an_admin_registers_a_provider_with_a_key_a_status_list_and_a_token(ledger):
    outcome = when(ledger, register(ledger))
    registered, opened, token = outcome.then(
        ("Provider.Registered", {"name": "Harbour University", "effective": START, "actor": ADMIN}),
        "StatusList.Opened", "AccessToken.Issued")
    assert registered.signing_key.public_key_multibase.startswith("z")
    assert opened.originator_id == StatusList.create_id(registered.originator_id)
    assert token.principal == Actor.provider(registered.originator_id)
    assert ledger.principal_for(outcome.result.token) == Actor.provider(outcome.result.id)


def test_only_an_admin_registers_providers(ledger, uni):
    when(ledger, register(ledger, uni)).then_refused(NotPermitted, "not-permitted")


@pytest.mark.parametrize("changes", [
    {"identifiers": ()},
    {"identifiers": (Identifier("RTO", "1"), Identifier("RTO", "1"))},
    {"website": "http://harbour.example.ac.nz"},
    {"name": " "},
])
def test_a_provider_is_registered_with_identifiers_a_name_and_an_https_website(ledger, changes):
    when(ledger, register(ledger, **changes)).then_refused(InvalidValue, "invalid-value")


def test_the_provider_rotates_its_key_and_keeps_the_old_one(ledger, uni):
    provider_id = UUID(uni.id)
    old = ledger.load(Provider, provider_id).active_key_id
    [rotated] = when(ledger, lambda: ledger.execute(uni, RotateProviderKey(provider_id))).then("Provider.KeyRotated")
    provider = ledger.load(Provider, provider_id)
    assert provider.active_key_id == rotated.signing_key.key_id != old
    assert old in provider.keys


def test_an_admin_rotates_a_providers_key(ledger, uni):
    when(ledger, lambda: ledger.execute(ADMIN, RotateProviderKey(UUID(uni.id)))).then("Provider.KeyRotated")


def test_no_other_provider_rotates_the_key(ledger, world, uni):
    other = world.provider("Other Polytechnic")
    when(ledger, lambda: ledger.execute(other, RotateProviderKey(
        UUID(uni.id),
    ))).then_refused(NotPermitted, "not-permitted")


def test_an_admin_deregisters_a_provider(ledger, uni):
    when(ledger, lambda: ledger.execute(ADMIN, DeregisterProvider(
        UUID(uni.id), reason="Accreditation lapsed", effective=date(2025, 1, 1),
    ))).then(
        ("Provider.Deregistered", {"reason": "Accreditation lapsed"}))


def test_only_an_admin_deregisters(ledger, uni):
    when(ledger, lambda: ledger.execute(uni, DeregisterProvider(UUID(uni.id), reason="x"))).then_refused(
        NotPermitted, "not-permitted")


def test_a_provider_is_deregistered_once(ledger, uni):
    ledger.execute(ADMIN, DeregisterProvider(UUID(uni.id), reason="Accreditation lapsed"))
    when(ledger, lambda: ledger.execute(ADMIN, DeregisterProvider(UUID(uni.id), reason="x"))).then_refused(
        RuleBroken, "provider-deregistered")


def test_a_deregistration_cannot_precede_the_registration(ledger, uni):
    when(ledger, lambda: ledger.execute(ADMIN, DeregisterProvider(UUID(uni.id), reason="x", effective=date(2023, 1, 1)))
         ).then_refused(RuleBroken, "date-out-of-order")


def test_deregistering_an_unknown_provider_is_refused(ledger):
    when(ledger, lambda: ledger.execute(ADMIN, DeregisterProvider(
        UUID(int=7), reason="x",
    ))).then_refused(NotFound, "not-found")


class TestADeregisteredProviderWritesNothing:
    @pytest.fixture
    def history(self, ledger, world, uni):
        learner = world.learner()
        course = world.achievement(uni)
        care = world.achievement(uni, certificate())
        open_enrolment = world.enrolment(uni, learner, course)
        passed = world.enrolment(uni, learner, world.achievement(uni))
        world.assess(uni, passed)
        completed_course = world.achievement(uni)
        completed = world.completed_enrolment(uni, learner, completed_course)
        credential = world.credential(uni, learner, world.achievement(uni))
        case = world.rpl_case(uni, learner, care)
        decided = world.decided_case(uni, learner, care)
        ledger.execute(Actor.learner(learner), AppealRpl(decided, grounds="x", effective=date(2024, 4, 25)))
        experience = world.experience(learner, world.position(placed_by=uni))
        ledger.execute(ADMIN, DeregisterProvider(UUID(uni.id), reason="Accreditation lapsed"))
        return dict(learner=learner, course=course, care=care, open=open_enrolment, passed=passed,
                    completed_course=completed_course, completed=completed, credential=credential, case=case,
                    decided=decided, experience=experience)

    def test_refused(self, ledger, world, uni, history):
        h = history
        commands = {
            "define": lambda: ledger.execute(uni, DefineAchievement(micro_credential())),
            "review": lambda: ledger.execute(uni, ReviewAchievement(h["course"], next_review_date=date(2027, 1, 1))),
            "register learner": lambda: ledger.execute(uni, RegisterLearner(Identifier("student id", "S7777777"))),
            "enrol": lambda: ledger.execute(uni, Enrol(h["learner"], achievement_id=h["course"], term="2025-T1")),
            "assess": lambda: world.assess(uni, h["open"]),
            "complete": lambda: ledger.execute(uni, CompleteEnrolment(h["passed"])),
            "withdraw": lambda: ledger.execute(uni, WithdrawEnrolment(h["open"], reason="x")),
            "issue": lambda: ledger.execute(uni, IssueCredential(
                h["learner"], achievement_id=h["completed_course"], basis=CredentialBasis.ENROLMENT,
                basis_id=h["completed"],
            )),
            "suspend": lambda: ledger.execute(uni, SuspendCredential(h["credential"], reason="x")),
            "revoke": lambda: ledger.execute(uni, RevokeCredential(h["credential"], reason="x")),
            "apply rpl": lambda: ledger.execute(uni, ApplyForRpl(h["learner"], achievement_id=h["care"], claim="x")),
            "rpl evidence": lambda: ledger.execute(uni, SubmitRplEvidence(h["case"], evidence=Evidence("x"))),
            "decide": lambda: ledger.execute(uni, DecideRpl(h["case"], decision=rpl_decision())),
            "revise": lambda: ledger.execute(uni, ReviseRpl(h["decided"], decision=rpl_decision())),
            "attest": lambda: ledger.execute(uni, AttestWorkExperience(h["experience"], effective=date(2024, 10, 2))),
            "dispute": lambda: ledger.execute(uni, DisputeWorkExperience(h["experience"], reason="x")),
            "rotate key": lambda: ledger.execute(uni, RotateProviderKey(UUID(uni.id))),
        }
        for name, command in commands.items():
            try:
                when(ledger, command).then_refused(RuleBroken, "provider-deregistered")
            except AssertionError as failure:
                raise AssertionError(f"{name}: {failure}") from failure

    def test_what_it_wrote_stays_and_the_learner_still_acts(self, ledger, world, history):
        learner = Actor.learner(history["learner"])
        when(ledger, lambda: ledger.execute(learner, WithdrawEnrolment(
            history["open"], reason="Provider closed",
        ))).then(
            "Enrolment.Withdrawn")
