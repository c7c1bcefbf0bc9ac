"""The `ler` command: serve the API, load the demo, run or rebuild projections.

    ler serve [--demo] [--host 127.0.0.1] [--port $PORT or 8000] [--workers N]
    ler demo
    ler projections run | rebuild [--view NAME] | status
    ler keys rotate [--grace SECONDS]
    ler audit URL [--state FILE] [--key KEY] [--full --token ADMIN_TOKEN]

Errors print a plain message (no traceback) and exit non-zero."""

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters.logs import configure_logging
from domain.values import Actor, ActorKind, Identifier
from ops import serve
from ops.audit import audit_command
from ops.demo import DemoIds, load_demo
from ops.keys_command import add_keys_parser
from ops.log_command import add_log_parser
from projections.read_side import ReadSide
from projections.timeline import TimelineEntry
from wiring import projection_runner
from wiring.read_side import open_read_side
from wiring.services import Services, build_services
from wiring.settings import Settings, load_settings

DEMO_LEARNER = Identifier("university student id", "S1234567")
DEMO_PEOPLE = (("aroha", ActorKind.LEARNER), ("sam", ActorKind.LEARNER), ("employer", ActorKind.EMPLOYER))
DEMO_LINK_MINUTES = 24 * 60


class CliError(Exception):
    """A problem the user can fix: printed as a plain message."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
        return result
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the CLI's promise: a message, not a traceback
        print(f"ler: error: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ler", description="The learner employment record ledger")
    commands = parser.add_subparsers(title="commands")
    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--demo", action="store_true", help="load the demo story when the ledger is empty")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, else 8000")
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: $LER_WORKERS, else every core on PostgreSQL, 1 embedded)")
    serve.set_defaults(run=serve_command)
    demo = commands.add_parser("demo", help="load the demo story and print the demo learner's record")
    demo.set_defaults(run=demo_command)
    projections = commands.add_parser("projections", help="run, rebuild or inspect the projections")
    actions = projections.add_subparsers(title="actions")
    actions.add_parser("run", help="run every projection until stopped").set_defaults(run=projections_run)
    rebuild = actions.add_parser("rebuild", help="rebuild a view (or all) from position 0")
    rebuild.add_argument("--view", default=None, help="the view to rebuild (default: all)")
    rebuild.set_defaults(run=projections_rebuild)
    actions.add_parser("status", help="each projection's position and lag").set_defaults(run=projections_status)
    add_keys_parser(commands)
    add_log_parser(commands)
    audit = commands.add_parser("audit", help="check a ledger's transparency log against a checkpoint saved before")
    audit.add_argument("url", help="the ledger's base URL, e.g. https://ler.example")
    audit.add_argument("--state", default="ler-audit.json", help="where the last verified checkpoint is kept")
    audit.add_argument("--key", default=None, help="the log's verifier key (default: saved, else trusted on first use)")
    audit.add_argument("--full", action="store_true", help="fetch every leaf and recompute the tree")
    audit.add_argument("--token", default=os.environ.get("LER_AUDIT_TOKEN"),
                       help="an admin token, for --full (default: $LER_AUDIT_TOKEN)")
    audit.set_defaults(run=audit_run)
    return parser


def audit_run(args: argparse.Namespace) -> int:
    status, lines = audit_command(args.url, Path(args.state), args.key, args.full, args.token)
    for line in lines:
        print(line)
    return status


# ---- serve ------------------------------------------------------------------------------------------------------

def serve_command(args: argparse.Namespace) -> int:
    port = args.port if args.port is not None else _port(os.environ.get("PORT", "8000"))
    settings = demo_settings(args.host, port) if args.demo else load_settings()
    configure_logging(settings.json_logs)
    workers = _workers(args.workers, settings)
    admin_token = settings.admin_token or secrets.token_urlsafe(32)
    services = build_services(settings)  # the store's tables are created here, once, before any worker starts
    read_side = _open_read_side(services)
    try:
        demo = _load_demo_if_empty(services) if args.demo else None
        base = f"http://{args.host}:{port}"
        links = demo_sign_in_links(services, demo, base) if demo else {}
    finally:
        read_side.close()
        services.close()
    sock = serve.bind(args.host, port)
    _print_welcome(base, settings, admin_token, demo, links, workers)
    if workers == 1:
        return serve.serve_here(settings, admin_token, sock)
    return serve.serve_workers(workers, lambda: serve.serve_here(settings, admin_token, sock))


def demo_settings(host: str, port: int) -> Settings:
    """Unless LER_PAGES_ORIGIN says otherwise, the demo's pages are where it is served, at `localhost` (a secure
    context for browsers): the share links the pages show and the passkeys' relying party are then there."""
    environ = dict(os.environ)
    environ.setdefault("LER_PAGES_ORIGIN", f"http://{host}:{port}".replace("://127.0.0.1:", "://localhost:"))
    return load_settings(environ)


def _workers(flag: int | None, settings: Settings) -> int:
    text = os.environ.get("LER_WORKERS", "")
    workers = flag if flag is not None else (int(text) if text.isdigit() else serve.default_workers(settings))
    if workers < 1:
        raise CliError(f"--workers must be at least 1, got {workers}")
    if workers > 1 and not settings.uses_postgres:
        raise CliError("several workers need PostgreSQL (DATABASE_URL): the embedded store runs its projections "
                       "inside one server process")
    return workers


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise CliError(f"PORT must be a number, got {text!r}") from None
    if not 0 < port < 65536:
        raise CliError(f"PORT must be 1 to 65535, got {port}")
    return port


def _open_read_side(services: Services) -> ReadSide:
    # Embedded default: projections run in this process. On PostgreSQL they run as their own processes.
    return open_read_side(services, run_projections=not services.settings.uses_postgres)


def _load_demo_if_empty(services: Services) -> DemoIds | None:
    if services.ledger.position() > 0:
        return None
    return load_demo(services.ledger)


def demo_sign_in_links(services: Services, demo: DemoIds, base: str) -> dict[str, str]:
    """One-time links into the pages for each demo person. Printed with `localhost`, which browsers treat as a
    secure context, so the session cookie (Secure when the public URL is https) is kept over plain http."""
    pages = base.replace("://127.0.0.1:", "://localhost:")
    links = {}
    for name, kind in DEMO_PEOPLE:
        if name in demo.ids:
            link = services.sign_ins.create_link(Actor.admin(), Actor(kind, str(demo.ids[name])), DEMO_LINK_MINUTES)
            links[name] = f"{pages}/sign-in/link/{link.token}"
    return links


def _print_welcome(base: str, settings: Settings, admin_token: str, demo: DemoIds | None,
                   links: dict[str, str], workers: int) -> None:
    store = "PostgreSQL" if settings.uses_postgres else f"SQLite under {settings.data_dir}/"
    lines = [
        f"Learner employment record ledger on {store}, {workers} worker process{'es' if workers > 1 else ''}",
        f"  API docs:     {base}/docs",
        f"  admin token:  {admin_token}" + ("" if settings.admin_token else "   (generated; set LER_ADMIN_TOKEN)"),
    ]
    if demo is not None:
        lines.append("Demo data loaded. Tokens (Authorization: Bearer <token>):")
        for name in ("university", "tafe", "employer", "aroha", "sam"):
            if name in demo.tokens:
                lines.append(f"  {name:<12}  {demo.tokens[name]}   id {demo.ids[name]}")
        if "share" in demo.tokens:
            lines.append(f"  share link:   {base}/v1/shared/{demo.tokens['share']}")
        lines.append(f"Pages: {base.replace('://127.0.0.1:', '://localhost:')}/ ; sign in with a one-time link "
                     f"(valid {DEMO_LINK_MINUTES // 60} hours):")
        lines += [f"  {name:<12}  {url}" for name, url in links.items()]
    elif settings.admin_token == "":
        lines.append("(the ledger already held data: demo not loaded; earlier tokens still work)")
    print("\n".join(lines), flush=True)


# ---- demo -------------------------------------------------------------------------------------------------------

def demo_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.json_logs)
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=True)
    try:
        loaded = _load_demo_if_empty(services)
        print("Demo story loaded." if loaded else "The ledger already held data: showing the demo learner as is.")
        learner_id = services.ledger.records.learner_ids.learner_id(DEMO_LEARNER)
        if not read_side.wait_for(services.ledger.position(), timeout=30.0):
            raise CliError("the projections did not catch up within 30 s")
        entries = read_side.record(learner_id, limit=500)
        if not entries:
            raise CliError(f"no record for the demo learner {learner_id}")
        print(f"Record of learner {learner_id}, newest first:")
        for entry in entries:
            print("  " + describe(entry))
    finally:
        read_side.close()
        services.close()
    return 0


def describe(entry: TimelineEntry) -> str:
    return f"{entry.effective}  {entry.summary}  (by {entry.recorded_by})"


# ---- projections ------------------------------------------------------------------------------------------------

def projections_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.json_logs)
    projection_runner.run_forever(settings)
    return 0


def projections_rebuild(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.json_logs)
    projection_runner.rebuild(settings, view_name=args.view)
    print(f"rebuilt {args.view or 'every view'}")
    return 0


def projections_status(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.json_logs)
    status = projection_runner.status(settings)
    if isinstance(status, dict):
        for name, value in status.items():
            print(f"{name}: {value}")
    else:
        print(status)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
