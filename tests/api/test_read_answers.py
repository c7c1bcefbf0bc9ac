"""Given the demo story, then the CLR, the skills profile and a share's employer view over HTTP are exactly the read
side's views as JSON (orjson serialises them, not FastAPI's encoder: the two must agree); a share link's opening is
recorded while its view is read, and stored before the answer leaves."""

import threading
from uuid import UUID

from fastapi.encoders import jsonable_encoder

from api.routers import shares
from projections.share_links import ShareLink
from tests.api.conftest import Api
from tests.api.story import Story, bearer


def test_the_clr_and_skills_answers_are_the_views_as_fastapi_would_encode_them(told: tuple[Api, Story]) -> None:
    api, story = told
    for learner in ("aroha", "sam"):
        learner_id = UUID(story.ids[learner])
        headers = bearer(story.tokens[learner])
        for path, view in (("clr", api.read_side.clr), ("skills", api.read_side.skills)):
            answer = api.client.get(f"/v1/learners/{learner_id}/{path}", headers=headers)
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "application/json"
            assert answer.json() == jsonable_encoder(view(learner_id))


def test_a_share_link_answers_the_employer_view_as_fastapi_would_encode_it(told: tuple[Api, Story]) -> None:
    api, story = told
    token = story.tokens["share_link"]
    answer = api.client.get(f"/v1/shared/{token}", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == jsonable_encoder(api.read_side.employer_view(token))


def test_a_share_links_opening_is_recorded_while_its_view_is_read(told: tuple[Api, Story], monkeypatch) -> None:
    api, story = told
    token, recording, seen = story.tokens["share_link"], threading.Event(), []
    record, open_link = shares._record_opening, api.read_side.open_link

    def recorded(*args: object) -> None:
        recording.set()
        record(*args)  # type: ignore[arg-type]

    def read(link: ShareLink) -> object:
        seen.append(recording.wait(5))  # the write started before the learner is read, not after
        return open_link(link)

    monkeypatch.setattr(shares, "_record_opening", recorded)
    monkeypatch.setattr(api.read_side, "open_link", read)
    before = api.position
    answer = api.client.get(f"/v1/shared/{token}", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and seen == [True]
    assert api.position == before + 1  # and stored before the answer left
