"""The views' keyed reads, one per question the read side asks: a learner's state (now, or re-folded up to a
position) with the catalogue then, their facts, credentials, status indexes, shares, and the employer skill query."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from projections import learner_state
from projections.catalogue import CatalogueSnapshot
from projections.schema import IN_CHUNK, loads
from projections.sql_views import SqlViews

Json = dict[str, Any]


class ViewQueries(SqlViews):

    def catalogue_entry(self, cursor: Any, kind: str, entry_id: str, position: int | None) -> Json | None:
        if position is None:
            row = self.one(cursor, "SELECT doc FROM {catalogue} WHERE kind = ? AND id = ?"
                                   " ORDER BY position DESC LIMIT 1", (kind, entry_id))
        else:
            row = self.one(cursor, "SELECT doc FROM {catalogue} WHERE kind = ? AND id = ? AND position <= ?"
                                   " ORDER BY position DESC LIMIT 1", (kind, entry_id, position))
        return loads(row["doc"]) if row else None

    def catalogue_entries_of(self, cursor: Any, keys: list[tuple[str, str]],
                             position: int | None) -> dict[tuple[str, str], Json | None]:
        """Each (kind, id)'s latest entry (at or before a position, if given), None for an unknown one."""
        found: dict[tuple[str, str], tuple[int, str]] = {}
        for kind in dict.fromkeys(kind for kind, _ in keys):
            ids = [entry_id for entry_kind, entry_id in keys if entry_kind == kind]
            for start in range(0, len(ids), IN_CHUNK):
                chunk = ids[start:start + IN_CHUNK]
                text = (f"SELECT id, position, doc FROM {{catalogue}} WHERE kind = ?"
                        f" AND id IN ({', '.join('?' for _ in chunk)})")
                params: list[Any] = [kind, *chunk]
                if position is not None:
                    text += " AND position <= ?"
                    params.append(position)
                for row in self.all(cursor, text, params):
                    key, at = (kind, row["id"]), int(row["position"])
                    if key not in found or found[key][0] < at:
                        found[key] = (at, row["doc"])
        return {key: loads(found[key][1]) if key in found else None for key in keys}

    def catalogue_entries(self, kind: str) -> list[Json]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT c.doc FROM {catalogue} c WHERE c.kind = ? AND c.position ="
                                    " (SELECT MAX(position) FROM {catalogue} m WHERE m.kind = c.kind AND m.id = c.id)"
                                    " ORDER BY c.id", (kind,))
        return [loads(row["doc"]) for row in rows]

    def learner(self, learner_id: str, position: int | None = None) -> tuple[Json | None, CatalogueSnapshot]:
        """The learner's state (now, or folded from their facts up to a position) and the catalogue then."""
        with self.transaction(commit=False) as cursor:
            if position is None:
                row = self.one(cursor, "SELECT state FROM {learners} WHERE learner_id = ?", (learner_id,))
                state = loads(row["state"]) if row else None
            else:
                facts = [loads(r["fact"]) for r in self.all(
                    cursor, "SELECT fact FROM {facts} WHERE learner_id = ? AND position <= ? ORDER BY position",
                    (learner_id, position))]
                state = learner_state.fold(learner_id, facts) if facts else None
            snapshot = CatalogueSnapshot.read(self, cursor, state, position)
        return state, snapshot

    def learner_version(self, learner_id: str) -> tuple[int, int] | None:
        """The learner's position and the catalogue's: what every current view of the learner depends on."""
        with self.transaction(commit=False) as cursor:
            return self._version(cursor, learner_id)

    def learner_at_version(self, learner_id: str, kept: KeptCatalogue | None = None
                           ) -> tuple[Json | None, CatalogueSnapshot, tuple[int, int]]:
        """`learner(learner_id)` and the version it was read at: the state and version in one statement, then the
        catalogue entries the state names (those `kept` holds at that version are not read again)."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT state, position, (SELECT MAX(position) FROM {catalogue}) AS catalogue"
                                   " FROM {learners} WHERE learner_id = ?", (learner_id,))
            if row is None:
                return None, CatalogueSnapshot({}), (0, 0)
            version = (int(row["position"]), int(row["catalogue"] or 0))
            state, snapshot = self._with_catalogue(cursor, row["state"], version, kept)
        return state, snapshot, version

    def learner_as_read(self, state: str, version: tuple[int, int], kept: KeptCatalogue | None = None
                        ) -> tuple[Json, CatalogueSnapshot]:
        """A learner's state as a statement just read it at `version` (a share link's lookup), with the catalogue
        entries it names (those `kept` holds at that version are not read again)."""
        with self.transaction(commit=False) as cursor:
            return self._with_catalogue(cursor, state, version, kept)

    def _with_catalogue(self, cursor: Any, state_text: str, version: tuple[int, int], kept: KeptCatalogue | None
                        ) -> tuple[Json, CatalogueSnapshot]:
        state = loads(state_text)
        rows = self if kept is None else kept.at(self, version[1])
        return state, CatalogueSnapshot.read(rows, cursor, state, None)

    def share_openings(self, learner_id: str) -> dict[str, list[Json]]:
        """Each of the learner's shares' access log (share id -> openings, oldest first)."""
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT share_id, position, opened_at, viewer, recorded_by FROM {share_openings}"
                                    " WHERE learner_id = ? ORDER BY position", (learner_id,))
        found: dict[str, list[Json]] = {}
        for row in rows:
            found.setdefault(row["share_id"], []).append(dict(row))
        return found

    def _version(self, cursor: Any, learner_id: str) -> tuple[int, int] | None:
        row = self.one(cursor, "SELECT position, (SELECT MAX(position) FROM {catalogue}) AS catalogue"
                               " FROM {learners} WHERE learner_id = ?", (learner_id,))
        return (int(row["position"]), int(row["catalogue"] or 0)) if row else None

    def facts(self, learner_id: str, position: int | None, limit: int, offset: int) -> list[Json]:
        with self.transaction(commit=False) as cursor:
            if position is None:
                rows = self.all(cursor, "SELECT fact FROM {facts} WHERE learner_id = ?"
                                        " ORDER BY position DESC LIMIT ? OFFSET ?", (learner_id, limit, offset))
            else:
                rows = self.all(cursor, "SELECT fact FROM {facts} WHERE learner_id = ? AND position <= ?"
                                        " ORDER BY position DESC LIMIT ? OFFSET ?",
                                (learner_id, position, limit, offset))
        return [loads(row["fact"]) for row in rows]

    def position_at(self, moment_text: str) -> int:
        """The last position recorded at or before a moment (0 if none)."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT MAX(position) AS p FROM {log} WHERE recorded_at <= ?", (moment_text,))
        return int(row["p"] or 0) if row else 0

    def credentials(self, credential_ids: Sequence[str]) -> dict[str, Json]:
        """Credential rows by id, each with its stored proof check (`proof`: {keys, ok}, or None)."""
        if not credential_ids:
            return {}
        marks = ", ".join("?" for _ in credential_ids)
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, f"SELECT c.*, p.keys AS proof_keys, p.ok AS proof_ok FROM {{credentials}} c"
                                    f" LEFT JOIN {{proofs}} p ON p.credential_id = c.credential_id"
                                    f" WHERE c.credential_id IN ({marks})", list(credential_ids))
        return {row["credential_id"]: credential_row(row) for row in rows}

    def credential_documents(self, learner_id: str) -> dict[str, Json]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT credential_id, document FROM {credentials} WHERE learner_id = ?",
                            (learner_id,))
        return {row["credential_id"]: loads(row["document"]) for row in rows}

    def status_indexes(self, provider_id: str, status: str) -> tuple[list[int], int]:
        with self.transaction(commit=False) as cursor:
            rows = self.all(cursor, "SELECT status_index FROM {credentials} WHERE provider_id = ? AND status = ?",
                            (provider_id, status))
            last = self.one(cursor, "SELECT MAX(position) AS p FROM {credentials} WHERE provider_id = ?",
                            (provider_id,))
        return [int(row["status_index"]) for row in rows], int((last["p"] if last else 0) or 0)

    def share_by_token_hash(self, token_hash: str, kept_position: int | None = None) -> Json | None:
        """The share behind a link as indexed (its learner, employer, expiry, revocation), its learner's version and
        state then (unparsed, and not sent when the caller keeps the learner at that position: a lifelong record's
        state is large; a worker that does not keep the learner reads it with the link, not in a second round trip)."""
        with self.transaction(commit=False) as cursor:
            row = self.one(cursor, "SELECT s.share_id, s.learner_id, s.employer_id, s.expires_at, s.revoked,"
                                   " l.position, CASE WHEN l.position = ? THEN NULL ELSE l.state END AS state,"
                                   " (SELECT MAX(position) FROM {catalogue}) AS catalogue"
                                   " FROM {shares} s JOIN {learners} l ON l.learner_id = s.learner_id"
                                   " WHERE s.token_hash = ?", (-1 if kept_position is None else kept_position,
                                                               token_hash))
        if row is None:
            return None
        return {"share_id": row["share_id"], "learner_id": row["learner_id"], "employer_id": row["employer_id"],
                "expires_at": row["expires_at"], "revoked": bool(row["revoked"]),
                "version": (int(row["position"]), int(row["catalogue"] or 0)), "state": row["state"]}

    def skill_matches(self, employer_id: str, skill_urls: Sequence[str], now: str, verified_only: bool,
                      min_level: int, since: date | None) -> list[Json]:
        """Rows (learner, share, skill) of live shares to the employer granting the skills, whose indexed skill
        meets the level and date: answered from the share_skills and learner_skills indexes."""
        level, last = ("ls.verified_level", "ls.verified_last") if verified_only else ("ls.level", "ls.last_evidenced")
        marks = ", ".join("?" for _ in skill_urls)
        text = (f"SELECT ss.learner_id, ss.share_id, ls.skill_url, ls.level, ls.last_evidenced, ls.rank,"
                f" ls.verified_level, ls.verified_last FROM {{share_skills}} ss"
                f" JOIN {{shares}} s ON s.share_id = ss.share_id"
                f" JOIN {{learner_skills}} ls ON ls.learner_id = ss.learner_id AND ls.skill_url = ss.skill_url"
                f" WHERE ss.employer_id = ? AND ss.skill_url IN ({marks}) AND s.revoked = 0 AND s.expires_at > ?"
                f" AND {last} IS NOT NULL")
        params: list[Any] = [employer_id, *skill_urls, now]
        if min_level > 1:
            text += f" AND {level} >= ?"
            params.append(min_level)
        if since is not None:
            text += f" AND {last} >= ?"
            params.append(since.isoformat())
        with self.transaction(commit=False) as cursor:
            return [dict(row) for row in self.all(cursor, text + " ORDER BY ss.learner_id, ls.skill_url", params)]

    def learner_states(self, cursor: Any, learner_ids: Sequence[str]) -> dict[str, Json]:
        states: dict[str, Json] = {}
        for start in range(0, len(learner_ids), IN_CHUNK):
            chunk = learner_ids[start:start + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for row in self.all(cursor, f"SELECT learner_id, state FROM {{learners}} WHERE learner_id IN ({marks})",
                                chunk):
                states[row["learner_id"]] = loads(row["state"])
        return states


class KeptCatalogue:
    """The latest catalogue entries read, kept while the catalogue's position stays the same: every learner's
    current views name the same few providers, achievements and employers. Entries are read after the position
    that keys them, so they are never older than it; a newer position starts afresh."""

    def __init__(self) -> None:
        self.position = -1
        self.entries: dict[tuple[str, str], Json | None] = {}
        self.lock = threading.Lock()

    def at(self, views: ViewQueries, position: int) -> KeptRows:
        with self.lock:
            if position != self.position:
                self.position, self.entries = position, {}
            return KeptRows(views, self, position)

    def keep(self, position: int, found: dict[tuple[str, str], Json | None]) -> None:
        with self.lock:
            if position == self.position:
                self.entries.update(found)


class KeptRows:
    """The catalogue rows a learner read asks for: the kept ones, and the others read and kept."""

    def __init__(self, views: ViewQueries, kept: KeptCatalogue, position: int):
        self.views, self.kept, self.position = views, kept, position
        self.entries = kept.entries

    def catalogue_entry(self, cursor: Any, kind: str, entry_id: str, position: int | None) -> Json | None:
        return self.catalogue_entries_of(cursor, [(kind, entry_id)], position)[(kind, entry_id)]

    def catalogue_entries_of(self, cursor: Any, keys: list[tuple[str, str]],
                             position: int | None) -> dict[tuple[str, str], Json | None]:
        missing = [key for key in keys if key not in self.entries]
        found = self.views.catalogue_entries_of(cursor, missing, position) if missing else {}
        self.kept.keep(self.position, found)
        return {key: found[key] if key in found else self.entries[key] for key in keys}


def credential_row(row: Any) -> Json:
    return {"credential_id": row["credential_id"], "learner_id": row["learner_id"], "provider_id": row["provider_id"],
            "achievement_id": row["achievement_id"], "status": row["status"], "status_index": row["status_index"],
            "issued_on": row["issued_on"], "expires_on": row["expires_on"], "replaced_by": row["replaced_by"],
            "document": loads(row["document"]), "position": int(row["position"]),
            "proof": None if row["proof_keys"] is None else {"keys": row["proof_keys"], "ok": bool(row["proof_ok"])}}
