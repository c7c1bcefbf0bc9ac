"""Given a learner whose state the signing step read just before they were erased (the views lag the ledger, but the
erasure destroys the learner's key at once), when the step builds their CLR, then it finds the record erased (as a
read of an erased learner does) instead of failing on the documents it can no longer open, which stopped the runner."""

import pytest

from application.commands import EraseLearner
from domain.errors import NotFound
from domain.values import Actor
from ops.demo import load_demo
from tests.projections.helpers import caught_up


def test_a_clr_of_a_learner_erased_after_the_views_read_them_is_not_found(embedded):
    services, read_side = embedded
    aroha = load_demo(services.ledger).ids["aroha"]
    caught_up(read_side, services)
    state, catalogue = read_side.views.learner(str(aroha))
    assert state is not None and not state["erased"]
    assert read_side.documents.unsigned_clr(state, catalogue)["credentialSubject"]["verifiableCredential"]

    services.ledger.execute(Actor.admin(), EraseLearner(aroha, reason="asked"))

    with pytest.raises(NotFound):
        read_side.documents.unsigned_clr(state, catalogue)
