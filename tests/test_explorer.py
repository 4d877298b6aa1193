"""The explorer's data (``datawork_kg.explorer``): what the build writes to ``explore.json``.

Checked against the graph itself (SPARQL), against the library's own queries where one answers the
same question, and against the papers' figures for the chains with money at every link.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from datawork_kg import queries as Q
from datawork_kg.explorer import FILE_NAME, FORMAT, explorer_data, write_explorer_data

ID = "https://w3id.org/datawork/id/"
DW = "https://w3id.org/datawork/ontology#"
P = "PREFIX dw: <https://w3id.org/datawork/ontology#>\n"


@pytest.fixture(scope="module")
def data(store):
    return explorer_data(store)


def _count(store, where: str) -> int:
    return int(next(iter(store.query(P + f"SELECT (COUNT(DISTINCT ?chain) AS ?n) WHERE {{ {where} }}")))[0].value)


def _chain(data, slug: str) -> dict:
    return next(c for c in data["chains"] if c["iri"] == ID + "chain/" + slug)


def test_every_chain_and_every_placed_chain(data, store):
    assert data["format"] == FORMAT
    assert len(data["chains"]) == _count(store, "?chain a dw:Chain") == 37
    placed = [c for c in data["chains"] if c["places"]]
    assert len(placed) == _count(store, "?chain a dw:Chain ; dw:hasTie/(dw:orderer|dw:supplier)/(dw:basedIn|dw:operatesIn|dw:inRegion) ?place")
    assert 0 < len(placed) < len(data["chains"])   # some chains have no place: the page draws them in the box


def test_links_in_order_with_their_parties(data, store):
    for c in data["chains"]:
        steps = [t["step"] for t in c["ties"]]
        assert steps == sorted(steps) and steps[0] == 1, c["iri"]
        for t in c["ties"]:
            assert t["from"] in data["parties"] and t["to"] in data["parties"]
    n_steps = int(next(iter(store.query(P + "SELECT (COUNT(*) AS ?n) WHERE { ?c a dw:Chain ; dw:hasStep ?s }")))[0].value)
    assert sum(len(c["ties"]) for c in data["chains"]) == n_steps
    voice = _chain(data, "tubaro-2025-ch-voice-deep-labour")
    kinds = {data["parties"][p]["kind"] for t in voice["ties"] for p in (t["from"], t["to"])}
    assert "UnknownParty" in kinds                      # the paper leaves one party unknown: kept, marked
    countries = {data["places"][pl]["iso2"] for pl in voice["places"]}
    assert {"US", "FR", "IT"} <= countries


def test_a_party_placed_in_the_countries_it_operates_in(data):
    """Duong's clients: the paper gives four countries and no seat; the map draws them there, not in the
    'place not given' box."""
    clients = data["parties"][ID + "organisation/olm-southeast-asia-duong-clients"]
    assert clients["places"] == [] and clients["regions"] == []
    assert [data["places"][pl]["iso2"] for pl in clients["operates"]] == ["CA", "IN", "NZ", "US"]
    duong = _chain(data, "olm-southeast-asia-c-duong")
    assert {"CA", "IN", "NZ", "US", "VN"} <= {data["places"][pl].get("iso2") for pl in duong["places"]}


def test_places_are_countries_with_codes_or_regions(data):
    fr = data["places"][ID + "country/FR"]
    assert fr == {"name": "France", "kind": "country", "iso2": "FR", "numeric": "250"}
    for iri, pl in data["places"].items():
        assert pl["kind"] in ("country", "region"), iri
        if pl["kind"] == "country":
            assert len(pl["iso2"]) == 2 and len(pl["numeric"]) == 3


def test_value_flows_follow_the_papers(data):
    dalale = _chain(data, "olm-southeast-asia-c-dalale-reint")
    (flow,) = dalale["value"]                          # the listed $50 is an offer, not money paid: left out
    assert (flow["currency"], flow["unit"], flow["price"]) == ("USD", DW + "unit-per-job", 75)
    assert [link["amount"] for link in flow["links"]] == [75, 7.5]
    assert [link["share"] for link in flow["links"]] == [1.0, 0.1]
    sheila = _chain(data, "olm-southeast-asia-c-sheila")
    (flow,) = sheila["value"]
    last = flow["links"][-1]
    assert (flow["price"], last["min"], last["max"], last["amount"], last["share"]) == (30, 12, 15, 13.5, 0.45)
    # a chain with a link that has no money has no flow
    assert _chain(data, "tubaro-2025-ch-ve-work")["value"] == []
    with_money = {c["iri"].rsplit("/", 1)[1] for c in data["chains"] if c["value"]}
    assert with_money == {"olm-southeast-asia-c-dalale-reint", "olm-southeast-asia-c-sheila", "olm-southeast-asia-c-amy-etsy"}


def test_income_groups_agree_with_the_library_query(data, store):
    rows = Q.run_named("chains-by-income-group", store=store).rows
    lead, worker = {}, {}
    for r in rows:  # the page places a party by the countries it is based in (dw:basedIn)
        if r["lead_income_group"] and r["lead_place_kind"] == "based":
            lead.setdefault(r["chain"], set()).add(r["lead_income_group"])
        if r["worker_income_group"] and r["worker_place_kind"] == "based":
            worker.setdefault(r["chain"], set()).add(r["worker_income_group"])
    for c in data["chains"]:
        assert set(c["lead_income"]) == lead.get(c["iri"], set()), c["iri"]
        assert set(c["worker_income"]) == worker.get(c["iri"], set()), c["iri"]
    assert any(c["worker_income"] for c in data["chains"])


def test_filters_have_their_codes(data):
    fns = {f for c in data["chains"] for f in c["functions"]}
    patterns = {p for c in data["chains"] for p in c["patterns"]}
    forms = {f for p in data["parties"].values() for f in p["forms"]}
    for code in fns | patterns | forms:
        assert code in data["codes"], code
    assert DW + "fn-ai-verification" in fns and DW + "pattern-reintermediation" in patterns and DW + "form-marketplace" in forms


def test_sources_name_study_and_section(data):
    for c in data["chains"]:
        assert c["study"] in data["studies"]
        for s in c["sections"] + [s for t in c["ties"] for s in t["sections"]]:
            assert data["sections"][s]["heading"] and data["sections"][s]["study"] in data["studies"]
    assert data["studies"][ID + "study/tubaro-2025"]["citation"] == "Tubaro et al. 2025"
    assert any(c["sections"] for c in data["chains"])


def test_the_build_writes_the_file(built, data, tmp_path, store):
    ws, _ = built
    written = json.loads((ws.root / "current" / FILE_NAME).read_text(encoding="utf-8"))
    assert written["release"] == (ws.root / "current").resolve().name
    written["release"] = None
    assert written == json.loads(json.dumps(data))
    out = write_explorer_data(store, tmp_path / "x.json", release="r1")
    assert json.loads(out.read_text())["release"] == "r1"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]   # no temporary file left behind


def test_the_module_is_library_only():
    code = ("import sys, datawork_kg.explorer; "
            "bad = [m for m in sys.modules if m.startswith(('starlette', 'uvicorn', 'click', 'datawork_kg.server', "
            "'datawork_kg.html', 'datawork_kg.cli', 'datawork_kg.web'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


REGION_GRAPH = """
@prefix dw: <https://w3id.org/datawork/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@base <https://w3id.org/datawork/id/> .
<chain/x-c> a dw:Chain ; dw:fromStudy <study/x> ; dw:leadFirm <organisation/x-lead> ;
    dw:hasTie <tie/x-t> ; dw:hasStep <step/x-1> ;
    dw:chainParty <organisation/x-lead>, <worker/x-w> .
<step/x-1> dw:stepIndex 1 ; dw:stepTie <tie/x-t> .
<tie/x-t> dw:orderer <organisation/x-lead> ; dw:supplier <worker/x-w> .
<organisation/x-lead> a dw:LeadFirm ; dw:displayName "Lead" ; dw:basedIn <country/US> .
<worker/x-w> a dw:WorkerGroup ; dw:displayName "Workers" ; dw:inRegion dw:region-somewhere .
<country/US> dw:isoAlpha2 "US" ; dw:isoNumeric "840" ; dw:displayName "United States" .
<country/FR> dw:isoAlpha2 "FR" .
<country/DE> dw:isoAlpha2 "DE" .
dw:region-somewhere a skos:Concept ; skos:prefLabel "Somewhere in Europe" .
<membership/1> a dw:RegionMembership ; dw:membershipRegion dw:region-somewhere ; dw:memberCountry <country/FR> .
<membership/2> a dw:RegionMembership ; dw:membershipRegion dw:region-somewhere ; dw:memberCountry <country/DE> .
<study/x> a dw:Study .
"""


def test_a_party_placed_only_in_a_region():
    import pyoxigraph as ox

    store = ox.Store()
    store.load(REGION_GRAPH.encode(), ox.RdfFormat.TURTLE)
    data = explorer_data(store)
    (chain,) = data["chains"]
    region = DW + "region-somewhere"
    assert data["parties"][ID + "worker/x-w"]["regions"] == [region]
    assert data["places"][region] == {"name": "Somewhere in Europe", "kind": "region", "members": ["DE", "FR"]}
    assert chain["places"] == [ID + "country/US", region]      # the chain has a place at both ends
