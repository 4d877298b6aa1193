"""``datawork serve``: linked data with content negotiation, the SPARQL endpoint and its limits.

Most tests talk to the Starlette application in-process (Starlette's TestClient); the tests of
raw request paths, of the command line and of a build while serving run a real uvicorn server on
127.0.0.1.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import httpx
import pyoxigraph as ox
import pytest
from servers import free_port, stop_process
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS

from datawork_kg.namespace import DCAT, VOID

W3ID = "https://w3id.org/datawork/id/"
DW = "https://w3id.org/datawork/ontology#"
CHAIN = "chain/tubaro-2025-ch-ve-work"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _client(app):
    from starlette.testclient import TestClient

    return TestClient(app, follow_redirects=False, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def app(built):
    from datawork_kg.web import create_app

    ws, _ = built
    return create_app(ws.root, timeout=20, max_rows=10_000)


@pytest.fixture(scope="module")
def client(app):
    with _client(app) as c:
        yield c


def _wait(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


class _ThreadServer:
    """uvicorn running an app in a thread of the test process, on 127.0.0.1."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        _wait(f"http://127.0.0.1:{self.port}/health")
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _raw_get(port: int, target: str) -> int:
    """The status of a GET sent byte for byte (no client-side path normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


# ----------------------------------------------------------------- dereferenceable IRIs
@pytest.mark.parametrize("accept,ext", [
    ("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"), (BROWSER_ACCEPT, "html"), ("*/*", "ttl"), (None, "ttl"),
    ("text/html;q=0.5, text/turtle", "ttl"), ("application/json", "jsonld"),
])
def test_resource_303_to_negotiated_document(client, accept, ext):
    r = client.get(f"/id/{CHAIN}", headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["location"] == f"/id/{CHAIN}.{ext}"
    assert "Accept" in r.headers["vary"]
    assert 'rel="describedby"' in r.headers["link"]


def test_resource_406_when_nothing_fits(client):
    r = client.get(f"/id/{CHAIN}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text


@pytest.mark.parametrize("ext,media,fmt", [("ttl", "text/turtle", "turtle"), ("jsonld", "application/ld+json", "json-ld"),
                                           ("rdf", "application/rdf+xml", "xml"), ("nt", "application/n-triples", "nt")])
def test_resource_documents_parse_and_use_w3id_iris(client, ext, media, fmt):
    r = client.get(f"/id/{CHAIN}.{ext}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    links = r.headers["link"]
    assert f'<{W3ID}{CHAIN}>; rel="describes"' in links
    assert 'rel="alternate"' in links and 'rel="license"' in links
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    thing = rdflib.URIRef(W3ID + CHAIN)  # a local server still describes the w3id IRI
    assert (thing, RDF.type, rdflib.URIRef(DW + "Chain")) in g
    assert (thing, rdflib.URIRef(DW + "hasTie"), None) in g
    assert any(True for _ in g.triples((None, rdflib.URIRef(DW + "inChain"), thing)))  # what points to it


def test_documents_agree_across_formats(client):
    graphs = {}
    for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")):
        graphs[ext] = rdflib.Graph().parse(data=client.get(f"/id/{CHAIN}.{ext}").content, format=fmt)
    from rdflib.compare import isomorphic

    assert all(isomorphic(graphs["nt"], g) for g in graphs.values())


def test_resource_page_for_people(client, store):
    r = client.get(f"/id/{CHAIN}.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    label = next(store.quads_for_pattern(ox.NamedNode(W3ID + CHAIN), ox.NamedNode(str(RDFS.label)), None)).object.value
    import html

    assert html.escape(label) in page
    assert "Where this comes from" in page and "Tubaro et al. 2025" in page
    assert "§ Latin America (Venezuela)" in page          # the paper's section
    assert "What points here" in page
    assert '<figure class="chain"' in page and "<svg" in page   # the chain diagram
    assert 'href="/ontology.html#hasTie"' in page          # property labels link to the ontology reference
    assert f'<link rel="alternate" type="text/turtle" href="/id/{CHAIN}.ttl">' in page
    head = page.split("<main>")[0]
    assert "<script" not in head and 'rel="stylesheet"' not in head  # self-contained: nothing loaded from elsewhere


def test_party_page_has_chain_diagrams(client):
    page = client.get("/id/organisation/tubaro-2025-sampled-intl-platforms.html").text
    assert page.count('<figure class="chain"') >= 2
    assert 'font-weight="bold"' in page  # the party itself is highlighted


def test_unknown_resource_404(client):
    assert client.get("/id/chain/no-such-chain", headers={"Accept": "text/turtle"}).status_code == 404
    r = client.get("/id/chain/no-such-chain.html", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]


def test_browse_pages(client):
    index = client.get("/id/")
    assert index.status_code == 200 and 'href="/id/chain/index.html"' in index.text
    chains = client.get("/id/chain/index.html")
    assert chains.status_code == 200 and f'href="/id/{CHAIN}.html"' in chains.text


def test_head_requests(client):
    r = client.head(f"/id/{CHAIN}.ttl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


# ----------------------------------------------------------------- ontology
def test_ontology_negotiation_and_pylode_page(client):
    r = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 303 and r.headers["location"] == "/ontology.html"
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).headers["location"] == "/ontology.ttl"
    page = client.get("/ontology.html")
    assert page.status_code == 200
    assert 'id="Chain"' in page.text and "pyLODE" in page.text
    g = rdflib.Graph().parse(data=client.get("/ontology.ttl").content, format="turtle")
    assert (rdflib.URIRef(DW + "Chain"), RDF.type, rdflib.URIRef("http://www.w3.org/2002/07/owl#Class")) in g


def test_ontology_terms(client):
    r = client.get("/ontology/Chain", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 303 and r.headers["location"] == "/ontology.html#Chain"
    r = client.get("/ontology/Chain", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["location"] == "/ontology/Chain.ttl"
    g = rdflib.Graph().parse(data=client.get("/ontology/Chain.ttl").content, format="turtle")
    assert (rdflib.URIRef(DW + "Chain"), RDFS.label, None) in g
    assert client.get("/ontology/Chain.html").status_code == 200
    assert client.get("/ontology/NoSuchTerm", headers={"Accept": "text/turtle"}).status_code == 404


# ----------------------------------------------------------------- dataset description
def test_void_and_dcat(client, store):
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in g
    assert g.value(ds, DCTERMS.license) is not None
    assert g.value(ds, VOID.sparqlEndpoint) is not None
    assert set(g.objects(ds, VOID.vocabulary))
    assert set(g.objects(ds, VOID.exampleResource))
    dumps = list(g.objects(ds, VOID.dataDump))
    assert len(dumps) >= 4
    for url in dumps:  # every dump is downloadable from this server
        path = "/" + str(url).split("/datawork/", 1)[1]
        d = client.get(path)
        assert d.status_code == 200 and len(d.content) > 1000, path
    nq = client.get("/dumps/datawork.nq").content
    assert len(list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))) == len(store)
    html = client.get("/.well-known/void", headers={"Accept": BROWSER_ACCEPT})
    assert html.status_code == 200 and "Distributions" in html.text
    assert client.get("/dataset", headers={"Accept": "application/ld+json"}).headers["location"] == "/dataset.jsonld"


def test_void_lists_linksets_when_the_graph_has_links(client):
    g = rdflib.Graph().parse(data=client.get("/dataset.ttl").content, format="turtle")
    linksets = set(g.subjects(RDF.type, VOID.Linkset))
    if not linksets:
        pytest.skip("this build has no linksets (the linking step produced none)")
    for ls in linksets:
        assert g.value(ls, VOID.linkPredicate) is not None


def test_home_page(client):
    r = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    for link in ('href="/sparql"', 'href="/ontology.html"', 'href="/dataset.html"', 'href="/queries.html"'):
        assert link in r.text
    assert client.get("/queries.html").status_code == 200


# ----------------------------------------------------------------- SPARQL protocol
COUNT_CHAINS = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <{DW}Chain> }}"


def _expected_chains(store) -> int:
    return int(next(iter(store.query(COUNT_CHAINS, use_default_graph_as_union=True)))["n"].value)


def test_sparql_get_and_post_json(client, store):
    n = _expected_chains(store)
    for r in (client.get("/sparql", params={"query": COUNT_CHAINS}, headers={"Accept": "application/sparql-results+json"}),
              client.post("/sparql", data={"query": COUNT_CHAINS}, headers={"Accept": "application/sparql-results+json"}),
              client.post("/sparql", content=COUNT_CHAINS.encode(), headers={"Content-Type": "application/sparql-query",
                                                                               "Accept": "application/sparql-results+json"})):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == n
        assert r.headers["x-datawork-truncated"] == "false"


def test_sparql_result_formats(client, store):
    q = f"SELECT ?c ?l WHERE {{ ?c a <{DW}Chain> ; <{RDFS.label}> ?l }} ORDER BY ?c"
    n = _expected_chains(store)
    xml = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml.content)
    assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == n
    csv_ = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert csv_.headers["content-type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_.text)))
    assert rows[0] == ["c", "l"] and len(rows) == n + 1
    tsv = client.get("/sparql", params={"query": q}, headers={"Accept": "text/tab-separated-values"})
    lines = tsv.text.strip().split("\n")
    assert lines[0] == "?c\t?l" and len(lines) == n + 1 and lines[1].startswith("<https://w3id.org/")
    assert client.get("/sparql", params={"query": q, "format": "csv"}).headers["content-type"].startswith("text/csv")
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    page = client.get("/sparql", params={"query": q}, headers={"Accept": BROWSER_ACCEPT})
    assert page.headers["content-type"].startswith("text/html") and "<table>" in page.text


def test_sparql_construct_and_describe(client):
    q = f"CONSTRUCT {{ ?c a <{DW}Chain> }} WHERE {{ ?c a <{DW}Chain> }}"
    ttl = client.post("/sparql", data={"query": q}, headers={"Accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=ttl.content, format="turtle")
    assert len(g) > 5
    jl = client.post("/sparql", data={"query": q}, headers={"Accept": "application/ld+json"})
    assert jl.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jl.content, format="json-ld")) == len(g)
    d = client.get("/sparql", params={"query": f"DESCRIBE <{W3ID}{CHAIN}>"}, headers={"Accept": "application/n-triples"})
    assert d.status_code == 200 and W3ID + CHAIN in d.text


def test_sparql_dataset_parameters(client):
    g = W3ID + "graph/tubaro-2025"
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    all_ = int(client.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])
    one = int(client.get("/sparql", params={"query": q, "default-graph-uri": g}).json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < one < all_


def test_sparql_errors_are_clear(client):
    r = client.get("/sparql", params={"query": "SELEKT nothing"})
    assert r.status_code == 400 and "syntax" in r.text.lower()
    assert client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert client.post("/sparql", content=b"x", headers={"Content-Type": "image/png"}).status_code == 415
    # an unknown format= falls back to the Accept header, and says so
    r = client.get("/sparql", params={"query": "ASK {}", "format": "pdf"}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+xml")
    assert "Accept header" in r.headers["warning"]


def test_query_page_is_local(client):
    r = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    page = r.text
    assert '<script src="/static/yasgui/yasgui.min.js">' in page
    assert 'href="/static/yasgui/yasgui.min.css"' in page
    import re

    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert not [u for u in external if not u.startswith("https://creativecommons.org")], external
    js = client.get("/static/yasgui/yasgui.min.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/static/yasgui/yasgui.min.css").status_code == 200
    sd = client.get("/sparql", headers={"Accept": "text/turtle"})  # service description for machines
    assert "sd:Service" in sd.text


# ----------------------------------------------------------------- read-only, SERVICE, limits
def test_updates_and_writes_are_refused(client, store):
    before = sum(1 for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    upd = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    r = client.post("/sparql", data={"update": upd})
    assert r.status_code == 403 and "read-only" in r.text
    r = client.post("/sparql", content=upd.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert client.post("/sparql", data={"query": upd}).status_code == 403
    assert client.get("/sparql", params={"update": upd}).status_code == 403
    for method, path in (("PUT", "/sparql"), ("DELETE", "/sparql"), ("PUT", f"/id/{CHAIN}"), ("DELETE", f"/id/{CHAIN}"),
                         ("POST", f"/id/{CHAIN}"), ("PUT", "/store?graph=urn:g"), ("POST", "/store?graph=urn:g"),
                         ("PATCH", "/ontology"), ("DELETE", "/dumps/datawork.nq")):
        r = client.request(method, path, content=b"<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "text/turtle"})
        assert r.status_code == 405, (method, path, r.status_code)
        assert "read-only" in r.text and "GET" in r.headers["allow"]
    n = int(client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
            .json()["results"]["bindings"][0]["n"]["value"])
    assert n == before


def test_service_is_off_by_default(client, built):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 403 and "SERVICE" in r.text
    # the keyword inside a string or an IRI is not a SERVICE call
    ok = client.get("/sparql", params={"query": 'SELECT ("SERVICE" AS ?x) WHERE { OPTIONAL { <urn:SERVICE> ?p ?o } }'})
    assert ok.status_code == 200
    from datawork_kg.web import create_app

    with _client(create_app(built[0].root, allow_service=True, timeout=10, workers=1)) as c2:
        r2 = c2.get("/sparql", params={"query": q})
        assert r2.status_code != 403  # allowed: it fails on the unreachable service instead


def test_row_cap_is_signalled_never_silent(built):
    from datawork_kg.web import create_app

    with _client(create_app(built[0].root, max_rows=5, timeout=20, workers=1)) as c:
        q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        r = c.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        assert r.headers["x-datawork-truncated"] == "true" and r.headers["x-datawork-row-cap"] == "5"
        assert "truncated" in r.headers["warning"]
        data = r.json()
        assert len(data["results"]["bindings"]) == 5
        assert data["head"]["link"] and data["datawork"]["truncated"] is True
        xml = c.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
        assert xml.headers["x-datawork-truncated"] == "true" and b"<link href=" in xml.content
        csv_ = c.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
        assert csv_.headers["x-datawork-truncated"] == "true" and len(csv_.text.strip().split("\r\n")) == 6
        ttl = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
        assert ttl.headers["x-datawork-truncated"] == "true" and ttl.text.startswith("# WARNING: truncated")
        small = c.get("/sparql", params={"query": q + " LIMIT 5"})
        assert small.headers["x-datawork-truncated"] == "false"
        assert "Access-Control-Expose-Headers".lower() in {k.lower() for k in
                                                           c.get("/sparql", params={"query": q}, headers={"Origin": "http://x.org"}).headers}


def test_timeout_stops_the_work(built):
    from datawork_kg.web import create_app

    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    app = create_app(built[0].root, timeout=1.5, workers=1)
    with _client(app) as c:
        c.get("/sparql", params={"query": "ASK {}"})
        pids_before = set(app.state.pool.pids())
        t = time.monotonic()
        r = c.get("/sparql", params={"query": heavy})
        took = time.monotonic() - t
        assert r.status_code == 503, r.text
        assert "stopped" in r.text and r.headers["x-datawork-timeout"] == "1.5"
        assert took < 6
        killed = app.state.pool.killed[-1]
        assert killed in pids_before
        time.sleep(0.2)
        with pytest.raises(ProcessLookupError):  # the process that ran the query is gone
            os.kill(killed, 0)
        deadline = time.monotonic() + 15  # a fresh worker answers (once started: 1 s or more on a busy machine)
        while (r := c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})).status_code == 503 and time.monotonic() < deadline:
            assert "busy" in r.text, r.text
        assert r.status_code == 200 and r.json()["boolean"] is True


def test_memory_cap_stops_a_runaway_query(built):
    from datawork_kg.web import create_app

    app = create_app(built[0].root, timeout=60, workers=1, worker_memory_mb=300)
    with _client(app) as c:
        t = time.monotonic()
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"})
        assert r.status_code == 503 and "memory" in r.text
        assert time.monotonic() - t < 30
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_size_limits(built):
    from datawork_kg.web import create_app

    with _client(create_app(built[0].root, max_query_bytes=2_000, max_body_bytes=10_000, workers=1)) as c:
        long_q = "ASK { ?s ?p ?o } #" + "x" * 3_000
        assert c.post("/sparql", data={"query": long_q}).status_code == 413
        assert c.get("/sparql", params={"query": long_q}).status_code == 413
        r = c.post("/sparql", content=b"ASK {}" + b" " * 20_000, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413 and "larger" in r.text
        assert c.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_cors_for_reads_only(client):
    r = client.get(f"/id/{CHAIN}.ttl", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "Content-Type"})
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]
    bad = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "PUT"})
    assert bad.status_code == 400


# ----------------------------------------------------------------- a real server
@pytest.fixture(scope="module")
def live(app):
    with _ThreadServer(app) as s:
        yield s


@pytest.mark.parametrize("target", [
    "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/id/..%2f..%2fetc%2fpasswd",
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/..%5cserver.py", "/dumps/../summary.json",
    "/dumps/%2e%2e/summary.json", "/id/chain/x%00.ttl", "/ontology/..%2F..%2Fetc%2Fpasswd", "/../../etc/passwd",
])
def test_no_path_traversal(live, target):
    status = _raw_get(live.port, target)
    assert status in (400, 404), (target, status)


def test_static_files_still_served(live):
    assert httpx.get(live.url + "/static/yasgui/yasgui.min.css").status_code == 200


def test_cli_serve_binds_loopback(built, tmp_path):
    ws, _ = built
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datawork_kg.cli", "--home", str(ws.root), "serve", "--port", str(port),
                             "--timeout", "5", "--max-rows", "100"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc)
        health = httpx.get(f"http://127.0.0.1:{port}/health").json()
        assert health["max_rows"] == 100 and health["timeout"] == 5 and health["allow_service"] is False
        r = httpx.get(f"http://127.0.0.1:{port}/id/{CHAIN}", headers={"Accept": "text/turtle"}, follow_redirects=True)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        workers = health["workers"]
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout \
            if shutil.which("ss") else ""
        if out:
            assert "127.0.0.1:" in out and "0.0.0.0:" not in out.split()[3]
    finally:
        stop_process(proc)
    time.sleep(0.5)
    for pid in workers:  # the query workers end with the server
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_cli_serve_without_a_build(tmp_path):
    r = subprocess.run([sys.executable, "-m", "datawork_kg.cli", "--home", str(tmp_path / "none"), "serve", "--port",
                        str(free_port())], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "datawork build" in r.stderr and "Traceback" not in r.stderr


def test_build_while_serving_shows_old_or_new_never_a_mix(tmp_path, evidence_copy):
    """Readers during a build see one release per request; the new one once it is published."""
    from datawork_kg.build import build
    from datawork_kg.web import create_app

    home = tmp_path / "home"
    one = sorted(p for p in evidence_copy.iterdir() if p.suffix == ".yaml")[0]
    build([one], home=home, reason=False, dumps=False)
    app = create_app(home, timeout=20, workers=1)
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    seen: dict[str, set[int]] = {}
    errors: list[str] = []
    stop = threading.Event()
    with _ThreadServer(app) as srv:
        first = httpx.get(srv.url + "/health").json()["release"]

        def reader():
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                while not stop.is_set():
                    r = c.get("/sparql", params={"query": q})
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    rel = r.headers["x-datawork-release"]
                    seen.setdefault(rel, set()).add(int(r.json()["results"]["bindings"][0]["n"]["value"]))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            result = build([evidence_copy], home=home, reason=False, dumps=False)
            time.sleep(1.0)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        second = httpx.get(srv.url + "/health").json()["release"]
        assert second == result.release.name != first
        assert not errors, errors[:3]
        assert first in seen and second in seen, seen.keys()
        for rel, counts in seen.items():
            assert len(counts) == 1, (rel, counts)  # one release, one answer: never a mix
        assert seen[first] != seen[second]
        assert httpx.get(srv.url + "/id/graph/", headers={"Accept": BROWSER_ACCEPT}).status_code == 200
