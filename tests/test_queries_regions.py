"""Every way a source may place a party, task, sample or figure, through validate, build, the geography
queries and the figures (issue 15): only in a region, in a region and a country, an organisation in
several countries, a worker group in several countries, a task, a sample and a figure in a region, and
a region whose membership changed. The case file is invented (tests/data/regions-places.yaml)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datawork_kg import figures as F
from datawork_kg import queries as Q

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "data" / "regions-places.yaml"
ID = "https://w3id.org/datawork/id/"
STUDY = "invented-regions-2019"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from datawork_kg.build import build
    from datawork_kg.store import open_store

    tmp = tmp_path_factory.mktemp("regions")
    (tmp / "evidence").mkdir()
    shutil.copy(CASE, tmp / "evidence")
    build([tmp / "evidence"], home=tmp / "home", reason=False)
    return open_store(tmp / "home")


def run(store, name: str, **params) -> Q.Result:
    return Q.run_store(store, Q.bind(Q.get(name), params))


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[1].removeprefix(STUDY + "-")


def test_the_case_file_validates():
    datawork = Path(sys.executable).parent / "datawork"
    out = subprocess.run([str(datawork), "validate", str(CASE)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no problems found" in out.stdout


def test_offshoring_ties_one_row_per_pair_of_places(store):
    rows = {(local(r["tie"]), r["orderer_place"], r["orderer_place_kind"], r["supplier_place"],
             r["supplier_place_kind"], r["cross_border"]) for r in run(store, "offshoring-ties")}
    assert rows == {
        ("t-ke-annotators", "KE", "based", "KE", "based", False),
        # only in a region, outside it: the Gulf holds no Kenya (the vendor's Eastern Africa is not shown:
        # it has a country)
        ("t-gulf-ke", "gulf", "region", "KE", "based", True),
        # an organisation operating in two countries, to a group living in two: four pairs
        ("t-platform-phvn", "US", "operates", "PH", "based", True),
        ("t-platform-phvn", "US", "operates", "VN", "based", True),
        ("t-platform-phvn", "CA", "operates", "PH", "based", True),
        ("t-platform-phvn", "CA", "operates", "VN", "based", True),
        ("t-platform-sea", "US", "operates", "southeast-asia", "region", True),
        ("t-platform-sea", "CA", "operates", "southeast-asia", "region", True),
        # the Global North against countries and regions of 2019 (income groups of FY20, GNI of 2018):
        # the Philippines, Viet Nam and West Africa are South; France, the US and Canada may be the clients' own
        ("t-north-phvn", "global-north", "region", "PH", "based", True),
        ("t-north-phvn", "global-north", "region", "VN", "based", True),
        ("t-north-wa", "global-north", "region", "western-africa", "region", True),
        ("t-north-fr", "global-north", "region", "FR", "based", None),
        ("t-north-platform", "global-north", "region", "US", "operates", None),
        ("t-north-platform", "global-north", "region", "CA", "operates", None),
        # the EU in the tie's year: the United Kingdom a member in 2015, not in 2022
        ("t-eu-uk-2015", "eu", "region", "GB", "based", None),
        ("t-eu-uk-2022", "eu", "region", "GB", "based", True),
    }
    assert {local(r["tie"]) for r in run(store, "offshoring-ties", country="KE")} == {"t-ke-annotators", "t-gulf-ke"}


def test_chain_countries_lists_countries_and_regions(store):
    # (a cell listing several parties has them in no particular order: compared as a set)
    rows = {(local(r["chain"]), r["place"], r["place_kind"], r["place_name"], frozenset(r["parties"].split("; ")),
             r["countries_in_chain"], r["regions_in_chain"]) for r in run(store, "chain-countries")}
    vendor, clients = "A Nairobi annotation vendor (unnamed)", "A platform operating in the US and Canada (unnamed)"
    assert rows == {
        # a party in a country and a region is in both; a lead only in a region is in it
        ("c-gulf", "KE", "based", "Kenya", frozenset({vendor, "Nairobi vendor annotators"}), 1, 2),
        ("c-gulf", "eastern-africa", "region", "Eastern Africa", frozenset({vendor}), 1, 2),
        ("c-gulf", "gulf", "region", "the Gulf (Gulf Cooperation Council states)",
         frozenset({"AI start-ups in the Gulf (unnamed)"}), 1, 2),
        ("c-north", "US", "operates", "United States", frozenset({clients}), 2, 2),
        ("c-north", "CA", "operates", "Canada", frozenset({clients}), 2, 2),
        ("c-north", "global-north", "region", "Global North", frozenset({"Clients in the Global North (unnamed)"}), 2, 2),
        ("c-north", "southeast-asia", "region", "Southeast Asia", frozenset({"Freelancers across Southeast Asia"}), 2, 2),
    }


def test_figure_chain_and_its_diagram_show_regions_and_several_countries(store):
    north = ID + f"chain/{STUDY}-c-north"
    res = run(store, "figure-chain", chain=north)
    places = [(r["step"], r["ordererCountry"], set((r["ordererOperatesIn"] or "").split()), r["ordererRegions"],
               r["supplierCountry"], set((r["supplierOperatesIn"] or "").split()), r["supplierRegions"]) for r in res]
    assert places == [(1, None, set(), "Global North", None, {"US", "CA"}, None),
                      (2, None, {"US", "CA"}, None, None, set(), "Southeast Asia")]
    dot = F.chain_dot(F.data("chain", store, chain=north), north)
    assert "region: Global North" in dot and "operates in CA, US" in dot and "region: Southeast Asia" in dot
    assert "country not stated" not in dot
    gulf = F.chain_dot(F.data("chain", store, chain=ID + f"chain/{STUDY}-c-gulf"), ID + f"chain/{STUDY}-c-gulf")
    # a party in a country and a region shows both
    assert "KE; region: Eastern Africa" in gulf


def test_figure1_places_a_task_in_a_region(store, tmp_path):
    rows = F.data("figure1", store, study=ID + f"study/{STUDY}").rows
    assert [(r["country"], r["countryLabel"], r["placeKind"], F._local(r["mode"], "form-"), F._local(r["function"], "fn-"),
             r["tasks"]) for r in rows] == [("southeast-asia", "Southeast Asia", "region", "marketplace", "data-annotation", 1)]
    svg = F.draw("figure1", store, tmp_path / "f1.svg", study=ID + f"study/{STUDY}").read_text(encoding="utf-8")
    assert "Southeast Asia (region)" in svg


def test_by_country_queries_fall_back_on_regions(store):
    workers = {(r["country"], r["status"], r["worker_names"]) for r in run(store, "worker-status-by-country")}
    assert workers == {("KE", "employee", "Nairobi vendor annotators"),
                       ("PH", "freelancer", "Platform workers in the Philippines and Viet Nam"),
                       ("VN", "freelancer", "Platform workers in the Philippines and Viet Nam"),
                       ("southeast-asia", "freelancer", "Freelancers across Southeast Asia"),
                       ("western-africa", "not stated", "Transcribers in West Africa")}
    forms = {(r["form"], r["country"], r["organisations"]) for r in run(store, "form-locations")}
    assert forms == {("marketplace", "US", 1), ("marketplace", "CA", 1), ("firm-like", "KE", 1)}
    exclusions = [(r["country"], r["mechanism"], r["exclusions"]) for r in run(store, "exclusion-by-country")]
    assert exclusions == [("southeast-asia", "reputation", 1)]
    tasks = [(r["country"], r["function"], r["tasks"]) for r in run(store, "task-function-by-country")]
    assert tasks == [("southeast-asia", "ai-preparation", 1)]
    samples = [(r["country"], r["study"], r["samples"], r["largest_sample"], r["multi_country"])
               for r in run(store, "sample-sizes-by-country")]
    assert samples == [("latin-america", STUDY, "questionnaire 120", 120, False)]
    figures = [(local(r["figure"]), r["value"], r["country"], r["region"], r["year"])
               for r in run(store, "mturk-geography", platform=ID + f"organisation/{STUDY}-multi-platform")]
    assert figures == [("f-sea-share", 40, None, "southeast-asia", 2019)]
