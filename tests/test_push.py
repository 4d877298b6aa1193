"""``datawork push``: every named graph into a real triple store on 127.0.0.1, then counts checked.

Two servers: the Oxigraph server (PyPI ``oxigraph``, started by tests/servers.py) and Virtuoso
Open Source (Debian ``virtuoso-opensource``, run below as ``virtuoso-t -f`` with its own ini and
a fresh database under the test's temp directory, ports bound to 127.0.0.1). A missing server is
a skip locally and a failure in CI.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import skip_or_fail
from servers import free_port, start_oxigraph

DW = "https://w3id.org/datawork/ontology#"
COUNT_CHAINS = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH ?g {{ ?c a <{DW}Chain> }} }}"
DEFAULT = "(default graph)"


def _local_counts(store) -> dict[str, int]:
    return {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
            for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def _select_one(url: str, query: str, auth=None) -> int:
    r = httpx.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, auth=auth, timeout=60)
    r.raise_for_status()
    b = r.json()["results"]["bindings"]
    return int(next(iter(b[0].values()))["value"]) if b else 0


@dataclass
class Target:
    query_url: str
    store_url: str


@pytest.fixture
def oxigraph(tmp_path):
    query_url, stop = start_oxigraph(tmp_path, [])  # skips (or fails in CI) without the oxigraph binary
    try:
        yield Target(query_url, query_url.rsplit("/", 1)[0] + "/store")
    finally:
        stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., {db}
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000
MaxQueryMem              = 512M

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {db}/vsp
MaxClientConnections        = 10
ServerThreads               = 10
EnabledDavVSP               = 0
Charset                     = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = 60
"""


def start_virtuoso(tmp_path: Path, *, max_rows: int = 10_000, timeout: float = 90):
    """``virtuoso-t -f -c <ini>`` with a fresh database (dba/dba) under ``tmp_path``; (base URL, stop)."""
    exe = shutil.which("virtuoso-t")
    if not exe:
        skip_or_fail("Virtuoso is not installed (Debian package virtuoso-opensource; see .ci/install-servers.sh)")
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    db = Path(tmp_path) / f"virtuoso-{http_port}"
    (db / "vsp").mkdir(parents=True)
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    log = open(db / "stdout.log", "wb")
    proc = subprocess.Popen([exe, "-f", "-c", str(ini)], cwd=db, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()

    base = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            stop()
            raise AssertionError("virtuoso-t exited: " + (db / "virtuoso.log").read_text(errors="replace")[-3000:])
        try:
            if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return base, stop
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop()
            raise AssertionError(f"Virtuoso did not answer on {base} within {timeout:g} s")
        time.sleep(0.2)


@pytest.fixture
def virtuoso(tmp_path):
    base, stop = start_virtuoso(tmp_path, max_rows=100)
    try:
        yield Target(base + "/sparql", base + "/sparql-graph-crud-auth")
    finally:
        stop()


# ----------------------------------------------------------------- Oxigraph
@pytest.mark.server
def test_push_to_oxigraph(built, store, oxigraph):
    from datawork_kg.publish import push

    ws, _ = built
    messages: list[str] = []
    report = push(oxigraph.store_url, home=ws.root, progress=messages.append)
    local = _local_counts(store)
    assert report.ok and {g.graph for g in report.graphs} == set(local) | {DEFAULT}
    assert report.query_endpoint == oxigraph.query_url  # guessed from /store
    for g in report.graphs:
        if g.graph == DEFAULT:  # the deduplicated union the library queries read
            assert g.remote == g.local == sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())) > 0
            continue
        assert g.remote == g.local == local[g.graph]
        assert _select_one(oxigraph.query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g.graph}> {{ ?s ?p ?o }} }}") == g.local
    text = str(report)
    assert "all counts match" in text and oxigraph.store_url in text
    assert any("pushing" in m for m in messages)
    # the same answers as the embedded store
    expected = int(next(iter(store.query(COUNT_CHAINS)))["n"].value)
    assert _select_one(oxigraph.query_url, COUNT_CHAINS) == expected


@pytest.mark.server
def test_push_replaces_the_previous_version(built, store, oxigraph):
    """A second push replaces each graph (stale triples go) and removes graphs no longer in the release."""
    from datawork_kg.publish import push

    ws, _ = built
    push(oxigraph.store_url, home=ws.root)
    graph = sorted(_local_counts(store))[0]
    stale = "<urn:stale:s> <urn:stale:p> \"left over from an older release\" .\n"
    r = httpx.post(oxigraph.store_url, params={"graph": graph}, content=stale.encode(), headers={"Content-Type": "application/n-triples"})
    assert r.status_code in (200, 201, 204)
    gone = "https://w3id.org/datawork/id/graph/removed-study"
    r = httpx.put(oxigraph.store_url, params={"graph": gone}, content=stale.encode(), headers={"Content-Type": "application/n-triples"})
    assert r.status_code in (200, 201, 204)
    manifest = "https://w3id.org/datawork/id/graph/publication"
    r = httpx.post(oxigraph.store_url, params={"graph": manifest},
                   content=f"<{manifest}> <http://rdfs.org/ns/void#subset> <{gone}> .\n".encode(),
                   headers={"Content-Type": "application/n-triples"})
    assert r.status_code in (200, 201, 204)
    report = push(oxigraph.store_url, home=ws.root)
    assert report.ok and gone in report.removed
    assert _select_one(oxigraph.query_url, "ASK { GRAPH ?g { <urn:stale:s> ?p ?o } }".replace("ASK", "SELECT (COUNT(*) AS ?n) WHERE")) == 0
    graphs = {b["g"]["value"] for b in httpx.post(oxigraph.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
                                                  headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]}
    assert gone not in graphs and manifest in graphs


@pytest.mark.server
def test_push_detects_a_count_mismatch(built, oxigraph, monkeypatch):
    from datawork_kg import publish

    ws, _ = built
    real = publish._count
    monkeypatch.setattr(publish, "_count", lambda client, url, g: real(client, url, g) - 1)
    with pytest.raises(publish.PushCheckFailed, match="MISMATCH"):
        publish.push(oxigraph.store_url, home=ws.root)


@pytest.mark.server
def test_cli_push(built, oxigraph):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    ws, _ = built
    res = CliRunner().invoke(main, ["--home", str(ws.root), "push", "--endpoint", oxigraph.store_url])
    assert res.exit_code == 0, res.output
    assert "all counts match" in res.output


def test_push_errors_are_clear(built, tmp_path):
    from datawork_kg.publish import PublishError, guess_query_endpoint, push

    ws, _ = built
    with pytest.raises(PublishError, match="cannot reach"):
        push("http://127.0.0.1:9/store", home=ws.root)
    with pytest.raises(PublishError, match="http"):
        push("ftp://example.org/store", home=ws.root)
    assert guess_query_endpoint("http://h:8890/sparql-graph-crud-auth") == "http://h:8890/sparql"
    assert guess_query_endpoint("http://h:7878/store") == "http://h:7878/query"
    assert guess_query_endpoint("http://h:3030/ds/data") == "http://h:3030/ds/sparql"


# ----------------------------------------------------------------- Virtuoso
@pytest.mark.server
def test_push_to_virtuoso(built, store, virtuoso):
    from datawork_kg.publish import push

    ws, _ = built
    report = push(virtuoso.store_url, home=ws.root, user="dba", password="dba", auth="digest")
    assert report.query_endpoint == virtuoso.query_url
    local = _local_counts(store)
    assert report.ok, str(report)
    assert {g.graph: g.remote for g in report.graphs} == local   # Virtuoso has no separate default graph ...
    assert "default graph" in str(report)                        # ... and the report says so
    expected = int(next(iter(store.query(COUNT_CHAINS)))["n"].value)
    assert _select_one(virtuoso.query_url, COUNT_CHAINS) == expected
    # pushing again replaces, it does not add
    again = push(virtuoso.store_url, home=ws.root, user="dba", password="dba", auth="digest")
    assert again.ok and {g.graph: g.remote for g in again.graphs} == local
    assert _select_one(virtuoso.query_url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:x> ?p ?o } }") == 0


@pytest.mark.server
def test_virtuoso_caps_results_silently_but_counts_are_exact(built, store, virtuoso):
    """Why push checks with COUNT: Virtuoso cuts a SELECT at ResultSetMaxRows (100 here) without a word."""
    from datawork_kg.publish import push

    ws, _ = built
    push(virtuoso.store_url, home=ws.root, user="dba", password="dba", auth="digest")
    graph = max(_local_counts(store).items(), key=lambda kv: kv[1])[0]
    r = httpx.post(virtuoso.query_url, data={"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 100          # silently capped ...
    n = _select_one(virtuoso.query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert n == _local_counts(store)[graph] > 100               # ... while COUNT tells the truth


@pytest.mark.server
def test_virtuoso_refuses_wrong_credentials(built, virtuoso):
    from datawork_kg.publish import PublishError, push

    ws, _ = built
    with pytest.raises(PublishError, match="credentials"):
        push(virtuoso.store_url, home=ws.root, user="dba", password="wrong", auth="digest")
