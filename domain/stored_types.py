"""Every value type that events carry: the stored format registers a transcoding for each, by class name."""

from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis, CredentialStatus, CredentialTerms
from domain.enrolment import Assessment
from domain.learner import Share
from domain.provider import SigningKey
from domain.recognition import RplDecision
from domain.values import VALUE_TYPES
from domain.work_experience import Position, WorkKind

STORED_VALUE_TYPES: tuple[type, ...] = (
    *VALUE_TYPES, SigningKey, AchievementSpec, Assessment, CredentialBasis, CredentialStatus, CredentialTerms,
    Share, RplDecision, Position, WorkKind,
)
