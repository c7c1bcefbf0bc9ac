"""Encode+decode throughput of the two transcoders of the stored event format.

Run: ``python -m ops.bench.transcoder_compare [--seconds 0.5] [--repeats 5]``.

The events are the state dicts the library's ``Mapper`` hands to a transcoder
(``dict(vars(event))`` less originator id and version), built from real ``@event``
aggregate events. The value objects below mirror the domain's shapes but are defined
here, so the benchmark does not move when the domain does.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder

from adapters.storage.transcoding import LedgerJSONTranscoder, OrjsonTranscoder, register_value_objects


class ActorKind(str, Enum):
    PROVIDER = "provider"
    ADMIN = "admin"


class Outcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"


class AchievementType(str, Enum):
    COURSE = "Course"
    DEGREE = "Degree"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str


@dataclass(frozen=True)
class SkillLevel:
    skill_url: str
    level: int


@dataclass(frozen=True)
class Evidence:
    description: str
    url: str = ""


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None = None


VALUE_OBJECTS = (ActorKind, Outcome, AchievementType, Actor, SkillLevel, Evidence, Period)


class Enrolment(Aggregate):
    @event("Enrolled")
    def __init__(self, learner_id: UUID, course_id: UUID, period: Period, actor: Actor) -> None:
        self.learner_id = learner_id
        self.course_id = course_id
        self.period = period

    @event("AssessmentRecorded")
    def record_assessment(
        self,
        assessment_id: UUID,
        outcome: Outcome,
        skills: tuple[SkillLevel, ...],
        evidence: tuple[Evidence, ...],
        credits: Decimal,
        assessed_on: date,
        actor: Actor,
    ) -> None:
        self.outcome = outcome

    @event("CredentialIssued")
    def issue_credential(
        self, credential_id: UUID, achievement_type: AchievementType, document: dict[str, Any], actor: Actor
    ) -> None:
        self.credential_id = credential_id


def signed_credential(n_results: int = 6) -> dict[str, Any]:
    """A CLR 2.0-like signed JSON-LD document (about 4 KB as compact JSON)."""
    results = [
        {
            "type": ["AchievementSubject"],
            "id": f"urn:uuid:{uuid4()}",
            "achievement": {
                "id": f"https://provider.example.edu/achievements/unit-{i}",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": f"Unit {i}: Applied data handling",
                "criteria": {"narrative": "Completed all assessments at the required standard."},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Data analysis",
                        "targetUrl": "https://skills.example.org/rsd/data-analysis",
                        "targetFramework": "RSD",
                    }
                ],
            },
            "result": [{"type": ["Result"], "value": "passed"}],
            "creditsEarned": 10.0,
        }
        for i in range(n_results)
    ]
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {
            "id": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
            "type": ["Profile"],
            "name": "Example Institute of Technology",
        },
        "validFrom": "2024-06-30T00:00:00Z",
        "name": "Comprehensive Learner Record",
        "credentialSubject": {
            "id": f"did:example:{uuid4().hex}",
            "type": ["ClrSubject"],
            "verifiableCredential": [],
            "achievement": [],
            "association": [],
            "result": results,
        },
        "proof": {
            "type": "DataIntegrityProof",
            "created": "2024-06-30T00:00:00Z",
            "verificationMethod": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#key-1",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "proofValue": "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35Hcbg",
        },
    }


def event_states() -> dict[str, dict[str, Any]]:
    actor = Actor(ActorKind.PROVIDER, str(uuid4()))
    enrolment = Enrolment(uuid4(), uuid4(), Period(date(2024, 2, 1), date(2024, 6, 30)), actor)
    enrolment.record_assessment(
        uuid4(),
        Outcome.PASSED,
        (SkillLevel("https://skills.example.org/rsd/data-analysis", 3),
         SkillLevel("https://skills.example.org/rsd/sql", 2),
         SkillLevel("https://skills.example.org/rsd/communication", 4)),
        (Evidence("Project report", "https://lms.example.edu/artefacts/1"), Evidence("Oral presentation")),
        Decimal("10.00"),
        date(2024, 6, 14),
        actor,
    )
    enrolment.issue_credential(uuid4(), AchievementType.COURSE, signed_credential(), actor)
    states = {}
    for e in enrolment.collect_events():
        state = dict(vars(e))
        del state["originator_id"], state["originator_version"]
        states[type(e).__name__] = state
    return states


def throughput(fn: Callable[[], object], seconds: float, repeats: int) -> float:
    """Best calls/second over `repeats` runs of about `seconds` each."""
    n = 1
    while True:  # calibrate
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 10:
            break
        n *= 2
    n = max(1, int(n * seconds / elapsed))
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = max(best, n / (time.perf_counter() - start))
    return best


def operation(t: JSONTranscoder, op: str, state: dict[str, Any], encoded: bytes) -> Callable[[], object]:
    if op == "encode":
        return lambda: t.encode(state)
    if op == "decode":
        return lambda: t.decode(encoded)
    return lambda: t.decode(t.encode(state))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    transcoders: dict[str, JSONTranscoder] = {"json": LedgerJSONTranscoder(), "orjson": OrjsonTranscoder()}
    for t in transcoders.values():
        register_value_objects(t, VALUE_OBJECTS)
    states = event_states()
    events = ["Enrolled", "AssessmentRecorded", "CredentialIssued"]

    header = f"{'event':<20}{'bytes':>7}{'op':>15}{'json ev/s':>12}{'orjson ev/s':>13}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    for name in events:
        state = states[name]
        encoded = transcoders["json"].encode(state)
        assert encoded == transcoders["orjson"].encode(state)
        for t in transcoders.values():
            assert t.decode(encoded) == state
        for op in ("encode", "decode", "encode+decode"):
            rates = {}
            for label, t in transcoders.items():
                rates[label] = throughput(operation(t, op, state, encoded), args.seconds, args.repeats)
            print(
                f"{name:<20}{len(encoded):>7}{op:>15}{rates['json']:>12,.0f}{rates['orjson']:>13,.0f}"
                f"{rates['orjson'] / rates['json']:>6.2f}x"
            )


if __name__ == "__main__":
    main()
