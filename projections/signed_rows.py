"""The rows of the signed-document cache (projections/signed_documents.py): learners' signed CLRs at the position
they were signed for, credentials' proof checks, and the signing step's own position."""

from typing import Any

from projections.queries import credential_row
from projections.schema import dumps, loads
from projections.sql_views import SqlViews

Json = dict[str, Any]


class SignedDocumentRows(SqlViews):
    """Kept apart from the views proper: the rebuild test compares the views, never these."""

    def signed_clr(self, learner_id: str, known: int | None = None) -> tuple[int, int | None, Json | None] | None:
        """(the learner's current position, the position of their stored signed CLR, that CLR, left out when it was
        signed at `known`: the caller holds it); None if no such learner."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT l.position AS current_position, s.position AS signed_position,"
                                   " CASE WHEN s.position = ? THEN NULL ELSE s.document END AS document"
                                   " FROM {learners} l LEFT JOIN {signed_clrs} s ON s.learner_id = l.learner_id"
                                   " WHERE l.learner_id = ?", (known, learner_id))
        if row is None:
            return None
        signed = row["signed_position"]
        return (int(row["current_position"]), None if signed is None else int(signed),
                None if row["document"] is None else loads(row["document"]))

    def signed_clr_position(self, learner_id: str) -> tuple[int, int | None] | None:
        """(the learner's current position, the position of their stored signed CLR); None if no such learner."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT l.position AS current_position, s.position AS signed_position"
                                   " FROM {learners} l LEFT JOIN {signed_clrs} s ON s.learner_id = l.learner_id"
                                   " WHERE l.learner_id = ?", (learner_id,))
        if row is None:
            return None
        signed = row["signed_position"]
        return int(row["current_position"]), None if signed is None else int(signed)

    def clr_parts(self, learner_id: str) -> tuple[int | None, dict[str, Json]]:
        """The position of the learner's kept signed CLR (None: none is kept) and their credentials' documents, read
        together (one round trip where the store can)."""
        with self.transaction(commit=False) as cursor:
            return _parts(*self.all_together(cursor, _parts_statements(learner_id)))

    def clr_sources(self, learner_id: str) -> tuple[str, tuple[int, int], int | None, dict[str, Json]] | None:
        """What signing a learner's CLR reads, together (one round trip where the store can): their state as stored
        and its version (their position and the catalogue's), and `clr_parts`, read after the state (so no
        credential it names is missing). None if no such learner."""
        with self.transaction(commit=False) as cursor:
            learner, *parts = self.all_together(cursor, [
                ("SELECT state, position, (SELECT MAX(position) FROM {catalogue}) AS catalogue FROM {learners}"
                 " WHERE learner_id = ?", (learner_id,)), *_parts_statements(learner_id)])
        if not learner:
            return None
        return (learner[0]["state"], (int(learner[0]["position"]), int(learner[0]["catalogue"] or 0)),
                *_parts(*parts))

    def store_signed_clr(self, learner_id: str, position: int, document: Json | str) -> None:
        """Keep a learner's signed CLR for a position, unless one for a later position is already kept."""
        with self.derived_rows_transaction() as cursor:
            self.run(cursor, "INSERT INTO {signed_clrs} AS s (learner_id, position, document) VALUES (?, ?, ?)"
                             " ON CONFLICT (learner_id) DO UPDATE SET position = excluded.position,"
                             " document = excluded.document WHERE s.position < excluded.position",
                     (learner_id, position, dumps(document)))

    def store_proof(self, credential_id: str, keys: str, ok: bool) -> None:
        with self.derived_rows_transaction() as cursor:
            self.run(cursor, "INSERT INTO {proofs} (credential_id, keys, ok) VALUES (?, ?, ?)"
                             " ON CONFLICT (credential_id) DO UPDATE SET keys = excluded.keys, ok = excluded.ok",
                     (credential_id, keys, int(ok)))

    def published_position(self, name: str) -> int:
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT position FROM {published} WHERE name = ?", (name,))
        return int(row["position"]) if row else 0

    def set_published_position(self, name: str, position: int) -> None:
        """A lost position only makes the step look again at learners whose kept documents it then finds current."""
        with self.derived_rows_transaction() as cursor:
            self.run(cursor, "INSERT INTO {published} (name, position) VALUES (?, ?)"
                             " ON CONFLICT (name) DO UPDATE SET position = excluded.position", (name, position))

    def learners_changed_after(self, position: int, limit: int) -> list[tuple[str, int, int | None]]:
        """(learner id, position, the position of the CLR kept for them, if any) of learners whose state changed
        after a position, in position order."""
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT l.learner_id, l.position, s.position AS signed_position FROM {learners} l"
                                    " LEFT JOIN {signed_clrs} s ON s.learner_id = l.learner_id WHERE l.position > ?"
                                    " ORDER BY l.position LIMIT ?", (position, limit))
        return [(row["learner_id"], int(row["position"]),
                 None if row["signed_position"] is None else int(row["signed_position"])) for row in rows]

    def credentials_unchecked_after(self, position: int, limit: int) -> list[Json]:
        """Credentials changed after a position whose proof has not been checked, in position order."""
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT c.*, NULL AS proof_keys, NULL AS proof_ok FROM {credentials} c"
                                    " LEFT JOIN {proofs} p ON p.credential_id = c.credential_id"
                                    " WHERE c.position > ? AND p.credential_id IS NULL ORDER BY c.position LIMIT ?",
                            (position, limit))
        return [credential_row(row) for row in rows]


def _parts_statements(learner_id: str) -> list[tuple[str, tuple[str]]]:
    return [("SELECT position FROM {signed_clrs} WHERE learner_id = ?", (learner_id,)),
            ("SELECT credential_id, document FROM {credentials} WHERE learner_id = ?", (learner_id,))]


def _parts(signed: list[Any], rows: list[Any]) -> tuple[int | None, dict[str, Json]]:
    return (int(signed[0]["position"]) if signed else None,
            {row["credential_id"]: loads(row["document"]) for row in rows})
