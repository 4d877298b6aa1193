"""The loader interface and the name -> loader registry.

A loader reads one input file and returns a :class:`LoadedGraph`: the IRI of the named graph
it fills and the graph itself (rdflib), plus what it refers to outside itself (countries,
cities, currencies, shared organisations) so that linking can add what they need.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from rdflib import Graph, URIRef

from ..errors import InputError, Problem
from ..iris import IRIs


@dataclass
class LoadedGraph:
    graph_iri: URIRef
    graph: Graph
    source: str
    study: str
    countries: set[str] = field(default_factory=set)
    cities: dict[str, str] = field(default_factory=dict)  # slug -> (country)
    currencies: set[str] = field(default_factory=set)
    organisations: dict[str, str] = field(default_factory=dict)  # global_id -> wikidata QID or ""
    counts: dict[str, int] = field(default_factory=dict)


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
