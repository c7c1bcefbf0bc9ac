"""Verify a presented Open Badges 3.0 or CLR 2.0 credential, each check reported on its own: schema (lenient and
strict), proof (eddsa-rdfc-2022 against keys the ledger knows), issuer (known and registered), status (revoked,
suspended) and validity period (not yet valid fails; expired is reported, not a failure). A CLR's nested
credentials are verified too. Every check survives hostile input: a check that cannot run fails, it never raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from credentials import data_integrity
from credentials.multikey import multibase_to_public_key
from credentials.schema import validate_credential
from credentials.status_lists import decode_status_list, get_bit
from credentials.urls import LedgerUrls

PASSED, FAILED, WARNING, SKIPPED = "passed", "failed", "warning", "skipped"
MAX_NESTED = 200


class KnownIssuers(Protocol):
    """What verification reads from the read side."""

    def provider(self, provider_id: UUID) -> dict[str, Any] | None: ...

    def issuer(self, issuer_id: str) -> dict[str, Any] | None: ...

    def credential(self, credential_id: UUID) -> dict[str, Any] | None: ...

    def status_list(self, list_id: str) -> dict[str, Any] | None: ...


@dataclass
class Check:
    name: str
    outcome: str
    detail: str


@dataclass
class Report:
    kind: str
    credential_id: str | None
    issuer: str | None
    verified: bool = False
    expired: bool = False
    checks: list[Check] = field(default_factory=list)
    nested: list[Report] = field(default_factory=list)


class Verifier:
    def __init__(self, known: KnownIssuers, urls: LedgerUrls, clock: Callable[[], datetime] | None = None):
        self.known = known
        self.urls = urls
        self.clock = clock or (lambda: datetime.now(UTC))
        self.issuers_prefix = f"{urls.public_url}/v1/issuers/"
        self.credentials_prefix = f"{urls.public_url}/v1/credentials/"
        self.status_lists_prefix = f"{urls.public_url}/v1/status-lists/"

    def verify(self, document: dict[str, Any]) -> Report:
        is_clr = "ClrCredential" in _as_list(document.get("type"))
        report = Report(
            kind="ClrCredential" if is_clr else "OpenBadgeCredential",
            credential_id=_text(document.get("id")), issuer=_issuer_id(document),
        )
        for name, check in (("schema", self._schema), ("schema-strict", self._strict_schema), ("proof", self._proof),
                            ("issuer", self._issuer), ("status", self._status), ("validity", self._validity)):
            report.checks.append(_guarded(name, check, document))
        if is_clr:
            for nested in _nested(document)[:MAX_NESTED]:
                report.nested.append(self.verify(nested))
        report.expired = any(c.name == "validity" and c.outcome == WARNING for c in report.checks)
        report.verified = all(c.outcome != FAILED for c in report.checks) and all(n.verified for n in report.nested)
        return report

    # ---- checks ------------------------------------------------------------------------------------------------

    def _schema(self, document: dict[str, Any]) -> Check:
        errors = validate_credential(document, strict=False)
        if errors:
            return Check("schema", FAILED, _summary(errors))
        return Check("schema", PASSED, "valid against the 1EdTech JSON Schema")

    def _strict_schema(self, document: dict[str, Any]) -> Check:
        errors = validate_credential(document, strict=True)
        if errors:
            return Check("schema-strict", WARNING, _summary(errors))
        return Check("schema-strict", PASSED, "valid against the strict schema (arrays for type and proof)")

    def _proof(self, document: dict[str, Any]) -> Check:
        result = data_integrity.verify(document, self.resolve_key)
        if not result.ok:
            return Check("proof", FAILED, result.reason)
        issuer = _issuer_id(document)
        methods = {_text(p.get("verificationMethod")) for p in data_integrity.existing_proofs(document)
                   if isinstance(p, dict)}
        foreign = [m for m in methods if m is None or not _controlled_by(m, issuer)]
        if foreign:
            return Check("proof", FAILED, f"signed with a key the issuer does not control: {foreign[0]}")
        return Check("proof", PASSED, f"eddsa-rdfc-2022 signature verified with {result.verification_method}")

    def _issuer(self, document: dict[str, Any]) -> Check:
        issuer = _issuer_id(document)
        if issuer is None:
            return Check("issuer", FAILED, "the credential names no issuer")
        local = self._local_issuer(issuer)
        if local is None:
            return Check("issuer", FAILED, f"{issuer} is not an issuer this ledger knows")
        if local == "ledger":
            return Check("issuer", PASSED, "issued by this ledger (as publisher)")
        provider = self.known.provider(UUID(local))
        if provider is None:
            return Check("issuer", FAILED, f"{issuer} is not a provider registered with this ledger")
        if not provider.get("registered", True):
            return Check("issuer", FAILED, f"{provider.get('name', issuer)} is no longer registered")
        return Check("issuer", PASSED, f"{provider.get('name', issuer)} is a registered provider")

    def _status(self, document: dict[str, Any]) -> Check:
        credential_id = _text(document.get("id")) or ""
        if credential_id.startswith(self.credentials_prefix):
            view = self.known.credential(UUID(credential_id.removeprefix(self.credentials_prefix)))
            if view is None:
                return Check("status", FAILED, "this ledger issued no credential with that id")
            status = str(view.get("status", ""))
            if status in ("revoked", "suspended"):
                return Check("status", FAILED, f"the credential is {status}")
            if status == "superseded":
                return Check("status", WARNING, "the credential was superseded by a newer one")
            return Check("status", PASSED, f"the credential is {status or 'active'}")
        return self._status_list(document)

    def _status_list(self, document: dict[str, Any]) -> Check:
        entry = document.get("credentialStatus")
        if not isinstance(entry, dict):
            return Check("status", SKIPPED, "no credentialStatus to check")
        list_url = _text(entry.get("statusListCredential")) or ""
        if not list_url.startswith(self.status_lists_prefix):
            return Check("status", SKIPPED, f"status list {list_url or '(none)'} is not published by this ledger")
        status_list = self.known.status_list(list_url.removeprefix(self.status_lists_prefix))
        if status_list is None:
            return Check("status", FAILED, f"no status list {list_url}")
        subject = status_list.get("credentialSubject", status_list)
        bits = decode_status_list(str(subject.get("encodedList", "")))
        if get_bit(bits, int(str(entry.get("statusListIndex", "-1")))):
            return Check("status", FAILED, f"the credential is marked in {entry.get('statusPurpose', 'its')} list")
        return Check("status", PASSED, "not marked in the status list")

    def _validity(self, document: dict[str, Any]) -> Check:
        now = self.clock()
        starts = _moment(document.get("validFrom") or document.get("issuanceDate"))
        ends = _moment(document.get("validUntil") or document.get("expirationDate"))
        if starts is not None and now < starts:
            return Check("validity", FAILED, f"not yet valid: valid from {starts.isoformat()}")
        if ends is not None and now >= ends:
            return Check("validity", WARNING, f"expired on {ends.isoformat()} (it was valid until then)")
        return Check("validity", PASSED, "within its validity period")

    # ---- keys -------------------------------------------------------------------------------------------------

    def resolve_key(self, method: str) -> bytes | None:
        """A verification method id -> Ed25519 public key bytes, from the keys this ledger knows (or a did:key)."""
        multibase = self._multibase(method)
        if multibase is None:
            return None
        try:
            return multibase_to_public_key(multibase)
        except ValueError:
            return None

    def _multibase(self, method: str) -> str | None:
        if method.startswith("did:key:"):
            return method.removeprefix("did:key:").split("#")[0]
        local = self._local_issuer(method.partition("#")[0])
        if local is None:
            return None
        if local != "ledger":
            provider = self.known.provider(UUID(local))
            keys = (provider or {}).get("keys") or {}
            if method in keys:
                return str(keys[method])
        profile = self.known.issuer(local) or {}
        for entry in _as_list(profile.get("verificationMethod")):
            if isinstance(entry, dict) and entry.get("id") == method and entry.get("publicKeyMultibase"):
                return str(entry["publicKeyMultibase"])
        return None

    def _local_issuer(self, issuer: str) -> str | None:
        """'ledger' or a provider id, when the issuer URL is one this ledger serves."""
        if not issuer.startswith(self.issuers_prefix):
            return None
        local = issuer.removeprefix(self.issuers_prefix)
        if local == "ledger":
            return local
        try:
            return str(UUID(local))
        except ValueError:
            return None


def _guarded(name: str, check: Callable[[dict[str, Any]], Check], document: dict[str, Any]) -> Check:
    try:
        return check(document)
    except Exception as error:  # hostile input must fail the check, never the verifier
        return Check(name, FAILED, f"could not check: {type(error).__name__}: {str(error)[:200]}")


def _controlled_by(method: str | None, issuer: str | None) -> bool:
    if method is None or issuer is None:
        return False
    controller = method.partition("#")[0]
    return controller == issuer


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        return _text(issuer.get("id"))
    return _text(issuer)


def _nested(document: dict[str, Any]) -> list[dict[str, Any]]:
    subject = document.get("credentialSubject")
    nested = subject.get("verifiableCredential", []) if isinstance(subject, dict) else []
    return [item for item in _as_list(nested) if isinstance(item, dict)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _summary(errors: list[str], shown: int = 5) -> str:
    more = f" (and {len(errors) - shown} more)" if len(errors) > shown else ""
    return "; ".join(errors[:shown]) + more
