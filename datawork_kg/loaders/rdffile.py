"""RDF files of extra evidence from users (Turtle, N-Triples, N-Quads, RDF/XML, JSON-LD) -> RDF.

Files from users are parsed safely:

* RDF/XML must not carry a DTD: ``<!DOCTYPE`` and ``<!ENTITY`` are refused before parsing, so
  external entities (XXE: reading local files or URLs) and entity bombs never reach the parser;
* JSON-LD must not refer to a remote ``@context`` (rdflib would fetch it): any ``@context`` or
  ``@import`` given as a URL is refused unless ``DATAWORK_ALLOW_REMOTE_CONTEXT=1``;
* IRIs with spaces or control characters are refused, with the line;
* syntax errors are reported with the line.

Each file fills the named graph ``id/graph/user-<file stem>``.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from ..errors import InputError, Problem
from ..iris import IRIs, slugify
from .base import LoadedGraph, register
from .yamlsafe import MAX_BYTES, read_text

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}
NAMES = {"turtle": "Turtle", "nt": "N-Triples", "nquads": "N-Quads", "xml": "RDF/XML", "json-ld": "JSON-LD"}
ALLOW_REMOTE_ENV = "DATAWORK_ALLOW_REMOTE_CONTEXT"
# spaces and control characters never belong in an IRI
_CTRL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]")
# <...> tokens in Turtle-like text that contain a space or a control character
_BAD_IRIREF = re.compile(r'<([^<>"{}|^`\\\n]*[\x00-\x20\x7f][^<>"{}|^`\\\n]*)>')
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)\b", re.IGNORECASE)


def _describe(ch: str) -> str:
    return "a space" if ch == " " else f"the control character U+{ord(ch):04X}"


def _line_of(text: str, needle: str) -> int | None:
    idx = text.find(needle)
    return None if idx < 0 else text.count("\n", 0, idx) + 1


class RDFLoader:
    """Loads one RDF file of extra evidence."""

    suffixes = tuple(FORMATS)

    def load(self, path: Path, iris: IRIs, *, display: str | None = None,
             context: dict | None = None) -> LoadedGraph:
        display = display or str(path)
        fmt = FORMATS[path.suffix.lower()]
        text = read_text(path, display, MAX_BYTES)
        if fmt == "xml":
            self._check_xml(text, display)
        elif fmt == "json-ld":
            self._check_jsonld(text, display)
        else:
            self._check_iri_tokens(text, display)
        graph = self._parse(text, fmt, display)
        self._check_terms(graph, text, display)
        slug = slugify(path.stem)
        graph_iri = iris.graph(f"user-{slug}")
        g = Graph()
        for t in graph:
            g.add(t)
        g.add((graph_iri, RDFS.label, Literal(f"Extra evidence from {path.name}", lang="en")))
        g.add((graph_iri, RDF.type, PROV.Entity))
        g.add((graph_iri, RDFS.comment, Literal(f"User-supplied {NAMES[fmt]} file", lang="en")))
        return LoadedGraph(graph_iri, g, display, f"user-{slug}", counts={"triples": len(graph)})

    # ------------------------------------------------------------ pre-checks
    def _check_xml(self, text: str, display: str) -> None:
        m = _DTD.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            raise InputError([Problem(
                display, line, m.group(0)[2:].upper(),
                f"RDF/XML with a document type declaration (<!{m.group(1).upper()}) is refused: "
                "entities can read local files or URLs (XXE) or expand without bound",
                "remove the <!DOCTYPE ...> block and write entity values out in full")])

    def _check_jsonld(self, text: str, display: str) -> None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(display, exc.lineno, None, f"JSON syntax error: {exc.msg} (column {exc.colno})",
                                      "fix the JSON at that line")]) from None
        allow = os.environ.get(ALLOW_REMOTE_ENV) == "1"
        for key, value, where in _walk(data):
            if key in ("@context", "@import") and not allow:
                for url in (value if isinstance(value, list) else [value]):
                    if isinstance(url, str):
                        raise InputError([Problem(
                            display, _line_of(text, json.dumps(url)), key,
                            f"remote JSON-LD context {url!r} is refused: it would be fetched from the network",
                            "put the context inline as a JSON object, or set "
                            f"{ALLOW_REMOTE_ENV}=1 if you trust that address")])
            if key in ("@id", "@type", "@vocab", "@base") and isinstance(value, str):
                bad = _CTRL_OR_SPACE.search(value) if ":" in value or key != "@type" else None
                if bad:
                    raise InputError([Problem(
                        display, _line_of(text, json.dumps(value)[1:-1]) or _line_of(text, value), key,
                        f"IRI <{_show(value)}> contains {_describe(bad.group(0))}",
                        "percent-encode it (a space is %20) or remove it")])

    def _check_iri_tokens(self, text: str, display: str) -> None:
        for lineno, line in enumerate(text.splitlines(), 1):
            m = _BAD_IRIREF.search(_LITERAL.sub('""', line))  # '<a b>' inside a literal is text
            if m:
                ch = next(c for c in m.group(1) if c <= " " or c == "\x7f")
                raise InputError([Problem(display, lineno, None,
                                          f"IRI <{_show(m.group(1))}> contains {_describe(ch)}",
                                          "percent-encode it (a space is %20) or remove it")])

    # --------------------------------------------------------------- parsing
    def _parse(self, text: str, fmt: str, display: str) -> Graph:
        ds = Dataset() if fmt == "nquads" else None
        g = Graph()
        try:
            if fmt == "json-ld":
                g.parse(data=text, format="json-ld")
            elif fmt == "nquads":
                ds.parse(data=text, format="nquads")
                for s, p, o, _ in ds.quads():
                    g.add((s, p, o))
            else:
                g.parse(data=text.encode("utf-8"), format=fmt)
        except InputError:
            raise
        except Exception as exc:  # rdflib raises many kinds
            line = _error_line(exc, text)
            if line is None and fmt in ("nt", "nquads"):
                line = _oxigraph_line(text, fmt)
            msg = str(getattr(exc, "message", None) or exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            if hasattr(exc, "_why"):
                msg = str(exc._why)
            raise InputError([Problem(display, line, None, f"{NAMES[fmt]} syntax error: {msg}",
                                      f"fix the {NAMES[fmt]} syntax at that line")]) from None
        return g

    def _check_terms(self, graph: Graph, text: str, display: str) -> None:
        for triple in graph:
            for term in triple:
                if isinstance(term, URIRef):
                    bad = _CTRL_OR_SPACE.search(str(term))
                    if bad:
                        raise InputError([Problem(display, _line_of(text, str(term)), None,
                                                  f"IRI <{_show(str(term))}> contains {_describe(bad.group(0))}",
                                                  "percent-encode it (a space is %20) or remove it")])


def _oxigraph_line(text: str, fmt: str) -> int | None:
    """rdflib's N-Triples/N-Quads errors carry no line; pyoxigraph's do (parsing only, no network)."""
    try:
        import pyoxigraph as ox

        kind = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS
        for _ in ox.parse(text.encode("utf-8"), format=kind):
            pass
    except SyntaxError as exc:
        return exc.lineno if isinstance(exc.lineno, int) else None
    except Exception:  # pragma: no cover
        return None
    return None


def _show(iri: str) -> str:
    """An IRI for a message, with control characters made visible."""
    return "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in iri)


def _error_line(exc: Exception, text: str) -> int | None:
    lines = getattr(exc, "lines", None)  # notation3.BadSyntax: 0-based line
    if isinstance(lines, int):
        return lines + 1
    for attr in ("lineno", "line"):  # xml.sax.SAXParseException has getLineNumber()
        v = getattr(exc, attr, None)
        if isinstance(v, int):
            return v
    if hasattr(exc, "getLineNumber"):
        try:
            return int(exc.getLineNumber())
        except Exception:  # pragma: no cover
            pass
    return None


def _walk(data: Any, where: tuple = ()) -> Iterator[tuple[str, Any, tuple]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield k, v, where
            yield from _walk(v, where + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, where + (i,))


register("rdf", RDFLoader)

__all__ = ["RDFLoader", "FORMATS", "ALLOW_REMOTE_ENV"]
