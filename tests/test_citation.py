"""CITATION.cff, codemeta.json and .zenodo.json: generated from pyproject.toml and the VoID/DCAT
description (issue 18.1), committed, and in agreement with each other and with a built release."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

ROOT = Path(__file__).resolve().parent.parent


def test_committed_files_are_what_the_generator_writes():
    from datawork_kg.citation import FILES, citation_files

    generated = citation_files()
    assert set(generated) == set(FILES)
    for name, text in generated.items():
        assert (ROOT / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run python -c 'from datawork_kg.citation import write_citation_files; "
            "write_citation_files(\".\")'")


def test_software_metadata_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    codemeta = json.loads((ROOT / "codemeta.json").read_text())
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["title"] == codemeta["name"] == project["name"]
    assert cff["version"] == codemeta["version"] == zenodo["version"] == project["version"]
    assert cff["preferred-citation"]["version"] == project["version"]
    assert cff["abstract"] == codemeta["description"] == project["description"]
    assert cff["license"] == ["CC-BY-4.0", "MIT"] and " AND ".join(cff["license"]) == project["license"]
    assert codemeta["license"] == [f"https://spdx.org/licenses/{x}" for x in cff["license"]]
    assert [a["name"] for a in cff["authors"]] == [a["name"] for a in codemeta["author"]] == \
        [a["name"] for a in project["authors"]]
    assert codemeta["softwareRequirements"] == project["dependencies"]


def test_dataset_metadata_agrees_with_the_void_of_a_build(built):
    ws, _ = built
    void = Graph().parse(ws.require_current() / "dumps" / "void.ttl")
    ds = URIRef("https://w3id.org/datawork/dataset")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())["preferred-citation"]
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    codemeta = json.loads((ROOT / "codemeta.json").read_text())
    assert cff["title"] == zenodo["title"] == codemeta["referencePublication"]["name"] == str(void.value(ds, DCTERMS.title))
    assert cff["abstract"] == zenodo["description"] == str(void.value(ds, DCTERMS.description))
    assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert cff["license"] == "CC-BY-4.0" and zenodo["license"] == "cc-by-4.0"
    assert sorted(cff["keywords"]) == sorted(zenodo["keywords"]) == sorted(str(k) for k in void.objects(ds, DCAT.keyword))
    creator = void.value(ds, DCTERMS.creator)
    names = {str(o) for o in void.objects(creator, URIRef("http://xmlns.com/foaf/0.1/name"))} | {str(creator)}
    assert cff["authors"][0]["name"] in names and zenodo["creators"][0]["name"] in names
    assert zenodo["upload_type"] == "dataset" and cff["type"] == "data"


def test_a_release_cites_the_dataset_of_that_release():
    from datawork_kg.citation import citation_cff, citation_text, dataset, software, zenodo

    ds = dataset("2.3.0", "2027-01-15")
    cff = yaml.safe_load(citation_cff(software(), ds, release=True))
    assert cff["type"] == "dataset" and cff["version"] == "2.3.0" and str(cff["date-released"]) == "2027-01-15"
    assert cff["references"][0]["type"] == "software" and cff["references"][0]["version"] == software().version
    z = json.loads(zenodo(software(), ds))
    assert z["publication_date"] == "2027-01-15" and z["version"] == "2.3.0"
    assert citation_text(ds) == ("datawork-kg contributors (2027). datawork-kg: the human supply chains behind AI "
                                 "(version 2.3.0) [Data set]. https://w3id.org/datawork/dataset")


def test_the_edition_a_site_shows():
    from datawork_kg.citation import edition

    rel = edition({"release": {"version": "1.2.0", "date": "2027-02-01", "citation": "C (2027). T (version 1.2.0)"}}, "x")
    assert rel.version == "1.2.0" and rel.label == "release 1.2.0 (2027-02-01)" and rel.citation.startswith("C (2027)")
    build = edition({}, "20261203T101010-ab12cd34")
    assert build.version is None and "not a numbered release" in build.label
    assert "build 20261203T101010-ab12cd34" in build.citation and "https://w3id.org/datawork/dataset" in build.citation
