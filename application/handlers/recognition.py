"""Recognition of prior learning: application, evidence, decision, appeal, revision."""

from uuid import UUID

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.recognition import AppealRpl, ApplyForRpl, DecideRpl, ReviseRpl, SubmitRplEvidence
from application.handlers.base import Change, Handler, Records, check_skills_aligned
from domain.achievement import Achievement
from domain.recognition import RecognitionCase
from domain.values import Actor


def apply_for_rpl(records: Records, actor: Actor, command: ApplyForRpl) -> Change:
    records.check_standing(actor)
    learner = records.active_learner(command.learner_id)
    achievement = records.load(Achievement, command.achievement_id)
    achievement.check_offered()
    check(actor, Action.APPLY_FOR_RPL, Parties(learner_id=learner.id, provider_id=achievement.provider_id))
    case = RecognitionCase.apply(
        learner_id=learner.id, provider_id=achievement.provider_id, achievement_id=achievement.id,
        claim=command.claim, seal=records.sealer(learner.id), actor=actor,
        effective=command.effective or records.today(),
    )
    return Change(case.id, [case])


def _case_for(records: Records, actor: Actor, action: Action, case_id: UUID) -> RecognitionCase:
    records.check_standing(actor)
    case = records.load(RecognitionCase, case_id)
    check(actor, action, Parties(learner_id=case.learner_id, provider_id=case.provider_id))
    records.active_learner(case.learner_id)
    return case


def submit_rpl_evidence(records: Records, actor: Actor, command: SubmitRplEvidence) -> Change:
    case = _case_for(records, actor, Action.SUBMIT_RPL_EVIDENCE, command.case_id)
    case.submit_evidence(command.evidence, records.sealer(case.learner_id), actor,
                         command.effective or records.today())
    return Change(case.id, [case])


def decide_rpl(records: Records, actor: Actor, command: DecideRpl) -> Change:
    case = _case_for(records, actor, Action.DECIDE_RPL, command.case_id)
    achievement = records.load(Achievement, case.achievement_id)
    check_skills_aligned(achievement, command.decision.skill_levels)
    case.decide(command.decision, achievement.spec.credits, actor, command.effective or records.today())
    return Change(case.id, [case])


def appeal_rpl(records: Records, actor: Actor, command: AppealRpl) -> Change:
    case = _case_for(records, actor, Action.APPEAL_RPL, command.case_id)
    case.appeal(command.grounds, records.sealer(case.learner_id), actor, command.effective or records.today())
    return Change(case.id, [case])


def revise_rpl(records: Records, actor: Actor, command: ReviseRpl) -> Change:
    case = _case_for(records, actor, Action.DECIDE_RPL, command.case_id)
    achievement = records.load(Achievement, case.achievement_id)
    check_skills_aligned(achievement, command.decision.skill_levels)
    case.revise(command.decision, achievement.spec.credits, actor, command.effective or records.today())
    return Change(case.id, [case])


HANDLERS: dict[type[Command], Handler] = {
    ApplyForRpl: apply_for_rpl, SubmitRplEvidence: submit_rpl_evidence, DecideRpl: decide_rpl,
    AppealRpl: appeal_rpl, ReviseRpl: revise_rpl,
}
