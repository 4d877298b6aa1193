"""Regions in the built graph: the stored region side assignments equal their rule, and the membership
facts, M49 codes and Wikidata links are the reference snapshot's (issue 15).

The rule (skos:note of dw:RegionSideAssignment in ontology/core.ttl): for the GNI data year Y (the
classification a fieldwork year Y+1 reads), count the region's members in the fieldwork year Y+1
(dw:memberFrom, dw:memberUntil) by the side of their income group with GNI data of Y (high income:
North; low, lower- and upper-middle income: South; no group that year: unclassified). A region all of
whose classified members are North is North, all South is South, both is mixed; the Global North and
Global South keep their own side. A region with no classified member that year gets no assignment.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "datawork_kg" / "reference"
DW = "https://w3id.org/datawork/ontology#"
ID = "https://w3id.org/datawork/id/"
PREFIXES = f"""PREFIX dw: <{DW}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _select(store, query: str) -> list[dict]:
    res = store.query(PREFIXES + query)
    names = [v.value for v in res.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in res]


@pytest.fixture(scope="module")
def region_codes(store) -> dict[str, str]:
    """Region IRI -> its code (skos:notation), for every region concept of the snapshot."""
    codes = {r["code"] for r in rows("regions.csv")}
    got = {r["c"]: r["code"] for r in _select(store, "SELECT ?c ?code WHERE { ?c a skos:Concept ; skos:notation ?code }")
           if r["code"] in codes}
    return got


def test_every_region_of_the_snapshot_is_a_concept(region_codes):
    assert set(region_codes.values()) == {r["code"] for r in rows("regions.csv")}


@pytest.fixture(scope="module")
def memberships(store, region_codes) -> dict[str, list[tuple[str, int | None, int | None]]]:
    """Region code -> (country code, first year, last year) of each dw:RegionMembership in the graph."""
    out = defaultdict(list)
    for r in _select(store, """SELECT ?region ?country ?from ?until WHERE {
            ?m a dw:RegionMembership ; dw:membershipRegion ?region ; dw:memberCountry ?c .
            ?c dw:isoAlpha2 ?country .
            OPTIONAL { ?m dw:memberFrom ?from } OPTIONAL { ?m dw:memberUntil ?until } }"""):
        out[region_codes[r["region"]]].append((r["country"], int(r["from"]) if r["from"] else None,
                                               int(r["until"]) if r["until"] else None))
    return out


def test_memberships_are_the_snapshot_s(memberships):
    """Every row of region-members.csv is one dw:RegionMembership with its years, and nothing else is."""
    want = defaultdict(set)
    for r in rows("region-members.csv"):
        want[r["region"]].add((r["country"], int(r["from"]) if r["from"] else None, int(r["until"]) if r["until"] else None))
    got = {code: set(ms) for code, ms in memberships.items()}
    assert all(len(ms) == len(set(ms)) for ms in memberships.values()), "one membership per region and country"
    assert got == dict(want)


def test_dated_eu_membership(memberships):
    """The EU's members are dated: founders from 1958, the 2004 and 2013 enlargements, the UK leaving in 2020."""
    eu = {c: (start, end) for c, start, end in memberships["eu"]}
    assert eu["FR"] == (1958, None) and eu["DE"] == (1958, None)
    assert eu["PL"] == (2004, None) and eu["HR"] == (2013, None)
    assert eu["GB"] == (1973, 2020), "the United Kingdom left the EU on 31 January 2020"

    def members(year: int) -> set[str]:
        return {c for c, (s, e) in eu.items() if (s is None or s <= year) and (e is None or year <= e)}

    assert len(members(2012)) == 27 and "HR" not in members(2012)
    assert len(members(2013)) == len(members(2020)) == 28
    assert len(members(2021)) == 27 and "GB" not in members(2021)
    assert len(members(1958)) == 6


def _snapshot_income() -> dict[tuple[str, int], str]:
    """(country, GNI data year) -> income group code (H, UM, LM, L), from the snapshot's World Bank history
    (the graph states income groups only for the countries the evidence names; regions count every member)."""
    alpha2 = {r["alpha3"]: r["alpha2"] for r in rows("countries.csv")}
    return {(alpha2[r["iso3"]], int(r["gni_data_year"])): r["income_group"] for r in rows("income-groups.csv")
            if r["iso3"] in alpha2}


def test_income_assignments_in_the_graph_are_the_snapshot_s(store):
    """The income groups the graph states are those of the snapshot the rule reads."""
    got = {(r["country"], int(r["gni"])): r["group"].rsplit("income-", 1)[1]
           for r in _select(store, """SELECT ?country ?gni ?group WHERE {
               ?a a dw:IncomeGroupAssignment ; dw:classifiedCountry ?c ; dw:gniDataYear ?gni ; dw:incomeGroup ?group .
               ?c dw:isoAlpha2 ?country }""")}
    want = _snapshot_income()
    assert got and {k: want.get(k) for k in got} == got


def test_stored_region_side_assignments_follow_the_rule(store, region_codes, memberships):
    """Every stored dw:RegionSideAssignment (all regions, all years) equals the rule recomputed from the
    graph's memberships and the snapshot's income groups, and the rule gives no assignment that is not stored."""
    income = _snapshot_income()
    years = sorted({y for _, y in income})
    own_side = {r["code"]: r["side"] for r in rows("regions.csv")}
    expected = {}
    for code in region_codes.values():
        for y in years:
            north = south = unclassified = 0
            for country, start, end in memberships.get(code, []):
                if (start is not None and start > y + 1) or (end is not None and end < y + 1):
                    continue  # not a member in the fieldwork year
                group = income.get((country, y))
                if group is None:
                    unclassified += 1
                elif group == "H":
                    north += 1
                else:
                    south += 1
            side = own_side[code] or ("mixed" if north and south else "North" if north else "South" if south else "")
            if side:
                expected[(code, y)] = (side, north, south, unclassified)
    stored = {}
    for r in _select(store, """SELECT ?a ?region ?y ?side ?n ?s ?u WHERE {
            ?a a dw:RegionSideAssignment ; dw:classifiedRegion ?region ; dw:sideGniDataYear ?y ; dw:regionSide ?side ;
               dw:northMembers ?n ; dw:southMembers ?s ; dw:unclassifiedMembers ?u }"""):
        key = (region_codes[r["region"]], int(r["y"]))
        assert key not in stored, f"two assignments for {key}"
        stored[key] = (r["side"], int(r["n"]), int(r["s"]), int(r["u"]))
    n_stored = len(_select(store, "SELECT ?a WHERE { ?a a dw:RegionSideAssignment }"))
    assert n_stored == len(stored), "every assignment has a region, a year, a side and its three counts"
    assert len(stored) > 1000
    diff = {k: (stored.get(k), expected.get(k)) for k in set(stored) | set(expected) if stored.get(k) != expected.get(k)}
    assert not diff, dict(sorted(diff.items())[:10])


def test_some_region_sides_by_hand(store):
    """Spot checks a reader can verify: the EU with Bulgaria upper-middle income is mixed; Northern
    America is North; Western Africa (no high-income member) is South, Eastern Africa (the Seychelles high
    income in GNI 2019) mixed; the Global North stays North."""
    def side(code: str, y: int) -> str | None:
        found = _select(store, f"""SELECT ?side WHERE {{ ?a dw:classifiedRegion dw:region-{code} ;
            dw:sideGniDataYear {y} ; dw:regionSide ?side }}""")
        return found[0]["side"] if found else None

    assert side("northern-america", 2019) == "North"
    assert side("western-africa", 2019) == "South"
    assert side("eastern-africa", 2019) == "mixed"
    assert side("eu", 2019) == "mixed"
    assert side("global-north", 2019) == "North" and side("global-south", 2019) == "South"


def test_m49_codes_and_wikidata_links(store, region_codes):
    """Each region's M49 code (three digits, leading zeros kept) and Wikidata link where the snapshot has one."""
    by_code = {v: k for k, v in region_codes.items()}
    m49 = {r["c"]: r["m49"] for r in _select(store, "SELECT ?c ?m49 WHERE { ?c dw:m49Code ?m49 }")}
    wd = defaultdict(set)
    for r in _select(store, "SELECT ?c ?w WHERE { ?c a skos:Concept ; skos:exactMatch ?w }"):
        wd[r["c"]].add(r["w"])
    for r in rows("regions.csv"):
        c = by_code[r["code"]]
        assert m49.get(c, "") == r["m49"], r["code"]
        if r["wikidata"]:
            assert f"http://www.wikidata.org/entity/{r['wikidata']}" in wd[c], r["code"]
    # codes of the UN Statistics Division's M49 standard
    for code, number in (("africa", "002"), ("americas", "019"), ("asia", "142"), ("europe", "150"), ("oceania", "009"),
                         ("latin-america-and-the-caribbean", "419"), ("south-eastern-asia", "035"),
                         ("eastern-africa", "014"), ("northern-america", "021")):
        assert m49[by_code[code]] == number, code
    assert "http://www.wikidata.org/entity/Q458" in wd[by_code["eu"]], "the European Union is Q458"


def test_m49_hierarchy_nests_members(store, region_codes, memberships):
    """An M49 sub-region's members are members of its broader region, and the continents do not overlap."""
    broader = {r["code"]: r["broader"] for r in rows("regions.csv") if r["scheme"] == "m49"}
    members = {code: {c for c, _, _ in memberships.get(code, [])} for code in broader}
    for code, parent in broader.items():
        if parent:
            assert members[code] <= members[parent], (code, parent, members[code] - members[parent])
    continents = [code for code, parent in broader.items() if not parent]
    assert sorted(continents) == ["africa", "americas", "asia", "europe", "oceania"]
    seen: dict[str, str] = {}
    for code in continents:
        for country in members[code]:
            assert country not in seen, f"{country} in both {seen.get(country)} and {code}"
            seen[country] = code
    stored = {(region_codes[r["c"]], region_codes[r["b"]]) for r in _select(store, """SELECT ?c ?b WHERE {
        ?c skos:broader ?b ; dw:m49Code ?m }""") if r["b"] in region_codes}
    assert stored == {(c, p) for c, p in broader.items() if p}
