"""`ler serve`: the HTTP API in one or several worker processes sharing one listening socket.

The parent prepares the store once (tables created, the demo loaded) before any worker starts, binds the socket, then
forks the workers; each builds its own services (connections are never shared across a fork). SIGTERM or SIGINT to the
parent stops every worker."""

import gc
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from web.site import create_site
from wiring.read_side import open_read_side
from wiring.services import build_services
from wiring.settings import Settings


def default_workers(settings: Settings) -> int:
    """Every core on PostgreSQL; one on the embedded SQLite store, whose projections run inside the server."""
    if not settings.uses_postgres:
        return 1
    return os.cpu_count() or 1


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections of a socket that says so; without it a
    # response written in two parts waits for the client's delayed ACK (~40 ms per request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_here(settings: Settings, admin_token: str, sock: socket.socket) -> int:
    """One worker: its own services and read side, uvicorn on the shared socket."""
    services = build_services(settings)
    read_side = open_read_side(services, run_projections=not settings.uses_postgres)
    try:
        site = create_site(services, read_side, admin_token)
        keep_out_of_collections()
        run_uvicorn(site, sock)
    finally:
        read_side.close()
        services.close()
    return 0


def keep_out_of_collections() -> None:
    """What a worker holds once started (modules, the app, schemas, contexts) stays for its life: frozen, the
    collector's full passes no longer walk it (they took 150-280 ms under load in the reads' p99)."""
    gc.collect()
    gc.freeze()


SWITCH_INTERVAL_SECONDS = 0.001
"""How long a thread may hold the GIL while another waits for it: 1 ms, not Python's 5. A request's threads (the loop,
its hand-off, a share opening's write back from the database) each wait up to this while another computes (measured
in ops/bench/README.md, "Reads through HTTP: the switch interval")."""


def run_uvicorn(app: Starlette, sock: socket.socket) -> None:
    """The uvicorn settings, and the interpreter's switch interval, every server of ours runs with (the benchmark's
    minimal peer too)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    config = uvicorn.Config(app, access_log=False, log_config=None, timeout_keep_alive=30)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(workers: int, run_worker: Callable[[], int]) -> int:
    """Fork ``workers`` processes running ``run_worker``; wait for them all; forward SIGTERM and SIGINT."""
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = run_worker()
            except Exception:  # os._exit below would end the worker before Python printed why
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum: int, frame: FrameType | None) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                continue

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failed = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        # uvicorn stops gracefully on SIGTERM, then raises it again: ended by the signal is a clean stop
        failed += os.waitstatus_to_exitcode(status) not in (0, -signal.SIGTERM, -signal.SIGINT)
    return 1 if failed else 0
