"""What may reach a log line: capability secrets redacted, control characters escaped.

A capability path is a URL whose segment *is* the permission (a share link, a sign-in link): whoever reads it in a
log can use it. Add a route's pattern to CAPABILITY_PATHS when it carries one."""

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[secret]"

CAPABILITY_PATHS: tuple[str, ...] = (
    r"/v1/shared/",
    r"/shared/",
    r"/sign-in/link/",
    r"/sign-in/",
    r"/signin/",
    r"/login/",
)
"""Path prefixes whose next segment is a secret."""

SECRET_QUERY_PARAMETERS: tuple[str, ...] = ("token", "code", "access_token", "secret")

_CAPABILITY = re.compile(
    "(" + "|".join(CAPABILITY_PATHS) + r")[^/?#\s\"'<>]+",
)
_SECRET_QUERY = re.compile(
    r"([?&;](?:" + "|".join(SECRET_QUERY_PARAMETERS) + r")=)[^&;#\s\"'<>]*", re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEPING_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MULTILINE_FIELDS = frozenset({"exception", "stack"})


def redact(text: str) -> str:
    """Capability path segments and secret query values replaced by [secret] (idempotent)."""
    if "/" not in text and "=" not in text:
        return text
    return _SECRET_QUERY.sub(r"\1" + REDACTED, _CAPABILITY.sub(r"\1" + REDACTED, text))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep_lines: bool = False) -> str:
    """Control and bidirectional-override characters written as \\xNN / \\uNNNN, so a log line cannot move the
    cursor, recolour a terminal, fake a second line or reorder what a reader sees."""
    if text.isprintable():  # every character the patterns match is unprintable (Cc, Cf, Zl, Zp)
        return text
    pattern = _CONTROL_KEEPING_LINES if keep_lines else _CONTROL
    return pattern.sub(_escaped, text)


def safe_text(text: str, keep_lines: bool = False) -> str:
    return escape_controls(redact(text), keep_lines)


def _safe_value(value: Any, keep_lines: bool) -> Any:
    if isinstance(value, str):
        return safe_text(value, keep_lines)
    if isinstance(value, (list, tuple)):
        return type(value)(_safe_value(item, keep_lines) for item in value)
    if isinstance(value, Mapping):
        return {key: _safe_value(item, keep_lines) for key, item in value.items()}
    return value


_UNCHANGED = frozenset({int, float, bool, type(None)})


def _plain(text: str) -> bool:
    """Nothing to redact (see ``redact``) and nothing to escape (every character escaped is unprintable)."""
    return "/" not in text and "=" not in text and text.isprintable()


def make_log_safe(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: every string field (the message, paths, URLs, error texts, tracebacks) made safe."""
    for key, value in event_dict.items():
        if type(value) in _UNCHANGED or (type(value) is str and _plain(value)):
            continue
        event_dict[key] = _safe_value(value, keep_lines=key in MULTILINE_FIELDS)
    return event_dict

