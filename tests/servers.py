"""Real servers on 127.0.0.1 and a real browser, for the tests and the benchmarks.

- ``start_server(cmd, ready_url)``: any server program in its own process group, once ``ready_url``
  answers 200; ``start_datawork(home)`` (``datawork serve``) and ``start_static_site(folder)`` (a plain
  ``python -m http.server``) are the two the tests use most. Each returns a :class:`Server` (``url``,
  ``proc``, ``stop()``; also a context manager).
- ``start_oxigraph(tmp_path, data_files)`` loads the files into a fresh store, serves it on a free port
  and returns ``(query_url, stop)``.
- ``chromium_driver()``: headless Debian Chromium through Selenium and Debian's chromedriver; every
  host name but 127.0.0.1 resolves to nothing, so a page can load nothing from another host.
- ``start_stub()``: a tiny HTTP server for failures a real one will not produce on demand.

Programs come from next to the running interpreter (``Path(sys.executable).parent``: ``python -m ...``
or ``venv_program``), never from PATH. A missing program or browser raises :class:`Unavailable`; in a
test that is a skip, except on CI (``CI=true``), where it fails (``conftest.skip_or_fail``): CI must
install the test extra and the system packages. The benchmarks import this module too
(``from tests.servers import ...``); the library never does.
"""
from __future__ import annotations

import contextlib
import http.server
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterable, Sequence

READY_TIMEOUT = 30.0
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class Unavailable(RuntimeError):
    """A program or browser that a test or benchmark needs is not installed."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace: float = 20) -> None:
    """Terminate a server started by a test; kill it if it has not ended after ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def venv_program(name: str) -> str | None:
    """A program installed into the running interpreter's environment (its ``bin`` folder), or None.

    Tests start programs from next to ``sys.executable``, never from PATH: ``make test`` runs
    ``.venv/bin/python`` without activating the venv, and a program found on PATH may be one that
    was installed by hand outside the project.
    """
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def oxigraph_binary() -> str:
    exe = venv_program("oxigraph")
    if exe is None:
        message = (f"the 'oxigraph' server binary is not installed next to {sys.executable} "
                   "(make install-test, or pip install 'datawork-kg[test]' into the project's .venv)")
        import pytest

        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return exe


class Server:
    """A server program started by :func:`start_server`: its base ``url`` and process ``proc``."""

    def __init__(self, proc: subprocess.Popen, url: str, log_path: Path) -> None:
        self.proc, self.url, self.log_path = proc, url, log_path
        self._stopped = False

    def log(self, tail: int = 2000) -> str:
        """The last ``tail`` characters the server wrote (stdout and stderr)."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self, grace: float = 20) -> None:
        """End the server's process group (SIGTERM, then SIGKILL after ``grace`` s); safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(cmd: Sequence[str], ready_url: str, *, base_url: str | None = None, what: str | None = None,
                 timeout: float = 60.0, cwd: str | Path | None = None, env: dict | None = None) -> Server:
    """Start ``cmd`` in its own process group and wait until ``GET ready_url`` answers 200.

    Its output goes to a temporary log, quoted in the error if it exits or does not answer within
    ``timeout`` seconds (RuntimeError; the process group is stopped). ``base_url`` (default: the scheme
    and host of ``ready_url``) becomes ``Server.url``.
    """
    what = what or Path(cmd[0]).name
    fd, log_name = tempfile.mkstemp(prefix="datawork-server-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=cwd, env=env)
    parts = urllib.parse.urlsplit(ready_url)
    server = Server(proc, base_url or f"{parts.scheme}://{parts.netloc}", Path(log_name))
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            text = server.log()
            server.stop()
            raise RuntimeError(f"{what} exited with {proc.returncode}: {text}")
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            text = server.log()
            server.stop()
            raise RuntimeError(f"{what} did not answer {ready_url} within {timeout:g} s: {text}")
        time.sleep(0.1)


def start_datawork(home: str | Path, *args: str, timeout: float = 60.0, cwd: str | Path | None = None,
                   env: dict | None = None) -> Server:
    """``datawork serve`` of the running interpreter on the release in ``home``, on a free 127.0.0.1 port,
    once ``/health`` answers; ``args`` are more options of ``serve`` (``--timeout 2``, ``--max-rows 10``)."""
    port = free_port()
    cmd = [sys.executable, "-m", "datawork_kg.cli", "--home", str(home), "serve", "--host", "127.0.0.1",
           "--port", str(port), *args]
    return start_server(cmd, f"http://127.0.0.1:{port}/health", what="datawork serve", timeout=timeout, cwd=cwd, env=env)


def start_static_site(folder: str | Path, timeout: float = 60.0) -> Server:
    """``folder`` served by a plain static file server (``python -m http.server``) on a free 127.0.0.1 port."""
    port = free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]
    return start_server(cmd, f"http://127.0.0.1:{port}/", what="the static file server", timeout=timeout)


def chromium_driver(*, width: int = 1400, height: int = 1100, console_log: bool = True, cache: bool = True,
                    page_load_timeout: float = 60):
    """Headless Debian Chromium driven by Selenium through Debian's chromedriver (nothing is downloaded).

    Every host name but 127.0.0.1 resolves to nothing. ``console_log`` keeps the browser console for
    ``driver.get_log("browser")``; ``cache=False`` turns the HTTP cache off (page timings). The caller
    quits the driver. Raises :class:`Unavailable` without selenium, chromium or chromedriver.
    """
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise Unavailable("selenium is not installed (pip install -e '.[test]')") from None
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        raise Unavailable("Debian chromium/chromium-driver are not installed (see .ci/install-servers.sh)")
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(arg)
    if console_log:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.set_page_load_timeout(page_load_timeout)
        if not cache:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    except BaseException:
        driver.quit()
        raise
    return driver


def start_oxigraph(tmp_path: Path, data_files: Iterable[Path | str], *,
                   union_default_graph: bool = False) -> tuple[str, Callable[[], None]]:
    """Load ``data_files`` into a new store under ``tmp_path`` and serve it on 127.0.0.1.

    Returns the SPARQL query URL (``http://127.0.0.1:PORT/query``) and a ``stop()`` that ends the
    server's process group (safe to call twice).
    """
    exe = oxigraph_binary()
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    location = Path(tmp_path) / f"oxigraph-{time.monotonic_ns()}"
    files = [str(f) for f in data_files]
    if files:
        done = subprocess.run([exe, "load", "--location", str(location), "--file", *files],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"oxigraph load failed ({done.returncode}): {done.stderr.strip()}")
    else:
        location.mkdir(parents=True)
    port = free_port()
    cmd = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        cmd.append("--union-default-graph")
    server = start_server(cmd, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", what="oxigraph serve",
                          timeout=READY_TIMEOUT)
    return f"{server.url}/query", server.stop


def start_stub(body: bytes = b"", *, delay: float = 0.0, status: int = 200,
               content_type: str = "application/sparql-results+json") -> tuple[str, Callable[[], None]]:
    """An HTTP server on 127.0.0.1 that answers every request with ``body`` after ``delay`` seconds.

    For failures a real SPARQL server will not produce on demand: slow answers, truncated JSON.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout test)
                pass

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/sparql", stop


__all__ = ["free_port", "venv_program", "oxigraph_binary", "start_oxigraph", "start_stub", "stop_process", "Server",
           "start_server", "start_datawork", "start_static_site", "chromium_driver", "Unavailable"]
