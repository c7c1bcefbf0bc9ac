"""The Ledger application: one command per write of the HTTP contract. Each command checks the rules across
aggregates, then saves every new event of the command in one atomic append (with its idempotency key, if any)."""

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.access import AccessToken, hash_secret, new_secret
from domain.achievement import Achievement, AchievementSpec
from domain.credential import Credential, CredentialBasis, CredentialTerms
from domain.employer import Employer
from domain.enrolment import Assessment, Enrolment
from domain.errors import ConcurrencyConflict, DomainError, IdempotencyKeyReused, NotFound, NotPermitted, RuleBroken
from domain.idempotency import IdempotencyKey
from domain.learner import Learner, Share
from domain.ports import CredentialDraft, CredentialSigner, KeyVault, PersonalDataVault
from domain.provider import Provider
from domain.recognition import RecognitionCase, RplDecision
from domain.status_list import StatusList
from domain.values import Actor, ActorKind, Evidence, Identifier, SkillLevel
from domain.work_experience import Position, WorkExperience

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 20
"""Each collision means another writer succeeded, so N writers racing on one aggregate need up to N attempts."""
BACKOFF_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.1


@dataclass(frozen=True)
class Written:
    """A command's outcome: the aggregate it created or changed, and the log position reached."""

    id: UUID
    position: int
    token: str = ""
    replayed: bool = False


@dataclass(frozen=True)
class CommandHandled:
    """What a command did, for the log line ops writes: its name, who, the outcome or the refusal, how long."""

    name: str
    actor: Actor
    seconds: float
    written: Written | None = None
    error: DomainError | None = None


@dataclass
class Change:
    """What a command produced, before it is saved."""

    id: UUID
    aggregates: list[Aggregate] = field(default_factory=list)
    token: str = ""


class Ledger(Application[UUID]):
    name = "Ledger"
    snapshotting_intervals = {StatusList: 100, Learner: 100}

    def __init__(
        self, env: Mapping[str, str] | None = None, *, keys: KeyVault | None = None,
        vault: PersonalDataVault | None = None, signer: CredentialSigner | None = None,
        clock: Callable[[], datetime] | None = None, observe: Callable[[CommandHandled], None] | None = None,
    ):
        """Without ports the Ledger still reads its log (as projection runners do) but refuses commands that
        need keys, personal data or signing."""
        super().__init__(env)
        self._keys = keys
        self._vault = vault
        self._signer = signer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.observe = observe or (lambda handled: None)

    @property
    def keys(self) -> KeyVault:
        return _plugged(self._keys, "key vault")

    @property
    def vault(self) -> PersonalDataVault:
        return _plugged(self._vault, "personal data vault")

    @property
    def signer(self) -> CredentialSigner:
        return _plugged(self._signer, "credential signer")

    # ---- the machinery every command goes through -------------------------------------------------

    def _execute(
        self, name: str, actor: Actor, idempotency_key: str | None, args: Any, operation: Callable[[], Change],
    ) -> Written:
        started = time.perf_counter()
        try:
            written = self._attempt(name, actor, idempotency_key, args, operation)
        except DomainError as error:
            self.observe(CommandHandled(name, actor, time.perf_counter() - started, error=error))
            raise
        self.observe(CommandHandled(name, actor, time.perf_counter() - started, written=written))
        return written

    def _attempt(
        self, name: str, actor: Actor, idempotency_key: str | None, args: Any, operation: Callable[[], Change],
    ) -> Written:
        fingerprint = hashlib.sha256(repr((name, args)).encode()).hexdigest()
        for attempt in range(MAX_ATTEMPTS):
            replay = self._replay(actor, idempotency_key, fingerprint)
            if replay is not None:
                return replay
            change = operation()
            if idempotency_key:
                change.aggregates.append(IdempotencyKey.claim(
                    key=idempotency_key, fingerprint=fingerprint, outcome=str(change.id), actor=actor,
                    effective=self.today(),
                ))
            try:
                return Written(change.id, self._save(change.aggregates), change.token)
            except IntegrityError:
                # Someone else wrote first: wait a random while (so the losers do not collide again in step),
                # then re-read and re-check the rules.
                time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2**attempt)))
        raise ConcurrencyConflict(f"{name} kept colliding with concurrent writes; try again")

    def _replay(self, actor: Actor, key: str | None, fingerprint: str) -> Written | None:
        if not key:
            return None
        try:
            record: IdempotencyKey = self.repository.get(IdempotencyKey.create_id(actor, key))
        except AggregateNotFoundError:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(f"idempotency key {key!r} was used for a different command")
        return Written(UUID(record.outcome), self.position(), replayed=True)

    def _save(self, aggregates: list[Aggregate]) -> int:
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id if recordings else self.position()

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def today(self) -> date:
        return self.clock().date()

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    # ---- authorisation helpers ----------------------------------------------------------------------

    @staticmethod
    def _require(actor: Actor, *kinds: ActorKind) -> None:
        if actor.kind not in kinds:
            raise NotPermitted(f"a {actor.kind.value} may not do this")

    def _registered_provider(self, actor: Actor) -> Provider:
        self._require(actor, ActorKind.PROVIDER)
        provider = self.load(Provider, UUID(actor.id))
        provider.check_registered()
        return provider

    def _check_standing(self, actor: Actor) -> None:
        """A provider that acts must still be registered: a deregistered provider writes nothing more."""
        if actor.kind is ActorKind.PROVIDER:
            self._registered_provider(actor)

    def _active_learner(self, learner_id: UUID) -> Learner:
        learner = self.load(Learner, learner_id)
        learner.check_active()
        return learner

    def _issue_token(self, principal: Actor, actor: Actor) -> tuple[AccessToken, str]:
        return AccessToken.issue(principal=principal, actor=actor, effective=self.today())

    # ---- principals -----------------------------------------------------------------------------------

    def register_provider(
        self, actor: Actor, *, name: str, identifiers: tuple[Identifier, ...], website: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            provider = Provider.register(
                name=name, identifiers=identifiers, website=website, signing_key=self.keys.new_signing_key(),
                actor=actor, effective=effective or self.today(),
            )
            status_list = StatusList.open(provider_id=provider.id, actor=actor, effective=effective or self.today())
            grant, token = self._issue_token(Actor.provider(provider.id), actor)
            return Change(provider.id, [provider, status_list, grant], token)

        args = (name, identifiers, website, effective)
        return self._execute("register_provider", actor, idempotency_key, args, operation)

    def rotate_provider_key(
        self, actor: Actor, provider_id: UUID, *, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            if not (actor.kind is ActorKind.ADMIN or actor.is_provider(provider_id)):
                raise NotPermitted("only the provider itself or an admin rotates its key")
            provider = self.load(Provider, provider_id)
            provider.rotate_key(self.keys.new_signing_key(), actor, self.today())
            return Change(provider.id, [provider])

        return self._execute("rotate_provider_key", actor, idempotency_key, (provider_id,), operation)

    def deregister_provider(
        self, actor: Actor, provider_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        """An admin deregisters a provider: it writes nothing more, and what it wrote stays."""

        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            provider = self.load(Provider, provider_id)
            provider.deregister(reason, actor, effective or self.today())
            return Change(provider.id, [provider])

        args = (provider_id, reason, effective)
        return self._execute("deregister_provider", actor, idempotency_key, args, operation)

    def register_employer(
        self, actor: Actor, *, name: str, identifiers: tuple[Identifier, ...] = (),
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            employer = Employer.register(name=name, identifiers=identifiers, actor=actor, effective=self.today())
            grant, token = self._issue_token(Actor.employer(employer.id), actor)
            return Change(employer.id, [employer, grant], token)

        return self._execute("register_employer", actor, idempotency_key, (name, identifiers), operation)

    def register_learner(
        self, actor: Actor, *, primary_identifier: Identifier, profile: dict[str, str] | None = None, did: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        """Registering a learner who exists already finds them: no twin, no new event, no new token."""

        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN, ActorKind.PROVIDER)
            if actor.kind is ActorKind.PROVIDER:
                self._registered_provider(actor)
            learner_id = Learner.create_id(primary_identifier)
            if self.exists(learner_id):
                return Change(learner_id)
            salt = new_secret()[:16]
            learner = Learner.register(
                primary_identifier=primary_identifier, did=did,
                sealed_profile=self.vault.seal(learner_id, {**(profile or {}), **{
                    "identifier_scheme": primary_identifier.scheme, "identifier": primary_identifier.value}}),
                identity_hash="sha256$" + hash_secret(primary_identifier.value + salt), identity_salt=salt,
                actor=actor, effective=effective or self.today(),
            )
            grant, token = self._issue_token(Actor.learner(learner.id), actor)
            return Change(learner.id, [learner, grant], token)

        args = (primary_identifier, sorted((profile or {}).items()), did, effective)
        return self._execute("register_learner", actor, idempotency_key, args, operation)

    def issue_token(self, actor: Actor, principal: Actor, *, idempotency_key: str | None = None) -> Written:
        def operation() -> Change:
            self._require(actor, ActorKind.ADMIN)
            kinds: dict[ActorKind, type[Aggregate]] = {
                ActorKind.PROVIDER: Provider, ActorKind.LEARNER: Learner, ActorKind.EMPLOYER: Employer,
            }
            if principal.kind not in kinds:
                raise NotPermitted("tokens are issued to providers, learners and employers")
            self.load(kinds[principal.kind], UUID(principal.id))
            grant, token = self._issue_token(principal, actor)
            return Change(grant.id, [grant], token)

        return self._execute("issue_token", actor, idempotency_key, (principal,), operation)

    def revoke_token(self, actor: Actor, token: str) -> Written:
        def operation() -> Change:
            grant = self.load(AccessToken, AccessToken.id_for(token))
            if actor.kind is not ActorKind.ADMIN and actor != grant.principal:
                raise NotPermitted("a token is revoked by its holder or an admin")
            grant.revoke(actor, self.today())
            return Change(grant.id, [grant])

        return self._execute("revoke_token", actor, None, (), operation)

    def principal_for(self, token: str) -> Actor | None:
        """The principal a bearer token belongs to: one keyed read of a one- or two-event aggregate."""
        try:
            grant: Aggregate = self.repository.get(AccessToken.id_for(token))
        except AggregateNotFoundError:
            return None
        if not isinstance(grant, AccessToken) or grant.revoked:
            return None
        return grant.principal

    # ---- catalogue --------------------------------------------------------------------------------------

    def define_achievement(
        self, actor: Actor, spec: AchievementSpec, *, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            provider = self._registered_provider(actor)
            for qualification_id in spec.stacks_into:
                qualification = self.load(Achievement, qualification_id)
                if not qualification.is_qualification:
                    raise RuleBroken("an achievement stacks only into a qualification", code="not-a-qualification")
                qualification.check_offered()
            achievement = Achievement.define(
                provider_id=provider.id, spec=spec, actor=actor, effective=effective or self.today(),
            )
            return Change(achievement.id, [achievement])

        return self._execute("define_achievement", actor, idempotency_key, (spec,), operation)

    def review_achievement(
        self, actor: Actor, achievement_id: UUID, *, next_review_date: date, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.review(next_review_date, actor, effective or self.today())
            return Change(achievement.id, [achievement])

        args = (achievement_id, next_review_date, effective)
        return self._execute("review_achievement", actor, idempotency_key, args, operation)

    def retire_achievement(
        self, actor: Actor, achievement_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.retire(reason, actor, effective or self.today())
            return Change(achievement.id, [achievement])

        args = (achievement_id, reason, effective)
        return self._execute("retire_achievement", actor, idempotency_key, args, operation)

    def _own_achievement(self, actor: Actor, achievement_id: UUID) -> Achievement:
        provider = self._registered_provider(actor)
        achievement = self.load(Achievement, achievement_id)
        if achievement.provider_id != provider.id:
            raise NotPermitted("a provider acts only on its own achievements")
        return achievement

    # ---- enrolments and assessments --------------------------------------------------------------------

    def enrol(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, term: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        """Enrolling the same learner in the same achievement for the same term finds the existing enrolment."""

        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            achievement.check_offered()
            learner = self._active_learner(learner_id)
            enrolment = Enrolment.enrol(
                learner_id=learner.id, achievement_id=achievement.id, provider_id=achievement.provider_id,
                term=term, actor=actor, effective=effective or self.today(),
            )
            if self.exists(enrolment.id):
                return Change(enrolment.id)
            self.check_not_before_registration(learner, enrolment.enrolled_on)
            return Change(enrolment.id, [enrolment])

        return self._execute("enrol", actor, idempotency_key, (learner_id, achievement_id, term), operation)

    @staticmethod
    def check_not_before_registration(learner: Learner, effective: date) -> None:
        learner.check_not_before(effective, learner.registered_on, "this fact")

    def record_assessment(
        self, actor: Actor, enrolment_id: UUID, *, title: str, outcome: Any, score: str = "",
        skill_levels: tuple[SkillLevel, ...] = (), evidence: tuple[Evidence, ...] = (), assessor: str,
        assessed_on: date | None = None, corrects: UUID | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.check_recorded_by(actor)
            self._active_learner(enrolment.learner_id)
            achievement = self.load(Achievement, enrolment.achievement_id)
            self._check_skills_aligned(achievement, skill_levels)
            assessment = Assessment(
                assessment_id=uuid4(), title=title, outcome=outcome, score=score, skill_levels=skill_levels,
                evidence=evidence, assessor=assessor, assessed_on=assessed_on or self.today(), corrects=corrects,
            )
            enrolment.record_assessment(assessment, actor, assessment.assessed_on)
            return Change(assessment.assessment_id, [enrolment])

        args = (enrolment_id, title, outcome, score, skill_levels, evidence, assessor, assessed_on, corrects)
        return self._execute("record_assessment", actor, idempotency_key, args, operation)

    @staticmethod
    def _check_skills_aligned(achievement: Achievement, skill_levels: tuple[SkillLevel, ...]) -> None:
        for level in skill_levels:
            if achievement.skill(level.skill_url) is None:
                raise RuleBroken(
                    f"{level.skill_url} is not a skill {achievement.spec.name} is aligned to", code="skill-not-aligned",
                )

    def complete_enrolment(
        self, actor: Actor, enrolment_id: UUID, *, effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.check_recorded_by(actor)
            self._active_learner(enrolment.learner_id)
            enrolment.complete(actor, effective or self.today())
            return Change(enrolment.id, [enrolment])

        return self._execute("complete_enrolment", actor, idempotency_key, (enrolment_id, effective), operation)

    def withdraw_enrolment(
        self, actor: Actor, enrolment_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            enrolment = self.load(Enrolment, enrolment_id)
            enrolment.withdraw(reason, actor, effective or self.today())
            return Change(enrolment.id, [enrolment])

        args = (enrolment_id, reason, effective)
        return self._execute("withdraw_enrolment", actor, idempotency_key, args, operation)

    # ---- credentials ----------------------------------------------------------------------------------------

    def issue_credential(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, basis: CredentialBasis, basis_id: UUID,
        issued_on: date | None = None, expires_on: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            achievement = self._own_achievement(actor, achievement_id)
            learner = self._active_learner(learner_id)
            issued = issued_on or self.today()
            credits, skill_levels, score, since = self._earned(basis, basis_id, learner.id, achievement)
            learner.check_not_before(issued, since, "issuance")
            terms = CredentialTerms(basis, basis_id, issued, expires_on, credits, skill_levels, score).checked()
            status_list = self.load(StatusList, StatusList.create_id(achievement.provider_id))
            credential_id = uuid4()
            index = status_list.allocate(credential_id, actor, issued)
            provider = self.load(Provider, achievement.provider_id)
            document = self.signer.sign(CredentialDraft(credential_id, provider, achievement, learner, terms, index))
            credential = Credential.issue(
                credential_id=credential_id, learner_id=learner.id, provider_id=provider.id,
                achievement_id=achievement.id, terms=terms, status_index=index, document=document, actor=actor,
                effective=issued,
            )
            return Change(credential.id, [credential, status_list])

        args = (learner_id, achievement_id, basis, basis_id, issued_on, expires_on)
        return self._execute("issue_credential", actor, idempotency_key, args, operation)

    def _earned(
        self, basis: CredentialBasis, basis_id: UUID, learner_id: UUID, achievement: Achievement,
    ) -> tuple[Decimal | None, tuple[SkillLevel, ...], str, date]:
        """What the basis of a credential earned: credits, skill levels, score, and the date it was earned."""
        if basis is CredentialBasis.ENROLMENT:
            enrolment = self.load(Enrolment, basis_id)
            if enrolment.learner_id != learner_id or enrolment.achievement_id != achievement.id:
                raise RuleBroken("the enrolment is not this learner's in this achievement", code="basis-mismatch")
            if enrolment.completed_on is None:
                raise RuleBroken("a credential is issued for a completed enrolment", code="not-completed")
            if not enrolment.passed:
                raise RuleBroken("the enrolment's passing assessment was corrected to a fail", code="not-passed")
            assessments = enrolment.current_assessments()
            score = next((a.score for a in reversed(assessments) if a.score), "")
            return achievement.spec.credits, highest_levels(a.skill_levels for a in assessments), score, \
                enrolment.completed_on
        case = self.load(RecognitionCase, basis_id)
        if case.learner_id != learner_id or case.achievement_id != achievement.id:
            raise RuleBroken("the RPL case is not this learner's for this achievement", code="basis-mismatch")
        if case.decision is None or not case.decision.grants or case.appealed:
            raise RuleBroken("a credential follows a standing RPL grant", code="not-granted")
        return case.decision.credits_granted, case.decision.skill_levels, "", case.applied_on

    def _own_credential(self, actor: Actor, credential_id: UUID) -> Credential:
        self._registered_provider(actor)
        return self.load(Credential, credential_id)

    def suspend_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.suspend(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("suspend_credential", actor, idempotency_key, args, operation)

    def reinstate_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.reinstate(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("reinstate_credential", actor, idempotency_key, args, operation)

    def revoke_credential(
        self, actor: Actor, credential_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            credential.revoke(reason, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, reason, effective)
        return self._execute("revoke_credential", actor, idempotency_key, args, operation)

    def supersede_credential(
        self, actor: Actor, credential_id: UUID, *, replaced_by: UUID, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            credential = self._own_credential(actor, credential_id)
            replacement = self.load(Credential, replaced_by)
            credential.supersede(replacement, actor, effective or self.today())
            return Change(credential.id, [credential])

        args = (credential_id, replaced_by, effective)
        return self._execute("supersede_credential", actor, idempotency_key, args, operation)

    # ---- recognition of prior learning ---------------------------------------------------------------------

    def apply_for_rpl(
        self, actor: Actor, learner_id: UUID, *, achievement_id: UUID, claim: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            learner = self._active_learner(learner_id)
            achievement = self.load(Achievement, achievement_id)
            achievement.check_offered()
            if not (actor.is_learner(learner.id) or actor.is_provider(achievement.provider_id)):
                raise NotPermitted("an RPL case is opened by the learner or the achievement's provider")
            case = RecognitionCase.apply(
                learner_id=learner.id, provider_id=achievement.provider_id, achievement_id=achievement.id,
                claim=claim, actor=actor, effective=effective or self.today(),
            )
            return Change(case.id, [case])

        args = (learner_id, achievement_id, claim, effective)
        return self._execute("apply_for_rpl", actor, idempotency_key, args, operation)

    def submit_rpl_evidence(
        self, actor: Actor, case_id: UUID, *, evidence: Evidence, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            case.submit_evidence(evidence, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, evidence, effective)
        return self._execute("submit_rpl_evidence", actor, idempotency_key, args, operation)

    def decide_rpl(
        self, actor: Actor, case_id: UUID, *, decision: RplDecision, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            achievement = self.load(Achievement, case.achievement_id)
            self._check_skills_aligned(achievement, decision.skill_levels)
            case.decide(decision, achievement.spec.credits, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, decision, effective)
        return self._execute("decide_rpl", actor, idempotency_key, args, operation)

    def appeal_rpl(
        self, actor: Actor, case_id: UUID, *, grounds: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            case.appeal(grounds, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, grounds, effective)
        return self._execute("appeal_rpl", actor, idempotency_key, args, operation)

    def revise_rpl(
        self, actor: Actor, case_id: UUID, *, decision: RplDecision, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            case = self.load(RecognitionCase, case_id)
            self._active_learner(case.learner_id)
            achievement = self.load(Achievement, case.achievement_id)
            self._check_skills_aligned(achievement, decision.skill_levels)
            case.revise(decision, achievement.spec.credits, actor, effective or self.today())
            return Change(case.id, [case])

        args = (case_id, decision, effective)
        return self._execute("revise_rpl", actor, idempotency_key, args, operation)

    # ---- work experience ------------------------------------------------------------------------------------

    def state_work_experience(
        self, actor: Actor, learner_id: UUID, *, position: Position, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            learner = self._active_learner(learner_id)
            if position.employer_id is not None:
                self.load(Employer, position.employer_id)
            if position.placed_by is not None:
                self.load(Provider, position.placed_by)
            experience = WorkExperience.state(
                learner_id=learner.id, position=position, actor=actor, effective=effective or self.today(),
            )
            return Change(experience.id, [experience])

        args = (learner_id, position, effective)
        return self._execute("state_work_experience", actor, idempotency_key, args, operation)

    def attest_work_experience(
        self, actor: Actor, experience_id: UUID, *, confirmed_skills: tuple[str, ...] = (), statement: str = "",
        effective: date | None = None, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            experience = self.load(WorkExperience, experience_id)
            self._active_learner(experience.learner_id)
            experience.attest(confirmed_skills, statement, actor, effective or self.today())
            return Change(experience.id, [experience])

        args = (experience_id, confirmed_skills, statement, effective)
        return self._execute("attest_work_experience", actor, idempotency_key, args, operation)

    def dispute_work_experience(
        self, actor: Actor, experience_id: UUID, *, reason: str, effective: date | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            self._check_standing(actor)
            experience = self.load(WorkExperience, experience_id)
            experience.dispute(reason, actor, effective or self.today())
            return Change(experience.id, [experience])

        args = (experience_id, reason, effective)
        return self._execute("dispute_work_experience", actor, idempotency_key, args, operation)

    def end_work_experience(
        self, actor: Actor, experience_id: UUID, *, ended_on: date, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            experience = self.load(WorkExperience, experience_id)
            self._active_learner(experience.learner_id)
            experience.end(ended_on, actor, self.today())
            return Change(experience.id, [experience])

        return self._execute("end_work_experience", actor, idempotency_key, (experience_id, ended_on), operation)

    # ---- shares and erasure -------------------------------------------------------------------------------

    def grant_share(
        self, actor: Actor, learner_id: UUID, *, employer_id: UUID, credential_ids: tuple[UUID, ...] = (),
        skill_urls: tuple[str, ...] = (), purpose: str, expires_at: datetime, idempotency_key: str | None = None,
    ) -> Written:
        """Returns the share's id and its link token (shown once; only its hash is kept)."""

        def operation() -> Change:
            if not actor.is_learner(learner_id):
                raise NotPermitted("only the learner shares their record")
            learner = self._active_learner(learner_id)
            self.load(Employer, employer_id)
            self._check_credentials_held(learner.id, credential_ids)
            token = new_secret()
            share = Share(uuid4(), employer_id, credential_ids, skill_urls, purpose, expires_at, hash_secret(token))
            learner.grant_share(share, actor, self.today(), self.clock())
            return Change(share.share_id, [learner], token)

        args = (learner_id, employer_id, credential_ids, skill_urls, purpose, expires_at)
        return self._execute("grant_share", actor, idempotency_key, args, operation)

    def _check_credentials_held(self, learner_id: UUID, credential_ids: Iterable[UUID]) -> None:
        for credential_id in credential_ids:
            if self.load(Credential, credential_id).learner_id != learner_id:
                raise NotPermitted(f"credential {credential_id} is not the learner's to share")

    def revoke_share(
        self, actor: Actor, learner_id: UUID, share_id: UUID, *, idempotency_key: str | None = None,
    ) -> Written:
        def operation() -> Change:
            if not actor.is_learner(learner_id):
                raise NotPermitted("only the learner revokes their share")
            learner = self.load(Learner, learner_id)
            learner.revoke_share(share_id, actor, self.today())
            return Change(share_id, [learner])

        return self._execute("revoke_share", actor, idempotency_key, (learner_id, share_id), operation)

    def record_share_opening(self, learner_id: UUID, share_id: UUID, *, viewer: str, actor: Actor) -> Written:
        def operation() -> Change:
            learner = self.load(Learner, learner_id)
            learner.record_opening(share_id, viewer, actor, self.today(), self.clock())
            return Change(share_id, [learner])

        return self._execute("record_share_opening", actor, None, (learner_id, share_id, viewer), operation)

    def erase_learner(
        self, actor: Actor, learner_id: UUID, *, reason: str, idempotency_key: str | None = None,
    ) -> Written:
        """Erasure records the fact, ends every share, and destroys the key that sealed the personal data."""

        def operation() -> Change:
            if not (actor.is_learner(learner_id) or actor.kind is ActorKind.ADMIN):
                raise NotPermitted("erasure is asked for by the learner (or carried out by an admin)")
            learner = self.load(Learner, learner_id)
            learner.erase(reason, actor, self.today())
            return Change(learner.id, [learner])

        written = self._execute("erase_learner", actor, idempotency_key, (learner_id, reason), operation)
        self.vault.forget(learner_id)
        return written


P = TypeVar("P")


def _plugged(port: P | None, name: str) -> P:
    if port is None:
        raise RuntimeError(f"this Ledger was built without a {name}")
    return port


def highest_levels(level_sets: Iterable[tuple[SkillLevel, ...]]) -> tuple[SkillLevel, ...]:
    best: dict[str, int] = {}
    for levels in level_sets:
        for level in levels:
            best[level.skill_url] = max(level.level, best.get(level.skill_url, 0))
    return tuple(SkillLevel(url, level) for url, level in best.items())
