"""The ``server.lookup`` rows of ``python -m benchmarks`` alone, on a home that is already built.

``python -m benchmarks.lookups --home H [--size 100k] [--repeat 3] [--clients 20 --requests 5000
--server-seconds 30] [--processes N]`` runs, ``--repeat`` times, ``datawork serve`` then ``oxigraph serve-read-only``
(the equivalent CONSTRUCT, :data:`benchmarks.__main__.LOOKUP_CONSTRUCT`) back to back on the same
store, with the same clients and the same resources as the full benchmark (the functions are its own),
and prints each pair as JSON lines, then one ``server.lookup.median`` row: the medians of both
servers' rps and p99, of the ratios of each pair, and the load average before and after. Nothing is
written into the home: both servers open its store read-only.
"""
from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from tests.servers import start_datawork

from .__main__ import ROOT, Out, bench_oxigraph_lookups, lookup_iris, lookup_paths, measure_load, wait_warm


def datawork_lookups(home: Path, iris: list[str], args) -> dict | None:
    """The lookups of ``iris`` against ``datawork serve`` on ``home``: rps and p50/p99 (ms)."""
    import httpx

    server = start_datawork(home, *([] if args.processes is None else ["--processes", str(args.processes)]), cwd=ROOT)
    try:
        warm = wait_warm(server.url)
        reqs = [("GET", server.url + p, None) for p in lookup_paths(iris)]
        r = httpx.get(reqs[0][1], headers={"Accept": "text/turtle"}, timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"{reqs[0][1]} answered {r.status_code}")
        processes = len(httpx.get(server.url + "/health", timeout=60).json().get("processes", [1]))
        return dict(measure_load(server.proc.pid, reqs, "text/turtle", args), warm=warm, processes=processes)
    finally:
        server.stop(grace=10)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.lookups", description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", required=True, help="a built home (read only)")
    ap.add_argument("--size", default="?", help="label of the rows (e.g. 100k)")
    ap.add_argument("--repeat", type=int, default=3, help="pairs of runs (datawork, then oxigraph)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=5000, help="requests per server measurement")
    ap.add_argument("--server-seconds", type=float, default=30.0, help="time cap per server measurement")
    ap.add_argument("--processes", type=int, help="datawork serve --processes (default: the server's own default, "
                                                  "as a user runs it)")
    ap.add_argument("--out", help="also append the JSON lines to this file")
    args = ap.parse_args(argv)
    out = Out(args.out)
    home = Path(args.home)
    iris = lookup_iris(home)
    load_before = os.getloadavg()
    pairs = []
    for i in range(args.repeat):
        dw = datawork_lookups(home, iris, args)
        out(op="server.lookup", size=args.size, engine="datawork serve", run=i, clients=args.clients,
            processes=dw.pop("processes"), **dw)
        ox = bench_oxigraph_lookups(out, args.size, home, iris, args)
        if ox:
            pairs.append((dw, ox))
    if not pairs:
        return
    med = lambda xs: round(statistics.median(xs), 3)
    out(op="server.lookup.median", size=args.size, clients=args.clients, pairs=len(pairs),
        rps=med([d["rps"] for d, _ in pairs]), baseline_rps=med([o["rps"] for _, o in pairs]),
        p99_ms=med([d["p99_ms"] for d, _ in pairs]), baseline_p99_ms=med([o["p99_ms"] for _, o in pairs]),
        cpu_ms_per_request=med([d["cpu_ms_per_request"] for d, _ in pairs]),
        baseline_cpu_ms_per_request=med([o["cpu_ms_per_request"] for _, o in pairs]),
        rps_ratio=med([d["rps"] / o["rps"] for d, o in pairs]), p99_ratio=med([d["p99_ms"] / o["p99_ms"] for d, o in pairs]),
        loadavg_before=[round(x, 2) for x in load_before], loadavg_after=[round(x, 2) for x in os.getloadavg()])


if __name__ == "__main__":
    main()
