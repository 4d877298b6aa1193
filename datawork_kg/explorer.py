"""The data of the chain explorer (``/explore``): every chain with its places, links, money and sources.

:func:`explorer_data` reads the graph with a handful of SPARQL queries (below, one per question) and
returns one JSON-ready dict; :func:`write_explorer_data` writes it as ``explore.json`` next to the
store, which ``datawork build`` does for every release, so that the page needs no server (the static
publication copies the file) and the server only hands it out.

What the page draws, and where it comes from:

- a chain's **links** are its steps (``dw:hasStep`` / ``dw:stepIndex`` / ``dw:stepTie``) with the tie's
  orderer and supplier; a party's **places** are its countries (``dw:basedIn``, with their ISO 3166
  codes), else the countries an organisation operates in (``dw:operatesIn``: clients the source
  places in several countries), else its regions (``dw:inRegion``: a concept whose member countries
  are given by ``dw:RegionMembership`` items; the page draws a region at their centre, marked as a
  region). A party with no place, and every ``dw:UnknownParty``, is drawn in the
  "place not given" box of the map, not left out;
- **task functions** of a link: the functions of the tie's tasks, else of the chain's tasks;
  **organisational form** of a link: the supplier's form, else the orderer's (the form of the
  organisation the work is handed to, or that hands it to a worker);
- **value-chain patterns** of a chain: its own and its ties';
- **income groups**: the World Bank group of the lead's and of the end workers' countries in the
  chain's year (as ``chains-by-income-group``: the last tie's start year, else the study's first
  fieldwork year, its last, its publication year), from the GNI data of the year before
  (``docs/north-south.md``);
- **money**: for each chain, each currency and unit in which every link has a paid amount (offers
  that were not paid, bids and listed prices, are left out) gives a value flow: the price at the top
  (the amount on step 1), the amount passed down each link and the share of the price it is. A range
  counts at its midpoint and is kept as a range; where a link has several amounts in one currency
  and unit, the largest is taken;
- **sources**: the sections (``dw:reportedIn``) of every chain and tie, with their study.

The module is part of the library: it imports nothing of the web part.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .iris import DEFAULT_BASE
from .namespace import DW_NS

FORMAT = "datawork-explorer/1"
FILE_NAME = "explore.json"

PREFIXES = """PREFIX dw: <https://w3id.org/datawork/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# The kinds of party the page tells apart (the most specific class a party has of these)
PARTY_KINDS = ("LeadFirm", "Client", "Platform", "DataCompany", "BPO", "FinancialIntermediary", "Intermediary",
               "Firm", "AIProject", "WorkerCommunity", "PublicBody", "GroupOfFirms", "Worker", "WorkerGroup",
               "UnknownParty")

# Each chain with its study (a chain has one lead; the year is worked out in Python from the years below)
CHAINS = """
SELECT ?chain ?study WHERE { ?chain a dw:Chain ; dw:fromStudy ?study }
"""
CHAIN_NAMES = """
SELECT ?chain ?label WHERE { ?chain a dw:Chain ; dw:displayName ?label }
"""
CHAIN_LEADS = """
SELECT ?chain ?lead WHERE { ?chain a dw:Chain ; dw:leadFirm ?lead }
"""
CHAIN_GEOGRAPHY = """
SELECT ?chain ?geography WHERE { ?chain a dw:Chain ; dw:geographicMode ?geography }
"""
# The years a chain can be dated by: the start year of each link, the study's fieldwork and publication
TIE_YEARS = """
SELECT ?chain ?step ?year WHERE { ?chain dw:hasStep ?s . ?s dw:stepIndex ?step ; dw:stepTie/dw:startYear ?year }
"""
STUDY_YEARS = """
SELECT ?study ?fieldwork_start ?fieldwork_end ?published WHERE {
  ?study a dw:Study .
  OPTIONAL { ?study dw:fieldworkStart ?fieldwork_start }
  OPTIONAL { ?study dw:fieldworkEnd ?fieldwork_end }
  OPTIONAL { ?study dw:publicationYear ?published }
}
"""

# The links of each chain, in order
STEPS = """
SELECT ?chain ?step ?tie ?orderer ?supplier WHERE {
  ?chain dw:hasStep ?s .
  ?s dw:stepIndex ?step ;
     dw:stepTie ?tie .
  ?tie dw:orderer ?orderer ;
       dw:supplier ?supplier .
}
"""
FLOWS = """
SELECT ?tie ?flow WHERE { ?chain dw:hasTie ?tie . ?tie dw:flowKind ?flow }
"""

# The parties on the chains (dw:chainParty, materialised by the build: the orderers and suppliers of a
# chain's ties): their names, kinds (the classes the page tells apart), forms, countries and regions
PARTY_NAMES = """
SELECT DISTINCT ?party ?name WHERE { ?chain dw:chainParty ?party . ?party dw:displayName ?name }
"""
PARTY_KINDS_Q = """
SELECT DISTINCT ?party ?kind WHERE {
  ?chain dw:chainParty ?party .
  ?party a ?kind .
  VALUES ?kind { %KINDS% }
}
"""
PARTY_FORMS = """
SELECT DISTINCT ?party ?form WHERE { ?chain dw:chainParty ?party . ?party dw:organisationalForm ?form }
"""
PARTY_PLACES = """
SELECT DISTINCT ?party ?place WHERE { ?chain dw:chainParty ?party . ?party dw:basedIn ?place }
"""
PARTY_OPERATES = """
SELECT DISTINCT ?party ?place WHERE { ?chain dw:chainParty ?party . ?party dw:operatesIn ?place }
"""
PARTY_REGIONS = """
SELECT DISTINCT ?party ?region WHERE { ?chain dw:chainParty ?party . ?party dw:inRegion ?region }
"""

# The countries parties are based or operate in, with their ISO codes
COUNTRIES = """
SELECT DISTINCT ?place ?name ?iso2 ?numeric WHERE {
  ?party dw:basedIn|dw:operatesIn ?place .
  ?place dw:isoAlpha2 ?iso2 .
  OPTIONAL { ?place dw:displayName ?name }
  OPTIONAL { ?place dw:isoNumeric ?numeric }
}
"""
# The regions parties are placed in (instead of, or besides, countries), with their names
REGIONS = """
SELECT DISTINCT ?place ?name WHERE {
  ?party dw:inRegion ?place .
  OPTIONAL { ?place skos:prefLabel|dw:displayName ?name }
}
"""
# The member countries of those regions (ever: the map draws a region once, at the centre of its members)
REGION_MEMBERS = """
SELECT DISTINCT ?place ?iso2 WHERE {
  ?party dw:inRegion ?place .
  ?membership dw:membershipRegion ?place ;
              dw:memberCountry/dw:isoAlpha2 ?iso2 .
}
"""

# The task functions of each link: of its own tasks, and of its chain's tasks
FUNCTIONS = """
SELECT DISTINCT ?chain ?tie ?function WHERE {
  ?chain a dw:Chain .
  { ?chain dw:hasTie ?tie . ?tie dw:forTask/dw:taskFunction ?function }
  UNION
  { ?chain dw:forTask/dw:taskFunction ?function }
}
"""

# The value-chain patterns of each chain: its own and its links'
PATTERNS = """
SELECT DISTINCT ?chain ?pattern WHERE {
  ?chain a dw:Chain .
  { ?chain dw:valueChainPattern ?pattern } UNION { ?chain dw:hasTie/dw:valueChainPattern ?pattern }
}
"""

# The end workers of each chain (materialised by the build: dw:endWorker)
END_WORKERS = """
SELECT ?chain ?worker WHERE { ?chain a dw:Chain ; dw:endWorker ?worker }
"""

# The money paid along each link of a chain (not bids or listed prices)
PAY = """
SELECT ?tie ?pay ?kind ?currency ?unit ?amount ?min_amount ?max_amount WHERE {
  ?chain a dw:Chain ;
         dw:hasTie ?tie .
  ?pay dw:alongTie ?tie ;
       dw:remunerationKind ?kind ;
       dw:currencyCode ?currency ;
       dw:unitBasis ?unit .
  FILTER(?kind NOT IN (dw:paykind-bid, dw:paykind-listed-price))
  OPTIONAL { ?pay dw:amount ?amount }
  OPTIONAL { ?pay dw:minAmount ?min_amount }
  OPTIONAL { ?pay dw:maxAmount ?max_amount }
}
"""

# The World Bank income group of each country, by the year of the GNI data it rests on
INCOME = """
SELECT ?country ?gni_year ?group WHERE {
  ?a a dw:IncomeGroupAssignment ;
     dw:classifiedCountry ?country ;
     dw:gniDataYear ?gni_year ;
     dw:incomeGroup/skos:notation ?group .
}
"""

# The sections that report each chain, and each link of a chain
CHAIN_SECTIONS = """
SELECT ?chain ?section WHERE { ?chain a dw:Chain ; dw:reportedIn ?section }
"""
TIE_SECTIONS = """
SELECT DISTINCT ?tie ?section WHERE { ?chain a dw:Chain ; dw:hasTie ?tie . ?tie dw:reportedIn ?section }
"""

# Sections and studies: what the side panel cites
SOURCES = """
SELECT ?section ?heading ?study ?title ?authors ?year ?venue ?outlet ?identifier WHERE {
  ?section a dw:Section ;
           dcterms:isPartOf ?study .
  OPTIONAL { ?section dw:displayName ?heading }
  OPTIONAL { ?study dcterms:title ?title }
  OPTIONAL { ?study dw:authorList ?authors }
  OPTIONAL { ?study dw:publicationYear ?year }
  OPTIONAL { ?study dw:venue ?venue }
  OPTIONAL { ?study dcterms:publisher/dw:displayName ?outlet }
  OPTIONAL { ?study dcterms:identifier ?identifier }
}
"""

# The labels of the codes the page shows (task functions, forms, patterns, units, income groups)
CODES = """
SELECT ?code ?label ?scheme ?notation WHERE {
  VALUES ?scheme { dw:TaskFunctionScheme dw:OrganisationalFormScheme dw:ValueChainPatternScheme
                   dw:UnitBasisScheme dw:IncomeGroupScheme dw:GeographicModeScheme dw:FlowKindScheme }
  ?code skos:inScheme ?scheme ;
        skos:prefLabel ?label .
  OPTIONAL { ?code skos:notation ?notation }
}
"""


def _rows(store: ox.Store, text: str) -> list[dict[str, Any]]:
    """The solutions of a SELECT as dicts of Python values (IRIs and strings as str, numbers as numbers)."""
    res = store.query(PREFIXES + text)
    names = [v.value for v in res.variables]
    out = []
    for sol in res:
        row = {}
        for name, term in zip(names, sol):
            row[name] = None if term is None else _value(term)
        out.append(row)
    return out


_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in
            ("integer", "int", "long", "short", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger",
             "gYear")}


def _value(term) -> Any:
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        text = term.value
        try:
            return int(text)
        except ValueError:
            try:
                return float(Decimal(text))
            except ArithmeticError:
                return text
    return term.value


def _short_citation(authors: str | None, year: int | None) -> str | None:
    """'Tubaro et al. 2025' from the author list 'Paola Tubaro; Antonio A. Casilli; ...' and the year."""
    if not authors:
        return None
    names = [a.strip() for a in authors.split(";") if a.strip()]
    if not names:
        return None
    first = names[0].split()[-1]
    who = first if len(names) == 1 else (f"{first} and {names[1].split()[-1]}" if len(names) == 2 else f"{first} et al.")
    return f"{who} {year if year else 'n.d.'}"


def _year_of(row: dict) -> tuple[int | None, str]:
    for key, basis in (("tie_year", "tie start year"), ("fieldwork_start", "fieldwork start"),
                       ("fieldwork_end", "fieldwork end"), ("published", "publication year")):
        if isinstance(row.get(key), int):
            return row[key], basis
    return None, "none"


def _money(ties: list[dict], pays: dict[str, list[dict]]) -> list[dict]:
    """The value flows of a chain: one per currency and unit in which every link has a paid amount."""
    if not ties:
        return []
    by_key: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for t in ties:
        for p in pays.get(t["tie"], ()):
            mid = p["value"]
            if mid is None:
                continue
            key = (p["currency"], p["unit"])
            best = by_key[key].get(t["tie"])
            if best is None or mid > best["value"]:
                by_key[key][t["tie"]] = p
    flows = []
    for (currency, unit), chosen in sorted(by_key.items()):
        if len(chosen) != len(ties):
            continue
        top = [t for t in ties if t["step"] == ties[0]["step"]]
        price = sum(chosen[t["tie"]]["value"] for t in top)
        if not price:
            continue
        links = []
        for t in ties:
            p = chosen[t["tie"]]
            links.append({"tie": t["tie"], "step": t["step"], "from": t["from"], "to": t["to"], "pay": p["pay"],
                          "amount": p["value"], "min": p["min"], "max": p["max"],
                          "share": round(p["value"] / price, 4)})
        flows.append({"currency": currency, "unit": unit, "price": price, "links": links})
    return flows


def explorer_data(store: ox.Store, *, base: str = DEFAULT_BASE, release: str | None = None) -> dict:
    """Everything the explorer draws, read from the graph: a JSON-ready dict (format ``FORMAT``)."""
    kinds = " ".join(f"dw:{k}" for k in PARTY_KINDS)
    codes: dict[str, dict] = {}
    for r in _rows(store, CODES):
        entry = codes.setdefault(r["code"], {"label": r["label"], "scheme": r["scheme"][len(DW_NS):]})
        if r["label"] < entry["label"] and not entry.get("notation"):
            entry["label"] = r["label"]
        if r.get("notation"):
            entry["notation"] = r["notation"]

    # parties and their places
    parties: dict[str, dict] = defaultdict(lambda: {"name": None, "kind": None, "forms": [], "places": [], "operates": [],
                                                   "regions": []})
    for r in _rows(store, PARTY_NAMES):
        p = parties[r["party"]]
        if p["name"] is None or r["name"] < p["name"]:
            p["name"] = r["name"]
    rank = {f"{DW_NS}{k}": i for i, k in enumerate(PARTY_KINDS)}
    for r in _rows(store, PARTY_KINDS_Q.replace("%KINDS%", kinds)):
        p = parties[r["party"]]
        if p["kind"] is None or rank[f"{DW_NS}{p['kind']}"] > rank[r["kind"]]:
            p["kind"] = r["kind"][len(DW_NS):]
    for r in _rows(store, PARTY_FORMS):
        parties[r["party"]]["forms"].append(r["form"])
    for r in _rows(store, PARTY_PLACES):
        parties[r["party"]]["places"].append(r["place"])
    for r in _rows(store, PARTY_OPERATES):
        parties[r["party"]]["operates"].append(r["place"])
    for r in _rows(store, PARTY_REGIONS):
        parties[r["party"]]["regions"].append(r["region"])
    for p in parties.values():
        p["forms"].sort()
        p["places"].sort()
        p["operates"].sort()
        p["regions"].sort()

    places: dict[str, dict] = {}
    for r in _rows(store, COUNTRIES):
        places[r["place"]] = {"name": r["name"], "kind": "country", "iso2": r["iso2"],
                              "numeric": None if r["numeric"] is None else str(r["numeric"]).zfill(3)}
    for r in _rows(store, REGIONS):
        pl = places.setdefault(r["place"], {"name": r["name"], "kind": "region", "members": []})
        if r["name"] and (pl["name"] is None or r["name"] < pl["name"]):
            pl["name"] = r["name"]
    for r in _rows(store, REGION_MEMBERS):
        if r["iso2"] not in places[r["place"]]["members"]:
            places[r["place"]]["members"].append(r["iso2"])
    for pl in places.values():
        if "members" in pl:
            pl["members"].sort()

    # chains and their links
    chains: dict[str, dict] = {}
    for r in _rows(store, CHAINS):
        chains[r["chain"]] = {"iri": r["chain"], "label": None, "study": r["study"], "lead": None, "geography": None,
                              "year": None, "year_basis": "none", "ties": [], "functions": [], "patterns": [],
                              "workers": [], "sections": []}
    for query, key, column in ((CHAIN_NAMES, "label", "label"), (CHAIN_LEADS, "lead", "lead"),
                               (CHAIN_GEOGRAPHY, "geography", "geography")):
        for r in _rows(store, query):
            c = chains.get(r["chain"])
            if c is not None and (c[key] is None or r[column] < c[key]):
                c[key] = r[column]
    flows = {r["tie"]: r["flow"] for r in _rows(store, FLOWS)}
    for r in _rows(store, STEPS):
        c = chains.get(r["chain"])
        if c is not None:
            c["ties"].append({"tie": r["tie"], "step": r["step"], "from": r["orderer"], "to": r["supplier"],
                              "flow": flows.get(r["tie"]), "functions": [], "sections": []})
    for c in chains.values():
        c["ties"].sort(key=lambda t: (t["step"], t["tie"]))
    # the chain's year: its last link's start year, else the study's fieldwork start, end, publication year
    last_tie_year: dict[str, tuple[int, int]] = {}
    for r in _rows(store, TIE_YEARS):
        c = chains.get(r["chain"])
        if c is not None and c["ties"] and r["step"] == c["ties"][-1]["step"]:
            last_tie_year[r["chain"]] = max(last_tie_year.get(r["chain"], (0, 0)), (r["step"], r["year"]))
    study_years = {r["study"]: r for r in _rows(store, STUDY_YEARS)}
    for cid, c in chains.items():
        row = dict(study_years.get(c["study"], {}))
        row["tie_year"] = last_tie_year.get(cid, (None, None))[1]
        c["year"], c["year_basis"] = _year_of(row)
    tie_index = {(cid, t["tie"]): t for cid, c in chains.items() for t in c["ties"]}

    for r in _rows(store, FUNCTIONS):
        c = chains.get(r["chain"])
        if c is None:
            continue
        if r["tie"] is None:
            if r["function"] not in c["functions"]:
                c["functions"].append(r["function"])
        else:
            t = tie_index.get((r["chain"], r["tie"]))
            if t is not None and r["function"] not in t["functions"]:
                t["functions"].append(r["function"])
    for c in chains.values():
        for t in c["ties"]:
            t["functions"].sort()
            for f in t["functions"]:
                if f not in c["functions"]:
                    c["functions"].append(f)
        c["functions"].sort()
    for r in _rows(store, PATTERNS):
        if r["chain"] in chains:
            chains[r["chain"]]["patterns"].append(r["pattern"])
    for r in _rows(store, END_WORKERS):
        if r["chain"] in chains:
            chains[r["chain"]]["workers"].append(r["worker"])

    # money along the links
    pays: dict[str, list[dict]] = defaultdict(list)
    for r in _rows(store, PAY):
        lo, hi, amount = r["min_amount"], r["max_amount"], r["amount"]
        if amount is not None:
            value = amount
        elif lo is not None and hi is not None:
            value = (lo + hi) / 2
        else:
            value = lo if lo is not None else hi
        pays[r["tie"]].append({"pay": r["pay"], "currency": r["currency"], "unit": r["unit"], "value": value,
                               "min": lo, "max": hi})
    for p in pays.values():
        p.sort(key=lambda x: x["pay"])

    # income groups in the chain's year, from the GNI data of the year before
    income: dict[tuple[str, int], str] = {}
    for r in _rows(store, INCOME):
        income[(r["country"], r["gni_year"])] = r["group"]

    def groups(party_iris: list[str], year: int | None) -> list[str]:
        out = set()
        if year is None:
            return []
        for p in party_iris:
            for place in parties.get(p, {}).get("places", ()):
                g = income.get((place, year - 1))
                if g:
                    out.add(g)
        return sorted(out)

    # sources
    sections_of: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, CHAIN_SECTIONS):
        sections_of[r["chain"]].append(r["section"])
    for r in _rows(store, TIE_SECTIONS):
        sections_of[r["tie"]].append(r["section"])
    studies: dict[str, dict] = {}
    sections: dict[str, dict] = {}
    for r in _rows(store, SOURCES):
        sections[r["section"]] = {"heading": r["heading"], "study": r["study"]}
        studies.setdefault(r["study"], {"title": r["title"], "citation": _short_citation(r["authors"], r["year"]),
                                        "year": r["year"], "venue": r["venue"], "outlet": r["outlet"],
                                        "id": r["identifier"]})
    for r in _rows(store, "SELECT ?study ?title ?id WHERE { ?study a dw:Study . "
                          "OPTIONAL { ?study dcterms:title ?title } OPTIONAL { ?study dcterms:identifier ?id } }"):
        studies.setdefault(r["study"], {"title": r["title"], "citation": None, "year": None, "venue": None,
                                        "outlet": None, "id": r["id"]})

    out_chains = []
    for cid in sorted(chains):
        c = chains[cid]
        c["patterns"].sort()
        c["workers"].sort()
        c["sections"] = sorted(set(sections_of.get(cid, ())))
        for t in c["ties"]:
            t["sections"] = sorted(set(sections_of.get(t["tie"], ())))
        members = {p for t in c["ties"] for p in (t["from"], t["to"])}
        c["places"] = sorted({pl for p in members for key in ("places", "operates", "regions")
                              for pl in parties.get(p, {}).get(key, ())})
        c["lead_income"] = groups([c["lead"]] if c["lead"] else [], c["year"])
        c["worker_income"] = groups(c["workers"], c["year"])
        c["value"] = _money(c["ties"], pays)
        out_chains.append(c)

    used_parties = {p for c in out_chains for t in c["ties"] for p in (t["from"], t["to"])} | \
                   {c["lead"] for c in out_chains if c["lead"]}
    used_sections = {s for c in out_chains for s in c["sections"]} | \
                    {s for c in out_chains for t in c["ties"] for s in t["sections"]}
    return {
        "format": FORMAT,
        "release": release,
        "base": base,
        "chains": out_chains,
        "parties": {k: parties[k] for k in sorted(used_parties) if k in parties},
        "places": dict(sorted(places.items())),
        "studies": dict(sorted(studies.items())),
        "sections": {k: sections[k] for k in sorted(used_sections) if k in sections},
        "codes": dict(sorted(codes.items())),
    }


def write_explorer_data(store: ox.Store, path: Path | str, *, base: str = DEFAULT_BASE,
                        release: str | None = None) -> Path:
    """Write :func:`explorer_data` as compact JSON to ``path`` (through a temporary file: never half-written)."""
    path = Path(path)
    data = explorer_data(store, base=base, release=release)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


__all__ = ["explorer_data", "write_explorer_data", "FORMAT", "FILE_NAME"]
