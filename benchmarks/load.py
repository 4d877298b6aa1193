"""Load test of ``datawork serve``: many concurrent clients on loopback for a fixed time.

``python -m benchmarks.load --home H [--clients 50 --seconds 60 --timeout 10 --max-rows 10000]`` starts
``datawork serve`` on a free 127.0.0.1 port against the built home ``H``, runs :func:`run_load`, prints
one JSON object per kind of request and stops the server (its whole process group).

Each client loops, without pause, over a weighted mix of

- ``lookup.ttl`` / ``lookup.html``: ``GET /id/...`` with ``Accept: text/turtle`` / ``text/html``, following
  the 303 to the document (the IRIs are listed by a SPARQL query at the start);
- ``library``: ``POST /sparql`` with the text of a library query (``queries/``, parameters bound to their
  defaults; the federated example is left out: SERVICE is off), ``Accept: application/sparql-results+json``;
- ``pathological``: cartesian products of the whole graph that must hit the row cap (``200`` with
  ``X-Datawork-Truncated: true``) or the query timeout (``503`` with ``X-Datawork-Timeout``). They are
  "a few": at most one is in flight at a time, one starts at most every ``pathological_gap``
  seconds and none in the last (server timeout + 1) seconds (a client drawing one meanwhile makes
  another request), so they test the limits without starving the two query workers of the server.

The defaults (15 % library queries, the server's default 10 s timeout) are what two query workers on
a small machine carry with 50 clients that never pause: library queries queue for a worker, and the
queueing counts against the timeout, so a 2 s timeout makes normal queries time out (``chains-by-
income-group`` alone takes about 1 s), which this test counts as errors.

Every response is classed ``ok``, ``intended`` (the timeout or the row cap of a pathological query)
or ``error`` (anything else: another status, a timeout of a normal query, a refused connection, a
client-side timeout). The run stops starting requests after ``seconds``; requests still running
``grace`` seconds later are cancelled (hard stop) and counted as ``cancelled``, not as errors.
The RSS of the server process and of its child processes (the query workers) is sampled every
second (psutil if installed, else ``/proc``).

Only 127.0.0.1 is accepted as the target: this is a load generator, not a tool to point elsewhere.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

KINDS = ("lookup.ttl", "lookup.html", "library", "pathological")
DEFAULT_MIX = {"lookup.ttl": 50, "lookup.html": 33, "library": 15, "pathological": 2}
LOOKUP_ACCEPT = {"lookup.ttl": "text/turtle", "lookup.html": "text/html"}
LOOKUP_MEDIA = {"lookup.ttl": "text/turtle", "lookup.html": "text/html"}
SPARQL_JSON = "application/sparql-results+json"

# The whole graph three times over: endless unless cut. The first streams, so the row cap cuts it
# (200, truncated); the aggregate has to see every row first, so only the timeout stops it (503).
PATHOLOGICAL = {
    "cartesian": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "cartesian-count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}


# ----------------------------------------------------------------- safety and helpers
def check_loopback(base_url: str) -> str:
    """``base_url`` without a trailing slash, if it points to 127.0.0.1 over http; else ValueError."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.username or parts.password:
        raise ValueError(f"the load test only runs against http://127.0.0.1:PORT, not {base_url!r}")
    return base_url.rstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``, or None when empty."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 1)


# ----------------------------------------------------------------- memory
def descendants(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (a server with several HTTP processes, and their query
    workers)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_kb_proc(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> tuple[float, int] | None:
    """RSS (MB) of ``pid`` and all its descendants, and how many processes that is; None if gone."""
    try:
        import psutil  # type: ignore
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return None
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return round(total / 2**20, 1), len(procs)
    if not os.path.exists(f"/proc/{pid}"):
        return None
    pids = descendants(pid)
    return round(sum(_rss_kb_proc(p) for p in pids) / 1024, 1), len(pids)


# ----------------------------------------------------------------- what to ask
async def _targets(client, base: str, iri_base: str, limit: int,
                   rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """The resource paths (listed by a SPARQL query) and the library queries (name, bound text)."""
    from datawork_kg.errors import QueryError
    from datawork_kg.queries import bind, library, uses_service

    # sorted here, not by ORDER BY: Oxigraph 0.5 sorts the rows before DISTINCT, which took 8.7 s of the
    # server's 10 s timeout on the bundled graph on a loaded machine (0.4 s without)
    q = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iri_base}")) }}'

    r = await client.post(base + "/sparql", data={"query": q}, headers={"Accept": SPARQL_JSON})
    r.raise_for_status()
    safe = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$")
    paths = []
    for b in sorted(r.json()["results"]["bindings"], key=lambda b: b["s"]["value"])[:5000]:
        rest = b["s"]["value"][len(iri_base):]
        if safe.match(rest) and not re.search(r"\.(ttl|jsonld|rdf|nt|html)$", rest):
            paths.append("/id/" + rest)
    if not paths:
        raise RuntimeError(f"no resource IRIs under {iri_base} in the served graph")
    if len(paths) > limit:
        paths = sorted(rng.sample(paths, limit))
    queries = []
    for name, lq in sorted(library().items()):
        if lq.kind not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") or uses_service(lq.text):
            continue
        try:
            queries.append((name, bind(lq)))
        except QueryError:
            continue  # a required parameter without a default
    if not queries:
        raise RuntimeError("no library query to run")
    return paths, queries


# ----------------------------------------------------------------- the run
class _Stats:
    def __init__(self) -> None:
        self.lat: dict[str, dict[str, list[float]]] = {k: {"ok": [], "intended": [], "error": []} for k in KINDS}
        self.outcomes: dict[str, dict[str, int]] = {k: {} for k in KINDS}
        self.http_requests = 0
        self.cancelled: dict[str, int] = {k: 0 for k in KINDS}
        self.error_samples: list[dict] = []
        self.per_query: dict[str, dict[str, int]] = {}

    def add(self, kind: str, cls: str, outcome: str, seconds: float, detail: dict | None = None) -> None:
        self.lat[kind][cls].append(seconds)
        self.outcomes[kind][outcome] = self.outcomes[kind].get(outcome, 0) + 1
        if cls == "error" and len(self.error_samples) < 20:
            self.error_samples.append({"kind": kind, "outcome": outcome, **(detail or {})})


def _classify(kind: str, r) -> tuple[str, str]:
    """(class, outcome) of a final response."""
    st = r.status_code
    if kind == "pathological":
        if st == 503 and "x-datawork-timeout" in r.headers:
            return "intended", "timeout"
        if st == 200 and r.headers.get("x-datawork-truncated") == "true":
            return "intended", "truncated"
        return "error", f"status {st}" + (" (busy)" if st == 503 else "")
    if st != 200:
        return "error", f"status {st}"
    ctype = r.headers.get("content-type", "")
    if kind in LOOKUP_MEDIA:
        if not ctype.startswith(LOOKUP_MEDIA[kind]) or not r.history or r.history[0].status_code != 303:
            return "error", f"200 {ctype} after {[h.status_code for h in r.history]}"
        return "ok", "200"
    if not ctype.startswith(SPARQL_JSON):
        return "error", f"200 {ctype}"
    return "ok", "200" + (" truncated" if r.headers.get("x-datawork-truncated") == "true" else "")


async def _run(base: str, clients: int, seconds: float, mix: dict[str, float], server_pid: int | None,
               pathological_gap: float, grace: float | None, warmup: float, seed: int, max_paths: int) -> dict:
    import httpx

    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0), trust_env=False,
                                 follow_redirects=True, max_redirects=2) as client:
        health = (await client.get(base + "/health")).json()
        paths, queries = await _targets(client, base, health["base"], max_paths, rng)
        # one pass over the library before the clock starts: opens the store in both workers
        probe = {}
        for name, text in queries:
            r = await client.post(base + "/sparql", data={"query": text}, headers={"Accept": SPARQL_JSON})
            probe[name] = r.status_code
        stats = _Stats()
        kinds = [k for k in KINDS if mix.get(k, 0) > 0]
        weights = [float(mix[k]) for k in kinds]
        normal = [k for k in kinds if k != "pathological"]
        normal_w = [float(mix[k]) for k in normal]
        patho = {"in_flight": 0, "last": -1e9, "issued": 0}
        patho_names = sorted(PATHOLOGICAL)

        server_timeout = float(health.get("timeout") or 10.0)
        if grace is None:
            grace = server_timeout + 2
        t0 = time.monotonic()
        stop_at = t0 + seconds
        hard_stop = stop_at + grace
        last_patho = stop_at - server_timeout - 1
        samples: list[dict] = []

        def draw(crng: random.Random) -> str:
            kind = crng.choices(kinds, weights)[0]
            if kind == "pathological":
                now = time.monotonic()
                if patho["in_flight"] or now - patho["last"] < pathological_gap or now > last_patho:
                    return crng.choices(normal, normal_w)[0] if normal else kind
                patho["in_flight"] += 1
                patho["last"] = now
            return kind

        async def one(kind: str, crng: random.Random) -> None:
            detail: dict = {}
            pq: dict | None = None
            t = time.perf_counter()
            try:
                budget = max(0.5, hard_stop - time.monotonic())
                if kind in LOOKUP_ACCEPT:
                    path = crng.choice(paths)
                    detail["path"] = path
                    r = await client.get(base + path, headers={"Accept": LOOKUP_ACCEPT[kind]}, timeout=budget)
                else:
                    if kind == "library":
                        name, text = crng.choice(queries)
                    else:
                        name = patho_names[patho["issued"] % len(patho_names)]
                        patho["issued"] += 1
                        text = PATHOLOGICAL[name]
                    detail["query"] = name
                    r = await client.post(base + "/sparql", data={"query": text}, headers={"Accept": SPARQL_JSON},
                                          timeout=budget)
                    pq = stats.per_query.setdefault(f"{kind}:{name}", {})
                await r.aread()
                dt = time.perf_counter() - t
                stats.http_requests += 1 + len(r.history)
                cls, outcome = _classify(kind, r)
                if cls == "error":
                    detail["body"] = r.text[:200]
                if pq is not None:
                    pq[outcome] = pq.get(outcome, 0) + 1
                stats.add(kind, cls, outcome, dt, detail)
            except asyncio.CancelledError:
                stats.cancelled[kind] += 1
                raise
            except httpx.HTTPError as exc:
                dt = time.perf_counter() - t
                stats.add(kind, "error", type(exc).__name__, dt, {**detail, "error": str(exc)[:200]})
            finally:
                if kind == "pathological":
                    patho["in_flight"] -= 1

        async def worker(i: int) -> None:
            crng = random.Random(seed * 1000 + i)
            while time.monotonic() < stop_at:
                await one(draw(crng), crng)

        async def sampler() -> None:
            while True:
                now = time.monotonic()
                if server_pid is not None:
                    got = tree_rss_mb(server_pid)
                    if got is not None:
                        samples.append({"t": round(now - t0, 2), "mb": got[0], "procs": got[1]})
                await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - now)))

        sampling = asyncio.create_task(sampler())
        tasks = [asyncio.create_task(worker(i)) for i in range(clients)]
        await asyncio.wait(tasks, timeout=max(0.0, hard_stop - time.monotonic()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = min(time.monotonic(), hard_stop) - t0
        if server_pid is not None:  # one last sample after the run
            got = tree_rss_mb(server_pid)
            if got is not None:
                samples.append({"t": round(time.monotonic() - t0, 2), "mb": got[0], "procs": got[1]})
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
        health_after = None
        with contextlib.suppress(Exception):
            health_after = (await client.get(base + "/health", timeout=10)).json()

    return _report(stats, samples, clients=clients, seconds=seconds, elapsed=elapsed, warmup=warmup, paths=len(paths),
                   queries=len(queries), probe=probe, health=health_after, patho_issued=patho["issued"],
                   server_timeout=server_timeout, grace=grace)


def _report(stats: _Stats, samples: list[dict], *, clients: int, seconds: float, elapsed: float, warmup: float,
            paths: int, queries: int, probe: dict, health: dict | None, patho_issued: int, server_timeout: float,
            grace: float) -> dict:
    kinds = {}
    every: list[float] = []
    for k in KINDS:
        lat = stats.lat[k]
        all_lat = lat["ok"] + lat["intended"] + lat["error"]
        every += all_lat
        n = len(all_lat)
        kinds[k] = {
            "requests": n, "ok": len(lat["ok"]), "intended": len(lat["intended"]), "errors": len(lat["error"]),
            "cancelled": stats.cancelled[k], "outcomes": dict(sorted(stats.outcomes[k].items())),
            "p50_ms": _ms(percentile(all_lat, 50)), "p95_ms": _ms(percentile(all_lat, 95)),
            "p99_ms": _ms(percentile(all_lat, 99)), "max_ms": _ms(max(all_lat) if all_lat else None),
            "rps": round(n / elapsed, 1) if elapsed > 0 else None,
            "by_class": {c: {"n": len(v), "p50_ms": _ms(percentile(v, 50)), "p95_ms": _ms(percentile(v, 95)),
                             "p99_ms": _ms(percentile(v, 99))} for c, v in lat.items() if v},
        }
    total = {
        "requests": len(every), "ok": sum(v["ok"] for v in kinds.values()),
        "intended": sum(v["intended"] for v in kinds.values()), "errors": sum(v["errors"] for v in kinds.values()),
        "cancelled": sum(stats.cancelled.values()), "p50_ms": _ms(percentile(every, 50)),
        "p95_ms": _ms(percentile(every, 95)), "p99_ms": _ms(percentile(every, 99)),
        "rps": round(len(every) / elapsed, 1) if elapsed > 0 else None, "http_requests": stats.http_requests,
    }
    mem: dict = {"samples": samples}
    if samples:
        mbs = [s["mb"] for s in samples]
        warm = next((s for s in samples if s["t"] >= warmup), samples[-1])
        middle = min(samples, key=lambda s: abs(s["t"] - seconds / 2))
        mem.update(rss_start_mb=samples[0]["mb"], rss_warm_mb=warm["mb"], rss_warm_t=warm["t"],
                   rss_middle_mb=middle["mb"], rss_end_mb=samples[-1]["mb"], rss_max_mb=max(mbs),
                   procs_max=max(s["procs"] for s in samples))
    return {"clients": clients, "seconds": seconds, "elapsed": round(elapsed, 2), "server_timeout": server_timeout,
            "grace": grace, "kinds": kinds, "total": total,
            "memory": mem, "resource_paths": paths, "library_queries": queries, "pathological_issued": patho_issued,
            "probe": probe, "per_query": stats.per_query, "error_samples": stats.error_samples, "health_after": health}


def run_load(base_url: str, *, clients: int = 50, seconds: float = 60, mix: dict[str, float] | None = None,
             server_pid: int | None = None, pathological_gap: float = 15.0, grace: float | None = None,
             warmup: float = 10.0,
             seed: int = 1, max_paths: int = 2000) -> dict:
    """Run ``clients`` concurrent clients against ``base_url`` (http://127.0.0.1:PORT only) for ``seconds``.

    ``mix``: relative weights of ``lookup.ttl``, ``lookup.html``, ``library`` and ``pathological``
    (default :data:`DEFAULT_MIX`). ``server_pid``: the server process, whose RSS (with its children's)
    is sampled every second. Returns counts, latency percentiles and requests/s per kind
    (``kinds``) and overall (``total``), and the memory samples with their start, warm-up
    (first sample at or after ``warmup`` s), middle, end and max (``memory``). ``grace``: how long
    requests still running at the end may finish before the hard stop (default: the server's
    timeout + 2 s, from ``/health``).
    """
    base = check_loopback(base_url)
    if clients < 1 or seconds <= 0:
        raise ValueError("clients must be >= 1 and seconds > 0")
    mix = dict(DEFAULT_MIX if mix is None else mix)
    unknown = set(mix) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds in mix: {sorted(unknown)}; use {KINDS}")
    return asyncio.run(_run(base, clients, seconds, mix, server_pid, pathological_gap, grace, warmup, seed, max_paths))


# ----------------------------------------------------------------- the server
@contextlib.contextmanager
def serving(home: Path | str, *, timeout: float = 10.0, max_rows: int = 10_000, start_timeout: float = 60.0):
    """``datawork serve`` on a free 127.0.0.1 port in its own process group: yields (process, base URL).

    The group (server and query workers) is sent SIGTERM at the end, SIGKILL if it lingers.
    """
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "datawork_kg.cli", "--home", str(home), "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--timeout", f"{timeout:g}", "--max-rows", str(max_rows)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env=env, cwd=str(ROOT))
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode("utf-8", "replace").strip()
                raise RuntimeError(f"datawork serve exited with {proc.returncode}: {err[-500:]}")
            try:
                if httpx.get(base + "/health", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"datawork serve did not answer on {base} within {start_timeout:g} s")
            time.sleep(0.2)
        # uvicorn's access log goes to stderr: drain it so the pipe never fills and blocks the server
        import threading

        def drain() -> None:
            with contextlib.suppress(Exception):
                while proc.stderr.read(65536):
                    pass

        threading.Thread(target=drain, daemon=True).start()
        yield proc, base
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group of ``proc`` (started with start_new_session), SIGKILL after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with contextlib.suppress(ProcessLookupError):  # workers that outlived the server
        os.killpg(proc.pid, signal.SIGKILL)


def rows(result: dict) -> list[dict]:
    """One flat row per kind (and ``all``): the numbers the command prints."""
    mem = result["memory"]
    out = []
    for kind, k in [*result["kinds"].items(), ("all", result["total"])]:
        out.append({"op": f"load.{kind}", "clients": result["clients"], "seconds": result["seconds"],
                    "requests": k["requests"], "errors": k["errors"], "intended": k["intended"],
                    "cancelled": k["cancelled"], "p50_ms": k["p50_ms"], "p95_ms": k["p95_ms"], "p99_ms": k["p99_ms"],
                    "rps": k["rps"], "rss_start_mb": mem.get("rss_start_mb"), "rss_warm_mb": mem.get("rss_warm_mb"),
                    "rss_middle_mb": mem.get("rss_middle_mb"), "rss_end_mb": mem.get("rss_end_mb"),
                    "rss_max_mb": mem.get("rss_max_mb")})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", required=True, help="a home with a build (build/current)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's query timeout (datawork serve --timeout)")
    ap.add_argument("--max-rows", type=int, default=10_000, help="the server's row cap (datawork serve --max-rows)")
    ap.add_argument("--pathological-gap", type=float, default=15.0)
    ap.add_argument("--mix", help='weights as JSON, e.g. \'{"lookup.ttl": 50, "lookup.html": 33, "library": 15, '
                                  '"pathological": 2}\'')
    ap.add_argument("--details", action="store_true", help="also print the whole result (one JSON object)")
    a = ap.parse_args(argv)
    with serving(a.home, timeout=a.timeout, max_rows=a.max_rows) as (proc, base):
        result = run_load(base, clients=a.clients, seconds=a.seconds, server_pid=proc.pid,
                          mix=json.loads(a.mix) if a.mix else None, pathological_gap=a.pathological_gap)
    for row in rows(result):
        print(json.dumps(row), flush=True)
    if a.details:
        print(json.dumps({"op": "load.details", **{k: v for k, v in result.items() if k != "kinds"}}), flush=True)
    return 1 if result["total"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
