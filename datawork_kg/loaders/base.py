"""The loader interface and the name -> loader registry.

A loader reads one input file and returns a :class:`LoadedGraph`: the IRI of the named graph
it fills and the graph itself (rdflib), plus what it refers to outside itself (countries,
cities, currencies, shared organisations) so that linking can add what they need.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Protocol

from rdflib import Graph, URIRef

from ..errors import InputError, Problem
from ..iris import IRIs


class LoadedGraph:
    """One loaded file: its named graph IRI and its triples, plus what it refers to outside itself.

    A loader may hand over the triples as an rdflib ``Graph``, as ``triples`` (a list of distinct
    ``(s, p, o)`` rdflib term tuples: cheaper, no index is built per triple) or as ``nt`` (their
    N-Triples text, one triple a line: what crosses from a loading process, see
    :mod:`datawork_kg.ntriples`). ``graph`` builds the rdflib Graph on first use; from then on the
    Graph is the content (callers may change it). :meth:`iter_triples`, :attr:`n_triples` and
    :attr:`nt` read whichever is there without building a Graph.
    """

    def __init__(self, graph_iri: URIRef, graph: Graph | None = None, source: str = "", study: str = "",
                 countries: set[str] | None = None, cities: dict[str, str] | None = None,
                 currencies: set[str] | None = None, organisations: dict[str, str] | None = None,
                 counts: dict[str, int] | None = None, *, triples: list[tuple] | None = None,
                 nt: str | None = None) -> None:
        self.graph_iri = graph_iri
        self._graph = graph if graph is not None or triples is not None or nt is not None else Graph()
        self._triples = None if self._graph is not None or triples is None else list(triples)
        self._nt = nt if self._graph is None else None
        self.source = source
        self.study = study
        self.countries = set() if countries is None else countries
        self.cities = {} if cities is None else cities  # slug -> (country)
        self.currencies = set() if currencies is None else currencies
        self.organisations = {} if organisations is None else organisations  # global_id -> wikidata QID or ""
        self.counts = {} if counts is None else counts

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            g = Graph()
            g.addN((s, p, o, g) for s, p, o in self.iter_triples())
            self._graph, self._triples, self._nt = g, None, None
        return self._graph

    @graph.setter
    def graph(self, value: Graph) -> None:
        self._graph, self._triples, self._nt = value, None, None

    @property
    def n_triples(self) -> int:
        """The number of distinct triples (``len(self.graph)``, without building the Graph)."""
        if self._graph is not None:
            return len(self._graph)
        if self._triples is not None:
            return len(self._triples)
        return self._nt.count("\n")

    def iter_triples(self) -> Iterable[tuple]:
        """The triples as ``(s, p, o)`` rdflib terms (the tuples, or the Graph once it is built)."""
        if self._graph is not None:
            return self._graph
        if self._triples is None:
            from ..ntriples import parse_triples

            self._triples = parse_triples(self._nt)
        return self._triples

    @property
    def nt(self) -> str:
        """The triples as N-Triples text (made once from the tuples; from the Graph on each call)."""
        from ..ntriples import nt_text

        if self._graph is not None:
            return nt_text(self._graph)
        if self._nt is None:
            self._nt = nt_text(self._triples)
        return self._nt

    def compact(self) -> "LoadedGraph":
        """Keep only the N-Triples text (what a loading process sends back): tuples are made again on demand."""
        if self._graph is None:
            self.nt
            self._triples = None
        return self

    def __repr__(self) -> str:
        return (f"LoadedGraph(graph_iri={self.graph_iri!r}, source={self.source!r}, study={self.study!r}, "
                f"triples={self.n_triples})")


class Loader(Protocol):
    suffixes: tuple[str, ...]

    def load(self, path: Path, iris: IRIs, *, display: str | None = None,
             context: "dict[str, object] | None" = None) -> LoadedGraph: ...


_REGISTRY: dict[str, Callable[[], Loader]] = {}


def register(name: str, factory: Callable[[], Loader]) -> None:
    _REGISTRY[name] = factory


def loader_for(path: Path) -> Loader:
    from . import casefile, csvfile  # noqa: F401  (register themselves)

    suffix = path.suffix.lower()
    for factory in _REGISTRY.values():
        loader = factory()
        if suffix in loader.suffixes:
            return loader
    raise InputError([Problem(str(path), None, None,
                              f"no loader for files ending in '{suffix or '(none)'}'",
                              "use a YAML case file (.yaml/.yml) or a CSV of observations (.csv)")])


def loaders() -> dict[str, Callable[[], Loader]]:
    from . import casefile, csvfile  # noqa: F401

    return dict(_REGISTRY)


__all__ = ["LoadedGraph", "Loader", "register", "loader_for", "loaders"]
