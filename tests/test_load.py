"""Load test of ``datawork serve``: 50 concurrent clients for 60 s on 127.0.0.1 (``benchmarks/load.py``).

The real server runs in a subprocess (its own process group) against the session's build, with the
default query timeout (10 s) and row cap (10,000). The clients mix resource lookups (Turtle and
HTML, following the 303), library queries and a few pathological queries (cartesian products that
must be cut by the row cap or stopped by the timeout). Asserted: no error other than those intended
outcomes, at least one pathological query answered as intended, a worker killed for every timeout,
and the memory of the server and its query workers stable (end <= 1.5 x after a 10 s warm-up, below
3 GB). The p99 latency of each kind is printed (``-s``) and recorded as a property (JUnit XML).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import check_loopback, rows, run_load, serving  # noqa: E402

CLIENTS = 50
SECONDS = 60
TIMEOUT = 10.0          # the server's default --timeout
MAX_ROWS = 10_000       # the server's default --max-rows
RSS_GROWTH = 1.5        # end / after warm-up
RSS_CEILING_MB = 3072   # server + query workers


@pytest.mark.parametrize("url", ["http://localhost:8080", "http://10.0.0.1:8080", "https://127.0.0.1:8443",
                                 "http://127.0.0.1.example.org/", "http://user:pw@127.0.0.1:8080"])
def test_load_refuses_anything_but_loopback(url):
    with pytest.raises(ValueError, match="127.0.0.1"):
        check_loopback(url)
    with pytest.raises(ValueError):
        run_load(url, clients=1, seconds=1)


def _health_when(base: str, check, seconds: float) -> dict:
    """``/health`` once ``check`` holds of it, or as it is after ``seconds``."""
    import time

    import httpx

    end = time.monotonic() + seconds
    while True:
        health = httpx.get(base + "/health", timeout=30, trust_env=False).json()
        if check(health) or time.monotonic() > end:
            return health
        time.sleep(0.5)


@pytest.mark.slow
@pytest.mark.server
def test_fifty_clients_for_sixty_seconds(built, record_property):
    ws, _ = built
    with serving(ws.root, timeout=TIMEOUT, max_rows=MAX_ROWS) as (proc, base):
        result = run_load(base, clients=CLIENTS, seconds=SECONDS, server_pid=proc.pid)
        assert proc.poll() is None, "the server died during the run"
        # a worker killed at the last timeout is replaced by a fresh process, which takes a few seconds
        # on a loaded machine: the pools are full again once the load is over
        refilled = _health_when(base, lambda h: len(h["workers"]) == 2 * len(h["processes"]), 30)

    print()
    for row in rows(result):
        print(json.dumps(row))
        record_property(f"{row['op']}.p99_ms", row["p99_ms"])
        record_property(f"{row['op']}.requests", row["requests"])
        record_property(f"{row['op']}.errors", row["errors"])
    mem = result["memory"]
    for key in ("rss_start_mb", "rss_warm_mb", "rss_middle_mb", "rss_end_mb", "rss_max_mb"):
        record_property(f"load.{key}", mem.get(key))
    print(json.dumps({"pathological": result["kinds"]["pathological"]["outcomes"],
                      "killed_workers": (result["health_after"] or {}).get("killed_workers"),
                      "memory": {k: v for k, v in mem.items() if k != "samples"}}))

    kinds, total = result["kinds"], result["total"]
    assert result["clients"] == CLIENTS and result["seconds"] == SECONDS
    assert total["errors"] == 0, json.dumps(result["error_samples"], indent=1)
    assert all(code == 200 for code in result["probe"].values()), result["probe"]
    for kind in ("lookup.ttl", "lookup.html", "library"):
        assert kinds[kind]["ok"] > 0 and kinds[kind]["intended"] == 0, (kind, kinds[kind])

    patho = kinds["pathological"]
    assert patho["requests"] >= 1 and patho["intended"] == patho["requests"], patho
    timeouts = patho["outcomes"].get("timeout", 0)
    assert timeouts + patho["outcomes"].get("truncated", 0) >= 1, patho
    health = result["health_after"]
    assert health is not None, "the server did not answer /health after the run"
    assert health["killed_workers"] >= timeouts  # every timeout killed its worker ...
    assert len(refilled["workers"]) == 2 * len(refilled["processes"]), refilled  # ... and the pools were refilled (2 each)

    assert mem.get("rss_warm_mb") and mem.get("rss_end_mb"), "no memory samples"
    assert mem["rss_warm_t"] >= 10
    assert mem["rss_end_mb"] <= RSS_GROWTH * mem["rss_warm_mb"], mem
    assert mem["rss_max_mb"] < RSS_CEILING_MB, mem
