"""N-Triples text: how loaded graphs travel through the build at scale.

A loaded graph is handed on as N-Triples text (one triple a line, each line ending in `` .\\n``):
it crosses process boundaries as one string (loading in a pool of processes), goes to the store
with one bulk load parsed in Rust, to pyrudof as is, and into the dumps without being read back
from the store. Python term tuples (rdflib) are only made when something asks for them.

Because N-Triples escapes line breaks inside literals, `` .\\n`` only ever ends a line: a graph's
text becomes N-Quads of graph ``g`` by replacing it with `` <g> .\\n`` (:func:`to_nquads`).
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from rdflib import BNode, Literal, URIRef

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DISPLAY_NAME = "https://w3id.org/datawork/ontology#displayName"
# the object of an rdfs:label line: a literal's lexical form (still escaped), whatever its language or datatype
_LABEL_OBJECT = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)? \.$')
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


def term_nt(term, cache: dict | None = None) -> str:
    """The N-Triples form of an rdflib term (as rdflib's own N-Triples serializer writes it)."""
    if cache is not None:
        out = cache.get(term)
        if out is not None:
            return out
    if isinstance(term, Literal):
        if term.language:
            out = f"{_quote(str(term))}@{term.language}"
        elif term.datatype is not None:
            out = f"{_quote(str(term))}^^<{term.datatype}>"
        else:
            out = _quote(str(term))
    elif isinstance(term, (URIRef, BNode)):
        out = term.n3()  # checks the IRI (no spaces, no '<>"{}|^`\\')
    else:
        raise TypeError(f"not an RDF term: {term!r}")
    if cache is not None:
        cache[term] = out
    return out


def nt_text(triples: Iterable[tuple]) -> str:
    """N-Triples text of ``(s, p, o)`` rdflib term tuples, in their order (terms converted once each)."""
    cache: dict = {}
    get = cache.get
    parts = []
    for s, p, o in triples:
        # rdflib terms of different kinds never compare equal (URIRef("x") != Literal("x")), so the
        # cache, keyed on the terms, never mixes them up
        ts, tp, to = get(s), get(p), get(o)
        if ts is None:
            ts = term_nt(s, cache)
        if tp is None:
            tp = term_nt(p, cache)
        if to is None:
            to = term_nt(o, cache)
        parts.append(f"{ts} {tp} {to} .\n")
    return "".join(parts)


def to_nquads(text: str, graph_iri: str | None) -> str:
    """The N-Triples ``text`` as N-Quads in the named graph ``graph_iri`` (``None``: the default graph)."""
    if graph_iri is None or not text:
        return text
    return text.replace(" .\n", f" <{graph_iri}> .\n")


def count_lines(text: str) -> int:
    return text.count("\n")


def rdflib_term(t, cache: dict | None = None):
    """The rdflib term of a pyoxigraph IRI, blank node or literal (None for anything else, such as an
    RDF 1.2 triple term). Plain literals come back without a datatype (as the loaders make them), not
    as ``xsd:string``; ``cache`` maps terms already converted."""
    import pyoxigraph as ox

    out = cache.get(t) if cache is not None else None
    if out is None:
        if isinstance(t, ox.NamedNode):
            out = URIRef(t.value)
        elif isinstance(t, ox.BlankNode):
            out = BNode(t.value)
        elif not isinstance(t, ox.Literal):
            return None
        elif t.language:
            out = Literal(t.value, lang=t.language)
        elif t.datatype.value == XSD_STRING:
            out = Literal(t.value)
        else:
            out = Literal(t.value, datatype=URIRef(t.datatype.value))
        if cache is not None:
            cache[t] = out
    return out


def parse_triples(text: str) -> list[tuple]:
    """rdflib term tuples of N-Triples ``text`` (parsed by pyoxigraph), in the text's order (terms as
    :func:`rdflib_term` gives them)."""
    import pyoxigraph as ox

    cache: dict = {}
    return [(rdflib_term(t.subject, cache), rdflib_term(t.predicate, cache), rdflib_term(t.object, cache))
            for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)]


def superclass_strings(supers: Mapping) -> dict[str, list[str]]:
    """``supers`` (class -> superclasses, as :func:`datawork_kg.validation.superclasses` gives them)
    with IRIs as strings, the form :func:`type_closure_text` reads; make it once per ontology."""
    return {str(c): sorted(str(s) for s in ss) for c, ss in supers.items()}


def _lines_with_predicate(text: str, predicate: str):
    """``(subject, rest)`` for each line of the N-Triples ``text`` whose predicate is ``predicate``:
    ``rest`` is the line after the predicate (object and `` .``). Found with ``str.find`` (several
    times faster than a multi-line regex over a million lines); an occurrence inside a literal is
    told apart by the text before it, which is then more than one term."""
    needle = f" <{predicate}> "
    find, rfind = text.find, text.rfind
    i = find(needle)
    while i != -1:
        start = rfind("\n", 0, i) + 1
        end = find("\n", i)
        if end == -1:
            end = len(text)
        subj = text[start:i]
        if " " not in subj:
            yield subj, text[i + len(needle):end]
        i = find(needle, end)


def type_closure_text(text: str, supers: Mapping[str, list[str]]) -> str:
    """N-Triples of ``x rdf:type S`` for every ``x rdf:type C`` line of ``text`` and every (transitive)
    superclass ``S`` of ``C`` in ``supers`` (from :func:`superclass_strings`): the materialised
    subclass closure."""
    out = []
    for subj, rest in _lines_with_predicate(text, RDF_TYPE):
        if rest.startswith("<") and rest.endswith("> ."):
            sups = supers.get(rest[1:-3])
            if sups:
                out.extend(f"{subj} <{RDF_TYPE}> <{sup}> .\n" for sup in sups)
    return "".join(out)


def _unescape(lexical: str) -> str:
    """The string an N-Triples literal's escaped lexical form stands for (ECHAR and UCHAR escapes)."""
    if "\\" not in lexical:
        return lexical
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                       else _ECHAR.get(m.group(3), m.group(3)), lexical)


def display_names_text(texts: Iterable[str]) -> str:
    """N-Triples of ``x dw:displayName "name"`` for every IRI ``x`` with an ``rdfs:label`` in ``texts``:
    the first of its labels' strings in code-point order (SPARQL's ``MIN(STR(?label))``), whatever
    their language, across all the texts (a resource that several case files label once each gets
    one name)."""
    best: dict[str, str] = {}
    get = best.get
    for text in texts:
        for subj, rest in _lines_with_predicate(text, RDFS_LABEL):
            m = _LABEL_OBJECT.match(rest) if subj.startswith("<") else None
            if m is None:
                continue
            name = _unescape(m.group(1))
            cur = get(subj)
            if cur is None or name < cur:
                best[subj] = name
    return "".join(f"{subj} <{DISPLAY_NAME}> {_quote(name)} .\n" for subj, name in best.items())


def unique_lines(texts: Iterable[str]) -> str:
    """The lines of all ``texts``, each once, in the order first seen (the union of N-Triples graphs)."""
    seen: dict[str, None] = {}
    for text in texts:
        seen.update(dict.fromkeys(text.splitlines(keepends=True)))
    return "".join(seen)


__all__ = ["nt_text", "term_nt", "to_nquads", "parse_triples", "type_closure_text", "superclass_strings", "unique_lines",
           "count_lines", "display_names_text"]
