"""The log over HTTP: checkpoints and the key as text, proofs that check, bundles that check offline, and plain
4xx problems (never a 5xx) for what a caller got wrong."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import ADMIN_TOKEN, Api, start
from tests.api.story import Story, bearer, tell
from tests.transparency.ledger_log import ADMIN, checkpointed
from transparency.bundle import check_bundle, unb64
from transparency.merkle import ProofError, check_consistency, check_inclusion, leaf_hash
from transparency.notes import Verifier, open_checkpoint
from wiring.settings import load_settings


@pytest.fixture(scope="module")
def told_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Story]]:
    data = tmp_path_factory.mktemp("log") / "data"
    api = start(load_settings({"LER_DATA_DIR": str(data), "LER_CHECKPOINT_SECONDS": "0"}))
    story = tell(api.client, ADMIN_TOKEN)
    checkpointed(api)
    yield api, story
    api.close()


def verifier(api: Api) -> Verifier:
    return Verifier.parse(api.client.get("/v1/log/key").text)


def test_the_checkpoint_is_a_signed_note_over_the_whole_log(told_log: tuple[Api, Story]) -> None:
    api, _ = told_log
    answer = api.client.get("/v1/log/checkpoint")
    assert answer.headers["content-type"].startswith("text/plain")
    checkpoint = open_checkpoint(answer.text, verifier(api), "ler.localhost/log")
    assert checkpoint.size == api.position  # SQLite: no gaps in the notification ids
    assert api.client.get("/v1/log/checkpoint", params={"size": checkpoint.size}).text == answer.text


def test_inclusion_and_consistency_proofs_check(told_log: tuple[Api, Story]) -> None:
    api, _ = told_log
    checkpoint = open_checkpoint(api.client.get("/v1/log/checkpoint").text, verifier(api))
    proof = api.client.get("/v1/log/proofs/inclusion", params={"position": 9}, headers=ADMIN).json()
    leaf = unb64(proof["leaf"])
    assert unb64(proof["leaf_hash"]) == leaf_hash(leaf)
    check_inclusion(leaf_hash(leaf), proof["leaf_index"], checkpoint.size, [unb64(h) for h in proof["proof"]],
                    checkpoint.root)
    public = api.client.get("/v1/log/proofs/inclusion", params={"position": 9}).json()
    assert public["leaf"] is None and public["proof"] == proof["proof"]
    old = api.client.get("/v1/log/proofs/inclusion", params={"position": 9, "size": 20}).json()
    assert old["tree_size"] == 20
    consistency = api.client.get("/v1/log/proofs/consistency", params={"from": 20, "to": checkpoint.size}).json()
    with pytest.raises(ProofError):  # the right proof, the wrong old root
        check_consistency(20, checkpoint.size, checkpoint.root, checkpoint.root,
                          [unb64(h) for h in consistency["proof"]])


@pytest.mark.parametrize(("path", "params", "status", "code"), [
    ("/v1/log/proofs/inclusion", {"position": 10**9}, 404, "not-found"),
    ("/v1/log/proofs/inclusion", {"position": 9, "size": 10**9}, 422, "proof-out-of-range"),
    ("/v1/log/proofs/inclusion", {"position": 9, "size": 5}, 422, "proof-out-of-range"),
    ("/v1/log/proofs/inclusion", {"position": 9, "index": 3}, 422, "invalid-value"),
    ("/v1/log/proofs/inclusion", {"position": "x"}, 422, "validation-failed"),
    ("/v1/log/proofs/consistency", {"from": 9, "to": 5}, 422, "proof-out-of-range"),
    ("/v1/log/proofs/consistency", {"from": 1, "to": 10**9}, 422, "proof-out-of-range"),
    ("/v1/log/checkpoint", {"size": 3}, 404, "not-found"),
])
def test_bad_requests_get_a_problem(told_log: tuple[Api, Story], path: str, params: dict, status: int,
                                    code: str) -> None:
    api, _ = told_log
    answer = api.client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code


def test_leaf_bytes_are_for_the_admin_only(told_log: tuple[Api, Story]) -> None:
    api, story = told_log
    assert api.client.get("/v1/log/leaves").status_code == 401
    assert api.client.get("/v1/log/leaves", headers=bearer(story.tokens["aroha"])).status_code == 403
    page = api.client.get("/v1/log/leaves", params={"after": 3, "limit": 2}, headers=ADMIN).json()
    assert [leaf["position"] for leaf in page["leaves"]] == [4, 5] and page["next_after"] == 5


def test_the_share_bundle_proves_the_shared_credentials_offline(told_log: tuple[Api, Story], tmp_path: Path) -> None:
    api, story = told_log
    bundle = api.client.get(f"/v1/shared/{story.tokens['share_link']}/log-bundle").json()
    proven = check_bundle(bundle, Verifier.parse(bundle["verifier_key"]))
    topics = {fact.fact.topic for fact in proven}
    assert "domain.learner:Learner.ShareGranted" in topics
    assert any(topic.startswith("domain.credential:Credential.") for topic in topics)
    assert all(fact.fact.aggregate_id is not None for fact in proven)
    bundle["facts"][0]["leaf"] = bundle["facts"][1]["leaf"]
    with pytest.raises(ProofError):
        check_bundle(bundle, Verifier.parse(bundle["verifier_key"]))
    assert api.client.get(f"/v1/shared/{'x' * 43}/log-bundle").status_code == 404


def test_the_clr_bundle_covers_every_credential_fact_for_the_learner_only(told_log: tuple[Api, Story]) -> None:
    api, story = told_log
    aroha = story.ids["aroha"]
    answer = api.client.get(f"/v1/learners/{aroha}/clr/log-bundle", headers=bearer(story.tokens["aroha"]))
    bundle = answer.json()
    proven = check_bundle(bundle, Verifier.parse(bundle["verifier_key"]))
    assert {fact.fact.topic for fact in proven} >= {"domain.credential:Credential.Issued",
                                                   "domain.credential:Credential.Revoked"}
    record = api.client.get(f"/v1/learners/{aroha}/record", params={"limit": 500},
                            headers=bearer(story.tokens["aroha"])).json()
    entries = record["entries"] if isinstance(record, dict) else record
    credential_positions = {e["position"] for e in entries if e.get("credential_id")}
    assert {fact.fact.position for fact in proven} == credential_positions
    other = api.client.get(f"/v1/learners/{aroha}/clr/log-bundle", headers=bearer(story.tokens["sam"]))
    assert other.status_code == 403
