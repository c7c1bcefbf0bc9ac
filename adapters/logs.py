"""structlog, JSON in production and CI, readable in development. One line per handled command (a batch's
appended commands: one line for the batch; each refused one has its own).

Every line, ours and the standard library's (uvicorn, the eventsourcing library), passes through the same safety
processor: capability secrets redacted and control characters escaped (adapters/log_safety.py)."""

import logging
import sys
from typing import TextIO

import structlog

from adapters.log_safety import make_log_safe
from application.ledger import BatchHandled, CommandHandled

STDLIB_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def configure_logging(json_logs: bool, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            make_log_safe,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    _route_standard_logging(renderer, level, stream)


def _route_standard_logging(renderer: structlog.typing.Processor, level: int, stream: TextIO) -> None:
    """The standard library's records (uvicorn's errors and access lines among them) rendered like ours."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            make_log_safe,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in STDLIB_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True


def log_command(handled: CommandHandled | BatchHandled) -> None:
    log = structlog.get_logger("ledger")
    if isinstance(handled, BatchHandled):
        log.info("batch handled", actor=str(handled.actor), commands=handled.commands, events=handled.events,
                 position=handled.position, ms=round(handled.seconds * 1000, 2))
        return
    fields = {"command": handled.name, "actor": str(handled.actor), "ms": round(handled.seconds * 1000, 2)}
    if handled.error is not None:
        log.info("command refused", **fields, error=handled.error.code, reason=handled.error.message)
    elif handled.written is not None:
        log.info("command handled", **fields, id=str(handled.written.id), position=handled.written.position,
                 replayed=handled.written.replayed)
