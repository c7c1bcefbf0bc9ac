"""The Ledger application: one command per write of the HTTP contract. Each command checks the rules across
aggregates, then saves every new event of the command in one atomic append (with its idempotency key, if any).
The commands live in application/handlers/, one module per area."""

from application.handlers.base import Change, CommandHandled, Written, highest_levels
from application.handlers.catalogue import CatalogueCommands
from application.handlers.credentials import CredentialCommands
from application.handlers.enrolments import EnrolmentCommands
from application.handlers.principals import PrincipalCommands
from application.handlers.recognition import RecognitionCommands
from application.handlers.shares import ShareCommands
from application.handlers.work_experience import WorkExperienceCommands
from domain.learner import Learner
from domain.status_list import StatusList

__all__ = ["Change", "CommandHandled", "Ledger", "Written", "highest_levels"]


class Ledger(
    PrincipalCommands, CatalogueCommands, EnrolmentCommands, CredentialCommands, RecognitionCommands,
    WorkExperienceCommands, ShareCommands,
):
    name = "Ledger"
    snapshotting_intervals = {StatusList: 100, Learner: 100}
