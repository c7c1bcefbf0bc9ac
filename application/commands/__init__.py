"""The ledger's commands: frozen records of what a caller asks, one module per area. Each command's parameters are
listed once, here; its name and idempotency fingerprint derive from the command itself."""

from application.commands.base import Command
from application.commands.catalogue import DefineAchievement, RetireAchievement, ReviewAchievement
from application.commands.credentials import (
    IssueCredential,
    ReinstateCredential,
    ReissueCredential,
    RevokeCredential,
    SupersedeCredential,
    SuspendCredential,
)
from application.commands.enrolments import CompleteEnrolment, Enrol, RecordAssessment, WithdrawEnrolment
from application.commands.principals import (
    DeregisterProvider,
    IssueToken,
    RegisterEmployer,
    RegisterLearner,
    RegisterProvider,
    RevokeToken,
    RotateProviderKey,
)
from application.commands.recognition import AppealRpl, ApplyForRpl, DecideRpl, ReviseRpl, SubmitRplEvidence
from application.commands.shares import EraseLearner, GrantShare, RecordShareOpening, RevokeShare
from application.commands.work_experience import (
    AttestWorkExperience,
    DisputeWorkExperience,
    EndWorkExperience,
    StateWorkExperience,
)

__all__ = [
    "AppealRpl", "ApplyForRpl", "AttestWorkExperience", "Command", "CompleteEnrolment", "DecideRpl",
    "DefineAchievement", "DeregisterProvider", "DisputeWorkExperience", "EndWorkExperience", "Enrol", "EraseLearner",
    "GrantShare", "IssueCredential", "IssueToken", "RecordAssessment", "RecordShareOpening", "RegisterEmployer",
    "RegisterLearner", "RegisterProvider", "ReinstateCredential", "ReissueCredential", "RetireAchievement",
    "ReviewAchievement",
    "ReviseRpl", "RevokeCredential", "RevokeShare", "RevokeToken", "RotateProviderKey", "StateWorkExperience",
    "SubmitRplEvidence", "SupersedeCredential", "SuspendCredential", "WithdrawEnrolment",
]
