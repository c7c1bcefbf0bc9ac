"""From the ledger's domain events to plain facts: JSON-ready dicts the read side folds with pure functions.

A fact keeps what a view needs from its event and nothing personal (the sealed profile stays in the log).
Facts are deterministic functions of their events, so a rebuild from the log writes the same facts again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson

from domain.access import AccessToken
from domain.achievement import Achievement
from domain.credential import Credential
from domain.employer import Employer
from domain.enrolment import Enrolment
from domain.idempotency import IdempotencyKey
from domain.learner import Learner
from domain.provider import Provider
from domain.recognition import RecognitionCase
from domain.status_list import StatusList
from domain.work_experience import WorkExperience
from projections import events
from projections.learner_record import STATUS_AFTER

Json = dict[str, Any]

# The attributes every event has; they are kept apart from a fact's data.
BASE_ATTRIBUTES = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor",
                             "effective", "learner_id"})
# Aggregates whose events concern one learner, and the name their id takes in a fact's subject.
LEARNER_AGGREGATES: dict[type, str] = {
    Learner: "learner_id", Enrolment: "enrolment_id", Credential: "credential_id",
    RecognitionCase: "case_id", WorkExperience: "experience_id",
}
CATALOGUE_AGGREGATES: dict[type, str] = {Provider: "provider", Achievement: "achievement", Employer: "employer"}
IGNORED_AGGREGATES: tuple[type, ...] = (AccessToken, IdempotencyKey, StatusList)


def moment(value: datetime) -> str:
    """A fixed-width UTC timestamp, so that timestamps compare as text in both databases."""
    if value.tzinfo is UTC and value.year >= 1000:  # the common case: "+00:00" becomes "Z"
        return value.isoformat(timespec="microseconds")[:-6] + "Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.year >= 1000:  # isoformat is several times faster than strftime; the same text for these years
        return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_moment(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def plain(value: Any) -> Any:
    """A JSON tree of a value carried by an event (dataclasses, enums, ids, dates, decimals, collections)."""
    convert = _CONVERTERS.get(type(value))
    if convert is None:
        convert = _CONVERTERS[type(value)] = _converter(value)
    return convert(value)


def _same(value: Any) -> Any:
    return value


def _converter(value: Any) -> Callable[[Any], Any]:
    """How values of this one's type are made plain (the first of these tests that holds decides, per type)."""
    if value is None or isinstance(value, bool | int | float | str):
        return _same
    if isinstance(value, Enum):
        return lambda item: plain(item.value)
    if isinstance(value, UUID):
        return str
    if isinstance(value, datetime):
        return moment
    if isinstance(value, date):
        return lambda item: item.isoformat()
    if isinstance(value, Decimal):
        return str
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(field.name for field in dataclasses.fields(value))
        return lambda item: {name: plain(getattr(item, name)) for name in names}
    if isinstance(value, dict):
        return lambda item: {str(plain(key)): plain(element) for key, element in item.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return lambda item: [plain(element) for element in item]
    raise TypeError(f"no plain form for {type(value).__name__}")


_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


def plain_tree(value: Any) -> Any:
    """`plain(value)`, with the tree walked by orjson in C: its output is parsed back into the same JSON tree.
    orjson writes str, int, float, bool, None, UUID, Enum, list, tuple and dict natively, and leaves dates, decimals
    and dataclasses to `_orjson_default`, which makes them plain as `plain` does. A value orjson refuses (a dict
    key that is not a str, an int beyond 64 bits) takes `plain`'s slower walk."""
    try:
        return orjson.loads(orjson.dumps(value, default=_orjson_default,
                                         option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS))
    except TypeError:
        return plain(value)


def _orjson_default(value: Any) -> Any:
    convert = _ORJSON_CONVERTERS.get(type(value))
    if convert is None:
        convert = _ORJSON_CONVERTERS[type(value)] = _orjson_converter(value)
    return convert(value)


def _orjson_converter(value: Any) -> Callable[[Any], Any]:
    """How orjson's `default` hands back a value of this one's type: a dataclass as the dict of its fields (its
    values left to orjson), a datetime, date or decimal as `plain` writes it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(field.name for field in dataclasses.fields(value))
        return lambda item: {name: getattr(item, name) for name in names}
    if isinstance(value, datetime | date | Decimal):
        return plain
    raise TypeError(f"no plain form for {type(value).__name__}")


_ORJSON_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


_AGGREGATE_OF: dict[type, type | None] = {}


def aggregate_class(event: Any) -> type | None:
    kind = type(event)
    if kind not in _AGGREGATE_OF:
        owner = kind.__qualname__.split(".")[0]
        _AGGREGATE_OF[kind] = next((cls for cls in (*LEARNER_AGGREGATES, *CATALOGUE_AGGREGATES, *IGNORED_AGGREGATES)
                                    if cls.__name__ == owner), None)
    return _AGGREGATE_OF[kind]


def event_name(event: Any) -> str:
    return type(event).__qualname__


def event_data(event: Any, leave_out: frozenset[str] = frozenset()) -> Json:
    data: Json = plain_tree({key: value for key, value in vars(event).items()
                             if key not in BASE_ATTRIBUTES and key not in leave_out})
    return data


def learner_fact(event: Any, position: int) -> tuple[str, Json] | None:
    """The learner an event is about, and its fact; None for events about no learner."""
    cls = aggregate_class(event)
    if cls not in LEARNER_AGGREGATES:
        return None
    originator_id = str(event.originator_id)
    learner_id = originator_id if cls is Learner else str(event.learner_id)
    subject = {"learner_id": learner_id, LEARNER_AGGREGATES[cls]: originator_id}
    # The signed document lives in the credentials table.
    data = event_data(event, frozenset({"document"}))
    for key in ("share_id",):
        if key in data:
            subject[key] = data[key]
    if "share" in data:
        subject["share_id"] = data["share"]["share_id"]
    return learner_id, {
        "position": position,
        "recorded_at": moment(event.timestamp),
        "effective": plain(event.effective),
        "fact": event_name(event),
        "recorded_by": str(event.actor),
        "subject": subject,
        "data": data,
    }


def catalogue_change(event: Any) -> tuple[str, str, Json] | None:
    """(kind, id, data) for an event about a provider, achievement or employer."""
    cls = aggregate_class(event)
    if cls not in CATALOGUE_AGGREGATES:
        return None
    data = event_data(event)
    data["fact"] = event_name(event).split(".", 1)[1]
    data["effective"] = plain(event.effective)
    return CATALOGUE_AGGREGATES[cls], str(event.originator_id), data


def apply_catalogue(kind: str, entity_id: str, doc: Json | None, change: Json) -> Json:
    """The catalogue entry after a change (pure)."""
    fact = change["fact"]
    doc = dict(doc or {})
    if kind == "provider":
        if fact == "Registered":
            key = change["signing_key"]
            return {"id": entity_id, "name": change["name"], "website": change["website"],
                    "identifiers": change["identifiers"], "keys": {key["key_id"]: key["public_key_multibase"]},
                    "active_key_id": key["key_id"], "registered": True, "registered_on": change["effective"]}
        if fact == "KeyRotated":
            key = change["signing_key"]
            doc["keys"] = {**doc["keys"], key["key_id"]: key["public_key_multibase"]}
            doc["active_key_id"] = key["key_id"]
        elif fact == "Deregistered":
            doc["registered"] = False
            doc["deregistered_on"] = change["effective"]
        return doc
    if kind == "achievement":
        if fact == "Defined":
            return {"id": entity_id, "provider_id": change["provider_id"], "spec": change["spec"],
                    "retired": False, "defined_on": change["effective"]}
        if fact == "Reviewed":
            doc["spec"] = {**doc["spec"], "review_date": change["next_review_date"]}
        elif fact == "Retired":
            doc["retired"] = True
        return doc
    if fact == "Registered":
        return {"id": entity_id, "name": change["name"], "identifiers": change["identifiers"]}
    return doc


def credential_change(event: Any) -> tuple[str, Json] | None:
    """(credential id, columns to set) for events about a credential."""
    cls = type(event)
    status = STATUS_AFTER.get(cls)
    if status is None:
        return None
    if cls is events.Issued:
        terms = event.terms
        return str(event.originator_id), {
            "learner_id": str(event.learner_id), "provider_id": str(event.provider_id),
            "achievement_id": str(event.achievement_id), "status": status.value, "status_index": event.status_index,
            "issued_on": terms.issued_on.isoformat(),
            "expires_on": terms.expires_on.isoformat() if terms.expires_on else None,
            "document": event.document, "replaced_by": None,
        }
    change: Json = {"status": status.value}
    if cls is events.Superseded:
        change["replaced_by"] = str(event.replaced_by)
    return str(event.originator_id), change
