"""Scale benchmarks of datawork-kg: ``python -m benchmarks --sizes 10k,100k,1M``.

For each size it generates seeded synthetic case files (``benchmarks/generate.py``), then measures
the real pipeline and prints one JSON object per measurement (also appended to ``--out``):

- ``generate``: writing the case files;
- ``build``: the whole ``datawork build`` (load, link, store, materialise, validate, dumps) in a child
  process of its own, and ``build.<step>`` for each step (seconds of that step; ``peak_mb`` is the
  child's peak RSS at the end of the step);
- ``validate``: SHACL validation of every evidence graph with the project's shapes (a few items are
  deliberately broken so that there is something to find) by pySHACL (the baseline, graph after graph)
  and pyrudof (as ``datawork build`` runs it: from the text, in a pool of processes), both through the
  project's per-graph validation;
  ``same_violations`` says whether both found the same (focus node, path, constraint) set on the graphs
  where both ran (pySHACL is stopped after ``--pyshacl-budget`` seconds);
- ``query``: every query of the library, ``seconds`` = median (``p50``) and ``p95`` over ``--runs`` runs
  on the embedded store; ``baseline_seconds`` = the same query on an rdflib in-memory Dataset (capped
  at ``--baseline-cap`` seconds, ``baseline_capped``); ``ratio`` = baseline / median (speed-up);
  ``direct_p50`` = the same text on the pyoxigraph store with no runner (``overhead`` = p50 / direct - 1);
  a query over its p50 target (``report.QUERY_TARGETS``: 0.1 s at 100k, 1 s at 1M) also gets its answer
  floor (``floor_p50`` on disk, ``floor_memory_p50`` in memory, ``floor_cells``, ``floor_same_rows``): its
  own answer stored as a property per cell in a store holding nothing else and read back through the
  runner, the least time any materialisation could give it (``--skip-floor`` leaves it out);
- ``server.lookup`` / ``server.query``: requests per second and p50/p99 latency with ``--clients``
  concurrent clients on loopback against ``datawork serve`` (skipped when the server is not available);
  the lookups also against ``oxigraph serve-read-only`` on the same store answering the equivalent
  CONSTRUCT (engine ``oxigraph serve``; the datawork row carries ``rps_ratio`` and ``p99_ratio``).
  ``datawork serve`` is measured once ``/health`` says it is warm (its start-up caches are built in a
  thread that would compete with the requests); both rows carry the server's CPU time per request
  (``cpu_ms_per_request``). ``python -m benchmarks.lookups --home H`` runs this comparison alone.

Every row has ``op``, ``size``, ``engine``, ``seconds`` and ``peak_mb``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.servers import free_port, start_datawork, start_server

from .generate import generate, parse_size, size_label
from .load import descendants
from .report import QUERY_TARGETS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class Out:
    def __init__(self, path: str | None) -> None:
        self.fh = open(path, "a", encoding="utf-8") if path else None

    def __call__(self, **row) -> dict:
        line = json.dumps(row, default=str)
        print(line, flush=True)
        if self.fh:
            self.fh.write(line + "\n")
            self.fh.flush()
        return row


def child(task: str, args: dict, timeout: float, on_row=None) -> tuple[list[dict], str | None]:
    """Run ``benchmarks.child TASK`` in a fresh interpreter; its JSON rows (passed to ``on_row`` as they
    come), or the error. The child is killed (its whole process group) after ``timeout`` seconds."""
    import threading

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    err_file = tempfile.TemporaryFile(mode="w+")
    p = subprocess.Popen([sys.executable, "-m", "benchmarks.child", task, json.dumps(args)], stdout=subprocess.PIPE,
                         stderr=err_file, text=True, env=env, cwd=str(ROOT), start_new_session=True)
    timed_out = []

    def kill():
        timed_out.append(True)
        try:
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    rows = []
    try:
        for ln in p.stdout:
            if ln.startswith("{"):
                row = json.loads(ln)
                rows.append(row)
                if on_row:
                    on_row(row)
        p.wait()
    finally:
        timer.cancel()
    if timed_out:
        return rows, f"timed out after {timeout:.0f} s"
    if p.returncode != 0:
        err_file.seek(0)
        return rows, (err_file.read().strip().splitlines() or ["failed"])[-1][:500]
    return rows, None


def server_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("datawork_kg.web.app") is not None


def bench_server(out: Out, size: str, home: Path, args) -> None:
    if args.skip_server:
        out(op="server", size=size, engine="datawork serve", seconds=None, peak_mb=None, skipped="--skip-server")
        return
    if not server_available():
        out(op="server", size=size, engine="datawork serve", seconds=None, peak_mb=None, skipped="server not available")
        return

    import httpx

    lookup_row = None
    iris: list[str] = []
    try:
        server = start_datawork(home, cwd=ROOT)
    except RuntimeError as exc:
        out(op="server", size=size, engine="datawork serve", seconds=None, peak_mb=None,
            skipped="server did not start: " + _last_line(exc))
        return
    base, proc = server.url, server.proc
    try:
        from datawork_kg.store import open_store
        from datawork_kg.queries import library

        wait_warm(base)
        iris = lookup_iris(home)
        lookups = lookup_paths(iris)
        from datawork_kg.queries import bind

        lib = library()
        skip = set((args.slow_queries or "").split(",")) | {n for n in lib if "federated" in n}
        store = open_store(home)
        from benchmarks.child import _sample_params

        qtexts = [bind(q, _sample_params(store, q)) for n, q in sorted(lib.items()) if n not in skip]
        del store
        for kind in ("lookup", "query"):
            if kind == "lookup":
                reqs = [("GET", base + p, None) for p in lookups]
                accept = "text/turtle"
            else:
                reqs = [("POST", base + "/sparql", {"query": t}) for t in qtexts]
                accept = "application/sparql-results+json"
            m, u, d = reqs[0]
            r = httpx.request(m, u, data=d, headers={"Accept": accept}, timeout=60)
            if r.status_code != 200:
                out(op=f"server.{kind}", size=size, engine="datawork serve", seconds=None, peak_mb=None,
                    skipped=f"{m} {u} answered {r.status_code}")
                continue
            row = dict(op=f"server.{kind}", size=size, engine="datawork serve", clients=args.clients,
                       **measure_load(proc.pid, reqs, accept, args))
            if kind == "lookup":
                lookup_row = row  # written with Oxigraph's figures, once the datawork server is stopped
            else:
                out(**row)
    finally:
        server.stop(grace=10)
    if lookup_row is not None:
        base = bench_oxigraph_lookups(out, size, home, iris, args)
        if base:
            lookup_row.update(baseline_engine="oxigraph serve", baseline_rps=base["rps"], baseline_p50_ms=base["p50_ms"],
                              baseline_p99_ms=base["p99_ms"], rps_ratio=round(lookup_row["rps"] / base["rps"], 3),
                              p99_ratio=round(lookup_row["p99_ms"] / base["p99_ms"], 3))
        out(**lookup_row)


def wait_warm(base: str, timeout: float = 600.0) -> bool:
    """Wait until ``datawork serve`` at ``base`` has filled its start-up caches (``/health`` says
    ``warm``: the browse index and the ontology page, made in a thread that would otherwise compete
    with the measured requests for the interpreter); False if it is not warm after ``timeout`` s."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(base + "/health", timeout=30, trust_env=False).json().get("warm", True):
            return True
        time.sleep(0.5)
    return False


def lookup_iris(home: Path) -> list[str]:
    """The resources the lookup rows ask for: every tenth of the first 2,000 typed data IRIs."""
    from datawork_kg.store import open_store

    store = open_store(home)
    rows = list(store.query("""SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?c } FILTER(STRSTARTS(STR(?x),
                "https://w3id.org/datawork/id/")) } ORDER BY ?x LIMIT 2000"""))
    del store
    return [r["x"].value for r in rows][::10] or ["https://w3id.org/datawork/id/study/synth-00000"]


def lookup_paths(iris: list[str]) -> list[str]:
    """The Turtle document of each IRI on ``datawork serve`` (``/id/....ttl``)."""
    return [iri.replace("https://w3id.org/datawork", "") + ".ttl" for iri in iris]


# What a lookup of /id/... answers (html.describe): the resource's own triples, the triples that point
# to it, and a label of every IRI it links to or is linked from, as one SPARQL CONSTRUCT. (describe also
# follows blank nodes, which data resources do not have, caps incoming links at 500 and keeps one
# label per linked IRI; Oxigraph's answer holds every label.)
LOOKUP_CONSTRUCT = """CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> . ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
WHERE {{
  {{ <{iri}> ?p ?o }}
  UNION {{ ?s ?q <{iri}> FILTER(!isBlank(?s)) }}
  UNION {{ {{ <{iri}> ?p0 ?x }} UNION {{ ?x ?q0 <{iri}> }}
          FILTER(isIRI(?x) && ?x != <{iri}>)
          ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
}}"""


def bench_oxigraph_lookups(out: Out, size: str, home: Path, iris: list[str], args) -> dict | None:
    """The same lookups answered by ``oxigraph serve-read-only`` on the same store (the release's own
    RocksDB folder), as the equivalent CONSTRUCT per IRI, with the same clients; its rps and p50/p99."""
    from urllib.parse import quote

    exe = Path(sys.executable).parent / "oxigraph"
    if not exe.exists():
        out(op="server.lookup", size=size, engine="oxigraph serve", seconds=None, peak_mb=None,
            skipped=f"no oxigraph binary next to {sys.executable} (pip install oxigraph: the test extra)")
        return None
    import httpx

    port = free_port()
    store_dir = (home / "current" / "store").resolve()
    try:
        server = start_server([str(exe), "serve-read-only", "--location", str(store_dir), "--bind", f"127.0.0.1:{port}"],
                              f"http://127.0.0.1:{port}/query?query=" + quote("ASK {}"), what="oxigraph serve-read-only")
    except RuntimeError as exc:
        out(op="server.lookup", size=size, engine="oxigraph serve", seconds=None, peak_mb=None,
            skipped="oxigraph did not start: " + _last_line(exc))
        return None
    base, proc = server.url, server.proc
    try:
        reqs = [("GET", base + "/query?query=" + quote(LOOKUP_CONSTRUCT.format(iri=iri), safe=""), None) for iri in iris]
        r = httpx.get(reqs[0][1], headers={"Accept": "text/turtle"}, timeout=60)
        if r.status_code != 200:
            out(op="server.lookup", size=size, engine="oxigraph serve", seconds=None, peak_mb=None,
                skipped=f"the CONSTRUCT answered {r.status_code}: {r.text[:200]}")
            return None
        row = out(op="server.lookup", size=size, engine="oxigraph serve", clients=args.clients,
                  **measure_load(proc.pid, reqs, "text/turtle", args))
        return row if row["requests"] and not row["errors"] else None
    finally:
        server.stop(grace=10)


def _last_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[-1] if lines else "?"


def measure_load(pid: int, reqs: list[tuple], accept: str, args) -> dict:
    """``args.clients`` concurrent clients sending ``reqs`` to the server process ``pid`` (``args.requests``
    in all, at most ``args.server_seconds``): the row's figures, with the server's CPU time per request."""
    import asyncio

    cpu = _cpu_seconds(pid)
    res = asyncio.run(_load(reqs, accept, args.clients, args.requests, args.server_seconds))
    cpu = _cpu_seconds(pid) - cpu
    return dict(seconds=round(res["seconds"], 3), peak_mb=_rss_mb(pid), requests=res["n"], errors=res["errors"],
                rps=round(res["n"] / res["seconds"], 1), p50_ms=res["p50"], p99_ms=res["p99"],
                cpu_ms_per_request=round(1000 * cpu / max(1, res["n"]), 2))


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process ``pid`` and its descendants have used so far:
    those alive now by their own time, those ended by their parent's count of its waited-for children
    (cutime, cstime: a query worker killed at a timeout takes its time there, not with it)."""
    total = 0.0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def _rss_mb(pid: int) -> float | None:
    """The peak resident memory (VmHWM) of ``pid`` and its descendants, summed."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1) if total else None


async def _load(reqs: list[tuple], accept: str, clients: int, total: int, cap: float) -> dict:
    """``clients`` keep-alive HTTP/1.1 connections, each sending the requests one after another, for
    at most ``total`` requests or ``cap`` seconds; latency per request, and its p50/p99.

    The client is a few lines of asyncio on raw sockets rather than httpx: the load generator shares
    the machine's two cores with the server, and httpx spends about ten times more CPU per request,
    which showed up as queueing in the server's latency (measured: 139 ms p99 with httpx where
    ApacheBench, in C, saw 45 ms on the same resource).
    """
    import asyncio
    from urllib.parse import urlsplit

    lat: list[float] = []
    errors = 0
    counter = iter(range(total))
    t_end = time.perf_counter() + cap

    def encode(method: str, url: str, data: dict | None) -> tuple[str, int, bytes]:
        from urllib.parse import urlencode

        u = urlsplit(url)
        body = urlencode(data).encode() if data else b""
        head = (f"{method} {u.path}{'?' + u.query if u.query else ''} HTTP/1.1\r\nHost: {u.netloc}\r\n"
                f"Accept: {accept}\r\nConnection: keep-alive\r\n")
        if data:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        return u.hostname, u.port, (head + "\r\n").encode() + body

    encoded = [encode(*r) for r in reqs]

    async def worker():
        nonlocal errors
        host, port, _ = encoded[0]
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in counter:
                if time.perf_counter() > t_end:
                    return
                _, _, raw = encoded[i % len(encoded)]
                t = time.perf_counter()
                ok = False
                try:
                    writer.write(raw)
                    status = await reader.readline()
                    length, chunked = 0, False
                    while True:
                        line = await reader.readline()
                        if line in (b"\r\n", b""):
                            break
                        name, _, value = line.decode("latin-1").partition(":")
                        if name.lower() == "content-length":
                            length = int(value)
                        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                            chunked = True
                    if chunked:
                        while True:
                            size = int((await reader.readline()).split(b";")[0], 16)
                            await reader.readexactly(size + 2)
                            if size == 0:
                                break
                    else:
                        await reader.readexactly(length)
                    ok = status.split(b" ")[1] == b"200"
                except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                lat.append(time.perf_counter() - t)
                errors += not ok
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    secs = time.perf_counter() - t0
    lat.sort()
    pct = lambda q: round(1000 * lat[min(len(lat) - 1, int(q * (len(lat) - 1)))], 2) if lat else None
    return {"n": len(lat), "errors": errors, "seconds": secs, "p50": pct(0.5), "p99": pct(0.99)}


def run_size(out: Out, label: str, work: Path, args) -> None:
    n = parse_size(label)
    size = size_label(n)
    ev = work / size / "evidence"
    home = work / size / "home"
    shutil.rmtree(work / size, ignore_errors=True)
    t = time.perf_counter()
    files = generate(n, ev, seed=args.seed)
    out(op="generate", size=size, engine="benchmarks.generate", seconds=round(time.perf_counter() - t, 3), peak_mb=None,
        files=len(files), seed=args.seed, bytes=sum(f.stat().st_size for f in files))
    # the whole build, in a process of its own
    rows, err = child("build", {"evidence": str(ev), "home": str(home), "engine": args.engine,
                                "reason": args.reason}, args.timeout)
    if err or not rows:
        out(op="build", size=size, engine=args.engine, seconds=None, peak_mb=None, error=err)
        return
    b = rows[0]
    out(op="build", size=size, engine=args.engine, seconds=b["seconds"], peak_mb=b["peak_mb"], triples=b["triples"],
        graphs=b["graphs"], violations=b["violations"])
    for step, secs in b["steps"].items():
        if step != "total":
            out(op=f"build.{step}", size=size, engine=args.engine, seconds=secs, peak_mb=b["peaks"].get(step),
                triples=b["triples"])
    # validation: pySHACL (baseline) vs pyrudof, same violations
    if not args.skip_validate:
        keys = {}
        res = {}
        for engine in ("rudof", "pyshacl"):
            kf = work / size / f"violations-{engine}.json"
            budget = None if engine == "rudof" else args.pyshacl_budget
            rows, err = child("validate", {"evidence": str(ev), "engine": engine, "budget": budget,
                                           "keys_out": str(kf)}, args.timeout)
            if err or not rows:
                out(op="validate", size=size, engine=engine, seconds=None, peak_mb=None, error=err)
                continue
            res[engine] = rows[0]
            keys[engine] = [tuple(k) for k in json.loads(kf.read_text())]
        if "rudof" in res:
            r = res["rudof"]
            row = dict(op="validate", size=size, engine="rudof", seconds=r["seconds"], peak_mb=r["peak_mb"],
                       triples=r["triples"], graphs=r["graphs"], violations=r["violations"], broken_items=r["broken_items"])
            if "pyshacl" in res:
                p = res["pyshacl"]
                done_sources = _sources_done(ev, p["graphs"])
                ks_r = sorted(k for k in keys["rudof"] if k[-1] in done_sources)
                ks_p = sorted(keys["pyshacl"])
                row.update(baseline_engine="pyshacl", baseline_seconds=p["seconds"], baseline_capped=p["capped"],
                           baseline_graphs=p["graphs"], baseline_triples=p["triples"], baseline_peak_mb=p["peak_mb"],
                           baseline_violations=len(ks_p), violations_on_common_graphs=len(ks_r),
                           same_violations=ks_r == ks_p)
                # speed on the graphs where both ran: scale rudof's time by the share of triples
                share = p["triples"] / max(r["triples"], 1)
                row["ratio"] = round(p["seconds"] / max(r["seconds"] * share, 1e-9), 1)
                out(op="validate", size=size, engine="pyshacl", seconds=p["seconds"], peak_mb=p["peak_mb"],
                    triples=p["triples"], graphs=p["graphs"], violations=p["violations"], capped=p["capped"])
            out(**row)
    # queries: embedded store vs rdflib in memory
    nq = home / "current" / "dumps" / "datawork.nq"
    slow = [q for q in (args.slow_queries or "").split(",") if q]

    def query_row(r: dict) -> None:
        row = dict(op=f"query.{r['query']}", size=size, engine="pyoxigraph", seconds=r["seconds"], peak_mb=r["peak_mb"],
                   p50=r["p50"], p95=r["p95"], runs=r["runs"], rows=r["rows"])
        for k in ("direct_p50", "overhead", "floor_p50", "floor_memory_p50", "floor_cells", "floor_same_rows"):
            if k in r:
                row[k] = r[k]
        for k in ("baseline_seconds", "baseline_capped", "ratio", "baseline_rows", "baseline_load_seconds", "baseline_error"):
            if k in r:
                row[k] = r[k]
        if "baseline_seconds" in r or "baseline_error" in r:
            row["baseline_engine"] = "rdflib"
        out(**row)

    rows, err = child("queries", {"home": str(home), "runs": args.runs, "cap": args.baseline_cap, "nquads": str(nq),
                                  "max_seconds_per_query": args.query_seconds,
                                  "only": [q for q in (args.queries or "").split(",") if q], "exclude": slow,
                                  "floor_over": None if args.skip_floor else QUERY_TARGETS.get(size),
                                  "baseline": not args.skip_baseline and n <= args.baseline_max}, args.timeout,
                      on_row=query_row)
    for name in slow:  # one child each, stopped after --slow-timeout
        if args.queries and name not in args.queries.split(","):
            continue
        r2, e2 = child("queries", {"home": str(home), "runs": 2, "cap": args.baseline_cap, "nquads": str(nq),
                                   "max_seconds_per_query": args.query_seconds, "only": [name], "baseline": False},
                       args.slow_timeout, on_row=query_row)
        if e2:
            out(op=f"query.{name}", size=size, engine="pyoxigraph", seconds=None, peak_mb=None, error=e2)
    if err:
        out(op="query", size=size, engine="pyoxigraph", seconds=None, peak_mb=None, error=err)
    bench_server(out, size, home, args)
    if not args.keep:
        shutil.rmtree(work / size, ignore_errors=True)


def _sources_done(ev: Path, n: int) -> set[str]:
    from datawork_kg.build import evidence_files

    files = sorted(str(p) for p in evidence_files([ev]))
    return set(files[:n])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="Scale benchmarks of datawork-kg (JSON lines).")
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes in triples (default 10k,100k,1M)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="also append the JSON lines to this file")
    ap.add_argument("--work", help="working folder (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated evidence and builds")
    ap.add_argument("--engine", default="rudof", choices=["rudof", "pyshacl"], help="SHACL engine of the build")
    ap.add_argument("--reason", action="store_true", help="run the HermiT check in the build (cached per ontology)")
    ap.add_argument("--runs", type=int, default=20, help="runs per library query")
    ap.add_argument("--baseline-cap", type=float, default=10.0, help="seconds before an rdflib baseline query is stopped")
    ap.add_argument("--baseline-max", type=parse_size, default=parse_size("1M"),
                    help="largest size with an rdflib baseline (loading 5M triples into rdflib needs ~6 GB)")
    ap.add_argument("--query-seconds", type=float, default=20.0, help="stop repeating a query after this many seconds")
    ap.add_argument("--queries", help="comma-separated library queries to run (default: all)")
    ap.add_argument("--slow-queries", default="",
                    help="comma-separated queries to run alone (no baseline), stopped after --slow-timeout "
                         "(default: none; every query runs with its baseline)")
    ap.add_argument("--slow-timeout", type=float, default=180.0)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-floor", action="store_true",
                    help="do not measure the answer floor of the queries over their p50 target (their answer read "
                         "back from a store holding only it)")
    ap.add_argument("--skip-validate", action="store_true")
    ap.add_argument("--pyshacl-budget", type=float, default=120.0, help="seconds of pySHACL per size")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=5000, help="requests per server measurement")
    ap.add_argument("--server-seconds", type=float, default=30.0, help="time cap per server measurement")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a child measurement is stopped")
    args = ap.parse_args(argv)
    out = Out(args.out)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="datawork-bench-"))
    for label in [s for s in args.sizes.split(",") if s.strip()]:
        run_size(out, label.strip(), work, args)
    if not args.work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
