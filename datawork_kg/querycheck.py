"""What a SPARQL text asks for, decided from the parsed query rather than by matching words.

One check shared by ``datawork sparql``, ``datawork query``, the Python API and the server's query
workers:

- :func:`calls_service`: does the query contain a ``SERVICE`` call (a federated query)? The query
  is parsed (rdflib's SPARQL parser) and its algebra searched for a service pattern, so ``SERVICE``
  inside a prefixed name (``dw:form-managed-service``), a string, an IRI or a comment is not a call,
  while ``SERVICE:sparql`` or ``service :x`` is. Oxigraph's parser is more permissive than the
  grammar (it reads ``SERVICESILENT<x>`` and ``SERVICEfoo:bar`` as calls); a text that rdflib cannot
  parse therefore counts as federated whenever it contains the letters ``service`` anywhere, in any
  case: the check fails closed.
- :func:`update_keyword`: the first keyword after the prologue when it starts a SPARQL Update
  (``INSERT``, ``DELETE`` ...), read by a linear scan.
- :func:`too_deep` (and :func:`nesting_problem`, its message): where the query's brackets (groups,
  parentheses, blank-node lists) nest more than :data:`MAX_NESTING` deep: Oxigraph's parser recurses
  per level and crashes the whole process (a segmentation fault, not an exception) a few thousand
  levels down.

Parsing can be slow on hostile text: the server runs both inside its query workers, under the
query timeout, never in the process that answers requests.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

# Every pattern below is a single pass with no nested or overlapping repetition: linear in the text.
_SPACE = re.compile(r"(?:\s+|#[^\n]*)+")
_PREFIX_DECL = re.compile(r"PREFIX\s*[^\s:<>#]*:\s*(?:#[^\n]*\n\s*)*<[^<>\s]*>", re.I)
_BASE_DECL = re.compile(r"BASE\s*(?:#[^\n]*\n\s*)*<[^<>\s]*>", re.I)
_WORD = re.compile(r"[A-Za-z]+")
_SERVICE_LETTERS = re.compile(r"service", re.I)
# comments, strings and IRIs: what is left of a query once they are blanked are its keywords, variables,
# prefixed names, numbers and punctuation
_OPAQUE = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
_NOT_NEWLINE = re.compile(r"[^\n]")
_BRACKET = re.compile(r"[{}()\[\]]")
# 2,000 levels parse in Oxigraph 0.5 on this project's machines, 5,000 crash it; no real query nests 100
MAX_NESTING = 500


def blank_opaque(text: str) -> str:
    """``text`` with its comments, strings and IRIs replaced by spaces (same length, same lines)."""
    return _OPAQUE.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group(0)), text)


def too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """The line where the brackets of ``text`` (outside strings, IRIs and comments) first nest more than
    ``limit`` deep, else None."""
    if sum(text.count(c) for c in "{([") <= limit:  # cannot nest deeper than it opens (a scan in C)
        return None
    bare = blank_opaque(text)
    depth = 0
    for m in _BRACKET.finditer(bare):
        depth += 1 if m.group(0) in "{([" else -1
        if depth > limit:
            return bare.count("\n", 0, m.start()) + 1
    return None


def nesting_problem(text: str) -> str | None:
    """What to tell the author of a query nested too deep for the engine (:func:`too_deep`), else None."""
    line = too_deep(text)
    if line is None:
        return None
    return (f"the query nests brackets more than {MAX_NESTING} deep (line {line}), more than the query engine "
            "can parse safely")


def _skip_space(text: str, pos: int) -> int:
    m = _SPACE.match(text, pos)
    return m.end() if m else pos


def update_keyword(text: str) -> str | None:
    """The update keyword (upper case) that starts ``text`` after its PREFIX/BASE prologue, else None."""
    pos = _skip_space(text, 0)
    while True:
        m = _PREFIX_DECL.match(text, pos) or _BASE_DECL.match(text, pos)
        if m is None:
            break
        pos = _skip_space(text, m.end())
    m = _WORD.match(text, pos)
    word = m.group(0).upper() if m else None
    return word if word in UPDATE_KEYWORDS else None


def calls_service(text: str, prefixes: Mapping[str, str] | None = None) -> bool:
    """True if the query ``text`` contains a SERVICE call (see the module's docstring).

    ``prefixes``: prefixes predeclared for the query (as given to Oxigraph), so that a query using
    them without declaring them still parses.
    """
    if _SERVICE_LETTERS.search(text) is None:  # no engine reads SERVICE without these letters
        return False
    return _parsed_calls_service(text, tuple(sorted((prefixes or {}).items())))


@lru_cache(maxsize=256)
def _parsed_calls_service(text: str, prefixes: tuple[tuple[str, str], ...]) -> bool:
    try:
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        algebra = translateQuery(parseQuery(text), initNs=dict(prefixes)).algebra
    except Exception:  # noqa: BLE001 - unparseable by rdflib: fail closed (the letters are there)
        return True
    return _has_service(algebra)


def _has_service(node) -> bool:
    """Depth-first search of rdflib's algebra (nested dicts and lists) for a ServiceGraphPattern."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if getattr(n, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple, set)):
            stack.extend(n)
    return False


__all__ = ["calls_service", "update_keyword", "UPDATE_KEYWORDS"]
