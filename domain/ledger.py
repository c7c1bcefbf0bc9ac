"""The Ledger application: one command per write of the HTTP contract. Each command checks the rules across
aggregates, then saves every new event of the command in one atomic append (with its idempotency key, if any).
The commands live in domain/commands/, one module per area."""

from domain.commands.base import Change, CommandHandled, Written, highest_levels
from domain.commands.catalogue import CatalogueCommands
from domain.commands.credentials import CredentialCommands
from domain.commands.enrolments import EnrolmentCommands
from domain.commands.principals import PrincipalCommands
from domain.commands.recognition import RecognitionCommands
from domain.commands.shares import ShareCommands
from domain.commands.work_experience import WorkExperienceCommands
from domain.learner import Learner
from domain.status_list import StatusList

__all__ = ["Change", "CommandHandled", "Ledger", "Written", "highest_levels"]


class Ledger(
    PrincipalCommands, CatalogueCommands, EnrolmentCommands, CredentialCommands, RecognitionCommands,
    WorkExperienceCommands, ShareCommands,
):
    name = "Ledger"
    snapshotting_intervals = {StatusList: 100, Learner: 100}
