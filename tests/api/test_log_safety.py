"""Log lines never carry a capability secret (share links, sign-in links, token/code query values) and never write
control characters raw: the request log, the console and JSON renderers, and uvicorn's own lines."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.log_safety import (
    CAPABILITY_PATHS,
    REDACTED,
    SECRET_QUERY_PARAMETERS,
    escape_controls,
    make_log_safe,
    redact,
)
from adapters.logs import configure_logging
from tests.api.conftest import Api
from tests.api.story import Story, bearer


class Captured(io.StringIO):
    json_logs = False

    def taken(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


@pytest.fixture(params=["json", "console"])
def captured(request: pytest.FixtureRequest) -> Iterator[Captured]:
    stream = Captured()
    stream.json_logs = request.param == "json"
    configure_logging(json_logs=stream.json_logs, stream=stream)
    yield stream
    structlog.reset_defaults()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().handlers = []


def test_share_links_are_redacted_in_the_request_log(told: tuple[Api, Story], captured: Captured) -> None:
    api, story = told
    link = story.tokens["share_link"]
    assert api.client.get(f"/v1/shared/{link}").status_code == 200
    assert api.client.get(f"/v1/shared/{link}x").status_code == 404
    api.client.get(f"/v1/learners/{story.ids['aroha']}/record?token={link}&code=abc123",
                   headers=bearer(story.tokens["aroha"]))
    logged = captured.taken()
    assert "/v1/shared/[secret]" in logged
    assert link not in logged and "abc123" not in logged
    if captured.json_logs:
        paths = [json.loads(line).get("path") for line in logged.splitlines() if line.startswith("{")]
        assert "/v1/shared/[secret]" in paths


def test_control_characters_in_paths_are_escaped(told: tuple[Api, Story], captured: Captured) -> None:
    api, _ = told
    api.client.get("/v1/%1b[31mred%1b[0m%0Afake=line%07%E2%80%AE")
    logged = captured.taken()
    assert "\x1b" not in logged and "\x07" not in logged and "\u202e" not in logged
    assert "\\x1b[31mred" in logged
    line = next(line for line in logged.splitlines() if "red" in line and "path" in line)
    assert "fake=line" in line, "the newline stayed inside the one line"
    if captured.json_logs:
        assert "\x1b" not in json.loads(line)["path"]


def test_uvicorn_lines_pass_the_same_redaction(captured: Captured) -> None:
    try:
        raise RuntimeError("failed on GET /v1/shared/s3cr3t-link-value?x=1")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1", "GET",
                                             "/sign-in/0ne-time-c0de\x1b[2J", "1.1", 200)
    logged = captured.taken()
    assert "s3cr3t-link-value" not in logged and "0ne-time-c0de" not in logged
    assert "Exception in ASGI application" in logged and "RuntimeError" in logged
    assert "/sign-in/[secret]" in logged and "\x1b" not in logged


@pytest.mark.parametrize(("text", "expected"), [
    ("/v1/shared/abc_DEF-123", "/v1/shared/" + REDACTED),
    ("https://ler.localhost/v1/shared/abc?x=1", "https://ler.localhost/v1/shared/" + REDACTED + "?x=1"),
    ("/sign-in/xyz/confirm", "/sign-in/" + REDACTED + "/confirm"),
    ("/sign-in/link/abc", "/sign-in/link/" + REDACTED),
    ("/v1/shared/[secret]", "/v1/shared/[secret]"),
    ("/cb?code=123&state=ok&token=t0k", "/cb?code=" + REDACTED + "&state=ok&token=" + REDACTED),
    ("/v1/learners/abc/record", "/v1/learners/abc/record"),
    ("GET /v1/shared/", "GET /v1/shared/"),
])
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_escaping_keeps_tracebacks_multiline_only_where_asked() -> None:
    assert escape_controls("a\nb\x1b") == "a\\x0ab\\x1b"
    assert escape_controls("a\nb\x1b", keep_lines=True) == "a\nb\\x1b"
    assert escape_controls("\u202egnp.exe") == "\\u202egnp.exe"


def test_every_character_escaped_is_unprintable() -> None:
    """The processor passes printable text without the patterns: nothing they match may be printable."""
    matched = [chr(code) for code in range(0x110000) if escape_controls(chr(code)) != chr(code)]
    assert len(matched) > 64
    assert not any(character.isprintable() for character in matched)


def test_the_processor_makes_every_kind_of_field_safe() -> None:
    line = make_log_safe(None, "info", {
        "event": "request", "path": "/v1/shared/s3cr3t", "query": "?token=t0k", "principal": "learner:\x1b\u202e",
        "reason": "bad\nline", "status": 201, "ms": 1.5, "replayed": False, "id": None,
        "items": ["/sign-in/abc", 3], "context": {"url": "/shared/xyz"}, "exception": "Traceback\n  at\x07",
    })
    assert line == {
        "event": "request", "path": "/v1/shared/" + REDACTED, "query": "?token=" + REDACTED,
        "principal": "learner:\\x1b\\u202e", "reason": "bad\\x0aline", "status": 201, "ms": 1.5, "replayed": False,
        "id": None, "items": ["/sign-in/" + REDACTED, 3], "context": {"url": "/shared/" + REDACTED},
        "exception": "Traceback\n  at\\x07",
    }


_PIECES = st.sampled_from(["/v1/shared/", "/shared/", "/sign-in/link/", "/signin/", "/login/", "/v1/learners/",
                           "?token=", "&code=", ";secret=", "?x=", "=", "/", "abc", "S3cr3t", " ", "\x1b", "\n",
                           "\u202e", "#", "'", '"', "Token=", "é"])


CAPABILITY = re.compile("(" + "|".join(CAPABILITY_PATHS) + r")[^/?#\s\"'<>]+")
SECRET_QUERY = re.compile(r"([?&;](?:" + "|".join(SECRET_QUERY_PARAMETERS) + r")=)[^&;#\s\"'<>]*", re.IGNORECASE)


def _reference_redact(text: str) -> str:
    """Both patterns over every text, as before the checks that skip them."""
    return SECRET_QUERY.sub(r"\1" + REDACTED, CAPABILITY.sub(r"\1" + REDACTED, text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=8).map("".join))
def test_redaction_skips_a_pattern_only_where_it_could_not_match(text: str) -> None:
    assert redact(text) == _reference_redact(text)
    line = make_log_safe(None, "info", {"event": text, "path": text, "n": 3, "items": [text]})
    reference = escape_controls(_reference_redact(text))
    assert line == {"event": reference, "path": reference, "n": 3, "items": [reference]}
