"""Shared parts of the benchmark harness: where the database is, fresh schemas, timing, figures and the table."""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/ler_bench"
RESULTS_DIR = Path(__file__).parent / "results"


def database_url() -> str:
    """The scratch database to measure in: ``BENCH_DATABASE_URL``, else ``ler_bench`` on the local server (created
    when missing). Never the test suite's database by default: each measurement makes its own schemas in it."""
    url = (os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL).split("?")[0]
    if not url.startswith(("postgres://", "postgresql://")):
        raise ValueError(f"BENCH_DATABASE_URL must be a postgresql:// URL, got {url!r}")
    ensure_database(url)
    return url


def ensure_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if name not in str(error) or "does not exist" not in str(error):
            raise
        with psycopg.connect(urlunparse(urlparse(url)._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load_average() -> float:
    """The machine's 1-minute load average (other work on it makes every figure noisier)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan


def connect(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True, **kwargs)


@contextmanager
def fresh_schema(url: str, prefix: str, *, keep: bool = False) -> Iterator[str]:
    """A new, empty schema for one measurement, dropped afterwards (unless ``keep``)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with connect(url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        if not keep:
            with connect(url) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def server_settings(url: str) -> dict[str, str]:
    names = ("server_version", "synchronous_commit", "fsync", "wal_sync_method", "commit_delay", "shared_buffers")
    with connect(url) as conn:
        return {name: str(conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0])  # type: ignore[index]
                for name in names}


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def run_threads(count: int, work: Callable[[int], None]) -> float:
    """Run ``work(i)`` in ``count`` threads started together; return the wall-clock seconds until all finish."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count + 1)

    def target(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as error:  # reported after the join
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms), "p50_ms": percentile(ms, 50), "p90_ms": percentile(ms, 90), "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else math.nan, "mean_ms": statistics.fmean(ms) if ms else math.nan,
    }


def max_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float | None:
    """Current resident set size of a process, from /proc (Linux); None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def proc_memory_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak resident set) and VmRSS (current) of a live process, in MB, from /proc (Linux); {} elsewhere."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] = int(rest.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        return {}
    return found


@dataclass
class Figure:
    """One row of the table.

    ``value`` and ``baseline`` are in ``unit``; ``ratio`` is value / baseline for rates (higher is better) and
    baseline / value for latencies (how close to the in-process or raw cost, higher is better too). ``target`` says
    what is asked: ``ratio>=0.8``, ``p99<=10ms`` or empty (informational). ``met`` is None when not applicable.
    """

    key: str
    label: str
    unit: str = ""
    value: float | None = None
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    available: bool = True
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # shown instead of the value when set
    baseline_text: str = ""  # shown instead of the baseline when set
    load: float = field(default_factory=load_average)  # 1-minute load average when the figure was taken
    pair_ratios: list[float] = field(default_factory=list)  # one ratio per alternated pair; ratio is their median
    verdict: str = ""  # yes, NO, or why neither can be said

    @classmethod
    def missing(cls, key: str, label: str, why: str, target: str = "") -> Figure:
        return cls(key, label, available=False, note=f"not available: {why}", target=target)

    @property
    def spread(self) -> float | None:
        return max(self.pair_ratios) - min(self.pair_ratios) if len(self.pair_ratios) > 1 else None

    def judge(self) -> Figure:
        """Set ``met`` from ``target``; a ratio whose pairs spread wider than its distance to the target is neither
        met nor missed (the verdict says so)."""
        if not self.available or not self.target:
            return self
        name, _, bound = self.target.partition("<=") if "<=" in self.target else self.target.partition(">=")
        limit = float(bound.rstrip("ms"))
        if name == "ratio" and self.ratio is not None:
            self.met = self.ratio >= limit
            spread = self.spread
            if spread is not None and spread > abs(self.ratio - limit):
                self.met = None
                self.verdict = f"unclear: spread {spread:.2f} > margin {abs(self.ratio - limit):.2f}"
        elif name == "p99":
            p99 = self.details.get("p99_ms")
            self.met = None if p99 is None else p99 <= limit
        if not self.verdict and self.met is not None:
            self.verdict = "yes" if self.met else "NO"
        return self


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table: figure, value, baseline, ratio, target, met?"""
    rows = [("figure", "value", "baseline", "ratio (pairs)", "target", "met?", "load")]
    for f in figures:
        if not f.available:
            rows.append((f.label, f.note, "", "", f.target or "", "n/a", f"{f.load:.1f}"))
            continue
        baseline = f"{_fmt(f.baseline, f.unit)} ({f.baseline_label})" if f.baseline_label else _fmt(f.baseline, f.unit)
        baseline = f.baseline_text or baseline
        value = _fmt(f.value, f.unit)
        if "p99_ms" in f.details:
            value = f"p50 {f.details['p50_ms']:.2f} / p99 {f.details['p99_ms']:.2f} ms"
        value = f.text or value
        ratio = _fmt(f.ratio) + ("x" if f.ratio else "")
        if len(f.pair_ratios) > 1:
            ratio += f" ({min(f.pair_ratios):.2f}-{max(f.pair_ratios):.2f}, n={len(f.pair_ratios)})"
        rows.append((f.label, value, baseline, ratio, f.target, f.verdict, f"{f.load:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def figures_json(figures: Sequence[Figure]) -> list[dict[str, Any]]:
    return [asdict(f) for f in figures]
