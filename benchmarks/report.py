"""Markdown tables from the JSON lines of ``python -m benchmarks``: ``python -m benchmarks.report FILE``."""
from __future__ import annotations

import json
import sys


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
                  "skipped", "error"):
            if r.get(k) is not None:
                notes.append(f"{k}={r[k]}")
        out.append(f"| {r['op']} | {r['size']} | {r['engine']} | {_f(r.get('seconds'))} | {_f(r.get('peak_mb'), 0)} | "
                   f"{', '.join(notes)} |")
    q = [r for r in rows if r["op"].startswith("query.")]
    if q:
        out.append("")
        out.append("| query | size | p50 s | p95 s | runs | rows | rdflib s | capped | speed-up |")
        out.append("|---|---|---:|---:|---:|---:|---:|---|---:|")
        for r in q:
            if r.get("p50") is None:
                out.append(f"| {r['op'][6:]} | {r['size']} | {r.get('error', '')} | | | | | | |")
                continue
            base = r.get("baseline_seconds")
            note = "error" if r.get("baseline_error") else ("yes" if r.get("baseline_capped") else "")
            out.append(f"| {r['op'][6:]} | {r['size']} | {_f(r['p50'], 3)} | {_f(r['p95'], 3)} | {r['runs']} | {r['rows']} | "
                       f"{_f(base, 2)} | {note} | {_f(r.get('ratio'), 1)}{'+' if r.get('baseline_capped') else ''} |")
    return "\n".join(out)


if __name__ == "__main__":
    rows = [json.loads(ln) for ln in open(sys.argv[1], encoding="utf-8") if ln.strip()]
    print(tables(rows))
