"""Bearer tokens (issued to one principal, kept as a hash, revoked once) and employers."""

from uuid import UUID, uuid4

import pytest

from application.commands import IssueToken, RegisterEmployer, RevokeToken
from domain.access import AccessToken, hash_secret
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleBroken
from domain.values import Actor, Identifier
from tests.domain.gwt import ADMIN, when


@pytest.fixture
def uni(world):
    return world.provider()


def test_an_admin_issues_a_token_to_a_principal(ledger, uni):
    outcome = when(ledger, lambda: ledger.execute(ADMIN, IssueToken(uni)))
    [issued] = outcome.then(("AccessToken.Issued", {"principal": uni, "actor": ADMIN}))
    token = outcome.result.token
    assert issued.originator_id == AccessToken.id_for(token) == outcome.result.id
    assert issued.token_hash == hash_secret(token) and token not in issued.token_hash
    assert ledger.principal_for(token) == uni


def test_only_an_admin_issues_tokens(ledger, uni):
    when(ledger, lambda: ledger.execute(uni, IssueToken(uni))).then_refused(NotPermitted, "not-permitted")


def test_no_token_for_an_admin_principal(ledger):
    when(ledger, lambda: ledger.execute(ADMIN, IssueToken(Actor.admin()))).then_refused(NotPermitted, "not-permitted")


def test_no_token_for_an_unknown_principal(ledger):
    for principal in (Actor.learner(uuid4()), Actor.provider(uuid4()), Actor.employer(uuid4())):
        when(ledger, lambda p=principal: ledger.execute(ADMIN, IssueToken(p))).then_refused(NotFound, "not-found")


def test_no_token_for_a_principal_of_another_kind(ledger, uni):
    """A provider's id presented as a learner's is not a learner."""
    when(ledger, lambda: ledger.execute(ADMIN, IssueToken(
        Actor.learner(UUID(uni.id)),
    ))).then_refused(NotFound, "not-found")


def test_an_unknown_token_belongs_to_no_one(ledger):
    assert ledger.principal_for("not-a-token") is None


def test_the_holder_revokes_their_token_once(ledger, uni):
    token = ledger.execute(ADMIN, IssueToken(uni)).token
    when(ledger, lambda: ledger.execute(uni, RevokeToken(token))).then(("AccessToken.Revoked", {"actor": uni}))
    assert ledger.principal_for(token) is None
    when(ledger, lambda: ledger.execute(uni, RevokeToken(token))).then_refused(RuleBroken, "token-already-revoked")


def test_an_admin_revokes_any_token(ledger, uni):
    token = ledger.execute(ADMIN, IssueToken(uni)).token
    when(ledger, lambda: ledger.execute(ADMIN, RevokeToken(token))).then("AccessToken.Revoked")


def test_no_one_else_revokes_a_token_and_it_answers_like_an_unknown_one(ledger, world, uni):
    token = ledger.execute(ADMIN, IssueToken(uni)).token
    other = world.provider("Other Polytechnic")
    theirs = when(ledger, lambda: ledger.execute(other, RevokeToken(token))).then_refused(NotFound, "not-found")
    unknown = when(ledger, lambda: ledger.execute(other, RevokeToken("not-a-token"))).then_refused(
        NotFound, "not-found")
    assert str(theirs) == str(unknown), "the same message: no hint that the token exists"
    assert ledger.principal_for(token) == uni


def test_revoking_an_unknown_token_is_refused(ledger, uni):
    when(ledger, lambda: ledger.execute(uni, RevokeToken("not-a-token"))).then_refused(NotFound, "not-found")


def test_revoking_one_token_leaves_the_principals_other_tokens(ledger, uni):
    first, second = ledger.execute(ADMIN, IssueToken(uni)).token, ledger.execute(ADMIN, IssueToken(uni)).token
    ledger.execute(uni, RevokeToken(first))
    assert ledger.principal_for(second) == uni


# ---- employers ---------------------------------------------------------------------------------------------------

def test_an_admin_registers_an_employer_with_a_token(ledger):
    outcome = when(ledger, lambda: ledger.execute(ADMIN, RegisterEmployer(
        name="Harbour City Council", identifiers=(Identifier("NZBN", "9429000000001"),),
    )))
    registered, _ = outcome.then(("Employer.Registered", {"name": "Harbour City Council"}), "AccessToken.Issued")
    assert ledger.principal_for(outcome.result.token) == Actor.employer(registered.originator_id)


def test_only_an_admin_registers_employers(ledger, uni):
    when(ledger, lambda: ledger.execute(uni, RegisterEmployer(name="Harbour City Council"))).then_refused(
        NotPermitted, "not-permitted")


def test_an_employer_has_a_name(ledger):
    when(ledger, lambda: ledger.execute(ADMIN, RegisterEmployer(name=" "))).then_refused(InvalidValue, "invalid-value")
