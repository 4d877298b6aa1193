"""The ontology as one graph: every ``ontology/*.ttl`` module merged (as the build stores it).

Used by the build (typing, validation, the stored ontology graph) and by the documentation.
"""
from __future__ import annotations

from pathlib import Path

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


__all__ = ["ONTOLOGY_GRAPH", "ontology_files", "ontology_graph"]
