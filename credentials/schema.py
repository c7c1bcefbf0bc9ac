"""JSON Schema validation of OB 3.0 and CLR 2.0 credentials against the vendored official 1EdTech schemas.

Lenient = the published purl.imsglobal.org schemas (accept single values or arrays).
Strict = the formal OB 3.0 build (type and proof must be arrays). 1EdTech publishes no strict CLR schema:
strict CLR validation is the CLR schema, plus arrays for type/proof, plus every nested credential strict.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMAS_DIR = Path(__file__).parent / "schemas"
OB_LENIENT = "ob_v3p0/ob_v3p0_achievementcredential_schema.json"
OB_STRICT = "ob_v3p0/strict/ob_v3p0_achievementcredential_schema.strict.json"
CLR_LENIENT = "clr_v2p0/clr_v2p0_clrcredential_schema.json"


@cache
def validator(schema_file: str) -> Draft201909Validator:
    schema = json.loads((SCHEMAS_DIR / schema_file).read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def validate_credential(document: dict[str, Any], strict: bool = False) -> list[str]:
    """Validate an OB AchievementCredential or a ClrCredential, chosen by its type. Empty list = valid."""
    if "ClrCredential" in _types(document):
        return validate_clr_credential(document, strict)
    return validate_achievement_credential(document, strict)


def validate_achievement_credential(document: dict[str, Any], strict: bool = False) -> list[str]:
    return _errors(OB_STRICT if strict else OB_LENIENT, document)


def validate_clr_credential(document: dict[str, Any], strict: bool = False) -> list[str]:
    errors = _errors(CLR_LENIENT, document)
    if strict:
        errors += _array_errors(document, "")
        for index, nested in enumerate(_nested_credentials(document)):
            prefix = f"credentialSubject/verifiableCredential/{index}: "
            errors += [prefix + error for error in validate_achievement_credential(nested, strict=True)]
    return errors


def _errors(schema_file: str, document: dict[str, Any]) -> list[str]:
    found = validator(schema_file).iter_errors(document)
    return sorted(f"{error.json_path}: {error.message}" for error in found)


def _array_errors(document: dict[str, Any], prefix: str) -> list[str]:
    return [
        f"{prefix}$.{key}: must be an array (strict)"
        for key in ("type", "proof")
        if key in document and not isinstance(document[key], list)
    ]


def _nested_credentials(document: dict[str, Any]) -> list[dict[str, Any]]:
    subject = document.get("credentialSubject")
    nested = subject.get("verifiableCredential", []) if isinstance(subject, dict) else []
    return [item for item in (nested if isinstance(nested, list) else [nested]) if isinstance(item, dict)]


def _types(document: dict[str, Any]) -> list[Any]:
    types = document.get("type", [])
    return types if isinstance(types, list) else [types]
