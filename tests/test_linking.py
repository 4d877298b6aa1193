"""Links to the open datasets of the field (datawork_kg/linking.py and datawork_kg/reference/).

Offline tests read the shipped snapshot. The refresh and federation tests run against real Oxigraph
servers on 127.0.0.1 (tests/servers.py), loaded with tests/data/wikidata-fixture.ttl; a small HTTP
stub stands in for the failures a real server will not produce on demand (slow or truncated answers).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from datawork_kg.errors import LinkError
from datawork_kg.iris import IRIs, concept
from datawork_kg.linking import (ISCO, income_group, linksets, load_snapshot, north_south, north_south_iri,
                                 reference_graph, refresh, unreviewed_qids)
from datawork_kg.loaders import load_paths
from datawork_kg.loaders.base import LoadedGraph
from datawork_kg.namespace import DW, VOID, WD
from datawork_kg.queries import bind, parse_query_file
from datawork_kg.resources import reference_dir

try:
    from servers import start_oxigraph, start_stub
except ImportError:  # tests/ imported as a package
    from tests.servers import start_oxigraph, start_stub

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "wikidata-fixture.ttl"
QUERIES = ROOT / "queries"
IRI = IRIs("https://w3id.org/datawork/id/")


@pytest.fixture(scope="module")
def snap():
    return load_snapshot()


@pytest.fixture(scope="module")
def full_graph():
    """The reference graph of everything in the snapshot."""
    return reference_graph(None, IRI)


# ============================================================================ snapshot
def test_every_iso_country_is_in_the_snapshot_with_its_alpha3(snap):
    countries = list(pycountry.countries)
    assert len(snap.countries) == len(countries)
    for c in countries:
        row = snap.countries[c.alpha_2]
        assert row["alpha3"] == c.alpha_3, c
        assert row["numeric"] == c.numeric, c


def test_reference_graph_takes_iso_codes_from_pycountry(full_graph):
    for c in pycountry.countries:
        iri = IRI.country(c.alpha_2)
        assert (iri, DW.isoAlpha2, Literal(c.alpha_2)) in full_graph
        assert (iri, DW.isoAlpha3, Literal(c.alpha_3)) in full_graph, c.alpha_2
        assert (iri, DW.isoNumeric, Literal(c.numeric)) in full_graph


def test_snapshot_files_are_documented():
    d = reference_dir()
    sources_md = (d / "SOURCES.md").read_text(encoding="utf-8")
    sources = json.loads((d / "sources.json").read_text(encoding="utf-8"))
    for name in ("countries.csv", "income-groups.csv", "cities.csv", "organisations.csv", "currencies.csv",
                 "occupations.csv"):
        assert (d / name).exists()
        assert f"`{name}`" in sources_md, name
        assert any(name in meta["files"] for meta in sources.values()), name
    for key, meta in sources.items():
        assert meta.get("licence") and meta.get("retrieved") and meta.get("url"), key


def test_wikidata_ids_are_well_formed(snap):
    import re

    tables = [snap.countries, snap.cities, snap.organisations, snap.currencies]
    for table in tables:
        for key, row in table.items():
            assert row["wikidata"] == "" or re.fullmatch(r"Q[1-9][0-9]*", row["wikidata"]), (key, row["wikidata"])


# ============================================================================ income groups
def test_venezuela_income_group_by_fiscal_year(snap):
    fy16 = snap.income_entry("VE", 2016)
    fy17 = snap.income_entry("VE", 2017)
    assert (fy16.fiscal_year, fy16.gni_data_year, fy16.income_group) == ("FY16", 2014, "H")
    assert (fy17.fiscal_year, fy17.gni_data_year, fy17.income_group) == ("FY17", 2015, "UM")
    assert snap.income_entry("VE", 2022) is None  # unclassified from FY22
    assert income_group("VE", 2015).income_group == "H"  # in force during 2015: FY16


def test_venezuela_assignments_in_the_graph():
    g = reference_graph(None, IRI, countries=["VE"])
    ve = IRI.country("VE")
    by_fy = {}
    for a in g.subjects(DW.classifiedCountry, ve):
        assert (a, RDF.type, DW.IncomeGroupAssignment) in g
        by_fy[str(g.value(a, DW.fiscalYear))] = a
    assert g.value(by_fy["FY16"], DW.incomeGroup) == concept("income", "H")
    assert g.value(by_fy["FY16"], DW.gniDataYear) == Literal(2014, datatype=XSD.integer)
    assert g.value(by_fy["FY17"], DW.incomeGroup) == concept("income", "UM")
    source = g.value(by_fy["FY16"], DW.classificationSource)
    assert source == IRI("source", "worldbank-income-history")
    assert g.value(source, RDFS.label) is not None and g.value(source, DCTERMS.license) is not None
    assert "FY22" not in by_fy


def test_asterisked_entries_keep_their_group(snap):
    yemen = [e for e in snap.income["YEM"] if e.flag]
    assert yemen and all(e.income_group == "LM" for e in yemen)


# ============================================================================ identity links
def test_netherlands_points_to_the_country_not_the_kingdom(snap):
    assert snap.countries["NL"]["wikidata"] == "Q55"
    g = reference_graph(None, IRI, countries=["NL"])
    assert (IRI.country("NL"), OWL.sameAs, WD.Q55) in g
    assert (IRI.country("NL"), OWL.sameAs, WD.Q29999) not in g


def test_odesk_elance_upwork_and_crowdflower_history():
    g = reference_graph(None, IRI, organisations=["odesk", "elance", "crowdflower"])
    org = lambda gid: IRI("organisation", gid)  # noqa: E731
    assert (org("odesk"), DW.renamedTo, org("upwork")) in g
    assert g.value(org("odesk"), DW.renameYear) == Literal(2015, datatype=XSD.integer)
    assert (org("elance"), DW.mergedInto, org("upwork")) in g
    assert (org("crowdflower"), DW.renamedTo, org("figure-eight")) in g
    assert g.value(org("crowdflower"), DW.renameYear) == Literal(2018, datatype=XSD.integer)
    assert (org("figure-eight"), DW.mergedInto, org("appen")) in g  # followed transitively
    assert g.value(org("figure-eight"), DW.mergerYear) == Literal(2019, datatype=XSD.integer)
    assert g.value(org("upwork"), RDFS.label) == Literal("Upwork", lang="en")
    # the history is not in the papers: it carries its own source, and no case file states it
    history = IRI("source", "organisation-history")
    for gid in ("odesk", "elance", "crowdflower", "figure-eight"):
        assert (org(gid), DCTERMS.source, history) in g, gid
    assert (history, RDFS.label, None) in g
    for lg in load_paths(sorted((ROOT / "evidence").glob("*.yaml"))):
        assert not list(lg.graph.triples((None, DW.renamedTo, None))), lg.study
        assert not list(lg.graph.triples((None, DW.mergedInto, None))), lg.study


def test_shared_organisations_linked_from_the_verified_qids():
    """Airbnb, CNRS, Telecom Paris, the Rockefeller Foundation and ImageNet: QIDs from
    organisations-wikidata.csv (ROR records and other public files), with that file as their source."""
    g = reference_graph(None, IRI)
    for gid, qid in (("airbnb", "Q63327"), ("cnrs", "Q280413"), ("telecom-paris", "Q2311820"),
                     ("rockefeller-foundation", "Q862034"), ("imagenet", "Q24901201")):
        assert (IRI("organisation", gid), OWL.sameAs, WD[qid]) in g, gid
    listed = (reference_dir() / "organisations-wikidata.csv").read_text(encoding="utf-8")
    for qid in ("Q63327", "Q280413", "Q2311820", "Q862034", "Q24901201"):
        assert f",{qid}," in listed, qid
    assert (IRI.graph("reference"), PROV.wasDerivedFrom, IRI("source", "organisations-wikidata")) in g


def test_links_of_what_the_case_files_use():
    lg = LoadedGraph(IRI.graph("t"), Graph(), "t.yaml", "t", countries={"MG"},
                     cities={"antananarivo": "MG", "washington": "", "nowhere-town": ""},
                     currencies={"MGA", "USD"}, organisations={"uber": "", "amazon-mechanical-turk": "Q1144623"})
    g = reference_graph([lg], IRI)
    tana = IRI.city("Antananarivo")
    assert (tana, OWL.sameAs, WD.Q3915) in g
    assert (tana, DW.geonamesId, Literal("1070940")) in g
    assert (tana, RDFS.seeAlso, URIRef("https://sws.geonames.org/1070940/")) in g
    assert (tana, DW.inCountry, IRI.country("MG")) in g
    assert (tana, RDFS.label, None) not in g  # the case file labels its own cities
    washington = IRI("city", "washington")  # an alias of Washington, D.C.
    assert (washington, OWL.sameAs, WD.Q61) in g
    assert (IRI.country("US"), OWL.sameAs, WD.Q30) in g  # the city's country is linked too
    assert not list(g.triples((IRI("city", "nowhere-town"), None, None)))
    mga = IRI.currency("MGA")
    assert (mga, OWL.sameAs, WD.Q4584) in g
    assert (mga, SKOS.notation, Literal("MGA")) in g and (mga, DW.currencyCode, Literal("MGA")) in g
    assert (IRI.country("MG"), DW.worldBankRegion, concept("wbregion", "SSF")) in g
    assert (IRI("organisation", "uber"), OWL.sameAs, WD.Q692400) in g
    # a case file's unreviewed QID is not turned into an identity link
    assert (IRI("organisation", "amazon-mechanical-turk"), OWL.sameAs, None) not in g
    assert unreviewed_qids([lg]) == [("amazon-mechanical-turk", "Q1144623", "")]


def test_work_kinds_match_isco_08_without_identity(full_graph):
    g = full_graph
    assert (concept("work", "data-entry"), SKOS.closeMatch, URIRef(f"{ISCO}C4132")) in g
    assert (URIRef(f"{ISCO}C4132"), SKOS.notation, Literal("4132")) in g
    assert not list(g.triples((concept("work", "labelling"), SKOS.closeMatch, None)))
    for s, _, o in g.triples((None, OWL.sameAs, None)):
        assert not str(s).startswith(str(DW)), f"owl:sameAs on a concept: {s}"
        assert str(o).startswith(str(WD))


def test_reference_graph_is_deterministic():
    a = reference_graph(None, IRI, countries=["FR", "MG"])
    b = reference_graph(None, IRI, countries=["FR", "MG"])
    assert set(a) == set(b)


# ============================================================================ North / South
def test_north_south_convention():
    assert north_south("MG", 2021) is True
    assert north_south("FR", 2019) is False
    assert north_south("VE", 2015) is False  # FY16: high income
    assert north_south("VE", 2016) is True  # FY17: upper middle income
    assert north_south("VE", 2021) is None  # FY22: not classified
    assert north_south("XX", 2020) is None


def test_north_south_classification_is_explicit_in_the_graph():
    from datawork_kg.build import ontology_graph

    g = reference_graph(None, IRI, countries=["FR"]) + ontology_graph()
    n = north_south_iri(IRI)
    assert (n, RDF.type, DW.NorthSouthClassification) in g
    assert len(set(g.subjects(RDF.type, DW.NorthSouthClassification))) == 1, "one classification, not two"
    assert set(g.objects(n, DW.southIncomeGroup)) == {concept("income", c) for c in ("L", "LM", "UM")}
    assert set(g.objects(n, DW.northIncomeGroup)) == {concept("income", "H")}
    assert g.value(n, DW.classificationSource) == IRI("source", "worldbank-income-history")
    assert "docs/north-south.md" in str(g.value(n, RDFS.comment))


# ============================================================================ VoID
def test_linksets_count_the_links(full_graph):
    v = linksets(full_graph, iris=IRI)
    sets = {}
    for ls in v.subjects(RDF.type, VOID.Linkset):
        pred = v.value(ls, VOID.linkPredicate)
        target = v.value(ls, VOID.objectsTarget)
        sets[(str(target).rsplit("/", 1)[-1], pred)] = int(v.value(ls, VOID.triples))
        assert (ls, VOID.target, target) in v
    # literal codes (ISO 3166/4217, GeoNames ids) and the project's own concepts (World Bank groups) are
    # not links to another dataset: only IRIs in the target's namespace are
    assert {t for t, _ in sets} == {"wikidata", "geonames", "isco-08"}
    same_as = sum(1 for _, _, o in full_graph.triples((None, OWL.sameAs, None)) if str(o).startswith(str(WD)))
    assert sets[("wikidata", OWL.sameAs)] == same_as
    assert ("iso-3166", DW.isoAlpha3) not in sets and ("world-bank", DW.incomeGroup) not in sets
    assert sets[("isco-08", SKOS.closeMatch)] == len(list(full_graph.triples((None, SKOS.closeMatch, None))))
    wd = IRI("dataset", "wikidata")
    assert v.value(wd, VOID.sparqlEndpoint) == URIRef("https://query.wikidata.org/sparql")


# ============================================================================ queries
def _small_graph() -> Graph:
    """Two workers (VE, MG), a lead firm (FR), four pay items and one chain of one tie, from the firm to the MG worker."""
    g = Graph()
    s = IRI.study("t")
    g.add((s, RDF.type, DW.Study))
    g.add((s, DCTERMS.identifier, Literal("t")))
    g.add((s, DW.fieldworkStart, Literal(2015, datatype=XSD.integer)))
    ve, mg, firm = IRI.item("worker", "t", "ve"), IRI.item("worker", "t", "mg"), IRI("organisation", "t-firm")
    for party, cc, label in ((ve, "VE", "VE worker"), (mg, "MG", "MG worker"), (firm, "FR", "FR firm")):
        g.add((party, RDFS.label, Literal(label, lang="en")))
        g.add((party, DW.basedIn, IRI.country(cc)))
        g.add((IRI.country(cc), DW.isoAlpha2, Literal(cc)))
    for pid, payee, year in (("p2015", ve, None), ("p2016", ve, 2016), ("p2021", mg, 2021), ("p2022", ve, 2022)):
        p = IRI.item("pay", "t", pid)
        g.add((p, RDF.type, DW.Remuneration))
        g.add((p, DW.remunerationKind, concept("paykind", "pay")))
        g.add((p, DW.currencyCode, Literal("USD")))
        g.add((p, DW.unitBasis, concept("unit", "per-task")))
        g.add((p, DW.fromStudy, s))
        g.add((p, DW.payee, payee))
        g.add((p, DW.amount, Literal("2", datatype=XSD.decimal)))
        if year:
            g.add((p, DW.year, Literal(year, datatype=XSD.integer)))
    c, step, tie = IRI.item("chain", "t", "c"), IRI("chain-step", "t-c-1"), IRI.item("tie", "t", "l1")
    g.add((c, RDF.type, DW.Chain))
    g.add((c, DW.leadFirm, firm))
    g.add((c, DW.fromStudy, s))
    g.add((c, DW.hasStep, step))
    g.add((step, DW.stepIndex, Literal(1, datatype=XSD.integer)))
    g.add((step, DW.stepTie, tie))
    g.add((c, DW.hasTie, tie))
    g.add((tie, RDF.type, DW.Tie))
    g.add((tie, DW.flowKind, DW["flow-work"]))
    g.add((tie, DW.orderer, firm))
    g.add((tie, DW.supplier, mg))
    for worker in (ve, mg):
        g.add((worker, RDF.type, DW.Worker))
    return g


@pytest.fixture(scope="module")
def small_store():
    """The small case graph, the reference graph of three countries and the ontology, each in its named
    graph and all in the default graph (their union), with what the build materialises from them (every
    rule of datawork_kg.materialise, as the build runs them): the income-group queries read the years in
    force, a country's group in a year and a chain's last step."""
    from datawork_kg.build import ontology_graph
    from datawork_kg.materialise import materialise
    from datawork_kg.ontology import ONTOLOGY_GRAPH

    store = ox.Store()
    graphs = {str(IRI.graph("small")): _small_graph(),
              str(IRI.graph("reference")): reference_graph(None, IRI, countries=["VE", "MG", "FR"]),
              str(ONTOLOGY_GRAPH): ontology_graph()}
    for name, g in graphs.items():
        text = g.serialize(format="nt", encoding="utf-8")
        store.load(text, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        store.load(text, ox.RdfFormat.N_TRIPLES)
    materialise(store, ontology_graph=str(ONTOLOGY_GRAPH), inferred_graph=str(IRI.graph("inferred")),
                default_graph_too=True)
    return store


def _rows(store, name: str, **params) -> list[dict]:
    q = parse_query_file(QUERIES / f"{name}.rq")
    solutions = store.query(bind(q, params))
    names = [v.value for v in solutions.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in solutions]


def test_query_headers_parse():
    for name in ("pay-by-income-group", "chains-by-income-group", "federated-wikidata-example"):
        q = parse_query_file(QUERIES / f"{name}.rq")
        for key in ("summary", "description", "tags", "source", "params"):
            assert q.header.get(key) is not None, (name, key)
        assert q.kind == "SELECT"


def test_pay_by_income_group_of_the_pay_year(small_store):
    rows = {r["pay"].rsplit("-", 1)[-1]: r for r in _rows(small_store, "pay-by-income-group")}
    assert (rows["p2015"]["year_basis"], rows["p2015"]["fiscal_year"], rows["p2015"]["income_group"]) == \
        ("fieldwork start", "FY16", "H")
    assert rows["p2015"]["north_south"] == "Global North"
    assert (rows["p2016"]["fiscal_year"], rows["p2016"]["income_group"], rows["p2016"]["north_south"]) == \
        ("FY17", "UM", "Global South")
    assert (rows["p2021"]["payee_country"], rows["p2021"]["income_group"], rows["p2021"]["gni_year"]) == ("MG", "L", "2020")
    assert rows["p2022"]["income_group"] is None and rows["p2022"]["payee_country"] == "VE"
    only_um = _rows(small_store, "pay-by-income-group", group="UM")
    assert [r["pay"].rsplit("-", 1)[-1] for r in only_um] == ["p2016"]


def test_chains_by_income_group_at_each_end(small_store):
    (row,) = _rows(small_store, "chains-by-income-group")
    assert (row["lead_country"], row["lead_fiscal_year"], row["lead_income_group"], row["lead_north_south"]) == \
        ("FR", "FY16", "H", "Global North")
    assert (row["worker_country"], row["worker_income_group"], row["worker_north_south"]) == ("MG", "L", "Global South")
    assert row["last_step"] == "1" and row["year_basis"] == "fieldwork start"


# ============================================================================ refresh (real server)
KEEP = {"countries.csv": ("alpha2", {"FR", "MG", "VE", "NL", "PH", "US"}),
        "cities.csv": ("slug", {"antananarivo", "manila", "paris"}),
        "organisations.csv": ("global_id", {"amazon", "uber", "odesk", "upwork"})}


@pytest.fixture
def snapshot_copy(tmp_path) -> Path:
    """A writable copy of the shipped snapshot, cut down to the items the fixture holds."""
    d = tmp_path / "reference"
    shutil.copytree(reference_dir(), d)
    for name, (key, keep) in KEEP.items():
        text = (d / name).read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=reader.fieldnames, lineterminator="\n")
        w.writeheader()
        w.writerows(r for r in reader if r[key] in keep)
        (d / name).write_text(buf.getvalue(), encoding="utf-8")
    return d


def _digest(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def wikidata_server(tmp_path_factory):
    url, stop = start_oxigraph(tmp_path_factory.mktemp("wikidata"), [FIXTURE])
    yield url
    stop()


@pytest.fixture(scope="module")
def changed_server(tmp_path_factory):
    """The fixture with France's ISO code moved to another item."""
    d = tmp_path_factory.mktemp("wikidata-changed")
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count("wd:Q142 wdt:P297") == 1
    (d / "changed.ttl").write_text(text.replace("wd:Q142 wdt:P297", "wd:Q999000142 wdt:P297"), encoding="utf-8")
    url, stop = start_oxigraph(d, [d / "changed.ttl"])
    yield url
    stop()


def test_refresh_unchanged_snapshot_shows_no_diff(wikidata_server, snapshot_copy):
    before = _digest(snapshot_copy)
    lines: list[str] = []
    result = refresh(wikidata_server, yes=True, timeout=10, out=lines.append, snapshot_dir=snapshot_copy)
    assert result.changes == [] and not result.written
    assert result.checked == {"countries": 6, "cities": 3, "organisations": 2}
    assert any("up to date" in ln for ln in lines)
    assert _digest(snapshot_copy) == before


def test_refresh_changed_qid_is_shown_and_written_only_when_accepted(changed_server, snapshot_copy):
    before = _digest(snapshot_copy)
    lines: list[str] = []
    result = refresh(changed_server, yes=False, timeout=10, out=lines.append, snapshot_dir=snapshot_copy)
    assert [(c.file, c.key, c.column, c.old, c.new) for c in result.changes] == \
        [("countries.csv", "FR", "wikidata", "Q142", "Q999000142")]
    assert any("Q142 -> Q999000142" in ln for ln in lines)
    assert not result.written and _digest(snapshot_copy) == before

    result = refresh(changed_server, timeout=10, out=lines.append, snapshot_dir=snapshot_copy, confirm=lambda: False)
    assert not result.written and _digest(snapshot_copy) == before

    result = refresh(changed_server, yes=True, timeout=10, out=lines.append, snapshot_dir=snapshot_copy)
    assert result.written
    assert load_snapshot(snapshot_copy).countries["FR"]["wikidata"] == "Q999000142"
    sources = json.loads((snapshot_copy / "sources.json").read_text(encoding="utf-8"))
    assert sources["wikidata"]["endpoint"] == changed_server and sources["wikidata"]["refreshed"]
    assert not list(snapshot_copy.glob(".*.tmp"))
    after = _digest(snapshot_copy)
    assert {k for k in after if after[k] != before[k]} == {"countries.csv", "sources.json"}
    # once written, a second run finds nothing to do
    assert refresh(changed_server, yes=True, timeout=10, out=lines.append, snapshot_dir=snapshot_copy).changes == []


def test_refresh_confirm_callback_writes(changed_server, snapshot_copy):
    result = refresh(changed_server, timeout=10, out=lambda s: None, snapshot_dir=snapshot_copy, confirm=lambda: True)
    assert result.written and "written" in str(result)


def test_refresh_server_down(tmp_path, snapshot_copy):
    url, stop = start_oxigraph(tmp_path / "down", [FIXTURE])
    stop()
    before = _digest(snapshot_copy)
    with pytest.raises(LinkError, match="cannot reach|network error"):
        refresh(url, yes=True, timeout=5, out=lambda s: None, snapshot_dir=snapshot_copy)
    assert _digest(snapshot_copy) == before


def test_refresh_not_a_sparql_endpoint(wikidata_server, snapshot_copy):
    before = _digest(snapshot_copy)
    root = wikidata_server.rsplit("/", 1)[0] + "/"  # Oxigraph's home page, not its SPARQL endpoint
    with pytest.raises(LinkError, match=r"answered with an error|HTTP|malformed"):
        refresh(root, yes=True, timeout=5, out=lambda s: None, snapshot_dir=snapshot_copy)
    assert _digest(snapshot_copy) == before


def test_refresh_timeout(snapshot_copy):
    url, stop = start_stub(b'{"head": {"vars": []}, "results": {"bindings": []}}', delay=5)
    before = _digest(snapshot_copy)
    try:
        t0 = time.monotonic()
        with pytest.raises(LinkError, match="timeout"):
            refresh(url, yes=True, timeout=0.5, out=lambda s: None, snapshot_dir=snapshot_copy)
        assert time.monotonic() - t0 < 4
    finally:
        stop()
    assert _digest(snapshot_copy) == before


@pytest.mark.parametrize("body", [
    b'{"head": {"vars": ["code", "item"]}, "results": {"bindings": [{"code": {"type": "lit',  # truncated
    b'{"head": {"vars": ["code", "item"]}, "results": {"bindings": [{"code": {"type": "literal", "value": "FR"},'
    b' "item": {"type": "literal", "value": "France"}}]}}',  # not an item IRI
    b'{"head": {"vars": []}}',  # no results
    b'[1, 2, 3]',  # not an object
])
def test_refresh_malformed_answer(snapshot_copy, body):
    url, stop = start_stub(body)
    before = _digest(snapshot_copy)
    try:
        with pytest.raises(LinkError, match="malformed"):
            refresh(url, yes=True, timeout=5, out=lambda s: None, snapshot_dir=snapshot_copy)
    finally:
        stop()
    assert _digest(snapshot_copy) == before


def test_refresh_rejects_a_non_http_endpoint(snapshot_copy):
    before = _digest(snapshot_copy)
    with pytest.raises(LinkError, match="not an http"):
        refresh("query.wikidata.org/sparql", yes=True, timeout=5, out=lambda s: None, snapshot_dir=snapshot_copy)
    assert _digest(snapshot_copy) == before


# ============================================================================ federated query
def test_federated_query_against_a_local_wikidata(tmp_path, wikidata_server):
    data = tmp_path / "graph.nt"
    reference_graph(None, IRI, countries=["FR", "MG", "VE"]).serialize(destination=str(data), format="nt",
                                                                       encoding="utf-8")
    url, stop = start_oxigraph(tmp_path / "graph", [data])
    try:
        q = parse_query_file(QUERIES / "federated-wikidata-example.rq")
        assert "SERVICE <https://query.wikidata.org/sparql>" in q.text
        text = bind(q, {}).replace("<https://query.wikidata.org/sparql>", f"<{wikidata_server}>")
        req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=30) as r:
            answer = json.load(r)
    finally:
        stop()
    rows = {b["iso2"]["value"]: b for b in answer["results"]["bindings"]}
    assert set(rows) == {"FR", "MG", "VE"}
    assert rows["FR"]["wikidata"]["value"] == str(WD.Q142)
    assert rows["FR"]["wikidata_label"]["value"] == "France"
    assert float(rows["MG"]["population"]["value"]) == 30000000


@pytest.fixture(scope="module")
def labelled_server(tmp_path_factory):
    """The fixture plus invented items named like organisations that have no QID in the snapshot."""
    d = tmp_path_factory.mktemp("wikidata-labels")
    extra = """
wd:Q999000201 rdfs:label "Upwork"@en ; wdt:P856 <https://example.org/upwork> .
wd:Q999000202 rdfs:label "oDesk"@en ; wdt:P856 <https://example.org/odesk-a> .
wd:Q999000203 rdfs:label "oDesk"@en ; wdt:P856 <https://example.org/odesk-b> .
"""
    (d / "labels.ttl").write_text(FIXTURE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    url, stop = start_oxigraph(d, [d / "labels.ttl"])
    yield url
    stop()


def test_refresh_proposes_missing_qids_by_name(labelled_server, snapshot_copy):
    """An organisation with no QID gets one proposed when exactly one item with a website bears its name."""
    before = _digest(snapshot_copy)
    lines: list[str] = []
    result = refresh(labelled_server, timeout=10, out=lines.append, snapshot_dir=snapshot_copy)
    proposed = {(c.key, c.column, c.old, c.new) for c in result.changes if c.file == "organisations.csv"}
    assert ("upwork", "wikidata", "", "Q999000201") in proposed
    assert not any(key == "odesk" for key, *_ in proposed), "an ambiguous name must not be proposed"
    assert any("odesk" in n and "several items" in n for n in result.notes)
    assert not result.written and _digest(snapshot_copy) == before
    refresh(labelled_server, yes=True, timeout=10, out=lines.append, snapshot_dir=snapshot_copy)
    assert load_snapshot(snapshot_copy).organisations["upwork"]["wikidata"] == "Q999000201"
