"""Batch items (POST /v1/events): each a write's body plus its `command` name, its own idempotency key and the id
the single route would take in its path."""

from typing import Literal
from uuid import UUID

from pydantic import Field

from api.requests.base import CommandRequest
from api.requests.catalogue import AchievementDefinition
from api.requests.credentials import (
    CredentialIssue,
    Reinstatement,
    Reissue,
    Revocation,
    Supersession,
    Suspension,
)
from api.requests.enrolments import AssessmentRequest, CompletionRequest, EnrolmentRequest, WithdrawalRequest
from api.requests.principals import LearnerRegistration
from api.requests.recognition import RplApplication, RplDecisionRequest, RplEvidence, RplRevision
from api.requests.work_experience import Attestation, Dispute


class BatchItem(CommandRequest):
    idempotency_key: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
                                 description="Each item's own idempotency key: a retried batch replays each item")

    def target(self) -> UUID | None:
        found = getattr(self, self.target_field) if self.target_field else None
        return found if isinstance(found, UUID) else None

class RegisterLearnerItem(BatchItem, LearnerRegistration):
    command: Literal["register_learner"]


class DefineAchievementItem(BatchItem, AchievementDefinition):
    command: Literal["define_achievement"]


class EnrolItem(BatchItem, EnrolmentRequest):
    command: Literal["enrol"]
    learner_id: UUID


class RecordAssessmentItem(BatchItem, AssessmentRequest):
    command: Literal["record_assessment"]
    enrolment_id: UUID


class CompleteEnrolmentItem(BatchItem, CompletionRequest):
    command: Literal["complete_enrolment"]
    enrolment_id: UUID


class WithdrawEnrolmentItem(BatchItem, WithdrawalRequest):
    command: Literal["withdraw_enrolment"]
    enrolment_id: UUID


class IssueCredentialItem(BatchItem, CredentialIssue):
    command: Literal["issue_credential"]
    learner_id: UUID


class ReissueCredentialItem(BatchItem, Reissue):
    command: Literal["reissue_credential"]
    credential_id: UUID


class RevokeCredentialItem(BatchItem, Revocation):
    command: Literal["revoke_credential"]
    credential_id: UUID


class SuspendCredentialItem(BatchItem, Suspension):
    command: Literal["suspend_credential"]
    credential_id: UUID


class ReinstateCredentialItem(BatchItem, Reinstatement):
    command: Literal["reinstate_credential"]
    credential_id: UUID


class SupersedeCredentialItem(BatchItem, Supersession):
    command: Literal["supersede_credential"]
    credential_id: UUID


class ApplyForRplItem(BatchItem, RplApplication):
    command: Literal["apply_for_rpl"]
    learner_id: UUID


class SubmitRplEvidenceItem(BatchItem, RplEvidence):
    command: Literal["submit_rpl_evidence"]
    case_id: UUID


class DecideRplItem(BatchItem, RplDecisionRequest):
    command: Literal["decide_rpl"]
    case_id: UUID


class ReviseRplItem(BatchItem, RplRevision):
    command: Literal["revise_rpl"]
    case_id: UUID


class AttestWorkExperienceItem(BatchItem, Attestation):
    command: Literal["attest_work_experience"]
    experience_id: UUID


class DisputeWorkExperienceItem(BatchItem, Dispute):
    command: Literal["dispute_work_experience"]
    experience_id: UUID


BATCH_ITEM_TYPES: tuple[type[BatchItem], ...] = (
    RegisterLearnerItem, DefineAchievementItem, EnrolItem, RecordAssessmentItem, CompleteEnrolmentItem,
    WithdrawEnrolmentItem, IssueCredentialItem, ReissueCredentialItem, RevokeCredentialItem, SuspendCredentialItem,
    ReinstateCredentialItem, SupersedeCredentialItem, ApplyForRplItem, SubmitRplEvidenceItem, DecideRplItem,
    ReviseRplItem, AttestWorkExperienceItem, DisputeWorkExperienceItem,
)
