"""Enrolments and their assessments, completion and withdrawal."""

from uuid import UUID

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.enrolments import CompleteEnrolment, Enrol, RecordAssessment, WithdrawEnrolment
from application.handlers.base import Change, Handler, Records, check_skills_aligned
from domain.achievement import Achievement
from domain.enrolment import Assessment, Enrolment
from domain.ids import random_id
from domain.values import Actor


def enrol(records: Records, actor: Actor, command: Enrol) -> Change:
    """Enrolling the same learner in the same achievement for the same term finds the existing enrolment."""
    achievement = records.read(Achievement, command.achievement_id)
    check(actor, Action.ENROL, Parties(provider_id=achievement.provider_id))
    records.check_standing(actor)
    achievement.check_offered()
    learner = records.read_active_learner(command.learner_id)
    enrolment = Enrolment.enrol(
        learner_id=learner.id, achievement_id=achievement.id, provider_id=achievement.provider_id,
        term=command.term, actor=actor, effective=command.effective or records.today(),
    )
    if records.exists(enrolment.id):
        return Change(enrolment.id)
    learner.check_not_before(enrolment.enrolled_on, learner.registered_on, "this fact")
    return Change(enrolment.id, [enrolment])


def _enrolment_for(records: Records, actor: Actor, action: Action, enrolment_id: UUID) -> Enrolment:
    enrolment = records.load(Enrolment, enrolment_id)
    check(actor, action, Parties(learner_id=enrolment.learner_id, provider_id=enrolment.provider_id))
    records.check_standing(actor)
    return enrolment


def record_assessment(records: Records, actor: Actor, command: RecordAssessment) -> Change:
    enrolment = _enrolment_for(records, actor, Action.RECORD_IN_ENROLMENT, command.enrolment_id)
    records.read_active_learner(enrolment.learner_id)
    check_skills_aligned(records.read(Achievement, enrolment.achievement_id), command.skill_levels)
    assessment = Assessment(
        assessment_id=random_id(), title=command.title, outcome=command.outcome, score=command.score,
        skill_levels=command.skill_levels, evidence=command.evidence, assessor=command.assessor,
        assessed_on=command.assessed_on or records.today(), corrects=command.corrects,
    )
    enrolment.record_assessment(assessment, actor, assessment.assessed_on)
    return Change(assessment.assessment_id, [enrolment])


def complete_enrolment(records: Records, actor: Actor, command: CompleteEnrolment) -> Change:
    enrolment = _enrolment_for(records, actor, Action.RECORD_IN_ENROLMENT, command.enrolment_id)
    records.active_learner(enrolment.learner_id)
    enrolment.complete(actor, command.effective or records.today())
    return Change(enrolment.id, [enrolment])


def withdraw_enrolment(records: Records, actor: Actor, command: WithdrawEnrolment) -> Change:
    enrolment = _enrolment_for(records, actor, Action.WITHDRAW_ENROLMENT, command.enrolment_id)
    enrolment.withdraw(command.reason, actor, command.effective or records.today())
    return Change(enrolment.id, [enrolment])


HANDLERS: dict[type[Command], Handler] = {
    Enrol: enrol, RecordAssessment: record_assessment, CompleteEnrolment: complete_enrolment,
    WithdrawEnrolment: withdraw_enrolment,
}
