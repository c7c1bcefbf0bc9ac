"""The demo story through the read side: every CLR validates (lenient and strict) and every proof verifies; the
skills, pathway, shares and employer views say what the story says; reads never replay an aggregate."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.commands import RecordShareOpening, RevokeShare
from credentials.data_integrity import verify
from credentials.multikey import multibase_to_public_key
from credentials.schema import validate_credential
from domain.errors import NotFound
from domain.values import Actor
from ops.demo import COMMUNICATION, DATA_ANALYSIS, SELF_MANAGEMENT, TEAMWORK, load_demo
from projections.clr import ClrEmpty
from tests.projections.helpers import caught_up


@pytest.fixture
def demo(embedded):
    services, read_side = embedded
    ids = load_demo(services.ledger)
    caught_up(read_side, services)
    return services, read_side, ids


def key_resolver(read_side, issuer_ids):
    keys = {}
    for issuer_id in issuer_ids:
        for method in read_side.issuer(issuer_id)["verificationMethod"]:
            keys[method["id"]] = multibase_to_public_key(method["publicKeyMultibase"])
    return keys.get


def test_every_demo_clr_validates_and_verifies(demo):
    services, read_side, ids = demo
    resolve = key_resolver(read_side, ["ledger", str(ids.ids["university"]), str(ids.ids["tafe"])])
    for learner in ("aroha", "sam"):
        clr = read_side.clr(ids.ids[learner])
        assert validate_credential(clr) == []
        assert validate_credential(clr, strict=True) == []
        assert verify(clr, resolve).ok, verify(clr, resolve)
        assert clr["issuer"]["id"] == services.urls.ledger_issuer()
        for nested in clr["credentialSubject"]["verifiableCredential"]:
            assert validate_credential(nested, strict=True) == []
            assert verify(nested, resolve).ok
            stored = read_side.credential(UUID(nested["id"].rsplit("/", 1)[1]))
            assert nested == stored["document"], "a nested credential is the signed document, unchanged"


def test_clr_holds_current_credentials_and_stacking(demo):
    services, read_side, ids = demo
    clr = read_side.clr(ids.ids["aroha"])
    subject = clr["credentialSubject"]
    held = [vc["id"] for vc in subject["verifiableCredential"]]
    assert held == [services.urls.credential(ids.ids["aroha_communication"])]  # self-management was revoked
    assert subject["association"] == [{
        "type": "Association", "associationType": "isChildOf",
        "sourceId": services.urls.achievement(ids.ids["communication"]),
        "targetId": services.urls.achievement(ids.ids["bachelor"]),
    }]
    assert read_side.clr(ids.ids["aroha"]) == clr, "signed once per content, then served from the cache"


def test_clr_of_unknown_learner_or_one_without_credentials(demo):
    _services, read_side, ids = demo
    with pytest.raises(NotFound):
        read_side.clr(uuid4())
    with pytest.raises(ClrEmpty):
        read_side.clr(ids.ids["aroha"], as_of=_position_before(read_side, ids.ids["aroha"], "Credential.Issued"))


def _position_before(read_side, learner_id, fact):
    from projections.read_side_parts import AsOf

    record = read_side.record(learner_id, limit=1000)
    first = min(e.position for e in record if e.fact == fact)
    return AsOf(position=first - 1)


def test_skills_profile(demo):
    _services, read_side, ids = demo
    skills = {s.skill.url: s for s in read_side.skills(ids.ids["aroha"]).skills}
    assert SELF_MANAGEMENT.url not in skills, "revoked evidence (and the assessment behind it) drops out"
    communication = skills[COMMUNICATION.url]
    assert communication.level == 4 and communication.verification == "verified"
    assert {e.kind for e in communication.evidence} == {"assessment", "credential", "work-experience"}
    assert skills[DATA_ANALYSIS.url].verification == "self-asserted"
    assert skills[TEAMWORK.url].level == 3
    assert 0 < communication.currency <= 1
    sam = {s.skill.url: s for s in read_side.skills(ids.ids["sam"]).skills}
    assert sam[TEAMWORK.url].evidence[0].kind in {"rpl", "credential"}


def test_pathway_progress(demo):
    _services, read_side, ids = demo
    progress = read_side.pathway(ids.ids["aroha"], ids.ids["bachelor"])
    assert progress.filled == Decimal("15")
    assert [f.id for f in progress.rules[0].facts] == [ids.ids["aroha_communication"]]
    with pytest.raises(NotFound):
        read_side.pathway(ids.ids["aroha"], ids.ids["communication"])


def test_shares_employer_view_and_openings(demo):
    services, read_side, ids = demo
    token = ids.tokens["share"]
    share = read_side.share_by_token(token)
    assert share.live and share.learner_id == ids.ids["aroha"]
    view = read_side.employer_view(token)
    assert [c.credential_id for c in view.credentials] == [ids.ids["aroha_communication"]]
    assert view.credentials[0].verification.valid
    assert {s.skill.url for s in view.skills} == {COMMUNICATION.url, TEAMWORK.url}
    assert not hasattr(view, "learner_id") and DATA_ANALYSIS.url not in str(view)
    written = services.ledger.execute(Actor.employer(ids.ids["employer"]), RecordShareOpening(
        ids.ids["aroha"], share.share_id, viewer="Harbour City Council HR",
    ))
    assert read_side.wait_for(written.position)
    [listed] = read_side.shares(ids.ids["aroha"])
    assert [o.viewer for o in listed.openings] == ["Harbour City Council HR"]
    revoked = services.ledger.execute(Actor.learner(ids.ids["aroha"]), RevokeShare(
        ids.ids["aroha"], share.share_id,
    ))
    assert read_side.wait_for(revoked.position)
    assert read_side.employer_view(token) is None
    assert read_side.share_by_token(token).live is False
    assert read_side.skill_query(ids.ids["employer"], [COMMUNICATION.url]) == []
    assert read_side.employer_view("no such token") is None


def test_skill_query(demo):
    _services, read_side, ids = demo
    employer = ids.ids["employer"]
    [found] = read_side.skill_query(employer, [COMMUNICATION.url, TEAMWORK.url])
    assert found.learner_id == ids.ids["aroha"]
    assert read_side.skill_query(employer, [COMMUNICATION.url], min_level=5) == []
    assert read_side.skill_query(employer, [COMMUNICATION.url], since=date.today() + timedelta(days=1)) == []
    assert read_side.skill_query(employer, [DATA_ANALYSIS.url], verified_only=False) == [], "not shared"
    assert read_side.skill_query(uuid4(), [COMMUNICATION.url]) == []


def test_status_lists_issuers_and_credentials(demo):
    services, read_side, ids = demo
    from credentials.status_lists import decode_status_list, get_bit

    university = ids.ids["university"]
    revoked = read_side.credential(ids.ids["aroha_self_management"])
    assert revoked["status"] == "revoked"
    status = read_side.status_list(f"{university}-revocation")
    resolve = key_resolver(read_side, ["ledger"])
    assert verify(status, resolve).ok
    bits = decode_status_list(status["credentialSubject"]["encodedList"])
    index = int(revoked["document"]["credentialStatus"]["statusListIndex"])
    assert get_bit(bits, index)
    assert not get_bit(bits, int(read_side.credential(ids.ids["aroha_communication"])
                                 ["document"]["credentialStatus"]["statusListIndex"]))
    assert read_side.status_list(f"{university}-nonsense") is None
    issuer = read_side.issuer(str(university))
    assert all(m["controller"] == services.urls.issuer(university) for m in issuer["verificationMethod"])
    assert read_side.provider(university)["registered"] is True
    assert read_side.credential_status(services.urls.credential(ids.ids["aroha_self_management"]))["revoked"]
    assert read_side.events_after(0, 5)[0]["position"] == 1


def test_record_timeline(demo):
    _services, read_side, ids = demo
    record = read_side.record(ids.ids["aroha"], limit=3)
    assert [e.position for e in record] == sorted((e.position for e in record), reverse=True)
    assert record[0].fact == "Learner.ShareGranted"
    assert all(e.recorded_by and e.summary for e in record)
    assert read_side.record(ids.ids["aroha"], limit=3, offset=3)[0].position < record[-1].position


def test_reads_never_replay_an_aggregate(demo, monkeypatch):
    services, read_side, ids = demo

    def refuse(*args, **kwargs):
        raise AssertionError("a read replayed an aggregate")

    monkeypatch.setattr(services.ledger.repository, "get", refuse)
    learner = ids.ids["aroha"]
    read_side.clr(learner)
    read_side.skills(learner)
    read_side.pathway(learner, ids.ids["bachelor"])
    read_side.record(learner)
    read_side.shares(learner)
    read_side.employer_view(ids.tokens["share"])
    read_side.skill_query(ids.ids["employer"], [COMMUNICATION.url])
    read_side.status_list(f"{ids.ids['university']}-suspension")
    read_side.issuer("ledger")
    read_side.lags()


def test_expired_share_yields_nothing(demo):
    services, read_side, ids = demo
    services.ledger.clock = lambda: datetime.now(UTC) + timedelta(days=31)
    assert read_side.employer_view(ids.tokens["share"]) is None
    assert read_side.skill_query(ids.ids["employer"], [COMMUNICATION.url]) == []
