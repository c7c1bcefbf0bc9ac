"""Verification results in words for a person: the same four checks on the share page and the verify page."""

from dataclasses import dataclass
from typing import Any

from projections.employer_view import CredentialCheck
from web.rendering import day

PASSED, FAILED, WARNING, SKIPPED = "passed", "failed", "warning", "skipped"
OUTCOME_WORDS = {PASSED: "Passed", FAILED: "Failed", WARNING: "Note", SKIPPED: "Not checked"}


@dataclass(frozen=True)
class CheckLine:
    name: str
    outcome: str
    detail: str

    @property
    def words(self) -> str:
        return OUTCOME_WORDS.get(self.outcome, self.outcome)


def share_checks(verification: CredentialCheck, document: dict[str, Any]) -> list[CheckLine]:
    """The server's verification of a credential the ledger recorded, as the share page shows it."""
    status = verification.status.value
    return [
        CheckLine("Signature", PASSED if verification.signature_valid else FAILED,
                  "The Data Integrity proof (eddsa-rdfc-2022) matches the issuer's key."
                  if verification.signature_valid else "The proof does not match the issuer's key."),
        CheckLine("Issuer", PASSED if verification.issuer_registered else FAILED,
                  "Issued by a provider registered with the ledger." if verification.issuer_registered
                  else "The issuer is not a registered provider."),
        CheckLine("Status", PASSED if status == "active" else FAILED, _status_words(status)),
        _validity(verification.expired, document),
    ]


def _status_words(status: str) -> str:
    return {
        "active": "Not revoked or suspended.",
        "revoked": "Revoked by the issuer.",
        "suspended": "Suspended by the issuer.",
        "superseded": "Replaced by a newer credential.",
    }.get(status, f"Status: {status}.")


def _validity(expired: bool, document: dict[str, Any]) -> CheckLine:
    starts, ends = day(document.get("validFrom")), day(document.get("validUntil"))
    period = f"Valid from {starts}" + (f" until {ends}." if ends else ", with no end date.")
    if expired:
        return CheckLine("Validity period", WARNING, f"Expired on {ends}: still a true record of what was "
                                                     "achieved, but no longer current.")
    return CheckLine("Validity period", PASSED, period)
