"""The stored format is a contract with every event already written.

1. Topics (tests/golden/event_topics.txt, aggregate_topics.txt) and transcoding names (value_types.txt): a topic
   or name that disappears or is renamed can no longer be read back, so the test fails; one that is added must be
   added to the golden file (the failure says which line).
2. Samples of stored state (tests/golden/stored/<sample>[.vN].json), written by the configured transcoder with
   fixed ids and timestamps, must still decode to the event the current code expects. Every version on file must
   decode; the newest must equal what the current code writes. Old samples are never edited: when the format
   changes on purpose, `LER_UPDATE_GOLDEN=1 pytest tests/domain/test_stored_format.py` adds a new version next to
   them (and writes missing topic lists and samples), and the old versions keep proving old data still reads.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

import domain
from application.ledger import Ledger
from domain.achievement import Achievement, AchievementSpec
from domain.common import LedgerAggregate
from domain.credential import Credential, CredentialBasis, CredentialTerms
from domain.enrolment import Assessment, Enrolment
from domain.idempotency import IdempotencyKey
from domain.learner import Learner, Share
from domain.provider import Provider, SigningKey
from domain.recognition import RecognitionCase, RplDecision
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    CreditRule,
    Evidence,
    Identifier,
    LevelFramework,
    Period,
    RplOutcome,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkExperience, WorkKind
from tests.domain.gwt import FixedClock
from tests.fakes import memory_ledger

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("LER_UPDATE_GOLDEN", "") == "1"


# ---- topics ------------------------------------------------------------------------------------------------------

def aggregate_classes() -> list[type[LedgerAggregate]]:
    found: dict[str, type[LedgerAggregate]] = {}
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, LedgerAggregate) and cls is not LedgerAggregate and cls.__module__ == module.__name__:
                found[get_topic(cls)] = cls
    return [found[topic] for topic in sorted(found)]


def event_topics() -> list[str]:
    """Every event class of every aggregate: attributes that subclass the aggregate's own `Event` class.
    `Event` itself and the library's default `Created` are bases, never stored (each aggregate names its own)."""
    topics = set()
    for cls in aggregate_classes():
        for name in dir(cls):
            attribute = getattr(cls, name)
            if (inspect.isclass(attribute) and issubclass(attribute, cls.Event)
                    and name not in {"Event", "Created"}):
                topics.add(get_topic(attribute))
    return sorted(topics)


def aggregate_topics() -> list[str]:
    """Stored too: each created event's `originator_topic`, and the snapshots of the aggregates the Ledger snapshots."""
    topics = {get_topic(cls) for cls in aggregate_classes()}
    topics |= {get_topic(cls.Snapshot) for cls in Ledger.snapshotting_intervals}
    return sorted(topics)


def value_type_names(ledger: Ledger) -> list[str]:
    """The `_type_` names the configured transcoder writes into stored state."""
    return sorted(ledger.mapper.transcoder.names)  # type: ignore[attr-defined]


def compare_with_golden(filename: str, current: list[str]) -> None:
    path = GOLDEN / filename
    if UPDATE and (not path.exists() or set(current) > set(read_lines(path))):  # only ever adds
        path.write_text("\n".join(current) + "\n")
    golden = read_lines(path)
    gone = sorted(set(golden) - set(current))
    added = sorted(set(current) - set(golden))
    assert not gone, (
        f"{filename}: these are stored and can no longer be read: {gone}. Never rename or remove a stored class; "
        "keep the old one, or register the old topic (eventsourcing.utils.register_topic) and upcast."
    )
    assert not added, (
        f"{filename}: new stored names {added}; add them to tests/golden/{filename} (one a line, sorted), "
        "or run with LER_UPDATE_GOLDEN=1."
    )


def read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def test_event_topics_are_the_golden_ones() -> None:
    topics = event_topics()
    assert "domain.credential:Credential.Revoked" in topics and len(topics) > 30
    compare_with_golden("event_topics.txt", topics)


def test_aggregate_and_snapshot_topics_are_the_golden_ones() -> None:
    compare_with_golden("aggregate_topics.txt", aggregate_topics())


def test_value_type_names_are_the_golden_ones(ledger: Ledger) -> None:
    compare_with_golden("value_types.txt", value_type_names(ledger))


def test_every_stored_value_type_is_registered_with_the_transcoder(ledger: Ledger) -> None:
    """A value class an event carries but the transcoder does not know is refused at save time: catch it here."""
    from domain.stored_types import STORED_VALUE_TYPES
    names = set(value_type_names(ledger))
    assert {cls.__name__ for cls in STORED_VALUE_TYPES} <= names


# ---- samples of stored state -------------------------------------------------------------------------------------

AT = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
ADMIN = Actor.admin()
PROVIDER_ID = UUID("00000000-0000-4000-8000-000000000001")
LEARNER_ID = UUID("00000000-0000-4000-8000-000000000002")
ACHIEVEMENT_ID = UUID("00000000-0000-4000-8000-000000000003")
QUALIFICATION_ID = UUID("00000000-0000-4000-8000-000000000004")
ENROLMENT_ID = UUID("00000000-0000-4000-8000-000000000005")
CREDENTIAL_ID = UUID("00000000-0000-4000-8000-000000000006")
CASE_ID = UUID("00000000-0000-4000-8000-000000000007")
EXPERIENCE_ID = UUID("00000000-0000-4000-8000-000000000008")
EMPLOYER_ID = UUID("00000000-0000-4000-8000-000000000009")
ASSESSMENT_ID = UUID("00000000-0000-4000-8000-00000000000a")
SHARE_ID = UUID("00000000-0000-4000-8000-00000000000b")
UNI = Actor.provider(PROVIDER_ID)
LEARNER = Actor.learner(LEARNER_ID)
COMMUNICATION = Skill("https://skills.example.edu/communication", "Communication", "OSMT RSD", "COMM-01")
TEAMWORK = Skill("http://data.europa.eu/esco/skill/teamwork", "Work in teams", "ESCO")


def created(cls: type[Any], originator_id: UUID, **state: Any) -> Any:
    event_class = getattr(cls, state.pop("event"))
    return event_class(originator_id=originator_id, originator_version=1, timestamp=AT,
                       originator_topic=get_topic(cls), **state)


def provider_registered() -> Any:
    return created(
        Provider, PROVIDER_ID, event="Registered", actor=ADMIN, effective=date(2024, 2, 1), name="Harbour University",
        identifiers=(Identifier("NZQA provider", "7001"), Identifier("NZBN", "9429041234567")),
        website="https://harbour.example.ac.nz",
        signing_key=SigningKey("key-1", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "sealed:AAAA"),
    )


def achievement_defined() -> Any:
    spec = AchievementSpec(
        AchievementType.MICRO_CREDENTIAL, "Communication Micro-credential", "Assessed communication.",
        "Pass a portfolio.", learning_outcomes=("Write for a public audience",), skills=(COMMUNICATION, TEAMWORK),
        credits=Decimal("15.5"), hours=Decimal(155), level=5, level_framework=LevelFramework.NZQF,
        review_date=date(2027, 2, 1), stacks_into=(QUALIFICATION_ID,),
    )
    return created(Achievement, ACHIEVEMENT_ID, event="Defined", actor=UNI, effective=date(2024, 2, 1),
                   provider_id=PROVIDER_ID, spec=spec)


def qualification_defined() -> Any:
    spec = AchievementSpec(
        AchievementType.DEGREE, "Bachelor of Business", "A degree.", "360 credits.", credits=Decimal(360),
        credit_rules=(CreditRule("Free electives", (AchievementType.MICRO_CREDENTIAL,), Decimal(30),
                                 from_provider_id=str(PROVIDER_ID)),),
    )
    return created(Achievement, QUALIFICATION_ID, event="Defined", actor=UNI, effective=date(2024, 2, 1),
                   provider_id=PROVIDER_ID, spec=spec)


def assessment_recorded() -> Any:
    assessment = Assessment(
        ASSESSMENT_ID, "Portfolio", AssessmentOutcome.PASSED, "A-", (SkillLevel(COMMUNICATION.url, 4),),
        (Evidence("Portfolio of workplace writing", "https://lms.example.edu/p/1"),), "Dr Mere Tane",
        date(2024, 5, 20), corrects=UUID("00000000-0000-4000-8000-0000000000ff"),
    )
    return Enrolment.AssessmentRecorded(  # type: ignore[call-arg]
        originator_id=ENROLMENT_ID, originator_version=2, timestamp=AT, actor=UNI, effective=date(2024, 5, 20),
        learner_id=LEARNER_ID, assessment=assessment,
    )


def credential_issued() -> Any:
    terms = CredentialTerms(CredentialBasis.ENROLMENT, ENROLMENT_ID, date(2024, 6, 1), date(2029, 6, 1),
                            Decimal(15), (SkillLevel(COMMUNICATION.url, 4),), "A-")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"], "id": f"urn:uuid:{CREDENTIAL_ID}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "validFrom": "2024-06-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "score": 9.5, "big": 2**70, "tags": ["a", "b"]},
        "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z3abc"}],
    }
    return created(Credential, CREDENTIAL_ID, event="Issued", actor=UNI, effective=date(2024, 6, 1),
                   learner_id=LEARNER_ID, provider_id=PROVIDER_ID, achievement_id=ACHIEVEMENT_ID, terms=terms,
                   status_index=131071, document=document)


def credential_revoked() -> Any:
    return Credential.Revoked(  # type: ignore[call-arg]
        originator_id=CREDENTIAL_ID, originator_version=2, timestamp=AT, actor=UNI, effective=date(2024, 8, 1),
        learner_id=LEARNER_ID, reason="Issued in error: portfolio mis-marked",
    )


def rpl_revised() -> Any:
    decision = RplDecision(RplOutcome.PARTIALLY_GRANTED, Decimal("20.25"), (SkillLevel(TEAMWORK.url, 3),),
                           "Teamwork evidenced on appeal.", "Jo Assessor", (0, 2), number=2, corrects=1)
    return RecognitionCase.Revised(  # type: ignore[call-arg]
        originator_id=CASE_ID, originator_version=6, timestamp=AT, actor=UNI, effective=date(2024, 5, 5),
        learner_id=LEARNER_ID, decision=decision,
    )


def work_experience_stated() -> Any:
    position = Position(WorkKind.INTERNSHIP, "Harbour City Council", "Communications Intern",
                        Period(date(2024, 7, 1), date(2024, 9, 30)), "Public notices.", (COMMUNICATION,),
                        employer_id=EMPLOYER_ID, placed_by=PROVIDER_ID)
    return created(WorkExperience, EXPERIENCE_ID, event="Stated", actor=LEARNER, effective=date(2024, 10, 1),
                   learner_id=LEARNER_ID, position=position)


def share_granted() -> Any:
    share = Share(SHARE_ID, EMPLOYER_ID, (CREDENTIAL_ID,), (COMMUNICATION.url,), "Application for an advisor role",
                  datetime(2025, 4, 1, 0, 0, tzinfo=UTC), "9f86d081884c7d659a2feaa0c55ad015")
    return Learner.ShareGranted(  # type: ignore[call-arg]
        originator_id=LEARNER_ID, originator_version=3, timestamp=AT, actor=LEARNER, effective=date(2025, 3, 4),
        share=share,
    )


def idempotency_key_claimed() -> Any:
    return created(IdempotencyKey, UUID("00000000-0000-4000-8000-00000000000c"), event="Claimed", actor=UNI,
                   effective=date(2025, 3, 4), key="lms-import-42/7", fingerprint="ab" * 32,
                   outcome=str(CREDENTIAL_ID))


@dataclass(frozen=True)
class Sample:
    name: str
    build: Callable[[], Any]


SAMPLES = [
    Sample("provider_registered", provider_registered),
    Sample("achievement_defined", achievement_defined),
    Sample("qualification_defined", qualification_defined),
    Sample("enrolment_assessment_recorded", assessment_recorded),
    Sample("credential_issued", credential_issued),
    Sample("credential_revoked", credential_revoked),
    Sample("recognition_revised", rpl_revised),
    Sample("work_experience_stated", work_experience_stated),
    Sample("learner_share_granted", share_granted),
    Sample("idempotency_key_claimed", idempotency_key_claimed),
]


def versions(name: str) -> list[Path]:
    """`name.json` is version 1, `name.v2.json` version 2, and so on; oldest first."""
    def number(path: Path) -> int:
        found = re.search(r"\.v(\d+)\.json$", path.name)
        return int(found.group(1)) if found else 1
    paths = [p for p in (GOLDEN / "stored").glob(f"{name}*.json") if re.fullmatch(rf"{name}(\.v\d+)?\.json", p.name)]
    return sorted(paths, key=number)


def as_golden(stored: StoredEvent) -> str:
    """A reviewable file: the stored event's columns, the state as the JSON it is (compact bytes re-indented)."""
    return json.dumps({
        "topic": stored.topic, "originator_id": str(stored.originator_id),
        "originator_version": stored.originator_version, "state": orjson.loads(stored.state),
    }, indent=2, ensure_ascii=False) + "\n"


def from_golden(path: Path) -> StoredEvent:
    data = json.loads(path.read_text())
    return StoredEvent(originator_id=UUID(data["originator_id"]), originator_version=data["originator_version"],
                       topic=data["topic"], state=orjson.dumps(data["state"]))


@pytest.fixture(scope="module")
def mapper() -> Any:
    """The stored format's mapper (the same transcoder and value types on every store)."""
    return memory_ledger(FixedClock()).mapper


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_stored_samples_still_decode_to_what_the_current_code_expects(mapper: Any, sample: Sample) -> None:
    expected = sample.build()
    stored = mapper.to_stored_event(expected)
    assert mapper.compressor is None and mapper.cipher is None, "the golden samples are uncompressed plain JSON"
    files = versions(sample.name)
    if UPDATE and (not files or from_golden(files[-1]).state != stored.state):
        path = GOLDEN / "stored" / (f"{sample.name}.json" if not files else f"{sample.name}.v{len(files) + 1}.json")
        path.write_text(as_golden(stored))
        files = versions(sample.name)
    assert files, f"no golden sample for {sample.name}: run with LER_UPDATE_GOLDEN=1 to write it"
    for path in files:
        old = from_golden(path)
        assert old.topic == get_topic(type(expected)), f"{path.name}: the topic moved"
        decoded = mapper.to_domain_event(old)
        assert type(decoded) is type(expected)
        assert decoded.__dict__ == expected.__dict__, f"{path.name} no longer decodes to the same event"
    newest = from_golden(files[-1])
    assert newest.state == stored.state, (
        f"the current code writes {sample.name} differently from {files[-1].name}. If that is intended, keep the "
        "old file and add a new version (LER_UPDATE_GOLDEN=1); old data must still read."
    )


def test_every_sample_covers_a_golden_topic() -> None:
    topics = set(event_topics())
    assert {get_topic(type(sample.build())) for sample in SAMPLES} <= topics
