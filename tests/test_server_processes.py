"""``datawork serve --processes``: several HTTP processes on one port, each a whole server (guard, read
deadline, query pool), ``/health`` speaking for all of them; and the label index descriptions read.

The servers are real (``datawork serve`` of this interpreter on 127.0.0.1, the session's build). A
connection is answered by one process from its first request to its last, so each test learns which
process holds a connection from ``/health`` (``process``) and then sends its request on the same
connection.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import time

import httpx
import pytest
from servers import start_datawork

CHAIN = "chain/tubaro-2025-ch-ve-work"
pytestmark = pytest.mark.server


def _request(sock: socket.socket, raw: bytes) -> tuple[int, dict, bytes]:
    """Send ``raw`` on ``sock``, read one response: (status, headers, body)."""
    sock.sendall(raw)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {buf[:200]!r}")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _get(path: str, accept: str = "application/json") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode()


def _connections_to_each(server, n: int, deadline: float = 60.0) -> dict[int, socket.socket]:
    """One open connection to each of the ``n`` HTTP processes of ``server``: {process pid: socket}."""
    port = int(server.url.rsplit(":", 1)[1])
    found: dict[int, socket.socket] = {}
    spare: list[socket.socket] = []
    end = time.monotonic() + deadline
    try:
        while len(found) < n and time.monotonic() < end:
            batch = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(8)]
            for s in batch:
                status, _, body = _request(s, _get("/health"))
                assert status == 200
                pid = json.loads(body)["process"]
                if pid in found:
                    spare.append(s)
                else:
                    found[pid] = s
    finally:
        for s in spare:
            s.close()
    assert len(found) == n, f"reached only processes {sorted(found)} of {n}"
    return found


def _wait_health(server, check, deadline: float = 60.0) -> dict:
    end = time.monotonic() + deadline
    while True:
        health = httpx.get(server.url + "/health", timeout=30).json()
        if check(health):
            return health
        if time.monotonic() > end:
            raise AssertionError(f"/health never satisfied the check: {health}")
        time.sleep(0.3)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def two(built):
    """``datawork serve --processes 2 --workers 1 --timeout 2`` on the session's build."""
    ws, _ = built
    server = start_datawork(ws.root, "--processes", "2", "--workers", "1", "--timeout", "2")
    yield server
    server.stop()


def test_every_process_answers_and_health_speaks_for_all(two):
    health = _wait_health(two, lambda h: len(h["processes"]) == 2 and len(h["workers"]) == 2 and h["warm"])
    server_pid = two.proc.pid
    for pid in health["processes"]:  # children of the command, each with its own query worker
        assert _alive(pid) and pid != server_pid
        assert int(open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()[1]) == server_pid
    assert len(set(health["workers"])) == 2 and all(_alive(p) for p in health["workers"])
    conns = _connections_to_each(two, 2)
    assert sorted(conns) == sorted(health["processes"])
    bodies = {}
    try:
        for pid, s in conns.items():
            status, headers, body = _request(s, _get(f"/id/{CHAIN}.ttl", "text/turtle"))
            assert status == 200 and headers["content-type"].startswith("text/turtle")
            bodies[pid] = body
            # the same connection stays with the same process
            status, _, body = _request(s, _get("/health"))
            assert status == 200 and json.loads(body)["process"] == pid
    finally:
        for s in conns.values():
            s.close()
    first, second = bodies.values()
    assert first == second and b"tubaro-2025-ch-ve-work" in first


def test_each_process_guards_its_requests(two):
    conns = _connections_to_each(two, 2)
    try:
        for pid, s in conns.items():
            status, _, body = _request(s, _get("/id/%2e%2e/etc/passwd"))  # a path trick: the guard
            assert status == 400 and b"dot segments" in body, (pid, body)
        for s in conns.values():  # the guard's answer closes the connection
            s.close()
        conns = _connections_to_each(two, 2)
        for pid, s in conns.items():  # endless request headers: the head bound of the http protocol
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for _ in range(40):
                try:
                    s.sendall(b"X-Filler: " + b"a" * 8000 + b"\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    break
            s.settimeout(10)
            data = b""
            try:
                while not data.endswith(b"\r\n\r\n") and b"\r\n\r\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            status = int(data.split()[1]) if data.startswith(b"HTTP/1.1") else None
            assert status == 431, (pid, data[:200])
    finally:
        for s in conns.values():
            s.close()


def test_a_query_past_its_deadline_is_stopped_and_every_process_counts_it(two):
    killed_before = _wait_health(two, lambda h: len(h["processes"]) == 2)["killed_workers"]
    r = httpx.post(two.url + "/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 503 and "x-datawork-timeout" in r.headers
    health = _wait_health(two, lambda h: h["killed_workers"] >= killed_before + 1 and len(h["workers"]) == 2)
    conns = _connections_to_each(two, 2)
    try:
        for pid, s in conns.items():  # whichever process answers /health says so
            _, _, body = _request(s, _get("/health"))
            assert json.loads(body)["killed_workers"] == health["killed_workers"], pid
    finally:
        for s in conns.values():
            s.close()


def test_a_process_that_dies_is_replaced(built):
    ws, _ = built
    server = start_datawork(ws.root, "--processes", "2", "--workers", "1")
    try:
        health = _wait_health(server, lambda h: len(h["processes"]) == 2 and len(h["workers"]) == 2)
        victim = health["processes"][0]
        os.kill(victim, signal.SIGKILL)
        health = _wait_health(server, lambda h: len(h["processes"]) == 2 and victim not in h["processes"]
                              and len(h["workers"]) == 2, deadline=90)
        r = httpx.get(server.url + f"/id/{CHAIN}", headers={"Accept": "text/turtle"}, follow_redirects=True, timeout=30)
        assert r.status_code == 200
        workers, processes = health["workers"], health["processes"]
    finally:
        server.stop()
    time.sleep(0.5)
    for pid in processes + workers:  # everything ends with the server
        assert not _alive(pid), pid


def test_one_process_when_asked(built):
    ws, _ = built
    server = start_datawork(ws.root, "--processes", "1", "--workers", "1")
    try:
        health = httpx.get(server.url + "/health", timeout=30).json()
        assert health["processes"] == [health["process"]] == [server.proc.pid]
        assert len(health["workers"]) == 1
    finally:
        server.stop()


def test_default_processes_follow_the_cores(monkeypatch):
    from datawork_kg.web import processes

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    assert processes.default_processes() == processes.MAX_DEFAULT_PROCESSES
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert processes.default_processes() == 1


def test_label_index_gives_the_descriptions_the_store_gives(built):
    """Descriptions read with the label index are those read from the store, for every resource."""
    from datawork_kg.web.rdf import describe
    from datawork_kg.web.release import Release

    ws, _ = built
    rel = Release(ws.current())
    iris = [iri for members in rel.kinds().values() for iri in members]
    assert len(iris) > 100
    assert rel.pages.labels is None
    plain = {iri: describe(rel.pages, iri) for iri in iris}
    index = rel.pages.index_labels()
    assert index and rel.pages.labels is index
    with_index = {iri: describe(rel.pages, iri) for iri in iris}
    assert with_index == plain  # the same triples, in the same order
    labelled = sum(1 for ts in plain.values() for t in ts if t.predicate.value.endswith("#label"))
    assert labelled > len(iris)  # the descriptions do hold labels of the linked resources
