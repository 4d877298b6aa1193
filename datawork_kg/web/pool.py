"""The query worker pool: SPARQL queries run in worker processes, killed at their deadline.

pyoxigraph cannot cancel a query, so each query runs in a worker (a fresh Python process, not a fork
of the server) that is killed, and replaced, when the deadline passes: a timeout really stops the
work. A worker's heap is capped (``DATAWORK_QUERY_MEMORY_MB``), so a query that needs more ends its
worker instead of the machine's memory. :func:`run_query_job` is what a worker does with one job:
it checks the text (update? SERVICE?), runs the query and writes the result within the row and byte
caps (:mod:`datawork_kg.sparql_results`); the body comes back in chunks and waits on disk past
``SPOOL_BYTES``.
"""
from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import sparql_results as R
from ..iris import DEFAULT_BASE
from ..querycheck import calls_service, nesting_problem, update_keyword
from ..sparql_protocol import format_key
from .rdf import prefixes_for
from .results import not_acceptable, pick

DEFAULT_MAX_BYTES = 50_000_000   # the body of one SPARQL result, whatever its rows
SPOOL_BYTES = 1_000_000          # a result body larger than this waits on disk, not in the server's memory
CHUNK_BYTES = 256 * 1024         # results travel from the workers in pieces this size
WORKER_START_TIMEOUT = 60.0      # seconds a new query worker may take to start
STORES_KEPT = 2                  # open releases kept per process
DEFAULT_WORKER_MEMORY_MB = int(os.environ.get("DATAWORK_QUERY_MEMORY_MB", "2048"))  # heap cap of a query worker


def run_query_job(job: dict, stores: "OrderedDict[str, ox.Store]") -> dict:
    """Run one SPARQL query (in a worker process) and write its result within the row and byte caps."""
    path = job["store"]
    store = stores.get(path)
    if store is None:
        store = ox.Store.read_only(path)
        stores[path] = store
        while len(stores) > STORES_KEPT:
            stores.popitem(last=False)
    stores.move_to_end(path)
    text = job["query"]
    # Decided here, under the query timeout, from the parsed query (never in the server's process).
    too_deep = nesting_problem(text)
    if too_deep:
        return {"status": 400, "error": too_deep}
    if update_keyword(text):
        return {"status": 403, "error": "this endpoint is read-only: SPARQL Update is refused"}
    if not job.get("allow_service") and calls_service(text, job.get("prefixes")):
        return {"status": 403, "error": "SERVICE (federated queries) is disabled on this server "
                                        "(start it with --allow-service to allow it)"}
    kwargs: dict[str, Any] = {"prefixes": job.get("prefixes") or None}
    try:
        if job.get("default_graphs"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        elif not job.get("stored_union"):  # older builds: no stored union, so read every graph as the default
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    except ValueError as exc:
        return {"status": 400, "error": f"default-graph-uri and named-graph-uri must be absolute IRIs: {exc}"}
    t0 = time.perf_counter()
    try:
        res = store.query(text, **kwargs)
    except SyntaxError as exc:
        return {"status": 400, "error": f"SPARQL syntax error: {exc}"}
    except (OSError, ValueError, RuntimeError) as exc:
        return {"status": 400, "error": f"the query failed: {exc}"}
    cap, max_bytes = int(job["max_rows"]), int(job.get("max_bytes") or DEFAULT_MAX_BYTES)
    formats, limits = job.get("formats") or [], job.get("limits_url", "")
    base = job.get("base") or DEFAULT_BASE
    kind = "boolean" if isinstance(res, ox.QueryBoolean) else "graph" if isinstance(res, ox.QueryTriples) else "solutions"
    key = pick(job.get("accept"), formats, kind)
    if key is None:
        return not_acceptable(kind)
    def table(variables, rows, cut_by, boolean=None) -> bytes:
        from .links import Linker
        from .pages import results_table_page

        cells = [{v: t for v, t in zip(variables, r) if t is not None} for r in rows]
        return results_table_page(variables, cells, Linker(base, "/", server=True), base=base,
                                  truncated=cut_by is not None, cap=cap, query=text, boolean=boolean).encode("utf-8")

    def graph_page(turtle: bytes, cut_by) -> bytes:
        from .links import Linker
        from .pages import graph_results_page

        return graph_results_page(turtle.decode("utf-8"), Linker(base, "/", server=True),
                                  warning=R.warning_text(cut_by, cap, max_bytes) if cut_by else None).encode("utf-8")

    try:
        if kind == "boolean":
            w = R.write_boolean(res, key, html=lambda v: table([], [], None, boolean=v))
        elif kind == "graph":
            prefixes = {k: v for k, v in prefixes_for(base).items() if k != "id"}  # id:chain/x is not valid Turtle
            w = R.write_graph(res, key, cap=cap, max_bytes=max_bytes, prefixes=prefixes, html=graph_page)
        else:
            w = R.write_solutions(res, key, cap=cap, max_bytes=max_bytes, limits_url=limits, html=table)
    except (OSError, ValueError, RuntimeError) as exc:
        return {"status": 400, "error": f"the query failed while reading results: {exc}"}
    return {"status": 200, "kind": kind, "key": key, "body": w.body, "rows": w.rows, "truncated": w.truncated,
            "cut_by": w.cut_by, "format_ignored": bool(formats) and format_key(formats, kind == "graph") is None,
            "seconds": time.perf_counter() - t0}


def _worker_main(conn) -> None:  # pragma: no cover - runs in the child process
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which ends the workers
    stores: OrderedDict = OrderedDict()
    try:
        conn.send("ready")  # imports done: from now on a query's time is the query's
    except (OSError, ValueError):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = run_query_job(job, stores)
        except BaseException as exc:  # noqa: BLE001 - report, never die silently
            result = {"status": 500, "error": f"{type(exc).__name__}: {exc}"}
        body = result.pop("body", None)
        if body is not None:
            result["size"] = len(body)
        try:
            conn.send(result)  # the head of the answer, then its body in chunks
            if body is not None:
                view = memoryview(body)
                for i in range(0, len(body), CHUNK_BYTES):
                    conn.send_bytes(view[i:i + CHUNK_BYTES])
        except (OSError, ValueError):
            return


def worker_entry(fd: int, memory_mb: int = 0) -> None:  # pragma: no cover - runs in the child process
    """Entry point of a query worker process (``python -c ...``): serve jobs on the socket ``fd``.

    ``memory_mb``: a cap on the worker's heap (RLIMIT_DATA); a query that needs more ends the worker,
    which the server reports and replaces, instead of exhausting the machine's memory.
    """
    from multiprocessing.connection import Connection

    with contextlib.suppress(Exception):  # die with the server (Linux)
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if memory_mb > 0:
        with contextlib.suppress(Exception):
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    _worker_main(Connection(fd))


class _Worker:
    """One query worker: a fresh Python process (not a fork of the server) talking over a socket pair."""

    def __init__(self, memory_mb: int = 0) -> None:
        import subprocess
        import sys

        parent, child = mp.Pipe(duplex=True)
        fd = child.fileno()
        code = f"from datawork_kg.web.pool import worker_entry; worker_entry({fd}, {int(memory_mb)})"
        env = dict(os.environ)
        pkg_parent = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = pkg_parent + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("RUST_BACKTRACE", "0")  # an out-of-memory query: one line in the log, not a backtrace
        self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(fd,), stdin=subprocess.DEVNULL, env=env,
                                     close_fds=True)
        child.close()
        self.conn = parent
        # Wait (in a pool thread) until the worker has started, so that no query's deadline is spent
        # on a worker's imports (a second or more on a busy machine).
        with contextlib.suppress(EOFError, OSError):
            if parent.poll(WORKER_START_TIMEOUT):
                parent.recv()

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def call(self, job: dict, timeout: float) -> dict:
        """Run ``job``; the answer's body comes as ``body_file`` (in memory up to SPOOL_BYTES, then on disk)."""
        deadline = time.monotonic() + timeout
        self.conn.send(job)
        if not self.conn.poll(max(0.0, timeout)):
            raise TimeoutError
        result = self.conn.recv()
        size = result.get("size")
        if size is None:
            return result
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        got = 0
        try:
            while got < size:
                if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError
                chunk = self.conn.recv_bytes()
                spool.write(chunk)
                got += len(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        result["body_file"] = spool
        return result

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """Worker processes that run SPARQL queries; a query past its deadline is killed with its worker."""

    def __init__(self, size: int = 2, memory_mb: int = 0) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._executor = ThreadPoolExecutor(max_workers=self.size + 2, thread_name_prefix="datawork-pool")
        self._idle: asyncio.Queue | None = None
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.killed: list[int] = []   # pids of workers killed at a deadline
        self.closed = False

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._workers if w.pid]

    def _spawn(self) -> _Worker:
        w = _Worker(self.memory_mb)
        with self._lock:
            self._workers.add(w)
        return w

    def _forget(self, w: _Worker) -> None:
        with self._lock:
            self._workers.discard(w)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._idle is not None and self._loop is loop and not self.closed:
            return
        if self._idle is not None:  # a new event loop (tests) or a restart after close(): start afresh
            await self.close()
            self._executor = ThreadPoolExecutor(max_workers=self.size + 2, thread_name_prefix="datawork-pool")
        self.closed = False
        self._loop = loop
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*[loop.run_in_executor(self._executor, self._spawn) for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    async def close(self) -> None:
        self.closed = True
        with self._lock:
            ws = list(self._workers)
            self._workers.clear()
        for w in ws:
            with contextlib.suppress(Exception):
                w.conn.send(None)
            w.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _call(self, w: _Worker, job: dict, timeout: float) -> tuple[dict, bool]:
        """In a pool thread: run ``job`` on ``w``; (result, worker still usable)."""
        try:
            return w.call(job, timeout), True
        except TimeoutError:
            pid = w.pid
            w.kill()
            if pid:
                self.killed.append(pid)
            return {"status": 503, "timeout": True}, False
        except (EOFError, OSError, BrokenPipeError, ValueError) as exc:
            w.kill()
            return {"status": 503, "error": "the query stopped its worker process (most likely it needed more memory "
                                            f"than a query may use: {self.memory_mb:,} MB, or it nests too deeply for the "
                                            "query engine); the worker has been replaced. "
                                            f"Narrow the query ({type(exc).__name__})" if self.memory_mb else
                    f"the query worker failed ({type(exc).__name__}); it has been replaced"}, False

    def _recycle(self, w: _Worker, ok: bool) -> None:
        """Give ``w`` back to the pool, or replace it (spawned off the event loop)."""
        loop = self._loop
        if self.closed or loop is None:
            return
        if ok:
            loop.call_soon_threadsafe(self._idle.put_nowait, w)
            return
        self._forget(w)

        def respawn():
            if self.closed:
                return
            nw = self._spawn()
            loop.call_soon_threadsafe(self._idle.put_nowait, nw)

        self._executor.submit(respawn)

    async def run(self, job: dict, timeout: float) -> dict:
        await self.start()
        loop = asyncio.get_running_loop()
        t0 = time.monotonic()
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout)
        except asyncio.TimeoutError:
            return {"status": 503, "busy": True}
        remaining = max(0.05, timeout - (time.monotonic() - t0))
        fut = loop.run_in_executor(self._executor, self._call, w, job, remaining)

        def done(f):
            try:
                _, ok = f.result()
            except BaseException:  # noqa: BLE001
                ok = False
            if ok:
                self._idle.put_nowait(w)
            else:
                self._recycle(w, False)

        fut.add_done_callback(done)
        result, _ = await asyncio.shield(fut)
        return result


__all__ = ["QueryPool", "run_query_job", "worker_entry", "STORES_KEPT", "DEFAULT_WORKER_MEMORY_MB", "DEFAULT_MAX_BYTES",
           "SPOOL_BYTES"]
