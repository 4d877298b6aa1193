"""The page model: what a page shows about a resource, built from a release's store.

:class:`Site` knows the release (base, labels, graph and study names); :meth:`Site.view` gathers a
:class:`ResourceView` (facts with their sources, what points here, papers and sections, chains) that
the templates render (:mod:`.pages`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..iris import DEFAULT_BASE
from ..namespace import DW_NS
from .links import ONTOLOGY_IRI, short_iri, site_root
from .rdf import INCOMING_CAP, RDF_TYPE, RDFS, graph_facts

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", "https://schema.org/name", DCT + "title",
                    "http://xmlns.com/foaf/0.1/name")
COMMENT_PREDICATES = (SKOS + "definition", RDFS + "comment", DCT + "description")
CHAIN_DIAGRAMS_CAP = 8   # chain diagrams on one party page


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


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


__all__ = ["Fact", "Source", "ChainStepView", "ChainView", "ResourceView", "Labeler", "Site", "LABEL_PREDICATES",
           "COMMENT_PREDICATES", "CHAIN_DIAGRAMS_CAP"]
