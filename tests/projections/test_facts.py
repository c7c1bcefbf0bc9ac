"""Facts are made with orjson walking event values in C (`plain_tree`); `plain` is the reference it must equal."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

import orjson

from domain.values import Actor
from ops.demo import load_demo
from projections.facts import BASE_ATTRIBUTES, moment, plain, plain_tree


@dataclass(frozen=True)
class Inner:
    when: datetime
    day: date
    amount: Decimal


@dataclass
class Outer:
    _hidden: int  # orjson's own dataclass support would leave this out
    inner: Inner
    items: tuple[Inner, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


def same(value: object) -> bool:
    expected, got = plain(value), plain_tree(value)
    return bool(got == expected and orjson.dumps(got) == orjson.dumps(expected))


def test_plain_tree_is_plain_for_dataclasses_dates_decimals_and_enums():
    inner = Inner(datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), date(2024, 5, 6), Decimal("1.50"))
    value = Outer(3, inner, (inner, inner), {"id": uuid4(), "actor": Actor.admin(), "n": [1, 2.5, None, True]})
    assert same(value)


def test_plain_tree_falls_back_to_plain_for_what_orjson_refuses():
    assert same({"by_number": {1: "one", 2.5: "two and a half"}})
    assert same({"set": frozenset({"a"})})


def test_plain_tree_is_plain_for_every_demo_event(embedded):
    services, _ = embedded
    load_demo(services.ledger)
    notifications = services.ledger.recorder.select_notifications(start=1, limit=10_000)
    assert notifications
    for notification in notifications:
        event = services.ledger.mapper.to_domain_event(notification)
        assert same({key: value for key, value in vars(event).items() if key not in BASE_ATTRIBUTES})


def test_moment_is_fixed_width_utc_text():
    assert moment(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05.000000Z"
    assert moment(datetime(2024, 1, 2, 3, 4, 5, 7)) == "2024-01-02T03:04:05.000007Z"
    assert moment(datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))) == "2024-01-02T03:04:05.000000Z"
