"""Batched processing: the views do not depend on where the batches fall; a batch that fails leaves nothing; the
signing step keeps CLRs and proof checks that reads then serve without signing or verifying, and leaves alone a CLR
a read signed meanwhile; a CLR read after a change reads the learner, the kept CLR's position and the credentials'
documents together."""


import threading
import time
from datetime import date

import pytest

from application.commands import DeregisterProvider, Enrol, IssueToken, RecordShareOpening, RotateProviderKey
from credentials import publisher as publisher_module
from domain.values import Actor
from ops.demo import load_demo
from projections import signed_documents as documents_module
from projections.signed_documents import SignedDocuments
from projections.view_batch import ViewBatch
from wiring.projection_runner import ViewsRunner, publish, status
from wiring.read_side import open_read_side
from wiring.services import build_services


@pytest.fixture
def demo_log(any_settings):
    """The demo story, then a key rotation and a deregistration (which re-indexes every learner); on both stores
    (PostgreSQL writes batches of up to 16 events in a pipeline, larger ones with COPY)."""
    services = build_services(any_settings)
    ids = load_demo(services.ledger)
    services.ledger.execute(Actor.admin(), RotateProviderKey(ids.ids["tafe"]))
    services.ledger.execute(Actor.admin(), DeregisterProvider(ids.ids["tafe"], reason="Closed"))
    aroha = ids.ids["aroha"]
    end = services.ledger.position()
    yield any_settings, services, ids, end, aroha
    services.close()


def rows_after(settings, size: int, end: int) -> dict:
    runner = ViewsRunner(settings, size=size)
    try:
        runner.views.reset()
        assert runner.catch_up(end, timeout=60) == end
        return runner.views.table_rows()
    finally:
        runner.close()


def test_batch_boundaries_do_not_change_the_views(demo_log):
    settings, _services, _ids, end, _aroha = demo_log
    one_by_one = rows_after(settings, 1, end)
    assert sum(len(rows) for rows in one_by_one.values()) > end
    for size in (3, 7, 500):
        assert rows_after(settings, size, end) == one_by_one, f"batches of {size}"


def test_a_batch_of_share_openings_leaves_the_shares_index_as_it_was(demo_log, monkeypatch):
    settings, services, ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    read_side = open_read_side(services, run_projections=False)
    try:
        share = read_side.share_by_token(ids.tokens["share"])
    finally:
        read_side.close()
    for viewer in ("HR", "Hiring manager"):
        services.ledger.execute(Actor.employer(ids.ids["employer"]), RecordShareOpening(
            aroha, share.share_id, viewer=viewer))
    monkeypatch.setattr(ViewBatch, "_index_shares", refuse)

    catch_up_views(settings, services)

    monkeypatch.undo()
    followed = ViewsRunner(settings)
    try:
        kept = followed.views.table_rows()
    finally:
        followed.close()
    assert len(kept["shares"]) > 0 and rows_after(settings, 500, services.ledger.position()) == kept


def test_a_failed_batch_leaves_nothing_and_the_next_run_resumes(demo_log, monkeypatch):
    settings, _services, _ids, end, _aroha = demo_log
    expected = rows_after(settings, 500, end)
    runner = ViewsRunner(settings, size=10)
    try:
        runner.views.reset()
        runner.step()
        runner.step()
        assert runner.views.position() == 20
        before = runner.views.table_rows()

        def crash(cursor, tracking):
            raise RuntimeError("killed in the middle of a batch")

        monkeypatch.setattr(runner.views, "insert_tracking_in", crash)
        with pytest.raises(RuntimeError):
            runner.step()
        assert runner.views.table_rows() == before, "nothing of the failed batch was kept"
        assert runner.views.position() == 20
        monkeypatch.undo()
        assert runner.catch_up(end, timeout=60) == end
        assert runner.views.table_rows() == expected
    finally:
        runner.close()


def test_runners_taking_turns_leave_the_views_one_runner_leaves(demo_log):
    """A runner reads the tracking position only until it commits a page: a page another runner applied since is
    refused whole, and the runner reads the position again and carries on from there."""
    settings, _services, _ids, end, _aroha = demo_log
    expected = rows_after(settings, 500, end)
    first, second = ViewsRunner(settings, size=10), ViewsRunner(settings, size=10)
    try:
        first.views.reset()
        assert (first.step(), second.step()) == (10, 10)
        assert first.step() == 0, "its next page was applied by the other runner"
        assert first.views.position() == 20
        for turn in range(end):
            if first.views.position() == end:
                break
            (first, second)[turn % 2].step()
        assert first.views.position() == end
        assert first.views.table_rows() == expected
    finally:
        first.close()
        second.close()


def test_the_tracking_position_reaches_positions_no_view_uses(demo_log):
    settings, services, ids, end, _aroha = demo_log
    rows_after(settings, 500, end)
    # An access token's events: no view uses them.
    written = services.ledger.execute(Actor.admin(), IssueToken(Actor.employer(ids.ids["employer"])))
    runner = ViewsRunner(settings, size=500)
    try:
        runner.step()
        assert runner.views.position() == written.position
    finally:
        runner.close()


def test_reads_serve_documents_signed_and_checked_ahead(demo_log, monkeypatch):
    settings, services, ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    done = publish(settings)
    assert done["position"] == end and done["documents"] > 0
    assert status(settings)["publisher"] == {"position": end, "lag": 0}
    read_side = open_read_side(services, run_projections=False)
    try:
        def refuse(*args, **kwargs):
            raise AssertionError("signed or verified on read")

        with monkeypatch.context() as patched:
            patched.setattr(publisher_module, "sign", refuse)
            patched.setattr(documents_module, "verify", refuse)
            kept = read_side.clr(aroha)
            assert kept["proof"]
            assert read_side.clr(ids.ids["sam"])["credentialSubject"]["verifiableCredential"]
            view = read_side.employer_view(ids.tokens["share"])
            assert view is not None and view.credentials[0].verification.signature_valid
        # A share opening changes nothing a CLR says: the kept one is still served, not signed again.
        share = read_side.share_by_token(ids.tokens["share"])
        services.ledger.execute(Actor.employer(ids.ids["employer"]), RecordShareOpening(
            aroha, share.share_id, viewer="HR",
        ))
        catch_up_views(settings, services)
        assert publish(settings)["documents"] == 0  # nor by the signing step
        with monkeypatch.context() as patched:
            patched.setattr(publisher_module, "sign", refuse)
            assert read_side.clr(aroha) == kept
        # A new fact for the learner: the kept CLR is for an earlier position, so the read signs (and keeps) anew.
        enrol_again(services, read_side, aroha)
        catch_up_views(settings, services)
        fresh = read_side.clr(aroha)
        assert fresh["id"] != kept["id"]
        assert_kept_as_signed(read_side, aroha, fresh)
    finally:
        read_side.close()


def refuse(*args, **kwargs):
    raise AssertionError("not expected")


def enrol_again(services, read_side, learner) -> None:
    earlier = read_side.current.get(str(learner)).record.enrolments[0]
    services.ledger.execute(Actor.provider(earlier.provider_id), Enrol(
        learner, achievement_id=earlier.achievement_id, term="later", effective=date(2026, 1, 6)))


def assert_kept_as_signed(read_side, learner, document) -> None:
    """The CLR kept for the learner is the one just answered, at the learner's current position."""
    current, signed_at, stored = read_side.views.signed_clr(str(learner))
    assert signed_at == current and read_side.personal.reveal(learner, stored) == document


def test_the_signing_step_neither_reads_nor_opens_a_clr_a_read_signed_meanwhile(demo_log, monkeypatch):
    settings, services, _ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    publish(settings)
    read_side = open_read_side(services, run_projections=False)
    try:
        enrol_again(services, read_side, aroha)
        catch_up_views(settings, services)
        documents = SignedDocuments(read_side.views, read_side.publisher, read_side.personal)
        changed = read_side.views.learners_changed_after(documents.position(), 100)  # the step's, before the read
        assert [row[0] for row in changed] == [str(aroha)] and changed[0][2] != changed[0][1]
        signed = read_side.clr(aroha)
        monkeypatch.setattr(read_side.views, "learners_changed_after", lambda *args: changed)
        monkeypatch.setattr(read_side.views, "learner", refuse)
        monkeypatch.setattr(read_side.views, "signed_clr", refuse)
        documents.personal = type("Refusing", (), {"reveal": staticmethod(refuse)})()
        assert documents.step() == 0
        assert documents.position() == read_side.views.position()
        monkeypatch.undo()
        assert read_side.personal.reveal(aroha, read_side.views.signed_clr(str(aroha))[2]) == signed
    finally:
        read_side.close()


def test_a_clr_read_after_a_change_reads_the_learner_at_once_and_its_documents_with_the_kept_clrs_position(
        demo_log, monkeypatch):
    settings, services, _ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    read_side = open_read_side(services, run_projections=False)
    try:
        before = read_side.clr(aroha)  # signed here; the learner is kept
        enrol_again(services, read_side, aroha)
        catch_up_views(settings, services)
        with monkeypatch.context() as patched:
            for separately in ("learner_version", "learner_at_version", "credential_documents", "clr_parts"):
                patched.setattr(read_side.views, separately, refuse)  # read together: clr_sources
            after = read_side.clr(aroha)
        assert after["id"] != before["id"]
        assert_kept_as_signed(read_side, aroha, after)
    finally:
        read_side.close()


def test_a_signer_that_waited_for_another_reads_again_what_it_read_before(demo_log, monkeypatch):
    settings, services, _ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    read_side = open_read_side(services, run_projections=False)
    try:
        enrol_again(services, read_side, aroha)
        catch_up_views(settings, services)
        sources = read_side.views.clr_sources(str(aroha))
        current = read_side.current.get(str(aroha), sources[1], state=sources[0])
        answered, signatures, sign = {}, [], publisher_module.sign
        monkeypatch.setattr(publisher_module, "sign", lambda *args: signatures.append(1) or sign(*args))

        def read_right_after_the_write() -> None:
            answered["clr"] = read_side.documents.sign_clr(str(aroha), (current.state, current.catalogue), sources[2:])

        reader = threading.Thread(target=read_right_after_the_write)
        with documents_module._signing(str(aroha)):
            reader.start()
            time.sleep(0.3)
            kept = read_side.documents._sign_clr(str(aroha), None, None)  # the signing step, first
        reader.join()
        assert sources[2] != sources[1][0] and answered["clr"] == kept and len(signatures) == 1
    finally:
        read_side.close()


def catch_up_views(settings, services) -> None:
    runner = ViewsRunner(settings)
    try:
        runner.catch_up(services.ledger.position(), timeout=60)
    finally:
        runner.close()


def test_the_signing_step_reads_its_own_position_once_and_is_given_the_views(demo_log, monkeypatch):
    settings, services, ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    read_side = open_read_side(services, run_projections=False)
    try:
        documents = SignedDocuments(read_side.views, read_side.publisher, read_side.personal)
        assert documents.step() > 0 and documents.reached == end == documents.position()
        services.ledger.execute(Actor.admin(), RecordShareOpening(aroha, ids.ids["share"], viewer="an employer"))
        catch_up_views(settings, services)
        reads = []
        monkeypatch.setattr(read_side.views, "published_position", lambda name: reads.append(name) or 0)
        monkeypatch.setattr(read_side.views, "position", lambda: reads.append("views") or 0)
        assert documents.step(target=end + 1) == 0  # an opening changes no learner's position and no credential
        assert documents.step(target=end + 1) == 0
        assert reads == [] and documents.reached == end + 1
        monkeypatch.undo()
        assert documents.position() == end + 1
    finally:
        read_side.close()


def test_a_page_of_share_openings_alone_does_not_wake_the_signing_step(demo_log):
    settings, services, ids, end, aroha = demo_log
    runner = ViewsRunner(settings)
    try:
        runner.catch_up(end, timeout=60)
        runner.advanced.clear()
        services.ledger.execute(Actor.admin(), RecordShareOpening(aroha, ids.ids["share"], viewer="an employer"))
        assert runner.step() == 1 and not runner.advanced.is_set()
        read_side = open_read_side(services, run_projections=False)
        try:
            enrol_again(services, read_side, aroha)
        finally:
            read_side.close()
        assert runner.step() == 1 and runner.advanced.is_set()
    finally:
        runner.close()


def test_the_signing_step_leaves_a_learner_changed_after_its_target_to_the_next_round(demo_log):
    settings, services, ids, end, aroha = demo_log
    rows_after(settings, 500, end)
    publish(settings)
    read_side = open_read_side(services, run_projections=False)
    try:
        target = services.ledger.execute(Actor.admin(), IssueToken(Actor.employer(ids.ids["employer"]))).position
        enrol_again(services, read_side, aroha)
        catch_up_views(settings, services)
        documents = SignedDocuments(read_side.views, read_side.publisher, read_side.personal)
        assert documents.step(target=target) == 0
        assert documents.position() == target
        current, signed_at = read_side.views.signed_clr_position(str(aroha))
        assert signed_at < current
        assert documents.step() == 1 and documents.position() == current
    finally:
        read_side.close()


def test_a_round_the_views_moved_starts_after_a_read_right_after_the_write_had_its_turn(monkeypatch):
    documents = SignedDocuments(None, None, None)  # type: ignore[arg-type]
    rounds = []
    monkeypatch.setattr(documents, "step", lambda stop, target: rounds.append((time.monotonic(), target)) or 0)
    woken = time.monotonic()
    documents.follow(lambda: bool(rounds), threading.Event(), views_position=lambda: 7)
    assert rounds[0][1] == 7 and rounds[0][0] - woken >= documents_module.READ_FIRST_SECONDS
