"""`SignedDocuments`: the learners' CLRs signed, and credentials' proofs checked, once and ahead of reads, by a step
that lags the views."""

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credentials.data_integrity import verify
from credentials.multikey import multibase_to_public_key
from credentials.publisher import Publisher
from credentials.urls import LedgerUrls
from domain.errors import NotFound
from projections.catalogue import CatalogueSnapshot
from projections.clr import unsigned_clr
from projections.learner_record import LearnerRecord
from projections.personal_data import PersonalData
from projections.store import LedgerViews

Json = dict[str, Any]
logger = logging.getLogger(__name__)

_SIGNERS: dict[str, threading.Lock] = {}
_SIGNERS_LOCK = threading.Lock()
PUBLISHED_NAME = "clr"  # the publishing step's position, in the views' `published` table
ROUND_LIMIT = 100  # learners (and credentials) per round, so a round ends soon enough to notice a stop
IDLE_SECONDS = 0.5
READ_FIRST_SECONDS = 0.1
"""How long the step leaves a learner's new change to a read right after the write: that read signs the CLR itself
at once, and the step neither races it for the one signer nor competes with it for the processor."""


def keys_fingerprint(provider: Json | None) -> str:
    """Which keys a proof check was made against: a provider only ever gains keys."""
    if provider is None:
        return ""
    return hashlib.sha256("\n".join(sorted(provider["keys"].values())).encode()).hexdigest()[:32]


def proof_valid(document: Json, provider: Json | None, urls: LedgerUrls) -> bool:
    """Whether a credential's proof verifies against one of its (registered or deregistered) issuer's keys."""
    if provider is None:
        return False
    issuer = urls.issuer(UUID(provider["id"]))
    keys = {f"{issuer}#{multibase}": multibase for multibase in provider["keys"].values()}

    def resolve(method: str) -> bytes | None:
        return multibase_to_public_key(keys[method]) if method in keys else None

    return verify(document, resolve).ok


class SignedDocuments:
    """Signed CLRs and proof checks, made once and kept in the views' database (tables `signed_clrs`, `proofs`).

    The lagging step (`follow`, a thread beside the views runner) signs the CLR of every learner whose state changed
    since its last round, at the learner's position then, and checks the proof of every new credential. Reads serve
    a kept CLR when it was signed at the learner's current position, and sign (and keep) one otherwise; they use a
    kept proof check when it was made against the issuer's current keys. The step follows the views and never holds
    them up: it has its own position and its own transactions."""

    def __init__(self, views: LedgerViews, publisher: Publisher, personal: PersonalData,
                 clock: Callable[[], datetime] | None = None):
        self.views = views
        self.publisher = publisher
        self.personal = personal
        self.clock = clock or (lambda: datetime.now(UTC))
        self.reached: int | None = None  # the position this step last stored (None: read it from the views)

    # ---- on demand (reads) and in rounds (the step) ----------------------------------------------------------------

    def sign_clr(self, learner_id: str, current: tuple[Json, CatalogueSnapshot] | None = None,
                 parts: tuple[int | None, dict[str, Json]] | None = None) -> Json:
        """Sign the learner's current CLR and keep it. NotFound for an unknown learner, ClrEmpty for a learner
        without a current credential. `current`: the learner's state and catalogue as just read, if the caller has
        them; `parts`: the position of the kept CLR and the credentials' documents, read with or after that state.
        One signer per learner at a time in a process: a read right after a write and the signing step both want
        the learner's new CLR; the second takes the one the first kept (`parts` read before the wait are read
        again)."""
        with _signing(learner_id) as waited:
            return self._sign_clr(learner_id, current, None if waited else parts)

    def sign_clr_ahead(self, learner_id: str) -> bool:
        """The signing step's `sign_clr`: whether it signed. A CLR kept at the learner's position (a read right after
        the write signed it meanwhile) is neither read nor opened again."""
        with _signing(learner_id):
            found = self.views.signed_clr_position(learner_id)
            if found is None:
                raise NotFound(f"no learner {learner_id}")
            if found[1] == found[0]:
                return False
            self._sign_clr(learner_id, None, None)
            return True

    def _sign_clr(self, learner_id: str, current: tuple[Json, CatalogueSnapshot] | None,
                  parts: tuple[int | None, dict[str, Json]] | None) -> Json:
        state, catalogue = current or self.views.learner(learner_id)
        if state is None:
            raise NotFound(f"no learner {learner_id}")
        position = int(state["position"])
        signed_at, documents = parts or self.views.clr_parts(learner_id)
        if signed_at == position and (kept := self._kept_clr(learner_id, position)) is not None:
            return kept
        signed = self.publisher.sign(self.unsigned_clr(state, catalogue, documents), self.clock())
        sealed = self.personal.seal_json(UUID(learner_id), signed)
        self.views.store_signed_clr(learner_id, position, sealed)
        return signed

    def _kept_clr(self, learner_id: str, position: int) -> Json | None:
        kept = self.views.signed_clr(learner_id)
        if kept is None or kept[1] != position or kept[2] is None:
            return None
        return self.personal.reveal(UUID(learner_id), kept[2])

    def unsigned_clr(self, state: Json, catalogue: CatalogueSnapshot, sealed: dict[str, Json] | None = None) -> Json:
        """The CLR names its recipient from the sealed profile: an erased learner has none, and no CLR. Erasure
        destroys the learner's key at once, before the views see it: documents that no longer open mean erased too.
        `sealed`: the learner's credential documents, if the caller has just read them."""
        learner_id = UUID(state["learner_id"])
        if state["erased"]:
            raise NotFound("this learner's record was erased")
        profile = self.personal.profile(learner_id, state.get("sealed_profile", "")) or {}
        if sealed is None:
            sealed = self.views.credential_documents(str(learner_id))
        documents = self.personal.reveal(learner_id, sealed)
        if any(document is None for document in documents.values()):  # erased since the views read the state
            raise NotFound("this learner's record was erased")
        return unsigned_clr(LearnerRecord.of(state), profile, catalogue, documents, self.publisher.urls,
                            self.publisher.profile)

    def check_proof(self, row: Json, provider: Json | None) -> bool:
        document = self.personal.reveal(UUID(row["learner_id"]), row["document"])
        ok = document is not None and proof_valid(document, provider, self.publisher.urls)
        self.views.store_proof(row["credential_id"], keys_fingerprint(provider), ok)
        return ok

    def position(self) -> int:
        return self.views.published_position(PUBLISHED_NAME)

    def step(self, limit: int = ROUND_LIMIT, stop: Callable[[], bool] = lambda: False,
             target: int | None = None) -> int:
        """One round: check the proofs of credentials changed since the step's position, sign the CLRs of learners
        changed since then (at most `limit` of each), and move the position up to where both are done (`target`: the
        views' position, if the caller knows it; a learner changed again after it is left to the next round). Returns
        how many documents were made. The step is the only writer of its position while it runs (the runner's lock),
        so it reads it once, not every round."""
        done = self.position() if self.reached is None else self.reached
        target = self.views.position() if target is None else target
        if target <= done:
            self.reached = done
            return 0
        reached = target
        made = 0
        providers: dict[str, Json | None] = {}
        unchecked = self.views.credentials_unchecked_after(done, limit)
        for row in unchecked:
            if stop():
                return made
            if row["provider_id"] not in providers:
                with self.views.transaction(commit=False) as cursor:
                    providers[row["provider_id"]] = self.views.catalogue_entry(cursor, "provider", row["provider_id"],
                                                                               None)
            self.check_proof(row, providers[row["provider_id"]])
            made += 1
        if len(unchecked) == limit:
            reached = min(reached, unchecked[-1]["position"])
        changed = self.views.learners_changed_after(done, limit)
        for learner_id, position, signed_at in changed:
            if stop():
                return made
            if signed_at == position or position > target:
                continue  # signed at this position already (by a read, or an interrupted round), or changed since
            with contextlib.suppress(NotFound):  # no current credential (ClrEmpty): no CLR to sign
                made += self.sign_clr_ahead(learner_id)
        if len(changed) == limit:
            reached = min(reached, changed[-1][1])
        self.views.set_published_position(PUBLISHED_NAME, reached)
        self.reached = reached
        return made

    def follow(self, stopped: Callable[[], bool], wake: threading.Event | None = None,
               busy: Callable[[], bool] = lambda: False, on_error: Callable[[Exception], None] | None = None,
               views_position: Callable[[], int | None] = lambda: None) -> None:
        """Rounds until stopped; waits for `wake` (set when the views take in a change of a learner or a credential)
        or a pause when there is nothing to do, and while the views are busy catching up (`busy`, which also interrupts
        a round), so that signing does not slow their catch-up. A round that `views_position` moved starts
        READ_FIRST_SECONDS later and stops there. A failed round is retried after the pause, unless `on_error`
        raises."""
        while not stopped():
            if wake is not None:
                wake.clear()
            target = views_position()
            if target is not None and target != self.reached:
                time.sleep(READ_FIRST_SECONDS)
            try:
                progressed = not busy() and self._round(lambda: stopped() or busy(), target)
            except Exception as error:
                self.reached = None
                if on_error is None:
                    logger.exception("signing documents failed; retrying")
                else:
                    on_error(error)
                progressed = False
            if not progressed and not stopped():
                if wake is not None:
                    wake.wait(IDLE_SECONDS)
                else:
                    time.sleep(IDLE_SECONDS)

    def _round(self, stop: Callable[[], bool], target: int | None) -> bool:
        before = self.reached
        made = self.step(stop=stop, target=target)
        return made > 0 or self.reached != before


@contextlib.contextmanager
def _signing(learner_id: str) -> Iterator[bool]:
    """The learner's signer lock held; yields whether another signer held it first."""
    with _SIGNERS_LOCK:
        lock = _SIGNERS.setdefault(learner_id, threading.Lock())
    waited = not lock.acquire(blocking=False)
    if waited:
        lock.acquire()
    try:
        yield waited
    finally:
        lock.release()
        with _SIGNERS_LOCK:
            if not lock.locked():
                _SIGNERS.pop(learner_id, None)
