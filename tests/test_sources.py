"""Every kind of source beyond the academic ones, through validate, build, the evidence queries and the
pages, and who encoded and reviewed each (issue 15).

Each kind has one invented case file in tests/data/sources/ (``<kind>.yaml``, marked as invented);
docs/evidence-format.md shows the same files as its worked examples (tests/test_evidence_docs.py).
"""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from datawork_kg import queries as Q
from datawork_kg.cli import main
from datawork_kg.loaders.emitter import SOURCE_CLASSES

from servers import start_datawork

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "data" / "sources"
SCHEMA = json.loads((ROOT / "datawork_kg" / "schemas" / "case-file.schema.json").read_text(encoding="utf-8"))
ACADEMIC = {"journal-article", "book-chapter", "working-paper", "abstract", "blog-post", "report"}
NEW_KINDS = [k for k in SCHEMA["$defs"]["study"]["properties"]["kind"]["enum"] if k not in ACADEMIC]
ID = "https://w3id.org/datawork/id/"
DW = "https://w3id.org/datawork/ontology#"
PROV = "http://www.w3.org/ns/prov#"


def case(kind: str) -> dict:
    return yaml.safe_load((SOURCES / f"{kind}.yaml").read_text(encoding="utf-8"))


def about_iri(ref: str, study: str) -> str:
    """The IRI a finding's ``about:`` entry names: a country code or an item of the same file."""
    if re.fullmatch(r"[A-Z]{2}", ref):
        return ID + "country/" + ref
    data = yaml.safe_load((SOURCES / f"{study}.yaml").read_text(encoding="utf-8"))
    for lst, kind in (("organisations", "organisation"), ("workers", "worker")):
        if any(item["id"] == ref for item in data.get(lst, []) or []):
            return f"{ID}{kind}/{data['study']['id']}-{ref}"
    raise AssertionError(f"{ref} is in no list of {study}")


@pytest.fixture(scope="module")
def sources_store(built_sources):
    from datawork_kg.store import open_store

    ws, _ = built_sources
    store = open_store(ws.root)
    yield store
    del store


def test_the_kind_list_is_the_issue_s():
    """The schema's kinds besides the academic ones are the fifteen the examples cover."""
    assert len(NEW_KINDS) == 15
    assert {"news-article", "magazine-article", "ngo-report", "union-report", "advocacy-report", "court-filing",
            "judgment", "settlement", "company-statement", "company-filing", "government-publication",
            "statistical-publication", "dataset", "interview", "testimony"} == set(NEW_KINDS)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_each_kind_has_an_invented_case_file_that_validates(kind):
    path = SOURCES / f"{kind}.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["study"]["kind"] == kind
    assert "INVENTED" in text.split("format:")[0], "the file says it is invented before anything else"
    assert data["study"]["title"].startswith("[Invented]")
    assert all("[Invented]" in f["statement"] for f in data.get("findings", []))
    assert all("invented" in p.get("note", "") for lst in ("encoded_by", "reviewed_by") for p in data[lst]), \
        "the invented encoders and reviewers are marked as invented"
    study = data["study"]
    for fld in ("publisher", "url", "published", "accessed", "archived_url"):
        assert study.get(fld), f"{kind}: the example gives '{fld}'"
    assert all(isinstance(s, dict) and set(s) & {"page", "paragraph", "timestamp", "url"}
               for s in study["sections"].values()), f"{kind}: every section is a locator"
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "no problems found" in res.output


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_build_types_and_cites_each_kind(sources_store, kind):
    """The built graph gives each source its class, publisher, address, dates, number and locators."""
    data = case(kind)
    s = data["study"]
    study = f"{ID}study/{s['id']}"
    store = sources_store

    def values(subject: str, pred: str) -> set[str]:
        return {r["o"].value for r in store.query(f"SELECT ?o WHERE {{ <{subject}> <{pred}> ?o }}")}

    assert DW + SOURCE_CLASSES[kind] in values(study, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    [publisher] = values(study, "http://purl.org/dc/terms/publisher")
    assert values(publisher, "https://schema.org/name") == {s["publisher"]}
    assert values(study, "https://schema.org/url") == {s["url"]}
    assert values(study, "https://schema.org/archivedAt") == {s["archived_url"]}
    assert values(study, DW + "publicationDate") == {str(s["published"])}
    assert values(study, DW + "accessDate") == {str(s["accessed"])}
    assert values(study, DW + "documentNumber") == ({s["identifier"]} if "identifier" in s else set())
    for key, loc in s["sections"].items():
        sec = f"{ID}section/{s['id']}-{key}"
        assert values(sec, "http://purl.org/dc/terms/isPartOf") == {study}
        for fld in ("page", "paragraph", "timestamp"):
            assert values(sec, DW + fld) == ({str(loc[fld])} if fld in loc else set()), (kind, key, fld)
        assert values(sec, "https://schema.org/url") == ({loc["url"]} if "url" in loc else set())
        if set(loc) & {"page", "paragraph", "timestamp"}:
            [locator] = values(sec, "http://purl.org/ontology/bibo/locator")
            assert all(str(loc[f]) in locator for f in ("page", "paragraph", "timestamp") if f in loc)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_evidence_queries_give_each_kind_s_outlet_date_and_link(sources_store, kind):
    data = case(kind)
    s = data["study"]
    published = datetime.date.fromisoformat(str(s["published"]))
    for f in data["findings"]:
        finding = f"{ID}finding/{s['id']}-{f['id']}"
        [row] = [r for r in Q.run_store(sources_store, Q.bind(Q.get("claim-support"), {"finding": finding, "text": "[Invented]"}))
                 if r["study"] == s["id"]]
        assert (row["outlet"], row["published"], row["url"]) == (s["publisher"], published, s["url"])
        for ref in f["about"]:
            rows = [r for r in Q.run_store(sources_store, Q.bind(Q.get("evidence-about"),
                                                                 {"entity": about_iri(ref, kind)}))
                    if r["study"] == s["id"]]
            assert rows, (kind, ref)
            assert {(r["outlet"], r["published"], r["url"]) for r in rows} == {(s["publisher"], published, s["url"])}


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_each_evidence_graph_says_who_encoded_and_reviewed_it(sources_store, kind):
    """prov:wasAttributedTo each person, a qualified attribution with role and day, generated at the last day."""
    data = case(kind)
    graph = f"{ID}graph/{data['study']['id']}"
    rows = list(sources_store.query(f"""PREFIX prov: <{PROV}> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?name ?role ?date WHERE {{ GRAPH <{graph}> {{
          <{graph}> prov:qualifiedAttribution ?a ; prov:wasAttributedTo ?p .
          ?a prov:agent ?p ; prov:hadRole ?role ; dcterms:date ?date . ?p rdfs:label ?name }} }}"""))
    got = {(r["name"].value, r["role"].value.rsplit("curation-", 1)[1], r["date"].value) for r in rows}
    want = {(p["name"], role, str(p["date"])) for lst, role in (("encoded_by", "encoder"), ("reviewed_by", "reviewer"))
            for p in data[lst]}
    assert got == want
    [generated] = list(sources_store.query(f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ <{graph}> <{PROV}generatedAtTime> ?t }} }}"))
    assert generated["t"].value == max(d for _, _, d in want) + "T00:00:00"


# ------------------------------------------------------------------ pages: served and static
TESTIMONY = case("testimony")
WITNESS = f"{ID}worker/{TESTIMONY['study']['id']}-witness"


def _check_resource_page(page: str) -> None:
    """The page of an item from the testimony says who encoded and reviewed that source, and when."""
    m = re.search(r'<h2 id="sources">.*?</ul>', page, re.S)
    assert m, "the page lists where the item comes from"
    sources = m.group(0)
    enc, rev = TESTIMONY["encoded_by"][0], TESTIMONY["reviewed_by"][0]
    assert re.search(rf'Encoded by <a class="curator" href="[^"]*person/ada-encoder\.html">{enc["name"]}</a> on '
                     rf'<time datetime="{enc["date"]}">', sources), sources
    assert re.search(rf'reviewed by <a class="curator" href="[^"]*person/ben-reviewer\.html">{rev["name"]}</a> on '
                     rf'<time datetime="{rev["date"]}">', sources), sources


def _check_void_page(page: str) -> None:
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "invented-testimony-2025" in r)
    assert re.search(r'encoded by <a href="[^"]*person/ada-encoder\.html">Ada Encoder</a> on <time datetime="2026-11-20">', row)
    assert re.search(r'reviewed by <a href="[^"]*person/ben-reviewer\.html">Ben Reviewer</a> on <time datetime="2026-11-28">', row)


def test_a_bundled_source_whose_file_names_nobody_says_so(built):
    """The bundled case files name no encoder: the page says the file does not say, and invents nobody."""
    from datawork_kg.store import open_store
    from datawork_kg.web import Linker, Site, resource_page

    ws, _ = built
    store = open_store(ws.root)
    try:
        site = Site(store, ID)
        page = resource_page(site.view(ID + "worker/tubaro-2025-ve-workers"), site, Linker(ID))
        assert "Its case file does not say who encoded or reviewed it." in page
        assert 'class="curator"' not in page
    finally:
        del store


def test_pages_served_show_who_encoded_and_reviewed(built_sources):
    ws, _ = built_sources
    with start_datawork(ws.root) as srv:
        base = srv.url
        page = httpx.get(base + WITNESS[len("https://w3id.org/datawork"):] + ".html", timeout=60)
        assert page.status_code == 200
        _check_resource_page(page.text)
        void = httpx.get(base + "/dataset.html", timeout=60)
        assert void.status_code == 200
        _check_void_page(void.text)
        person = httpx.get(base + "/id/person/ada-encoder.html", timeout=60)
        assert person.status_code == 200 and "Ada Encoder" in person.text


def test_static_pages_show_who_encoded_and_reviewed(built_sources, tmp_path):
    from datawork_kg.publish import publish_static

    ws, _ = built_sources
    out = tmp_path / "site"
    publish_static(out, home=ws.root)
    _check_resource_page((out / (WITNESS[len("https://w3id.org/datawork/"):] + ".html")).read_text(encoding="utf-8"))
    _check_void_page((out / "dataset.html").read_text(encoding="utf-8"))
    assert "Ada Encoder" in (out / "id" / "person" / "ada-encoder.html").read_text(encoding="utf-8")
