"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (RDFC-1.0 + SHA-256 + Ed25519)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import base58
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credentials.canonical import DocumentRefused, canonicalize
from credentials.lru import Lru
from credentials.multikey import private_key_from_seed
from credentials.nquads import BLANK, escape_literal

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

KeyResolver = Callable[[str], bytes | None]
CREATED_MARK = "1970-01-01T00:00:00Z"
_OPTIONS_KEPT = Lru(64)


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    reason: str
    verification_method: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey | bytes,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of document with a DataIntegrityProof appended to its `proof` array."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = proof_options(verification_method, created, proof_purpose)
    signature = _private_key(private_key).sign(signing_input(unsigned, options, unsigned.get("@context")))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**unsigned, "proof": [*existing_proofs(document), proof]}


def verify(document: dict[str, Any], resolve_key: KeyResolver) -> VerificationResult:
    """Verify every eddsa-rdfc-2022 proof; resolve_key maps a verificationMethod to 32 key bytes."""
    proofs = existing_proofs(document)
    if not proofs:
        return VerificationResult(False, "no proof")
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    result = VerificationResult(False, "no proof")
    for proof in proofs:
        result = verify_proof(unsigned, proof, resolve_key)
        if not result.ok:
            return result
    return result


def verify_proof(unsigned: dict[str, Any], proof: Any, resolve_key: KeyResolver) -> VerificationResult:
    if not isinstance(proof, dict):
        return VerificationResult(False, "proof malformed: not an object")
    method = proof.get("verificationMethod")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return VerificationResult(
            False, f"unsupported proof {proof.get('type')}/{proof.get('cryptosuite')}", method
        )
    if not isinstance(method, str) or not isinstance(proof.get("proofValue"), str):
        return VerificationResult(False, "proof malformed: verificationMethod or proofValue missing", None)
    public_key = resolve_key(method)
    if public_key is None:
        return VerificationResult(False, f"key unknown: {method}", method)
    return _check_signature(unsigned, proof, public_key, method)


def _check_signature(
    unsigned: dict[str, Any], proof: dict[str, Any], public_key: bytes, method: str
) -> VerificationResult:
    options = {key: value for key, value in proof.items() if key not in ("proofValue", "@context")}
    try:
        data = signing_input(unsigned, options, proof.get("@context", unsigned.get("@context")))
        signature = _decode_proof_value(proof["proofValue"])
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except DocumentRefused as refused:
        return VerificationResult(False, f"document refused: {refused}", method)
    except (InvalidSignature, ValueError):
        return VerificationResult(False, "signature invalid", method)
    return VerificationResult(True, "verified", method)


def signing_input(unsigned: dict[str, Any], options: dict[str, Any], context: Any) -> bytes:
    """sha256(canonical proof options with the document's @context) + sha256(canonical document)."""
    return _sha256(canonical_options({"@context": context, **options})) + _sha256(canonicalize(unsigned))


def canonical_options(options_document: dict[str, Any]) -> str:
    """The canonical proof options: made once per context and options but `created`, whose literal is then written
    in. Only when `created` is one typed literal of the proof's one blank node, so that nothing else depends on it."""
    created = options_document.get("created")
    if not isinstance(created, str):
        return canonicalize(options_document)
    template = {**options_document, "created": CREATED_MARK}
    key = hashlib.sha256(orjson.dumps(template, option=orjson.OPT_SORT_KEYS)).digest()
    lines: list[str] | None = _OPTIONS_KEPT.get(key)
    if lines is None:
        lines = canonicalize(template).splitlines(keepends=True)
        _OPTIONS_KEPT.put(key, lines)
    marked = [line for line in lines if f'"{CREATED_MARK}"^^' in line]
    if len(marked) != 1 or any(BLANK in line.replace("_:c14n0 ", "", 1) for line in lines):
        return canonicalize(options_document)
    written = marked[0].replace(f'"{CREATED_MARK}"', f'"{escape_literal(created)}"')
    return "".join(sorted(written if line is marked[0] else line for line in lines))


def proof_options(verification_method: str, created: datetime | str, proof_purpose: str) -> dict[str, str]:
    return {
        "type": PROOF_TYPE,
        "created": created if isinstance(created, str) else xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }


def existing_proofs(document: dict[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def xsd_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode_proof_value(proof_value: str) -> bytes:
    if not proof_value.startswith("z"):
        raise ValueError("proofValue must be base58btc multibase")
    signature = base58.b58decode(proof_value[1:])
    if len(signature) != 64:
        raise ValueError("Ed25519 signature must be 64 bytes")
    return signature


def _private_key(private_key: Ed25519PrivateKey | bytes) -> Ed25519PrivateKey:
    return private_key if isinstance(private_key, Ed25519PrivateKey) else private_key_from_seed(private_key)


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()
