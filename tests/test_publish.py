"""``datawork publish --static`` and ``datawork docs``.

The publication is served with a plain static server (``python -m http.server`` on 127.0.0.1) and
its files are checked; the content-negotiation rules it ships are then run for real in nginx and
Apache (Debian packages, started in the foreground on 127.0.0.1 with their own configuration).
"""
from __future__ import annotations

import html as _html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

from conftest import skip_or_fail
from servers import free_port
from datawork_kg.namespace import DCAT, VOID

W3ID = "https://w3id.org/datawork/id/"
DW = "https://w3id.org/datawork/ontology#"
CHAIN = "chain/tubaro-2025-ch-ve-work"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _wait(url: str, proc: subprocess.Popen, timeout: float = 30, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}: {log.read_text() if log and log.exists() else ''}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="module")
def site(published):
    """The static publication of the session's build: (folder, report, messages). Published once per
    session (conftest), in a world-readable folder (Apache reads it as www-data)."""
    return published


@pytest.fixture(scope="module")
def static_server(static_site):
    """The publication served by a plain static file server (conftest): its base URL."""
    return static_site


# ----------------------------------------------------------------- the files
def test_report_and_layout(site, store):
    out, report, messages = site
    text = str(report)
    assert str(out) in text and "files" in text and report.resources > 100 and report.terms > 50
    assert any(m.startswith("[5/5]") for m in messages)
    for name in ("index.html", "ontology.html", "ontology.ttl", "queries.html", "dataset.ttl", "dataset.html",
                 ".well-known/void", ".htaccess", "nginx.conf", "w3id.htaccess", "README.txt", "dumps/index.html",
                 "dumps/datawork.nq", "id/index.html", "id/chain/index.html"):
        assert (out / name).is_file(), name
    assert not list(out.parent.glob(".site.partial-*"))


def test_every_resource_in_every_format(site, store):
    out, report, _ = site
    subjects = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(W3ID)}
    assert subjects
    for iri in subjects:
        stem = out / "id" / iri[len(W3ID):]
        for ext in ("ttl", "jsonld", "rdf", "nt", "html"):
            assert stem.with_name(stem.name + "." + ext).is_file(), (iri, ext)
    terms = {q.subject.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/datawork/ontology"))
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DW)}
    for iri in terms:
        assert (out / "ontology" / (iri[len(DW):] + ".ttl")).is_file(), iri


@pytest.mark.parametrize("ext,fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_resource_files_parse(site, ext, fmt):
    out, _, _ = site
    g = rdflib.Graph().parse(out / "id" / f"{CHAIN}.{ext}", format=fmt)
    assert (rdflib.URIRef(W3ID + CHAIN), RDF.type, rdflib.URIRef(DW + "Chain")) in g


def test_void_file(site):
    out, _, _ = site
    g = rdflib.Graph().parse(out / ".well-known" / "void", format="turtle")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in g and g.value(ds, DCTERMS.license) is not None
    for dump in g.objects(ds, VOID.dataDump):
        assert (out / "dumps" / str(dump).rsplit("/", 1)[1]).is_file()


def test_config_files(site):
    out, report, _ = site
    ht = (out / ".htaccess").read_text()
    assert "RewriteEngine On" in ht and "[R=303,L]" in ht and "%{HTTP_ACCEPT}" in ht
    assert "AddType text/turtle .ttl" in ht and "application/ld+json .jsonld" in ht
    ng = (out / "nginx.conf").read_text()
    assert "map $http_accept $datawork_ext" in ng and "return 303 $uri.$datawork_ext" in ng
    w3 = (out / "w3id.htaccess").read_text()
    assert "RewriteEngine on" in w3 and "https://example.org/datawork/" in w3 and "R=303" in w3
    assert "DATAWORK_PUBLIC_URL" in str(report)


def test_public_url_goes_into_w3id_rules(built, tmp_path):
    from datawork_kg.publish import w3id_config

    text = w3id_config("https://data.example.net/dw", W3ID)
    assert "https://data.example.net/dw/id" not in text  # rules substitute $1, not literal paths
    assert "https://data.example.net/dw/$1.ttl" in text


# ----------------------------------------------------------------- served by a plain static server
def test_served_by_a_plain_static_server(static_server):
    base = static_server
    r = httpx.get(f"{base}/id/{CHAIN}.ttl")
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    assert (rdflib.URIRef(W3ID + CHAIN), RDF.type, rdflib.URIRef(DW + "Chain")) in g
    assert httpx.get(f"{base}/.well-known/void").status_code == 200
    nq = httpx.get(f"{base}/dumps/datawork.nq")
    assert nq.status_code == 200 and len(nq.content) > 10_000
    page = httpx.get(f"{base}/id/{CHAIN}.html")
    assert page.status_code == 200 and "Where this comes from" in page.text and "<svg" in page.text


def _links(page_url: str, text: str) -> set[str]:
    out = set()
    for href in re.findall(r'href="([^"#]+)', text):
        href = _html.unescape(href)
        if href.startswith(("http://", "https://", "mailto:", "data:")):
            continue
        out.add(urljoin(page_url, href))
    return out


def test_local_links_resolve(static_server):
    """Every relative link of the start page, a browse page and some resource pages answers 200."""
    base = static_server
    pages = [f"{base}/index.html", f"{base}/id/index.html", f"{base}/id/chain/index.html", f"{base}/id/{CHAIN}.html",
             f"{base}/id/organisation/tubaro-2025-sampled-intl-platforms.html", f"{base}/dataset.html",
             f"{base}/ontology/Chain.html", f"{base}/dumps/index.html"]
    checked = set()
    with httpx.Client(timeout=10) as c:
        for p in pages:
            r = c.get(p)
            assert r.status_code == 200, p
            for link in _links(p, r.text):
                if link in checked or not link.startswith(base):
                    continue
                checked.add(link)
                assert c.head(link).status_code == 200, (p, link)
    assert len(checked) > 50


# ----------------------------------------------------------------- republishing
def test_republish_replaces_and_refuses_foreign_folders(built, tmp_path):
    from datawork_kg.publish import PublishError, publish_static

    ws, _ = built
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(PublishError, match="not empty"):
        publish_static(foreign, home=ws.root)
    assert (foreign / "keep.txt").read_text() == "mine"
    with pytest.raises(PublishError):
        publish_static(ws.root / "releases" / "x", home=ws.root)


def test_cli_publish(built, tmp_path):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    from datawork_kg.publish import MARKER

    ws, _ = built
    out = tmp_path / "pub"
    out.mkdir()
    (out / MARKER).write_text("{}")  # as if published before: the new publication replaces the folder
    (out / "stale.txt").write_text("old")
    res = CliRunner().invoke(main, ["--home", str(ws.root), "publish", "--static", str(out)])
    assert res.exit_code == 0, res.output
    assert "published release" in res.output and (out / "index.html").is_file()
    assert not (out / "stale.txt").exists()
    assert not list(tmp_path.glob(".pub.*"))  # no partial or old copies left behind


# ----------------------------------------------------------------- the shipped rules, run for real
NEGOTIATION = [  # (path, Accept, expected Location suffix)
    (f"/id/{CHAIN}", "text/turtle", f"/id/{CHAIN}.ttl"),
    (f"/id/{CHAIN}", "application/ld+json", f"/id/{CHAIN}.jsonld"),
    (f"/id/{CHAIN}", "application/rdf+xml", f"/id/{CHAIN}.rdf"),
    (f"/id/{CHAIN}", "application/n-triples", f"/id/{CHAIN}.nt"),
    (f"/id/{CHAIN}", BROWSER, f"/id/{CHAIN}.html"),
    (f"/id/{CHAIN}", "*/*", f"/id/{CHAIN}.ttl"),
    ("/ontology", BROWSER, "/ontology.html"),
    ("/ontology", "text/turtle", "/ontology.ttl"),
    ("/ontology/Chain", BROWSER, "/ontology.html#Chain"),
    ("/ontology/Chain", "text/turtle", "/ontology/Chain.ttl"),
    ("/dataset", "application/ld+json", "/dataset.jsonld"),
]
# Accept headers with q-values, wildcards and types the site does not have: the static rules must
# choose what the live server chooses (html.negotiate_ext), a 406 included
Q_VALUE_HEADERS = [
    "text/turtle;q=0.1, text/html", "image/png", "text/turtle;q=0, */*", "text/*;q=0.2, */*", "application/*",
    "application/n-triples;q=0.5, application/rdf+xml;q=0.4", "image/png, */*;q=0.1", "TEXT/HTML;q=0.3",
    "text/html;charset=utf-8;q=0.3, text/turtle;q=0.2", "text/turtle ; q=0.9 , text/html ; q=0.8",
    "text/html;q=0", "*/*;q=0", "application/json, text/html", "application/sparql-results+json", "",
    "audio/*, text/turtle;q=0.3", "text/plain", "application/xml;q=0.9, application/ld+json;q=0.95",
]


def test_static_negotiation_rules_choose_what_the_server_chooses():
    from datawork_kg.conneg_rules import negotiate
    from datawork_kg.web import negotiate_ext

    for accept in Q_VALUE_HEADERS:
        assert negotiate(accept) == negotiate_ext(accept), accept


TYPES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml",
         ".nt": "application/n-triples", ".html": "text/html"}


def _check_negotiation(base: str) -> None:
    with httpx.Client(timeout=10, follow_redirects=False) as c:
        for path, accept, expected in NEGOTIATION:
            r = c.get(base + path, headers={"Accept": accept})
            assert r.status_code == 303, (path, accept, r.status_code, r.text[:300])
            loc = r.headers["location"]
            assert urlsplit(loc).path + (("#" + urlsplit(loc).fragment) if urlsplit(loc).fragment else "") == expected, \
                (path, accept, loc)
            assert "accept" in r.headers.get("vary", "").lower(), (path, r.headers)
            target = c.get(urljoin(base + path, loc.split("#")[0]))
            assert target.status_code == 200, (loc, target.status_code)
            suffix = "." + loc.split("#")[0].rsplit(".", 1)[-1]
            assert target.headers["content-type"].split(";")[0] == TYPES[suffix], (loc, target.headers["content-type"])
        from datawork_kg.web import negotiate_ext

        for accept in Q_VALUE_HEADERS:
            r = c.get(base + f"/id/{CHAIN}", headers={"Accept": accept})
            ext = negotiate_ext(accept)
            if ext is None:
                assert r.status_code == 406, (accept, r.status_code, r.headers.get("location"))
            else:
                assert r.status_code == 303 and r.headers["location"].endswith(f"/id/{CHAIN}.{ext}"), \
                    (accept, r.status_code, r.headers.get("location"))
        assert c.get(base + "/ontology/Chain", headers={"Accept": "image/png"}).status_code == 406
        # every ontology and module IRI, versioned or not: the whole module (issue 19.4)
        from datawork_kg.ontology import module_path, module_triples, modules

        for iri in sorted(modules()):
            path = "/" + module_path(iri)
            r = c.get(base + path, headers={"Accept": "application/n-triples"})
            assert r.status_code == 303 and urlsplit(r.headers["location"]).path == path + ".nt", (path, r.status_code)
            doc = c.get(urljoin(base + path, r.headers["location"]))
            assert doc.status_code == 200, (path, doc.status_code)
            got = set(ox.parse(doc.content, format=ox.RdfFormat.N_TRIPLES))
            assert len(got) == len(set(module_triples(iri))), path
            html = c.get(base + path, headers={"Accept": BROWSER})
            assert html.status_code == 303 and "ontology.html" in html.headers["location"], (path, html.status_code)
        assert c.get(base + "/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
        void = c.get(base + "/.well-known/void", headers={"Accept": "text/turtle"})
        assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
        assert c.get(base + "/.well-known/void", headers={"Accept": BROWSER}).status_code == 303
        assert c.get(base + "/id/chain/", headers={"Accept": BROWSER}).status_code == 200  # browse page, not a redirect
        assert c.get(base + f"/id/{CHAIN}.ttl").headers["access-control-allow-origin"] == "*"
        assert c.post(base + f"/id/{CHAIN}.ttl", content=b"x").status_code in (403, 405)


def test_nginx_rules(site, tmp_path):
    from datawork_kg.publish import NGINX_HTTP_MARK, NGINX_SERVER_MARK

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        skip_or_fail("nginx is not installed (.ci/install-servers.sh installs nginx-light)")
    out, _, _ = site
    text = (out / "nginx.conf").read_text()
    http_part = text.split(NGINX_HTTP_MARK, 1)[1].split(NGINX_SERVER_MARK, 1)[0]
    server_part = text.split(NGINX_SERVER_MARK, 1)[1]
    port = free_port()
    conf = tmp_path / "nginx-test.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(f"""{user}daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; fastcgi_temp_path {tmp_path}/fcgi;
  uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
{http_part}
  server {{
    listen 127.0.0.1:{port};
    server_name localhost;
    root {out};
{server_part}
  }}
}}
""")
    check = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/index.html", proc, log=tmp_path / "nginx-error.log")
        _check_negotiation(f"http://127.0.0.1:{port}")
    finally:
        _stop(proc)


def test_apache_htaccess_rules(site, tmp_path):
    apache = shutil.which("apache2") or ("/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None)
    modules = Path("/usr/lib/apache2/modules")
    if not apache or not modules.is_dir():
        skip_or_fail("Apache is not installed (.ci/install-servers.sh installs apache2)")
    out, _, _ = site
    run = Path(tempfile.mkdtemp(prefix="datawork-apache-"))
    os.chmod(run, 0o755)
    port = free_port()
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    mods = ["mpm_event", "authz_core", "mime", "rewrite", "headers", "dir", "alias"]
    conf = run / "httpd.conf"
    conf.write_text("".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n" for m in mods) + f"""{user}ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {run}/httpd.pid
ErrorLog {run}/error.log
LogLevel warn
DefaultRuntimeDir {run}
Mutex file:{run} default
TypesConfig /etc/mime.types
DocumentRoot {out}
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory {out}>
  AllowOverride All
  Require all granted
</Directory>
""")
    check = subprocess.run([apache, "-t", "-f", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([apache, "-f", str(conf), "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/index.html", proc, log=run / "error.log")
        _check_negotiation(f"http://127.0.0.1:{port}")
    finally:
        _stop(proc)
        shutil.rmtree(run, ignore_errors=True)


# ----------------------------------------------------------------- datawork docs
def test_write_docs(tmp_path):
    from datawork_kg.docs import write_docs
    from datawork_kg.resources import queries_dir

    paths = write_docs(tmp_path / "docs")
    names = {p.name for p in paths}
    assert names == {"ontology.html", "queries.html"} and all(p.is_file() for p in paths)
    onto = (tmp_path / "docs" / "ontology.html").read_text()
    assert 'id="Chain"' in onto and "pyLODE" in onto
    _assert_presents_the_ontology(onto)
    cat = (tmp_path / "docs" / "queries.html").read_text()
    for rq in queries_dir().glob("*.rq"):
        assert f'id="{rq.stem}"' in cat, rq.stem
    assert "<script" not in cat


def _assert_presents_the_ontology(page: str) -> None:
    """One title, the ontology's own metadata, its modules listed as modules, no repeated entries."""
    import collections
    import re

    from rdflib.namespace import OWL

    assert re.findall(r"<title>(.*?)</title>", page) == ["datawork-kg ontology"]
    meta = re.search(r'<div class="section" id="metadata">(.*?)</dl>', page, re.S).group(1)
    assert re.findall(r"<h1>(.*?)</h1>", meta) == ["datawork-kg ontology"]
    assert "<code>https://w3id.org/datawork/ontology</code>" in meta
    assert meta.count("datawork-kg contributors") == 1, "the creator is listed once"
    modules = re.search(r'<div class="section" id="modules">(.*?)</dl>', page, re.S)
    assert modules, "the modules are listed as modules"
    iris = set()
    from datawork_kg.resources import ontology_dir

    for ttl in ontology_dir().glob("*.ttl"):
        g = rdflib.Graph().parse(ttl, format="turtle")
        iris |= {str(o) for o in g.subjects(RDF.type, OWL.Ontology)}
    iris.discard("https://w3id.org/datawork/ontology")
    assert iris and all(f"<code>{iri}</code>" in modules.group(1) for iri in iris), sorted(iris)
    toc = re.search(r'<div id="toc">(.*?)</div>', page, re.S).group(1)
    repeated = [h for h, n in collections.Counter(re.findall(r'href="(#[^"]+)"', toc)).items() if n > 1]
    assert repeated == [], repeated
    ids = [i for i, n in collections.Counter(re.findall(r' id="([^"]+)"', page)).items() if n > 1]
    assert ids == [], ids


def test_catalogue_shows_header_fields(tmp_path):
    from datawork_kg.docs import catalogue_html

    d = tmp_path / "q"
    d.mkdir()
    (d / "good.rq").write_text("#+ summary: Count chains\n#+ description: How many chains.\n#+ tags: [chains]\n"
                               "#+ source:\n#+   - paper: Tubaro et al. 2025\n#+     section: Results\n"
                               "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/datawork/ontology#Chain> }\n")
    (d / "bad.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    page = catalogue_html(d)
    assert "Count chains" in page and "Tubaro et al. 2025" in page and "Results" in page and "chains" in page
    assert 'id="bad"' in page and "could not be read" in page


def test_cli_docs(tmp_path):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    res = CliRunner().invoke(main, ["docs", "-o", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "d" / "ontology.html").is_file()
