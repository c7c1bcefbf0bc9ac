"""Work experience: stated, attested or disputed, ended."""

from uuid import UUID

from application.authorization import Action, Parties, check
from application.commands.base import Command
from application.commands.work_experience import (
    AttestWorkExperience,
    DisputeWorkExperience,
    EndWorkExperience,
    StateWorkExperience,
)
from application.handlers.base import Change, Handler, Records
from domain.employer import Employer
from domain.provider import Provider
from domain.values import Actor
from domain.work_experience import WorkExperience


def state_work_experience(records: Records, actor: Actor, command: StateWorkExperience) -> Change:
    check(actor, Action.STATE_WORK_EXPERIENCE, Parties(learner_id=command.learner_id))
    learner = records.active_learner(command.learner_id)
    position = command.position
    if position.employer_id is not None:
        records.load(Employer, position.employer_id)
    if position.placed_by is not None:
        records.load(Provider, position.placed_by)
    experience = WorkExperience.state(
        learner_id=learner.id, position=position, seal=records.sealer(learner.id), actor=actor,
        effective=command.effective or records.today(),
    )
    return Change(experience.id, [experience])


def _attested_experience(records: Records, actor: Actor, experience_id: UUID) -> WorkExperience:
    records.check_standing(actor)
    experience = records.load(WorkExperience, experience_id)
    position = experience.position
    check(actor, Action.ATTEST_WORK_EXPERIENCE,
          Parties(employer_id=position.employer_id, provider_id=position.placed_by))
    return experience


def attest_work_experience(records: Records, actor: Actor, command: AttestWorkExperience) -> Change:
    experience = _attested_experience(records, actor, command.experience_id)
    records.active_learner(experience.learner_id)
    experience.attest(command.confirmed_skills, command.statement, records.sealer(experience.learner_id), actor,
                      command.effective or records.today())
    return Change(experience.id, [experience])


def dispute_work_experience(records: Records, actor: Actor, command: DisputeWorkExperience) -> Change:
    experience = _attested_experience(records, actor, command.experience_id)
    records.active_learner(experience.learner_id)
    experience.dispute(command.reason, records.sealer(experience.learner_id), actor,
                       command.effective or records.today())
    return Change(experience.id, [experience])


def end_work_experience(records: Records, actor: Actor, command: EndWorkExperience) -> Change:
    experience = records.load(WorkExperience, command.experience_id)
    check(actor, Action.END_WORK_EXPERIENCE, Parties(learner_id=experience.learner_id))
    records.active_learner(experience.learner_id)
    experience.end(command.ended_on, actor, records.today())
    return Change(experience.id, [experience])


HANDLERS: dict[type[Command], Handler] = {
    StateWorkExperience: state_work_experience, AttestWorkExperience: attest_work_experience,
    DisputeWorkExperience: dispute_work_experience, EndWorkExperience: end_work_experience,
}
