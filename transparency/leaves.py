"""The canonical bytes of a stored event, hashed as a leaf of the log's Merkle tree.

    "ler-leaf/1\\n"                                   a version tag
    position        8 bytes, big-endian              the notification id (the event's log position)
    topic length    2 bytes, big-endian, then the topic in UTF-8 (module and class of the event)
    aggregate id    16 bytes                         the originator id (a UUID)
    version         8 bytes, big-endian              the originator version
    state length    4 bytes, big-endian, then the stored state bytes as recorded (JSON; personal data are sealed
                                                     in it, and it holds the event's recorded time `timestamp`)

Leaf N (0-based) is the N-th stored event in notification-id order. The notification ids may have gaps (an id
taken by a transaction that rolled back): a gap gets no leaf, and every leaf names its own position, so
deleting, reordering or renumbering events all change some leaf.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from uuid import UUID

TAG = b"ler-leaf/1\n"


class LeafError(ValueError):
    pass


@dataclass(frozen=True)
class StoredFact:
    position: int
    topic: str
    aggregate_id: UUID
    version: int
    state: bytes

    def leaf_bytes(self) -> bytes:
        topic = self.topic.encode()
        return b"".join((TAG, struct.pack(">QH", self.position, len(topic)), topic, self.aggregate_id.bytes,
                         struct.pack(">QI", self.version, len(self.state)), self.state))

    @classmethod
    def from_leaf(cls, data: bytes) -> StoredFact:
        try:
            if not data.startswith(TAG):
                raise LeafError("not a ledger leaf (no ler-leaf/1 tag)")
            at = len(TAG)
            position, topic_length = struct.unpack_from(">QH", data, at)
            at += 10
            topic = data[at:at + topic_length].decode()
            at += topic_length
            aggregate_id = UUID(bytes=data[at:at + 16])
            at += 16
            version, state_length = struct.unpack_from(">QI", data, at)
            at += 12
        except (struct.error, UnicodeDecodeError, ValueError) as error:
            raise LeafError(f"malformed leaf: {error}") from None
        state = data[at:]
        if len(state) != state_length:
            raise LeafError("malformed leaf: the state's length does not match")
        return cls(position, topic, aggregate_id, version, state)
