"""Request logging (structlog): one line per request with method, path, status, duration, principal and request id;
the request id is echoed in `X-Request-Id` (a caller's own id is kept when it is sane)."""

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.log_safety import redact

REQUEST_ID = "X-Request-Id"
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def loggable_path(path: str) -> str:
    """The path without the secrets some paths carry (share links, sign-in links: adapters/log_safety.py lists them);
    every log line passes the same redaction again on its way out."""
    return redact(path)


class RequestLogging:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.log = structlog.get_logger("api")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if SANE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state", {})
            self.log.info(
                "request", method=scope.get("method", ""), path=loggable_path(str(scope.get("path", ""))),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2), principal=state.get("principal", "anonymous"),
                request_id=request_id,
            )
            structlog.contextvars.unbind_contextvars("request_id")
