"""Converting between pyoxigraph terms, rdflib terms and plain Python values."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def to_python(term):
    """A plain Python value for a result cell: int, Decimal->float, bool, date, str (IRIs as str)."""
    return convert(term)[0]


_KIND_OF_DATATYPE = {**{t: "integer" for t in _INTEGER_TYPES}, XSD + "decimal": "number", XSD + "double": "number",
                     XSD + "float": "number", XSD + "boolean": "boolean", XSD + "date": "date", XSD + "dateTime": "date"}


def convert(term) -> tuple:
    """``(value, kind)`` of a result cell: its plain Python value (int, Decimal->float, bool, date, str;
    IRIs as str) and its kind for typed headers, reading the term's datatype once (reading a pyoxigraph
    term's attributes is what a conversion costs). A lexical form its datatype rejects stays text."""
    if term is None:
        return None, "null"
    if isinstance(term, ox.NamedNode):
        return term.value, "iri"
    if isinstance(term, ox.BlankNode):
        return term.value, "bnode"
    dt = term.datatype.value
    kind = _KIND_OF_DATATYPE.get(dt)
    v = term.value
    if kind is None:
        return v, "string"
    try:
        if kind == "integer":
            return int(v), kind
        if kind == "number":
            return (float(Decimal(v)) if dt == XSD + "decimal" else float(v)), kind
        if kind == "boolean":
            return v in ("true", "1"), kind
        if dt == XSD + "date":
            return _dt.date.fromisoformat(v), kind
        return _dt.datetime.fromisoformat(v.replace("Z", "+00:00")), kind
    except ValueError:
        return v, kind


def from_sparql_json(cell: dict | None):
    """A pyoxigraph term from one cell of SPARQL 1.1 JSON results (None for an unbound variable)."""
    if cell is None:
        return None
    t = cell.get("type")
    if t == "uri":
        return ox.NamedNode(cell["value"])
    if t == "bnode":
        return ox.BlankNode(cell["value"])
    if "xml:lang" in cell:
        return ox.Literal(cell["value"], language=cell["xml:lang"])
    if "datatype" in cell:
        return ox.Literal(cell["value"], datatype=ox.NamedNode(cell["datatype"]))
    return ox.Literal(str(cell.get("value", "")))


def kind_of(term) -> str:
    """'iri', 'bnode', 'integer', 'number', 'boolean', 'date', 'string' ... for typed CSV/JSON headers."""
    return convert(term)[1]


__all__ = ["to_rdflib", "to_python", "kind_of", "convert", "from_sparql_json"]
