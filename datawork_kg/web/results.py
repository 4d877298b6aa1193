"""Which format a SPARQL result is written in: from ``format=`` (or ``output=``, ``results=``) when a
value fits the result, else from the ``Accept`` header. (The writing itself is
:mod:`datawork_kg.sparql_results`, with pyoxigraph's serialisers.)"""
from __future__ import annotations

from ..sparql_protocol import GRAPH_TYPES, RESULT_TYPES, format_key
from .negotiation import negotiate


def pick(accept: str | None, formats: list[str], kind: str) -> str | None:
    """The output key for a result of ``kind`` ('solutions', 'boolean', 'graph'): from ``format=``
    (or ``output=``, ``results=``) when a value fits the result, else from the Accept header."""
    graph = kind == "graph"
    key = format_key(formats, graph)
    if key:
        return key
    table = GRAPH_TYPES if graph else RESULT_TYPES
    offers = (["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html"]
              if graph else ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values", "text/html"])
    offers += [m for m in table if m not in offers]
    best = negotiate(accept, offers)
    return table.get(best) if best else None


def not_acceptable(kind: str) -> dict:
    if kind == "graph":
        avail = "text/turtle, application/ld+json, application/n-triples, application/rdf+xml"
    else:
        avail = "application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values"
    return {"status": 406, "error": f"none of the requested formats can express this result; available: {avail}"}


__all__ = ["pick", "not_acceptable"]
