"""The benchmark harness runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.bench.__main__ import main
from ops.bench.http import ROUNDS_PER_PAIR
from ops.bench.sizes import SIZES

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
    assert {"append.ledger.w1", "append.ledger.w4", "append.ledger.w4.library", "append.ledger.w1.early_unlock",
            "append.ledger.w4.early_unlock", "projection.catch_up",
            "memory.projection", "http.append.c4", "http.append.c16", "memory.api", "read.skills"} <= keys
    for figure in result["figures"]:
        assert figure["available"] or figure["note"].startswith("not available")
    assert result["server"]["synchronous_commit"] == "on"
    by_key = {figure["key"]: figure for figure in result["figures"]}
    assert by_key["http.append.c4"]["available"], by_key["http.append.c4"]["note"]
    assert len(by_key["http.append.c4"]["pair_ratios"]) >= 3 and by_key["http.append.c4"]["load"] >= 0
    for ours, theirs in ((p["ledger"], p["peer"]) for p in by_key["http.append.c4"]["details"]["pairs"]):
        assert ours["rounds"] == theirs["rounds"] == ROUNDS_PER_PAIR and "samples" not in ours
        assert ours["requests"] == theirs["requests"] == ROUNDS_PER_PAIR * SIZES["tiny"].http_requests
    assert by_key["memory.api"]["value"] > 0 and by_key["memory.projection"]["value"] > 0
    assert by_key["read.skills"]["details"]["at_half"]  # measured at two sizes
    for page in ("pages.learner_home", "pages.share", "pages.learner_home.padded"):
        assert by_key[page]["available"] and by_key[page]["details"]["p99_ms"] > 0, page


def test_bulk_path_writes_through_the_ledger(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", postgres_url)
    out = tmp_path / "bench.json"
    assert main(["--size", "tiny", "--bulk", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    dataset = next(f for f in result["figures"] if f["key"] == "dataset.events")
    assert dataset["details"]["bulk"] and dataset["details"]["events"] > 100
