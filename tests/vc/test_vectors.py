"""Official 1EdTech eddsa-rdfc-2022 vectors, cross-implementation vectors and recorded edge cases."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import base58
import pytest

from credentials.canonical import DocumentRefused, canonicalize
from credentials.data_integrity import proof_options, sign, verify
from credentials.multikey import key_pair_from_seed, multibase_to_public_key

VECTORS = Path(__file__).parent / "vectors"
OFFICIAL = VECTORS / "1edtech"
CROSS = VECTORS / "cross-impl"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


KEYS = load(OFFICIAL / "keys.json")
SEED = bytes.fromhex(KEYS["privateKeyHex_seed32_then_pub32"])[:32]
EDGE_CASES = load(CROSS / "edge-cases.json")


def official_key(method: str) -> bytes | None:
    return (
        multibase_to_public_key(KEYS["publicKeyMultibase"]) if method == KEYS["verificationMethod"] else None
    )


def resolver(keys: list[dict[str, str]]):
    table = {key["id"]: multibase_to_public_key(key["publicKeyMultibase"]) for key in keys}
    return table.get


def test_official_key_pair_matches_published_multikey():
    assert key_pair_from_seed(SEED).public_key_multibase == KEYS["publicKeyMultibase"]
    assert key_pair_from_seed(SEED).public_key.hex() == KEYS["publicKeyHex"]


@pytest.mark.parametrize("name", ["ob", "clr"])
def test_official_vector_canonical_forms_and_hashes(name):
    unsigned = load(OFFICIAL / f"{name}-unsigned.json")
    expected = KEYS["expected"][name]
    document_canon = canonicalize(unsigned)
    options = proof_options(KEYS["verificationMethod"], expected["created"], "assertionMethod")
    proof_canon = canonicalize({"@context": unsigned["@context"], **options})
    assert document_canon == (OFFICIAL / f"{name}-document-canon.nq").read_text(encoding="utf-8")
    assert proof_canon == (OFFICIAL / f"{name}-proof-canon.nq").read_text(encoding="utf-8")
    assert hashlib.sha256(document_canon.encode()).hexdigest() == expected["documentHashHex"]
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == expected["proofHashHex"]


@pytest.mark.parametrize("name", ["ob", "clr"])
def test_official_vector_signature_byte_for_byte(name):
    unsigned = load(OFFICIAL / f"{name}-unsigned.json")
    expected = KEYS["expected"][name]
    signed = sign(unsigned, SEED, KEYS["verificationMethod"], expected["created"])
    proof = signed["proof"][0]
    assert proof["proofValue"] == expected["proofValue"]
    assert base58.b58decode(proof["proofValue"][1:]).hex() == expected["signatureHex"]
    published = load(OFFICIAL / f"{name}-signed.json")["proof"]
    assert signed["proof"] == (published if isinstance(published, list) else [published])
    assert {key: value for key, value in signed.items() if key != "proof"} == unsigned


@pytest.mark.parametrize("name", ["ob", "clr"])
def test_official_signed_vectors_verify(name):
    result = verify(load(OFFICIAL / f"{name}-signed.json"), official_key)
    assert result.ok, result.reason


def test_official_clr_nested_credential_verifies_separately():
    nested = load(OFFICIAL / "clr-signed.json")["credentialSubject"]["verifiableCredential"]
    assert nested
    for credential in nested:
        assert verify(credential, official_key).ok


CROSS_ENTRIES = [entry for entry in load(CROSS / "manifest.json") if "keys" in entry]


@pytest.mark.parametrize("entry", CROSS_ENTRIES, ids=[entry["file"] for entry in CROSS_ENTRIES])
def test_cross_implementation_vectors_verify(entry):
    document = load(CROSS / entry["file"])
    resolve = resolver(load(CROSS / entry["keys"]))
    result = verify(document, resolve)
    assert result.ok, result.reason
    for nested in document["credentialSubject"].get("verifiableCredential", []):
        assert verify(nested, resolve).ok


def test_cross_implementation_manifest_covers_every_file():
    listed = {entry["file"] for entry in load(CROSS / "manifest.json")}
    on_disk = {path.name for path in CROSS.glob("*.json") if not path.name.endswith(".keys.json")}
    assert on_disk - {"manifest.json"} == listed


EDGE_KEY = resolver([EDGE_CASES["key"]])
SIGNED_CASES = [case for case in EDGE_CASES["cases"] if case["signedByPython"] is not None]
REFUSED_CASES = [case for case in EDGE_CASES["cases"] if case["signedByPython"] is None]


def test_edge_cases_are_all_accounted_for():
    assert len(SIGNED_CASES) + len(REFUSED_CASES) == len(EDGE_CASES["cases"]) == 34
    assert all(case["jsVerifiesPythonSignature"] == "OK" for case in SIGNED_CASES)


@pytest.mark.parametrize("case", SIGNED_CASES, ids=[case["case"] for case in SIGNED_CASES])
def test_edge_case_recorded_signature_verifies_and_we_sign_identically(case):
    recorded = case["signedByPython"]
    assert verify(recorded, EDGE_KEY).ok
    proof = recorded["proof"]
    probe_key = key_pair_from_seed(hashlib.sha256(b"edge-case-probe").digest())
    ours = sign(case["unsigned"], probe_key.private_key, proof["verificationMethod"], proof["created"])
    assert {key: value for key, value in ours.items() if key != "proof"} == case["unsigned"]
    assert verify(ours, lambda method: probe_key.public_key).ok
    recorded_unsigned = {key: value for key, value in recorded.items() if key != "proof"}
    assert canonicalize(recorded_unsigned) == canonicalize(case["unsigned"])


REFUSAL_WORDS = {
    "float 1e-7": "canonicalises differently",
    "int 2**53+1": "beyond 2^53",
    "int 10**21": "beyond 2^53",
    "endorsementJwt (not in spec ctx 3.0.3)": "endorsementJwt",
    "IRI with space": "https://x.example/a b",
}


@pytest.mark.parametrize("case", REFUSED_CASES, ids=[case["case"] for case in REFUSED_CASES])
def test_edge_case_refused_with_clear_error(case):
    key = key_pair_from_seed(bytes(32))
    with pytest.raises(DocumentRefused, match=re.escape(REFUSAL_WORDS[case["case"]])):
        sign(
            case["unsigned"],
            key.private_key,
            "https://issuer.example.org/issuers/1#k",
            "2025-01-15T00:00:00Z",
        )
