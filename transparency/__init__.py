"""The tamper-evident log as a pure library: RFC 6962 / RFC 9162 Merkle hashing and proofs, the canonical leaf
bytes of a stored event, and C2SP signed notes and checkpoints. No database, no web."""
