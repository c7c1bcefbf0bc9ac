"""Given the demo story told through HTTP, when Aroha is erased and the key-encryption key rotated, then no value she
ever gave (name, email, student id, DID, her own words) is found in any API answer, in the database (a `pg_dump`, or
every SQLite file), in a backup of the keys taken before, or in the logs; and her tokens no longer open anything."""

import io
import subprocess
from collections.abc import Iterator

import pytest
import structlog

from adapters.logs import configure_logging
from application.ledger import Ledger
from tests.api.conftest import ADMIN_TOKEN, Api, start
from tests.api.story import COMMUNICATION, Story, bearer, tell
from wiring.settings import Settings

AROHA_GAVE = ("Aroha Ngata", "aroha@example.org", "S1234567", "did:example:aroha",
              "Wrote public notices and ran community meetings.", "Aroha led our community notices.")


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """Every log line the ledger writes, as JSON, kept for the search."""
    lines = io.StringIO()
    configure_logging(json_logs=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=lines))
    yield lines
    structlog.reset_defaults()


@pytest.fixture
def told(any_settings: Settings, logged: io.StringIO) -> Iterator[tuple[Api, Story, Settings]]:
    api = start(any_settings)
    story = tell(api.client, ADMIN_TOKEN)
    assert api.read_side.wait_for(story.position, timeout=30)
    yield api, story, any_settings
    api.close()


def _answers(api: Api, story: Story, aroha_token: str) -> list[str]:
    """Every answer that could carry Aroha's data, as each principal would ask for it."""
    aroha, admin = story.ids["aroha"], bearer(ADMIN_TOKEN)
    gets = [(admin, f"/v1/learners/{aroha}/{view}") for view in ("record", "clr", "skills")]
    gets += [(admin, f"/v1/learners/{aroha}/pathways/{story.ids['bachelor']}"),
             (bearer(aroha_token), f"/v1/learners/{aroha}/record"),
             (bearer(aroha_token), f"/v1/learners/{aroha}/shares"),
             (bearer(story.tokens["university"]), f"/v1/learners/{aroha}/record"),
             (admin, f"/v1/credentials/{story.ids['aroha_communication']}"),
             ({}, f"/v1/shared/{story.tokens['share_link']}"),
             ({"Accept": "text/html"}, f"/v1/shared/{story.tokens['share_link']}"),
             (admin, "/v1/events?after=0&limit=1000")]
    answers = [api.client.get(path, headers=headers, params={"min_position": story.position}).text
               for headers, path in gets]
    query = api.client.post("/v1/employers/skill-queries", headers=bearer(story.tokens["employer"]),
                            json={"skills": [COMMUNICATION["url"]]})
    return [*answers, query.text]


def _found(texts: list[str] | str | bytes) -> set[str]:
    blob = texts if isinstance(texts, bytes) else "\n".join([texts] if isinstance(texts, str) else texts).encode()
    return {value for value in AROHA_GAVE if value.encode() in blob}


def _stored_bytes(settings: Settings) -> bytes:
    if settings.uses_postgres:
        url, _, query = settings.database_url.partition("?")
        schema = query.partition("schema=")[2]
        dump = subprocess.run(["pg_dump", "--data-only", f"--schema={schema}", url], capture_output=True, check=True)
        return dump.stdout + b"".join(p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file())
    return b"".join(p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file())



def _erase_and_rotate(api: Api, story: Story) -> None:
    erased = api.client.post(f"/v1/learners/{story.ids['aroha']}/erasure", headers=bearer(ADMIN_TOKEN),
                             json={"reason": "the learner asked for erasure"})
    assert erased.status_code == 200, erased.text
    story.position = erased.json()["position"]
    assert api.read_side.wait_for(story.position, timeout=30)
    vault = api.services.personal_data
    vault.keyring.begin_rotation()
    vault.rewrap_all()
    vault.keyring.retire_all_but_current()


def test_nothing_aroha_gave_survives_her_erasure(told: tuple[Api, Story, Settings],
                                                 logged: io.StringIO) -> None:
    api, story, settings = told
    aroha_token = story.tokens["aroha"]
    before = _answers(api, story, aroha_token)
    assert {"did:example:aroha"} <= _found(before), \
        "the search finds her data while she is on the ledger"
    assert not _found(_stored_bytes(settings)), "sealed at rest even before erasure"

    _erase_and_rotate(api, story)

    after = _answers(api, story, aroha_token)
    assert _found(after) == set(), "no API answer names her"
    assert _found(_stored_bytes(settings)) == set(), "no stored byte names her"
    assert "command handled" in logged.getvalue(), "the log was captured"
    assert _found(logged.getvalue()) == set(), "no log line names her"
    assert api.client.get(f"/v1/learners/{story.ids['aroha']}/record",
                          headers=bearer(aroha_token)).status_code == 401, "her tokens are revoked"
    sam = api.client.get(f"/v1/learners/{story.ids['sam']}/record", headers=bearer(story.tokens["sam"]))
    assert "Employer reference, Sunrise Aged Care" in sam.text, "another learner's words still open"


@pytest.fixture
def snapshotted(monkeypatch: pytest.MonkeyPatch, any_settings: Settings,
                logged: io.StringIO) -> Iterator[tuple[Api, Story, Settings]]:
    """The story with snapshots as often as they go (interval 1) of each aggregate the Ledger snapshots."""
    monkeypatch.setattr(Ledger, "snapshotting_intervals", dict.fromkeys(Ledger.snapshotting_intervals, 1))
    api = start(any_settings)
    story = tell(api.client, ADMIN_TOKEN)
    assert api.read_side.wait_for(story.position, timeout=30)
    yield api, story, any_settings
    api.close()


def test_nothing_aroha_gave_survives_in_snapshots(snapshotted: tuple[Api, Story, Settings]) -> None:
    api, story, settings = snapshotted
    assert api.services.ledger.snapshots is not None
    assert not _found(_stored_bytes(settings)), "snapshots are sealed at rest as the events are"
    _erase_and_rotate(api, story)
    assert _found(_stored_bytes(settings)) == set(), "no snapshot names her"


def test_her_views_say_erased(told: tuple[Api, Story, Settings]) -> None:
    api, story, _ = told
    _erase_and_rotate(api, story)
    record = api.client.get(f"/v1/learners/{story.ids['aroha']}/record", headers=bearer(ADMIN_TOKEN)).json()
    texts = [str(entry) for entry in record["entries"]]
    assert any("erased" in text for text in texts), texts
    clr = api.client.get(f"/v1/learners/{story.ids['aroha']}/clr", headers=bearer(ADMIN_TOKEN))
    assert clr.status_code in (404, 410), clr.text
