"""A share's openings are its access log, kept beside the learner's state: recording one leaves the learner's state
row and position as they were (so the kept CLR, skills and employer views stay current, however often a link is
opened), and the learner's list of shares shows every opening. Views written in an older format are rebuilt."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from application.commands import RecordShareOpening
from credentials.publisher import Publisher
from domain.values import Actor
from ops.demo import load_demo
from projections import learner_state
from projections.schema import VIEWS_FORMAT
from projections.store import FORMAT_NAME
from tests.projections.helpers import caught_up
from wiring.projection_runner import ViewsRunner, close_views, open_views
from wiring.services import build_services

OPENINGS = 12  # more than a reader would once look through to tell openings from changes


def refuse(*args, **kwargs):
    raise AssertionError("signed again")


def test_openings_leave_the_learner_as_it_was_and_are_listed_with_their_share(embedded, monkeypatch):
    services, read_side = embedded
    ids = load_demo(services.ledger)
    caught_up(read_side, services)
    aroha, token = ids.ids["aroha"], ids.tokens["share"]
    kept_clr = read_side.documents.sign_clr(str(aroha))
    share = read_side.share_by_token(token)
    before = {table: read_side.views.table_rows()[table] for table in ("learners", "share_openings")}
    viewers = [f"viewer {n}" for n in range(OPENINGS)]

    openings = [services.ledger.execute(Actor.employer(share.employer_id), RecordShareOpening(
        aroha, share.share_id, viewer=viewer)) for viewer in viewers]

    caught_up(read_side, services)
    after = read_side.views.table_rows()
    assert after["learners"] == before["learners"]
    assert len(after["share_openings"]) == len(before["share_openings"]) + OPENINGS
    listed = next(s for s in read_side.shares(aroha) if s.share_id == share.share_id)
    assert [o.viewer for o in listed.openings][-OPENINGS:] == viewers
    assert [o.position for o in listed.openings][-OPENINGS:] == [o.position for o in openings]
    monkeypatch.setattr(Publisher, "sign", refuse)
    read_side.current.kept.clear()
    assert read_side.clr(aroha) == kept_clr


def test_the_fold_of_a_learner_leaves_openings_out():
    granted = {"position": 1, "recorded_at": "2026-01-01T00:00:00.000000Z", "effective": "2026-01-01",
               "fact": "Learner.ShareGranted", "recorded_by": "learner:x", "subject": {}, "data": {"share": {
                   "share_id": "s", "employer_id": "e", "credential_ids": [], "skill_urls": [], "purpose": "p",
                   "expires_at": "2027-01-01T00:00:00.000000Z", "token_hash": "h", "revoked": False}}}
    opened = {**granted, "position": 2, "fact": "Learner.ShareOpened", "recorded_by": "employer:e",
              "data": {"share_id": "s", "viewer": "HR"}}

    state = learner_state.fold("x", [granted, opened, {**opened, "position": 3}])

    assert state == learner_state.fold("x", [granted])
    assert state["position"] == 1 and state["facts"] == 1


@contextmanager
def demo_log(settings: Any) -> Iterator[int]:
    """The demo written to the ledger: its log's end."""
    services = build_services(settings)
    try:
        load_demo(services.ledger)
        yield services.ledger.position()
    finally:
        services.close()


@contextmanager
def runner(settings: Any) -> Iterator[ViewsRunner]:
    started = ViewsRunner(settings)
    try:
        yield started
    finally:
        started.close()


def test_views_written_in_an_older_format_are_emptied_and_rebuilt_by_the_next_runner(any_settings):
    with demo_log(any_settings) as end:
        with runner(any_settings) as first:
            first.catch_up(end, timeout=60)
            rebuilt = first.views.table_rows()
            first.views.set_published_position(FORMAT_NAME, VIEWS_FORMAT - 1)

        with runner(any_settings) as second:
            assert second.views.position() == 0
            assert second.catch_up(end, timeout=60) == end
            assert second.views.table_rows() == rebuilt
        views = open_views(any_settings)
        try:
            assert views.published_position(FORMAT_NAME) == VIEWS_FORMAT
        finally:
            close_views(views)


def test_a_runner_records_its_format_in_new_views_and_keeps_views_of_its_format(any_settings):
    with demo_log(any_settings) as end:
        with runner(any_settings) as first:
            assert first.views.published_position(FORMAT_NAME) == VIEWS_FORMAT
            first.catch_up(end, timeout=60)
        with runner(any_settings) as again:
            assert again.views.position() == end
