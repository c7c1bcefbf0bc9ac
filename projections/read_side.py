"""The read side the API and the pages call: every answer from the materialised views, never from replaying an
aggregate; a learner's sealed words opened for the reader, or shown as erased."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson

from credentials.documents import STATUS_PURPOSES
from credentials.lru import Lru
from credentials.status_lists import bitstring_with, build_status_list_credential
from domain.access import hash_secret
from domain.credential import CredentialStatus
from domain.errors import NotFound
from projections.catalogue import CatalogueSnapshot, provider_registered
from projections.current_views import CurrentLearner, CurrentLearners
from projections.employer_view import (
    CredentialCheck,
    EmployerView,
    RecordedCredential,
    ShareAccess,
    ShareOpening,
    ShareSummary,
    employer_view,
    share_summary,
)
from projections.event_log import log_page
from projections.facts import moment
from projections.issuers import IssuerReads
from projections.learner_overview import LearnerOverview, learner_overview
from projections.learner_record import LearnerRecord, ShareRecord
from projections.pathway import PathwayProgress, pathway
from projections.read_side_parts import AsOf, ReadSideParts, Runner
from projections.schema import VIEW_NAME
from projections.served_clrs import ServedClrs
from projections.share_links import ShareLink, share_access
from projections.signed_documents import PUBLISHED_NAME, SignedDocuments, keys_fingerprint
from projections.skill_query import IndexMatch, LearnerMatch, learners_holding
from projections.skills import SkillsProfile, skills_profile
from projections.timeline import TimelineEntry, timeline_entry

Json = dict[str, Any]
STATUS_BY_PURPOSE = {"revocation": "revoked", "suspension": "suspended"}


class ReadSide(IssuerReads):
    def __init__(self, parts: ReadSideParts, runner: Runner | None = None,
                 close_views: Callable[[], None] = lambda: None):
        self.parts = parts
        self._close_views = close_views
        self.urls = parts.publisher.urls
        self.views = parts.views
        self.runner = runner
        self.publisher = parts.publisher
        self.personal = parts.personal
        self.documents = SignedDocuments(parts.views, parts.publisher, parts.personal, self.now)
        self.signed = Lru()
        self.signatures = Lru()
        self.current = CurrentLearners(parts.views)
        self.served_clrs = ServedClrs(parts.views, parts.personal)

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None
        self._close_views()

    def __enter__(self) -> ReadSide:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        return self.parts.clock()

    # ---- positions -------------------------------------------------------------------------------------------

    def position(self) -> int:
        return self.views.position()

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Whether the views reach `position` within `timeout` seconds. This process's runner wakes the wait when it
        commits (the views are looked at first only when none runs here); the views are still looked at every 20 ms
        at most, for a runner elsewhere."""
        deadline = time.monotonic() + timeout
        pause = 0.002
        looked = self.runner is None
        while True:
            if looked and self.views.position() >= position:
                return True
            looked = True
            if self.runner is not None and self.runner.error is not None:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self.runner is not None:
                if self.runner.wait_past(position, min(left, 0.02)):
                    return True
            else:
                time.sleep(min(left, pause))
            pause = min(pause * 1.5, 0.02)

    def lags(self) -> dict[str, dict[str, int]]:
        end = self.parts.log.position()
        position = self.views.position()
        signed = self.views.published_position(PUBLISHED_NAME)
        return {VIEW_NAME: {"position": position, "lag": max(0, end - position)},
                "publisher": {"position": signed, "lag": max(0, position - signed)}}

    def _resolve(self, as_of: AsOf | None) -> tuple[int | None, date]:
        """The position to read at (None: current) and the day expiry and currency are judged on."""
        if as_of is None:
            return None, self.now().date()
        positions = []
        if as_of.position is not None:
            positions.append(as_of.position)
        if as_of.at is not None:
            at = as_of.at if as_of.at.tzinfo else as_of.at.replace(tzinfo=UTC)
            positions.append(self.views.position_at(moment(at)))
        day = as_of.at.date() if as_of.at is not None else self.now().date()
        return (min(positions) if positions else None), day

    def _learner(self, learner_id: UUID, position: int | None) -> tuple[Json, CatalogueSnapshot]:
        state, catalogue = self.views.learner(str(learner_id), position)
        if state is None:
            raise NotFound(f"no learner {learner_id}")
        return state, catalogue

    # ---- learner views ---------------------------------------------------------------------------------------

    def record(self, learner_id: UUID, as_of: AsOf | None = None, limit: int = 50,
               offset: int = 0) -> list[TimelineEntry]:
        position, _ = self._resolve(as_of)
        state, catalogue = self._learner(learner_id, position)
        record = LearnerRecord.of(state)
        facts = self.views.facts(str(learner_id), position, limit, offset)
        entries = [timeline_entry(fact, record, catalogue) for fact in facts]
        return self.personal.reveal(learner_id, entries, erased=record.erased)

    def unsigned_clr(self, learner_id: UUID, as_of: AsOf | None = None) -> Json:
        position, _ = self._resolve(as_of)
        state, catalogue = self._learner(learner_id, position)
        return self.documents.unsigned_clr(state, catalogue)

    def clr(self, learner_id: UUID, as_of: AsOf | None = None) -> Json:
        """The signed CLR. Now: as kept by the signing step for the learner's current position, else signed here
        and kept. As of a point: signed once per distinct content (cached in memory)."""
        if as_of is None or self._resolve(as_of)[0] is None:
            kept = self.kept_clr(learner_id)
            return kept if kept is not None else self.signed_current_clr(learner_id)
        document = self.unsigned_clr(learner_id, as_of)
        key = hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()
        if (signed := self.signed.get(("clr", key))) is None:
            signed = self.publisher.sign(document, self.now())
            self.signed.put(("clr", key), signed)
        return dict(signed)

    def kept_clr(self, learner_id: UUID) -> Json | None:
        """The current signed CLR if one is kept (one keyed read; no signing, no lock)."""
        return self.served_clrs.lookup(learner_id)

    def signed_current_clr(self, learner_id: UUID) -> Json:
        """The current CLR signed here (and kept): the learner, the kept CLR's position and the credentials'
        documents read together, the catalogue as this process keeps it."""
        sources = self.views.clr_sources(str(learner_id))
        found = None if sources is None else self.current.get(str(learner_id), sources[1], state=sources[0])
        if sources is None or found is None:
            raise NotFound(f"no learner {learner_id}")
        current, parts = found, sources[2:]
        return dict(current.answer(("clr",), lambda: self.documents.sign_clr(
            str(learner_id), (current.state, current.catalogue), parts)))

    def skills(self, learner_id: UUID, as_of: AsOf | None = None) -> SkillsProfile:
        """Now: computed once per change of the learner (or the catalogue) and day; as of a point: re-folded."""
        position, day = self._resolve(as_of)
        half_life = self.parts.skill_half_life_years
        if position is None:
            current = self._current(learner_id)
            return current.answer(("skills", day, half_life),
                                  lambda: self._skills(current.record, current.catalogue, day))
        state, catalogue = self._learner(learner_id, position)
        return self._skills(LearnerRecord.of(state), catalogue, day)

    def _skills(self, record: LearnerRecord, catalogue: CatalogueSnapshot, day: date) -> SkillsProfile:
        profile = skills_profile(record, catalogue, day, self.parts.skill_half_life_years)
        return self.personal.reveal(record.learner_id, profile, erased=record.erased)

    def _current(self, learner_id: UUID, position: int | None = None) -> CurrentLearner:
        current = self.current.get(str(learner_id), position=position)
        if current is None:
            raise NotFound(f"no learner {learner_id}")
        return current

    def pathway(self, learner_id: UUID, qualification_id: UUID, as_of: AsOf | None = None) -> PathwayProgress:
        position, _ = self._resolve(as_of)
        state, catalogue = self._learner(learner_id, position)
        if catalogue.achievement(str(qualification_id)) is None:
            # The qualification is not among the learner's achievements: read it as it stood then.
            entry = self.views_entry("achievement", str(qualification_id), position)
            catalogue.entries[("achievement", str(qualification_id))] = entry
        return pathway(LearnerRecord.of(state), catalogue, qualification_id)

    def overview(self, learner_id: UUID, as_of: AsOf | None = None) -> LearnerOverview:
        position, day = self._resolve(as_of)
        state, catalogue = self._learner(learner_id, position)
        overview = learner_overview(state, catalogue, day)
        return self.personal.reveal(learner_id, overview, erased=bool(state.get("erased")))

    def employers(self) -> list[Json]:
        """The registered employers (id and name), for a learner choosing whom to share with."""
        found = [{"id": doc["id"], "name": doc["name"]} for doc in self.views.catalogue_entries("employer")]
        return sorted(found, key=lambda employer: str(employer["name"]).casefold())

    def shares(self, learner_id: UUID) -> list[ShareSummary]:
        state, catalogue = self._learner(learner_id, None)
        now, logs = moment(self.now()), self.views.share_openings(str(learner_id))
        listed = [share_summary(share, catalogue, now, tuple(map(ShareOpening.of, logs.get(str(share.share_id), []))))
                  for share in LearnerRecord.of(state).shares]
        return sorted(listed, key=lambda s: s.granted_at, reverse=True)

    def share_link(self, token: str) -> ShareLink | None:
        """The share behind a link as the shares index holds it (one keyed read), before its learner is read."""
        token_hash = hash_secret(token)
        found = self.views.share_by_token_hash(token_hash, self.current.position_behind(token_hash))
        if found is None:
            return None
        self.current.link(token_hash, found["learner_id"])
        return ShareLink.of(found, moment(self.now()))

    def _share(self, link: ShareLink) -> tuple[CurrentLearner, ShareRecord] | None:
        current = self.current.get(str(link.learner_id), link.version, state=link.state)
        share = None if current is None else current.record.share(link.share_id)
        return None if current is None or share is None else (current, share)

    def share_by_token(self, token: str) -> ShareAccess | None:
        link = self.share_link(token)
        found = None if link is None else self._share(link)
        return None if found is None else share_access(found[0].record, found[1], self.now())

    def employer_view(self, token: str) -> EmployerView | None:
        found = self.opened_share(token)
        return None if found is None else found[1]

    def opened_share(self, token: str) -> tuple[ShareAccess, EmployerView | None] | None:
        """The share behind a link and, while it is live, its employer view: the share is read once."""
        link = self.share_link(token)
        return None if link is None else self.open_link(link)

    def open_link(self, link: ShareLink) -> tuple[ShareAccess, EmployerView | None] | None:
        """The share as its learner's record holds it and, while it is live, its employer view."""
        if (found := self._share(link)) is None:
            return None
        current, share, now = *found, self.now()
        access = share_access(current.record, share, now)
        if not access.live:
            return access, None
        half_life = self.parts.skill_half_life_years
        return access, current.answer(("employer view", share.share_id, now.date(), half_life),
                                      lambda: self._employer_view(current.record, share, current.catalogue, now))

    def _employer_view(self, record: LearnerRecord, share: ShareRecord, catalogue: CatalogueSnapshot,
                       now: datetime) -> EmployerView:
        rows = self.personal.reveal(record.learner_id, self.views.credentials([str(c) for c in share.credential_ids]))
        credentials = {UUID(i): _recorded(row) for i, row in rows.items()}

        def verify(credential: RecordedCredential) -> CredentialCheck:
            row = rows[str(credential.credential_id)]
            return self._verification(row, catalogue.provider(row["provider_id"]), now)

        view = employer_view(record, share, catalogue, credentials, verify, now.date(),
                             self.parts.skill_half_life_years)
        return self.personal.reveal(record.learner_id, view, erased=record.erased)

    def skill_query(self, employer_id: UUID, skills: list[str], verified_only: bool = True, min_level: int = 1,
                    since: date | None = None) -> list[LearnerMatch]:
        wanted = list(dict.fromkeys(skills))
        if not wanted:
            return []
        rows = self.views.skill_matches(str(employer_id), wanted, moment(self.now()), verified_only, min_level, since)
        return learners_holding((IndexMatch.of(row) for row in rows), wanted, verified_only)

    # ---- credentials, status lists, issuers ----------------------------------------------------------------------

    def credential(self, credential_id: UUID) -> Json | None:
        row = self.views.credentials([str(credential_id)]).get(str(credential_id))
        if row is None:
            return None
        found = {key: row[key] for key in ("credential_id", "learner_id", "provider_id", "achievement_id", "status",
                                           "expires_on", "issued_on", "replaced_by", "document")}
        return self.personal.reveal(UUID(row["learner_id"]), found)

    def credential_status(self, credential_url_or_id: str | UUID) -> Json | None:
        """What a verifier needs about a credential the ledger recorded: signature, issuer, status, expiry."""
        text = str(credential_url_or_id).rstrip("/").rsplit("/", 1)[-1]
        try:
            credential_id = str(UUID(text))
        except ValueError:
            return None
        row = self.views.credentials([credential_id]).get(credential_id)
        if row is None:
            return None
        provider = self.views_entry("provider", row["provider_id"])
        check = self._verification(row, provider, self.now())
        return {"credential_id": credential_id, **asdict(check), "status": check.status.value}

    def _verification(self, row: Json, provider: Json | None, now: datetime) -> CredentialCheck:
        recorded = _recorded(row)
        return CredentialCheck.of(recorded.status, recorded.expires_on, now.date(),
                                  self._signature_valid(row, provider), provider_registered(provider))

    def _signature_valid(self, row: Json, provider: Json | None) -> bool:
        """The credential's proof check, as kept (made by the signing step, or by an earlier read) if it was made
        against the issuer's current keys; made and kept otherwise."""
        if provider is None:
            return False
        keys = keys_fingerprint(provider)
        kept = row.get("proof")
        if kept is not None and kept["keys"] == keys:
            return bool(kept["ok"])
        cached = self.signatures.get((row["credential_id"], keys))
        if cached is not None:
            return bool(cached)
        result = self.documents.check_proof(row, provider)
        self.signatures.put((row["credential_id"], keys), result)
        return result

    def status_list(self, list_id: str) -> Json | None:
        provider_text, _, purpose = list_id.rpartition("-")
        if purpose not in STATUS_PURPOSES:
            return None
        try:
            provider_id = UUID(provider_text)
        except ValueError:
            return None
        if self.views_entry("provider", str(provider_id)) is None:
            return None
        indexes, _ = self.views.status_indexes(str(provider_id), STATUS_BY_PURPOSE[purpose])
        key = ("status", list_id, tuple(sorted(indexes)))
        signed = self.signed.get(key)
        if signed is None:
            document = build_status_list_credential(
                self.urls.status_list(provider_id, purpose), self.publisher.issuer_id, self.now(),
                bitstring_with(indexes), purpose)
            signed = self.publisher.sign(document, self.now())
            self.signed.put(key, signed)
        return dict(signed)

    def status_counts(self, provider_id: UUID) -> dict[str, int]:
        """How many of a provider's credentials each of its status lists marks (revocation, suspension)."""
        return {purpose: len(self.views.status_indexes(str(provider_id), STATUS_BY_PURPOSE[purpose])[0])
                for purpose in STATUS_PURPOSES}

    def events_after(self, after: int, limit: int) -> list[Json]:
        return log_page(self.parts.log.notifications(after, limit))


def _recorded(row: Json) -> RecordedCredential:
    return RecordedCredential(
        credential_id=UUID(row["credential_id"]), achievement_id=UUID(row["achievement_id"]),
        provider_id=UUID(row["provider_id"]), status=CredentialStatus(row["status"]),
        expires_on=date.fromisoformat(row["expires_on"]) if row["expires_on"] else None, document=row["document"])
