"""credentials.verification without HTTP: each check on its own, hostile input fails checks instead of raising."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from credentials.verification import Verifier
from tests.api.conftest import Api
from tests.api.story import Story

VECTORS = Path(__file__).parents[1] / "vc" / "vectors"


def _verifier(api: Api, now: datetime | None = None) -> Verifier:
    return Verifier(api.read_side, api.services.urls, (lambda: now) if now else None)


def _outcomes(report: Any) -> dict[str, str]:
    return {check.name: check.outcome for check in report.checks}


def test_an_expired_credential_is_reported_but_not_invalid(told: tuple[Api, Story]) -> None:
    api, story = told
    credential = api.read_side.credential(story.ids["aroha_communication"])
    assert credential is not None
    later = datetime.now(UTC) + timedelta(days=20 * 365)
    report = _verifier(api, later).verify(credential["document"])
    assert _outcomes(report)["validity"] == "warning" and report.expired and report.verified
    earlier = _verifier(api, datetime(2000, 1, 1, tzinfo=UTC)).verify(credential["document"])
    assert _outcomes(earlier)["validity"] == "failed" and not earlier.verified


def test_a_key_of_another_issuer_does_not_vouch_for_this_one(told: tuple[Api, Story]) -> None:
    api, story = told
    credential = api.read_side.credential(story.ids["aroha_communication"])
    assert credential is not None
    document = dict(credential["document"])
    document["issuer"] = {**document["issuer"], "id": api.services.urls.issuer(story.ids["tafe"])}  # type: ignore
    report = _verifier(api).verify(document)
    assert _outcomes(report)["proof"] == "failed" and not report.verified


def test_hostile_documents_fail_checks_and_never_raise(told: tuple[Api, Story]) -> None:
    api, _ = told
    verifier = _verifier(api)
    for document in ({}, {"type": "ClrCredential", "credentialSubject": {"verifiableCredential": [{}, 5]}},
                     {"@context": 7, "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                                                "verificationMethod": "did:key:zzz", "proofValue": "z1"}]},
                     {"validFrom": "yesterday", "issuer": {"id": None}, "credentialStatus": {
                         "statusListCredential": api.services.urls.public_url + "/v1/status-lists/x-revocation"}}):
        report = verifier.verify(document)
        assert not report.verified and all(check.detail for check in report.checks)


def test_a_credential_from_an_issuer_the_ledger_does_not_know_is_reported_as_issuer_unknown(
    told: tuple[Api, Story],
) -> None:
    api, _ = told
    foreign = orjson.loads((VECTORS / "cross-impl" / "ob-signed-by-js.json").read_bytes())
    report = _verifier(api).verify(foreign)
    outcomes = _outcomes(report)
    assert outcomes["schema"] == "passed"
    assert outcomes["issuer"] == "failed"
    issuer_check = next(check for check in report.checks if check.name == "issuer")
    assert "not an issuer this ledger knows" in issuer_check.detail
    assert not report.verified
