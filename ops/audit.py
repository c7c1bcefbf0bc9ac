"""`ler audit`: check a ledger's transparency log from the outside, trusting only its verifier key and what this
auditor saved before.

    ler audit URL --state FILE [--key VERIFIER_KEY] [--full --token ADMIN_TOKEN]

1. The latest checkpoint's signature (the key from --key, else the one saved in the state, else the served one,
   trusted on first use and saved).
2. Its consistency with the checkpoint saved in the state: the log only grew. When the ledger serves another key
   than the trusted one, its key history (/v1/log/keys) must lead there from the trusted key through transition
   checkpoints, each signed by the old and the new key; each must extend the saved checkpoint, and the new one it.
3. With --full: every leaf is fetched and hashed; the tree they make must give the checkpoint's root. The first
   leaf that differs is found by comparing with the leaves saved by an earlier --full audit, else by bisecting
   with consistency proofs against the tree's own prefixes, and named by its position.
On success the state file keeps the new checkpoint (and with --full the leaves' positions and hashes).
"""

from __future__ import annotations

import base64
import json
import struct
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transparency.leaves import LeafError, StoredFact
from transparency.merkle import CompactRange, ProofError, check_consistency, leaf_hash
from transparency.notes import Checkpoint, NoteError, Verifier, open_checkpoint

Fetch = Callable[[str], bytes]
LEAF_RECORD = struct.Struct(">Q32s")  # a saved leaf: its position and hash


class AuditFailed(Exception):
    """The log does not check out: the message says what and where."""


@dataclass
class SavedState:
    verifier_key: str | None = None
    checkpoint: str | None = None
    leaves: list[tuple[int, bytes]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> SavedState:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        saved = cls(data.get("verifier_key"), data.get("checkpoint"))
        leaves_path = path.with_suffix(path.suffix + ".leaves")
        if data.get("leaves") and leaves_path.exists():
            raw = leaves_path.read_bytes()
            saved.leaves = [LEAF_RECORD.unpack_from(raw, at) for at in range(0, len(raw), LEAF_RECORD.size)]
        return saved

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.leaves:
            path.with_suffix(path.suffix + ".leaves").write_bytes(
                b"".join(LEAF_RECORD.pack(position, digest) for position, digest in self.leaves))
        path.write_text(json.dumps({"verifier_key": self.verifier_key, "checkpoint": self.checkpoint,
                                    "leaves": bool(self.leaves)}, indent=2) + "\n")


def http_fetch(base_url: str, token: str | None = None) -> Fetch:
    def fetch(path: str) -> bytes:
        request = urllib.request.Request(base_url.rstrip("/") + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                body: bytes = answer.read()
                return body
        except urllib.error.HTTPError as error:
            raise AuditFailed(f"{path}: the ledger answered {error.code}: {error.read()[:300]!r}") from None
        except urllib.error.URLError as error:
            raise AuditFailed(f"cannot reach {base_url}: {error.reason}") from None

    return fetch


class Auditor:
    def __init__(self, fetch: Fetch, state: SavedState, key: str | None = None):
        self.fetch = fetch
        self.state = state
        self.notes: list[str] = []
        self.transitions: list[Checkpoint] = []  # rotations since the trusted key, oldest first
        self.trusted = self._trusted(key)
        self.verifier = self._follow_rotations(self.trusted) if self.served_key != self.trusted.text() else self.trusted

    def _json(self, path: str) -> Any:
        return json.loads(self.fetch(path))

    def _trusted(self, key: str | None) -> Verifier:
        self.served_key = self.fetch("/v1/log/key").decode().strip()
        trusted = key or self.state.verifier_key
        if trusted is None:
            self.notes.append(f"trusting the served key on first use: {self.served_key}")
            trusted = self.served_key
        try:
            return Verifier.parse(trusted)
        except NoteError as error:
            raise AuditFailed(f"bad verifier key: {error}") from None

    def _follow_rotations(self, trusted: Verifier) -> Verifier:
        """The served key, when the ledger's key history leads to it from the trusted key through transition
        checkpoints each signed by the key before and the key after."""
        history = self._json("/v1/log/keys")["keys"]
        texts = [entry["verifier_key"] for entry in history]
        if trusted.text() not in texts or texts[-1] != self.served_key:
            raise AuditFailed(f"the ledger now serves the key {self.served_key}, not the trusted {trusted.text()}, "
                              "and announces no rotation from the trusted key to it")
        for entry in history[texts.index(trusted.text()) + 1:]:
            try:
                new = Verifier.parse(entry["verifier_key"])
                transition = open_checkpoint(entry["transition"] or "", trusted)
                open_checkpoint(entry["transition"] or "", new)
            except NoteError as error:
                raise AuditFailed(f"the rotation to {entry['verifier_key']} has no transition checkpoint signed by "
                                  f"the old and the new key: {error}") from None
            if transition.size != entry["from_size"]:
                raise AuditFailed(f"the transition checkpoint has size {transition.size}, the key history says "
                                  f"{entry['from_size']}")
            self.notes.append(f"the log key rotated at size {transition.size}: {trusted.text()} -> {new.text()} "
                              "(transition checkpoint signed by both)")
            self.transitions.append(transition)
            trusted = new
        return trusted

    def audit(self, full: bool) -> Checkpoint:
        note = self.fetch("/v1/log/checkpoint").decode()
        try:
            new = open_checkpoint(note, self.verifier)
        except NoteError as error:
            raise AuditFailed(f"the checkpoint's signature does not check: {error}") from None
        old = self._saved_checkpoint()
        for transition in self.transitions:
            if old is not None and old.size > transition.size:
                raise AuditFailed(f"the old key signed a checkpoint of size {old.size}, after its rotation at size "
                                  f"{transition.size}")
            if old is not None:
                self._check_extends(old, transition)
            old = transition
        if old is not None:
            self._check_extends(old, new)
        leaves = self._check_leaves(new) if full else self.state.leaves
        self.state = SavedState(self.verifier.text(), note, leaves)
        return new

    def _saved_checkpoint(self) -> Checkpoint | None:
        if self.state.checkpoint is None:
            return None
        try:  # with the key this auditor trusted when it saved it (--key may name a newer one)
            saved_key = Verifier.parse(self.state.verifier_key) if self.state.verifier_key else self.trusted
            return open_checkpoint(self.state.checkpoint, saved_key)
        except NoteError as error:
            raise AuditFailed(f"the saved checkpoint does not open with the key: {error}") from None

    def _check_extends(self, old: Checkpoint, new: Checkpoint) -> None:
        if new.origin != old.origin:
            raise AuditFailed(f"the checkpoint is for {new.origin!r}, the saved one for {old.origin!r}")
        if new.size < old.size:
            raise AuditFailed(f"the log shrank: checkpoint of size {new.size} after the saved one of size {old.size}"
                              f"{self._named(new.size)}")
        proof = self._json(f"/v1/log/proofs/consistency?from={old.size}&to={new.size}")["proof"]
        try:
            check_consistency(old.size, new.size, old.root, new.root, [base64.b64decode(h) for h in proof])
        except ProofError as error:
            raise AuditFailed(f"the log's history was rewritten: the tree of size {new.size} does not extend the "
                              f"saved checkpoint of size {old.size} ({error}){self._first_saved_difference()}"
                              ) from None

    def _named(self, index: int) -> str:
        if index < len(self.state.leaves):
            return f"; the first missing leaf is {index}, position {self.state.leaves[index][0]}"
        return ""

    def _first_saved_difference(self, served: Sequence[tuple[int, bytes]] | None = None) -> str:
        if served is None or not self.state.leaves:
            return "; run with --full against saved leaves to find the position"
        for index, (saved, now) in enumerate(zip(self.state.leaves, served, strict=False)):
            if saved != now:
                changed = " with other bytes" if saved[0] == now[0] else ""
                return (f"; first difference at leaf {index}: position {saved[0]} was audited before, "
                        f"the ledger now serves position {now[0]}{changed}")
        if len(served) < len(self.state.leaves):
            return self._named(len(served))
        return ""

    def _served_leaves(self) -> list[tuple[int, bytes]]:
        leaves: list[tuple[int, bytes]] = []
        after = 0
        while True:
            page = self._json(f"/v1/log/leaves?after={after}&limit=1000")
            for item in page["leaves"]:
                data = base64.b64decode(item["leaf"])
                try:
                    named = StoredFact.from_leaf(data).position
                except LeafError as error:
                    raise AuditFailed(f"position {item['position']}: {error}") from None
                if named != item["position"]:
                    raise AuditFailed(f"the leaf served for position {item['position']} names position {named}")
                leaves.append((item["position"], leaf_hash(data)))
            if page["next_after"] is None:
                return leaves
            after = page["next_after"]

    def _check_leaves(self, checkpoint: Checkpoint) -> list[tuple[int, bytes]]:
        served = self._served_leaves()
        covered = served[:checkpoint.size]
        tree = CompactRange()
        tree.extend(digest for _, digest in covered)
        if len(covered) == checkpoint.size and tree.root() == checkpoint.root:
            return served
        if self.state.leaves:
            found = self._first_saved_difference(served)
            if found:
                raise AuditFailed(f"the stored events do not produce the signed checkpoint of size "
                                  f"{checkpoint.size}{found}")
        index = self._first_bad_leaf(covered, checkpoint)
        position = self._json(f"/v1/log/proofs/inclusion?index={index}&size={checkpoint.size}")["position"]
        now = f"the ledger serves position {covered[index][0]} there" if index < len(covered) else "it is missing"
        raise AuditFailed(f"the stored events do not produce the signed checkpoint of size {checkpoint.size}: "
                          f"first difference at leaf {index}, which the tree holds for position {position}; {now}")

    def _first_bad_leaf(self, served: Sequence[tuple[int, bytes]], checkpoint: Checkpoint) -> int:
        """The largest m such that the first m served leaves make the tree's own prefix of size m (checked with
        a consistency proof from m to the checkpoint): leaf m is the first that differs."""
        roots = [CompactRange().root()]
        tree = CompactRange()
        for _, digest in served:
            tree.append(digest)
            roots.append(tree.root())
        good, bad = 0, len(served) + 1  # prefix `good` is consistent; `bad` is not (or beyond what was served)
        while bad - good > 1:
            middle = (good + bad) // 2
            proof = self._json(f"/v1/log/proofs/consistency?from={middle}&to={checkpoint.size}")["proof"]
            try:
                check_consistency(middle, checkpoint.size, roots[middle], checkpoint.root,
                                  [base64.b64decode(h) for h in proof])
                good = middle
            except ProofError:
                bad = middle
        return good


def audit_command(url: str, state_path: Path, key: str | None, full: bool, token: str | None,
                  fetch: Fetch | None = None) -> tuple[int, list[str]]:
    """(exit status, lines to print)."""
    state = SavedState.load(state_path)
    try:
        auditor = Auditor(fetch or http_fetch(url, token), state, key)
        checkpoint = auditor.audit(full)
    except AuditFailed as failure:
        return 1, [f"FAILED: {failure}"]
    auditor.state.save(state_path)
    lines = [*auditor.notes, f"ok: checkpoint {checkpoint.origin} size {checkpoint.size} root "
                              f"{base64.b64encode(checkpoint.root).decode()} verified"]
    if full:
        lines.append(f"ok: the {checkpoint.size} leaves served recompute the signed root")
    return 0, lines
