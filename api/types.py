"""Field types for request models: bounded text without NUL or lone surrogates, business dates in a sane range,
credits with two decimals. The domain checks its rules again; these make bad input a 422 naming the field."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if value.isascii():  # no surrogate to look for: most of a batch's text, without encoding a copy of it
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must fall between {EARLIEST} and {LATEST}")
    return value


def _sane_moment(value: datetime) -> datetime:
    _sane_date(value.astimezone(UTC).date())
    return value


ShortText = Annotated[str, StringConstraints(max_length=300), AfterValidator(_clean_text)]
Code = Annotated[str, StringConstraints(max_length=100), AfterValidator(_clean_text)]
LongText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_clean_text)]
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_clean_text)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=10_000), AfterValidator(_clean_text)]
RequiredShortText = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_clean_text)]
BusinessDate = Annotated[date, AfterValidator(_sane_date), Field(description="A business date (YYYY-MM-DD)")]
Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]
Credits = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2,
                                   description="Credits (at most two decimals)")]
Hours = Annotated[Decimal, Field(gt=0, le=100_000, max_digits=8, decimal_places=2)]
IdempotencyKeyText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
