"""Built OB 3.0 / CLR 2.0 / status list documents: they sign, verify and validate (lenient + strict)."""

from __future__ import annotations

import pytest

from credentials.data_integrity import sign, verify
from credentials.documents import (
    OB_CONTEXTS,
    Association,
    ClrInput,
    HashedIdentity,
    InvalidDocumentInput,
    Recipient,
    build_clr_credential,
    checked_credits,
)
from credentials.schema import validate_credential
from credentials.status_lists import (
    STATUS_LIST_MIN_BITS,
    bitstring_with,
    build_status_list_credential,
    decode_status_list,
    encode_status_list,
    get_bit,
    new_bitstring,
    set_bit,
)
from tests.vc.samples import (
    ISSUED,
    ISSUER,
    TRICKY,
    clr,
    issuer_key,
    open_badge,
    signed_clr,
    signed_open_badge,
    verification_method,
)

KEY = issuer_key()
KEYS = {verification_method(KEY): KEY.public_key}


def test_open_badge_shape():
    badge = open_badge()
    assert badge["@context"] == OB_CONTEXTS
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = badge["credentialSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert subject["identifier"][0]["hashed"] is True
    assert subject["achievement"]["creditsAvailable"] == 7.5
    assert subject["achievement"]["alignment"][0]["targetType"] == "ext:RichSkillDescriptor"
    assert subject["achievement"]["resultDescription"][0]["resultType"] == "RubricCriterionLevel"
    assert badge["credentialStatus"]["statusListIndex"] == "94567"
    assert TRICKY in badge["name"]


@pytest.mark.parametrize("strict", [False, True])
def test_signed_open_badge_verifies_and_validates(strict):
    badge = signed_open_badge()
    assert verify(badge, KEYS.get).ok
    assert validate_credential(badge, strict=strict) == []


@pytest.mark.parametrize("credits", [0, 3, 3.0, 7.5, 0.25, 120.75])
def test_decimal_credits_sign_and_verify(credits):
    assert verify(signed_open_badge(credits=credits), KEYS.get).ok


@pytest.mark.parametrize("credits", [0.125, -1, float("inf"), True, 10**7])
def test_credits_beyond_two_decimals_refused(credits):
    with pytest.raises(InvalidDocumentInput):
        checked_credits(credits, "creditsEarned")


def test_open_badge_with_did_subject_and_without_status():
    badge = open_badge(recipient=Recipient(did="did:example:learner-42"), status=None)
    assert badge["credentialSubject"]["id"] == "did:example:learner-42"
    assert "credentialStatus" not in badge
    signed = sign(badge, KEY.private_key, verification_method(KEY), ISSUED)
    assert verify(signed, KEYS.get).ok
    assert validate_credential(signed, strict=True) == []


def test_subject_needs_did_or_identifier():
    with pytest.raises(InvalidDocumentInput):
        open_badge(recipient=Recipient())
    with pytest.raises(InvalidDocumentInput):
        open_badge(recipient=Recipient(did="learner-42"))


def test_hashed_identity_matches_its_value():
    identity = HashedIdentity.of("learner-42@example.org", "s@lt", "emailAddress")
    assert identity.matches("learner-42@example.org")
    assert not identity.matches("someone@example.org")


@pytest.mark.parametrize("strict", [False, True])
def test_signed_clr_verifies_and_validates(strict):
    record = signed_clr()
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert verify(record, KEYS.get).ok
    for nested in record["credentialSubject"]["verifiableCredential"]:
        assert verify(nested, KEYS.get).ok
    assert validate_credential(record, strict=strict) == []


def test_clr_includes_signed_credentials_unchanged():
    nested = [signed_open_badge("py-pipelines"), signed_open_badge("sql-modelling", 7.75)]
    assert clr(nested)["credentialSubject"]["verifiableCredential"] == nested


def test_clr_association_must_point_at_present_achievements():
    nested = [signed_open_badge("py-pipelines")]
    with pytest.raises(InvalidDocumentInput, match="not in the CLR"):
        build_clr_credential(
            ClrInput(
                id="urn:uuid:0c1d2e3f-0000-4000-8000-00000000c1a1",
                issuer=ISSUER,
                recipient=Recipient(did="did:example:learner-42"),
                name="Record",
                valid_from=ISSUED,
                credentials=nested,
                associations=(
                    Association(
                        "replacedBy",
                        "https://issuer.example.org/achievements/py-pipelines",
                        "https://issuer.example.org/achievements/missing",
                    ),
                ),
            )
        )


def test_strict_schema_rejects_single_proof_object():
    badge = signed_open_badge()
    badge["proof"] = badge["proof"][0]
    assert validate_credential(badge) == []
    assert validate_credential(badge, strict=True)


def test_status_list_round_trip():
    bits = bitstring_with([0, 7, 94567, STATUS_LIST_MIN_BITS - 1])
    decoded = decode_status_list(encode_status_list(bits))
    assert decoded == bits
    assert [get_bit(decoded, i) for i in (0, 1, 7, 8, 94567, STATUS_LIST_MIN_BITS - 1)] == [
        True,
        False,
        True,
        False,
        True,
        True,
    ]
    assert decoded[0] == 0b10000001
    set_bit(decoded, 0, False)
    assert not get_bit(decoded, 0)


def test_status_list_minimum_size_and_bounds():
    assert len(new_bitstring(10)) * 8 == STATUS_LIST_MIN_BITS
    with pytest.raises(InvalidDocumentInput):
        encode_status_list(bytes(100))
    with pytest.raises(IndexError):
        get_bit(new_bitstring(), STATUS_LIST_MIN_BITS)


def test_status_list_credential_signs_and_verifies():
    bits = bitstring_with([94567])
    document = build_status_list_credential(
        "https://issuer.example.org/status/1", ISSUER.id, ISSUED, bits, purpose="revocation"
    )
    assert document["credentialSubject"]["encodedList"].startswith("u")
    signed = sign(document, KEY.private_key, verification_method(KEY), ISSUED)
    assert verify(signed, KEYS.get).ok
    assert get_bit(decode_status_list(signed["credentialSubject"]["encodedList"]), 94567)
    with pytest.raises(InvalidDocumentInput):
        build_status_list_credential("https://issuer.example.org/status/2", ISSUER.id, ISSUED, bits, "expiry")
