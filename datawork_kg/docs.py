"""``datawork docs``: the ontology reference (pyLODE) and the query catalogue, as HTML.

- :func:`ontology_html` renders an ontology graph with pyLODE (3.3.4 on Python 3.11; the output is
  one self-contained file: CSS and icons inline);
- :func:`catalogue_html` lists the library queries from their ``#+`` headers (summary, question,
  description, tags, sources, parameters and the query text);
- :func:`write_docs` writes both (``ontology.html``, ``queries.html``) to a folder.

The server (``/ontology``, ``/queries.html``) and ``datawork publish --static`` use the same
functions, so the documentation reads the same everywhere.
"""
from __future__ import annotations

import html as _html
import logging
import re
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .errors import DataworkError, QueryError

ONTOLOGY_NS = "https://w3id.org/datawork/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/datawork/ontology")
# declarations of terms that pyLODE would list as this ontology's own
_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
               RDFS.Class, OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
               OWL.SymmetricProperty, OWL.NamedIndividual)


def _esc(text) -> str:
    return _html.escape(str(text), quote=True)


def merged_ontology() -> Graph:
    """Every ``ontology/*.ttl`` file merged into one graph (as the build stores it)."""
    from .ontology import ontology_graph

    return ontology_graph()


def ontology_html(graph: Graph | None = None, *, back_link: str | None = None) -> str:
    """pyLODE's HTML documentation of ``graph`` (default: the bundled, merged ontology).

    Term anchors are the local names (``ontology.html#Chain``), as pyLODE writes them.
    ``back_link``: if given, a small bar linking back to the site is added at the top.
    """
    g = graph if graph is not None else merged_ontology()
    try:
        from pylode import OntPub
    except ImportError as exc:  # pragma: no cover - pylode is a dependency
        raise DataworkError(f"pyLODE is not installed: {exc}", hint="pip install 'pylode==3.3.4' (Python 3.11)") from None
    # pyLODE logs at INFO on the root logger while it loads its background ontologies
    root = logging.getLogger()
    level = root.level
    try:
        root.setLevel(max(level, logging.WARNING))
        doc, modules, schemes = _for_pylode(g)
        text = OntPub(ontology=doc, sort_subjects=True).make_html()
    except Exception as exc:
        raise DataworkError(f"pyLODE could not document the ontology: {type(exc).__name__}: {exc}",
                            hint="check the ontology's metadata (owl:Ontology with a dcterms:title)") from None
    finally:
        root.setLevel(level)
    text = _add_modules_section(text, modules, schemes)
    if back_link:
        bar = (f'<div style="background:#14324f;padding:.5rem 1rem;font:15px system-ui,sans-serif">'
               f'<a style="color:#fff;text-decoration:none" href="{_esc(back_link)}">&larr; datawork-kg</a></div>')
        text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bar, text, count=1)
    return text


def _copy(g: Graph) -> Graph:
    """pyLODE adds its inferences to the graph it is given: give it a copy."""
    out = Graph()
    for t in g:
        out.add(t)
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns, override=False)
    return out


def _text(g: Graph, s, *preds) -> str:
    for p in preds:
        for o in sorted(g.objects(s, p), key=lambda o: (getattr(o, "language", None) not in (None, "en"), str(o))):
            return str(o)
    return ""


def _for_pylode(g: Graph) -> tuple[Graph, list[tuple[str, str, str]], list[tuple[str, str, int]]]:
    """A copy of ``g`` that pyLODE documents as one ontology, and what it would otherwise run together.

    pyLODE takes every ``owl:Ontology`` and ``skos:ConceptScheme`` of the graph for the ontology: the
    title became whichever came last (changing from run to run) and the heading ran forty module
    and scheme titles together. In the copy only ``<https://w3id.org/datawork/ontology>`` is one;
    the other modules are returned as (IRI, title, description) and the code lists as
    (IRI, title, number of concepts), for a section of their own. Terms of other vocabularies
    declared by the alignment modules are not listed as this ontology's terms (they stay linked
    where a dw: term uses them).
    """
    doc = _copy(g)
    modules, schemes = [], []
    for s in sorted(set(doc.subjects(RDF.type, OWL.Ontology)) - {ONTOLOGY_IRI}, key=str):
        modules.append((str(s), _text(doc, s, DCTERMS.title, RDFS.label), _text(doc, s, DCTERMS.description,
                                                                              RDFS.comment)))
        doc.remove((s, RDF.type, OWL.Ontology))
    for s in sorted(set(doc.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
        n = len(set(doc.subjects(SKOS.inScheme, s)))
        schemes.append((str(s), _text(doc, s, SKOS.prefLabel, RDFS.label, DCTERMS.title), n))
        doc.remove((s, RDF.type, SKOS.ConceptScheme))
    for t in _TERM_TYPES:
        for s in list(doc.subjects(RDF.type, t)):
            if isinstance(s, URIRef) and not str(s).startswith(ONTOLOGY_NS):
                doc.remove((s, RDF.type, t))
    # a property declared functional in the strict module is listed once, with its kind, and says so
    # in a note (pyLODE's "Functional Properties" section repeated it under the same anchor)
    for s in list(doc.subjects(RDF.type, OWL.FunctionalProperty)):
        if (s, RDF.type, OWL.ObjectProperty) in doc or (s, RDF.type, OWL.DatatypeProperty) in doc:
            doc.remove((s, RDF.type, OWL.FunctionalProperty))
            doc.add((s, SKOS.note, Literal("Functional (strict module): at most one value per subject.", lang="en")))
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in doc:
        doc.add((ONTOLOGY_IRI, RDF.type, OWL.Ontology))
        doc.add((ONTOLOGY_IRI, DCTERMS.title, Literal("datawork-kg ontology", lang="en")))
    return doc, modules, schemes


def _add_modules_section(text: str, modules, schemes) -> str:
    """The ontology's modules and code lists as a section after pyLODE's metadata, and in its contents."""
    if not modules and not schemes:
        return text
    rows = "".join(f'<div><dt><a href="{_esc(iri)}">{_esc(title or iri)}</a></dt>'
                   f'<dd><code>{_esc(iri)}</code>{" " + _esc(desc) if desc else ""}</dd></div>'
                   for iri, title, desc in modules)
    codes = "".join(f'<li><a href="#{_esc(iri.rsplit("#", 1)[-1])}">{_esc(title or iri)}</a> '
                    f'({n} concept{"s" if n != 1 else ""})</li>' for iri, title, n in schemes)
    section = ('<div class="section" id="modules"><h2>Modules</h2>'
               '<p>The ontology is published as one namespace in several modules; each module IRI '
               'dereferences to the module alone.</p>'
               f'<dl>{rows}</dl>'
               + (f'<h3>Code lists</h3><ul>{codes}</ul>' if codes else "") + '</div>')
    text = re.sub(r'(<div class="section" id="metadata">.*?</dl>\s*</div>)', lambda m: m.group(1) + section,
                  text, count=1, flags=re.S)
    return re.sub(r'(<a href="#metadata">Metadata</a>\s*</h4>\s*</li>)',
                  lambda m: m.group(1) + '<li><h4><a href="#modules">Modules</a></h4></li>', text, count=1)


# ----------------------------------------------------------------- query catalogue
def library_entries(directory: Path | None = None) -> list[dict]:
    """Every ``*.rq`` file: its parsed header, or the problem that stopped it from parsing."""
    from . import queries as Q
    from .resources import queries_dir

    d = directory or queries_dir()
    out = []
    for path in sorted(Path(d).glob("*.rq")):
        try:
            q = Q.parse_query_file(path)
            out.append({"name": q.name, "query": q, "error": None})
        except QueryError as exc:
            out.append({"name": path.stem, "query": None, "error": str(exc)})
    return out


def _as_list(v) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def catalogue_entries(directory: Path | None = None, *, run_href: Callable[[str], str] | None = None) -> list[dict]:
    """What the catalogue shows of each query: its header fields, parameters, how to run it and its text.

    ``run_href(query_text)``: a link that runs the query (the server's endpoint), if any.
    """
    out = []
    for e in library_entries(directory):
        name, q = e["name"], e["query"]
        entry = {"name": name, "anchor": quote(name), "error": e["error"]}
        if q is not None:
            h = q.header
            entry.update(summary=q.summary, question=h.get("question"), description=h.get("description"),
                         tags=[str(t) for t in _as_list(h.get("tags"))], params=list(q.params.values()),
                         sources=[{"paper": s.get("paper", ""), "section": s.get("section"), "claim": s.get("claim")}
                                  if isinstance(s, dict) else {"text": s} for s in _as_list(h.get("source"))],
                         cli=f"datawork query {name}" + "".join(f" -p {p.name}=…" for p in q.params.values() if p.required),
                         kind=q.kind, body=_body_of(q.text), **(_run_link(q, run_href) if run_href else {}))
        out.append(entry)
    return out


def catalogue_html(directory: Path | None = None, *, linker=None, run_href: Callable[[str], str] | None = None) -> str:
    """The query catalogue, from the queries' ``#+`` headers, as an HTML page.

    ``linker`` (a :class:`datawork_kg.web.links.Linker`): the page in the site's layout; default: a
    standalone document. ``run_href(query_text)``: a link that runs the query (the server's endpoint).
    """
    from .web.pages import catalogue_page

    return catalogue_page(catalogue_entries(directory, run_href=run_href), linker)


def _body_of(text: str) -> str:
    """The query without its ``#+`` header lines."""
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith("#+")).strip() + "\n"


def _run_link(q, run_href) -> dict:
    from . import queries as Q

    try:
        text = Q.bind(q)
    except QueryError:
        return {"needs_params": True}
    return {"run_href": run_href(text)}


# ----------------------------------------------------------------- writing
def write_docs(out: Path, *, ontology: Graph | None = None, queries: Path | None = None) -> list[Path]:
    """Write ``ontology.html`` (pyLODE of the merged ontology) and ``queries.html`` to ``out``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataworkError(f"cannot write to {out}: {exc.strerror}", hint="choose another --out folder") from None
    onto = out / "ontology.html"
    onto.write_text(ontology_html(ontology), encoding="utf-8")
    cat = out / "queries.html"
    cat.write_text(catalogue_html(queries), encoding="utf-8")
    return [onto, cat]


__all__ = ["write_docs", "ontology_html", "catalogue_html", "catalogue_entries", "library_entries", "merged_ontology"]
