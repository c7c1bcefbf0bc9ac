"""Signed notes and checkpoints in the C2SP formats."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from transparency.leaves import LeafError, StoredFact
from transparency.notes import Checkpoint, NoteError, Signer, Verifier, key_hash, open_checkpoint, open_note

SEED = bytes(range(32))
SIGNER = Signer("ler.example/log", Ed25519PrivateKey.from_private_bytes(SEED))
CHECKPOINT = Checkpoint("ler.example/log", 42, bytes(range(32)))


def test_a_checkpoint_note_has_the_c2sp_layout() -> None:
    note = SIGNER.sign(CHECKPOINT.text())
    lines = note.split("\n")
    assert lines[:4] == ["ler.example/log", "42", base64.b64encode(bytes(range(32))).decode(), ""]
    assert lines[4].startswith("\u2014 ler.example/log ")
    blob = base64.b64decode(lines[4].split(" ")[2])
    assert blob[:4] == key_hash("ler.example/log", SIGNER.verifier.public_key)
    assert len(blob) == 68 and lines[5] == ""


def test_the_verifier_key_round_trips_and_names_its_hash() -> None:
    text = SIGNER.verifier.text()
    name, hash_hex, key = text.split("+", 2)
    assert name == "ler.example/log" and len(hash_hex) == 8
    assert base64.b64decode(key)[:1] == b"\x01"
    assert Verifier.parse(text) == SIGNER.verifier


def test_a_signed_checkpoint_opens_with_its_key() -> None:
    assert open_checkpoint(SIGNER.sign(CHECKPOINT.text()), SIGNER.verifier) == CHECKPOINT


@pytest.mark.parametrize("change", [
    lambda note: note.replace("\n42\n", "\n43\n"),
    lambda note: note.replace("ler.example/log\n", "ler.example/lag\n", 1),
    lambda note: note[:-3] + ("A" if note[-3] != "A" else "B") + note[-2:],
])
def test_a_changed_note_does_not_open(change) -> None:
    with pytest.raises(NoteError):
        open_note(change(SIGNER.sign(CHECKPOINT.text())), SIGNER.verifier)


def test_a_note_signed_by_another_key_does_not_open() -> None:
    other = Signer("ler.example/log", Ed25519PrivateKey.generate())
    with pytest.raises(NoteError, match="no signature"):
        open_note(other.sign(CHECKPOINT.text()), SIGNER.verifier)


def test_a_verifier_key_with_a_wrong_hash_is_refused() -> None:
    name, _, key = SIGNER.verifier.text().split("+", 2)
    with pytest.raises(NoteError, match="hash"):
        Verifier.parse(f"{name}+00000000+{key}")


def test_leaf_bytes_round_trip_and_name_their_position() -> None:
    from uuid import uuid4
    fact = StoredFact(7, "domain.credential:Credential.Issued", uuid4(), 3, b'{"timestamp":"2026-01-01"}')
    assert StoredFact.from_leaf(fact.leaf_bytes()) == fact
    with pytest.raises(LeafError):
        StoredFact.from_leaf(fact.leaf_bytes()[:-1])
