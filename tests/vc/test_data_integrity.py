"""Signing and verifying: tampering, key lookup, proof shapes, input immutability."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from credentials.data_integrity import sign, verify
from credentials.loader import ContextNotPinned, document_loader
from credentials.multikey import (
    generate_key_pair,
    multibase_to_private_key,
    multibase_to_public_key,
    private_key_to_multibase,
    public_key_to_multibase,
)
from tests.vc.samples import (
    ISSUED,
    issuer_key,
    open_badge,
    signed_clr,
    signed_open_badge,
    verification_method,
)

KEY = issuer_key()


def known_keys(method: str) -> bytes | None:
    return KEY.public_key if method == verification_method(KEY) else None


def set_name(d: dict[str, Any]) -> None:
    d["name"] = "Another badge"


def set_achievement_name(d: dict[str, Any]) -> None:
    d["credentialSubject"]["achievement"]["name"] = "Another achievement"


def set_valid_from(d: dict[str, Any]) -> None:
    d["validFrom"] = "2025-01-15T09:30:01Z"


def set_subject(d: dict[str, Any]) -> None:
    d["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64


def set_issuer(d: dict[str, Any]) -> None:
    d["issuer"]["id"] = "https://evil.example.org/issuers/1"


def set_credits(d: dict[str, Any]) -> None:
    d["credentialSubject"]["creditsEarned"] = 8.5


def set_skill(d: dict[str, Any]) -> None:
    d["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = (
        "https://osn.example.org/api/skills/x"
    )


def set_proof_created(d: dict[str, Any]) -> None:
    d["proof"][0]["created"] = "2025-01-16T00:00:00Z"


TAMPERINGS: list[Callable[[dict[str, Any]], None]] = [
    set_name,
    set_achievement_name,
    set_valid_from,
    set_subject,
    set_issuer,
    set_credits,
    set_skill,
    set_proof_created,
]


def test_signed_badge_verifies_with_proof_as_array():
    signed = signed_open_badge()
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    result = verify(signed, known_keys)
    assert result.ok and result.reason == "verified"


def test_proof_given_as_single_object_verifies():
    signed = signed_open_badge()
    signed["proof"] = signed["proof"][0]
    assert verify(signed, known_keys).ok


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=[t.__name__ for t in TAMPERINGS])
def test_tampering_any_signed_field_fails(tamper):
    signed = signed_open_badge()
    tamper(signed)
    result = verify(signed, known_keys)
    assert not result.ok and result.reason == "signature invalid"


def test_tampered_nested_credential_fails_on_its_own_proof():
    clr = signed_clr()
    nested = clr["credentialSubject"]["verifiableCredential"][0]
    nested["credentialSubject"]["achievement"]["name"] = "Forged"
    assert not verify(clr, known_keys).ok
    assert not verify(nested, known_keys).ok
    assert verify(clr["credentialSubject"]["verifiableCredential"][1], known_keys).ok


def test_unknown_key_reported_distinctly():
    result = verify(signed_open_badge(), lambda method: None)
    assert not result.ok and result.reason.startswith("key unknown")


def test_wrong_key_is_signature_invalid():
    other = generate_key_pair()
    assert verify(signed_open_badge(), lambda method: other.public_key).reason == "signature invalid"


def test_refused_document_reported_distinctly():
    signed = signed_open_badge()
    signed["credentialSubject"]["undefinedTerm"] = "x"
    result = verify(signed, known_keys)
    assert not result.ok and result.reason.startswith("document refused") and "undefinedTerm" in result.reason


def test_missing_proof_and_malformed_proof_value():
    assert verify(open_badge(), known_keys).reason == "no proof"
    signed = signed_open_badge()
    signed["proof"][0]["proofValue"] = "zzz"
    assert verify(signed, known_keys).reason == "signature invalid"


def test_sign_and_verify_do_not_mutate_inputs():
    document = open_badge()
    before = copy.deepcopy(document)
    signed = sign(document, KEY.private_key, verification_method(KEY), ISSUED)
    assert document == before
    frozen = copy.deepcopy(signed)
    verify(signed, known_keys)
    assert signed == frozen


def test_second_proof_is_appended_and_both_verify():
    other = generate_key_pair()
    twice = sign(signed_open_badge(), other.private_key, "https://issuer.example.org/issuers/1#k2", ISSUED)
    assert len(twice["proof"]) == 2
    keys = {
        verification_method(KEY): KEY.public_key,
        "https://issuer.example.org/issuers/1#k2": other.public_key,
    }
    assert verify(twice, keys.get).ok


def test_created_datetime_is_utc_seconds():
    assert signed_open_badge()["proof"][0]["created"] == "2025-01-15T09:30:00Z"


def test_multikey_round_trips():
    pair = generate_key_pair()
    assert pair.public_key_multibase.startswith("z6Mk")
    assert multibase_to_public_key(pair.public_key_multibase) == pair.public_key
    assert public_key_to_multibase(pair.private_key.public_key()) == pair.public_key_multibase
    restored = multibase_to_private_key(private_key_to_multibase(pair.private_key))
    assert public_key_to_multibase(restored.public_key()) == pair.public_key_multibase
    with pytest.raises(ValueError):
        multibase_to_public_key("z" + pair.public_key_multibase[2:])


def test_loader_serves_only_pinned_contexts():
    assert document_loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]
    with pytest.raises(ContextNotPinned, match=r"evil\.example"):
        document_loader("https://evil.example/context.json")
