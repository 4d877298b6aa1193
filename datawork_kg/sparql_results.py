"""SPARQL results as bytes, written by pyoxigraph's serialisers, within a row cap and a byte cap.

Runs in the server's query workers. Solutions are first written by pyoxigraph as TSV (one line per
solution) into a sink that keeps the header and at most ``cap`` rows and ``max_bytes`` bytes, and
stops the query as soon as either is reached; those rows are then read back
(``pyoxigraph.parse_query_results``) and written in the format asked for. Graphs are collected up
to the caps and written by ``pyoxigraph.serialize``. When the output in the asked format is still
larger than ``max_bytes`` (JSON and XML take more room than TSV), rows are dropped until it fits.

A cut result says so in its body where the format has room for it: JSON ``head.link`` and a
``datawork`` member with the warning, an XML ``<link>`` and a comment, a ``# WARNING`` line in
Turtle and N-Triples, a comment in RDF/XML. (The server adds the headers.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

SOLUTION_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML,
                 "jsonld": ox.RdfFormat.JSON_LD}


@dataclass
class Written:
    body: bytes
    rows: int                 # solutions or triples in the body
    cut_by: str | None        # "rows" (the row cap), "bytes" (the byte cap) or None (complete)

    @property
    def truncated(self) -> bool:
        return self.cut_by is not None


def warning_text(cut_by: str | None, cap: int, max_bytes: int) -> str | None:
    if cut_by == "rows":
        return (f"Results truncated: the query produced more than {cap} rows and only the first {cap} are returned "
                "(the server's row cap). Use LIMIT/OFFSET or a narrower query.")
    if cut_by == "bytes":
        return (f"Results truncated: the result is larger than {max_bytes:,} bytes and only the rows that fit are "
                "returned (the server's byte cap). Use LIMIT/OFFSET, fewer or shorter columns.")
    return None


class _Full(Exception):
    """Raised by a sink to stop pyoxigraph's serialiser (and with it the query)."""


class _TsvSink:
    """A binary file for pyoxigraph's TSV writer: the header line and at most ``cap`` complete rows."""

    def __init__(self, cap: int, max_bytes: int) -> None:
        self.buf = bytearray()
        self.lines = 0            # complete lines in buf
        self.cap = cap
        self.max_bytes = max_bytes
        self.cut_by: str | None = None

    def write(self, data) -> int:
        self.buf += data
        self.lines += bytes(data).count(b"\n")
        wanted = self.cap + 1     # the header and cap rows
        if self.lines > wanted or (self.lines == wanted and not self.buf.endswith(b"\n")):
            self._keep(wanted)
            self.cut_by = "rows"
            raise _Full
        if len(self.buf) > self.max_bytes:
            self._keep(max(1, self.buf.count(b"\n", 0, self.max_bytes)))
            self.cut_by = "bytes"
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def _keep(self, lines: int) -> None:
        end = _end_of_line(self.buf, lines)
        del self.buf[end:]
        self.lines = min(lines, self.buf.count(b"\n"))


def _end_of_line(buf, n: int) -> int:
    """The offset just past the ``n``-th newline of ``buf`` (its length if it has fewer)."""
    pos = 0
    for _ in range(n):
        i = buf.find(b"\n", pos)
        if i < 0:
            return len(buf)
        pos = i + 1
    return pos


def write_solutions(res: ox.QuerySolutions, key: str, *, cap: int, max_bytes: int, limits_url: str,
                    html: Callable[[list[str], list[list], str | None], bytes] | None = None) -> Written:
    """``res`` in the format ``key`` (json, xml, csv, tsv, or html through ``html(vars, rows, cut_by)``)."""
    variables = [v.value for v in res.variables]
    sink = _TsvSink(cap, max_bytes)
    try:
        res.serialize(sink, ox.QueryResultsFormat.TSV)
    except (_Full, OSError, ValueError, RuntimeError):
        if sink.cut_by is None:
            raise
    tsv, cut_by = bytes(sink.buf), sink.cut_by
    if not tsv:
        tsv = ("\t".join("?" + v for v in variables) + "\n").encode()
    rows = tsv.count(b"\n") - 1
    while True:
        body = _render(tsv, variables, key, cut_by, cap, max_bytes, limits_url, html)
        if len(body) <= max_bytes or rows == 0:
            return Written(body, rows, cut_by)
        rows = min(rows - 1, int(rows * max_bytes / len(body) * 0.9))
        tsv, cut_by = tsv[:_end_of_line(tsv, rows + 1)], "bytes"


def _render(tsv: bytes, variables: list[str], key: str, cut_by: str | None, cap: int, max_bytes: int,
            limits_url: str, html) -> bytes:
    if key == "tsv":
        return tsv
    solutions = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    if key == "html":
        return html(variables, [[sol[v] for v in variables] for sol in solutions], cut_by)
    body = solutions.serialize(format=SOLUTION_FORMATS[key])
    warning = warning_text(cut_by, cap, max_bytes)
    if warning is None:
        return body
    if key == "json":  # {"head":{"vars":[...]} ... }: variable names hold no ']', so the first ']}' ends the head
        end = body.index(b"]}") + 1
        member = json.dumps({"truncated": True, "cutBy": cut_by, "rowCap": cap, "byteCap": max_bytes,
                             "warning": warning}, ensure_ascii=False)
        return (body[:end] + b',"link":' + json.dumps([limits_url]).encode() + body[end:-1]
                + b',"datawork":' + member.encode() + b"}")
    if key == "xml":
        comment = f"<!-- {_xml_text(warning).replace('--', '- -')} -->".encode()
        link = f'<link href="{_xml_text(limits_url)}"/>'.encode()
        body = body.replace(b"?>", b"?>\n" + comment + b"\n", 1)
        return body.replace(b"</head>", link + b"</head>", 1)
    return body  # CSV has no room for a warning: the headers carry it


def write_boolean(res: ox.QueryBoolean, key: str, html: Callable[[bool], bytes] | None = None) -> Written:
    """The answer of an ASK query in the format ``key`` (json, xml, csv, tsv, or html through ``html(answer)``)."""
    if key == "html":
        return Written(html(bool(res)), 1, None)
    return Written(res.serialize(format=SOLUTION_FORMATS[key]), 1, None)


def write_graph(res, key: str, *, cap: int, max_bytes: int, prefixes: dict[str, str] | None = None,
                html: Callable[[bytes, str | None], bytes] | None = None) -> Written:
    """Triples of ``res`` (an iterable) in the format ``key`` (ttl, nt, rdf, jsonld, or html of the Turtle)."""
    triples, size, cut_by = [], 0, None
    for t in res:
        if len(triples) >= cap:
            cut_by = "rows"
            break
        size += _size(t)
        if size > max_bytes:
            cut_by = "bytes"
            break
        triples.append(t)
    while True:
        body = _graph_bytes(triples, "ttl" if key == "html" else key, prefixes, cut_by, cap, max_bytes)
        if key == "html":
            body = html(body, cut_by)
        if len(body) <= max_bytes or not triples:
            return Written(body, len(triples), cut_by)
        triples, cut_by = triples[:min(len(triples) - 1, int(len(triples) * max_bytes / len(body) * 0.9))], "bytes"


def _graph_bytes(triples: list, key: str, prefixes: dict[str, str] | None, cut_by: str | None, cap: int,
                 max_bytes: int) -> bytes:
    used = used_prefixes(triples, prefixes) if prefixes and key in ("ttl", "rdf") else None
    body = ox.serialize(triples, format=GRAPH_FORMATS[key], prefixes=used)
    if cut_by is None:
        return body
    what = f"the first {cap} triples (the server's row cap)" if cut_by == "rows" else \
        f"the triples that fit in {max_bytes:,} bytes (the server's byte cap)"
    if key in ("ttl", "nt"):
        return f"# WARNING: truncated to {what}\n".encode() + body
    if key == "rdf":
        return body.replace(b"?>", f"?>\n<!-- WARNING: truncated to {what} -->".encode(), 1)
    return body


def used_prefixes(triples: list, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes of ``prefixes`` that some IRI (or literal datatype) of ``triples`` starts with."""
    terms = {t.subject for t in triples} | {t.predicate for t in triples} | {t.object for t in triples}
    iris = {term.value for term in terms if isinstance(term, ox.NamedNode)} | \
        {term.datatype.value for term in terms if isinstance(term, ox.Literal)}
    # one text of every IRI, each after a newline (no IRI holds one): "starts with" is a substring
    # search in C instead of a Python loop over every IRI for every prefix
    text = "\n" + "\n".join(iris)
    return {k: v for k, v in prefixes.items() if "\n" + v in text}


def _size(t) -> int:
    """About the bytes a triple takes in N-Triples (escaping aside)."""
    n = 8
    for term in (t.subject, t.predicate, t.object):
        n += len(term.value) if hasattr(term, "value") else len(str(term))
    return n


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


__all__ = ["write_solutions", "write_boolean", "write_graph", "Written", "warning_text", "SOLUTION_FORMATS",
           "GRAPH_FORMATS"]
