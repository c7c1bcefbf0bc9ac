"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and C2SP checkpoints
(https://c2sp.org/tlog-checkpoint) in them: what Go's golang.org/x/mod/sumdb/note reads and writes.

    <origin>\\n<tree size>\\n<base64 root hash>\\n      the checkpoint: the note's text
    \\n
    — <key name> <base64(4-byte key hash || 64-byte Ed25519 signature)>\\n

The key hash is the first 4 bytes of SHA-256(key name || "\\n" || 0x01 || public key); the verifier key is
`<key name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014 "
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note or checkpoint, or one no known key signed."""


def _valid_name(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c == "+" for c in name) and name.isprintable()


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    public_key: bytes

    @property
    def hash(self) -> bytes:
        return key_hash(self.name, self.public_key)

    def text(self) -> str:
        encoded = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.hash.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        name, _, rest = text.strip().partition("+")
        hash_hex, _, key_b64 = rest.partition("+")
        try:
            key = base64.b64decode(key_b64, validate=True)
        except binascii.Error:
            raise NoteError("the verifier key's public key is not base64") from None
        if not _valid_name(name) or len(hash_hex) != 8 or len(key) != 33 or key[:1] != ED25519:
            raise NoteError("not an Ed25519 verifier key: want name+hash+base64(0x01 || 32-byte key)")
        verifier = cls(name, key[1:])
        if verifier.hash.hex() != hash_hex.lower():
            raise NoteError("the verifier key's hash does not match its name and key")
        return verifier

    def verifies(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        if not _valid_name(self.name):
            raise NoteError(f"a key name has no spaces and no '+': {self.name!r}")

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, raw_public(self.private_key.public_key()))

    def sign(self, text: str) -> str:
        """The signed note for a text (which ends with a newline)."""
        return sign_note(text, [self])

    def signature_line(self, text: str) -> str:
        encoded = base64.b64encode(self.verifier.hash + self.private_key.sign(text.encode())).decode()
        return f"{DASH}{self.name} {encoded}\n"


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """A note signed by several keys (one signature line each, in order): e.g. the old and the new log key."""
    _check_text(text)
    return f"{text}\n" + "".join(signer.signature_line(text) for signer in signers)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or any(c != "\n" and not c.isprintable() for c in text):
        raise NoteError("a note's text is printable lines, each ending with a newline")


def open_note(note: str, verifier: Verifier) -> str:
    """The note's text, if `verifier`'s key signed it (other keys' signatures are ignored)."""
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not signatures.endswith("\n"):
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text += "\n"
    _check_text(text)
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signature lines")
    for line in lines:
        if not line.startswith(DASH):
            raise NoteError(f"a signature line starts with an em dash and a space: {line!r}")
        name, _, encoded = line[len(DASH):].partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"a signature is not base64: {line!r}") from None
        if name == verifier.name and blob[:4] == verifier.hash and len(blob) == 68:
            if verifier.verifies(text.encode(), blob[4:]):
                return text
            raise NoteError(f"the signature by {name} does not verify: the note was changed or forged")
    raise NoteError(f"no signature by the key {verifier.name}+{verifier.hash.hex()}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is an origin line, a size line and a root hash line")
        origin, size_text, root_text = lines[:3]
        if not origin or not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
            raise NoteError("a checkpoint's origin is not empty and its size is a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error:
            raise NoteError("a checkpoint's root hash is not base64") from None
        if len(root) != 32:
            raise NoteError("a checkpoint's root hash has 32 bytes")
        return cls(origin, int(size_text), root)


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for the log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
