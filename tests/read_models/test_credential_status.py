"""Credential status, given events and dates, then the standing: one mapping from event classes to status, and
expiry judged from the expiry day on."""

from datetime import date

import pytest

from domain.credential import CredentialStatus
from projections import events
from projections.employer_view import CredentialCheck
from projections.learner_record import STATUS_AFTER, Standing, standing, status_after

EXPIRES = date(2025, 1, 1)


def test_every_credential_event_maps_to_the_status_it_leaves():
    assert {events.Issued: CredentialStatus.ACTIVE, events.Suspended: CredentialStatus.SUSPENDED,
                            events.Reinstated: CredentialStatus.ACTIVE, events.Revoked: CredentialStatus.REVOKED,
                            events.Superseded: CredentialStatus.SUPERSEDED} == STATUS_AFTER
    assert status_after("Credential.Revoked") is CredentialStatus.REVOKED
    assert status_after("Enrolment.Completed") is None


@pytest.mark.parametrize(("status", "on", "expected"), [
    (CredentialStatus.ACTIVE, date(2024, 12, 31), Standing.ACTIVE),
    (CredentialStatus.ACTIVE, EXPIRES, Standing.EXPIRED),
    (CredentialStatus.SUSPENDED, date(2026, 1, 1), Standing.SUSPENDED),
    (CredentialStatus.REVOKED, date(2024, 1, 1), Standing.REVOKED),
    (CredentialStatus.SUPERSEDED, date(2024, 1, 1), Standing.SUPERSEDED),
])
def test_standing_is_the_status_or_expired_when_active_past_expiry(status, on, expected):
    assert standing(status, EXPIRES, on) is expected


def test_a_credential_without_expiry_never_expires():
    assert standing(CredentialStatus.ACTIVE, None, date(2999, 1, 1)) is Standing.ACTIVE


def test_a_check_is_valid_only_when_signed_by_a_registered_issuer_and_standing_active():
    assert CredentialCheck.of(CredentialStatus.ACTIVE, EXPIRES, date(2024, 6, 1), True, True).valid
    expired = CredentialCheck.of(CredentialStatus.ACTIVE, EXPIRES, EXPIRES, True, True)
    assert expired.expired and not expired.valid
    assert not CredentialCheck.of(CredentialStatus.ACTIVE, None, EXPIRES, False, True).valid
    assert not CredentialCheck.of(CredentialStatus.ACTIVE, None, EXPIRES, True, False).valid
    suspended = CredentialCheck.of(CredentialStatus.SUSPENDED, None, EXPIRES, True, True)
    assert suspended.suspended and not suspended.valid and not suspended.revoked
