"""PostgreSQL: the projection runs as a separate process. Killed with SIGKILL in the middle of its work and
restarted, it ends equal to a clean rebuild, with no event applied twice."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from application.commands import RegisterEmployer, RegisterLearner
from credentials.schema import validate_credential
from domain.values import Actor, Identifier
from ops.demo import load_demo
from projections.schema import loads
from tests.projections.helpers import caught_up, rebuilt_rows, wait_position
from wiring.projection_runner import open_views, rebuild, status
from wiring.read_side import open_read_side
from wiring.runner_lock import RunnerBusy
from wiring.services import build_services

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def runner_process(settings) -> subprocess.Popen:
    # Small batches, so that the kill falls in the middle of the work (every batch is one transaction).
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LER_DATA_DIR": str(settings.data_dir),
           "LER_LOG_FORMAT": "json", "LER_PROJECTION_BATCH": "25"}
    return subprocess.Popen([sys.executable, "-m", "wiring.projection_runner", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_in_process_runner_on_postgres(postgres_settings):
    services = build_services(postgres_settings)
    read_side = open_read_side(services, run_projections=True)
    try:
        ids = load_demo(services.ledger)
        caught_up(read_side, services)
        clr = read_side.clr(ids.ids["aroha"])
        assert validate_credential(clr, strict=True) == []
        assert read_side.skill_query(ids.ids["employer"], ["https://osmt.example.edu/api/skills/communication"])
        assert read_side.lags()["views"]["lag"] == 0
    finally:
        read_side.close()
        services.close()


def test_killed_runner_resumes_and_equals_a_clean_rebuild(postgres_settings):
    services = build_services(postgres_settings)
    try:
        load_demo(services.ledger)
        provider = Actor.provider(services.ledger.repository.get(
            services.ledger.recorder.select_notifications(start=1, limit=1)[0].originator_id).id)
        for n in range(300):  # two events each: enough for the runner to be killed in the middle of its work
            if n % 5:
                services.ledger.execute(Actor.admin(), RegisterEmployer(name=f"Employer {n}"))
            else:
                services.ledger.execute(provider, RegisterLearner(primary_identifier=Identifier("kill-test", f"K{n}")))
        end = services.ledger.position()
    finally:
        services.close()

    first = runner_process(postgres_settings)
    views = open_views(postgres_settings)
    deadline = time.monotonic() + 60
    while views.position() < 150 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = views.position()
    assert 0 < killed_at < end, f"killed at {killed_at} of {end}: not in the middle of its work"

    second = runner_process(postgres_settings)
    try:
        assert wait_position(postgres_settings, end, timeout=60), status(postgres_settings)
        with pytest.raises(RunnerBusy):
            rebuild(postgres_settings)  # refused while a runner works on the views
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0, second.stderr.read().decode() if second.stderr else ""

    resumed = views.table_rows()
    positions = [row[0][1] for row in resumed["log"]]
    assert positions == list(range(1, end + 1)), "every event applied once, none skipped"
    facts = Counter(dict(row)["learner_id"] for row in resumed["facts"])
    for row in resumed["learners"]:
        learner = dict(row)
        assert loads(learner["state"])["facts"] == facts[learner["learner_id"]], "no fact folded twice"
    assert rebuilt_rows(postgres_settings) == resumed
    assert status(postgres_settings)["views"] == {"position": end, "lag": 0}
