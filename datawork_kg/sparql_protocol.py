"""The request side of the SPARQL 1.1 Protocol: parameters and result formats as clients send them.

Parameters are read in one pass (a request with 20,000 parameters costs 20,000 steps, not 20,000
squared). The result format comes from ``format=``, ``output=`` or ``results=`` when one of their
values names a format this result can take, else from the ``Accept`` header. The names are those
the common clients send: SPARQLWrapper (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``n3``,
``rdf+xml``, ``json-ld``, sent as ``format``, ``output`` and ``results`` at once, sometimes followed by
a media type), Virtuoso and DBpedia style media types (``format=application/sparql-results+json``,
``format=text/csv``, ``format=text/turtle`` ...), and the short names of Fuseki (``srj``, ``srx``,
``ttl``, ``nt``). YASGUI, Jena's and rdflib's clients set ``Accept``.
"""
from __future__ import annotations

from typing import Iterable

FORMAT_PARAMETERS = ("format", "output", "results")

RESULT_TYPES = {  # media type -> output key, for SELECT and ASK results
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/html": "html",
}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                "html": "text/html; charset=utf-8"}
GRAPH_TYPES = {  # media type -> output key, for CONSTRUCT and DESCRIBE results
    "text/turtle": "ttl", "application/turtle": "ttl", "application/x-turtle": "ttl", "text/n3": "ttl",
    "text/rdf+n3": "ttl", "application/n3": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/rdf+xml": "rdf", "application/xml": "rdf", "text/xml": "rdf",
    "text/html": "html",
}
GRAPH_MEDIA = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json", "nt": "application/n-triples",
               "rdf": "application/rdf+xml", "html": "text/html; charset=utf-8"}
RESULT_NAMES = {"json": "json", "srj": "json", "sparql-results+json": "json", "xml": "xml", "srx": "xml",
                "sparql-results+xml": "xml", "csv": "csv", "tsv": "tsv", "html": "html"}
GRAPH_NAMES = {"ttl": "ttl", "turtle": "ttl", "n3": "ttl", "json": "jsonld", "jsonld": "jsonld", "json-ld": "jsonld",
               "nt": "nt", "ntriples": "nt", "n-triples": "nt", "rdf": "rdf", "rdfxml": "rdf", "rdf+xml": "rdf",
               "rdf/xml": "rdf", "xml": "rdf", "html": "html"}


def multi_params(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``name -> [values]`` from (name, value) pairs, in order, in a single pass."""
    params: dict[str, list[str]] = {}
    for k, v in pairs:
        params.setdefault(k, []).append(v)
    return params


def format_values(params: dict[str, list[str]]) -> list[str]:
    """The values of ``format``, ``output`` and ``results``, in that order (empty ones left out)."""
    return [v for name in FORMAT_PARAMETERS for v in params.get(name, ()) if v.strip()]


def format_key(values: Iterable[str], graph: bool) -> str | None:
    """The output key named by the first of ``values`` that fits the result (a graph or not), else None."""
    names, types = (GRAPH_NAMES, GRAPH_TYPES) if graph else (RESULT_NAMES, RESULT_TYPES)
    for value in values:
        v = value.strip().lower()
        key = types.get(v.split(";", 1)[0].strip()) if "/" in v else names.get(v)
        if key:
            return key
    return None


__all__ = ["multi_params", "format_values", "format_key", "RESULT_TYPES", "RESULT_MEDIA", "GRAPH_TYPES",
           "GRAPH_MEDIA", "FORMAT_PARAMETERS"]
