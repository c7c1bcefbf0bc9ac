"""The `ler` command: plain errors, no tracebacks; the demo printed as text."""

import logging
from collections.abc import Iterator

import pytest
import structlog

from ops.cli import main


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The CLI configures structlog to print to the stderr of the moment (here: pytest's capture, closed after)."""
    yield
    structlog.reset_defaults()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().handlers = []


def test_a_bad_port_is_a_plain_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                       tmp_path) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("LER_DATA_DIR", str(tmp_path / "data"))
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ler: error: PORT must be a number") and "Traceback" not in err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_demo_loads_the_story_and_prints_the_record(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    monkeypatch.setenv("LER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo story loaded." in out and "Credential issued" in out and "Shared with Harbour City Council" in out
    assert main(["demo"]) == 0
    assert "already held data" in capsys.readouterr().out
