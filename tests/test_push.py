"""``datawork push``: every named graph into a real triple store on 127.0.0.1, then counts checked.

Two servers: the Oxigraph server (PyPI ``oxigraph``, started by tests/servers.py) and Virtuoso
Open Source (Debian ``virtuoso-opensource``, run below as ``virtuoso-t -f`` with its own ini and
a fresh database under the test's temp directory, ports bound to 127.0.0.1). A missing server is
a skip locally and a failure in CI.

The whole release is pushed to each server; the tests of what a push does (replacing, interrupting,
completing) push two releases cut from it (``newer`` and ``older``: the same graph names, a few
dozen triples each), so that a push can be interrupted at every one of its requests.
"""
from __future__ import annotations

import json
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
def test_push_replaces_the_previous_version(newer, oxigraph):
    """A second push replaces each graph (stale triples go) and removes graphs no longer in the release."""
    from datawork_kg.publish import push

    ws = newer
    push(oxigraph.store_url, home=ws.root)
    graph = sorted(_release_counts(ws))[0]
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
def test_push_detects_a_count_mismatch(newer, oxigraph, monkeypatch):
    from datawork_kg import publish

    ws = newer
    real = publish._count
    monkeypatch.setattr(publish, "_count", lambda client, url, g: real(client, url, g) - 1)
    with pytest.raises(publish.PushCheckFailed, match="MISMATCH"):
        publish.push(oxigraph.store_url, home=ws.root)


@pytest.mark.server
def test_cli_push(newer, oxigraph):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    ws = newer
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


# ----------------------------------------------------------------- all or nothing (issue 21, item 10)
STAGING_PREFIX = "https://w3id.org/datawork/id/graph/publication/staging/"
JOURNAL = "https://w3id.org/datawork/id/graph/publication/journal"
MANIFEST = "https://w3id.org/datawork/id/graph/publication"


def _cut_release(ws, home: Path, *, keep: int, drop: frozenset[str] = frozenset()):
    """A release of ``ws``'s current graphs but ``drop``, each cut to its first ``keep`` triples (the default
    graph: their union), with the same summary (counts updated), published in a new workspace at ``home``.

    What a push does (its requests, the journal, the switch, Ctrl-C at any of them) depends on the graphs
    and their names, not on their size: a cut release pushes in about a second where the whole one takes
    tens, so the interrupted-push tests can stop a push at every request."""
    from datawork_kg.store import Workspace

    src = ws.require_current()
    full = ox.Store.read_only(str(src / "store"))
    summary = json.loads((src / "summary.json").read_text(encoding="utf-8"))
    out = Workspace(home)
    with out.new_release() as rel:
        small = ox.Store(str(rel / "store"))
        kept: set[ox.Triple] = set()
        counts = {}
        for g in sorted((g for g in full.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value):
            if g.value in drop:
                continue
            quads = sorted(full.quads_for_pattern(None, None, None, g), key=str)[:keep]
            small.extend(quads)
            kept.update(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            counts[g.value] = len(quads)
        small.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept)
        small.flush()
        del small
        summary.update(graphs=counts, triples=sum(counts.values()), default_graph_triples=len(kept))
        (rel / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def newer(built, tmp_path_factory):
    """The session's release with every graph cut to its first 60 triples."""
    ws, _ = built
    return _cut_release(ws, tmp_path_factory.mktemp("newer"), keep=60)


@pytest.fixture(scope="module")
def older(built, tmp_path_factory):
    """A second, different release: the session's graphs but those of two of the four case files, each cut to
    its first 40 triples (fewer graphs, other triples, another default graph)."""
    ws, _ = built
    summary = json.loads((ws.require_current() / "summary.json").read_text(encoding="utf-8"))
    studies = sorted(source["graph"] for source in summary["sources"].values())
    assert len(studies) >= 3, studies
    return _cut_release(ws, tmp_path_factory.mktemp("older"), keep=40, drop=frozenset(studies[-2:]))


def _release_counts(ws) -> dict[str, int]:
    store = ox.Store.read_only(str(ws.require_current() / "store"))
    return _local_counts(store)


class _Interrupt:
    """Ctrl-C at the k-th HTTP request of a push, counted from its "pushing ..." message (after it has
    finished what an earlier push left): before the request is sent, or after the store answered it."""

    def __init__(self, monkeypatch, k: int | None, after: bool) -> None:
        self.k, self.after, self.n, self.fired, self.armed = k, after, 0, False, False
        real = httpx.Client.send

        def send(client, request, *args, **kwargs):
            self.n += self.armed
            fire = self.armed and not self.fired and self.n == self.k
            if fire and not self.after:
                self.fired = True
                raise KeyboardInterrupt
            resp = real(client, request, *args, **kwargs)
            if fire:
                self.fired = True
                raise KeyboardInterrupt
            return resp

        monkeypatch.setattr(httpx.Client, "send", send)

    def progress(self, message: str) -> None:
        self.armed = self.armed or message.startswith("pushing")


def _served(store_url: str) -> dict[str, frozenset]:
    """Every graph of an Oxigraph target but the staging graphs and the journal, the manifest without its date
    (a multiset of triples per graph, blank nodes as one label: each PUT gives them new ones)."""
    from collections import Counter

    r = httpx.get(store_url, headers={"Accept": "application/n-quads"}, timeout=60)
    r.raise_for_status()
    out: dict[str, Counter] = {}
    bnode = lambda t: "_:b" if isinstance(t, ox.BlankNode) else str(t)  # noqa: E731
    for q in ox.parse(r.content, format=ox.RdfFormat.N_QUADS):
        g = DEFAULT if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        if g.startswith(STAGING_PREFIX) or g == JOURNAL or q.predicate.value == "http://purl.org/dc/terms/modified":
            continue
        out.setdefault(g, Counter())[(bnode(q.subject), str(q.predicate), bnode(q.object))] += 1
    return {g: frozenset(c.items()) for g, c in out.items()}


def _leftovers_are_journaled(target: Target, ws) -> None:
    """Staging graphs left on the target are the ones its journal lists (so the next push removes them)."""
    from datawork_kg.publish import target_state

    graphs = {b["g"]["value"] for b in httpx.post(target.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                                                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
              .json()["results"]["bindings"]}
    staged = {g for g in graphs if g.startswith(STAGING_PREFIX)}
    state = target_state(target.store_url, home=ws.root, query_endpoint=target.query_url)
    assert staged <= set(state.staging)
    assert not staged or state.journal_phase


@pytest.mark.server
def test_interrupted_push_leaves_one_whole_release(newer, older, oxigraph, monkeypatch):
    """Ctrl-C while staging, just before the switch and just after it: the target serves the old release
    or the new one, every graph of it, never a mix, and the message says which. (The push before the
    fix wrote each graph in place: Ctrl-C left graphs of two releases.)"""
    _interrupt_everywhere(newer, older, oxigraph, monkeypatch, every=False)


@pytest.mark.server
@pytest.mark.slow
def test_interrupted_push_at_every_request(newer, older, oxigraph, monkeypatch):
    """The same after every request of a push up to its switch (cut releases: a push of the whole
    release at every request took ten minutes on a busy machine)."""
    _interrupt_everywhere(newer, older, oxigraph, monkeypatch, every=True)


def _interrupt_everywhere(new, older, oxigraph, monkeypatch, *, every: bool) -> None:
    from datawork_kg.publish import PushInterrupted, push

    old_id, new_id = older.require_current().name, new.require_current().name
    push(oxigraph.store_url, home=older.root)
    snap_old = _served(oxigraph.store_url)
    counter = _Interrupt(monkeypatch, None, False)
    push(oxigraph.store_url, home=new.root, progress=counter.progress)
    monkeypatch.undo()
    snap_new = _served(oxigraph.store_url)
    assert snap_old != snap_new and set(snap_old) != set(snap_new)  # other graphs, other default graph
    n_graphs = len(snap_new) - 1  # the manifest is not counted
    switch = counter.n - n_graphs  # the counts come after the switch, one request per graph
    push(oxigraph.store_url, home=older.root)
    seen = set()
    points = [(k, True) for k in range(1, switch + 2)] if every else [(4, True), (switch, True)]
    for k, after in points + [(switch, False)]:
        interrupt = _Interrupt(monkeypatch, k, after)
        with pytest.raises(PushInterrupted) as info:
            push(oxigraph.store_url, home=new.root, progress=interrupt.progress)
        monkeypatch.undo()
        msg = str(info.value)
        now = _served(oxigraph.store_url)
        if now == snap_old:
            seen.add("old")
            assert f"serves release {old_id}" in msg or f"either release {old_id} or release {new_id}" in msg, (k, after, msg)
        else:
            assert now == snap_new, f"a mix of two releases after Ctrl-C at request {k} (after={after}): {msg}"
            seen.add("new")
            assert f"serves release {new_id} in full" in msg, (k, after, msg)
            push(oxigraph.store_url, home=older.root)
        _leftovers_are_journaled(oxigraph, new)
    assert seen == {"old", "new"}
    push(oxigraph.store_url, home=new.root)  # finishes what the last round left (a switch sent, not confirmed)
    assert _served(oxigraph.store_url) == snap_new
    graphs = httpx.post(oxigraph.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert not [b for b in graphs if b["g"]["value"].startswith(STAGING_PREFIX) or b["g"]["value"] == JOURNAL]


@pytest.mark.server
def test_cli_push_interrupted_says_what_the_target_holds(newer, older, oxigraph, monkeypatch):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    push_old = CliRunner().invoke(main, ["--home", str(older.root), "push", "--endpoint", oxigraph.store_url])
    assert push_old.exit_code == 0, push_old.output
    _Interrupt(monkeypatch, 6, False).armed = True  # while staging
    res = CliRunner().invoke(main, ["--home", str(newer.root), "push", "--endpoint", oxigraph.store_url])
    assert res.exit_code == 130
    assert "nothing was published" not in res.output
    assert f"The target was not changed: it serves release {older.require_current().name}" in res.output


def _virtuoso_counts(target: Target) -> dict[str, int]:
    rows = httpx.post(target.query_url, data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                                      "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/datawork/')) } GROUP BY ?g"},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60).json()["results"]["bindings"]
    return {b["g"]["value"]: int(b["n"]["value"]) for b in rows
            if not b["g"]["value"].startswith(STAGING_PREFIX) and b["g"]["value"] not in (JOURNAL, MANIFEST)}


@pytest.mark.server
def test_virtuoso_interrupted_and_half_switched_push_is_completed(newer, older, virtuoso, monkeypatch):
    """Virtuoso runs an update request's operations one by one (not as a transaction): a switch cut in
    the middle (simulated by running its first MOVE by hand) is recorded in the journal, and the next
    push completes it before anything else, so the target serves the interrupted release in full."""
    from datawork_kg.publish import PushInterrupted, push, target_state

    creds = dict(user="dba", password="dba", auth="digest")
    new = newer
    local = _release_counts(new)
    old_id, new_id = older.require_current().name, new.require_current().name
    push(virtuoso.store_url, home=older.root, **creds)
    old_counts = _virtuoso_counts(virtuoso)
    # Ctrl-C while staging: the target is unchanged and the staging graphs are gone
    interrupt = _Interrupt(monkeypatch, 5, True)
    with pytest.raises(PushInterrupted, match=f"not changed: it serves release {old_id}"):
        push(virtuoso.store_url, home=new.root, progress=interrupt.progress, **creds)
    monkeypatch.undo()
    assert _virtuoso_counts(virtuoso) == old_counts
    assert not target_state(virtuoso.store_url, home=new.root, query_endpoint=virtuoso.query_url).journal_phase
    # Ctrl-C just before the switch request: old release served, journal says "switching"
    requests = _Interrupt(monkeypatch, None, False)
    push(virtuoso.store_url, home=new.root, progress=requests.progress, **creds)  # count the requests of a push
    monkeypatch.undo()
    push(virtuoso.store_url, home=older.root, **creds)
    n_graphs = len(local)
    switch_at = requests.n - n_graphs  # the counts come after the switch, one request per graph
    interrupt = _Interrupt(monkeypatch, switch_at, False)
    with pytest.raises(PushInterrupted, match="sent but not confirmed"):
        push(virtuoso.store_url, home=new.root, progress=interrupt.progress, **creds)
    monkeypatch.undo()
    assert _virtuoso_counts(virtuoso) == old_counts
    state = target_state(virtuoso.store_url, home=new.root, query_endpoint=virtuoso.query_url)
    assert state.journal_phase == "switching" and state.journal_release == new_id and state.release == old_id
    # the store dies after the first operation of the switch: a mix of two releases
    staging, graph = next(iter(state.staging.items()))
    r = httpx.post(virtuoso.query_url.replace("/sparql", "/sparql-auth"), data={"update": f"MOVE GRAPH <{staging}> TO GRAPH <{graph}>"},
                   auth=httpx.DigestAuth("dba", "dba"), timeout=60)
    assert r.status_code == 200, r.text
    mixed = _virtuoso_counts(virtuoso)
    assert mixed != old_counts and mixed[graph] == local[graph]
    # the next push (of the old release) first completes the interrupted switch: the new release in full
    at_start = {}

    def progress(message: str) -> None:
        if message.startswith("pushing") and not at_start:
            at_start.update(_virtuoso_counts(virtuoso))

    messages: list[str] = []
    push(virtuoso.store_url, home=older.root, progress=lambda m: (messages.append(m), progress(m)), **creds)
    assert any("completing it" in m for m in messages), messages
    assert at_start == local
    assert _virtuoso_counts(virtuoso) == old_counts
