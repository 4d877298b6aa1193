"""Links from the graph to the open datasets of the field, offline first.

The reference data ships as a small snapshot in ``datawork_kg/reference/`` (see its ``SOURCES.md``):
ISO 3166 and ISO 4217 codes, Wikidata QIDs, GeoNames IDs, World Bank regions and the World Bank's
historical income classification, and an ISCO-08 mapping of the work-kind code list.

- :func:`reference_graph` writes the named graph ``id/graph/reference`` for the countries, cities,
  currencies and shared organisations that the loaded case files use (or for everything).
- :func:`north_south` is the project's one Global North / South convention (``docs/north-south.md``).
- :func:`linksets` describes the links as VoID linksets.
- :func:`refresh` re-fetches the Wikidata part from a SPARQL endpoint, shows the differences and writes
  the snapshot only when accepted. It never leaves a half-written snapshot.

Nothing here touches the network except :func:`refresh`.
"""
from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import json
import os
import re
import socket
import tempfile
import urllib.error
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .errors import LinkError
from .iris import IRIs, concept, slugify
from .namespace import DCAT, DW, SCHEMA, VOID, WD
from .resources import reference_dir

if TYPE_CHECKING:  # pragma: no cover
    from .loaders.base import LoadedGraph
    from .regions import Region

GEONAMES = "https://sws.geonames.org/"
ISCO = "http://data.europa.eu/esco/isco/"
ISCO_SCHEME = URIRef("http://data.europa.eu/esco/concept-scheme/isco")
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
WDT = "http://www.wikidata.org/prop/direct/"
USER_AGENT = "datawork-kg/0.1 (https://w3id.org/datawork; reference-data refresh)"

INCOME_GROUPS = {"L": "low income", "LM": "lower middle income", "UM": "upper middle income", "H": "high income"}
SOUTH_GROUPS = ("L", "LM", "UM")
NORTH_GROUPS = ("H",)

COUNTRY_FIELDS = ["alpha2", "alpha3", "numeric", "name", "wikidata", "wikidata_label", "geonames_id",
                  "wb_region", "wb_region_name"]
INCOME_FIELDS = ["iso3", "fiscal_year", "gni_data_year", "income_group", "flag"]
CITY_FIELDS = ["slug", "name", "country", "kind", "geonames_id", "wikidata", "wikidata_label", "aliases"]
ORG_FIELDS = ["global_id", "name", "wikidata", "wikidata_label", "successor", "relation", "year", "part_of", "note"]
CURRENCY_FIELDS = ["code", "numeric", "name", "wikidata"]
OCCUPATION_FIELDS = ["work_kind", "match", "isco_code", "isco_label", "note"]
FILES = {"countries.csv": COUNTRY_FIELDS, "income-groups.csv": INCOME_FIELDS, "cities.csv": CITY_FIELDS,
         "organisations.csv": ORG_FIELDS, "currencies.csv": CURRENCY_FIELDS, "occupations.csv": OCCUPATION_FIELDS}
QID = re.compile(r"^Q[1-9][0-9]*$")


# --------------------------------------------------------------------------------------------- snapshot
@dataclass(frozen=True)
class IncomeEntry:
    """One row of the World Bank history: an economy's group in one fiscal year."""

    iso3: str
    fiscal_year: str  # "FY16"
    gni_data_year: int  # 2014 for FY16
    income_group: str  # L, LM, UM, H
    flag: str = ""  # "*" where the World Bank marks the entry (see SOURCES.md)

    @property
    def fiscal_year_number(self) -> int:
        return fiscal_year_number(self.fiscal_year)


@dataclass
class Snapshot:
    """The reference data of one snapshot directory, as rows keyed by their natural key."""

    directory: Path
    countries: dict[str, dict[str, str]]  # alpha2 -> row
    income: dict[str, list[IncomeEntry]]  # iso3 -> rows by fiscal year
    cities: dict[str, dict[str, str]]  # slug -> row
    organisations: dict[str, dict[str, str]]  # global_id -> row
    currencies: dict[str, dict[str, str]]  # code -> row
    occupations: dict[str, dict[str, str]]  # work kind -> row
    sources: dict[str, dict]
    city_aliases: dict[str, str] = field(default_factory=dict)  # alias slug -> slug

    def city(self, slug: str) -> dict[str, str] | None:
        slug = slugify(slug)
        if slug in self.cities:
            return self.cities[slug]
        return self.cities.get(self.city_aliases.get(slug, ""))

    def income_entry(self, alpha2: str, fiscal_year: int) -> IncomeEntry | None:
        country = self.countries.get(alpha2.upper())
        if country is None:
            return None
        for entry in self.income.get(country["alpha3"], []):
            if entry.fiscal_year_number == fiscal_year:
                return entry
        return None


def fiscal_year_label(year: int) -> str:
    """2016 -> 'FY16' (the World Bank's label of the fiscal year ending in June 2016)."""
    return f"FY{year % 100:02d}"


def fiscal_year_number(label: str) -> int:
    """'FY16' -> 2016, 'FY89' -> 1989 (the history starts at FY89)."""
    m = re.fullmatch(r"FY(\d{2})", label)
    if not m:
        raise ValueError(f"not a World Bank fiscal year label: {label!r}")
    yy = int(m.group(1))
    return (1900 if yy >= 80 else 2000) + yy


def _read_csv(path: Path, fields: list[str]) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LinkError(f"cannot read the reference snapshot file: {exc.strerror}", file=str(path),
                        hint="reinstall datawork-kg or restore the file from the repository") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != fields:
        raise LinkError(f"unexpected columns {reader.fieldnames}", file=str(path), line=1,
                        hint=f"the columns must be: {', '.join(fields)}")
    rows = []
    for i, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise LinkError("wrong number of values in this row", file=str(path), line=i)
        rows.append(row)
    return rows


def load_snapshot(directory: Path | str | None = None) -> Snapshot:
    """Read a snapshot directory (default: the one shipped in the package)."""
    if directory is None:
        return _default_snapshot()
    return _load_snapshot(Path(directory))


@functools.lru_cache(maxsize=1)
def _default_snapshot() -> Snapshot:
    return _load_snapshot(reference_dir())


def _load_snapshot(d: Path) -> Snapshot:
    rows = {name: _read_csv(d / name, fields) for name, fields in FILES.items()}
    income: dict[str, list[IncomeEntry]] = {}
    for i, r in enumerate(rows["income-groups.csv"], start=2):
        if r["income_group"] not in INCOME_GROUPS or not r["gni_data_year"].isdigit():
            raise LinkError(f"bad income-group row {r}", file=str(d / "income-groups.csv"), line=i)
        income.setdefault(r["iso3"], []).append(
            IncomeEntry(r["iso3"], r["fiscal_year"], int(r["gni_data_year"]), r["income_group"], r["flag"]))
    for entries in income.values():
        entries.sort(key=lambda e: e.fiscal_year_number)
    cities = {r["slug"]: r for r in rows["cities.csv"]}
    aliases = {slugify(a): r["slug"] for r in rows["cities.csv"] for a in r["aliases"].split("|") if a}
    try:
        sources = json.loads((d / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LinkError(f"cannot read sources.json: {exc}", file=str(d / "sources.json")) from None
    return Snapshot(d, {r["alpha2"]: r for r in rows["countries.csv"]}, income, cities,
                    {r["global_id"]: r for r in rows["organisations.csv"]},
                    {r["code"]: r for r in rows["currencies.csv"]},
                    {r["work_kind"]: r for r in rows["occupations.csv"]}, sources, aliases)


# ------------------------------------------------------------------------------------ income / N-S
def income_group(country_iso2: str, year: int, *, snapshot: Snapshot | None = None) -> IncomeEntry | None:
    """The World Bank classification in force during calendar year ``year``.

    That is the classification released in July of ``year``: fiscal year FY(year+1), based on GNI per
    capita of ``year - 1``. ``None`` when the World Bank did not classify the economy then.
    """
    snap = snapshot or load_snapshot()
    return snap.income_entry(country_iso2, year + 1)


def north_south(country_iso2: str, year: int, *, snapshot: Snapshot | None = None) -> bool | None:
    """True if the country is in the Global South in ``year``, False if in the North, None if unknown.

    The convention (``docs/north-south.md``): Global South = low, lower-middle or upper-middle income in
    the World Bank classification released in the fieldwork year, i.e. fiscal year FY(year+1);
    Global North = high income in that classification.
    """
    entry = income_group(country_iso2, year, snapshot=snapshot)
    if entry is None:
        return None
    return entry.income_group in SOUTH_GROUPS


# ------------------------------------------------------------------------------------ the graph
def _source_iri(iris: IRIs, key: str) -> URIRef:
    return iris("source", key)


def _date(value: str | None) -> Literal | None:
    if not value:
        return None
    return Literal(f"{value}T00:00:00", datatype=XSD.dateTime)


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def reference_graph(loaded: "list[LoadedGraph] | None", iris: IRIs, *,
                    countries: Iterable[str] | None = None,
                    cities: Mapping[str, str] | Iterable[str] | None = None,
                    currencies: Iterable[str] | None = None,
                    organisations: Iterable[str] | None = None,
                    snapshot: Snapshot | None = None) -> Graph:
    """The named graph ``id/graph/reference``: links of the resources the graph uses.

    Args:
        loaded: the loaded case files; their countries, cities, currencies and shared organisations
            are linked. ``None`` (and no explicit set below) links everything in the snapshot.
        iris: the IRI minter of the build.
        countries, cities, currencies, organisations: extra ISO codes / city slugs (or slug -> country)
            / ISO 4217 codes / global ids to link, on top of those of ``loaded``.
        snapshot: the reference data (default: the shipped snapshot).

    Returns:
        an rdflib Graph whose identifier is the reference graph IRI.
    """
    snap = snapshot or load_snapshot()
    used_countries: set[str] = {c.upper() for c in countries or ()}
    used_cities: dict[str, str] = {}
    if isinstance(cities, Mapping):
        used_cities.update({slugify(k): v for k, v in cities.items()})
    else:
        used_cities.update({slugify(k): "" for k in cities or ()})
    used_currencies: set[str] = {c.upper() for c in currencies or ()}
    used_orgs: set[str] = set(organisations or ())
    in_case_files: set[str] = set()
    city_in_case_files: set[str] = set()
    explicit = any(x for x in (used_countries, used_cities, used_currencies, used_orgs))
    if loaded is None and not explicit:
        used_countries = set(snap.countries)
        used_cities = {s: "" for s in snap.cities}
        used_currencies = {c for c, r in snap.currencies.items() if r["wikidata"]}
        used_orgs = set(snap.organisations)
    for lg in loaded or []:
        used_countries |= {c.upper() for c in lg.countries}
        for slug, cc in lg.cities.items():
            used_cities.setdefault(slug, cc)
            city_in_case_files.add(slug)
        used_currencies |= {c.upper() for c in lg.currencies}
        used_orgs |= set(lg.organisations)
        in_case_files |= set(lg.organisations)

    g = Graph(identifier=iris.graph("reference"))
    for prefix, ns in (("dw", DW), ("wd", WD), ("owl", OWL), ("skos", SKOS), ("prov", PROV), ("dcterms", DCTERMS),
                       ("schema", SCHEMA), ("isco", ISCO), ("dcat", DCAT)):
        g.bind(prefix, ns)

    _emit_sources(g, iris, snap)
    _emit_schemes(g, snap)
    _emit_north_south(g, iris)

    # cities first: they add their countries
    for slug in sorted(used_cities):
        row = snap.city(slug)
        if row is None:
            continue
        c = iris("city", slug)
        g.add((c, RDF.type, DW.City))
        if slug not in city_in_case_files:
            g.add((c, RDFS.label, _en(row["name"])))
        if row["wikidata"]:
            g.add((c, OWL.sameAs, WD[row["wikidata"]]))
        if row["geonames_id"]:
            g.add((c, DW.geonamesId, Literal(row["geonames_id"])))
            g.add((c, RDFS.seeAlso, URIRef(f"{GEONAMES}{row['geonames_id']}/")))
        if row["country"]:
            g.add((c, DW.inCountry, iris.country(row["country"])))
            used_countries.add(row["country"])
        if row["kind"] != "city":
            g.add((c, RDFS.comment, _en(f"a {row['kind'].replace('-', ' ')}, not a single city")))

    for code in sorted(used_countries):
        _emit_country(g, iris, snap, code)
    _emit_regions(g, iris, snap, used_countries)

    for code in sorted(used_currencies):
        cur = pycountry.currencies.get(alpha_3=code)
        row = snap.currencies.get(code)
        if cur is None and row is None:
            continue
        c = iris.currency(code)
        g.add((c, RDF.type, DW.Currency))
        g.add((c, DW.currencyCode, Literal(code)))
        g.add((c, SKOS.notation, Literal(code)))
        if cur is not None:
            g.add((c, RDFS.label, _en(cur.name)))
            g.add((c, DW.isoNumeric, Literal(cur.numeric)))
        if row and row["wikidata"]:
            g.add((c, OWL.sameAs, WD[row["wikidata"]]))

    # organisations and, transitively, their successors and parents
    todo = sorted(used_orgs)
    seen: set[str] = set()
    while todo:
        gid = todo.pop(0)
        if gid in seen:
            continue
        seen.add(gid)
        row = snap.organisations.get(gid)
        if row is None:
            continue
        o = iris("organisation", gid)
        if gid not in in_case_files:
            g.add((o, RDF.type, DW.Organisation))
            g.add((o, RDFS.label, _en(row["name"])))
            g.add((o, SCHEMA.name, Literal(row["name"])))
        if row["wikidata"]:
            g.add((o, OWL.sameAs, WD[row["wikidata"]]))
        if row["successor"]:
            prop = DW.renamedTo if row["relation"] == "renamed" else DW.mergedInto
            g.add((o, prop, iris("organisation", row["successor"])))
            # the history is not in the papers: it says where it comes from
            if "organisation-history" in snap.sources:
                g.add((o, DCTERMS.source, _source_iri(iris, "organisation-history")))
            if row["year"]:
                year_prop = DW.renameYear if row["relation"] == "renamed" else DW.mergerYear
                g.add((o, year_prop, Literal(int(row["year"]), datatype=XSD.integer)))
            todo.append(row["successor"])
        if row["part_of"]:
            g.add((o, DW.partOf, iris("organisation", row["part_of"])))
            todo.append(row["part_of"])

    # work kinds -> ISCO-08
    for kind, row in sorted(snap.occupations.items()):
        if row["match"] == "none" or not row["isco_code"]:
            continue
        target = URIRef(f"{ISCO}C{row['isco_code']}")
        prop = SKOS.exactMatch if row["match"] == "exact" else SKOS.closeMatch
        g.add((concept("work", kind), prop, target))
        g.add((target, SKOS.prefLabel, _en(row["isco_label"])))
        g.add((target, SKOS.notation, Literal(row["isco_code"])))
        g.add((target, SKOS.inScheme, ISCO_SCHEME))

    gi = g.identifier
    g.add((gi, RDF.type, PROV.Entity))
    g.add((gi, RDFS.label, _en("links to ISO 3166, ISO 4217, Wikidata, GeoNames, World Bank and ISCO-08")))
    for key in sorted(snap.sources):
        g.add((gi, PROV.wasDerivedFrom, _source_iri(iris, key)))
    return g


def _emit_sources(g: Graph, iris: IRIs, snap: Snapshot) -> None:
    for key, meta in sorted(snap.sources.items()):
        s = _source_iri(iris, key)
        g.add((s, RDF.type, PROV.Entity))
        g.add((s, RDF.type, DCAT.Dataset))
        g.add((s, RDFS.label, _en(meta.get("title", key))))
        if meta.get("publisher"):
            g.add((s, DCTERMS.publisher, Literal(meta["publisher"])))
        if meta.get("url"):
            g.add((s, DCTERMS.source, URIRef(meta["url"])))
        if meta.get("licence"):
            g.add((s, DCTERMS.license, URIRef(meta["licence"])))
        if meta.get("licence_name"):
            g.add((s, DCTERMS.rights, Literal(meta["licence_name"])))
        if meta.get("via"):
            g.add((s, RDFS.comment, _en(f"taken from {meta['via']}")))
        retrieved = _date(meta.get("refreshed") or meta.get("retrieved"))
        if retrieved is not None:
            g.add((s, PROV.generatedAtTime, retrieved))


def _emit_schemes(g: Graph, snap: Snapshot) -> None:
    g.add((DW.IncomeGroupScheme, RDF.type, SKOS.ConceptScheme))
    g.add((DW.IncomeGroupScheme, SKOS.prefLabel, _en("World Bank income groups")))
    for code, label in INCOME_GROUPS.items():
        c = concept("income", code)
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.prefLabel, _en(label)))
        g.add((c, SKOS.notation, Literal(code)))
        g.add((c, SKOS.inScheme, DW.IncomeGroupScheme))
    g.add((DW.WorldBankRegionScheme, RDF.type, SKOS.ConceptScheme))
    g.add((DW.WorldBankRegionScheme, SKOS.prefLabel, _en("World Bank regions")))
    regions = {r["wb_region"]: r["wb_region_name"] for r in snap.countries.values() if r["wb_region"]}
    for code, label in sorted(regions.items()):
        c = concept("wbregion", code)
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.prefLabel, _en(label)))
        g.add((c, SKOS.notation, Literal(code)))
        g.add((c, SKOS.inScheme, DW.WorldBankRegionScheme))


REGION_SCHEMES = {"m49": ("M49RegionScheme", "UN M49 regions and sub-regions"),
                  "grouping": ("RegionGroupingScheme", "Groupings of countries that sources use"),
                  "world-bank": ("WorldBankRegionScheme", "World Bank regions")}


def region_side(region: "Region", gni_year: int, snap: Snapshot) -> tuple[str, int, int, int]:
    """The side of a region in the classification based on GNI data of ``gni_year``.

    Returns (side, north, south, unclassified): side is the region's own side for the Global North
    and South, else North or South when every classified member is on that side, mixed when both
    occur, and "" when no member is classified. The rule behind ``dw:RegionSideAssignment``.
    """
    north = south = unclassified = 0
    for c in sorted(region.countries(gni_year + 1)):
        entry = snap.income_entry(c, gni_year + 2)
        if entry is None:
            unclassified += 1
        elif entry.income_group in SOUTH_GROUPS:
            south += 1
        else:
            north += 1
    if region.side:
        return region.side, north, south, unclassified
    side = "mixed" if north and south else "North" if north else "South" if south else ""
    return side, north, south, unclassified


def _emit_regions(g: Graph, iris: IRIs, snap: Snapshot, emitted_countries: set[str]) -> None:
    """The region concepts, their member countries, and each region's side in each classification year."""
    from .regions import regions

    source = _source_iri(iris, "un-m49")
    for scheme, (local, label) in REGION_SCHEMES.items():
        if scheme != "world-bank":
            g.add((DW[local], RDF.type, SKOS.ConceptScheme))
            g.add((DW[local], SKOS.prefLabel, _en(label)))
    gni_years = sorted({e.gni_data_year for entries in snap.income.values() for e in entries})
    members: set[str] = set()
    for code, reg in sorted(regions().items()):
        c = reg.iri
        scheme = DW[REGION_SCHEMES[reg.scheme][0]]
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.prefLabel, _en(reg.label)))
        g.add((c, RDFS.label, _en(reg.label)))
        g.add((c, SKOS.notation, Literal(code)))
        g.add((c, SKOS.inScheme, scheme))
        if reg.m49:
            g.add((c, DW.m49Code, Literal(reg.m49)))
            g.add((c, DCTERMS.source, source))
            if reg.scheme == "grouping":  # a grouping read as an M49 region (Latin America, Southeast Asia)
                g.add((c, SKOS.related, [r for r in regions().values() if r.scheme == "m49" and r.m49 == reg.m49][0].iri))
        if reg.wikidata:
            g.add((c, SKOS.exactMatch, WD[reg.wikidata]))
        if reg.broader:
            g.add((c, SKOS.broader, regions()[reg.broader].iri))
        elif reg.scheme != "world-bank":
            g.add((c, SKOS.topConceptOf, scheme))
        if reg.side:
            g.add((c, DW.regionSide, Literal(reg.side)))
            g.add((c, RDFS.comment, _en(f"Membership follows the project's convention (docs/north-south.md): "
                                        f"the Global {reg.side} changes with the World Bank classification of each year.")))
        for m in reg.members:
            mi = iris("region-membership", f"{code}-{m.country}")
            g.add((mi, RDF.type, DW.RegionMembership))
            g.add((mi, DW.membershipRegion, c))
            g.add((mi, DW.memberCountry, iris.country(m.country)))
            if m.start is not None:
                g.add((mi, DW.memberFrom, Literal(m.start, datatype=XSD.integer)))
            if m.end is not None:
                g.add((mi, DW.memberUntil, Literal(m.end, datatype=XSD.integer)))
            members.add(m.country)
        for y in gni_years:
            side, north, south, unclassified = region_side(reg, y, snap)
            if not side:
                continue
            a = iris("region-side", f"{code}-{y}")
            g.add((a, RDF.type, DW.RegionSideAssignment))
            g.add((a, DW.classifiedRegion, c))
            g.add((a, DW.sideGniDataYear, Literal(y, datatype=XSD.integer)))
            g.add((a, DW.regionSide, Literal(side)))
            for prop, n in ((DW.northMembers, north), (DW.southMembers, south), (DW.unclassifiedMembers, unclassified)):
                g.add((a, prop, Literal(n, datatype=XSD.integer)))
    for code in sorted(members - emitted_countries):  # member countries the evidence does not name
        iso = pycountry.countries.get(alpha_2=code)
        c = iris.country(code)
        g.add((c, RDF.type, DW.Country))
        g.add((c, DW.isoAlpha2, Literal(code)))
        if iso is not None:
            g.add((c, RDFS.label, _en(iso.name)))


def north_south_iri(iris: IRIs | None = None) -> URIRef:
    """The project's one Global North / South classification, defined in the ontology
    (``dw:northsouth-wb-income``); the reference graph adds its data source."""
    return DW["northsouth-wb-income"]


def _emit_north_south(g: Graph, iris: IRIs) -> None:
    n = north_south_iri(iris)
    g.add((n, RDF.type, DW.NorthSouthClassification))
    g.add((n, RDFS.comment, _en(
        "Applied to each event in the World Bank classification released in its year Y, i.e. fiscal year FY(Y+1), "
        "based on GNI per capita of Y-1. See docs/north-south.md.")))
    g.add((n, DW.classificationSource, iris("source", "worldbank-income-history")))


def _emit_country(g: Graph, iris: IRIs, snap: Snapshot, code: str) -> None:
    iso = pycountry.countries.get(alpha_2=code)
    row = snap.countries.get(code)
    if iso is None and row is None:
        return
    c = iris.country(code)
    g.add((c, RDF.type, DW.Country))
    g.add((c, DW.isoAlpha2, Literal(code)))
    if iso is not None:  # ISO codes come from pycountry, not from the snapshot
        g.add((c, RDFS.label, _en(iso.name)))
        g.add((c, DW.isoAlpha3, Literal(iso.alpha_3)))
        g.add((c, DW.isoNumeric, Literal(iso.numeric)))
    if row is None:
        return
    if row["wikidata"]:
        g.add((c, OWL.sameAs, WD[row["wikidata"]]))
    if row["geonames_id"]:
        g.add((c, DW.geonamesId, Literal(row["geonames_id"])))
        g.add((c, RDFS.seeAlso, URIRef(f"{GEONAMES}{row['geonames_id']}/")))
    if row["wb_region"]:
        g.add((c, DW.worldBankRegion, concept("wbregion", row["wb_region"])))
    source = _source_iri(iris, "worldbank-income-history")
    name = iso.name if iso is not None else row["name"]
    for e in snap.income.get(row["alpha3"], []):
        a = iris("income-group", f"{code}-{e.fiscal_year}")
        g.add((a, RDF.type, DW.IncomeGroupAssignment))
        g.add((a, RDFS.label, _en(f"{name}: {INCOME_GROUPS[e.income_group]} (World Bank {e.fiscal_year}, "
                                  f"GNI of {e.gni_data_year})")))
        g.add((a, DW.classifiedCountry, c))
        g.add((a, DW.incomeGroup, concept("income", e.income_group)))
        g.add((a, DW.fiscalYear, Literal(e.fiscal_year)))
        g.add((a, DW.gniDataYear, Literal(e.gni_data_year, datatype=XSD.integer)))
        g.add((a, DW.classificationSource, source))
        if e.flag:
            g.add((a, RDFS.comment, _en("marked with an asterisk in the World Bank table (an entry the source "
                                        "annotates); the group letters are kept as given")))


def unreviewed_qids(loaded: "list[LoadedGraph]", *, snapshot: Snapshot | None = None) -> list[tuple[str, str, str]]:
    """(global_id, QID in a case file, QID in the snapshot) where a case file's ``wikidata`` differs.

    A case file's QID stays a ``dw:wikidataId`` string; only the reviewed snapshot makes ``owl:sameAs``.
    """
    snap = snapshot or load_snapshot()
    out = []
    for lg in loaded:
        for gid, qid in sorted(lg.organisations.items()):
            ref = snap.organisations.get(gid, {}).get("wikidata", "")
            if qid and qid != ref:
                out.append((gid, qid, ref))
    return sorted(set(out))


# ------------------------------------------------------------------------------------ VoID
@dataclass(frozen=True)
class _Target:
    key: str
    title: str
    homepage: str
    uri_space: str | None = None
    sparql: str | None = None
    licence: str | None = None


TARGETS = (
    _Target("wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/", WIKIDATA_ENDPOINT,
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    _Target("geonames", "GeoNames", "https://www.geonames.org/", GEONAMES, None,
            "https://creativecommons.org/licenses/by/4.0/"),
    _Target("iso-3166", "ISO 3166-1 country codes", "https://www.iso.org/iso-3166-country-codes.html"),
    _Target("iso-4217", "ISO 4217 currency codes", "https://www.iso.org/iso-4217-currency-codes.html"),
    _Target("world-bank", "World Bank country classification (regions and historical income groups)",
            "https://datahelpdesk.worldbank.org/knowledgebase/articles/906519-world-bank-country-and-lending-groups",
            None, None, "https://creativecommons.org/licenses/by/4.0/"),
    _Target("isco-08", "ISCO-08 (as published in ESCO)", "http://data.europa.eu/esco/concept-scheme/isco", ISCO),
)

# (target, link predicate, subjects of this class, objects in this IRI space). A linkset counts links
# only: triples whose object is an IRI in the other dataset's namespace. Codes kept as literals
# (dw:isoAlpha2, dw:currencyCode, dw:geonamesId) and the project's own concepts (World Bank regions and
# income groups as SKOS concepts under id/) are not links to another dataset.
LINK_KINDS: tuple[tuple[str, URIRef, URIRef | None, str], ...] = (
    ("wikidata", OWL.sameAs, None, "http://www.wikidata.org/entity/"),
    ("geonames", RDFS.seeAlso, None, GEONAMES),
    ("isco-08", SKOS.closeMatch, None, ISCO),
    ("isco-08", SKOS.exactMatch, None, ISCO),
)


def _local(p: URIRef) -> str:
    return re.split(r"[#/]", str(p))[-1]


def linksets(graph: Graph, *, iris: IRIs | None = None, dataset: URIRef | None = None) -> Graph:
    """VoID description of the links in ``graph``: one ``void:Linkset`` per target dataset and predicate.

    Each linkset gives ``void:target`` (our dataset and the target), ``void:subjectsTarget``,
    ``void:objectsTarget``, ``void:linkPredicate`` and ``void:triples`` (the count). Linksets with no
    link are left out.
    """
    iris = iris or IRIs()
    ours = dataset or iris("dataset", "datawork-kg")
    typed: dict[URIRef, set] = {}
    for cls in {k[2] for k in LINK_KINDS if k[2] is not None}:
        typed[cls] = set(graph.subjects(RDF.type, cls))
    counts: dict[tuple[str, URIRef], int] = {}
    for target, pred, cls, space in LINK_KINDS:
        n = 0
        for s, o in graph.subject_objects(pred):
            if cls is not None and s not in typed[cls]:
                continue
            if not (isinstance(o, URIRef) and str(o).startswith(space)):
                continue
            n += 1
        if n:
            counts[(target, pred)] = counts.get((target, pred), 0) + n

    v = Graph()
    v.bind("void", VOID)
    v.bind("dcterms", DCTERMS)
    v.bind("foaf", FOAF)
    v.add((ours, RDF.type, VOID.Dataset))
    used_targets = {t for t, _ in counts}
    for t in TARGETS:
        if t.key not in used_targets:
            continue
        d = iris("dataset", t.key)
        v.add((d, RDF.type, VOID.Dataset))
        v.add((d, DCTERMS.title, Literal(t.title, lang="en")))
        v.add((d, FOAF.homepage, URIRef(t.homepage)))
        if t.uri_space:
            v.add((d, VOID.uriSpace, Literal(t.uri_space)))
        if t.sparql:
            v.add((d, VOID.sparqlEndpoint, URIRef(t.sparql)))
        if t.licence:
            v.add((d, DCTERMS.license, URIRef(t.licence)))
    for (target, pred), n in sorted(counts.items()):
        ls = iris("linkset", f"{target}-{_local(pred)}")
        d = iris("dataset", target)
        v.add((ls, RDF.type, VOID.Linkset))
        v.add((ls, RDFS.label, Literal(f"{_local(pred)} links to {target}", lang="en")))
        v.add((ls, VOID.target, ours))
        v.add((ls, VOID.target, d))
        v.add((ls, VOID.subjectsTarget, ours))
        v.add((ls, VOID.objectsTarget, d))
        v.add((ls, VOID.linkPredicate, pred))
        v.add((ls, VOID.triples, Literal(n, datatype=XSD.integer)))
        v.add((ours, VOID.subset, ls))
    return v


# ------------------------------------------------------------------------------------ refresh
@dataclass(frozen=True)
class Change:
    """One difference between the snapshot and the endpoint."""

    file: str
    key: str
    column: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.column}: {self.old or '(empty)'} -> {self.new or '(empty)'}"


@dataclass
class RefreshResult:
    """What :func:`refresh` found and did."""

    snapshot_dir: Path
    endpoint: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things left as they are (not found, ambiguous)
    written: bool = False
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        if not self.changes:
            return f"reference snapshot up to date ({self.snapshot_dir})"
        n = len(self.changes)
        state = "written" if self.written else "not written"
        return f"{n} change{'s' if n != 1 else ''} to the reference snapshot, {state} ({self.snapshot_dir})"


def _sparql_select(endpoint: str, query: str, timeout: float) -> list[dict[str, dict]]:
    """Run a SELECT with SPARQLWrapper; every failure becomes a LinkError that says what happened."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    hint = "check the URL and your connection, or try again later; the snapshot was not changed"
    sw = SPARQLWrapper(endpoint, agent=USER_AGENT)
    sw.setQuery(query)
    sw.setMethod(POST)
    sw.setReturnFormat(JSON)
    sw.timeout = timeout  # setTimeout() rounds to whole seconds
    try:
        with warnings.catch_warnings():  # SPARQLWrapper warns on an unexpected content type; we raise below
            warnings.simplefilter("ignore")
            answer = sw.query().convert()
    except SPARQLWrapperException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LinkError(f"the SPARQL endpoint {endpoint} answered with an error: {first[:300]}", hint=hint) from None
    except urllib.error.HTTPError as exc:
        raise LinkError(f"the SPARQL endpoint {endpoint} answered HTTP {exc.code} {exc.reason}", hint=hint) from None
    except (TimeoutError, socket.timeout):
        raise LinkError(f"no answer from {endpoint} within {timeout:g} s (timeout)",
                        hint="try again later or give a longer --timeout; the snapshot was not changed") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise LinkError(f"no answer from {endpoint} within {timeout:g} s (timeout)",
                            hint="try again later or give a longer --timeout; the snapshot was not changed") from None
        raise LinkError(f"cannot reach the SPARQL endpoint {endpoint}: {exc.reason}", hint=hint) from None
    except (ValueError, TypeError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise LinkError(f"malformed answer from {endpoint}: not SPARQL JSON results ({str(exc)[:200]})",
                        hint="check that the URL is a SPARQL query endpoint; the snapshot was not changed") from None
    except OSError as exc:  # connection reset, refused, ...
        raise LinkError(f"network error talking to {endpoint}: {exc}", hint=hint) from None
    except Exception as exc:  # e.g. an XML parser error on a garbled answer
        raise LinkError(f"malformed answer from {endpoint}: {type(exc).__name__}: {str(exc)[:200]}",
                        hint="check that the URL is a SPARQL query endpoint; the snapshot was not changed") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), dict) \
            or not isinstance(answer["results"].get("bindings"), list):
        raise LinkError(f"malformed answer from {endpoint}: no SPARQL results (got {type(answer).__name__})",
                        hint="check that the URL is a SPARQL query endpoint; the snapshot was not changed")
    rows = answer["results"]["bindings"]
    for row in rows:
        if not isinstance(row, dict) or not all(isinstance(v, dict) and "value" in v for v in row.values()):
            raise LinkError(f"malformed answer from {endpoint}: a result row is not a SPARQL binding",
                            hint="the snapshot was not changed")
    return rows


def _qid(binding: dict | None, endpoint: str) -> str:
    if binding is None:
        return ""
    value = str(binding.get("value", ""))
    if binding.get("type") != "uri" or not value.startswith(str(WD)) or not QID.match(value[len(str(WD)):]):
        raise LinkError(f"malformed answer from {endpoint}: {value!r} is not a Wikidata item IRI",
                        hint="the endpoint must hold Wikidata-shaped data (wd:, wdt:); the snapshot was not changed")
    return value[len(str(WD)):]


def _literal(binding: dict | None) -> str:
    return "" if binding is None else str(binding.get("value", ""))


COUNTRY_QUERY = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?code ?item ?label WHERE {
  VALUES ?code { %s }
  ?item wdt:P297 ?code .
  FILTER NOT EXISTS { ?item wdt:P576 ?dissolved }
  OPTIONAL { ?item rdfs:label ?label . FILTER(LANG(?label) = "en") }
}"""

ITEM_QUERY = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?item ?label ?redirect WHERE {
  VALUES ?item { %s }
  OPTIONAL { ?item rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?item owl:sameAs ?redirect }
}"""


LABEL_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?name ?item WHERE {
  VALUES ?name { %s }
  ?item rdfs:label ?name ;
        wdt:P856 ?website .
}"""


def _find_missing_qids(endpoint: str, table: dict[str, dict[str, str]], timeout: float,
                       result: RefreshResult) -> dict[str, dict[str, str]]:
    """Propose QIDs for organisations that have none: items whose English label is the organisation's
    name and that have an official website (P856). Only a single match is proposed, and like every
    change it is shown and written only if accepted."""
    missing = {r["name"]: key for key, r in table.items() if not r.get("wikidata") and r.get("name")}
    if not missing:
        return {}
    names = " ".join(json.dumps(n) + "@en" for n in sorted(missing))
    found: dict[str, set[str]] = {}
    for r in _sparql_select(endpoint, LABEL_QUERY % names, timeout):
        found.setdefault(_literal(r.get("name")), set()).add(_qid(r.get("item"), endpoint))
    new: dict[str, dict[str, str]] = {}
    for name, key in sorted(missing.items()):
        qids = found.get(name, set())
        if len(qids) == 1:
            new[key] = {"wikidata": qids.pop(), "wikidata_label": name}
        elif len(qids) > 1:
            result.notes.append(f"organisations.csv: {key}: several items are labelled {name!r} "
                                f"({', '.join(sorted(qids))}); none proposed")
    return new


def _fetch_countries(endpoint: str, snap: Snapshot, timeout: float, result: RefreshResult) -> dict[str, dict[str, str]]:
    codes = sorted(snap.countries)
    found: dict[str, list[tuple[str, str]]] = {}
    for i in range(0, len(codes), 300):
        chunk = codes[i:i + 300]
        rows = _sparql_select(endpoint, COUNTRY_QUERY % " ".join(f'"{c}"' for c in chunk), timeout)
        for r in rows:
            code = _literal(r.get("code"))
            if code not in snap.countries:
                raise LinkError(f"malformed answer from {endpoint}: unexpected country code {code!r}",
                                hint="the snapshot was not changed")
            found.setdefault(code, []).append((_qid(r.get("item"), endpoint), _literal(r.get("label"))))
    new: dict[str, dict[str, str]] = {}
    for code in codes:
        old = snap.countries[code]
        items = sorted(set(found.get(code, [])))
        if not items:
            if old["wikidata"]:
                result.notes.append(f"countries.csv: {code}: no Wikidata item has ISO code {code}; kept {old['wikidata']}")
            continue
        qids = {q for q, _ in items}
        if len(qids) > 1 and old["wikidata"] not in qids:
            result.notes.append(f"countries.csv: {code}: several items have this ISO code "
                                f"({', '.join(sorted(qids))}); kept {old['wikidata'] or '(empty)'}")
            continue
        qid = old["wikidata"] if old["wikidata"] in qids else items[0][0]
        label = next((lab for q, lab in items if q == qid and lab), "")
        new[code] = {"wikidata": qid, "wikidata_label": label}
    result.checked["countries"] = len(codes)
    return new


def _fetch_items(endpoint: str, table: dict[str, dict[str, str]], file: str, timeout: float,
                 result: RefreshResult) -> dict[str, dict[str, str]]:
    qids = sorted({r["wikidata"] for r in table.values() if r.get("wikidata")})
    info: dict[str, tuple[str, str]] = {}
    for i in range(0, len(qids), 300):
        chunk = qids[i:i + 300]
        if not chunk:
            continue
        rows = _sparql_select(endpoint, ITEM_QUERY % " ".join(f"wd:{q}" for q in chunk), timeout)
        for r in rows:
            qid = _qid(r.get("item"), endpoint)
            redirect = _qid(r.get("redirect"), endpoint) if r.get("redirect") else ""
            label = _literal(r.get("label"))
            prev = info.get(qid, ("", ""))
            info[qid] = (prev[0] or label, prev[1] or redirect)
    new: dict[str, dict[str, str]] = {}
    for key, row in table.items():
        qid = row.get("wikidata", "")
        if not qid:
            continue
        label, redirect = info.get(qid, ("", ""))
        if redirect and redirect != qid:
            new[key] = {"wikidata": redirect, "wikidata_label": label}
            result.notes.append(f"{file}: {key}: {qid} is now a redirect to {redirect}")
        elif qid in info and label:
            new[key] = {"wikidata": qid, "wikidata_label": label}
        else:
            result.notes.append(f"{file}: {key}: {qid} not found on the endpoint; kept")
    result.checked[file.split(".")[0]] = len(qids)
    return new


def _diff(file: str, table: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[Change]:
    out = []
    for key in sorted(new):
        for column in ("wikidata", "wikidata_label"):
            old = table[key].get(column, "")
            if column in table[key] and new[key][column] != old:
                out.append(Change(file, key, column, old, new[key][column]))
    return out


def _render_csv(path: Path, fields: list[str], key: str, changes: list[Change]) -> str:
    rows = _read_csv(path, fields)
    by_key = {(c.key, c.column): c.new for c in changes}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for row in rows:
        for column in fields:
            if (row[key], column) in by_key:
                row[column] = by_key[(row[key], column)]
        w.writerow(row)
    return buf.getvalue()


def _write_atomically(directory: Path, contents: dict[str, str]) -> None:
    """Write every file to a temporary sibling first; replace the originals only when all are written."""
    temps: dict[str, str] = {}
    try:
        for name, text in contents.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            temps[name] = tmp
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for name, tmp in temps.items():
            os.replace(tmp, directory / name)
    except OSError as exc:
        for tmp in temps.values():
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise LinkError(f"cannot write the snapshot in {directory}: {exc.strerror or exc}",
                        hint="check that the directory is writable") from None


def refresh(endpoint: str = WIKIDATA_ENDPOINT, *, yes: bool = False, timeout: float = 60.0,
            out: Callable[[str], None] = print, confirm: Callable[[], bool] | None = None,
            snapshot_dir: Path | str | None = None, today: _dt.date | None = None) -> RefreshResult:
    """Re-fetch the Wikidata part of the snapshot, show what changed, write it only if accepted.

    Countries are looked up by ISO code (``wdt:P297``), cities and organisations by their QID (labels,
    and redirects ``owl:sameAs`` to a merged item); an organisation with no QID yet gets one proposed
    when exactly one item with an official website (``wdt:P856``) has its name as English label. Nothing is written unless there are changes and
    ``yes`` is true or ``confirm()`` answers true. All files are replaced atomically.

    Args:
        endpoint: SPARQL endpoint URL (default: Wikidata's).
        yes: write without asking.
        timeout: seconds to wait for each answer.
        out: where the diff is printed.
        confirm: called with no argument when ``yes`` is false and there are changes; writes if it
            returns true (the CLI passes ``lambda: click.confirm(...)``). Without it nothing is written.
        snapshot_dir: the snapshot to compare and update (default: the shipped one).
        today: the date recorded as the refresh date (default: today).

    Raises:
        LinkError: network failure, timeout or malformed answer; the snapshot is left untouched.
    """
    if not re.match(r"^https?://[^\s/]+", endpoint or ""):
        raise LinkError(f"not an http(s) URL: {endpoint!r}", field="endpoint",
                        hint="give the SPARQL endpoint's URL, e.g. https://query.wikidata.org/sparql")
    directory = Path(snapshot_dir) if snapshot_dir is not None else reference_dir()
    snap = _load_snapshot(directory)
    result = RefreshResult(directory, endpoint)

    new_countries = _fetch_countries(endpoint, snap, timeout, result)
    new_cities = _fetch_items(endpoint, snap.cities, "cities.csv", timeout, result)
    new_orgs = _fetch_items(endpoint, snap.organisations, "organisations.csv", timeout, result)
    new_orgs.update(_find_missing_qids(endpoint, snap.organisations, timeout, result))

    result.changes = (_diff("countries.csv", snap.countries, new_countries)
                      + _diff("cities.csv", snap.cities, new_cities)
                      + _diff("organisations.csv", snap.organisations, new_orgs))
    checked = ", ".join(f"{n} {k}" for k, n in result.checked.items())
    out(f"checked {checked} against {endpoint}")
    for note in result.notes:
        out(f"  note: {note}")
    if not result.changes:
        out("the snapshot is up to date: nothing to write")
        return result
    out(f"{len(result.changes)} change{'s' if len(result.changes) != 1 else ''}:")
    for c in result.changes:
        out(f"  {c}")
    accepted = yes or (confirm is not None and bool(confirm()))
    if not accepted:
        out("not written (run again with --yes to write them)")
        return result

    contents: dict[str, str] = {}
    keys = {"countries.csv": "alpha2", "cities.csv": "slug", "organisations.csv": "global_id"}
    for name, key in keys.items():
        changes = [c for c in result.changes if c.file == name]
        if changes:
            contents[name] = _render_csv(directory / name, FILES[name], key, changes)
    sources = dict(snap.sources)
    wd = dict(sources.get("wikidata", {}))
    wd["refreshed"] = (today or _dt.date.today()).isoformat()
    wd["endpoint"] = endpoint
    sources["wikidata"] = wd
    contents["sources.json"] = json.dumps(sources, indent=2, ensure_ascii=False) + "\n"
    _write_atomically(directory, contents)
    if snapshot_dir is None or directory == reference_dir():
        _default_snapshot.cache_clear()
    result.written = True
    out(f"written: {', '.join(sorted(contents))} in {directory}")
    return result


__all__ = ["Change", "IncomeEntry", "RefreshResult", "Snapshot", "fiscal_year_label", "fiscal_year_number",
           "income_group", "linksets", "load_snapshot", "north_south", "north_south_iri", "reference_graph",
           "refresh", "unreviewed_qids", "WIKIDATA_ENDPOINT"]
