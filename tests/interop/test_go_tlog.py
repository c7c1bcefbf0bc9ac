"""The ledger's checkpoints and proofs verify with Go's golang.org/x/mod/sumdb/note and sumdb/tlog (Debian's
golang-go and golang-golang-x-mod-dev, built offline in GOPATH mode); tampered inputs fail there."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ADMIN_TOKEN, Api, start
from tests.api.story import tell
from tests.transparency.ledger_log import ADMIN, checkpointed, tlog
from wiring.log_keys import rotate_log_key, wait_for_transition
from wiring.settings import Settings, load_settings

pytestmark = pytest.mark.interop

GO_SOURCE = Path(__file__).parent / "go"
GOPATH = "/usr/share/gocode"
MODULE = Path(GOPATH) / "src/golang.org/x/mod/sumdb/tlog"
INSTALL = "`make test` installs them (apt-get install golang-go golang-golang-x-mod-dev)"


@pytest.fixture(scope="module")
def go_verifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not MODULE.is_dir():
        problem = f"Go or golang.org/x/mod is not installed: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the Go verifier cannot be built: {problem}")
        print(f"skipping the Go interop check: {problem}")
        pytest.skip(problem)
    out = tmp_path_factory.mktemp("go") / "verify"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": GOPATH, "GOFLAGS": "",
           "GOCACHE": str(out.parent / "cache"), "GOPROXY": "off"}
    subprocess.run([go, "build", "-o", str(out), str(GO_SOURCE / "verify.go")], env=env, check=True, timeout=300)
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def log_api(request: pytest.FixtureRequest) -> Iterator[Api]:
    base: Settings = request.getfixturevalue(f"{request.param}_settings")
    env = {"LER_DATA_DIR": str(base.data_dir), "LER_CHECKPOINT_SECONDS": "0"}
    if base.uses_postgres:
        env["DATABASE_URL"] = base.database_url
    api = start(load_settings(env))
    yield api
    api.close()


def go_verify(binary: Path, document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary)], input=json.dumps(document), capture_output=True, text=True, timeout=60)


def flipped(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.fixture
def served(log_api: Api) -> dict[str, Any]:
    """A checkpoint, a later one, a consistency proof between them and an inclusion proof, as the ledger serves
    them."""
    client = log_api.client
    story = tell(client, ADMIN_TOKEN)
    old_size = checkpointed(log_api)
    old = client.get("/v1/log/checkpoint").text
    story.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": story.ids["aroha"]})
    new_size = checkpointed(log_api)
    assert new_size > old_size
    position = client.get("/v1/log/proofs/inclusion", params={"index": 7, "size": new_size}).json()["position"]
    inclusion = client.get("/v1/log/proofs/inclusion", params={"position": position}, headers=ADMIN).json()
    consistency = client.get("/v1/log/proofs/consistency", params={"from": old_size, "to": new_size}).json()
    return {"key": client.get("/v1/log/key").text, "checkpoint": client.get("/v1/log/checkpoint").text,
            "old_checkpoint": old, "inclusion": inclusion, "consistency": consistency}


def test_go_verifies_what_the_ledger_serves(go_verifier: Path, served: dict[str, Any]) -> None:
    result = go_verify(go_verifier, served)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "leaf 7 included" in result.stdout and "extends size" in result.stdout


TAMPERINGS = ("leaf byte", "inclusion proof hash", "consistency proof hash", "checkpoint size",
              "old checkpoint root", "other key")


def tampered(served: dict[str, Any], tampering: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(served))
    if tampering == "leaf byte":
        document["inclusion"]["leaf"] = flipped(document["inclusion"]["leaf"])
    elif tampering == "inclusion proof hash":
        document["inclusion"]["proof"][0] = flipped(document["inclusion"]["proof"][0])
    elif tampering == "consistency proof hash":
        document["consistency"]["proof"][-1] = flipped(document["consistency"]["proof"][-1])
    elif tampering == "checkpoint size":
        origin, size, rest = document["checkpoint"].split("\n", 2)
        document["checkpoint"] = f"{origin}\n{int(size) + 1}\n{rest}"
    elif tampering == "old checkpoint root":
        origin, size, root, rest = document["old_checkpoint"].split("\n", 3)
        document["old_checkpoint"] = f"{origin}\n{size}\n{flipped(root)}\n{rest}"
    else:
        name, key_hash, _ = document["key"].strip().split("+", 2)
        document["key"] = f"{name}+{key_hash}+{base64.b64encode(bytes([1]) + bytes(32)).decode()}"
    return document


def test_go_refuses_each_tampered_input(go_verifier: Path, served: dict[str, Any]) -> None:
    for tampering in TAMPERINGS:
        result = go_verify(go_verifier, tampered(served, tampering))
        assert result.returncode == 1 and "FAILED" in result.stdout, (tampering, result.stdout)


def test_go_verifies_across_a_key_rotation(go_verifier: Path, log_api: Api) -> None:
    """After `ler log rotate-key`: Go opens the transition checkpoint with the old key and with the new one, the
    new key's checkpoints and proofs from the transition on, and refuses the new checkpoints under the old key."""
    client = log_api.client
    story = tell(client, ADMIN_TOKEN)
    checkpointed(log_api)
    old_key = client.get("/v1/log/key").text
    tree = tlog(log_api).tree
    started = wait_for_transition(tree, rotate_log_key(log_api.services.settings, tree).generation, 30)
    assert started is not None and started.transition is not None and started.from_size is not None
    story.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": story.ids["aroha"]})
    new_size = checkpointed(log_api)
    new_key, latest = client.get("/v1/log/key").text, client.get("/v1/log/checkpoint").text
    position = client.get("/v1/log/proofs/inclusion", params={"index": 7, "size": new_size}).json()["position"]
    document = {
        "key": new_key, "checkpoint": latest, "old_checkpoint": started.transition,
        "inclusion": client.get("/v1/log/proofs/inclusion", params={"position": position}, headers=ADMIN).json(),
        "consistency": client.get("/v1/log/proofs/consistency",
                                  params={"from": started.from_size, "to": new_size}).json()}
    result = go_verify(go_verifier, document)
    assert result.returncode == 0 and "extends size" in result.stdout, result.stdout
    assert go_verify(go_verifier, {"key": old_key, "checkpoint": started.transition}).returncode == 0
    refused = go_verify(go_verifier, {"key": old_key, "checkpoint": latest})
    assert refused.returncode == 1 and "FAILED" in refused.stdout
