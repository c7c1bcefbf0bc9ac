"""structlog, JSON in production and CI, readable in development. One line per handled command."""

import logging
import sys

import structlog

from application.ledger import CommandHandled


def configure_logging(json_logs: bool, level: int = logging.INFO) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def log_command(handled: CommandHandled) -> None:
    log = structlog.get_logger("ledger")
    fields = {"command": handled.name, "actor": str(handled.actor), "ms": round(handled.seconds * 1000, 2)}
    if handled.error is not None:
        log.info("command refused", **fields, error=handled.error.code, reason=handled.error.message)
    elif handled.written is not None:
        log.info("command handled", **fields, id=str(handled.written.id), position=handled.written.position,
                 replayed=handled.written.replayed)
