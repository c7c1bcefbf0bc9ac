"""Python-signed ledger credentials verify in an independent JS stack (@digitalbazaar/vc 7.3)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.vc.samples import ISSUER, issuer_key, signed_clr, signed_open_badge, verification_method

pytestmark = pytest.mark.interop

JS_DIR = Path(__file__).parent / "js"
MISSING_REASON = (
    "JavaScript verifier not installed (tests/interop/js/node_modules): run `make test`, which runs npm ci"
)


def require_node_modules() -> str:
    node = shutil.which("node")
    if node and (JS_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return node
    problem = MISSING_REASON if node else "node is not on PATH"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the interop check cannot run: {problem}")
    print(f"skipping JS interop: {problem}")
    pytest.skip(problem)


def js_verify(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = require_node_modules()
    completed = subprocess.run(
        [node, str(JS_DIR / "verify.mjs")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def ledger_keys() -> list[dict[str, str]]:
    key = issuer_key()
    return [
        {
            "id": verification_method(key),
            "controller": ISSUER.id,
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]


@pytest.fixture(scope="module")
def batch() -> dict[str, Any]:
    tampered = signed_open_badge("tampered")
    tampered["credentialSubject"]["achievement"]["name"] = "Forged achievement"
    documents = {
        "ob tricky strings 7.5 credits": signed_open_badge("py-pipelines", 7.5),
        "ob whole credits": signed_open_badge("whole", 3),
        "ob two decimals": signed_open_badge("two-decimals", 0.25),
        "clr with two signed obs": signed_clr(),
        "tampered ob": tampered,
    }
    keys = ledger_keys()
    results = js_verify([{"document": document, "keys": keys} for document in documents.values()])
    return dict(zip(documents, results, strict=True))


@pytest.mark.parametrize(
    "name",
    ["ob tricky strings 7.5 credits", "ob whole credits", "ob two decimals", "clr with two signed obs"],
)
def test_python_signed_documents_verify_in_javascript(batch, name):
    result = batch[name]
    assert result["verified"], result["error"]


def test_clr_nested_credentials_verify_separately_in_javascript(batch):
    nested = batch["clr with two signed obs"]["nested"]
    assert len(nested) == 2
    assert all(item["verified"] for item in nested), nested


def test_tampered_document_fails_in_javascript(batch):
    result = batch["tampered ob"]
    assert not result["verified"]
    assert result["error"]
