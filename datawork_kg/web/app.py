"""``datawork serve``: the Starlette application (:func:`create_app`) and its uvicorn runner (:func:`serve`).

The routes come from one module per family (:mod:`datawork_kg.web.routes`); every request resolves
``build/current`` once and reads only that release; queries run in the worker pool. Bound to
127.0.0.1 unless told otherwise. What the server promises is in README.md ("Server promises") and
docs/publishing.md.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..errors import StoreError
from ..store import Workspace
from .context import WebContext, ctx_of
from .guard import MAX_BODY_BYTES, MAX_URL_BYTES, GuardMiddleware
from . import http_limits
from .pool import DEFAULT_MAX_BYTES, DEFAULT_WORKER_MEMORY_MB, QueryPool
from .processes import SETTINGS_ENV, Board, default_processes
from .release import Releases
from .routes import dataset, explorer, ontology, resources, search, site, sparql

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
MAX_QUERY_BYTES = 100_000        # the text of one query
DEFAULT_READ_TIMEOUT = 20.0      # seconds a client has to send one request, headers and body
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TRUNCATION_HEADERS = ("X-Datawork-Truncated", "X-Datawork-Row-Cap", "X-Datawork-Byte-Cap", "X-Datawork-Rows", "X-Datawork-Release",
                      "X-Datawork-Timeout", "Link", "Content-Location", "Warning")


async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", None) or "error"
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 405:
        return await site.fallback(request)
    if status == 404:
        detail = "nothing here" if detail == "Not Found" else detail
    return ctx_of(request).error(request, status, str(detail), headers)


async def store_error(request: Request, exc: StoreError) -> Response:
    return ctx_of(request).error(request, 503, f"the graph is not available: {exc.message}"
                                 + (f" ({exc.hint})" if exc.hint else ""))


def _lifespan(ctx: WebContext):
    def warm() -> None:
        """Fill the caches the first visitors would otherwise wait for (the labels descriptions read,
        browse index, pyLODE page)."""
        with contextlib.suppress(Exception):
            rel = ctx.releases.current()
            rel.pages.index_labels()
            rel.kinds()
            rel.ontology_html()
        ctx.warm = True  # /health says so: a benchmark measures the server after this start-up work

    async def publish() -> None:
        """Keep this process's state on the board the server's other processes read (``/health``)."""
        while True:
            ctx.board.publish(ctx.process_state())
            await asyncio.sleep(0.5)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await ctx.pool.start()
        warming = asyncio.get_running_loop().run_in_executor(None, warm)
        publishing = asyncio.get_running_loop().create_task(publish()) if ctx.board is not None else None
        try:
            yield
        finally:
            if publishing is not None:
                publishing.cancel()
                ctx.board.withdraw()
            await ctx.pool.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(warming), 0.1)
    return lifespan


def create_app(home: Path | str | None = None, *, allow_service: bool = False, timeout: float = DEFAULT_TIMEOUT,
               max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES, base: str | None = None, workers: int = 2,
               max_query_bytes: int = MAX_QUERY_BYTES, max_body_bytes: int = MAX_BODY_BYTES,
               worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB, board: Board | None = None) -> Starlette:
    """The Starlette application (for uvicorn, tests, or mounting elsewhere). ``board``: where the HTTP
    processes of one server tell each other their state (:mod:`.processes`), when there are several."""
    ctx = WebContext(Releases(home, base), QueryPool(workers, worker_memory_mb), timeout=timeout, max_rows=max_rows,
                     max_bytes=max_bytes, allow_service=allow_service, base=base, max_query_bytes=max_query_bytes,
                     max_body_bytes=max_body_bytes, board=board)
    # the resources first: most requests are lookups, and Starlette tries the routes in order
    # (no other route matches a path under /id)
    routes = (resources.routes() + site.routes() + sparql.routes() + ontology.routes() + dataset.routes()
              + explorer.routes() + search.routes() + [Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")]
              + site.fallback_routes())
    middleware = [
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                   allow_headers=["Accept", "Content-Type", "Accept-Language"], expose_headers=list(TRUNCATION_HEADERS),
                   max_age=3600),
        Middleware(GuardMiddleware, max_body=max_body_bytes, max_url=MAX_URL_BYTES),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan(ctx),
                    exception_handlers={HTTPException: http_error, StoreError: store_error})
    app.state.web = ctx
    app.state.pool = ctx.pool
    app.state.releases = ctx.releases
    app.state.settings = {"timeout": timeout, "max_rows": max_rows, "max_bytes": max_bytes, "allow_service": allow_service}
    return app


def app_from_environment() -> Starlette:
    """The application of one HTTP process of a server with several (uvicorn's factory in each of
    them): the settings ``serve`` put in :data:`.processes.SETTINGS_ENV`."""
    settings = json.loads(os.environ[SETTINGS_ENV])
    with contextlib.suppress(Exception):  # end (gracefully) with the supervisor, were it killed (Linux)
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    board = Board(settings.pop("board"), settings.pop("processes"))
    return create_app(**settings, board=board)


def serve(home: Path | str | None = None, host: str = "127.0.0.1", port: int = 8080, allow_service: bool = False,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS, *, base: str | None = None,
          workers: int = 2, log_level: str = "info", worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB,
          max_bytes: int = DEFAULT_MAX_BYTES, processes: int | None = None) -> None:
    """Run the server until interrupted (``datawork serve``): ``processes`` HTTP processes (default:
    :func:`.processes.default_processes`), each with ``workers`` query workers."""
    import shutil
    import sys
    import tempfile

    import uvicorn

    ws = Workspace(home)
    rel = ws.require_current()  # a clear error before binding anything
    if timeout <= 0:
        raise StoreError("--timeout must be positive")
    if max_rows <= 0:
        raise StoreError("--max-rows must be positive")
    processes = default_processes() if processes is None else processes
    if processes < 1:
        raise StoreError("--processes must be at least 1")
    settings = dict(home=str(ws.root), allow_service=allow_service, timeout=timeout, max_rows=max_rows, base=base,
                    workers=workers, worker_memory_mb=worker_memory_mb, max_bytes=max_bytes)
    shown = f"[{host}]" if ":" in host else host
    print(f"datawork serve: release {rel.name} from {ws.root}\n"
          f"  http://{shown}:{port}/  (SPARQL: /sparql, ontology: /ontology, VoID: /.well-known/void)\n"
          f"  {processes} HTTP process{'es' if processes > 1 else ''}, {workers} query worker{'s' if workers > 1 else ''} each; "
          f"query timeout {timeout:g} s, row cap {max_rows:,}, byte cap {max_bytes:,}, SERVICE {'allowed' if allow_service else 'off'}; Ctrl-C to stop",
          file=sys.stderr, flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  note: bound to {host}, so other machines can reach this server", file=sys.stderr, flush=True)
    if processes == 1:
        uvicorn.run(create_app(**settings), host=host, port=port, log_level=log_level, **uvicorn_options())
        return
    # several processes: uvicorn's supervisor binds the socket and starts them (fresh interpreters,
    # not forks), each making its application from the settings in the environment; one that dies is
    # replaced. The http protocol travels by name (a class made at run time cannot).
    board = tempfile.mkdtemp(prefix="datawork-serve-")
    os.environ[SETTINGS_ENV] = json.dumps({**settings, "board": board, "processes": processes})
    try:
        uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=processes, host=host, port=port,
                    log_level=log_level, **{**uvicorn_options(), "http": f"{http_limits.__name__}:ReadDeadlineProtocol"})
    finally:
        os.environ.pop(SETTINGS_ENV, None)
        shutil.rmtree(board, ignore_errors=True)


def uvicorn_options(read_timeout: float = DEFAULT_READ_TIMEOUT) -> dict:
    """uvicorn settings of ``datawork serve`` (tests start their live servers with the same)."""
    from .http_limits import protocol_with_read_deadline

    # httptools (C parser) and uvloop: a resource lookup spent about a third of its CPU time in h11's
    # pure-Python parsing and in the asyncio loop ("auto": uvloop where it is installed)
    return dict(http=protocol_with_read_deadline(read_timeout), loop="auto",
                timeout_graceful_shutdown=5, server_header=False,
                # keep idle connections longer than clients do (httpx and many others drop them after
                # 5 s, uvicorn's default too): with equal timeouts a client may reuse a connection at
                # the moment the server closes it, and the request fails with a read error
                timeout_keep_alive=75)


__all__ = ["create_app", "app_from_environment", "serve", "uvicorn_options", "DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS", "MAX_QUERY_BYTES"]
