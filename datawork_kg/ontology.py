"""The ontology as one graph: every ``ontology/*.ttl`` module merged (as the build stores it).

Used by the build (typing, validation, the stored ontology graph) and by the documentation.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .errors import InputError, Problem
from .resources import ontology_dir

ONTOLOGY_GRAPH = "https://w3id.org/datawork/ontology"


def ontology_files() -> list[Path]:
    """The ontology's Turtle modules, in name order."""
    return sorted(ontology_dir().glob("*.ttl"))


def ontology_graph() -> Graph:
    """Every module merged into one rdflib graph; a syntax error names the file and line."""
    g = Graph()
    for f in ontology_files():
        try:
            g.parse(f, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise InputError([Problem(str(f), getattr(exc, "lines", None), None, f"Turtle syntax error: {exc}")]) from None
    return g


_OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_OWL_VERSION_IRI = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@lru_cache(maxsize=1)
def _modules(files: tuple[Path, ...]) -> dict[str, Path | None]:
    out: dict[str, Path | None] = {}
    for f in files:
        triples = list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
        for t in triples:
            if t.predicate == _RDF_TYPE and t.object == _OWL_ONTOLOGY and isinstance(t.subject, ox.NamedNode):
                target = None if t.subject.value == ONTOLOGY_GRAPH else f
                out[t.subject.value] = target
                for v in triples:
                    if v.subject == t.subject and v.predicate == _OWL_VERSION_IRI:
                        out[v.object.value] = target
    return out


def modules() -> dict[str, Path | None]:
    """Every IRI that names the ontology or one of its modules, versioned or not -> the module's file.

    The ontology's own IRI and its version IRI map to None: they stand for the whole ontology, every
    module merged (what ``/ontology`` serves); a module's IRI and its version IRI map to the module's
    file (``…/ontology/strict`` -> ``strict.ttl``).
    """
    return _modules(tuple(ontology_files()))


def module_path(iri: str) -> str | None:
    """The site path of an ontology or module IRI (``ontology/align/dcterms``), None if it is not one."""
    if iri not in modules():
        return None
    return "ontology" if iri == ONTOLOGY_GRAPH else "ontology/" + iri[len(ONTOLOGY_GRAPH) + 1:]


def module_triples(iri: str) -> list[ox.Triple]:
    """The whole module that ``iri`` names (every module merged for the ontology itself)."""
    found = modules()
    if iri not in found:
        raise KeyError(iri)
    files = [found[iri]] if found[iri] is not None else ontology_files()
    return [t for f in files for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]


__all__ = ["ONTOLOGY_GRAPH", "ontology_files", "ontology_graph", "modules", "module_path", "module_triples"]
