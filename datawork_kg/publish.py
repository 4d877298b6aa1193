"""Publishing the graph beyond ``datawork serve``.

``datawork publish --static DIR`` (:func:`publish_static`): for plain web space. Every resource
in every format as files (``id/chain/x.ttl``, ``.jsonld``, ``.rdf``, ``.nt``, ``.html``), the
ontology (pyLODE page, the whole ontology and one description per term), the dataset description
(VoID/DCAT at ``dataset.*`` and ``.well-known/void``), the dumps, an HTML index and browse pages,
the query catalogue, and the server configuration for content negotiation: ``.htaccess``
(Apache), ``nginx.conf`` and ``w3id.htaccess`` (the redirect rules to submit to w3id.org).
Everything is written to a temporary folder next to DIR and swapped in at the end, so a failed
run leaves the previous publication as it was.

``datawork push --endpoint URL`` (:func:`push`): every named graph of the current release into a
production triple store, all or nothing: the graphs go to new graph names first (SPARQL 1.1 Graph
Store HTTP Protocol), then one SPARQL Update request moves them onto their names, drops the graphs
the release no longer has and rewrites the manifest graph (what the target serves); a journal graph
records a push under way, so that an interrupted one is finished by the next. The triple count of
every graph is then checked with a ``COUNT`` query (one row, so result caps such as Virtuoso's
``ResultSetMaxRows`` cannot hide anything).
"""
from __future__ import annotations

import functools

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from . import web as H
from .errors import DataworkError, StoreError
from .namespace import DW_NS
from .store import Workspace

Progress = Callable[[str], None]
MARKER = ".datawork-static"
ONTOLOGY_GRAPH = "https://w3id.org/datawork/ontology"
W3ID_PREFIX = "https://w3id.org/datawork/"


class PublishError(DataworkError):
    """The publication could not be written or pushed."""


class PushCheckFailed(DataworkError):
    """The target store does not hold what was pushed (a count differs)."""

    exit_code = 1


# ================================================================= static publication
@dataclass
class StaticReport:
    out: Path
    release: str
    resources: int = 0
    terms: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    public_url: str | None = None
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"published release {self.release} to {self.out}",
                 f"  {self.resources:,} resources and {self.terms:,} ontology terms, each as Turtle, JSON-LD, RDF/XML, "
                 f"N-Triples and HTML",
                 f"  {self.files:,} files, {self.bytes / 1e6:.1f} MB, in {self.seconds:.1f} s",
                 f"  start page: {self.out / 'index.html'}",
                 "  content negotiation: .htaccess (Apache), nginx.conf (nginx); w3id.org redirects: w3id.htaccess"]
        if not self.public_url:
            lines.append("  note: w3id.htaccess points to https://example.org/datawork/; set DATAWORK_PUBLIC_URL "
                         "to where DIR will be served and publish again")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _depth_root(rel_path: str) -> str:
    return "../" * rel_path.count("/")


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, rel_path: str, data: bytes | str) -> None:
        if rel_path.startswith("/") or any(seg in ("", ".", "..") for seg in rel_path.split("/")):
            raise PublishError(f"refusing to write an unsafe path: {rel_path!r}")
        path = self.root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        self.files += 1
        self.bytes += len(data)

    def copy(self, src: Path, rel_path: str) -> None:
        path = self.root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, path)
        self.files += 1
        self.bytes += path.stat().st_size


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} exists and is not a folder", hint="choose a folder for --static")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise PublishError(f"{out} is not empty and was not written by 'datawork publish'",
                           hint="choose an empty or new folder (datawork replaces the whole folder on every publish)")


def publish_static(out: Path | str, home: Path | str | None = None, progress: Progress | None = None, *,
                   public_url: str | None = None, base: str | None = None) -> StaticReport:
    """Write the static publication of the current release to ``out`` (replaced as a whole)."""
    from .web.release import Release

    say = progress or (lambda m: None)
    t0 = time.perf_counter()
    out = Path(out).resolve()
    public_url = public_url or os.environ.get("DATAWORK_PUBLIC_URL") or None
    if public_url and not public_url.endswith("/"):
        public_url += "/"
    ws = Workspace(home)
    rel_dir = ws.require_current()
    if out == ws.root or out == ws.releases or ws.releases in out.parents:
        raise PublishError(f"{out} is the build directory or inside its releases", hint="publish to another folder")
    _check_target(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
    except OSError as exc:
        raise PublishError(f"cannot write next to {out}: {exc.strerror}", hint="choose a writable folder") from None
    rel = Release(rel_dir, base)
    report = StaticReport(out, rel.id, public_url=public_url)
    w = _Writer(tmp)
    try:
        _write_site(rel, w, report, say, public_url)
        w.write(MARKER, json.dumps({"release": rel.id, "base": rel.base, "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.files, report.bytes = w.files, w.bytes
    report.seconds = time.perf_counter() - t0
    return report


def _swap(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(out, old)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_site(rel, w: _Writer, report: StaticReport, say: Progress, public_url: str | None) -> None:
    from .docs import catalogue_html

    site = rel.site
    base = rel.base
    kinds = rel.kinds()
    iris = [i for v in kinds.values() for i in v]
    total = len(iris)
    say(f"[1/5] {total:,} resources from release {rel.id}")
    t = time.perf_counter()
    for n, iri in enumerate(iris, 1):
        path = H.local_path(iri, base)
        if path is None:
            continue
        _write_resource(rel, w, iri, path)
        if n % 250 == 0 or n == total:
            say(f"  {n:,}/{total:,} ({time.perf_counter() - t:.1f} s)")
    report.resources = total

    say("[2/5] the ontology (pyLODE) and its terms")
    w.write("ontology.html", rel.ontology_html(back_link="index.html"))
    onto = rel.ontology_triples()
    for ext in H.RDF_FORMATS:
        w.write(f"ontology.{ext}", H.serialize(onto, ext, base))
    from .ontology import module_path, module_triples, modules

    terms = sorted({t.subject.value for t in onto if isinstance(t.subject, ox.NamedNode)
                    and (t.subject.value.startswith(DW_NS) or t.subject.value.startswith(ONTOLOGY_GRAPH + "/"))
                    and t.subject.value not in modules()})
    for iri in terms:
        path = H.local_path(iri, base)
        if path:
            _write_resource(rel, w, iri, path)
    report.terms = len(terms)
    for iri in sorted(modules()):  # every module (and version) IRI: the whole module in every format
        if module_path(iri) != "ontology":
            triples = module_triples(iri)
            for ext in H.RDF_FORMATS:
                w.write(f"{module_path(iri)}.{ext}", H.serialize(triples, ext, base))

    say("[3/5] dataset description (VoID/DCAT) and dumps")
    ds = rel.dataset_iri()
    void = rel.void_triples()
    for ext in H.RDF_FORMATS:
        w.write(f"dataset.{ext}", H.serialize(void, ext, base))
    w.write(".well-known/void", H.serialize(void, "ttl", base))
    w.write("dataset.html", H.void_page(rel.void_store(), ds, site, H.Linker(base, "", server=False, edition=rel.edition)))
    dumps = rel.dumps()
    for name, _, _ in dumps:
        w.copy(rel.path / "dumps" / name, f"dumps/{name}")
    w.write("dumps/index.html", H.dumps_page(dumps, H.Linker(base, "../", server=False, edition=rel.edition)))
    if not dumps:
        report.notes.append("this build has no dumps (built with --no-dumps?)")

    say("[4/5] index, browse pages and the query catalogue")
    lk0 = H.Linker(base, "", server=False, edition=rel.edition)
    examples = sorted(q.object.value for q in rel.void_store().quads_for_pattern(
        ox.NamedNode(ds), ox.NamedNode("http://rdfs.org/ns/void#exampleResource"), None))
    w.write("index.html", H.index_page(rel.summary, {k: len(v) for k, v in kinds.items()}, site, lk0,
                                       examples=examples, dumps=[d[0] for d in dumps]))
    w.write("id/index.html", H.kinds_page({k: len(v) for k, v in kinds.items()}, H.Linker(base, "../", server=False, edition=rel.edition)))
    for kind, members in kinds.items():
        w.write(f"id/{kind}/index.html", H.kind_page(kind, members, site, H.Linker(base, "../../", server=False, edition=rel.edition)))
    w.write("queries.html", catalogue_html(linker=lk0))
    _write_explorer(rel, w)
    _write_search(rel, w)

    say("[5/5] server configuration: .htaccess, nginx.conf, w3id.htaccess")
    target = public_url or "https://example.org/datawork/"
    w.write(".htaccess", apache_config())
    w.write("nginx.conf", nginx_config((urlsplit(public_url).path or "/") if public_url else "/"))
    w.write("w3id.htaccess", w3id_config(target, base))
    w.write("README.txt", _readme(rel.id, target, public_url is not None))


def _write_explorer(rel, w: _Writer) -> None:
    """The explorer (explore/index.html), its data (the build's explore.json) and the files it loads."""
    from .explorer import FILE_NAME, explorer_data

    w.write("explore/index.html", H.explorer_page(H.Linker(rel.base, "../", server=False, edition=rel.edition)))
    data = rel.path / FILE_NAME
    if data.is_file():
        w.copy(data, "explore/explore.json")
    else:  # a release built before the build wrote it
        w.write("explore/explore.json", json.dumps(explorer_data(rel.store, base=rel.base, release=rel.id),
                                                   separators=(",", ":")))
    static = Path(__file__).resolve().parent / "static"
    for folder in ("explore", "vendor"):
        for f in sorted((static / folder).rglob("*")):
            if f.is_file():
                w.copy(f, f"static/{f.relative_to(static).as_posix()}")


def _write_search(rel, w: _Writer) -> None:
    """The search page (search.html), its index (search-index.js, read in the browser) and script."""
    from . import search as S

    index = S.entries(rel.store)
    linker = H.Linker(rel.base, "", server=False, edition=rel.edition)
    data = S.to_json(index)
    data["items"] = [[*item, linker.href(item[0])] for item in data["items"]]  # + the page, from the site root
    w.write("search-index.js", "window.dataworkSearchIndex = " + json.dumps(data, separators=(",", ":"),
                                                                            ensure_ascii=False) + ";\n")
    w.write("search.html", H.search_page("", [], linker, kinds=sorted({e.kind for e in index}),
                                         index_script="search-index.js"))
    w.copy(Path(__file__).resolve().parent / "static" / "search.js", "static/search.js")


def _write_resource(rel, w: _Writer, iri: str, path: str) -> None:
    triples = H.describe(rel.pages, iri)
    for ext in H.RDF_FORMATS:
        w.write(f"{path}.{ext}", H.serialize(triples, ext, rel.base))
    page_path = f"{path}.html"
    linker = H.Linker(rel.base, _depth_root(page_path), server=False, edition=rel.edition)
    w.write(page_path, H.resource_page(rel.site.view(iri), rel.site, linker))


# ----------------------------------------------------------------- server configuration
@functools.cache
def _modules_alt() -> str:
    """The ontology's module paths after ``ontology/`` (strict, align/dcterms, 0.1.0 ...) as one alternation."""
    import re

    from .ontology import module_path, modules

    paths = sorted(module_path(iri)[len("ontology/"):] for iri in modules() if module_path(iri) != "ontology")
    return "|".join(re.escape(p) for p in paths)


def _negotiable() -> str:
    """The paths that negotiate: resources, the ontology, its terms and modules, the dataset, the VoID."""
    return (r"^(?:id/[^.]*[^/.]|ontology|ontology/[^/.]+|ontology/(?:" + _modules_alt()
            + r")|dataset|\.well-known/void)$")


def _apache_negotiation() -> str:
    from .conneg_rules import rules

    # DW_NEG marks the paths that negotiate, so that each rule below is tried for those only
    return f"RewriteRule {_negotiable()} - [E=DW_NEG:1]\n" + "".join(
        f'RewriteCond %{{ENV:DW_NEG}} =1\nRewriteCond %{{ENV:DW_EXT}} ^$\nRewriteCond %{{HTTP_ACCEPT}} "{pattern}" [NC]\n'
        f"RewriteRule ^ - [E=DW_EXT:{ext}]\n" for ext, pattern in rules())


def _nginx_negotiation() -> str:
    from .conneg_rules import rules

    return "".join(f'    "~*{pattern}" {ext};\n' for ext, pattern in rules())


def apache_config() -> str:
    """``.htaccess`` for Apache 2.4 (mod_rewrite, mod_headers, mod_mime): the Cool URIs 303 recipe."""
    return r"""# datawork-kg static publication: content negotiation for Apache 2.4
# Needs mod_rewrite, mod_mime and mod_headers, and "AllowOverride FileInfo Options Indexes" (or All)
# for this folder. Works at the site root or in a sub-folder (redirects are built from the request URI).
#
#   /id/x, /ontology/Term, /ontology, /dataset  --303-->  the same path + .ttl/.jsonld/.rdf/.nt/.html
#   (ontology terms go to ontology.html#Term for browsers); /.well-known/void is the VoID in Turtle.

Options -MultiViews -Indexes
DirectoryIndex index.html

AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/rdf+xml .rdf
AddType application/n-triples .nt
AddType application/n-quads .nq
AddType application/trig .trig
AddCharset utf-8 .ttl .nt .html .jsonld

<IfModule mod_headers.c>
  # read-only, open to every origin
  Header always set Access-Control-Allow-Origin "*"
  Header always set Access-Control-Allow-Methods "GET, HEAD, OPTIONS"
  Header always merge Vary "Accept"
</IfModule>

<Files "void">
  ForceType text/turtle
</Files>

RewriteEngine On

# The format the client asks for, as a file extension in DW_EXT, from the Accept header with its
# q-values (datawork_kg/conneg_rules.py writes these rules; docs/publishing.md says what they can do):
# the first rule that matches decides; no Accept gets Turtle; an Accept naming nothing we have, 406.
RewriteCond %{HTTP_ACCEPT} "^[ \t]*$"
RewriteRule ^ - [E=DW_EXT:ttl]
""" + _apache_negotiation() + r"""
RewriteCond %{ENV:DW_EXT} ^$
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule """ + _negotiable() + r""" - [R=406,L]

# The VoID description at /.well-known/void is a Turtle file; browsers go to its HTML page.
RewriteCond %{ENV:DW_EXT} =html
RewriteCond %{REQUEST_URI} ^(.*)/\.well-known/void$
RewriteRule ^\.well-known/void$ %1/dataset.html [R=303,L]

# The ontology's modules by their IRIs and version IRIs (ontology/strict, ontology/align/dcterms,
# ontology/0.1.0 ...): the whole module in the format asked for; browsers go to the modules section.
RewriteCond %{ENV:DW_EXT} =html
RewriteCond %{REQUEST_URI} ^(.*)/ontology/(?:""" + _modules_alt() + r""")$
RewriteRule ^ontology/(?:""" + _modules_alt() + r""")$ %1/ontology.html#modules [R=303,NE,L]
RewriteRule ^ontology/(?:""" + _modules_alt() + r""")$ %{REQUEST_URI}.%{ENV:DW_EXT} [R=303,L]

# Ontology terms (hash IRIs ontology#Term, also reachable as ontology/Term): browsers go to the pyLODE page.
RewriteCond %{ENV:DW_EXT} =html
RewriteCond %{REQUEST_URI} ^(.*)/ontology/([^/.]+)$
RewriteRule ^ontology/[^/.]+$ %1/ontology.html#%2 [R=303,NE,L]

# Things: 303 See Other to the document describing them, in the format asked for.
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule ^id/[^.]*[^/.]$ %{REQUEST_URI}.%{ENV:DW_EXT} [R=303,L]
RewriteRule ^(ontology|ontology/[^/.]+|dataset)$ %{REQUEST_URI}.%{ENV:DW_EXT} [R=303,L]

# Nothing here is writable.
<LimitExcept GET HEAD OPTIONS>
  Require all denied
</LimitExcept>
"""


NGINX_HTTP_MARK = "# ---- http block ----"
NGINX_SERVER_MARK = "# ---- server block ----"


def nginx_config(prefix: str = "/") -> str:
    """nginx configuration: a ``map`` for the ``http`` block and a ``location`` for the ``server`` block."""
    p = prefix if prefix.endswith("/") else prefix + "/"
    pe = p.replace(".", r"\.")
    return f"""# datawork-kg static publication: content negotiation for nginx (1.18 or newer)
# Paste the first part into the http {{ }} block (once) and the second into the server {{ }} block
# that serves this folder at {p} (its root or alias pointing at the folder 'datawork publish' wrote).
{NGINX_HTTP_MARK}
# the format asked for, from Accept with its q-values (datawork_kg/conneg_rules.py writes these
# rules; docs/publishing.md says what they can do): the first that matches decides, none is a 406
map $http_accept $datawork_ext {{
    default none;
    "" ttl;
{_nginx_negotiation()}}}
{NGINX_SERVER_MARK}
location ^~ {p} {{
    types {{
        text/html                html;
        text/plain               txt;
        text/turtle              ttl;
        application/ld+json      jsonld;
        application/rdf+xml      rdf;
        application/n-triples    nt;
        application/n-quads      nq;
        application/trig         trig;
        text/css                 css;
        application/javascript   js;
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/turtle application/n-triples text/plain;
    add_header Access-Control-Allow-Origin "*" always;
    add_header Vary "Accept" always;
    limit_except GET HEAD {{ deny all; }}
    index index.html;

    # the ontology's modules by their IRIs and version IRIs: the whole module, browsers to its section
    location ~ ^(?<dw_mprefix>{pe}(?:.*/)?)ontology/(?:{_modules_alt()})$ {{
        if ($datawork_ext = none) {{ return 406; }}
        if ($datawork_ext = html) {{ return 303 ${{dw_mprefix}}ontology.html#modules; }}
        return 303 $uri.$datawork_ext;
    }}
    # ontology terms: browsers to the pyLODE page, data clients to the term's description
    location ~ ^(?<dw_prefix>{pe}(?:.*/)?)ontology/(?<dw_term>[^/.]+)$ {{
        if ($datawork_ext = none) {{ return 406; }}
        if ($datawork_ext = html) {{ return 303 ${{dw_prefix}}ontology.html#$dw_term; }}
        return 303 $uri.$datawork_ext;
    }}
    # resources (a folder such as id/chain/ is a browse page), the ontology and the dataset:
    # 303 to the document in the format asked for
    location ~ ^{pe}id/[^.]*[^/.]$ {{
        if (-d $request_filename) {{ break; }}
        if ($datawork_ext = none) {{ return 406; }}
        return 303 $uri.$datawork_ext;
    }}
    location ~ ^{pe}(?:ontology|dataset)$ {{
        if ($datawork_ext = none) {{ return 406; }}
        return 303 $uri.$datawork_ext;
    }}
    # the VoID description (a Turtle file; the HTML page for browsers)
    location = {p}.well-known/void {{
        if ($datawork_ext = none) {{ return 406; }}
        if ($datawork_ext = html) {{ return 303 {p}dataset.html; }}
        default_type text/turtle;
    }}
}}
"""


def w3id_config(target: str, base: str) -> str:
    """``.htaccess`` for the w3id.org repository (folder ``datawork/``): permanent IRIs -> this host."""
    t = target if target.endswith("/") else target + "/"
    note = "" if base.startswith(W3ID_PREFIX) else f"# NOTE: this build's data base is {base}, not under {W3ID_PREFIX}\n"
    mods = _modules_alt()
    return f"""# w3id.org/datawork: redirect rules for https://github.com/perma-id/w3id.org (file datawork/.htaccess)
# Permanent IRIs https://w3id.org/datawork/... are served by {t}
{note}Options +FollowSymLinks
RewriteEngine on

# The ontology's modules (IRIs and version IRIs): browsers to the modules section, data clients
# below to the module in the format asked for.
RewriteCond %{{HTTP_ACCEPT}} text/html|application/xhtml\\+xml
RewriteRule ^ontology/(?:{mods})$ {t}ontology.html#modules [R=303,NE,L]
RewriteCond %{{HTTP_ACCEPT}} text/turtle|application/x-turtle
RewriteRule ^(ontology/(?:{mods}))$ {t}$1.ttl [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json|application/json
RewriteRule ^(ontology/(?:{mods}))$ {t}$1.jsonld [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/rdf\\+xml
RewriteRule ^(ontology/(?:{mods}))$ {t}$1.rdf [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/n-triples
RewriteRule ^(ontology/(?:{mods}))$ {t}$1.nt [R=303,L]
RewriteRule ^(ontology/(?:{mods}))$ {t}$1.ttl [R=303,L]

# Data resources, ontology terms, the ontology and the dataset: 303 straight to the document
# in the format asked for (one redirect instead of two).
RewriteCond %{{HTTP_ACCEPT}} text/turtle|application/x-turtle
RewriteRule ^(id/[^.]*[^/.]|ontology|ontology/[^/.]+|dataset)$ {t}$1.ttl [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/ld\\+json|application/json
RewriteRule ^(id/[^.]*[^/.]|ontology|ontology/[^/.]+|dataset)$ {t}$1.jsonld [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/rdf\\+xml
RewriteRule ^(id/[^.]*[^/.]|ontology|ontology/[^/.]+|dataset)$ {t}$1.rdf [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} application/n-triples
RewriteRule ^(id/[^.]*[^/.]|ontology|ontology/[^/.]+|dataset)$ {t}$1.nt [R=303,L]
RewriteCond %{{HTTP_ACCEPT}} text/html|application/xhtml\\+xml
RewriteRule ^ontology/([^/.]+)$ {t}ontology.html#$1 [R=303,NE,L]
RewriteCond %{{HTTP_ACCEPT}} text/html|application/xhtml\\+xml
RewriteRule ^(id/[^.]*[^/.]|ontology|dataset)$ {t}$1.html [R=303,L]
RewriteRule ^(id/[^.]*[^/.]|ontology|ontology/[^/.]+|dataset)$ {t}$1.ttl [R=303,L]

# Everything else (documents, dumps, the SPARQL endpoint if the target runs 'datawork serve'): same path.
RewriteRule ^$ {t} [R=302,L]
RewriteRule ^(.*)$ {t}$1 [R=302,L]
"""


def _readme(release: str, target: str, configured: bool) -> str:
    return f"""datawork-kg static publication of release {release}

Serve this folder as it is. Every resource exists as files:
  id/<kind>/<name>.ttl .jsonld .rdf .nt .html
  ontology.html (pyLODE), ontology.ttl ..., ontology/<Term>.ttl ...
  dataset.ttl ... (VoID and DCAT), .well-known/void, dumps/
Start page: index.html

Content negotiation (IRIs without a suffix answer 303 See Other to the right file):
  Apache: .htaccess in this folder (mod_rewrite, mod_headers; AllowOverride All)
  nginx:  nginx.conf (a map for the http block, locations for the server block)
Permanent IRIs: w3id.htaccess goes to https://github.com/perma-id/w3id.org as datawork/.htaccess
  (it redirects to {target}{'' if configured else '  <- placeholder: set DATAWORK_PUBLIC_URL and publish again'})

There is no SPARQL endpoint in a static publication: download a dump, or run 'datawork serve'.
"""


# ================================================================= push
@dataclass
class GraphPush:
    graph: str
    local: int
    remote: int | None = None
    seconds: float = 0.0
    status: str = "pending"

    @property
    def ok(self) -> bool:
        return self.remote == self.local


@dataclass
class PushReport:
    endpoint: str
    query_endpoint: str
    release: str
    graphs: list[GraphPush] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    update_endpoint: str = ""
    previous: str | None = None  # the release the target served before

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.graphs)

    @property
    def triples(self) -> int:
        return sum(g.local for g in self.graphs)

    def __str__(self) -> str:
        width = max([len(g.graph) for g in self.graphs] + [5])
        lines = [f"pushed release {self.release} to {self.endpoint} ({len(self.graphs)} graphs, {self.triples:,} triples, "
                 f"{self.seconds:.1f} s)",
                 f"  the target served {f'release {self.previous}' if self.previous else 'no datawork release'} before; "
                 f"switched to {self.release} in one update request to {self.update_endpoint}",
                 f"  counts checked with {self.query_endpoint}",
                 f"  {'graph'.ljust(width)}  {'local':>9}  {'remote':>9}  check"]
        for g in self.graphs:
            remote = "?" if g.remote is None else f"{g.remote:,}"
            lines.append(f"  {g.graph.ljust(width)}  {g.local:>9,}  {remote:>9}  {'ok' if g.ok else 'MISMATCH'}")
        for r in self.removed:
            lines.append(f"  removed {r} (pushed before, not in this release)")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("all counts match" if self.ok else "COUNTS DIFFER: the target does not hold what was pushed")
        return "\n".join(lines)


def guess_query_endpoint(endpoint: str) -> str:
    """The SPARQL query URL that goes with a Graph Store URL (Oxigraph, Virtuoso, Fuseki, GraphDB ...)."""
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, repl in (("/sparql-graph-crud-auth", "/sparql"), ("/sparql-graph-crud", "/sparql"), ("/store", "/query"),
                         ("/data", "/sparql"), ("/rdf-graph-store", ""), ("/statements", "")):
        if path.endswith(suffix):
            return urlunsplit((parts.scheme, parts.netloc, path[: -len(suffix)] + repl, "", ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _auth(user: str | None, password: str | None, auth: str):
    import httpx

    if not user and not password:
        return None
    if not user:
        raise PublishError("a password was given without a user", hint="add --user")
    if auth == "digest":
        return httpx.DigestAuth(user, password or "")
    if auth == "basic":
        return httpx.BasicAuth(user, password or "")
    raise PublishError(f"unknown auth '{auth}'", hint="use basic or digest")


# Turtle is UTF-8 by definition; Virtuoso answers 501 to "text/turtle; charset=utf-8", so no parameter.
def _explain(resp, what: str, url: str, *, update: bool = False) -> PublishError:
    text = (resp.text or "").strip().replace("\n", " ")[:300]
    if update and resp.status_code in (401, 403, 404, 405):
        return PublishError(f"{what}: the SPARQL Update endpoint {url} answered HTTP {resp.status_code}",
                            hint="give --update-endpoint (Oxigraph: /update; Virtuoso: /sparql-auth with digest auth; "
                                 "Fuseki: /DATASET/update) and credentials allowed to write")
    if resp.status_code in (401, 403):
        return PublishError(f"{what}: the server refused the credentials (HTTP {resp.status_code}) at {url}",
                            hint="check --user/--password and --auth (Virtuoso: digest on /sparql-graph-crud-auth)")
    if resp.status_code == 404:
        return PublishError(f"{what}: {url} answered 404", hint="is this the Graph Store Protocol URL "
                            "(Oxigraph: /store; Virtuoso: /sparql-graph-crud-auth; Fuseki: /DATASET/data)?")
    if resp.status_code == 405:
        return PublishError(f"{what}: {url} does not accept this method (HTTP 405)",
                            hint="give the Graph Store Protocol URL, not the query URL")
    return PublishError(f"{what}: HTTP {resp.status_code} from {url}: {text}")


DEFAULT = "(default graph)"


def _count(client, query_url: str, graph: str) -> int:
    if graph == DEFAULT:
        q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    else:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    resp = client.post(query_url, data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    if resp.status_code == 405 or resp.status_code == 415:
        resp = client.get(query_url, params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    if resp.status_code != 200:
        raise _explain(resp, f"counting the triples of <{graph}>", query_url)
    try:
        data = resp.json()
        bindings = data["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError) as exc:
        raise PublishError(f"counting the triples of <{graph}>: unexpected answer from {query_url}: {exc}") from None


class PushInterrupted(DataworkError):
    """``datawork push`` was interrupted (Ctrl-C); the message says what the target holds now."""

    exit_code = 130


# The bookkeeping graphs a push keeps on the target, under {base}graph/publication:
#   the manifest  {base}graph/publication          the release the target serves and its graphs
#   the journal   {base}graph/publication/journal  a push under way: its staging graphs and its phase
#   staging       {base}graph/publication/staging/{push id}/{n}   the new release's graphs before the switch
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID_DATASET = "http://rdfs.org/ns/void#Dataset"
VOID_SUBSET = "http://rdfs.org/ns/void#subset"
DCT = "http://purl.org/dc/terms/"
PROV_ACTIVITY = "http://www.w3.org/ns/prov#Activity"
PROV_INVALIDATED = "http://www.w3.org/ns/prov#invalidated"
ADMS_STATUS = "http://www.w3.org/ns/adms#status"
# what a staging graph replaces when it is the default graph (dct:replaces needs an IRI)
SD_DEFAULT_GRAPH = "http://www.w3.org/ns/sparql-service-description#DefaultGraph"
STAGING, SWITCHING = "staging", "switching"


@dataclass
class _Names:
    base: str

    @property
    def manifest(self) -> str:
        return self.base + "graph/publication"

    @property
    def journal(self) -> str:
        return self.base + "graph/publication/journal"

    def staging(self, push_id: str, n: int) -> str:
        return f"{self.base}graph/publication/staging/{push_id}/{n}"


@dataclass
class TargetState:
    """What a target store holds, as its manifest and journal say."""

    release: str | None                 # the release the manifest names (None: no datawork release yet)
    graphs: list[str]                   # its named graphs
    journal_release: str | None = None  # a push under way (or interrupted): the release it pushes
    journal_phase: str | None = None    # STAGING or SWITCHING
    staging: dict[str, str] = field(default_factory=dict)  # staging graph -> the graph it replaces (DEFAULT)
    removing: list[str] = field(default_factory=list)     # graphs the switch removes

    def serves(self) -> str:
        return f"release {self.release}" if self.release else "no datawork release (nothing was pushed before)"


def guess_update_endpoint(endpoint: str) -> str:
    """The SPARQL Update URL that goes with a Graph Store URL (Oxigraph, Virtuoso, Fuseki, RDF4J/GraphDB)."""
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, repl in (("/sparql-graph-crud-auth", "/sparql-auth"), ("/sparql-graph-crud", "/sparql"), ("/store", "/update"),
                         ("/data", "/update"), ("/rdf-graphs/service", "/statements")):
        if path.endswith(suffix):
            return urlunsplit((parts.scheme, parts.netloc, path[: -len(suffix)] + repl, "", ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def push(endpoint: str, home: Path | str | None = None, query_endpoint: str | None = None, user: str | None = None,
         password: str | None = None, auth: str = "basic", progress: Progress | None = None, *,
         timeout: float = 600.0, default_graph: bool = True, update_endpoint: str | None = None) -> PushReport:
    """Load every named graph of the current release into a triple store, all or nothing.

    1. The graphs go to new, unused graph names on the target (*staging*, through the SPARQL 1.1
       Graph Store Protocol), recorded first in a journal graph; the target's served graphs are
       not touched.
    2. One SPARQL Update request then *switches*: it moves each staging graph onto its graph
       (``MOVE``), drops the graphs this release no longer has, rewrites the manifest and drops the
       journal. A store that runs an update request as one transaction (Oxigraph, Fuseki, GraphDB)
       goes from the old release to the new one at once; Virtuoso runs the operations one by one,
       so only a crash of the store in the middle of the switch could leave it half done, and the
       journal then says so until the next push completes the switch.
    3. The triples of every graph are counted on the target.

    A push first finishes what an interrupted one left: it removes the staging graphs of a push
    interrupted before its switch, and completes a switch that was sent. On Ctrl-C the staging
    graphs written so far are removed, and :class:`PushInterrupted` says what the target holds.

    The release's default graph (the deduplicated union of its named graphs, which the library
    queries read) goes to the target's default graph too, where the store has one of its own;
    Virtuoso has none (its queries read every graph), which the report notes.

    Raises :class:`PushCheckFailed` if a count differs afterwards, :class:`PublishError` when the
    store refuses or cannot be reached (its message says what the target holds).
    """
    import httpx

    say = progress or (lambda m: None)
    t0 = time.perf_counter()
    if not urlsplit(endpoint).scheme in ("http", "https"):
        raise PublishError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    ws = Workspace(home)
    rel_dir = ws.require_current()
    try:
        store = ox.Store.read_only(str(rel_dir / "store"))
    except OSError as exc:
        raise StoreError(f"cannot open the store of {rel_dir.name}: {exc}") from None
    summary = {}
    if (rel_dir / "summary.json").exists():
        summary = json.loads((rel_dir / "summary.json").read_text(encoding="utf-8"))
    names = _Names(summary.get("base") or "https://w3id.org/datawork/id/")
    qurl = query_endpoint or guess_query_endpoint(endpoint)
    uurl = update_endpoint or guess_update_endpoint(endpoint)
    graphs = sorted(g.value for g in store.named_graphs()
                    if isinstance(g, ox.NamedNode) and not g.value.startswith(names.manifest))
    report = PushReport(endpoint, qurl, rel_dir.name, update_endpoint=uurl)
    credentials = _auth(user, password, auth)
    with httpx.Client(auth=credentials, timeout=httpx.Timeout(timeout, connect=15.0), follow_redirects=False) as client:
        t = _Target(client, endpoint, qurl, uurl, names)
        try:
            before = t.state()
        except httpx.HTTPError as exc:
            raise PublishError(f"cannot reach {endpoint}: {exc}", hint="check the URL and that the store is running") from None
        except KeyboardInterrupt:
            raise PushInterrupted("interrupted. The target was not changed (this push wrote nothing to it).") from None
        if before.journal_phase:
            try:
                before = _recover(t, before, say)
            except KeyboardInterrupt:
                raise PushInterrupted(
                    f"interrupted while finishing an earlier push of release {before.journal_release} that was itself "
                    f"interrupted; its journal graph <{names.journal}> is still on the target, which serves "
                    + (f"{before.serves()}." if before.journal_phase == STAGING else
                       f"{before.serves()} or, if the completion went through, release {before.journal_release}.")
                    + " Run push again: it finishes that first.") from None
        report.previous = before.release
        say(f"pushing {len(graphs)} graphs of release {rel_dir.name} to {endpoint} (the target serves {before.serves()})")
        plan: list[tuple[str, str]] = []  # (graph or DEFAULT, staging graph)
        push_id = uuid.uuid4().hex[:12]
        phase = "prepare"
        try:
            with_default = default_graph and "default_graph_triples" in summary and t.has_default_graph()
            if default_graph and "default_graph_triples" in summary and not with_default:
                report.notes.append("the target has no separate default graph (Virtuoso: its queries read the union of "
                                    "all graphs, so a triple stated in several graphs counts several times unless the "
                                    "query names its graphs); only the named graphs were pushed")
            targets = ([DEFAULT] if with_default else []) + graphs
            plan = [(g, names.staging(push_id, n)) for n, g in enumerate(targets)]
            removing = sorted(set(before.graphs) - set(graphs))
            phase = STAGING
            t.put(names.journal, _journal(names, rel_dir.name, STAGING, plan, removing))
            for i, (g, staging) in enumerate(plan, 1):
                t1 = time.perf_counter()
                source = ox.DefaultGraph() if g == DEFAULT else ox.NamedNode(g)
                triples = [ox.Triple(q.subject, q.predicate, q.object)
                           for q in store.quads_for_pattern(None, None, None, source)]
                t.put(staging, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), what=f"sending <{g}>")
                gp = GraphPush(g, len(triples), status="staged", seconds=time.perf_counter() - t1)
                report.graphs.append(gp)
                say(f"  [{i}/{len(plan)}] {g}: {len(triples):,} triples staged ({gp.seconds:.1f} s)")
            t.put(names.journal, _journal(names, rel_dir.name, SWITCHING, plan, removing))
            phase = SWITCHING
            say(f"  switching the target to release {rel_dir.name} (one update request)")
            t.update(_switch_request(names, rel_dir.name, plan, removing), what="switching to the new graphs")
            phase = "switched"
            for gp in report.graphs:
                gp.status = "replaced"
            report.removed = removing
            for r in removing:
                say(f"  removed {r} (not in this release)")
            say(f"checking counts with {qurl}")
            for gp in report.graphs:
                gp.remote = t.count(gp.graph)
        except KeyboardInterrupt:
            raise PushInterrupted("interrupted. " + _state_after(t, phase, plan, before, rel_dir.name)) from None
        except httpx.HTTPError as exc:
            raise PublishError(f"the push to {endpoint} failed: {exc}. " + _state_after(t, phase, plan, before, rel_dir.name),
                               hint="check the store and run push again") from None
        except PublishError as exc:
            exc.message += ". " + _state_after(t, phase, plan, before, rel_dir.name)
            raise
    report.seconds = time.perf_counter() - t0
    if not report.ok:
        raise PushCheckFailed(str(report), hint="the target store changed the data (or another writer did); "
                                                "inspect the graphs marked MISMATCH")
    return report


def _state_after(t: "_Target", phase: str, plan: list[tuple[str, str]], before: TargetState, release: str) -> str:
    """What the target holds after a push stopped in ``phase`` (best effort: removes the staging graphs)."""
    if phase == "prepare":
        return f"The target was not changed: it serves {before.serves()}."
    if phase == STAGING:
        try:
            t.update(" ;\n".join([f"DROP SILENT GRAPH <{s}>" for _, s in plan] + [f"DROP SILENT GRAPH <{t.names.journal}>"]),
                     what="removing the staging graphs", timeout=30)
        except (Exception, KeyboardInterrupt):
            return (f"The target was not changed: it serves {before.serves()}. The new graphs staged so far are still "
                    f"there, under <{t.names.base}graph/publication/staging/> and listed in the journal graph "
                    f"<{t.names.journal}>: queries over every graph (GRAPH ?g, Virtuoso's default graph) see them, "
                    "and the next push removes them.")
        return f"The target was not changed: it serves {before.serves()} (the graphs staged so far were removed)."
    if phase == SWITCHING:
        try:
            now = t.state(timeout=15)
        except (Exception, KeyboardInterrupt):
            now = None
        if now is not None and now.release == release and not now.journal_phase:
            return f"The switch was applied: the target serves release {release} in full."
        return (f"The switch to release {release} was sent but not confirmed. A store that runs an update request as one "
                f"transaction (Oxigraph, Fuseki, GraphDB) serves either {before.serves()} or release {release}, "
                f"in full; its manifest graph <{t.names.manifest}> names which (dct:identifier). Virtuoso runs the "
                f"operations one by one and may be part way through. The journal graph <{t.names.journal}> records "
                "the switch: the next push completes it first.")
    return f"The switch was applied: the target serves release {release} in full; only the count check did not finish."


def _recover(t: "_Target", state: TargetState, say: Progress) -> TargetState:
    """Finish what an interrupted push left on the target (its journal says what)."""
    if state.journal_phase == STAGING:
        say(f"  an earlier push of release {state.journal_release} stopped before its switch: removing its "
            f"{len(state.staging)} staging graphs (the target serves {state.serves()})")
        t.update(" ;\n".join([f"DROP SILENT GRAPH <{s}>" for s in state.staging] + [f"DROP SILENT GRAPH <{t.names.journal}>"]),
                 what="removing the staging graphs of an interrupted push")
    else:
        # the switch was sent: finish it with the staging graphs still there (on a store that ran part
        # of it, the graphs already moved have left their staging name)
        left = [(g, s) for s, g in state.staging.items() if t.has_graph(s)]
        say(f"  an earlier push of release {state.journal_release} was interrupted during its switch: completing it "
            f"({len(left)} of {len(state.staging)} graphs still to move)")
        t.update(_switch_request(t.names, state.journal_release or "", left, state.removing,
                                 graphs=[g for g in state.staging.values() if g != DEFAULT]),
                 what="completing the switch of an interrupted push")
    return t.state()


def _switch_request(names: _Names, release: str, plan: list[tuple[str, str]], removing: list[str], *,
                    graphs: list[str] | None = None) -> str:
    """One SPARQL Update request: staging graphs onto their graphs, old graphs dropped, manifest, journal dropped."""
    ops = [f"MOVE SILENT GRAPH <{s}> TO {'DEFAULT' if g == DEFAULT else f'GRAPH <{g}>'}" for g, s in plan]
    ops += [f"DROP SILENT GRAPH <{g}>" for g in removing]
    named = sorted(graphs if graphs is not None else [g for g, _ in plan if g != DEFAULT])
    ops.append(f"DROP SILENT GRAPH <{names.manifest}>")
    ops.append(f"INSERT DATA {{ GRAPH <{names.manifest}> {{\n{_manifest_nt(names, release, named)}}} }}")
    ops.append(f"DROP SILENT GRAPH <{names.journal}>")
    return " ;\n".join(ops)


def _manifest_nt(names: _Names, release: str, graphs: list[str]) -> str:
    m = ox.NamedNode(names.manifest)
    t = [ox.Triple(m, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID_DATASET)),
         ox.Triple(m, ox.NamedNode(DCT + "identifier"), ox.Literal(release)),
         ox.Triple(m, ox.NamedNode(DCT + "modified"),
                   ox.Literal(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))),
         ox.Triple(m, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                   ox.Literal("Graphs written by 'datawork push' (replaced on every push).", language="en"))]
    t += [ox.Triple(m, ox.NamedNode(VOID_SUBSET), ox.NamedNode(g)) for g in graphs]
    return ox.serialize(t, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _journal(names: _Names, release: str, phase: str, plan: list[tuple[str, str]], removing: list[str]) -> bytes:
    j = ox.NamedNode(names.journal)
    t = [ox.Triple(j, ox.NamedNode(RDF_TYPE), ox.NamedNode(PROV_ACTIVITY)),
         ox.Triple(j, ox.NamedNode(DCT + "identifier"), ox.Literal(release)),
         ox.Triple(j, ox.NamedNode(ADMS_STATUS), ox.Literal(phase)),
         ox.Triple(j, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                   ox.Literal("A 'datawork push' under way or interrupted: the staging graphs it wrote (void:subset), the "
                              "graph each replaces (dct:replaces) and the graphs its switch removes (prov:invalidated).",
                              language="en"))]
    for g, s in plan:
        t.append(ox.Triple(j, ox.NamedNode(VOID_SUBSET), ox.NamedNode(s)))
        t.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(DCT + "replaces"), ox.NamedNode(SD_DEFAULT_GRAPH if g == DEFAULT else g)))
    t += [ox.Triple(j, ox.NamedNode(PROV_INVALIDATED), ox.NamedNode(g)) for g in removing]
    return ox.serialize(t, format=ox.RdfFormat.N_TRIPLES)


class _Target:
    """The Graph Store, query and update URLs of a target store, through one HTTP client."""

    def __init__(self, client, endpoint: str, query_url: str, update_url: str, names: _Names) -> None:
        self.client, self.endpoint, self.query_url, self.update_url, self.names = client, endpoint, query_url, update_url, names

    def put(self, graph: str, body: bytes, what: str | None = None) -> None:
        # Turtle is UTF-8 by definition; Virtuoso answers 501 to "text/turtle; charset=utf-8", so no parameter
        resp = self.client.put(self.endpoint, params={"graph": graph}, content=body, headers={"Content-Type": "text/turtle"})
        if resp.status_code not in (200, 201, 204):
            raise _explain(resp, what or f"writing <{graph}>", self.endpoint)

    def update(self, text: str, what: str, timeout: float | None = None) -> None:
        kwargs = {"timeout": timeout} if timeout else {}
        resp = self.client.post(self.update_url, data={"update": text}, **kwargs)
        if resp.status_code not in (200, 204):
            raise _explain(resp, what, self.update_url, update=True)

    def select(self, q: str, timeout: float | None = None) -> list[dict]:
        kwargs = {"timeout": timeout} if timeout else {}
        headers = {"Accept": "application/sparql-results+json"}
        resp = self.client.post(self.query_url, data={"query": q}, headers=headers, **kwargs)
        if resp.status_code in (405, 415):
            resp = self.client.get(self.query_url, params={"query": q}, headers=headers, **kwargs)
        if resp.status_code != 200:
            raise _explain(resp, "querying the target", self.query_url)
        try:
            data = resp.json()
            if "boolean" in data:
                return [{"boolean": data["boolean"]}]
            return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishError(f"unexpected answer from {self.query_url}: {exc}") from None

    def count(self, graph: str) -> int:
        return _count(self.client, self.query_url, graph)

    def has_graph(self, graph: str) -> bool:
        rows = self.select(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return bool(rows and rows[0].get("boolean") in (True, "true"))

    def has_default_graph(self) -> bool:
        """Whether the store has a default graph of its own (Oxigraph, Fuseki) or none (Virtuoso: the union)."""
        resp = self.client.head(self.endpoint + ("&" if "?" in self.endpoint else "?") + "default",
                                headers={"Connection": "close"})
        if resp.status_code in (401, 403):
            raise _explain(resp, "looking at the default graph", self.endpoint)
        return resp.status_code == 200

    def state(self, timeout: float | None = None) -> TargetState:
        m, j = self.names.manifest, self.names.journal
        state = TargetState(None, [])
        for r in self.select(f"SELECT ?p ?o WHERE {{ GRAPH <{m}> {{ <{m}> ?p ?o }} }}", timeout):
            if r["p"] == DCT + "identifier":
                state.release = r["o"]
            elif r["p"] == VOID_SUBSET:
                state.graphs.append(r["o"])
        replaces: dict[str, str] = {}
        for r in self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{j}> {{ ?s ?p ?o }} }}", timeout):
            p, o = r["p"], r["o"]
            if p == DCT + "replaces":
                replaces[r["s"]] = DEFAULT if o == SD_DEFAULT_GRAPH else o
            elif r["s"] != j:
                continue
            elif p == DCT + "identifier":
                state.journal_release = o
            elif p == ADMS_STATUS:
                state.journal_phase = o
            elif p == PROV_INVALIDATED:
                state.removing.append(o)
        state.staging = {s: g for s, g in sorted(replaces.items())}
        state.graphs.sort()
        state.removing.sort()
        return state


def target_state(endpoint: str, home: Path | str | None = None, query_endpoint: str | None = None,
                 user: str | None = None, password: str | None = None, auth: str = "basic") -> TargetState:
    """What the target store serves (its manifest) and whether a push is under way there (its journal)."""
    import httpx

    base = "https://w3id.org/datawork/id/"
    cur = Workspace(home).current()
    if cur is not None and (cur / "summary.json").exists():
        base = json.loads((cur / "summary.json").read_text(encoding="utf-8")).get("base") or base
    with httpx.Client(auth=_auth(user, password, auth), timeout=60) as client:
        t = _Target(client, endpoint, query_endpoint or guess_query_endpoint(endpoint), guess_update_endpoint(endpoint),
                    _Names(base))
        try:
            return t.state()
        except httpx.HTTPError as exc:
            raise PublishError(f"cannot reach {endpoint}: {exc}", hint="check the URL and that the store is running") from None


__all__ = ["publish_static", "push", "StaticReport", "PushReport", "GraphPush", "PublishError", "PushCheckFailed",
           "PushInterrupted", "TargetState", "target_state", "guess_query_endpoint", "guess_update_endpoint", "apache_config", "nginx_config", "w3id_config"]
