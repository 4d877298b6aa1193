"""The HTML pages, rendered from the Jinja2 templates of ``datawork_kg/web/templates``.

Python gathers what a page shows (:mod:`.site` for resources); the templates write the HTML: a base
layout (``base.html``: header, navigation, footer, the inline style sheet) and one template per
page kind (``resource.html``, ``index.html``, ``kinds.html``, ``kind.html``, ``dumps.html``,
``void.html``, ``query.html``, ``results.html``, ``graph_results.html``, ``message.html``,
``catalogue.html``). The server (:mod:`datawork_kg.web.app`) and ``datawork publish --static``
render the same templates, so a page reads the same on a live server and on plain web space.

Every page is self-contained (inline CSS, no fonts or files from other hosts; only the SPARQL page
loads the vendored YASGUI from this site's own ``/static``).
"""
from __future__ import annotations

import html as _html
import json
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..namespace import DW_NS
from .links import Linker, short_iri
from .negotiation import DOC_FORMATS, RDF_FORMATS
from .rdf import INCOMING_CAP, RDF_TYPE, XSD
from .site import ChainView, Fact, ResourceView, Site

TEMPLATES = Path(__file__).resolve().parent / "templates"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"


def esc(text) -> str:
    return _html.escape(str(text), quote=True)


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` is escaped as :func:`html.escape` does (``&quot;``, ``&#x27;``)."""
    if hasattr(value, "__html__"):
        return value
    return Markup(esc(value))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, finalize=_finalize,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["urlquote"] = quote
    return env


def nav(linker: Linker) -> list[tuple[str, str]]:
    """The site's navigation: (site path, text)."""
    items = [("index.html" if not linker.server else "", "Home"), ("id/index.html", "Browse"),
             ("explore" if linker.server else "explore/index.html", "Explore"),
             ("ontology.html", "Ontology"), ("queries.html", "Queries")]
    if linker.server:
        items.append(("sparql", "SPARQL"))
    return items + [("dataset.html", "Dataset (VoID)"), ("dumps/index.html", "Downloads")]


def render(template: str, *, title: str, linker: Linker | None = None, alternates: Sequence[tuple[str, str]] = (),
           canonical: str | None = None, **data: Any) -> str:
    """``template`` rendered in the site's layout (or standalone, for a page without a ``linker``)."""
    layout = "base.html" if linker is not None else "standalone.html"
    return environment().get_template(template).render(
        title=title, linker=linker, nav=nav(linker) if linker is not None else [], alternates=list(alternates),
        canonical=canonical, layout=layout, **data)


# ----------------------------------------------------------------- terms and facts
def term_view(term, site: Site, linker: Linker) -> dict:
    """What a template needs to show an RDF term: a labelled link, a literal with its language or type."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return {"kind": "iri", "iri": iri, "href": linker.href(iri), "label": site.labels.get(iri),
                "short": short_iri(iri, site.base)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode"}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        value = term.value
        return {"kind": "literal", "value": value, "lang": term.language,
                "datatype": short_iri(dt) if dt and dt != XSD + "string" else None,
                "link": bool(dt and dt == XSD + "anyURI" or re.match(r"^https?://\S+$", value))}
    return {"kind": "other", "value": str(term)}


def _fact(f: Fact, site: Site, linker: Linker) -> dict:
    return {"predicate": term_view(ox.NamedNode(f.predicate), site, linker), "term": term_view(f.value, site, linker),
            "nested": [_fact(n, site, linker) for n in f.nested]}


def _graphs(graphs: list[str], view: ResourceView, site: Site, linker: Linker) -> list[dict]:
    """Where a fact comes from: its graphs, as study links (inferred and computed ones in italics)."""
    out = []
    for g in graphs:
        label = view.graph_labels.get(g) or site.graph_label(g)
        inferred = g in (site.inferred_graph, "computed", site.void_graph)
        href = linker.href(site.graph_study(g) or g) if g and not inferred else None
        out.append({"label": label, "inferred": inferred, "href": href})
    return out


def format_links(iri: str, linker: Linker, *, current: str | None = None) -> list[dict]:
    return [{"name": name, "current": True} if ext == current else
            {"name": name, "href": linker.doc(iri, ext), "media": media}
            for ext, (media, name) in DOC_FORMATS.items()]


INCOMING_PAGE = 50  # incoming links in one page of the list


def _incoming_pages(incoming: list, linker: Linker, page: int) -> dict:
    """The incoming links, a page at a time: on the server ``?incoming=N`` pages through them; a static
    page shows the first and folds the others (a static file has no query)."""
    chunks = [incoming[i:i + INCOMING_PAGE] for i in range(0, len(incoming), INCOMING_PAGE)] or [[]]
    page = min(max(1, page), len(chunks)) if linker.server else 1
    first = (page - 1) * INCOMING_PAGE
    out = {"rows": chunks[page - 1], "total": len(incoming), "start": first + 1 if incoming else 0,
           "end": first + len(chunks[page - 1]), "prev": None, "next": None, "folded": []}
    if linker.server:
        out["prev"] = f"?incoming={page - 1}#incoming" if page > 1 else None
        out["next"] = f"?incoming={page + 1}#incoming" if page < len(chunks) else None
    else:
        out["folded"] = [{"start": 1 + i * INCOMING_PAGE, "end": i * INCOMING_PAGE + len(c), "rows": c}
                         for i, c in enumerate(chunks) if i > 0]
    return out


def resource_page(view: ResourceView, site: Site, linker: Linker, *, incoming_page: int = 1) -> str:
    """The HTML page of one resource (``incoming_page``: which page of the incoming links)."""
    L = site.labels
    types = [{"href": linker.href(t), "label": L(t), "inferred": False} for t in view.types]
    types += [{"href": linker.href(t), "label": L(t), "inferred": True} for t in view.inferred_types]
    papers = [{"href": linker.href(s.study), "citation": s.citation, "title": s.title, "doi": s.doi,
               "outlet": s.outlet, "published": s.published, "url": s.url, "archived": s.archived,
               "encoders": [{"href": linker.href(c.agent), "name": c.name, "date": c.date} for c in s.curators
                            if c.role == "encoder"],
               "reviewers": [{"href": linker.href(c.agent), "name": c.name, "date": c.date} for c in s.curators
                             if c.role == "reviewer"],
               "curation_recorded": s.curation_recorded,
               "sections": [{"href": linker.href(sec), "heading": h} for sec, h in s.sections]} for s in view.sources]
    facts = [{**_fact(f, site, linker), "graphs": _graphs(f.graphs, view, site, linker)}
             for f in view.facts if f.predicate != RDF_TYPE]
    incoming = [{"subject": term_view(ox.NamedNode(s), site, linker),
                 "predicate": term_view(ox.NamedNode(p), site, linker),
                 "graphs": _graphs(gs, view, site, linker)} for s, p, gs in view.incoming]
    alternates = [(linker.doc(view.iri, ext), media) for ext, (media, _) in RDF_FORMATS.items()]
    return render("resource.html", title=view.label, linker=linker, alternates=alternates, canonical=view.iri,
                  view=view, types=types, papers=papers, facts=facts, incoming=incoming, incoming_cap=INCOMING_CAP,
                  inc=_incoming_pages(incoming, linker, incoming_page),
                  ontology_href=linker.href(view.iri) if view.iri.startswith(DW_NS) else None,
                  chains=[chain_view(ch, site, linker, highlight=view.iri) for ch in view.chains],
                  format_links=format_links(view.iri, linker, current="html"))


def search_page(text: str, hits: Sequence, linker: Linker, *, kinds: Sequence[str] = (), kind: str | None = None,
                index_script: str | None = None) -> str:
    """The search results page; with ``index_script`` (the static site) the browser searches that index."""
    results = [{"href": linker.href(h.iri), "name": h.name, "kind": h.kind, "iri": h.iri} for h in hits]
    return render("search.html", title=f"Search: {text}" if text else "Search", linker=linker, query=text,
                  results=results, kinds=list(kinds), kind=kind, index_script=index_script)


# ----------------------------------------------------------------- chain diagram (inline SVG)
def _wrap(text: str, width: int = 24, lines: int = 3) -> list[str]:
    out = textwrap.wrap(text, width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _arrow(st, x_of: dict, top: float, arcs: int, site: Site, linker: Linker, bw: int, bh: int, gap: int) -> dict:
    x1, x2 = x_of[st.orderer], x_of[st.supplier]
    flow = site.labels.get(st.flow) if st.flow else None
    flow = (flow or (short_iri(st.flow) if st.flow else "")).replace(" flow", "")
    a = {"href": linker.href(st.tie), "label": f"{st.index}. {flow}".strip().rstrip(".")}
    if abs(x2 - x1) == bw + gap:  # neighbours: a straight arrow
        sx, ex = (x1 + bw, x2) if x2 > x1 else (x1, x2 + bw)
        y = top + bh / 2 + (8 if x2 < x1 else 0)
        return {**a, "straight": True, "sx": sx, "ex": ex, "y": y, "tx": (sx + ex) / 2, "ty": y - 6}
    sx, ex = x1 + bw / 2, x2 + bw / 2  # farther apart: an arc above the boxes
    h = 22 + 12 * (arcs % 3)
    return {**a, "straight": False, "sx": sx, "ex": ex, "top": top, "cy": top - h - 20, "tx": (sx + ex) / 2,
            "ty": top - h - 6}


def chain_view(ch: ChainView, site: Site, linker: Linker, *, highlight: str | None = None) -> dict:
    """A chain as boxes (parties) and arrows (ties, numbered by step), left to right: the SVG's geometry."""
    nodes: list[str] = []
    for st in ch.steps:
        for p in (st.orderer, st.supplier):
            if p and p not in nodes:
                nodes.append(p)
    out: dict[str, Any] = {"iri": ch.iri, "href": linker.href(ch.iri), "label": ch.label, "steps": len(ch.steps),
                           "boxes": [], "arrows": []}
    if not nodes:
        return out
    bw, bh, gap = 168, 64, 64
    adjacent = {(a, b) for a, b in zip(nodes, nodes[1:])}
    has_arcs = any(st.orderer and st.supplier and (st.orderer, st.supplier) not in adjacent
                   and (st.supplier, st.orderer) not in adjacent for st in ch.steps)
    top = 70 if has_arcs else 16
    out["width"] = len(nodes) * bw + (len(nodes) - 1) * gap + 20
    out["height"] = top + bh + 16
    x_of = {p: 10 + i * (bw + gap) for i, p in enumerate(nodes)}
    arcs = 0
    for st in ch.steps:
        if not (st.orderer and st.supplier):
            continue
        arrow = _arrow(st, x_of, top, arcs + 1, site, linker, bw, bh, gap)
        arcs += 0 if arrow["straight"] else 1
        out["arrows"].append(arrow)
    for p, x in x_of.items():
        name, hl = site.labels(p), p == highlight
        lines = _wrap(name)
        ty = top + bh / 2 - (len(lines) - 1) * 7 + 4
        out["boxes"].append({"href": linker.href(p), "name": name, "x": x, "y": top, "w": bw, "h": bh, "bold": hl,
                             "fill": "#fff4d6" if hl else "#eaf2fb", "stroke": "#c58b00" if hl else "#7a9cc0",
                             "stroke_width": 2 if hl else 1.2,
                             "lines": [{"x": x + bw / 2, "y": ty + i * 14, "text": t} for i, t in enumerate(lines)]})
    return out


# ----------------------------------------------------------------- other pages
def index_page(summary: dict, kinds: dict[str, int], site: Site, linker: Linker, *, examples: Sequence[str] = (),
               dumps: Sequence[str] = ()) -> str:
    """The home page: what the dataset is, what is in it, where to go next."""
    classes = [{"href": linker.href(DW_NS + c), "name": c, "count": n}
               for c, n in sorted(summary.get("classes", {}).items(), key=lambda kv: -kv[1])]
    studies = [{"href": linker.href(st), "citation": site.citation(st), "label": site.labels(st)} for st in site.studies()]
    return render("index.html", title="Home", linker=linker, summary=summary, site=site, classes=classes,
                  kinds=sorted(kinds.items()), studies=studies, dumps=list(dumps),
                  examples=[{"href": linker.href(e), "text": site.labels(e)} for e in examples])


def kinds_page(kinds: dict[str, int], linker: Linker) -> str:
    return render("kinds.html", title="Browse", linker=linker, kinds=sorted(kinds.items()))


def kind_page(kind: str, iris: Sequence[str], site: Site, linker: Linker) -> str:
    items = sorted(((site.labels(i), i) for i in iris), key=lambda x: x[0].lower())
    return render("kind.html", title=kind, linker=linker, kind=kind,
                  items=[{"href": linker.href(i), "label": lbl, "path": i[len(site.base):]} for lbl, i in items])


def dumps_page(dumps: Sequence[tuple[str, str, int]], linker: Linker) -> str:
    return render("dumps.html", title="Downloads", linker=linker, dumps=list(dumps))


def message_page(title: str, message: str, linker: Linker, *, status: int | None = None) -> str:
    return render("message.html", title=title, linker=linker, message=message,
                  heading=f"{status} {title}" if status else title)


def _void_rows(vals, ds, site: Site, linker: Linker) -> list[dict]:
    """The dataset's main properties as rows (name and links, text or code); empty ones left out."""
    def first(p):
        return next((v.value for v in vals(ds, p)), "")

    def links(p, text=None):
        return [{"href": linker.href(v.value), "text": text(v.value) if text else v.value} for v in vals(ds, p)]

    rows = [{"name": "licence", "links": links(DCT + "license")},
            {"name": "modified", "text": first(DCT + "modified")},
            {"name": "triples", "text": first(VOID + "triples")},
            {"name": "entities", "text": first(VOID + "entities")},
            {"name": "URI space", "code": first(VOID + "uriSpace"), "always": True},
            {"name": "SPARQL endpoint", "codes": [v.value for v in vals(ds, VOID + "sparqlEndpoint")]},
            {"name": "vocabularies", "links": links(VOID + "vocabulary")},
            {"name": "example resources", "links": links(VOID + "exampleResource", site.labels)},
            {"name": "root resource", "links": links(VOID + "rootResource", site.labels)}]
    return [r for r in rows if r.pop("always", False) or r.get("links") or r.get("text") or r.get("codes")]


def _void_curators(vals, first, sub, linker: Linker) -> list[dict]:
    """Who encoded and reviewed a subset (an evidence graph), from its prov:qualifiedAttribution."""
    out = []
    for att in vals(sub, PROV + "qualifiedAttribution"):
        agent = first(att, PROV + "agent")
        role = first(att, PROV + "hadRole").rsplit("curation-", 1)[-1]
        out.append({"role": "encoded" if role == "encoder" else "reviewed" if role == "reviewer" else role,
                    "href": linker.href(agent), "name": first(ox.NamedNode(agent), FOAF_NAME) or short_iri(agent),
                    "date": first(att, DCT + "date")})
    return sorted(out, key=lambda c: (c["role"] != "encoded", c["date"], c["name"]))


def void_page(void_store: ox.Store, dataset: str, site: Site, linker: Linker) -> str:
    """The dataset description (VoID + DCAT) as a readable page."""
    ds = ox.NamedNode(dataset)

    def vals(s, p):
        return [q.object for q in void_store.quads_for_pattern(s, ox.NamedNode(p), None)]

    def first(s, p):
        return next((v.value for v in vals(s, p)), "")

    dists = []
    for d in vals(ds, DCAT + "distribution"):
        url = first(d, DCAT + "downloadURL")
        dists.append({"href": linker.href(url), "name": url.rsplit("/", 1)[-1],
                      "media": "/".join(first(d, DCAT + "mediaType").rsplit("/", 2)[-2:]),
                      "sha": first(d, "http://spdx.org/rdf/terms#checksum")[:16]})
    classes = []
    for p in vals(ds, VOID + "classPartition"):
        cls, n = first(p, VOID + "class"), first(p, VOID + "entities")
        classes.append({"href": linker.href(cls), "name": short_iri(cls), "entities": n,
                        "n": int(n) if str(n).isdigit() else 0})
    subsets = [{"href": linker.href(sub.value), "name": short_iri(sub.value, site.base), "triples": first(sub, VOID + "triples"),
                "kind": "linkset" if any(t.value == VOID + "Linkset" for t in vals(sub, RDF_TYPE)) else "named graph",
                "targets": [{"href": linker.href(v.value), "text": v.value} for v in vals(sub, VOID + "objectsTarget")],
                "predicates": [short_iri(v.value) for v in vals(sub, VOID + "linkPredicate")],
                "curators": _void_curators(vals, first, sub, linker)}
               for sub in vals(ds, VOID + "subset")]
    return render("void.html", title="Dataset description", linker=linker,
                  alternates=[(linker.path("dataset." + ext), media) for ext, (media, _) in RDF_FORMATS.items()],
                  dataset=dataset, description=first(ds, DCT + "description"),
                  rows=_void_rows(vals, ds, site, linker), distributions=dists, subsets=subsets,
                  classes=sorted(classes, key=lambda c: -c["n"]), heading=first(ds, DCT + "title") or "Dataset",
                  formats=[{"href": linker.path("dataset." + ext), "name": name} for ext, (_, name) in RDF_FORMATS.items()])


def _script_json(value) -> Markup:
    """``value`` as JSON safe inside a <script> element."""
    return Markup(json.dumps(value).replace("</", "<\\/"))


def query_page(linker: Linker, *, endpoint: str = "/sparql", default_query: str,
               examples: Sequence[tuple[str, str, str]] = (), limits: str = "") -> str:
    """The SPARQL query page: YASGUI served from this server's own files (works offline).

    ``examples``: (name, summary, query text) offered in a list that loads the query into the editor.
    Without JavaScript the plain form on the page still works.
    """
    return render("query.html", title="SPARQL", linker=linker, endpoint=endpoint, default_query=default_query,
                  examples=list(examples), limits=limits, endpoint_json=_script_json(endpoint),
                  default_query_json=_script_json(default_query),
                  examples_json=_script_json([{"name": n, "summary": s, "query": q} for n, s, q in examples]))


def results_table_page(variables: Sequence[str], rows: Sequence[dict], linker: Linker, *, base: str, truncated: bool,
                       cap: int, query: str, boolean: bool | None = None) -> str:
    """SELECT/ASK results as an HTML table (for the plain form)."""
    def cell(term) -> dict:
        if term is None:
            return {"text": ""}
        if isinstance(term, ox.NamedNode):
            return {"href": linker.href(term.value), "text": short_iri(term.value, base)}
        return {"text": term.value if hasattr(term, "value") else term}

    return render("results.html", title="SPARQL results", linker=linker, variables=list(variables), boolean=boolean,
                  rows=[[cell(r.get(v)) for v in variables] for r in rows], truncated=truncated, cap=cap, query=query)


def graph_results_page(text: str, linker: Linker, *, warning: str | None = None) -> str:
    """CONSTRUCT/DESCRIBE results (as Turtle) in a page; ``warning`` says how the result was cut, if it was."""
    return render("graph_results.html", title="SPARQL results", linker=linker, text=text, warning=warning)


# The chain explorer (/explore): the page that static/explore/explore.js fills, served at /explore and
# written to explore/index.html by the static publication; the data is the build's explore.json
# (datawork_kg.explorer); the libraries and the world map are vendored in static/vendor/.
EXPLORER_VENDOR = "static/vendor/"
EXPLORER_DATA = "explore/explore.json"


def explorer_page(linker: Linker) -> str:
    """The explorer page, its links made with ``linker`` (root ``/`` on the server, ``../`` for ``explore/index.html``)."""
    attrs = {"data-root": linker.root, "data-data": linker.path(EXPLORER_DATA),
             "data-topology": linker.path(EXPLORER_VENDOR + "world-atlas/countries-110m.json"),
             "data-points": linker.path(EXPLORER_VENDOR + "world-atlas/country-points.json")}
    scripts = [linker.path(EXPLORER_VENDOR + p) for p in
               ("d3/d3.min.js", "d3-sankey/d3-sankey.min.js", "topojson-client/topojson-client.min.js")]
    # the data is fetched while the libraries load (the page asks for the same URLs once it runs)
    return render("explore.html", title="Explore the chains", linker=linker, main_class="explorer",
                  attrs=list(attrs.items()), preload=[attrs[k] for k in ("data-data", "data-topology", "data-points")],
                  scripts=scripts + [linker.path("static/explore/explore.js")])


def catalogue_page(entries: list[dict], linker: Linker | None = None) -> str:
    """The query catalogue (entries from :func:`datawork_kg.docs.catalogue_entries`)."""
    tags: dict[str, list[str]] = {}
    for e in entries:
        for t in e.get("tags") or []:
            tags.setdefault(str(t), []).append(e["name"])
    return render("catalogue.html", title="Query catalogue", linker=linker, entries=entries, tags=sorted(tags.items()))


__all__ = ["render", "environment", "esc", "term_view", "resource_page", "chain_view", "index_page", "kinds_page",
           "kind_page", "dumps_page", "void_page", "message_page", "query_page", "results_table_page",
           "graph_results_page", "catalogue_page", "explorer_page", "search_page", "format_links"]
