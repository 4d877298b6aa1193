"""Markdown tables from the JSON lines of ``python -m benchmarks``: ``python -m benchmarks.report FILE``."""
from __future__ import annotations

import json
import sys

# the p50 target of every library query, by size (seconds); a query over it also gets its answer
# floor (benchmarks.child.answer_floor: its own answer read back from a store holding nothing else)
QUERY_TARGETS = {"100k": 0.1, "1M": 1.0}


def _f(v, nd=2):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.{nd}f}" if v < 100 else f"{v:,.0f}"
    return str(v)


def tables(rows: list[dict]) -> str:
    out = []
    out.append("| op | size | engine | seconds | peak MB | notes |")
    out.append("|---|---|---|---:|---:|---|")
    for r in rows:
        if r["op"].startswith("query."):
            continue
        notes = []
        for k in ("triples", "files", "graphs", "violations", "baseline_engine", "baseline_seconds", "baseline_graphs",
                  "baseline_capped", "same_violations", "ratio", "rps", "p50_ms", "p99_ms", "clients", "errors",
                  "baseline_rps", "baseline_p99_ms", "rps_ratio", "p99_ratio",
                  "skipped", "error"):
            if r.get(k) is not None:
                notes.append(f"{k}={r[k]}")
        out.append(f"| {r['op']} | {r['size']} | {r['engine']} | {_f(r.get('seconds'))} | {_f(r.get('peak_mb'), 0)} | "
                   f"{', '.join(notes)} |")
    q = [r for r in rows if r["op"].startswith("query.")]
    if q:
        out.append("")
        out.append("| query | size | p50 s | p95 s | direct p50 s | overhead | answer floor s (disk / memory) | runs | rows "
                   "| rdflib s | capped | speed-up |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for r in q:
            if r.get("p50") is None:
                out.append(f"| {r['op'][6:]} | {r['size']} | {r.get('error', '')} | | | | | | | | | |")
                continue
            base = r.get("baseline_seconds")
            note = "error" if r.get("baseline_error") else ("yes" if r.get("baseline_capped") else "")
            over = "" if r.get("overhead") is None else f"{100 * r['overhead']:+.0f} %"
            out.append(f"| {r['op'][6:]} | {r['size']} | {_f(r['p50'], 3)} | {_f(r['p95'], 3)} | {_f(r.get('direct_p50'), 3)} | "
                       f"{over} | {_floor(r)} | {r['runs']} | {r['rows']} | "
                       f"{_f(base, 2)} | {note} | {_f(r.get('ratio'), 1)}{'+' if r.get('baseline_capped') else ''} |")
    return "\n".join(out)


def _floor(r: dict) -> str:
    """The answer floor of a query row: on disk / in memory (seconds), marked when the read-back differed."""
    if r.get("floor_p50") is None:
        return ""
    return (f"{_f(r['floor_p50'], 3)} / {_f(r.get('floor_memory_p50'), 3)}"
            f"{'' if r.get('floor_same_rows') else ' (read-back differs)'}")


def _status(ok) -> str:
    return "—" if ok is None else ("**met**" if ok else "**miss**")


def targets(rows: list[dict]) -> str:
    """The issue's targets, each with the measured value and whether it is met (from the rows alone)."""
    def one(op, size, **match):
        for r in rows:
            if r["op"] == op and r["size"] == size and all(r.get(k) == v for k, v in match.items()):
                return r
        return None

    out = ["| target | measured | status |", "|---|---|---|"]
    b = one("build", "1M")
    if b:
        ok = b["seconds"] is not None and b["seconds"] <= 60 and (b.get("peak_mb") or 0) <= 4096
        out.append(f"| 1M: full build <= 60 s, peak <= 4 GB | {_f(b['seconds'])} s, {_f(b.get('peak_mb'), 0)} MB "
                   f"({b.get('triples', 0):,} triples stored) | {_status(ok)} |")
    ld = one("build.load", "1M")
    if ld:
        out.append(f"| 1M: loading alone <= 5 s | {_f(ld['seconds'])} s | {_status(ld['seconds'] <= 5)} |")
    v = one("validate", "1M", engine="rudof")
    if v:
        same = v.get("same_violations")
        out.append(f"| 1M: validation <= 30 s, same violations as pySHACL | {_f(v['seconds'])} s for {v.get('graphs')} graphs; "
                   f"same as pySHACL on the {v.get('baseline_graphs')} graphs it finished: {same} | "
                   f"{_status(v['seconds'] <= 30 and same is not False)} |")
    for size, limit in QUERY_TARGETS.items():
        q = [r for r in rows if r["op"].startswith("query.") and r["size"] == size and r.get("p50") is not None]
        if q:
            fast = [r for r in q if r["p50"] <= limit]
            slow = ", ".join(f"{r['op'][6:]} {r['p50']:.2f} s" for r in sorted(q, key=lambda r: -r["p50"]) if r["p50"] > limit)
            out.append(f"| every query p50 <= {limit:g} s at {size} | {len(fast)} of {len(q)}"
                       f"{'; over: ' + slow if slow else ''} | {_status(len(fast) == len(q))} |")
            floored = [r for r in q if r["p50"] > limit and r.get("floor_p50") is not None]
            if floored:
                below = [r for r in floored if r["floor_p50"] > limit]
                cells = ", ".join(f"{r['op'][6:]} {r['floor_p50']:.2f} s ({r['rows']:,} rows, {r['floor_cells']:,} cells; "
                                  f"in memory {r['floor_memory_p50']:.2f} s)" for r in sorted(below, key=lambda r: -r["floor_p50"]))
                out.append(f"| (a lower bound, not a target) {size}: queries over the target whose own answer, read back "
                           f"from a store holding only it (a property per cell), is over it too | {len(below)} of the "
                           f"{len(floored)} over{': ' + cells if cells else ''} | — |")
    for size in ("100k", "1M"):
        q = [r for r in rows if r["op"].startswith("query.") and r["size"] == size and r.get("overhead") is not None]
        if q:
            ok = [r for r in q if r["overhead"] <= 0.2]
            over = ", ".join(f"{r['op'][6:]} {100 * r['overhead']:+.0f} %" for r in sorted(q, key=lambda r: -r["overhead"])
                             if r["overhead"] > 0.2)
            worst = max(q, key=lambda r: r["overhead"])
            out.append(f"| {size}: runner overhead <= 20 % over the same text on the pyoxigraph store, every query | "
                       f"{len(ok)} of {len(q)} (largest {100 * worst['overhead']:+.0f} %, {worst['op'][6:]})"
                       f"{'; over: ' + over if over else ''} | {_status(len(ok) == len(q))} |")
    for size in ("100k", "1M"):
        s = one("server.lookup", size, engine="datawork serve")
        if s and s.get("rps") is not None and s.get("baseline_rps"):
            ok = s["rps_ratio"] >= 0.5 and s["p99_ratio"] <= 2 and s.get("errors") == 0
            out.append(f"| {size}: lookups >= 0.5x the throughput of `oxigraph serve` answering the equivalent CONSTRUCT, "
                       f"p99 <= 2x its p99 ({s.get('clients')} clients each) | {s['rps']:,.0f}/s vs {s['baseline_rps']:,.0f}/s "
                       f"({s['rps_ratio']:.2f}x); p99 {s['p99_ms']} ms vs {s['baseline_p99_ms']} ms ({s['p99_ratio']:.2f}x); "
                       f"{s.get('errors')} errors | {_status(ok)} |")
    s = one("server.lookup", "100k", engine="datawork serve")
    if s and s.get("rps") is not None:
        ok = s["rps"] >= 500 and s["p99_ms"] <= 100 and s.get("errors") == 0
        out.append(f"| server: >= 500 lookups/s with 20 clients at 100k, p99 <= 100 ms | {s['rps']:,.0f}/s with "
                   f"{s.get('clients')} clients, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, {s.get('errors')} errors "
                   f"| {_status(ok and s.get('clients') == 20)} |")
    q = [r for r in rows if r["op"].startswith("query.") and r["size"] == "100k" and r.get("ratio") is not None]
    if q:
        out.append(f"| (reference, not a target) speed-up over rdflib at 100k | median {sorted(r['ratio'] for r in q)[len(q) // 2]:.0f}x "
                   f"over {len(q)} queries with a baseline (capped baselines are lower bounds) | — |")
    return "\n".join(out)


def query_grid(rows: list[dict]) -> str:
    """One line per library query: p50 at each size, and the rdflib baseline and speed-up where measured."""
    sizes = []
    for r in rows:
        if r["op"].startswith("query.") and r["size"] not in sizes:
            sizes.append(r["size"])
    by = {(r["op"][6:], r["size"]): r for r in rows if r["op"].startswith("query.")}
    names = sorted({n for n, _ in by})
    head = "| query | " + " | ".join(f"p50 {s} (ms)" for s in sizes) + " | overhead | rows | rdflib (s) | speed-up |"
    out = [head, "|---|" + "---:|" * len(sizes) + "---:|---:|---:|---:|"]
    for n in names:
        cells = []
        for s in sizes:
            r = by.get((n, s))
            cells.append("" if r is None or r.get("p50") is None else f"{1000 * r['p50']:,.1f}")
        with_base = [by[(n, s)] for s in sizes if (n, s) in by and by[(n, s)].get("baseline_seconds") is not None]
        base = with_base[-1] if with_base else None
        last = next((by[(n, s)] for s in reversed(sizes) if (n, s) in by), {})
        bl = "" if base is None else f"{base['baseline_seconds']:.2f} ({base['size']})"
        ratio = "" if base is None or base.get("ratio") is None else f"{base['ratio']:,.0f}{'+' if base.get('baseline_capped') else ''}"
        over = "" if last.get("overhead") is None else f"{100 * last['overhead']:+.0f} % ({last['size']})"
        out.append(f"| {n} | " + " | ".join(cells) + f" | {over} | {last.get('rows', '')} | {bl} | {ratio} |")
    return "\n".join(out)


if __name__ == "__main__":
    rows = [json.loads(ln) for ln in open(sys.argv[1], encoding="utf-8") if ln.strip()]
    print("### Against the targets\n")
    print(targets(rows))
    print("\n### Every query\n")
    print(query_grid(rows))
    print("\n### Every measurement\n")
    print(tables(rows))
