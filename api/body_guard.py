"""Request bodies are bounded before anything parses them: a size limit per route (413), a deadline for the whole
body (408), and JSON that is not Unicode text refused at the door: bytes that are not UTF-8 (400; the standard
library's decoder would let encoded surrogates through) and lone surrogate escapes such as "\\ud800" (422).

The body is read here, counted as it arrives (Content-Length is checked first, chunked bodies are counted), and
handed to the application only once it is whole and within its limit."""

import asyncio
import html
import re
import time
from dataclasses import dataclass

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_ESCAPE = re.compile(rb"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)


@dataclass(frozen=True)
class BodyLimits:
    default_bytes: int = 1 << 20
    import_bytes: int = 32 << 20
    timeout_seconds: float = 30.0

    def for_request(self, method: str, path: str) -> int:
        if method == "POST" and path.rstrip("/") == "/v1/events":
            return self.import_bytes
        return self.default_bytes


class Refused(Exception):
    def __init__(self, status: int, code: str, detail: str):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class BodyGuard:
    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None):
        self.app = app
        self.limits = limits or BodyLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_request(scope.get("method", ""), scope.get("path", ""))
        try:
            body = await self._read(scope, receive, limit)
            if body is None:
                return
            _check_text(scope, body)
        except Refused as refused:
            await _refuse(scope, receive, send, refused)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, scope: Scope, receive: Receive, limit: int) -> bytes | None:
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            raise Refused(413, "request-too-large", f"the body ({declared} bytes) exceeds this route's limit of "
                                                    f"{limit} bytes")
        deadline = time.monotonic() + self.limits.timeout_seconds
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await _receive_before(receive, deadline, self.limits.timeout_seconds)
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                raise Refused(413, "request-too-large", f"the body exceeds this route's limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _receive_before(receive: Receive, deadline: float, timeout: float) -> Message:
    """``asyncio.timeout``, not ``wait_for``: the message is awaited in the request's own task (no task per chunk)."""
    try:
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            return await receive()
    except TimeoutError:
        raise Refused(408, "request-timeout", f"the body did not arrive in full within {timeout:g} s") from None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _has_body(scope: Scope) -> bool:
    if _header(scope, b"transfer-encoding") is not None:
        return True
    length = _header(scope, b"content-length")
    return length is not None and length.strip() not in (b"", b"0")


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit() or len(text) > 18:
        raise Refused(400, "bad-content-length", "Content-Length must be a non-negative integer")
    return int(text)


def _check_text(scope: Scope, body: bytes) -> None:
    content_type = (_header(scope, b"content-type") or b"application/json").split(b";")[0].strip().lower()
    if not (content_type == b"application/json" or content_type.endswith(b"+json")):
        return
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Refused(400, "invalid-text", f"the JSON is not UTF-8 text (byte {error.start})") from None
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(body):
        raise Refused(422, "invalid-text", "the JSON holds a lone UTF-16 surrogate escape (such as \\ud800): "
                                           "it is not Unicode text")


def _has_lone_surrogate(body: bytes) -> bool:
    """Walks the escapes left to right (so an escaped backslash is never read as the start of one): a high surrogate
    must be followed at once by a low one, and a low one must follow a high one."""
    pending_high_end = -1
    for match in _ESCAPE.finditer(body):
        code = int(match.group(1)[1:], 16) if len(match.group(1)) == 5 else -1
        is_high, is_low = 0xD800 <= code <= 0xDBFF, 0xDC00 <= code <= 0xDFFF
        if pending_high_end >= 0 and not (is_low and match.start() == pending_high_end):
            return True
        if is_low and pending_high_end < 0:
            return True
        pending_high_end = match.end() if is_high else -1
    return pending_high_end >= 0


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, refused: Refused) -> None:
    close = {"Connection": "close"} if refused.status in (408, 413) else None
    if _wants_page(scope):
        await _page(refused, close)(scope, receive, send)
        return
    found = problems.problem(refused.status, refused.code, refused.detail, scope.get("path", ""))
    await problems.respond(found, close)(scope, receive, send)


def _wants_page(scope: Scope) -> bool:
    """A browser posting a form to a page (not the API) is answered in words, not JSON."""
    accept = _header(scope, b"accept") or b""
    return not str(scope.get("path", "")).startswith("/v1/") and b"text/html" in accept


def _page(refused: Refused, headers: dict[str, str] | None) -> HTMLResponse:
    title = html.escape(problems.TITLES.get(refused.status, "Something is wrong"))
    text = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><main><h1>{title}</h1><p>{html.escape(refused.detail)}</p>"
            '<p><a href="/">Start again from the start page</a></p></main></body></html>')
    return HTMLResponse(text, status_code=refused.status, headers=headers)
