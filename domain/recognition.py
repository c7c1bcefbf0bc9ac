"""Recognition of prior learning (RPL): applied, evidence submitted, decided by the provider; appealed, revised."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from domain.common import LedgerAggregate, Sealer, require_text
from domain.errors import InvalidValue, RuleBroken
from domain.values import Actor, Evidence, RplOutcome, SkillLevel, check_credits


@dataclass(frozen=True)
class RplDecision:
    outcome: RplOutcome
    credits_granted: Decimal
    skill_levels: tuple[SkillLevel, ...]
    rationale: str
    assessor: str
    evidence_reviewed: tuple[int, ...]
    number: int = 1
    corrects: int | None = None

    @property
    def grants(self) -> bool:
        return self.outcome is not RplOutcome.DECLINED

    def checked(self, available: Decimal | None, evidence_count: int) -> "RplDecision":
        require_text(self.rationale, "rationale")
        require_text(self.assessor, "assessor", 300)
        check_credits(self.credits_granted)
        self._check_credits_fit_outcome(available)
        if not self.evidence_reviewed or any(not 0 <= i < evidence_count for i in self.evidence_reviewed):
            raise InvalidValue("a decision names the submitted evidence it reviewed (by index)")
        return self

    def _check_credits_fit_outcome(self, available: Decimal | None) -> None:
        if self.outcome is RplOutcome.DECLINED and (self.credits_granted or self.skill_levels):
            raise InvalidValue("a declined application grants no credit and no skills")
        if self.outcome is not RplOutcome.DECLINED and self.credits_granted <= 0 and not self.skill_levels:
            raise InvalidValue("a grant gives credit or recognises skills")
        if available is None:
            return
        if self.credits_granted > available:
            raise RuleBroken(f"{self.credits_granted} credits exceed the {available} available",
                             code="credits-out-of-bounds")
        if self.outcome is RplOutcome.PARTIALLY_GRANTED and self.credits_granted >= available:
            raise InvalidValue("a partial grant gives less than the full credit")


class RecognitionCase(LedgerAggregate):
    @classmethod
    def apply(
        cls, *, learner_id: UUID, provider_id: UUID, achievement_id: UUID, claim: str, seal: Sealer, actor: Actor,
        effective: date,
    ) -> "RecognitionCase":
        return cls(learner_id, provider_id, achievement_id, seal(require_text(claim, "claim")), actor, effective)

    @event("Applied")
    def __init__(
        self, learner_id: UUID, provider_id: UUID, achievement_id: UUID, claim: str, actor: Actor, effective: date,
    ):
        self.learner_id = learner_id
        self.provider_id = provider_id
        self.achievement_id = achievement_id
        self.claim = claim
        self.applied_on = effective
        self.evidence: list[Evidence] = []
        self.decision: RplDecision | None = None
        self.decided_on: date | None = None
        self.appealed = False
        self.appealed_on: date | None = None

    @property
    def awaiting_decision(self) -> bool:
        return self.decision is None or self.appealed

    def submit_evidence(self, evidence: Evidence, seal: Sealer, actor: Actor, effective: date) -> None:
        if not self.awaiting_decision:
            raise RuleBroken("the case is decided; appeal to add evidence", code="case-decided")
        self.check_not_before(effective, self.applied_on, "evidence")
        self._submit_evidence(self.learner_id, evidence.sealed(seal), actor, effective)

    @event("EvidenceSubmitted")
    def _submit_evidence(self, learner_id: UUID, evidence: Evidence, actor: Actor, effective: date) -> None:
        self.evidence.append(evidence)

    def decide(self, decision: RplDecision, available: Decimal | None, actor: Actor, effective: date) -> None:
        if self.decision is not None:
            raise RuleBroken("the case is decided already; an appeal leads to a revision", code="case-decided")
        decision = RplDecision(**{**decision.__dict__, "number": 1, "corrects": None})  # the first decision
        decision.checked(available, len(self.evidence))
        self.check_not_before(effective, self.applied_on, "the decision")
        self._decide(self.learner_id, decision, actor, effective)

    @event("Decided")
    def _decide(self, learner_id: UUID, decision: RplDecision, actor: Actor, effective: date) -> None:
        self.decision = decision
        self.decided_on = effective

    def appeal(self, grounds: str, seal: Sealer, actor: Actor, effective: date) -> None:
        if self.decision is None:
            raise RuleBroken("there is no decision to appeal", code="case-undecided")
        if self.appealed:
            raise RuleBroken("the decision is under appeal already", code="case-under-appeal")
        if self.decided_on is not None:
            self.check_not_before(effective, self.decided_on, "the appeal")
        self._appeal(self.learner_id, seal(require_text(grounds, "grounds")), actor, effective)

    @event("Appealed")
    def _appeal(self, learner_id: UUID, grounds: str, actor: Actor, effective: date) -> None:
        self.appealed = True
        self.appealed_on = effective

    def revise(self, decision: RplDecision, available: Decimal | None, actor: Actor, effective: date) -> None:
        """A revision is a new decision that names the one it corrects."""
        if self.decision is None or not self.appealed:
            raise RuleBroken("a decision is revised after an appeal", code="case-not-appealed")
        revision = RplDecision(**{
            **decision.__dict__, "number": self.decision.number + 1, "corrects": self.decision.number,
        })
        revision.checked(available, len(self.evidence))
        if self.appealed_on is not None:
            self.check_not_before(effective, self.appealed_on, "the revision")
        self._revise(self.learner_id, revision, actor, effective)

    @event("Revised")
    def _revise(self, learner_id: UUID, decision: RplDecision, actor: Actor, effective: date) -> None:
        self.decision = decision
        self.decided_on = effective
        self.appealed = False
