"""Page-ready time of the chain explorer: ``python -m benchmarks.explorer [--sizes bundled,100k]``.

For each size, the graph is built (the bundled evidence, or seeded synthetic case files from
``benchmarks/generate.py``), served by ``datawork serve`` and, for ``--static-sizes`` (default: the
bundled graph only; the publication writes every resource page, minutes at 100k), published with
``datawork publish --static`` and served by ``python -m http.server``; headless Chromium (Debian's, through Selenium,
with every host but 127.0.0.1 blocked and the HTTP cache off) then opens ``/explore`` ``--runs``
times. **Page ready** is the time from the start of navigation to the moment the page has drawn
the map, the tables and the value flow (``performance.now()`` when ``#explorer`` gets
``data-ready``), as the page itself reports it. One JSON line per site and size (``op``
``explorer.ready``, ``seconds`` = median, ``p95``, ``max``, ``target``, ``met``) is printed and appended
to ``--out``. Targets: 1 s on the bundled graph, 3 s on the 100k synthetic graph.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.servers import chromium_driver, start_datawork, start_static_site

from .generate import generate, parse_size, size_label

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"bundled": 1.0, "100k": 3.0}


def _datawork(*args: str) -> list[str]:
    return [sys.executable, "-m", "datawork_kg.cli", *args]


def build(size: str, work: Path) -> Path:
    """Build the graph of ``size`` into ``work/home``; the home."""
    home = work / "home"
    if size == "bundled":
        cmd = _datawork("--home", str(home), "build", "--no-reason")
    else:
        evidence = work / "evidence"
        generate(parse_size(size), evidence, seed=1)
        cmd = _datawork("--home", str(home), "build", str(evidence), "--no-reason")
    subprocess.run(cmd, check=True, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return home


def browser():
    """Headless Chromium (tests/servers.py) with the HTTP cache off: every load fetches the page again."""
    return chromium_driver(width=1280, height=1000, console_log=False, cache=False)


def ready_seconds(driver, url: str, runs: int) -> list[float]:
    """Open ``url`` ``runs`` times (after one warm-up load); the page-ready time of each, in seconds."""
    from selenium.webdriver.support.ui import WebDriverWait

    times = []
    for i in range(runs + 1):
        driver.get("about:blank")
        driver.get(url)
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(
            "var e = document.getElementById('explorer'); return e && e.dataset.ready"))
        state = driver.execute_script("return document.getElementById('explorer').dataset.ready")
        if state != "1":
            raise RuntimeError(f"the explorer did not load at {url}")
        ms = driver.execute_script("return window.datawork.explorer.readyMs")
        if i:  # the first load warms the server's caches
            times.append(ms / 1000)
    return times


def measure(size: str, home: Path, work: Path, runs: int, out, *, static_site: bool = True) -> list[dict]:
    rows = []
    serve = start_datawork(home, timeout=120, cwd=ROOT)
    static = None
    driver = None
    try:
        sites = [("datawork serve", f"{serve.url}/explore")]
        if static_site:  # the whole publication: every resource page too (minutes at 100k)
            site = work / "site"
            subprocess.run(_datawork("--home", str(home), "publish", "--static", str(site)), check=True,
                           cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            static = start_static_site(site, timeout=120)
            sites.append(("static", f"{static.url}/explore/index.html"))
        data = json.loads((home / "current" / "explore.json").read_text(encoding="utf-8"))
        driver = browser()
        for where, url in sites:
            times = sorted(ready_seconds(driver, url, runs))
            target = TARGETS.get(size)
            p50 = statistics.median(times)
            row = {"op": "explorer.ready", "size": size, "engine": where, "seconds": round(p50, 3),
                   "p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3), "max": round(times[-1], 3),
                   "runs": runs, "chains": len(data["chains"]), "json_bytes": (home / "current" / "explore.json").stat().st_size,
                   "target": target, "met": None if target is None else p50 <= target, "peak_mb": None}
            rows.append(out(row))
    finally:
        if driver is not None:
            driver.quit()
        serve.stop()
        if static is not None:
            static.stop()
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.explorer", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,100k", help="comma-separated: bundled, 10k, 100k, 1M ...")
    ap.add_argument("--runs", type=int, default=5, help="page loads per site and size (after one warm-up)")
    ap.add_argument("--out", help="append the JSON lines to this file")
    ap.add_argument("--home", help="measure this already built home instead of building (one size only)")
    ap.add_argument("--static-sizes", default="bundled",
                    help="sizes also measured on the static publication (it writes every resource: minutes at 100k)")
    a = ap.parse_args(argv)
    fh = open(a.out, "a", encoding="utf-8") if a.out else None

    def out(row: dict) -> dict:
        line = json.dumps(row)
        print(line, flush=True)
        if fh:
            fh.write(line + "\n")
            fh.flush()
        return row

    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    for size in sizes:
        label = size if size == "bundled" else size_label(parse_size(size))
        with tempfile.TemporaryDirectory(prefix=f"datawork-explorer-{label}-") as tmp:
            work = Path(tmp)
            t = time.perf_counter()
            home = Path(a.home) if a.home else build(size, work)
            if not a.home:
                out({"op": "explorer.build", "size": label, "engine": "datawork build", "seconds": round(time.perf_counter() - t, 3),
                     "explorer_step": json.loads((home / "current" / "summary.json").read_text()).get("seconds", {}).get("explorer"),
                     "peak_mb": None})
            measure(label, home, work, a.runs, out, static_site=size in a.static_sizes.split(","))
    if fh:
        fh.close()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    main()
