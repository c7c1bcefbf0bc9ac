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


_LITERAL_PATHS = not any(mark in path for path in CAPABILITY_PATHS for mark in ".^$*+?{}[]\\|()")
"""The capability paths are plain text: a text holding none of them needs no pattern run over it."""


def redact(text: str) -> str:
    """Capability path segments and secret query values replaced by [secret] (idempotent). Each pattern runs only
    where it can match (a capability path's text, an "="): the request line's path passes both on every request."""
    if "/" not in text and "=" not in text:
        return text
    if not _LITERAL_PATHS or any(path in text for path in CAPABILITY_PATHS):
        text = _CAPABILITY.sub(r"\1" + REDACTED, text)
    if "=" in text:
        text = _SECRET_QUERY.sub(r"\1" + REDACTED, text)
    return text


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


def make_log_safe(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: every string field (the message, paths, URLs, error texts, tracebacks) made safe."""
    for key, value in event_dict.items():
        kind = type(value)
        if kind is str:  # plain: nothing to redact (see ``redact``), nothing to escape (those are unprintable)
            if "/" not in value and "=" not in value and value.isprintable():
                continue
        elif kind in _UNCHANGED:
            continue
        event_dict[key] = _safe_value(value, keep_lines=key in MULTILINE_FIELDS)
    return event_dict

