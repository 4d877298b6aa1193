"""``datawork serve``: the graph as linked data, with a read-only SPARQL endpoint.

A Starlette application run by uvicorn, bound to 127.0.0.1 unless told otherwise.

Resources (the W3C "Cool URIs" 303 recipe; IRIs map to this server by their path):

- ``/id/{path}`` is the thing ``{base}{path}`` (``base`` from the build's ``summary.json``,
  ``https://w3id.org/datawork/id/`` by default). It answers ``303 See Other`` to the document in
  the format the client asked for (``Vary: Accept``): ``/id/{path}.ttl``, ``.jsonld``, ``.rdf``,
  ``.nt`` or ``.html``. Those suffix URLs answer ``200`` directly, for people who cannot set headers.
- ``/ontology`` -> ``/ontology.html`` (pyLODE) or the whole ontology as ``.ttl`` ...;
  ``/ontology/{Term}`` (the term ``…/ontology#Term``) -> ``/ontology.html#Term`` for browsers,
  ``/ontology/{Term}.ttl`` ... for data clients.
- ``/.well-known/void`` and ``/dataset`` (+ ``.ttl`` ...): VoID and DCAT; ``/dumps/{file}``.

SPARQL at ``/sparql`` (SPARQL 1.1 Protocol, GET and POST): results as JSON, XML, CSV, TSV (and an
HTML table for browsers), CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples or RDF/XML, chosen by
``format=``/``output=``/``results=`` or ``Accept`` (:mod:`.sparql_protocol`). Queries run in worker
processes that are killed at the deadline (pyoxigraph cannot cancel a query), so a timeout really
stops the work (503 with a message). The workers also check the text (update? SERVICE? see
:mod:`.querycheck`) and write the result with pyoxigraph's serialisers, HTML pages included
(:mod:`.sparql_results`); results beyond the row cap or the byte cap are cut and the response
says so (``X-Datawork-Truncated: true``, a link and a warning in the JSON/XML head). A body
reaches the server process in pieces and waits on disk past 1 MB, so the server's memory does
not grow with the size of the answers. Updates and Graph Store writes are refused (403/405),
SERVICE is off unless ``--allow-service``.

Every request resolves ``build/current`` once and reads only that release (opened read-only and
cached per release), so a build while serving shows the old graph or the new one, never a mix.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing as mp
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pyoxigraph as ox

from . import html as H
from . import sparql_results as R
from .errors import StoreError
from .iris import DEFAULT_BASE
from .namespace import DW_NS, PREFIXES
from .querycheck import calls_service, update_keyword
from .sparql_protocol import (GRAPH_MEDIA, GRAPH_TYPES, RESULT_MEDIA, RESULT_TYPES, format_key, format_values,
                              multi_params)
from .store import Workspace

ONTOLOGY_GRAPH = "https://w3id.org/datawork/ontology"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 50_000_000   # the body of one SPARQL result, whatever its rows
SPOOL_BYTES = 1_000_000          # a result body larger than this waits on disk, not in the server's memory
CHUNK_BYTES = 256 * 1024         # results travel from the workers in pieces this size
WORKER_START_TIMEOUT = 60.0      # seconds a new query worker may take to start
MAX_QUERY_BYTES = 100_000        # the text of one query
MAX_BODY_BYTES = 1_000_000       # any request body
MAX_URL_BYTES = 200_000          # request line (uvicorn/h11 is told to accept this much)
DEFAULT_READ_TIMEOUT = 20.0      # seconds a client has to send one request, headers and body
STORES_KEPT = 2                  # open releases kept per process
DEFAULT_WORKER_MEMORY_MB = int(os.environ.get("DATAWORK_QUERY_MEMORY_MB", "2048"))  # heap cap of a query worker

TRUNCATION_HEADERS = ("X-Datawork-Truncated", "X-Datawork-Row-Cap", "X-Datawork-Byte-Cap", "X-Datawork-Rows", "X-Datawork-Release",
                      "X-Datawork-Timeout", "Link", "Content-Location", "Warning")


# ================================================================= worker processes
def _pick(accept: str | None, formats: list[str], kind: str) -> str | None:
    """The output key for a result of ``kind`` ('solutions', 'boolean', 'graph'): from ``format=``
    (or ``output=``, ``results=``) when a value fits the result, else from the Accept header."""
    graph = kind == "graph"
    key = format_key(formats, graph)
    if key:
        return key
    table = GRAPH_TYPES if graph else RESULT_TYPES
    offers = (["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html"]
              if graph else ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values", "text/html"])
    offers += [m for m in table if m not in offers]
    best = H.negotiate(accept, offers)
    return table.get(best) if best else None


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
    key = _pick(job.get("accept"), formats, kind)
    if key is None:
        return _not_acceptable(kind)
    lk = H.Linker(base, "/", server=True)

    def table(variables, rows, cut_by, boolean=None) -> bytes:
        cells = [{v: t for v, t in zip(variables, r) if t is not None} for r in rows]
        return H.results_table_page(variables, cells, lk, base=base, truncated=cut_by is not None, cap=cap, query=text,
                                    boolean=boolean).encode("utf-8")

    def graph_page(turtle: bytes, cut_by) -> bytes:
        warn = f'<p class="box"><strong>Truncated:</strong> {H.esc(R.warning_text(cut_by, cap, max_bytes))}</p>' \
            if cut_by else ""
        return H.page("SPARQL results", f"<h1>Results</h1>{warn}<pre>{H.esc(turtle.decode('utf-8'))}</pre>",
                      lk).encode("utf-8")

    try:
        if kind == "boolean":
            w = R.write_boolean(res, key, html=lambda v: table([], [], None, boolean=v))
        elif kind == "graph":
            prefixes = {k: v for k, v in H.prefixes_for(base).items() if k != "id"}  # id:chain/x is not valid Turtle
            w = R.write_graph(res, key, cap=cap, max_bytes=max_bytes, prefixes=prefixes, html=graph_page)
        else:
            w = R.write_solutions(res, key, cap=cap, max_bytes=max_bytes, limits_url=limits, html=table)
    except (OSError, ValueError, RuntimeError) as exc:
        return {"status": 400, "error": f"the query failed while reading results: {exc}"}
    return {"status": 200, "kind": kind, "key": key, "body": w.body, "rows": w.rows, "truncated": w.truncated,
            "cut_by": w.cut_by, "format_ignored": bool(formats) and format_key(formats, kind == "graph") is None,
            "seconds": time.perf_counter() - t0}


def _not_acceptable(kind: str) -> dict:
    if kind == "graph":
        avail = "text/turtle, application/ld+json, application/n-triples, application/rdf+xml"
    else:
        avail = "application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values"
    return {"status": 406, "error": f"none of the requested formats can express this result; available: {avail}"}


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
        code = f"from datawork_kg.server import worker_entry; worker_entry({fd}, {int(memory_mb)})"
        env = dict(os.environ)
        pkg_parent = str(Path(__file__).resolve().parent.parent)
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


# ================================================================= releases
class Release:
    """One release, opened read-only, with what its pages need (cached)."""

    def __init__(self, path: Path, base: str | None = None) -> None:
        self.path = path
        self.id = path.name
        summary_file = path / "summary.json"
        try:
            self.summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
        except (OSError, ValueError):
            self.summary = {}
        self.base = base or self.summary.get("base") or DEFAULT_BASE
        if not self.base.endswith("/"):
            self.base += "/"
        self.store_path = path / "store"
        try:
            self.store = ox.Store.read_only(str(self.store_path))
        except OSError as exc:
            raise StoreError(f"cannot open the store of release {self.id}: {exc}") from None
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._cache: dict[str, Any] = {}
        self.pages = H.StoreUnion(self.store, self.void_store())  # what pages read: the graph and its VoID
        self.site = H.Site(self.pages, self.base)

    def cached(self, key: str, make):
        """``make()`` once per key (other threads asking meanwhile wait for that result)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = make()
            with self._lock:
                self._cache[key] = value
                return value

    # -- content
    def ontology_triples(self) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]

    def ontology_html(self, back_link: str = "/") -> str:
        def make():
            from rdflib import Graph

            from .docs import ontology_html
            from .terms import to_rdflib

            g = Graph()
            for k, v in PREFIXES.items():
                g.bind(k, v)
            for t in self.ontology_triples():
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            if len(g) == 0:
                from .docs import merged_ontology

                g = merged_ontology()
            return ontology_html(g, back_link=back_link)
        return self.cached("ontology.html " + back_link, make)

    def void_store(self) -> ox.Store:
        def make():
            st = ox.Store()  # in memory; the VoID triples sit in a graph named after the dataset
            graph = ox.NamedNode(self.dataset_iri())
            f = self.path / "dumps" / "void.ttl"
            if f.exists():
                st.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=graph)
            else:
                from .describe import describe
                from .iris import IRIs

                g = describe(self.store, IRIs(self.base), self.summary)
                st.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            return st
        return self.cached("void", make)

    def dataset_iri(self) -> str:
        return H.site_root(self.base) + "dataset"

    def void_triples(self) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in self.void_store()]

    @property
    def union_default_graph(self) -> bool:
        """Whether the build stored the deduplicated union of the named graphs as the default graph."""
        return "default_graph_triples" in self.summary

    def kinds(self) -> dict[str, list[str]]:
        """IRIs of this dataset by kind (first path segment after the base)."""
        def make():
            found: dict[str, set[str]] = {}
            base = self.base
            for g in self.store.named_graphs():
                if isinstance(g, ox.NamedNode) and g.value.startswith(base) and H.is_safe_path(g.value[len(base):]):
                    rest = g.value[len(base):]
                    if "/" in rest:
                        found.setdefault(rest.split("/", 1)[0], set()).add(g.value)
            quads = itertools.chain(*(self.store.quads_for_pattern(None, None, None, g) for g in self.store.named_graphs()),
                                    self.void_store())
            for q in quads:
                for t in (q.subject, q.object):
                    if isinstance(t, ox.NamedNode) and t.value.startswith(base):
                        rest = t.value[len(base):]
                        if "/" in rest and H.is_safe_path(rest):
                            found.setdefault(rest.split("/", 1)[0], set()).add(t.value)
            return {k: sorted(v) for k, v in sorted(found.items())}
        return self.cached("kinds", make)

    def dumps(self) -> list[tuple[str, str, int]]:
        from .describe import DUMPS

        out = []
        d = self.path / "dumps"
        for name, (media, _) in DUMPS.items():
            f = d / name
            if f.is_file():
                out.append((name, media, f.stat().st_size))
        f = d / "void.ttl"
        if f.is_file():
            out.append(("void.ttl", "text/turtle", f.stat().st_size))
        return out


class Releases:
    """``build/current`` resolved once per request; one open store per release path."""

    def __init__(self, home: Path | str | None, base: str | None = None) -> None:
        self.ws = Workspace(home)
        self.base = base
        self._open: "OrderedDict[Path, Release]" = OrderedDict()
        self._lock = threading.Lock()

    def current(self) -> Release:
        path = self.ws.current()
        if path is None:
            raise StoreError(f"no graph has been built in {self.ws.root}", hint="run 'datawork build'")
        with self._lock:
            rel = self._open.get(path)
            if rel is not None:
                self._open.move_to_end(path)
                return rel
        rel = Release(path, self.base)
        with self._lock:
            self._open[path] = rel
            self._open.move_to_end(path)
            while len(self._open) > STORES_KEPT:
                self._open.popitem(last=False)
            return self._open[path]


# ================================================================= the application
def _chunks(body_file, size: int = 64 * 1024):
    """A result body from its spool file, piece by piece (the file is closed at the end or on disconnect)."""
    with body_file:
        while chunk := body_file.read(size):
            yield chunk


def create_app(home: Path | str | None = None, *, allow_service: bool = False, timeout: float = DEFAULT_TIMEOUT,
               max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES, base: str | None = None, workers: int = 2,
               max_query_bytes: int = MAX_QUERY_BYTES, max_body_bytes: int = MAX_BODY_BYTES,
               worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB):
    """The Starlette application (for uvicorn, tests, or mounting elsewhere)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import (FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response,
                                     StreamingResponse)
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    releases = Releases(home, base)
    pool = QueryPool(workers, worker_memory_mb)
    static_dir = Path(__file__).resolve().parent / "static"
    limits_text = (f"Queries time out after {timeout:g} s (the work is stopped); results are capped at {max_rows:,} rows "
                   f"and {max_bytes:,} bytes (a cut result says so: header X-Datawork-Truncated: true).")

    # -- helpers
    def wants_html(request: Request) -> bool:
        return H.negotiate(request.headers.get("accept"), ["application/json", "text/plain", "text/html"]) == "text/html" \
            and "text/html" in (request.headers.get("accept") or "")

    def linker(rel: Release | None = None) -> H.Linker:
        return H.Linker(rel.base if rel else (base or DEFAULT_BASE), "/", server=True)

    def error(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
        hdrs = dict(headers or {})
        if wants_html(request):
            titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                      406: "Not acceptable", 413: "Too large", 415: "Unsupported media type", 500: "Server error",
                      503: "Service unavailable"}
            return Response(H.message_page(titles.get(status, "Error"), message, linker(), status=status), status,
                            media_type="text/html; charset=utf-8", headers=hdrs)
        return PlainTextResponse(message + "\n", status, headers=hdrs)

    def current(request: Request) -> Release:
        rel = request.scope.get("datawork.release")
        if rel is None:
            rel = releases.current()
            request.scope["datawork.release"] = rel
        return rel

    def doc_headers(thing: str, rel: Release, ext: str, *, alternates_of: str | None = None) -> dict:
        lk = linker(rel)
        links = [f'<{thing}>; rel="describes"', f'<{LICENSE}>; rel="license"']
        for e, (media, _) in H.DOC_FORMATS.items():
            if e != ext:
                links.append(f'<{lk.doc(alternates_of or thing, e)}>; rel="alternate"; type="{media}"')
        return {"Link": ", ".join(links), "X-Datawork-Release": rel.id, "Cache-Control": "public, max-age=300"}

    def rdf_response(triples: list, ext: str, rel: Release, headers: dict) -> Response:
        body = H.serialize(triples, ext, rel.base)
        media = H.RDF_FORMATS[ext][0]
        if ext == "ttl":
            media += "; charset=utf-8"
        return Response(body, 200, media_type=media, headers=headers)

    def see_other(request: Request, location: str, *, describedby: dict[str, str] | None = None) -> Response:
        headers = {"Location": location, "Vary": "Accept"}
        if describedby:
            headers["Link"] = ", ".join(f'<{u}>; rel="describedby"; type="{t}"' for t, u in describedby.items())
        return Response(b"", 303, headers=headers)

    def not_acceptable(request: Request, offered: list[str]) -> Response:
        return error(request, 406, "none of the requested formats is available here; available: " + ", ".join(offered),
                     {"Vary": "Accept"})

    def split_ext(path: str) -> tuple[str, str | None]:
        head, dot, ext = path.rpartition(".")
        if dot and ext in H.DOC_FORMATS and "/" not in ext:
            return head, ext
        return path, None

    # -- resources
    async def resource(request: Request) -> Response:
        path = request.path_params["path"]
        rel = current(request)
        if path in ("", "index.html", "index"):
            return await browse(request)
        if path.endswith("/") or path.endswith("/index.html"):
            kind = path.rstrip("/").removesuffix("/index.html").rstrip("/")
            return await browse_kind(request, kind)
        stem, ext = split_ext(path)
        if not H.is_safe_path(stem):
            return error(request, 404, "no such resource")
        iri = rel.base + stem
        if not await run_in_threadpool(H.exists, rel.pages, iri):
            return error(request, 404, f"no resource <{iri}> in this graph (release {rel.id})")
        return await describe_response(request, rel, iri, ext, f"/id/{stem}")

    async def describe_response(request: Request, rel: Release, iri: str, ext: str | None, doc_base: str) -> Response:
        if ext is None:
            best = H.negotiate_ext(request.headers.get("accept"))
            if best is None:
                return not_acceptable(request, [m for m, _ in H.DOC_FORMATS.values()])
            return see_other(request, f"{quote(doc_base)}.{best}",
                             describedby={m: f"{quote(doc_base)}.{e}" for e, (m, _) in H.DOC_FORMATS.items()})
        headers = doc_headers(iri, rel, ext)
        if ext == "html":
            def render():
                return H.resource_page(rel.site.view(iri), rel.site, linker(rel))
            page = await run_in_threadpool(render)
            return Response(page, 200, media_type="text/html; charset=utf-8", headers=headers)
        triples = await run_in_threadpool(H.describe, rel.pages, iri)
        return rdf_response(triples, ext, rel, headers)

    async def browse(request: Request) -> Response:
        rel = current(request)
        kinds = await run_in_threadpool(rel.kinds)
        page = H.kinds_page({k: len(v) for k, v in kinds.items()}, linker(rel))
        return Response(page, media_type="text/html; charset=utf-8")

    async def browse_kind(request: Request, kind: str) -> Response:
        rel = current(request)
        kinds = await run_in_threadpool(rel.kinds)
        if kind not in kinds:
            return error(request, 404, f"no resources of kind '{kind}'")
        page = await run_in_threadpool(H.kind_page, kind, kinds[kind], rel.site, linker(rel))
        return Response(page, media_type="text/html; charset=utf-8")

    # -- ontology
    async def ontology(request: Request) -> Response:
        best = H.negotiate_ext(request.headers.get("accept"), ("ttl", "html", "jsonld", "rdf", "nt"))
        if best is None:
            return not_acceptable(request, [m for m, _ in H.DOC_FORMATS.values()])
        return see_other(request, f"/ontology.{best}",
                         describedby={m: f"/ontology.{e}" for e, (m, _) in H.DOC_FORMATS.items()})

    async def ontology_doc(request: Request) -> Response:
        ext = request.path_params["ext"]
        if ext not in H.DOC_FORMATS:
            return error(request, 404, "no such document")
        rel = current(request)
        links = [f'<{ONTOLOGY_GRAPH}>; rel="describes"', f'<{LICENSE}>; rel="license"'] + \
            [f'</ontology.{e}>; rel="alternate"; type="{m}"' for e, (m, _) in H.DOC_FORMATS.items() if e != ext]
        headers = {"Link": ", ".join(links), "X-Datawork-Release": rel.id}
        if ext == "html":
            text = await run_in_threadpool(rel.ontology_html)
            return Response(text, media_type="text/html; charset=utf-8", headers=headers)
        triples = await run_in_threadpool(rel.ontology_triples)
        return rdf_response(triples, ext, rel, headers)

    async def ontology_term(request: Request) -> Response:
        rel = current(request)
        stem, ext = split_ext(request.path_params["term"])
        if not H.is_safe_path(stem) or "/" in stem:
            return error(request, 404, "no such term")
        candidates = [DW_NS + stem, ONTOLOGY_GRAPH + "/" + stem]
        iri = None
        for c in candidates:
            if await run_in_threadpool(H.exists, rel.store, c):
                iri = c
                break
        if iri is None:
            return error(request, 404, f"the ontology has no term '{stem}'")
        if ext is None:
            best = H.negotiate_ext(request.headers.get("accept"))
            if best is None:
                return not_acceptable(request, [m for m, _ in H.DOC_FORMATS.values()])
            described = {m: f"/ontology/{quote(stem)}.{e}" for e, (m, _) in H.DOC_FORMATS.items()}
            if best == "html" and iri.startswith(DW_NS):
                return see_other(request, f"/ontology.html#{quote(stem)}", describedby=described)
            return see_other(request, f"/ontology/{quote(stem)}.{best}", describedby=described)
        return await describe_response(request, rel, iri, ext, f"/ontology/{stem}")

    # -- dataset description
    async def void(request: Request) -> Response:
        rel = current(request)
        ext = H.negotiate_ext(request.headers.get("accept"))
        if ext is None:
            return not_acceptable(request, [m for m, _ in H.DOC_FORMATS.values()])
        response = await dataset_document(request, rel, ext)
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"/dataset.{ext}"
        return response

    async def dataset(request: Request) -> Response:
        best = H.negotiate_ext(request.headers.get("accept"))
        if best is None:
            return not_acceptable(request, [m for m, _ in H.DOC_FORMATS.values()])
        return see_other(request, f"/dataset.{best}", describedby={m: f"/dataset.{e}" for e, (m, _) in H.DOC_FORMATS.items()})

    async def dataset_doc(request: Request) -> Response:
        ext = request.path_params["ext"]
        if ext not in H.DOC_FORMATS:
            return error(request, 404, "no such document")
        return await dataset_document(request, current(request), ext)

    async def dataset_document(request: Request, rel: Release, ext: str) -> Response:
        ds = rel.dataset_iri()
        links = [f'<{ds}>; rel="describes"', f'<{LICENSE}>; rel="license"'] + \
            [f'</dataset.{e}>; rel="alternate"; type="{m}"' for e, (m, _) in H.DOC_FORMATS.items() if e != ext]
        headers = {"Link": ", ".join(links), "X-Datawork-Release": rel.id}
        if ext == "html":
            page = await run_in_threadpool(lambda: H.void_page(rel.void_store(), ds, rel.site, linker(rel)))
            return Response(page, media_type="text/html; charset=utf-8", headers=headers)
        triples = await run_in_threadpool(rel.void_triples)
        return rdf_response(triples, ext, rel, headers)

    async def dumps_index(request: Request) -> Response:
        rel = current(request)
        return Response(H.dumps_page(rel.dumps(), linker(rel)), media_type="text/html; charset=utf-8")

    async def dump_file(request: Request) -> Response:
        from .describe import DUMPS

        name = request.path_params["name"]
        allowed = {**{k: v[0] for k, v in DUMPS.items()}, "void.ttl": "text/turtle"}
        if name not in allowed:
            return error(request, 404, "no such download")
        rel = current(request)
        f = rel.path / "dumps" / name
        if not f.is_file():
            return error(request, 404, f"this build has no {name} (built with --no-dumps?)")
        return FileResponse(f, media_type=allowed[name], headers={"X-Datawork-Release": rel.id,
                                                                  "Link": f'<{LICENSE}>; rel="license"'})

    # -- the chain explorer: its page, and the data the build wrote (made from the graph for an older release)
    async def explore(request: Request) -> Response:
        return Response(H.explorer_page(linker(current(request))), media_type="text/html; charset=utf-8")

    async def explore_data(request: Request) -> Response:
        from .explorer import FILE_NAME, explorer_data

        rel = current(request)
        headers = {"X-Datawork-Release": rel.id, "Link": f'<{LICENSE}>; rel="license"'}
        f = rel.path / FILE_NAME
        if f.is_file():
            return FileResponse(f, media_type="application/json", headers=headers)
        body = await run_in_threadpool(rel.cached, "explore.json", lambda: json.dumps(
            explorer_data(rel.store, base=rel.base, release=rel.id), separators=(",", ":")).encode())
        return Response(body, media_type="application/json", headers=headers)

    # -- home, health, catalogue
    async def home(request: Request) -> Response:
        rel = current(request)
        ext = H.negotiate_ext(request.headers.get("accept"), ("html", "ttl", "jsonld", "rdf", "nt"))
        if ext and ext != "html":
            return see_other(request, f"/dataset.{ext}")

        def render():
            kinds = {k: len(v) for k, v in rel.kinds().items()}
            examples = [q.object.value for q in rel.void_store().quads_for_pattern(
                ox.NamedNode(rel.dataset_iri()), ox.NamedNode("http://rdfs.org/ns/void#exampleResource"), None)]
            return H.index_page(rel.summary, kinds, rel.site, linker(rel), examples=sorted(examples),
                                dumps=[d[0] for d in rel.dumps()])
        page = await run_in_threadpool(render)
        return Response(page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})

    async def health(request: Request) -> Response:
        rel = current(request)
        return JSONResponse({"ok": True, "release": rel.id, "base": rel.base, "triples": rel.summary.get("triples"),
                             "timeout": timeout, "max_rows": max_rows, "max_bytes": max_bytes, "allow_service": allow_service,
                             "workers": pool.pids(), "killed_workers": len(pool.killed)})

    async def catalogue(request: Request) -> Response:
        from .docs import catalogue_html

        lk = linker(current(request))

        def render():
            return catalogue_html(page=lambda t, b: H.page(t, b, lk),
                                  run_href=lambda q: "/sparql?" + urlencode({"query": q, "format": "html"}))
        return Response(await run_in_threadpool(render), media_type="text/html; charset=utf-8")

    async def limits(request: Request) -> Response:
        return PlainTextResponse(limits_text + "\nUpdates are refused; SERVICE is "
                                 + ("allowed" if allow_service else "disabled") + ".\n")

    # -- SPARQL
    def examples() -> list[tuple[str, str, str]]:
        from . import queries as Q
        from .errors import QueryError

        out = []
        try:
            from .docs import _library_entries

            for e in _library_entries():
                q = e["query"]
                if q is None or q.kind not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                    continue
                if not allow_service and calls_service(q.text, PREFIXES):
                    continue
                try:
                    text = Q.bind(q)
                except QueryError:
                    text = q.text
                out.append((q.name, q.summary, text))
        except Exception:  # noqa: BLE001 - the page works without examples
            return []
        return out[:40]

    default_query = ("PREFIX dw: <https://w3id.org/datawork/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
                     "# Chains and their lead firms\nSELECT ?chain ?label ?lead WHERE {\n  ?chain a dw:Chain ; rdfs:label ?label .\n"
                     "  OPTIONAL { ?chain dw:leadFirm/rdfs:label ?lead }\n} ORDER BY ?label LIMIT 50\n")

    async def read_body(request: Request) -> bytes:
        cl = request.headers.get("content-length")
        if cl and cl.isdigit() and int(cl) > max_body_bytes:
            raise HTTPException(413, f"the request body is larger than {max_body_bytes:,} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise HTTPException(413, f"the request body is larger than {max_body_bytes:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def service_description(request: Request) -> Response:
        url = str(request.url_for("sparql"))
        fmts = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                "JSON-LD", "N-Triples", "RDF_XML"]
        ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{url}> a sd:Service ;
  sd:endpoint <{url}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in fmts)} ;
  sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{url}> ] .
"""
        return Response(ttl, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})

    async def sparql(request: Request) -> Response:
        rel_headers = {"Vary": "Accept"}
        if request.method == "POST":
            ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            body = await read_body(request)
            if ctype == "application/sparql-update":
                return error(request, 403, "this endpoint is read-only: SPARQL Update is refused", rel_headers)
            if ctype == "application/sparql-query":
                try:
                    queries = [body.decode("utf-8")]
                except UnicodeDecodeError:
                    return error(request, 400, "the query is not valid UTF-8")
                params = multi_params(request.query_params.multi_items())
            elif ctype in ("application/x-www-form-urlencoded", ""):
                try:
                    params = multi_params(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                except UnicodeDecodeError:
                    return error(request, 400, "the form is not valid UTF-8")
                for k, values in multi_params(request.query_params.multi_items()).items():
                    params.setdefault(k, values)
                if "update" in params:
                    return error(request, 403, "this endpoint is read-only: SPARQL Update is refused", rel_headers)
                queries = params.get("query", [])
            else:
                return error(request, 415, "send the query as application/sparql-query or as an "
                                           "application/x-www-form-urlencoded form with a 'query' field")
        else:
            params = multi_params(request.query_params.multi_items())
            if "update" in params:
                return error(request, 403, "this endpoint is read-only: SPARQL Update is refused", rel_headers)
            queries = params.get("query", [])
            if not queries:
                if wants_html(request):
                    lk = linker(current(request))
                    page = H.query_page(lk, endpoint="/sparql", default_query=default_query, examples=examples(),
                                        limits=limits_text)
                    return Response(page, media_type="text/html; charset=utf-8", headers=rel_headers)
                return service_description(request)
        if len(queries) != 1:
            return error(request, 400, "give exactly one 'query' parameter" if queries else "no 'query' parameter")
        text = queries[0]
        if len(text.encode("utf-8")) > max_query_bytes:
            return error(request, 413, f"the query is longer than {max_query_bytes:,} bytes")
        rel = current(request)
        limits_url = str(request.url_for("limits"))
        job = {"store": str(rel.store_path), "query": text, "accept": request.headers.get("accept"),
               "formats": format_values(params), "max_rows": max_rows, "max_bytes": max_bytes, "default_graphs": params.get("default-graph-uri") or [],
               "named_graphs": params.get("named-graph-uri") or [], "prefixes": PREFIXES, "base": rel.base,
               "stored_union": rel.union_default_graph, "allow_service": allow_service,
               "limits_url": limits_url}
        result = await pool.run(job, timeout)
        headers = {**rel_headers, "X-Datawork-Release": rel.id}
        if result.get("timeout"):
            return error(request, 503, f"the query ran longer than the server's limit of {timeout:g} s and was stopped; "
                                       "narrow it (LIMIT, more specific patterns) or run it on a downloaded dump",
                         {**headers, "X-Datawork-Timeout": f"{timeout:g}", "Retry-After": "1"})
        if result.get("busy"):
            return error(request, 503, f"every query worker stayed busy for {timeout:g} s; try again shortly",
                         {**headers, "Retry-After": "2"})
        status = result.get("status", 500)
        if status != 200:
            return error(request, status, result.get("error", "the query failed"), headers)
        body_file, size = result["body_file"], result["size"]
        headers["X-Datawork-Rows"] = str(result["rows"])
        headers["X-Datawork-Row-Cap"] = str(max_rows)
        headers["X-Datawork-Byte-Cap"] = str(max_bytes)
        if result["truncated"]:
            headers["X-Datawork-Truncated"] = "true"
            headers["Warning"] = (f'199 datawork "results truncated to the first {max_rows} rows (row cap)"'
                                  if result.get("cut_by") == "rows" else
                                  f'199 datawork "results truncated to the rows that fit in {max_bytes} bytes (byte cap)"')
            headers["Link"] = f'<{limits_url}>; rel="help"'
        else:
            headers["X-Datawork-Truncated"] = "false"
        if result.get("format_ignored"):
            headers["Warning"] = ((headers["Warning"] + ", ") if "Warning" in headers else "") + \
                '199 datawork "the format parameter names no format for this result; the Accept header chose it"'
        key, kind = result["key"], result["kind"]
        media = GRAPH_MEDIA[key] if kind == "graph" else RESULT_MEDIA[key]
        if size <= SPOOL_BYTES:  # small (most answers): in memory already
            with body_file:
                return Response(body_file.read(), 200, media_type=media, headers=headers)
        headers["Content-Length"] = str(size)
        return StreamingResponse(_chunks(body_file), 200, media_type=media, headers=headers)

    # -- refusals
    async def fallback(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            return error(request, 404, "nothing here")
        if request.method == "OPTIONS":
            allow = "GET, HEAD, POST, OPTIONS" if request.url.path == "/sparql" else "GET, HEAD, OPTIONS"
            return Response(b"", 204, headers={"Allow": allow})
        return await write_refused(request)

    async def write_refused(request: Request) -> Response:
        allow = "GET, HEAD, POST, OPTIONS" if request.url.path == "/sparql" else "GET, HEAD, OPTIONS"
        return error(request, 405, f"this server is read-only: {request.method} is not allowed "
                                   "(no SPARQL Update, no Graph Store writes)", {"Allow": allow})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        detail = getattr(exc, "detail", None) or "error"
        headers = dict(getattr(exc, "headers", None) or {})
        if status == 405:
            return await fallback(request)
        if status == 404:
            detail = "nothing here" if detail == "Not Found" else detail
        return error(request, status, str(detail), headers)

    async def store_error(request: Request, exc: StoreError) -> Response:
        return error(request, 503, f"the graph is not available: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))

    routes = [
        Route("/", home, methods=["GET", "HEAD"]),
        Route("/index.html", home, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/sparql", sparql, methods=["GET", "HEAD", "POST"], name="sparql"),
        Route("/sparql/limits", limits, methods=["GET", "HEAD"], name="limits"),
        Route("/query", lambda r: RedirectResponse("/sparql", 301), methods=["GET", "HEAD"]),
        Route("/queries.html", catalogue, methods=["GET", "HEAD"]),
        Route("/explore", explore, methods=["GET", "HEAD"]),
        Route("/explore/", lambda r: RedirectResponse("/explore", 301), methods=["GET", "HEAD"]),
        Route("/explore/index.html", explore, methods=["GET", "HEAD"]),
        Route("/explore/explore.json", explore_data, methods=["GET", "HEAD"]),
        Route("/queries", lambda r: RedirectResponse("/queries.html", 301), methods=["GET", "HEAD"]),
        Route("/ontology", ontology, methods=["GET", "HEAD"]),
        Route("/ontology.{ext}", ontology_doc, methods=["GET", "HEAD"]),
        Route("/ontology/{term}", ontology_term, methods=["GET", "HEAD"]),
        Route("/.well-known/void", void, methods=["GET", "HEAD"]),
        Route("/dataset", dataset, methods=["GET", "HEAD"]),
        Route("/dataset.{ext}", dataset_doc, methods=["GET", "HEAD"]),
        Route("/dumps", lambda r: RedirectResponse("/dumps/", 301), methods=["GET", "HEAD"]),
        Route("/dumps/", dumps_index, methods=["GET", "HEAD"]),
        Route("/dumps/index.html", dumps_index, methods=["GET", "HEAD"]),
        Route("/dumps/{name}", dump_file, methods=["GET", "HEAD"]),
        Route("/id", lambda r: RedirectResponse("/id/", 301), methods=["GET", "HEAD"]),
        Route("/id/{path:path}", resource, methods=["GET", "HEAD"]),
        Mount("/static", StaticFiles(directory=str(static_dir)), name="static"),
        Route("/{path:path}", fallback, methods=None),
    ]

    def warm() -> None:
        """Fill the caches the first visitors would otherwise wait for (browse index, pyLODE page)."""
        with contextlib.suppress(Exception):
            rel = releases.current()
            rel.kinds()
            rel.ontology_html()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        warming = asyncio.get_running_loop().run_in_executor(None, warm)
        try:
            yield
        finally:
            await pool.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(warming), 0.1)

    middleware = [
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                   allow_headers=["Accept", "Content-Type", "Accept-Language"], expose_headers=list(TRUNCATION_HEADERS),
                   max_age=3600),
        Middleware(GuardMiddleware, max_body=max_body_bytes, max_url=MAX_URL_BYTES),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, StoreError: store_error})
    app.state.pool = pool
    app.state.releases = releases
    app.state.settings = {"timeout": timeout, "max_rows": max_rows, "max_bytes": max_bytes, "allow_service": allow_service}
    return app


_BAD_RAW = re.compile(rb"%2e|%2f|%5c|%00|\\|\x00", re.I)


class GuardMiddleware:
    """Refuse path tricks (dot segments, encoded slashes or dots, NUL) and oversized requests, early."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES, max_url: int = MAX_URL_BYTES) -> None:
        self.app = app
        self.max_body = max_body
        self.max_url = max_url

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        raw = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        segments = path.split("/")
        bad = _BAD_RAW.search(raw) or any(s in (".", "..") for s in segments) or "\x00" in path or "\\" in path
        status, message = None, None
        if bad:
            status, message = 400, "bad request path (dot segments, encoded slashes or dots are not allowed)"
        elif len(raw) + len(scope.get("query_string", b"")) > self.max_url:
            status, message = 413, f"the request URL is longer than {self.max_url:,} bytes; POST the query instead"
        else:
            for k, v in scope.get("headers", []):
                if k == b"content-length":
                    try:
                        if int(v) > self.max_body:
                            status, message = 413, f"the request body is larger than {self.max_body:,} bytes"
                    except ValueError:
                        status, message = 400, "bad Content-Length"
        if status is None:
            return await self.app(scope, receive, send)
        body = (message + "\n").encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


# ================================================================= serve
def serve(home: Path | str | None = None, host: str = "127.0.0.1", port: int = 8080, allow_service: bool = False,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS, *, base: str | None = None,
          workers: int = 2, log_level: str = "info", worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB,
          max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Run the server until interrupted (``datawork serve``)."""
    import sys

    import uvicorn

    ws = Workspace(home)
    rel = ws.require_current()  # a clear error before binding anything
    if timeout <= 0:
        raise StoreError("--timeout must be positive")
    if max_rows <= 0:
        raise StoreError("--max-rows must be positive")
    app = create_app(home, allow_service=allow_service, timeout=timeout, max_rows=max_rows, base=base, workers=workers,
                     worker_memory_mb=worker_memory_mb, max_bytes=max_bytes)
    shown = f"[{host}]" if ":" in host else host
    print(f"datawork serve: release {rel.name} from {ws.root}\n"
          f"  http://{shown}:{port}/  (SPARQL: /sparql, ontology: /ontology, VoID: /.well-known/void)\n"
          f"  query timeout {timeout:g} s, row cap {max_rows:,}, byte cap {max_bytes:,}, SERVICE {'allowed' if allow_service else 'off'}; Ctrl-C to stop",
          file=sys.stderr, flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  note: bound to {host}, so other machines can reach this server", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, **uvicorn_options())


def uvicorn_options(read_timeout: float = DEFAULT_READ_TIMEOUT) -> dict:
    """uvicorn settings of ``datawork serve`` (tests start their live servers with the same)."""
    from .http_limits import protocol_with_read_deadline

    return dict(http=protocol_with_read_deadline(read_timeout), h11_max_incomplete_event_size=MAX_URL_BYTES + 16_384,
                timeout_graceful_shutdown=5, server_header=False,
                # keep idle connections longer than clients do (httpx and many others drop them after
                # 5 s, uvicorn's default too): with equal timeouts a client may reuse a connection at
                # the moment the server closes it, and the request fails with a read error
                timeout_keep_alive=75)


__all__ = ["create_app", "serve", "uvicorn_options", "QueryPool", "Releases", "Release", "run_query_job"]
