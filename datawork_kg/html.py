"""What a resource looks like on the web: its RDF description in every format, and its HTML page.

Shared by ``datawork serve`` (:mod:`datawork_kg.server`) and ``datawork publish --static``
(:mod:`datawork_kg.publish`), so a resource reads the same on a live server and on plain web space.

- :func:`describe` gathers the triples that describe an IRI (what it says, what points to it,
  the labels of what it links to);
- :func:`serialize` writes them as Turtle, JSON-LD, RDF/XML or N-Triples;
- :class:`ResourceView` + :func:`resource_page` render a page a researcher can read: facts with
  labels, where each fact comes from (paper and section), what points to it, and for chains,
  ties and parties the chain diagram (inline SVG, no external tools);
- :class:`Linker` maps IRIs to links: root-relative on the server, relative in static files.

Every page is self-contained (inline CSS, no scripts, no fonts or files from other hosts).
"""
from __future__ import annotations

import html as _html
import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Iterable, Sequence
from urllib.parse import quote

import pyoxigraph as ox

from .iris import DEFAULT_BASE
from .namespace import DW_NS, PREFIXES

ONTOLOGY_IRI = "https://w3id.org/datawork/ontology"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", "https://schema.org/name", DCT + "title",
                    "http://xmlns.com/foaf/0.1/name")
COMMENT_PREDICATES = (SKOS + "definition", RDFS + "comment", DCT + "description")

# extension -> (media type, name)
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "Turtle"),
    "jsonld": ("application/ld+json", "JSON-LD"),
    "rdf": ("application/rdf+xml", "RDF/XML"),
    "nt": ("application/n-triples", "N-Triples"),
}
DOC_FORMATS: dict[str, tuple[str, str]] = {**RDF_FORMATS, "html": ("text/html", "HTML")}
# media types clients send -> extension
MEDIA_TO_EXT = {
    "text/turtle": "ttl", "application/x-turtle": "ttl", "application/turtle": "ttl", "text/n3": "ttl",
    "text/rdf+n3": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdf", "application/xml": "rdf", "text/xml": "rdf",
    "application/n-triples": "nt", "text/plain": "nt",
    "text/html": "html", "application/xhtml+xml": "html",
}
_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "rdf": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}

INCOMING_CAP = 500       # incoming links written into a description / shown on a page
CHAIN_DIAGRAMS_CAP = 8   # chain diagrams on one party page


# ----------------------------------------------------------------- content negotiation
def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``Accept`` as (media range, q, order), highest q first; malformed parts are ignored."""
    out = []
    for i, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    return out


def negotiate(header: str | None, offers: Sequence[str], default: str | None = None) -> str | None:
    """The best of ``offers`` (media types, in server preference order) for an ``Accept`` header.

    No header (or an empty one) means ``*/*``. Returns None when nothing offered is acceptable.
    """
    ranges = parse_accept(header) or [("*/*", 1.0, 0)]
    best, best_key = None, None
    for pref, offer in enumerate(offers):
        otype = offer.split("/")[0]
        q, spec = None, -1
        for media, mq, _ in ranges:
            if media == offer:
                s = 2
            elif media == otype + "/*":
                s = 1
            elif media == "*/*":
                s = 0
            else:
                continue
            if s > spec:
                q, spec = mq, s
        if q is None or q <= 0:
            continue
        key = (q, -pref)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best if best is not None else default


def negotiate_ext(header: str | None, exts: Sequence[str] = ("ttl", "html", "jsonld", "rdf", "nt")) -> str | None:
    """The extension of the best document format; aliases (application/json...) count as their format.

    Order of ``exts`` is the server's preference when the client likes several equally: Turtle
    first, so a client that sends no Accept (or ``*/*``) gets data; browsers ask for text/html.
    """
    offers = []
    owner = {}
    for ext in exts:
        main = DOC_FORMATS[ext][0]
        offers.append(main)
        owner[main] = ext
    for media, ext in MEDIA_TO_EXT.items():
        if ext in exts and media not in owner:
            offers.append(media)
            owner[media] = ext
    best = negotiate(header, offers)
    return owner.get(best) if best else None


# ----------------------------------------------------------------- IRIs and links
def site_root(base: str) -> str:
    """The publication root: the data base without its trailing ``id/``."""
    return base[:-3] if base.endswith("/id/") else base


def local_path(iri: str, base: str) -> str | None:
    """The site path (no leading slash, no extension) of an IRI this site publishes, else None.

    ``{base}chain/x`` -> ``id/chain/x``; ``…/ontology#Chain`` -> ``ontology/Chain``;
    ``…/ontology`` -> ``ontology``; ``{root}dataset`` -> ``dataset``.
    """
    if iri.startswith(base):
        rest = iri[len(base):]
        return ("id/" + rest) if rest and is_safe_path(rest) else None
    if iri.startswith(DW_NS):
        term = iri[len(DW_NS):]
        return ("ontology/" + term) if term and is_safe_path(term) and "/" not in term else None
    if iri == ONTOLOGY_IRI:
        return "ontology"
    if iri.startswith(ONTOLOGY_IRI + "/"):
        rest = iri[len(ONTOLOGY_IRI) + 1:]
        return ("ontology/" + rest) if rest and is_safe_path(rest) and "/" not in rest else None
    root = site_root(base)
    if iri.startswith(root) and not iri.startswith(base):
        rest = iri[len(root):].split("#")[0]
        if rest in ("dataset", "sparql"):
            return rest
        if rest.startswith("dumps/") and is_safe_path(rest):
            return rest
    return None


_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_~\-][A-Za-z0-9_.~\-]*$")


def is_safe_path(path: str) -> bool:
    """Only plain segments: no '.', '..', empty segments, percent signs, backslashes or controls."""
    if not path or len(path) > 512:
        return False
    return all(_SAFE_SEGMENT.match(seg) and seg not in (".", "..") for seg in path.split("/"))


class Linker:
    """Links from a page to other pages.

    ``root`` is the prefix of site paths: ``"/"`` on the server, ``"../../"`` for a static page two
    folders deep. Documents are linked with their ``.html`` suffix so static copies work on any
    web space; the canonical IRIs are shown on every page.
    """

    def __init__(self, base: str = DEFAULT_BASE, root: str = "/", *, server: bool = True) -> None:
        self.base = base
        self.root = root
        self.server = server

    def at(self, root: str) -> "Linker":
        return Linker(self.base, root, server=self.server)

    def path(self, site_path: str) -> str:
        return self.root + site_path

    def href(self, iri: str, ext: str = "html") -> str:
        lp = local_path(iri, self.base)
        if lp is None:
            return iri
        if lp.startswith("ontology/") and iri.startswith(DW_NS) and ext == "html":
            return self.root + "ontology.html#" + quote(lp[len("ontology/"):])
        if lp in ("sparql",):
            return self.root + ("sparql" if self.server else "index.html")
        if lp.startswith("dumps/"):
            return self.root + lp
        return self.root + quote(lp) + "." + ext

    def doc(self, iri: str, ext: str) -> str:
        """The document describing ``iri`` in format ``ext`` (always a file path, never an anchor)."""
        lp = local_path(iri, self.base)
        if lp is None or lp == "sparql" or lp.startswith("dumps/"):
            return self.href(iri, ext)
        return self.root + quote(lp) + "." + ext

    def is_local(self, iri: str) -> bool:
        return local_path(iri, self.base) is not None


# ----------------------------------------------------------------- reading the store
def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


class StoreUnion:
    """Several stores read as one (the release's store plus its VoID description), for pages only."""

    def __init__(self, *stores: ox.Store) -> None:
        self.stores = stores

    def quads_for_pattern(self, s, p, o, g=None):
        for st in self.stores:
            yield from st.quads_for_pattern(s, p, o, g)

    def query(self, *args, **kwargs):
        return self.stores[0].query(*args, **kwargs)

    def named_graphs(self):
        return self.stores[0].named_graphs()


def exists(store: ox.Store, iri: str) -> bool:
    node = _nn(iri)
    return next(iter(store.quads_for_pattern(node, None, None)), None) is not None or \
        next(iter(store.quads_for_pattern(None, None, node)), None) is not None or is_graph(store, iri)


def is_graph(store: ox.Store, iri: str) -> bool:
    """Whether ``iri`` names a graph of the store."""
    return next(iter(store.quads_for_pattern(None, None, None, _nn(iri))), None) is not None


VOID_NS = "http://rdfs.org/ns/void#"


def graph_facts(store: ox.Store, iri: str) -> list[ox.Triple]:
    """For the name of a graph: that it is a dataset, and how many triples it holds (computed)."""
    if not is_graph(store, iri):
        return []
    node = _nn(iri)
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
    return [ox.Triple(node, _nn(RDF_TYPE), _nn(VOID_NS + "Dataset")),
            ox.Triple(node, _nn(VOID_NS + "triples"), ox.Literal(str(n), datatype=_nn(XSD + "integer")))]


class Labeler:
    """Labels of IRIs (English first), cached."""

    def __init__(self, store: ox.Store, extra: ox.Store | None = None) -> None:
        self.store = store
        self.extra = extra
        self._cache: dict[str, str | None] = {}

    def get(self, iri: str) -> str | None:
        if iri in self._cache:
            return self._cache[iri]
        found = None
        node = _nn(iri)
        for pred in LABEL_PREDICATES:
            best = None
            for st in (self.store, self.extra):
                if st is None:
                    continue
                for q in st.quads_for_pattern(node, _nn(pred), None):
                    o = q.object
                    if isinstance(o, ox.Literal):
                        lang = o.language or ""
                        rank = 0 if lang == "en" else 1 if lang == "" else 2
                        if best is None or rank < best[0]:
                            best = (rank, o.value)
            if best:
                found = best[1]
                break
        if len(self._cache) > 200_000:  # a long-running server: keep memory bounded
            self._cache.clear()
        self._cache[iri] = found
        return found

    def __call__(self, iri: str) -> str:
        return self.get(iri) or short_iri(iri)


def short_iri(iri: str, base: str = DEFAULT_BASE) -> str:
    for k, v in PREFIXES.items():
        if iri.startswith(v) and len(iri) > len(v):
            return f"{k}:{iri[len(v):]}"
    if iri.startswith(base):
        return iri[len(base):]
    return iri


def describe(store: ox.Store, iri: str, *, incoming_cap: int = INCOMING_CAP) -> list[ox.Triple]:
    """The triples describing ``iri``, across every named graph (duplicates removed).

    What it says (with blank-node closure, for OWL axioms), up to ``incoming_cap`` triples that
    point to it, and the ``rdfs:label`` of every IRI of this dataset it links to or is linked from.
    """
    node = _nn(iri)
    out: dict[ox.Triple, None] = dict.fromkeys(graph_facts(store, iri))
    todo: list = [node]
    seen = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in store.quads_for_pattern(s, None, None):
            out[ox.Triple(q.subject, q.predicate, q.object)] = None
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    linked = set()
    for t in list(out):
        if isinstance(t.object, ox.NamedNode):
            linked.add(t.object)
    n_in = 0
    for q in store.quads_for_pattern(None, None, node):
        if isinstance(q.subject, ox.BlankNode):
            continue
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t in out:
            continue
        out[t] = None
        linked.add(q.subject)
        n_in += 1
        if n_in >= incoming_cap:
            break
    label = _nn(RDFS + "label")
    for other in linked:
        if other == node or not isinstance(other, ox.NamedNode):
            continue
        for q in store.quads_for_pattern(other, label, None):
            out[ox.Triple(q.subject, q.predicate, q.object)] = None
            break
    return list(out)


def prefixes_for(base: str) -> dict[str, str]:
    p = dict(PREFIXES)
    p["id"] = base
    return p


def serialize(triples: Iterable[ox.Triple], ext: str, base: str = DEFAULT_BASE) -> bytes:
    """Triples as Turtle (``ttl``), JSON-LD (``jsonld``, compacted with the usual prefixes),
    RDF/XML (``rdf``) or N-Triples (``nt``)."""
    triples = list(triples)
    prefixes = prefixes_for(base)
    if ext == "jsonld":
        return _jsonld(triples, prefixes)
    fmt = _OX_FORMATS[ext]
    if ext == "nt":
        return ox.serialize(triples, format=fmt)
    prefixes.pop("id", None)  # id:chain/x would need escaping ("id:chain\\/x") in Turtle: write full IRIs
    used = _used_prefixes(triples, prefixes)
    return ox.serialize(triples, format=fmt, prefixes=used)


def _used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {k: v for k, v in prefixes.items() if any(i.startswith(v) for i in iris)}


def _jsonld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Compact JSON-LD 1.1: a ``@context`` of the prefixes used and one node object per subject."""
    ctx = _used_prefixes(triples, prefixes)
    ordered = sorted(ctx.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for k, v in ordered:
            if iri.startswith(v) and len(iri) > len(v):
                local = iri[len(v):]
                if not local.startswith("//"):
                    return f"{k}:{local}"
        return iri

    def node_id(t) -> str:
        return "_:" + t.value if isinstance(t, ox.BlankNode) else compact(t.value)

    nodes: dict[str, dict] = {}
    for t in triples:
        sid = node_id(t.subject)
        node = nodes.setdefault(sid, {"@id": sid})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value))
            continue
        o = t.object
        if isinstance(o, (ox.NamedNode, ox.BlankNode)):
            value: object = {"@id": node_id(o)}
        elif isinstance(o, ox.Literal):
            if o.language:
                value = {"@value": o.value, "@language": o.language}
            elif o.datatype.value == XSD + "string":
                value = o.value
            else:
                value = {"@value": o.value, "@type": compact(o.datatype.value)}
        else:  # RDF-star triple terms are not part of JSON-LD 1.1
            continue
        node.setdefault(compact(t.predicate.value), []).append(value)
    doc = {"@context": ctx, "@graph": list(nodes.values())}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


# ----------------------------------------------------------------- the page model
@dataclass
class Fact:
    predicate: str
    value: ox.NamedNode | ox.BlankNode | ox.Literal
    graphs: list[str] = field(default_factory=list)
    nested: list["Fact"] = field(default_factory=list)  # for blank nodes


@dataclass
class Source:
    study: str
    citation: str
    title: str
    doi: str | None
    sections: list[tuple[str, str]] = field(default_factory=list)  # (section IRI, heading)


@dataclass
class ChainStepView:
    index: int
    tie: str
    orderer: str | None
    supplier: str | None
    flow: str | None


@dataclass
class ChainView:
    iri: str
    label: str
    steps: list[ChainStepView]


@dataclass
class ResourceView:
    iri: str
    label: str
    types: list[str]
    inferred_types: list[str]
    comment: str | None
    facts: list[Fact]
    incoming: list[tuple[str, str, list[str]]]   # (subject, predicate, graphs)
    incoming_more: bool
    sources: list[Source]
    chains: list[ChainView]
    graph_labels: dict[str, str]


class Site:
    """What pages need to know about the release: base, labels, graph and study names."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE, *, inferred_graph: str | None = None) -> None:
        self.store = store
        self.base = base
        self.labels = Labeler(store)
        self.inferred_graph = inferred_graph or base + "graph/inferred"
        self.reference_graph = base + "graph/reference"
        self.void_graph = site_root(base) + "dataset"
        self._graph_labels: dict[str, str] = {}
        self._citations: dict[str, str] = {}

    # -- names of graphs and studies
    def citation(self, study: str) -> str:
        if study in self._citations:
            return self._citations[study]
        node = _nn(study)
        authors = [q.object.value for q in self.store.quads_for_pattern(node, _nn(DW_NS + "authorList"), None)]
        names = [a.strip() for a in authors[0].split(";")] if authors else \
            sorted(q.object.value for q in self.store.quads_for_pattern(node, _nn(DW_NS + "authorName"), None))
        year = next((q.object.value for q in self.store.quads_for_pattern(node, _nn(DW_NS + "publicationYear"), None)), "")
        surname = lambda n: n.split()[-1] if n.split() else n  # noqa: E731
        if not names:
            text = self.labels(study)
        elif len(names) == 1:
            text = surname(names[0])
        elif len(names) == 2:
            text = f"{surname(names[0])} & {surname(names[1])}"
        else:
            text = f"{surname(names[0])} et al."
        text = f"{text} {year}".strip()
        self._citations[study] = text
        return text

    def graph_label(self, graph: str) -> str:
        if graph in self._graph_labels:
            return self._graph_labels[graph]
        if graph == "computed":
            return "computed from the graph"
        if graph == self.void_graph:
            return "dataset description (VoID)"
        if graph == self.inferred_graph:
            text = "inferred (from the ontology)"
        elif graph == ONTOLOGY_IRI:
            text = "ontology"
        elif graph == self.reference_graph:
            text = "reference data (Wikidata, GeoNames, ISO, World Bank)"
        else:
            study = next((q.object.value for q in self.store.quads_for_pattern(_nn(graph), _nn(PROV + "wasDerivedFrom"), None)
                          if isinstance(q.object, ox.NamedNode)), None)
            text = self.citation(study) if study else short_iri(graph, self.base)
        self._graph_labels[graph] = text
        return text

    def graph_study(self, graph: str) -> str | None:
        if not graph or graph == "computed" or graph == self.void_graph:
            return None
        return next((q.object.value for q in self.store.quads_for_pattern(_nn(graph), _nn(PROV + "wasDerivedFrom"), None)
                     if isinstance(q.object, ox.NamedNode)), None)

    def studies(self) -> list[str]:
        node = _nn(DW_NS + "Study")
        found = {q.subject.value for q in self.store.quads_for_pattern(None, _nn(RDF_TYPE), node)
                 if isinstance(q.subject, ox.NamedNode)}
        return sorted(found, key=lambda s: self.citation(s))

    # -- the view of one resource
    def view(self, iri: str) -> ResourceView:
        st = self.store
        node = _nn(iri)
        by_po: dict[tuple, Fact] = {}
        for q in st.quads_for_pattern(node, None, None):
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue  # the default graph repeats the named graphs (their union): sources come from those
            key = (q.predicate.value, q.object)
            fact = by_po.get(key)
            if fact is None:
                fact = by_po[key] = Fact(q.predicate.value, q.object)
                if isinstance(q.object, ox.BlankNode):
                    fact.nested = self._bnode_facts(q.object, 0)
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g not in fact.graphs:
                fact.graphs.append(g)
        for t in graph_facts(st, iri):
            by_po.setdefault((t.predicate.value, t.object), Fact(t.predicate.value, t.object, ["computed"]))
        facts = sorted(by_po.values(), key=lambda f: (_pred_rank(f.predicate), self.labels(f.predicate).lower(),
                                                     _sort_value(f.value, self.labels)))
        types, inferred_types = [], []
        for f in facts:
            if f.predicate == RDF_TYPE and isinstance(f.value, ox.NamedNode):
                asserted = any(g != self.inferred_graph for g in f.graphs)
                (types if asserted else inferred_types).append(f.value.value)
        comment = None
        for pred in COMMENT_PREDICATES:
            c = next((f.value.value for f in facts if f.predicate == pred and isinstance(f.value, ox.Literal)), None)
            if c:
                comment = c
                break
        incoming: dict[tuple, list[str]] = {}
        more = False
        for q in st.quads_for_pattern(None, None, node):
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.graph_name, ox.DefaultGraph):
                continue
            key = (q.subject.value, q.predicate.value)
            if key not in incoming:
                if len(incoming) >= INCOMING_CAP:
                    more = True
                    break
                incoming[key] = []
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g not in incoming[key]:
                incoming[key].append(g)
        inc = sorted(((s, p, gs) for (s, p), gs in incoming.items()),
                     key=lambda x: (self.labels(x[1]).lower(), self.labels(x[0]).lower()))
        graph_labels = {}
        for f in facts:
            for g in f.graphs:
                graph_labels[g] = self.graph_label(g) if g else "default graph"
        for _, _, gs in inc:
            for g in gs:
                graph_labels[g] = self.graph_label(g) if g else "default graph"
        return ResourceView(iri, self.labels(iri), types, inferred_types, comment, facts, inc, more,
                            self.sources(iri, facts), self.chains_for(iri, types + inferred_types), graph_labels)

    def _bnode_facts(self, bnode: ox.BlankNode, depth: int) -> list[Fact]:
        if depth > 4:
            return []
        out = []
        for q in self.store.quads_for_pattern(bnode, None, None):
            f = Fact(q.predicate.value, q.object)
            if isinstance(q.object, ox.BlankNode):
                f.nested = self._bnode_facts(q.object, depth + 1)
            out.append(f)
        return out

    def sources(self, iri: str, facts: list[Fact]) -> list[Source]:
        """Papers and sections the resource is reported in (``dw:reportedIn``, ``dw:fromStudy``, graphs)."""
        studies: dict[str, Source] = {}

        def study_source(study: str) -> Source:
            if study not in studies:
                node = _nn(study)
                doi = next((q.object.value for q in self.store.quads_for_pattern(node, _nn(DW_NS + "doi"), None)), None)
                title = next((q.object.value for q in self.store.quads_for_pattern(node, _nn(DCT + "title"), None)), None)
                studies[study] = Source(study, self.citation(study), title or self.labels(study), doi)
            return studies[study]

        for f in facts:
            if f.predicate == DW_NS + "reportedIn" and isinstance(f.value, ox.NamedNode):
                sec = f.value.value
                study = next((q.object.value for q in self.store.quads_for_pattern(_nn(sec), _nn(DCT + "isPartOf"), None)
                              if isinstance(q.object, ox.NamedNode)), None)
                if study:
                    src = study_source(study)
                    if sec not in [s for s, _ in src.sections]:
                        src.sections.append((sec, self.labels(sec)))
        for f in facts:
            if f.predicate == DW_NS + "fromStudy" and isinstance(f.value, ox.NamedNode):
                study_source(f.value.value)
        if not studies:
            for f in facts:
                for g in f.graphs:
                    s = self.graph_study(g) if g else None
                    if s:
                        study_source(s)
        for src in studies.values():
            src.sections.sort(key=lambda s: s[1].lower())
        return sorted(studies.values(), key=lambda s: s.citation)

    # -- chains
    def chain(self, chain: str) -> ChainView:
        q = f"""PREFIX dw: <{DW_NS}>
        SELECT ?i ?tie ?o ?s ?flow WHERE {{
          {{ <{chain}> dw:hasStep ?step . ?step dw:stepIndex ?i ; dw:stepTie ?tie . }}
          UNION {{ <{chain}> dw:hasTie ?tie . FILTER NOT EXISTS {{ <{chain}> dw:hasStep ?x }} }}
          OPTIONAL {{ ?tie dw:orderer ?o }} OPTIONAL {{ ?tie dw:supplier ?s }} OPTIONAL {{ ?tie dw:flowKind ?flow }}
        }} ORDER BY ?i ?tie"""
        steps: list[ChainStepView] = []
        seen = set()
        for n, row in enumerate(self.store.query(q), 1):
            tie = row["tie"].value
            key = (tie, row["i"].value if row["i"] is not None else None)
            if key in seen:
                continue
            seen.add(key)
            idx = int(row["i"].value) if row["i"] is not None else n
            steps.append(ChainStepView(idx, tie, row["o"].value if row["o"] is not None else None,
                                       row["s"].value if row["s"] is not None else None,
                                       row["flow"].value if row["flow"] is not None else None))
        return ChainView(chain, self.labels(chain), steps)

    def chains_for(self, iri: str, types: list[str]) -> list[ChainView]:
        if DW_NS + "Chain" in types:
            return [self.chain(iri)]
        q = f"""PREFIX dw: <{DW_NS}>
        SELECT DISTINCT ?c WHERE {{
          {{ <{iri}> dw:inChain ?c }} UNION {{ ?c dw:hasTie <{iri}> }} UNION
          {{ ?t dw:orderer <{iri}> . ?c dw:hasTie ?t }} UNION {{ ?t dw:supplier <{iri}> . ?c dw:hasTie ?t }} UNION
          {{ ?c dw:leadFirm <{iri}> }}
          ?c a dw:Chain .
        }} ORDER BY ?c LIMIT {CHAIN_DIAGRAMS_CAP}"""
        try:
            found = [r["c"].value for r in self.store.query(q)]
        except (SyntaxError, OSError):
            return []
        return [self.chain(c) for c in found]


def _pred_rank(p: str) -> int:
    if p == RDF_TYPE:
        return 0
    if p in LABEL_PREDICATES:
        return 1
    if p in COMMENT_PREDICATES:
        return 2
    return 3


def _sort_value(v, labels) -> str:
    if isinstance(v, ox.NamedNode):
        return labels(v.value).lower()
    if isinstance(v, ox.Literal):
        return v.value.lower()
    return "~"


# ----------------------------------------------------------------- HTML
def esc(text) -> str:
    return _html.escape(str(text), quote=True)


CSS = """
:root{--fg:#1d2329;--muted:#5b6670;--line:#d9dee3;--accent:#0b5cad;--bg:#fbfcfd;--chip:#eef2f6}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header.site{background:#14324f;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:baseline;flex-wrap:wrap}
header.site a{color:#fff;text-decoration:none}header.site .brand{font-weight:700;font-size:1.1rem;margin-right:1rem}
header.site nav a{margin-right:1rem;opacity:.9}header.site nav a:hover{opacity:1;text-decoration:underline}
main{max-width:72rem;margin:0 auto;padding:1.2rem}
h1{font-size:1.6rem;margin:.4rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
a{color:var(--accent)}code,.iri{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.88em;word-break:break-all}
.muted{color:var(--muted)}.small{font-size:.85em}
.chip{display:inline-block;background:var(--chip);border-radius:.8rem;padding:0 .6rem;margin:0 .3rem .3rem 0;font-size:.85em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;background:#f1f4f7}td.p{width:22%;white-space:nowrap}td.src{width:20%;font-size:.85em;color:var(--muted)}
.lit-meta{color:var(--muted);font-size:.8em;margin-left:.3em}.nested{margin:.2rem 0 0 .8rem;border-left:2px solid var(--line);padding-left:.5rem}
.formats a{margin-right:.6rem}.box{background:#fff;border:1px solid var(--line);border-radius:.4rem;padding:.8rem 1rem;margin:.8rem 0}
figure.chain{margin:1rem 0;overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:.4rem;padding:.5rem}
figure.chain figcaption{font-size:.9em;color:var(--muted);margin-bottom:.3rem}
.inferred{color:var(--muted);font-style:italic}
footer{max-width:72rem;margin:2rem auto;padding:0 1.2rem;color:var(--muted);font-size:.85em}
"""


def page(title: str, body: str, linker: Linker, *, head_extra: str = "", alternates: Sequence[tuple[str, str]] = (),
         canonical: str | None = None) -> str:
    """A complete HTML document in the site's layout."""
    nav = [("index.html" if not linker.server else "", "Home"), ("id/index.html", "Browse"),
           ("explore" if linker.server else "explore/index.html", "Explore"),
           ("ontology.html", "Ontology"), ("queries.html", "Queries")]
    if linker.server:
        nav.append(("sparql", "SPARQL"))
    nav += [("dataset.html", "Dataset (VoID)"), ("dumps/index.html", "Downloads")]
    links = "".join(f'<a href="{esc(linker.path(p))}">{esc(t)}</a>' for p, t in nav)
    alt = "".join(f'<link rel="alternate" type="{esc(t)}" href="{esc(h)}">' for h, t in alternates)
    canon = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<title>{esc(title)} · datawork-kg</title>{canon}{alt}<style>{CSS}</style>{head_extra}</head><body>"
            f'<header class="site"><a class="brand" href="{esc(linker.path("index.html" if not linker.server else ""))}">datawork-kg</a>'
            f"<nav>{links}</nav></header><main>{body}</main>"
            f'<footer>datawork-kg: an open knowledge graph of the human supply chains behind AI. Data under '
            f'<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</footer></body></html>\n')


def term_html(term, site: Site, linker: Linker) -> str:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        label = site.labels.get(iri)
        text = esc(label) if label else f'<span class="iri">{esc(short_iri(iri, site.base))}</span>'
        title = f' title="{esc(iri)}"'
        return f'<a href="{esc(linker.href(iri))}"{title}>{text}</a>'
    if isinstance(term, ox.BlankNode):
        return '<span class="muted">[blank node]</span>'
    if isinstance(term, ox.Literal):
        meta = ""
        if term.language:
            meta = f'<span class="lit-meta">@{esc(term.language)}</span>'
        elif term.datatype and term.datatype.value not in (XSD + "string",):
            meta = f'<span class="lit-meta">{esc(short_iri(term.datatype.value))}</span>'
        value = term.value
        if term.datatype and term.datatype.value == XSD + "anyURI" or re.match(r"^https?://\S+$", value):
            return f'<a href="{esc(value)}" rel="nofollow">{esc(value)}</a>{meta}'
        return f"{esc(value)}{meta}"
    return esc(str(term))


def _fact_value(f: Fact, site: Site, linker: Linker) -> str:
    out = term_html(f.value, site, linker)
    if f.nested:
        inner = "".join(f"<div>{term_html(ox.NamedNode(n.predicate), site, linker)}: {_fact_value(n, site, linker)}</div>"
                        for n in f.nested)
        out += f'<div class="nested">{inner}</div>'
    return out


def _graphs_html(graphs: list[str], view: ResourceView, site: Site, linker: Linker) -> str:
    parts = []
    for g in graphs:
        label = view.graph_labels.get(g) or site.graph_label(g)
        if g == site.inferred_graph:
            parts.append(f'<span class="inferred">{esc(label)}</span>')
        elif g in ("computed", site.void_graph):
            parts.append(f'<span class="inferred">{esc(label)}</span>')
        elif g:
            study = site.graph_study(g)
            parts.append(f'<a href="{esc(linker.href(study or g))}">{esc(label)}</a>')
        else:
            parts.append(esc(label))
    return ", ".join(parts)


def format_links(iri: str, linker: Linker, *, current: str | None = None) -> str:
    out = []
    for ext, (media, name) in DOC_FORMATS.items():
        if ext == current:
            out.append(f"<strong>{esc(name)}</strong>")
        else:
            out.append(f'<a href="{esc(linker.doc(iri, ext))}" type="{esc(media)}">{esc(name)}</a>')
    return '<p class="formats small">This description as: ' + " ".join(out) + "</p>"


def resource_page(view: ResourceView, site: Site, linker: Linker) -> str:
    """The HTML page of one resource."""
    L = site.labels
    parts = [f"<h1>{esc(view.label)}</h1>",
             f'<p class="small">IRI: <code class="iri">{esc(view.iri)}</code></p>']
    if view.types or view.inferred_types:
        chips = "".join(f'<a class="chip" href="{esc(linker.href(t))}">{esc(L(t))}</a>' for t in view.types)
        chips += "".join(f'<a class="chip inferred" href="{esc(linker.href(t))}" title="inferred">{esc(L(t))}</a>'
                         for t in view.inferred_types)
        parts.append(f"<p>{chips}</p>")
    if view.comment:
        parts.append(f'<p class="box">{esc(view.comment)}</p>')
    if view.iri.startswith(DW_NS):
        parts.append(f'<p>Documented in the <a href="{esc(linker.href(view.iri))}">ontology reference</a>.</p>')
    if view.sources:
        items = []
        for s in view.sources:
            secs = "; ".join(f'<a href="{esc(linker.href(sec))}">§ {esc(h)}</a>' for sec, h in s.sections)
            doi = f' <a href="https://doi.org/{esc(s.doi)}">doi:{esc(s.doi)}</a>' if s.doi else ""
            items.append(f'<li><a href="{esc(linker.href(s.study))}">{esc(s.citation)}</a>, '
                         f'<em>{esc(s.title)}</em>{doi}{": " + secs if secs else ""}</li>')
        parts.append('<h2 id="sources">Where this comes from</h2><ul class="sources">' + "".join(items) + "</ul>")
    for ch in view.chains:
        parts.append(chain_figure(ch, site, linker, highlight=view.iri))
    rows = []
    for f in view.facts:
        if f.predicate == RDF_TYPE:
            continue
        rows.append(f'<tr><td class="p">{term_html(ox.NamedNode(f.predicate), site, linker)}</td>'
                    f"<td>{_fact_value(f, site, linker)}</td>"
                    f'<td class="src">{_graphs_html(f.graphs, view, site, linker)}</td></tr>')
    parts.append('<h2 id="facts">Facts</h2>')
    if rows:
        parts.append('<table class="facts"><thead><tr><th>property</th><th>value</th><th>source</th></tr></thead><tbody>'
                     + "".join(rows) + "</tbody></table>")
    else:
        parts.append('<p class="muted">No facts besides its type.</p>')
    parts.append(f'<h2 id="incoming">What points here ({len(view.incoming)}{"+" if view.incoming_more else ""})</h2>')
    if view.incoming:
        inc = "".join(f"<tr><td>{term_html(ox.NamedNode(s), site, linker)}</td>"
                      f'<td class="p">{term_html(ox.NamedNode(p), site, linker)}</td>'
                      f'<td class="src">{_graphs_html(gs, view, site, linker)}</td></tr>' for s, p, gs in view.incoming)
        parts.append('<table class="incoming"><thead><tr><th>resource</th><th>property</th><th>source</th></tr></thead>'
                     f"<tbody>{inc}</tbody></table>")
        if view.incoming_more:
            parts.append(f'<p class="muted small">Only the first {INCOMING_CAP} are listed; query the SPARQL endpoint for all.</p>')
    else:
        parts.append('<p class="muted">Nothing in the graph points to this resource.</p>')
    parts.append(format_links(view.iri, linker, current="html"))
    alternates = [(linker.doc(view.iri, ext), media) for ext, (media, _) in RDF_FORMATS.items()]
    return page(view.label, "\n".join(parts), linker, alternates=alternates, canonical=view.iri)


# ----------------------------------------------------------------- chain diagram (inline SVG)
def _wrap(text: str, width: int = 24, lines: int = 3) -> list[str]:
    out = textwrap.wrap(text, width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def chain_figure(ch: ChainView, site: Site, linker: Linker, *, highlight: str | None = None) -> str:
    """A chain as boxes (parties) and arrows (ties, numbered by step), left to right."""
    L = site.labels
    nodes: list[str] = []
    for st in ch.steps:
        for p in (st.orderer, st.supplier):
            if p and p not in nodes:
                nodes.append(p)
    if not nodes:
        return (f'<figure class="chain"><figcaption>Chain: <a href="{esc(linker.href(ch.iri))}">{esc(ch.label)}</a>'
                "</figcaption><p class=\"muted\">No steps recorded.</p></figure>")
    bw, bh, gap = 168, 64, 64
    adjacent = {(a, b) for a, b in zip(nodes, nodes[1:])}
    has_arcs = any(st.orderer and st.supplier and (st.orderer, st.supplier) not in adjacent
                   and (st.supplier, st.orderer) not in adjacent for st in ch.steps)
    top = 70 if has_arcs else 16
    width = len(nodes) * bw + (len(nodes) - 1) * gap + 20
    height = top + bh + 16
    x_of = {p: 10 + i * (bw + gap) for i, p in enumerate(nodes)}
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{esc("Chain diagram: " + ch.label)}" font-family="DejaVu Sans, sans-serif" font-size="11">',
           '<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#34495e"/></marker></defs>']
    arcs = 0
    for st in ch.steps:
        if not (st.orderer and st.supplier):
            continue
        x1, x2 = x_of[st.orderer], x_of[st.supplier]
        flow = L.get(st.flow) if st.flow else None
        flow = (flow or (short_iri(st.flow) if st.flow else "")).replace(" flow", "")
        label = f"{st.index}. {flow}".strip().rstrip(".")
        tie_href = esc(linker.href(st.tie))
        if abs(x2 - x1) == bw + gap:
            sx, ex = (x1 + bw, x2) if x2 > x1 else (x1, x2 + bw)
            y = top + bh / 2 + (8 if x2 < x1 else 0)
            svg.append(f'<a href="{tie_href}"><line x1="{sx}" y1="{y}" x2="{ex}" y2="{y}" stroke="#34495e" stroke-width="1.6" '
                       f'marker-end="url(#arr)"/><text x="{(sx + ex) / 2}" y="{y - 6}" text-anchor="middle" fill="#34495e">'
                       f"{esc(label)}</text></a>")
        else:
            arcs += 1
            sx, ex = x1 + bw / 2, x2 + bw / 2
            h = 22 + 12 * (arcs % 3)
            svg.append(f'<a href="{tie_href}"><path d="M{sx},{top} C{sx},{top - h - 20} {ex},{top - h - 20} {ex},{top}" '
                       f'fill="none" stroke="#34495e" stroke-width="1.4" marker-end="url(#arr)"/>'
                       f'<text x="{(sx + ex) / 2}" y="{top - h - 6}" text-anchor="middle" fill="#34495e">{esc(label)}</text></a>')
    for p, x in x_of.items():
        name = L(p)
        hl = p == highlight
        fill = "#fff4d6" if hl else "#eaf2fb"
        stroke = "#c58b00" if hl else "#7a9cc0"
        lines = _wrap(name)
        ty = top + bh / 2 - (len(lines) - 1) * 7 + 4
        text = "".join(f'<tspan x="{x + bw / 2}" y="{ty + i * 14}">{esc(t)}</tspan>' for i, t in enumerate(lines))
        bold = ' font-weight="bold"' if hl else ""
        svg.append(f'<a href="{esc(linker.href(p))}"><title>{esc(name)}</title><rect x="{x}" y="{top}" width="{bw}" height="{bh}" '
                   f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{2 if hl else 1.2}"/>'
                   f'<text text-anchor="middle" fill="#1d2329"{bold}>{text}</text></a>')
    svg.append("</svg>")
    return (f'<figure class="chain" data-chain="{esc(ch.iri)}"><figcaption>Chain: <a href="{esc(linker.href(ch.iri))}">'
            f"{esc(ch.label)}</a> ({len(ch.steps)} step{'s' if len(ch.steps) != 1 else ''})</figcaption>"
            + "".join(svg) + "</figure>")


# ----------------------------------------------------------------- other pages
def index_page(summary: dict, kinds: dict[str, int], site: Site, linker: Linker, *, examples: Sequence[str] = (),
               dumps: Sequence[str] = ()) -> str:
    """The home page: what the dataset is, what is in it, where to go next."""
    classes = summary.get("classes", {})
    rows = "".join(f'<tr><td><a href="{esc(linker.href(DW_NS + c))}">{esc(c)}</a></td><td>{n:,}</td></tr>'
                   for c, n in sorted(classes.items(), key=lambda kv: -kv[1]))
    kind_rows = "".join(f'<li><a href="{esc(linker.path("id/" + k + "/index.html"))}">{esc(k)}</a> ({n:,})</li>'
                        for k, n in sorted(kinds.items()))
    ex = "".join(f'<li><a href="{esc(linker.href(e))}">{esc(site.labels(e))}</a></li>' for e in examples)
    studies = "".join(f'<li><a href="{esc(linker.href(st))}">{esc(site.citation(st))}</a>: {esc(site.labels(st))}</li>'
                      for st in site.studies())
    sparql = (f'<li><a href="{esc(linker.path("sparql"))}">SPARQL endpoint and query editor</a> '
              f'(<code>{esc(linker.path("sparql"))}</code>, SPARQL 1.1 Protocol)</li>' if linker.server else "")
    dl = "".join(f'<li><a href="{esc(linker.path("dumps/" + d))}">{esc(d)}</a></li>' for d in dumps)
    body = f"""<h1>datawork-kg: the human supply chains behind AI</h1>
<p>Linked data on the outsourced and offshored data work behind AI (firms, platforms, intermediaries, workers,
tasks, ties, pay and exclusion), transcribed from published field research, with every fact traced to its
paper and section.</p>
<p class="muted small">{summary.get("triples", 0):,} triples in {len(summary.get("graphs", {}))} named graphs; built {esc(summary.get("built", "?"))};
data IRIs under <code>{esc(site.base)}</code>.</p>
<ul>{sparql}
<li><a href="{esc(linker.path("ontology.html"))}">Ontology reference</a> (pyLODE)</li>
<li><a href="{esc(linker.path("queries.html"))}">Query catalogue</a></li>
<li><a href="{esc(linker.path("dataset.html"))}">Dataset description</a> (VoID and DCAT; also at <code>/.well-known/void</code>)</li>
<li><a href="{esc(linker.path("id/index.html"))}">Browse every resource</a></li></ul>
<h2>Example resources</h2><ul>{ex or "<li class=muted>none</li>"}</ul>
<h2>Studies</h2><ul>{studies or "<li class=muted>none</li>"}</ul>
<h2>Resources by kind</h2><ul class="kinds">{kind_rows}</ul>
<h2>Classes</h2><table><thead><tr><th>class</th><th>resources</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Downloads</h2><ul>{dl or "<li class=muted>no dumps in this build</li>"}</ul>"""
    return page("Home", body, linker)


def kinds_page(kinds: dict[str, int], linker: Linker) -> str:
    items = "".join(f'<li><a href="{esc(linker.path("id/" + k + "/index.html"))}">{esc(k)}</a> ({n:,})</li>'
                    for k, n in sorted(kinds.items()))
    return page("Browse", f"<h1>Browse</h1><p>Every resource of the graph, by kind.</p><ul>{items}</ul>", linker)


def kind_page(kind: str, iris: Sequence[str], site: Site, linker: Linker) -> str:
    items = sorted(((site.labels(i), i) for i in iris), key=lambda x: x[0].lower())
    li = "".join(f'<li><a href="{esc(linker.href(i))}">{esc(lbl)}</a> <span class="muted small">{esc(i[len(site.base):])}</span></li>'
                 for lbl, i in items)
    return page(kind, f'<h1>{esc(kind)}</h1><p class="muted">{len(items):,} resources.</p><ul>{li}</ul>', linker)


def dumps_page(dumps: Sequence[tuple[str, str, int]], linker: Linker) -> str:
    rows = "".join(f'<tr><td><a href="{esc(linker.path("dumps/" + n))}">{esc(n)}</a></td><td>{esc(t)}</td><td>{size:,}</td></tr>'
                   for n, t, size in dumps)
    body = ("<h1>Downloads</h1><p>The whole graph, every named graph, in several formats (CC BY 4.0).</p>"
            f"<table><thead><tr><th>file</th><th>type</th><th>bytes</th></tr></thead><tbody>{rows}</tbody></table>")
    return page("Downloads", body, linker)


def void_page(void_store: ox.Store, dataset: str, site: Site, linker: Linker) -> str:
    """The dataset description (VoID + DCAT) as a readable page."""
    ds = _nn(dataset)

    def vals(s, p):
        return [q.object for q in void_store.quads_for_pattern(s, _nn(p), None)]

    VOIDNS, DCAT = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#"
    title = next((v.value for v in vals(ds, DCT + "title")), "Dataset")
    desc = next((v.value for v in vals(ds, DCT + "description")), "")
    lic = [v.value for v in vals(ds, DCT + "license")]

    def a(iri: str, text: str | None = None) -> str:
        return f'<a href="{esc(linker.href(iri))}">{esc(text or iri)}</a>'

    rows = [("licence", ", ".join(a(x) for x in lic)),
            ("modified", esc(next((v.value for v in vals(ds, DCT + "modified")), ""))),
            ("triples", esc(next((v.value for v in vals(ds, VOIDNS + "triples")), ""))),
            ("entities", esc(next((v.value for v in vals(ds, VOIDNS + "entities")), ""))),
            ("URI space", f'<code>{esc(next((v.value for v in vals(ds, VOIDNS + "uriSpace")), ""))}</code>'),
            ("SPARQL endpoint", ", ".join(f'<code>{esc(v.value)}</code>' for v in vals(ds, VOIDNS + "sparqlEndpoint"))),
            ("vocabularies", ", ".join(a(v.value) for v in vals(ds, VOIDNS + "vocabulary"))),
            ("example resources", ", ".join(a(v.value, site.labels(v.value)) for v in vals(ds, VOIDNS + "exampleResource"))),
            ("root resource", ", ".join(a(v.value, site.labels(v.value)) for v in vals(ds, VOIDNS + "rootResource")))]
    table = "".join(f"<tr><td class=p>{esc(k)}</td><td>{v}</td></tr>" for k, v in rows if v)
    dists = []
    for d in vals(ds, DCAT + "distribution"):
        url = next((v.value for v in vals(d, DCAT + "downloadURL")), "")
        media = next((v.value for v in vals(d, DCAT + "mediaType")), "").rsplit("/", 2)[-2:]
        sha = next((v.value for v in vals(d, "http://spdx.org/rdf/terms#checksum")), "")
        dists.append(f'<tr><td>{a(url, url.rsplit("/", 1)[-1])}</td><td>{esc("/".join(media))}</td><td><code class=small>{esc(sha[:16])}</code></td></tr>')
    parts_rows = []
    for p in vals(ds, VOIDNS + "classPartition"):
        cls = next((v.value for v in vals(p, VOIDNS + "class")), "")
        n = next((v.value for v in vals(p, VOIDNS + "entities")), "")
        parts_rows.append((int(n) if str(n).isdigit() else 0, f"<tr><td>{a(cls, short_iri(cls))}</td><td>{esc(n)}</td></tr>"))
    subsets = []
    for sub in vals(ds, VOIDNS + "subset"):
        n = next((v.value for v in vals(sub, VOIDNS + "triples")), "")
        kind = "linkset" if any(t.value == VOIDNS + "Linkset" for t in vals(sub, RDF_TYPE)) else "named graph"
        target = ", ".join(a(v.value) for v in vals(sub, VOIDNS + "objectsTarget"))
        link = ", ".join(esc(short_iri(v.value)) for v in vals(sub, VOIDNS + "linkPredicate"))
        subsets.append(f"<tr><td>{a(sub.value, short_iri(sub.value, site.base))}</td><td>{kind}</td><td>{esc(n)}</td>"
                       f"<td>{link}</td><td>{target}</td></tr>")
    body = (f"<h1>{esc(title)}</h1><p>{esc(desc)}</p><p class=small>Dataset IRI: <code>{esc(dataset)}</code></p>"
            f"<table>{table}</table>"
            "<h2>Distributions (dumps)</h2><table><thead><tr><th>file</th><th>media type</th><th>sha256</th></tr></thead>"
            f"<tbody>{''.join(dists)}</tbody></table>"
            "<h2>Subsets and linksets</h2><table><thead><tr><th>subset</th><th>kind</th><th>triples</th><th>link predicate</th>"
            f"<th>target</th></tr></thead><tbody>{''.join(subsets)}</tbody></table>"
            "<h2>Classes</h2><table><thead><tr><th>class</th><th>entities</th></tr></thead><tbody>"
            + "".join(r for _, r in sorted(parts_rows, key=lambda x: -x[0])) + "</tbody></table>"
            + '<p class="formats small">This description as: '
            + " ".join(f'<a href="{esc(linker.path("dataset." + ext))}">{esc(name)}</a>' for ext, (_, name) in RDF_FORMATS.items())
            + "</p>")
    return page("Dataset description", body, linker,
                alternates=[(linker.path("dataset." + ext), media) for ext, (media, _) in RDF_FORMATS.items()])


def message_page(title: str, message: str, linker: Linker, *, status: int | None = None) -> str:
    head = f"{status} {title}" if status else title
    return page(title, f"<h1>{esc(head)}</h1><p>{esc(message)}</p>", linker)


def query_page(linker: Linker, *, endpoint: str = "/sparql", default_query: str, examples: Sequence[tuple[str, str, str]] = (),
               limits: str = "") -> str:
    """The SPARQL query page: YASGUI served from this server's own files (works offline).

    ``examples``: (name, summary, query text) shown as buttons that load the query into the editor.
    Without JavaScript the plain form at the bottom still works.
    """
    ex_json = json.dumps([{"name": n, "summary": s, "query": q} for n, s, q in examples]).replace("</", "<\\/")
    dq_json = json.dumps(default_query).replace("</", "<\\/")
    ep_json = json.dumps(endpoint).replace("</", "<\\/")
    options = "".join(f'<option value="{i}" title="{esc(s)}">{esc(n)}: {esc(s)}</option>' for i, (n, s, _) in enumerate(examples))
    body = f"""<h1>SPARQL</h1>
<p class="small">Endpoint: <code id="endpoint-url">{esc(endpoint)}</code> (SPARQL 1.1 Protocol, GET or POST; read-only).
{esc(limits)} Prefixes such as <code>dw:</code>, <code>rdfs:</code>, <code>schema:</code> are predeclared; the default graph is the union of all named graphs.</p>
{('<p class="examples small"><label>Load an example from the query catalogue: <select id="examples"><option value="">choose a query</option>' + options + "</select></label></p>") if examples else ""}
<div id="yasgui"></div>
<noscript><p>The query editor needs JavaScript; the plain form below works without it.</p></noscript>
<details id="plain"><summary class="small">Plain form (no JavaScript)</summary>
<form method="get" action="{esc(endpoint)}"><textarea name="query" rows="10" style="width:100%">{esc(default_query)}</textarea>
<p><label>Results as <select name="format"><option value="html">table (HTML)</option><option value="json">JSON</option>
<option value="xml">XML</option><option value="csv">CSV</option><option value="tsv">TSV</option><option value="ttl">Turtle (CONSTRUCT)</option>
</select></label> <button type="submit">Run</button></p></form></details>
<script src="{esc(linker.path("static/yasgui/yasgui.min.js"))}"></script>
<script>
(function () {{
  var examples = {ex_json};
  var defaultQuery = {dq_json};
  if (typeof Yasgui === "undefined") {{ document.getElementById("plain").open = true; return; }}
  var endpoint = new URL({ep_json}, window.location.href).href;
  Yasgui.Yasqe.defaults.value = defaultQuery;
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {{ getData: function () {{ return [{{ endpoint: endpoint }}]; }} }},
    persistenceId: "datawork-kg-yasgui",
    populateFromUrl: true,
    resizeable: true
  }});
  window.datawork = {{ yasgui: yasgui, examples: examples }};
  var tab = yasgui.getTab();
  if (tab && tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  var select = document.getElementById("examples");
  if (select) select.addEventListener("change", function () {{
    if (select.value === "") return;
    var ex = examples[+select.value];
    yasgui.addTab(true, {{ name: ex.name, requestConfig: {{ endpoint: endpoint }} }});
    yasgui.getTab().setQuery(ex.query);
    select.value = "";
  }});
}})();
</script>"""
    head = f'<link rel="stylesheet" href="{esc(linker.path("static/yasgui/yasgui.min.css"))}"><style>#yasgui{{margin-top:.5rem}} #examples{{max-width:100%}}</style>'
    return page("SPARQL", body, linker, head_extra=head)


def results_table_page(variables: Sequence[str], rows: Sequence[dict], linker: Linker, *, base: str, truncated: bool,
                       cap: int, query: str, boolean: bool | None = None) -> str:
    """SELECT/ASK results as an HTML table (for the plain form)."""
    if boolean is not None:
        inner = f"<p>Answer: <strong>{'yes' if boolean else 'no'}</strong></p>"
    else:
        head = "".join(f"<th>{esc(v)}</th>" for v in variables)

        def cell(term):
            if term is None:
                return ""
            if isinstance(term, ox.NamedNode):
                return f'<a href="{esc(linker.href(term.value))}">{esc(short_iri(term.value, base))}</a>'
            return esc(term.value if hasattr(term, "value") else term)

        body = "".join("<tr>" + "".join(f"<td>{cell(r.get(v))}</td>" for v in variables) + "</tr>" for r in rows)
        inner = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    warn = (f'<p class="box"><strong>Truncated:</strong> only the first {cap:,} rows are shown (the server\'s row cap). '
            "Narrow the query or use LIMIT/OFFSET.</p>") if truncated else ""
    return page("SPARQL results", f"<h1>Results</h1>{warn}<p class=muted>{len(rows):,} row(s)</p>{inner}"
                f"<details><summary>Query</summary><pre>{esc(query)}</pre></details>", linker)


__all__ = ["RDF_FORMATS", "DOC_FORMATS", "MEDIA_TO_EXT", "negotiate", "negotiate_ext", "parse_accept", "local_path",
           "is_safe_path", "site_root", "Linker", "Site", "ResourceView", "describe", "serialize", "exists", "page",
           "resource_page", "chain_figure", "index_page", "kinds_page", "kind_page", "dumps_page", "void_page",
           "message_page", "query_page", "results_table_page", "esc", "short_iri", "prefixes_for"]


# ----------------------------------------------------------------- the chain explorer (/explore)
# The HTML shell that static/explore/explore.js fills, served at /explore and written to explore/index.html
# by the static publication; the data is the build's explore.json (datawork_kg.explorer), the libraries
# and the world map are vendored in static/vendor/.
EXPLORER_VENDOR = "static/vendor/"
EXPLORER_DATA = "explore/explore.json"

EXPLORER_BODY = """
<h1>Explore the chains</h1>
<p class="lede">Every chain of the graph on a world map, from its lead through its intermediaries to its workers, and
the money at each link where the sources give it. Filters are kept in the address, so a view can be shared.</p>
<form id="filters" aria-label="Filters" onsubmit="return false"></form>
<div class="view-controls">
<fieldset class="view" id="view-colour"><legend>Colour arcs by</legend>
<label><input type="radio" name="colour" value="fn"> task function</label>
<label><input type="radio" name="colour" value="form"> organisational form</label></fieldset>
<fieldset class="view" id="view-weight"><legend>Arc width: number of</legend>
<label><input type="radio" name="weight" value="chains"> chains</label>
<label><input type="radio" name="weight" value="ties"> links (ties)</label></fieldset>
</div>
<p id="status" role="status" aria-live="polite">Loading the chains...</p>
<div class="layout">
<div class="pictures">
<section id="map-section" aria-labelledby="map-title">
<h2 id="map-title">Where the work goes</h2>
<figure class="picture" id="map"><svg role="group" aria-labelledby="map-title map-caption"></svg>
<figcaption id="map-caption">Arcs run from the party that hands the work on to the party that takes it, between the
countries (dots) or regions (dashed rings) the sources place them in. Dashed arcs: a party is unknown or has no place;
those parties sit in the box at the bottom left. Select an arc or a place (Tab, Enter) to open it.</figcaption></figure>
<div id="arc-detail" tabindex="-1" hidden></div>
<details><summary>The map as a table</summary><div class="table-wrap">
<table id="arc-table"><caption class="visually-hidden">Arcs of the map</caption><thead><tr><th scope="col">From</th><th scope="col">To</th>
<th scope="col" id="arc-colour-head">Task function</th><th scope="col">Chains</th><th scope="col">Links</th>
<th scope="col">Unknown or no place</th><th scope="col">Chains along it</th></tr></thead><tbody></tbody></table></div></details>
<details><summary>The chains shown</summary><div class="table-wrap">
<table id="chain-table"><thead><tr><th scope="col">Chain</th><th scope="col">Study</th><th scope="col">Places, lead to workers</th>
<th scope="col">Task functions</th><th scope="col">Organisational forms</th><th scope="col">Value-chain patterns</th>
<th scope="col">Year</th><th scope="col">Lead income group</th><th scope="col">Workers' income group</th></tr></thead><tbody></tbody></table>
</div></details>
</section>
<section id="flow" aria-labelledby="flow-heading">
<h2 id="flow-heading">Where the money goes</h2>
<p>Chains with money at every link: <span id="flow-count">0</span> value flow(s) among the chains shown. The price at
the top is what the lead pays on the first link; each link shows what is passed down and its share of that price, and
what an intermediary keeps is drawn apart.</p>
<div class="flow-controls"><label for="flow-chain">Chain, currency and unit</label> <select id="flow-chain"></select>
<p class="flow-key"><span class="swatch" style="background:#44AA99"></span>passed down the chain
<span class="swatch" style="background:#CC6677"></span>kept by an intermediary</p></div>
<p id="flow-title"></p>
<figure class="picture" id="flow-picture"></figure>
<div class="table-wrap"><table id="flow-table"><thead><tr><th scope="col">Link</th><th scope="col">From</th><th scope="col">To</th>
<th scope="col">Amount</th><th scope="col">Range</th><th scope="col">Currency</th><th scope="col">Unit</th>
<th scope="col">Share of the price</th><th scope="col">Kept by the payer</th></tr></thead><tbody></tbody></table></div>
</section>
</div>
<aside class="side" aria-labelledby="legend-title">
<h2 id="legend-title">Key</h2><ul id="legend"></ul>
<h2 id="sources-title">Sources of what is shown</h2><ul id="sources" aria-labelledby="sources-title"></ul>
</aside>
</div>
"""


def explorer_page(linker: Linker) -> str:
    """The explorer page, its links made with ``linker`` (root ``/`` on the server, ``../`` for ``explore/index.html``)."""
    root = linker.root
    attrs = {
        "data-root": root,
        "data-data": linker.path(EXPLORER_DATA),
        "data-topology": linker.path(EXPLORER_VENDOR + "world-atlas/countries-110m.json"),
        "data-points": linker.path(EXPLORER_VENDOR + "world-atlas/country-points.json"),
    }
    # the data is fetched while the libraries load (the page asks for the same URLs once it runs)
    preload = "".join(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{esc(attrs[k])}">'
                      for k in ("data-data", "data-topology", "data-points"))
    head = (preload + f'<link rel="stylesheet" href="{esc(linker.path("static/explore/explore.css"))}">'
            '<style>.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}</style>')
    scripts = "".join(f'<script src="{esc(linker.path(EXPLORER_VENDOR + p))}"></script>' for p in
                      ("d3/d3.min.js", "d3-sankey/d3-sankey.min.js", "topojson-client/topojson-client.min.js"))
    scripts += f'<script src="{esc(linker.path("static/explore/explore.js"))}"></script>'
    body = (f'<div id="explorer" class="explorer" ' + " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items()) + ">"
            + EXPLORER_BODY + "</div>" + scripts)
    return page("Explore the chains", body, linker, head_extra=head).replace("<main>", '<main class="explorer">', 1)
