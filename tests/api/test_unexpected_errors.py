"""An unexpected failure answers 500 problem+json and leaves an error line in the log (the request id is bound
to every line of the request by the logging middleware)."""

from uuid import uuid4

import pytest
from structlog.testing import capture_logs

from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.story import bearer


def test_an_unexpected_error_is_logged(sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sqlite_api.read_side, "skills", broken)
    with capture_logs() as logs:
        answer = sqlite_api.client.get(f"/v1/learners/{uuid4()}/skills", headers=bearer(ADMIN_TOKEN))
    assert answer.status_code == 500 and answer.json()["code"] == "internal-error"
    [logged] = [line for line in logs if line["event"] == "unhandled error"]
    assert logged["error"] == "RuntimeError" and logged["log_level"] == "error"
