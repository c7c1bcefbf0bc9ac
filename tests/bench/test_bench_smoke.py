"""The benchmark harness runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.bench.__main__ import main

pytestmark = pytest.mark.postgres


def test_bench_runs_at_tiny_size(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", postgres_url)
    out = tmp_path / "bench.json"
    assert main(["--size", "tiny", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| figure" in printed and "append through the Ledger, 4 writers" in printed
    result = json.loads(out.read_text())
    keys = {figure["key"] for figure in result["figures"]}
    assert {"append.ledger.w1", "append.ledger.w4", "append.ledger.w4.library"} <= keys
    for figure in result["figures"]:
        assert figure["available"] or figure["note"].startswith("not available")
    assert result["server"]["synchronous_commit"] == "on"
