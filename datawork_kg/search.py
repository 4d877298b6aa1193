"""Find a party, chain, task, country, study or concept by its name, as Wikidata's search box does.

A query matches a name when every word of the query begins a word of the name, case and accents
folded: ``tele paris`` finds "Télécom Paris", ``mada`` finds Madagascar, ``deep lab`` finds
"deep labour". Names are the labels of the graph (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``); an item is listed once, under its display name. Ranking: the whole name equal
to the query, then names that begin with it, then the rest; shorter names first, then in
alphabetical order.

The server searches an index read from the store once per release; ``datawork publish --static``
writes the same entries as ``search.json``, which the static site's page searches in the browser
with the same rules (``static/search.js``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

DW = "https://w3id.org/datawork/ontology#"
# what a reader looks for, in the order a kind is named when an item has several
KINDS: tuple[tuple[str, str], ...] = (
    (DW + "Chain", "chain"), (DW + "Worker", "worker"), (DW + "WorkerGroup", "worker group"),
    (DW + "LeadFirm", "lead firm"), (DW + "Platform", "platform"), (DW + "DataCompany", "data company"),
    (DW + "BPO", "BPO"), (DW + "FinancialIntermediary", "financial intermediary"),
    (DW + "Intermediary", "intermediary"), (DW + "Client", "client"), (DW + "Party", "party"),
    (DW + "Task", "task"), (DW + "Country", "country"), (DW + "Study", "study"),
    ("http://www.w3.org/2004/02/skos/core#Concept", "concept"),
)
_KIND_RANK = {iri: i for i, (iri, _) in enumerate(KINDS)}
_KIND_NAME = dict(KINDS)
_NON_WORD = re.compile(r"[^0-9a-z]+")

ENTRIES_QUERY = """PREFIX dw: <https://w3id.org/datawork/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?item ?type ?name ?label WHERE {
  VALUES ?type { %s }
  ?item a ?type ; rdfs:label|skos:prefLabel|skos:altLabel ?label .
  OPTIONAL { ?item dw:displayName ?name }
}""" % " ".join(f"<{iri}>" for iri, _ in KINDS)


def fold(text: str) -> str:
    """Lower case, accents removed, every run of other characters one space: 'Télécom  Paris' -> 'telecom paris'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NON_WORD.sub(" ", plain).strip()


@dataclass(frozen=True)
class Entry:
    iri: str
    name: str            # the display name
    kind: str            # 'chain', 'platform', 'country', 'concept' ...
    keys: tuple[str, ...]  # every label of the item, folded
    folded_name: str = ""  # the display name folded, for ordering (computed once, not per query)

    def __post_init__(self) -> None:
        if not self.folded_name:
            object.__setattr__(self, "folded_name", fold(self.name))


@dataclass(frozen=True)
class Hit:
    iri: str
    name: str
    kind: str
    matched: str          # the label that matched (folded)


def entries(store: ox.Store) -> list[Entry]:
    """Every searchable item of the store: its display name, its kind and its folded labels."""
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    keys: dict[str, set[str]] = {}
    for s in store.query(ENTRIES_QUERY):
        item = s["item"].value
        label = s["label"].value
        typ = s["type"].value
        if item not in kinds or _KIND_RANK[typ] < _KIND_RANK[kinds[item]]:
            kinds[item] = typ
        shown = s["name"].value if s["name"] is not None else label
        if item not in names or shown < names[item]:
            names[item] = shown
        folded = fold(label)
        if folded:
            keys.setdefault(item, set()).add(folded)
    return sorted((Entry(i, names[i], _KIND_NAME[kinds[i]], tuple(sorted(keys[i]))) for i in keys),
                  key=lambda e: (e.folded_name, e.iri))


def _rank(query: str, words: list[str], key: str) -> int | None:
    """0 the name is the query, 1 it begins with it, 2 every query word begins a word of it; else None."""
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    key_words = key.split()
    if all(any(k.startswith(w) for k in key_words) for w in words):
        return 2
    return None


def search(index: list[Entry], text: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
    """The items whose names match ``text`` (see the module's docstring), best first."""
    query = fold(text)
    if not query:
        return []
    words = query.split()
    found = []
    for e in index:
        if kind and e.kind != kind:
            continue
        best = None
        for key in e.keys:
            r = _rank(query, words, key)
            if r is not None and (best is None or (r, len(key)) < best[:2]):
                best = (r, len(key), key)
        if best is not None:
            found.append((best[0], best[1], e.folded_name, e.iri, Hit(e.iri, e.name, e.kind, best[2])))
    found.sort(key=lambda t: t[:4])
    return [t[4] for t in found[:max(0, limit)]]


def to_json(index: list[Entry]) -> dict:
    """The index as the static site's ``search.json``: [iri, name, kind, [folded labels]] per item."""
    return {"version": 1, "fold": "NFKD, combining marks removed, casefold, non-alphanumerics to one space",
            "items": [[e.iri, e.name, e.kind, list(e.keys)] for e in index]}


__all__ = ["fold", "entries", "search", "to_json", "Entry", "Hit", "KINDS"]
