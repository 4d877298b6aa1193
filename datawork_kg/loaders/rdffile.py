"""RDF files of extra evidence from users (Turtle, N-Triples, N-Quads, RDF/XML, JSON-LD) -> RDF.

Files from users are parsed by pyoxigraph (in time linear in the file: rdflib's N-Triples parser
took minutes on a 10 MB literal), safely:

* RDF/XML must not carry a DTD: ``<!DOCTYPE`` and ``<!ENTITY`` are refused before parsing, so
  external entities (XXE: reading local files or URLs) and entity bombs never reach the parser;
* JSON-LD must not refer to a remote ``@context``: any ``@context`` or ``@import`` given as a URL is
  refused unless ``DATAWORK_ALLOW_REMOTE_CONTEXT=1`` (and even then nothing is fetched: pyoxigraph
  has no document loader); it may nest at most 100 levels deep;
* IRIs must be absolute and valid: spaces, control characters and ``<>"{}|^`\\`` (written
  directly or through ``\\u`` escapes) are refused with the line, and so are relative IRIs where
  the file declares no base (their meaning would depend on where the file is read);
* syntax errors are reported with the line.

Each file fills the named graph ``id/graph/user-<file stem>``.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from ..errors import InputError, Problem
from ..iris import IRIs, slugify
from ..ntriples import rdflib_term
from .base import LoadedGraph, register
from .yamlsafe import MAX_BYTES, read_text

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}
NAMES = {"turtle": "Turtle", "nt": "N-Triples", "nquads": "N-Quads", "xml": "RDF/XML", "json-ld": "JSON-LD"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
              "xml": ox.RdfFormat.RDF_XML, "json-ld": ox.RdfFormat.JSON_LD}
ALLOW_REMOTE_ENV = "DATAWORK_ALLOW_REMOTE_CONTEXT"
MAX_JSON_DEPTH = 100
# spaces and control characters never belong in an IRI
_CTRL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]")
# nor do these (RFC 3987); in JSON-LD, where IRIs are JSON strings, they are checked before parsing
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)\b", re.IGNORECASE)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_OX_LOCATION = re.compile(r"^Parser error (?:at line \d+ (?:between columns (\d+) and (\d+)|column \d+)"
                          r"|between line \d+ column \d+ and line \d+ column \d+): ")
_OX_BAD_IRI = re.compile(r"^Invalid IRI code point '(.)'", re.S)


def _describe(ch: str) -> str:
    if ch == " ":
        return "a space"
    if ch <= " " or "\x7f" <= ch <= "\x9f":
        return f"the control character U+{ord(ch):04X}"
    return f"the character {ch!r}, which IRIs may not hold"


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
        triples = self._parse(text, fmt, display)
        self._check_terms(triples, text, display)
        slug = slugify(path.stem)
        graph_iri = iris.graph(f"user-{slug}")
        n = len(triples)
        triples.update(dict.fromkeys([
            (graph_iri, RDFS.label, Literal(f"Extra evidence from {path.name}", lang="en")),
            (graph_iri, RDF.type, PROV.Entity),
            (graph_iri, RDFS.comment, Literal(f"User-supplied {NAMES[fmt]} file", lang="en"))]))
        return LoadedGraph(graph_iri, None, display, f"user-{slug}", counts={"triples": n}, triples=list(triples))

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
        self._check_json_depth(text, display)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(display, exc.lineno, None, f"JSON syntax error: {exc.msg} (column {exc.colno})",
                                      "fix the JSON at that line")]) from None
        allow = os.environ.get(ALLOW_REMOTE_ENV) == "1"
        has_base = any(key == "@base" for key, _, _ in _walk(data))
        for key, value, where in _walk(data):
            if key in ("@context", "@import") and not allow:
                for url in (value if isinstance(value, list) else [value]):
                    if isinstance(url, str):
                        raise InputError([Problem(
                            display, _line_of(text, json.dumps(url)), key,
                            f"remote JSON-LD context {url!r} is refused: it would be fetched from the network",
                            "put the context inline as a JSON object, or set "
                            f"{ALLOW_REMOTE_ENV}=1 if you trust that address")])
            # IRIs: what pyoxigraph would otherwise drop without a word (JSON-LD ignores invalid IRIs)
            if key in ("@id", "@type", "@vocab", "@base") or (where and where[-1] == "@context" and not key.startswith("@")):
                for value_ in (value if isinstance(value, list) else [value]):
                    if not isinstance(value_, str) or value_.startswith("_:"):
                        continue
                    bad = _NOT_IN_IRI.search(value_) if ":" in value_ or key not in ("@type",) else None
                    if bad:
                        raise InputError([Problem(
                            display, _line_of(text, json.dumps(value_)[1:-1]) or _line_of(text, value_), key,
                            f"IRI <{_show(value_)}> contains {_describe(bad.group(0))}",
                            "percent-encode it (a space is %20) or remove it")])
                    if key == "@id" and not has_base and not _SCHEME.match(value_):
                        raise InputError([Problem(
                            display, _line_of(text, json.dumps(value_)), key,
                            f"relative IRI {value_!r} and no @base: its meaning would depend on where the file is read",
                            'write the IRI in full, or declare "@base" in the @context')])
            elif not key.startswith("@") and ":" in key:  # a property written as an IRI
                bad = _NOT_IN_IRI.search(key)
                if bad:
                    raise InputError([Problem(display, _line_of(text, json.dumps(key)[1:-1]), key,
                                              f"IRI <{_show(key)}> contains {_describe(bad.group(0))}",
                                              "percent-encode it (a space is %20) or remove it")])

    @staticmethod
    def _check_json_depth(text: str, display: str) -> None:
        """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` before any recursive reader meets it."""
        depth = 0
        for m in _JSON_TOKEN.finditer(text):
            ch = m.group(0)
            if ch in "[{":
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    raise InputError([Problem(display, text.count("\n", 0, m.start()) + 1, None,
                                              f"JSON nested more than {MAX_JSON_DEPTH} levels deep",
                                              "flatten the document: JSON-LD evidence needs a few levels, not hundreds")])
            elif ch in "]}":
                depth -= 1

    # --------------------------------------------------------------- parsing
    def _parse(self, text: str, fmt: str, display: str) -> dict[tuple, None]:
        """The distinct triples of the file as rdflib terms (graph names of N-Quads are dropped), parsed by
        pyoxigraph with no base IRI: a relative IRI is an error, whatever the working directory."""
        cache: dict = {}

        def conv(t):
            if getattr(t, "direction", None):
                raise InputError([Problem(display, _line_of(text, t.value), None,
                                          f"literal {t.value[:40]!r} has a base direction (--{t.direction}), "
                                          "which datawork-kg does not keep", "remove the direction")])
            out = rdflib_term(t, cache)
            if out is None:
                raise InputError([Problem(display, _line_of(text, "<<"), None,
                                          "RDF 1.2 triple terms (<<( ... )>>) are not supported",
                                          "state the triple itself, or describe it with a node of its own")])
            return out

        try:
            quads = ox.parse(text.encode("utf-8"), format=OX_FORMATS[fmt], base_iri=None, rename_blank_nodes=True)
            return dict.fromkeys((conv(q.subject), conv(q.predicate), conv(q.object)) for q in quads)
        except SyntaxError as exc:
            where = _OX_LOCATION.match(exc.msg or "")
            detail = (exc.msg or str(exc))[where.end() if where else 0:].strip()
            line = exc.lineno if isinstance(exc.lineno, int) else (_xml_line(text) if fmt == "xml" else None)
            bad = _OX_BAD_IRI.match(detail)
            if bad and line and where and where.group(1):  # the IRI is between those columns of that line
                iri = text.splitlines()[line - 1][int(where.group(1)) - 1:int(where.group(2)) - 1].strip("<>")
                raise InputError([Problem(display, line, None, f"IRI <{_show(iri)}> contains {_describe(bad.group(1))}",
                                          "percent-encode it (a space is %20) or remove it")]) from None
            if "No scheme found" in detail:
                hint = {"turtle": "write the IRI in full, or declare a base (@base <...> .)",
                        "xml": 'write the IRI in full, or declare a base (xml:base="...")'}.get(
                            fmt, f"write the IRI in full ({NAMES[fmt]} has no base)")
                line = line or _relative_xml_line(text)
                raise InputError([Problem(display, line, None,
                                          f"{NAMES[fmt]}: relative IRI and no base: its meaning would depend on where "
                                          "the file is read", hint)]) from None
            raise InputError([Problem(display, line, None, f"{NAMES[fmt]} syntax error: {detail[:200]}",
                                      f"fix the {NAMES[fmt]} syntax at that line")]) from None

    def _check_terms(self, triples, text: str, display: str) -> None:
        """Every IRI valid (pyoxigraph checks them; this is the last guard before the store and the dumps)."""
        seen: set = set()
        for triple in triples:
            for term in triple:
                if isinstance(term, URIRef) and term not in seen:
                    seen.add(term)
                    bad = _NOT_IN_IRI.search(str(term))
                    if bad:
                        raise InputError([Problem(display, _line_of(text, str(term)), None,
                                                  f"IRI <{_show(str(term))}> contains {_describe(bad.group(0))}",
                                                  "percent-encode it (a space is %20) or remove it")])


def _xml_line(text: str) -> int | None:
    """The line of an XML well-formedness error (pyoxigraph's RDF/XML errors carry none); the DTD is refused
    before, so expat expands nothing."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        return exc.lineno
    return None


def _relative_xml_line(text: str) -> int | None:
    """The line of the first rdf:about, rdf:resource or rdf:datatype that is not an absolute IRI."""
    for m in re.finditer(r"""rdf:(?:about|resource|datatype)\s*=\s*["']([^"']*)["']""", text):
        if not _SCHEME.match(m.group(1)):
            return text.count("\n", 0, m.start()) + 1
    return None


def _show(iri: str) -> str:
    """An IRI for a message, with control characters made visible."""
    return "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in iri)


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
