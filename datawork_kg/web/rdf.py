"""The RDF description of a resource (what it says, what points to it, the labels around it) and its
serialisation as Turtle, JSON-LD, RDF/XML or N-Triples. Read from a release's pyoxigraph store."""
from __future__ import annotations

import itertools
import json
import threading
from typing import Iterable

import pyoxigraph as ox

from ..iris import DEFAULT_BASE
from ..namespace import PREFIXES
from ..sparql_results import used_prefixes

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VOID_NS = "http://rdfs.org/ns/void#"
_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "rdf": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}

INCOMING_CAP = 500       # incoming links written into a description / shown on a page


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


class StoreUnion:
    """Several stores read as one (the release's store plus its VoID description), for pages only."""

    def __init__(self, *stores: ox.Store) -> None:
        self.stores = stores
        # the subjects and objects of the other stores (small: the VoID description), so that a
        # pattern whose subject or object none of them holds reads the release's store alone
        self._subjects = {q.subject for st in stores[1:] for q in st}
        self._objects = {q.object for st in stores[1:] for q in st}
        # the names of the graphs holding triples (a few hundred: one per source), asked on every lookup
        self.graph_names = frozenset(g for st in stores for g in st.named_graphs()
                                     if next(iter(st.quads_for_pattern(None, None, None, g)), None) is not None)
        self.labels: dict | None = None  # IRI -> its label triple, once index_labels has run
        self._labels_lock = threading.Lock()

    def index_labels(self) -> dict:
        """The ``rdfs:label`` triple :func:`describe` writes for each IRI that has one, kept in memory.

        A description holds the label of every IRI it links to or is linked from (ten to twenty per
        resource), and reading each from the store (a RocksDB seek) was half of a lookup's work. The
        release never changes, so one pass over its labels (the POS index, in the order
        :meth:`union_quads` reads them: the first label of an IRI here is the one it would give)
        answers them all; its size is one entry per labelled IRI. Built once (other callers wait)."""
        if self.labels is not None:
            return self.labels
        with self._labels_lock:
            if self.labels is None:
                label = ox.NamedNode(RDFS + "label")
                found: dict = {}
                for i, st in enumerate(self.stores):
                    for q in st.quads_for_pattern(None, label, None, ox.DefaultGraph() if i == 0 else None):
                        if isinstance(q.subject, ox.NamedNode) and q.subject not in found:
                            found[q.subject] = q.triple
                self.labels = found
        return self.labels

    def quads_for_pattern(self, s, p, o, g=None):
        return itertools.chain.from_iterable(st.quads_for_pattern(s, p, o, g) for st in self.stores)

    def union_quads(self, s, p, o):
        """The quads matching a pattern in the default graph of the release's store (the union of its
        named graphs, each triple once: see ``build.default_graph_size``) and in any graph of the
        others: what :func:`describe` reads, without the copy of each triple in its named graph."""
        first = self.stores[0].quads_for_pattern(s, p, o, ox.DefaultGraph())
        if (s is not None and s not in self._subjects) or (o is not None and o not in self._objects):
            return first
        return itertools.chain(first, *(st.quads_for_pattern(s, p, o) for st in self.stores[1:]))

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
    names = getattr(store, "graph_names", None)  # StoreUnion's, read once
    if names is not None:
        return _nn(iri) in names
    return next(iter(store.quads_for_pattern(None, None, None, _nn(iri))), None) is not None


def graph_facts(store: ox.Store, iri: str) -> list[ox.Triple]:
    """For the name of a graph: that it is a dataset, and how many triples it holds (computed)."""
    if not is_graph(store, iri):
        return []
    node = _nn(iri)
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
    return [ox.Triple(node, _nn(RDF_TYPE), _nn(VOID_NS + "Dataset")),
            ox.Triple(node, _nn(VOID_NS + "triples"), ox.Literal(str(n), datatype=_nn(XSD + "integer")))]


def describe(store: ox.Store, iri: str, *, incoming_cap: int = INCOMING_CAP) -> list[ox.Triple]:
    """The triples describing ``iri``, across every named graph (duplicates removed).

    What it says (with blank-node closure, for OWL axioms), up to ``incoming_cap`` triples that
    point to it, and the ``rdfs:label`` of every IRI of this dataset it links to or is linked from.
    """
    node = _nn(iri)
    quads = getattr(store, "union_quads", store.quads_for_pattern)
    out: dict[ox.Triple, None] = dict.fromkeys(graph_facts(store, iri))
    todo: list = [node]
    seen = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in quads(s, None, None):
            t = q.triple
            out[t] = None
            if isinstance(t.object, ox.BlankNode):
                todo.append(t.object)
    linked = {t.object for t in out if isinstance(t.object, ox.NamedNode)}
    n_in = 0
    for q in quads(None, None, node):
        t = q.triple
        if t in out or isinstance(t.subject, ox.BlankNode):
            continue
        out[t] = None
        linked.add(t.subject)
        n_in += 1
        if n_in >= incoming_cap:
            break
    label = _nn(RDFS + "label")
    labels = getattr(store, "labels", None)  # StoreUnion.index_labels, once it has run
    for other in linked:
        if other == node or not isinstance(other, ox.NamedNode):
            continue
        if labels is not None:
            t = labels.get(other)
            if t is not None:
                out[t] = None
            continue
        q = next(iter(quads(other, label, None)), None)
        if q is not None:
            out[q.triple] = None
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
    used = used_prefixes(triples, prefixes)
    return ox.serialize(triples, format=fmt, prefixes=used)


def _jsonld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Compact JSON-LD 1.1: a ``@context`` of the prefixes used and one node object per subject."""
    ctx = used_prefixes(triples, prefixes)
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


__all__ = ["RDF_TYPE", "RDFS", "XSD", "VOID_NS", "INCOMING_CAP", "StoreUnion", "exists", "is_graph", "graph_facts",
           "describe", "prefixes_for", "serialize"]
