"""Bitstring Status Lists (W3C): a provider's revocation and suspension lists, one bit per credential."""

import base64
import gzip
from collections.abc import Iterable
from typing import Any

from credentials.documents import STATUS_PURPOSES, VC_V2, InvalidDocumentInput, Moment, xsd_moment

STATUS_LIST_MIN_BITS = 16 * 1024 * 8


def build_status_list_credential(
    id: str, issuer_id: str, valid_from: Moment, bits: bytes | bytearray, purpose: str = "revocation"
) -> dict[str, Any]:
    """BitstringStatusListCredential (W3C); `bits` from new_bitstring/set_bit, at least 16 KB."""
    if purpose not in STATUS_PURPOSES:
        raise InvalidDocumentInput(f"statusPurpose must be one of {STATUS_PURPOSES}: {purpose!r}")
    return {
        "@context": [VC_V2],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": xsd_moment(valid_from),
        "credentialSubject": {
            "id": f"{id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_status_list(bits),
        },
    }


def new_bitstring(size_bits: int = STATUS_LIST_MIN_BITS) -> bytearray:
    return bytearray((max(size_bits, STATUS_LIST_MIN_BITS) + 7) // 8)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Bit 0 is the left-most (most significant) bit of the first byte, as the spec orders them."""
    byte, mask = _bit_position(bits, index)
    bits[byte] = bits[byte] | mask if value else bits[byte] & ~mask


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    byte, mask = _bit_position(bits, index)
    return bool(bits[byte] & mask)


def bitstring_with(indexes: Iterable[int], size_bits: int = STATUS_LIST_MIN_BITS) -> bytearray:
    bits = new_bitstring(size_bits)
    for index in indexes:
        set_bit(bits, index)
    return bits


def encode_status_list(bits: bytes | bytearray) -> str:
    if len(bits) * 8 < STATUS_LIST_MIN_BITS:
        raise InvalidDocumentInput(f"status list must hold at least {STATUS_LIST_MIN_BITS} bits")
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_status_list(encoded: str) -> bytearray:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (leading 'u')")
    payload = encoded[1:]
    return bytearray(gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _bit_position(bits: bytes | bytearray, index: int) -> tuple[int, int]:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status list index {index} outside 0..{len(bits) * 8 - 1}")
    return index // 8, 0x80 >> (index % 8)
