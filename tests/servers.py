"""Real servers on 127.0.0.1 for tests: Oxigraph (from the `oxigraph` wheel) and a tiny HTTP stub.

``start_oxigraph(tmp_path, data_files)`` loads the files into a fresh store, serves it on a free port
and returns ``(query_url, stop)``. The `oxigraph` binary is the one the `test` extra installs next to
the running interpreter (``Path(sys.executable).parent``), never one found on PATH. Without it the
test is skipped, except on CI (``CI=true``), where it fails: CI must install the test extra.
"""
from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterable

import pytest

READY_TIMEOUT = 30.0


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
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return exe


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
    log = open(location.parent / f"{location.name}.log", "wb")
    cmd = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        log.close()

    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        if proc.poll() is not None:
            stop()
            text = (location.parent / f"{location.name}.log").read_text(errors="replace")
            raise RuntimeError(f"oxigraph serve exited with {proc.returncode}: {text[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"oxigraph did not answer on {base} within {READY_TIMEOUT:g} s")
        time.sleep(0.1)
    return f"{base}/query", stop


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


__all__ = ["free_port", "venv_program", "oxigraph_binary", "start_oxigraph", "start_stub"]
