"""Releases: what is published is never written again (issue 21, item 11)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_nothing_in_a_published_release_changes_after_the_swap(tmp_path, monkeypatch):
    """The build points ``current`` at the new release with one os.replace; every file of the release
    (summary.json included: a server opening the release at once reads it) is final at that moment."""
    import datawork_kg.store as store_mod
    from datawork_kg.build import build

    at_swap: dict[str, dict[str, str]] = {}
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "current":
            target = Path(os.readlink(src))
            release = (Path(dst).parent / target).resolve()
            at_swap[release.name] = _files(release)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(store_mod.os, "replace", replace)
    result = build(None, home=tmp_path, reason=False)
    monkeypatch.undo()
    assert list(at_swap) == [result.release.name]
    files = at_swap[result.release.name]
    assert "summary.json" in files and any(f.startswith("dumps/") for f in files)
    assert _files(result.release) == files
    # and the returned summary is the published one, timings included
    import json

    published = json.loads((result.release / "summary.json").read_text())
    assert published == result.summary and "total" in published["seconds"]


# ----------------------------------------------------------------- datawork release (issue 18.2-18.4)
import json  # noqa: E402
import shutil  # noqa: E402
import tomllib  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402
from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = sorted((ROOT / "evidence").glob("*.yaml"))
DS = URIRef("https://w3id.org/datawork/dataset")
ONTO = URIRef("https://w3id.org/datawork/ontology")


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Release 0.1.0 made twice from the same inputs (two evidence files), and 0.2.0 (all four) after it."""
    from click.testing import CliRunner

    from datawork_kg.cli import main
    from datawork_kg.release import release

    root = tmp_path_factory.mktemp("releases")
    first = release("0.1.0", root / "a", paths=EVIDENCE[:2], home=root / "home-a", date="2026-12-01", reason=False)
    again = release("0.1.0", root / "b", paths=EVIDENCE[:2], home=root / "home-b", date="2026-12-01", reason=False)
    changes = root / "CHANGES.md"
    res = CliRunner().invoke(main, ["--home", str(root / "home-a"), "release", "0.2.0", *map(str, EVIDENCE), "--out",
                                    str(root / "a"), "--previous", str(first.folder), "--date", "2026-12-02",
                                    "--changes", str(changes), "--no-reason"])
    assert res.exit_code == 0, res.output
    return first, again, root / "a" / "datawork-kg-0.2.0", changes


def test_the_same_inputs_give_a_byte_identical_bundle(releases):
    first, again, _, _ = releases
    assert first.archive.read_bytes() == again.archive.read_bytes()
    assert _files(first.folder) == _files(again.folder)


def test_bundle_contents(releases):
    import tarfile

    first, _, _, _ = releases
    b = first.folder
    listed = dict(line.split("  ")[::-1] for line in (b / "SHA256SUMS").read_text().splitlines())
    files = {k: v for k, v in _files(b).items() if k != "SHA256SUMS"}
    assert listed == files  # every file, with its SHA-256
    for ext in ("nq", "trig", "jsonld", "nt", "ttl", "rdf"):
        assert (b / "data" / f"datawork.{ext}").stat().st_size > 0
    assert sorted(p.name for p in (b / "evidence").iterdir()) == sorted(p.name for p in EVIDENCE[:2])
    assert (b / "evidence" / EVIDENCE[0].name).read_bytes() == EVIDENCE[0].read_bytes()
    void = Graph().parse(b / "void.ttl", format="turtle")
    assert void.value(DS, URIRef("http://www.w3.org/ns/dcat#version")) == Literal("0.1.0")
    assert str(void.value(DS, DCTERMS.issued)).startswith("2026-12-01")
    cite = str(void.value(DS, DCTERMS.bibliographicCitation))
    assert "(2026)" in cite and "version 0.1.0" in cite and cite in (b / "README.md").read_text()
    onto = Graph().parse(b / "ontology" / "datawork-ontology.nt", format="nt")
    assert onto.value(ONTO, OWL.versionIRI) == URIRef("https://w3id.org/datawork/ontology/0.1.0")
    assert onto.value(ONTO, OWL.priorVersion) is None
    cff = yaml.safe_load((b / "CITATION.cff").read_text())
    assert cff["type"] == "dataset" and cff["version"] == "0.1.0" and str(cff["date-released"]) == "2026-12-01"
    with tarfile.open(first.archive) as tar:
        names = tar.getnames()
        assert f"datawork-kg-0.1.0/SHA256SUMS" in names and all(m.mtime == 0 and m.uid == 0 for m in tar.getmembers())


def test_next_release_names_the_previous_and_says_what_changed(releases):
    first, _, second, changes = releases
    onto = Graph().parse(second / "ontology" / "datawork-ontology.nt", format="nt")
    assert onto.value(ONTO, OWL.versionIRI) == URIRef("https://w3id.org/datawork/ontology/0.2.0")
    assert onto.value(ONTO, OWL.priorVersion) == URIRef("https://w3id.org/datawork/ontology/0.1.0")
    text = (second / "CHANGES.md").read_text()
    assert text.index("## 0.2.0 (2026-12-02)") < text.index("## 0.1.0 (2026-12-01)")
    assert "Compared with 0.1.0" in text
    for f in EVIDENCE[2:]:  # the two sources the second release adds
        graph = "graph/" + f.stem.split("-")[0]
        assert any(line.startswith(f"| {graph}") for line in text.splitlines()), (graph, text)
    assert changes.read_text().startswith("# Changes\n\n## 0.2.0 (2026-12-02)")


def test_diff_cli(releases):
    from click.testing import CliRunner

    from datawork_kg.cli import main

    first, again, second, _ = releases
    same = CliRunner().invoke(main, ["diff", str(first.folder), str(again.folder)])
    assert same.exit_code == 0 and "the same statements" in same.output
    res = CliRunner().invoke(main, ["diff", str(first.folder), str(second), "--format", "json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["differ"] and data["added"] > 0
    added_sources = {g for g, c in data["per_source"].items() if c["added"] and not c["removed"]}
    assert len(added_sources) >= 2
    assert data["per_class"]["https://w3id.org/datawork/ontology#Chain"]["added"] > 0
    assert sum(c["added"] for c in data["per_source"].values()) == data["added"] == \
        sum(len(v) for v in data["statements"]["added"].values())
    rdf = CliRunner().invoke(main, ["diff", str(first.folder), str(second), "--format", "rdf"])
    assert rdf.exit_code == 1
    g = Graph().parse(data=rdf.output, format="turtle")
    cs = URIRef("http://purl.org/vocab/changeset/schema#")
    assert len(set(g.subjects(RDF.type, URIRef(str(cs) + "ChangeSet")))) > 0
    assert len(list(g.objects(None, URIRef(str(cs) + "addition")))) == data["added"]


def test_a_term_is_never_removed_without_deprecation_first():
    from datawork_kg.release import removed_terms

    dw = "https://w3id.org/datawork/ontology#"
    prev = Graph()
    for t in ("Kept", "Dropped", "Renamed", "Deprecated"):
        prev.add((URIRef(dw + t), RDF.type, OWL.Class))
    prev.add((URIRef(dw + "Deprecated"), OWL.deprecated, Literal(True)))
    cur = Graph()
    for t in ("Kept", "NewName"):
        cur.add((URIRef(dw + t), RDF.type, OWL.Class))
    assert removed_terms(prev, cur) == [dw + "Dropped", dw + "Renamed"]
    cur.add((URIRef(dw + "Renamed"), RDF.type, OWL.Class))
    cur.add((URIRef(dw + "Renamed"), OWL.deprecated, Literal(True)))  # kept for a release, deprecated
    cur.add((URIRef(dw + "Dropped"), RDF.type, OWL.Class))
    assert removed_terms(prev, cur) == []


def test_release_refuses_an_ontology_that_drops_a_term(releases, tmp_path):
    from datawork_kg.release import OntologyEvolutionError, release

    first, _, _, _ = releases
    prev = tmp_path / "prev"
    shutil.copytree(first.folder, prev)
    with open(prev / "ontology" / "datawork-ontology.nt", "a") as fh:
        fh.write("<https://w3id.org/datawork/ontology#GoneTerm> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                 "<http://www.w3.org/2002/07/owl#Class> .\n")
    with pytest.raises(OntologyEvolutionError, match="GoneTerm"):
        release("0.3.0", tmp_path / "out", paths=EVIDENCE[:1], home=tmp_path / "home", previous=prev, reason=False)
    assert not (tmp_path / "out" / "datawork-kg-0.3.0").exists()


def test_the_ontology_keeps_every_term_of_the_last_release_and_names_its_version():
    """The working ontology against the one of the last release (ontology/releases/VERSION.nt)."""
    from datawork_kg.ontology import ontology_graph
    from datawork_kg.release import released_ontologies, removed_terms, version_iri

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    onto = ontology_graph()
    assert onto.value(ONTO, OWL.versionIRI) == URIRef(version_iri(version))
    assert str(onto.value(ONTO, OWL.versionInfo)) == version
    released = released_ontologies(ROOT / "ontology" / "releases")
    assert released, "ontology/releases/ holds the ontology of every release"
    last_version, last = released[-1]
    assert removed_terms(Graph().parse(last, format="nt"), onto) == []
    if last_version != version:  # the working version is the next release: it names the last one
        assert onto.value(ONTO, OWL.priorVersion) == URIRef(version_iri(last_version))


def test_every_page_of_the_served_and_static_sites_names_the_release_and_how_to_cite_it(releases, tmp_path):
    """Issue 18.5: the release version and its citation on every page (served and static) and in the VoID."""
    from starlette.testclient import TestClient

    from datawork_kg.publish import publish_static
    from datawork_kg.web import create_app

    _, _, second, _ = releases
    home = second.parent.parent / "home-a"  # its current build is release 0.2.0
    cite = str(Graph().parse(second / "void.ttl", format="turtle").value(DS, DCTERMS.bibliographicCitation))
    assert "version 0.2.0" in cite
    with TestClient(create_app(home, timeout=20, max_rows=1000), base_url="http://127.0.0.1") as client:
        checked = 0
        for path in ("/", "/id/", "/dataset.html", "/dumps/", "/queries.html"):
            r = client.get(path, headers={"Accept": "text/html"})
            if r.status_code == 200 and "text/html" in r.headers.get("content-type", ""):
                assert "release 0.2.0 (2026-12-02)" in r.text and cite in r.text, path
                checked += 1
        assert checked >= 3
        void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
        assert "0.2.0" in void and "bibliographicCitation" in void
    report = publish_static(tmp_path / "site", home=home)
    pages = [p for p in report.out.rglob("*.html") if p.name != "ontology.html"]
    assert len(pages) > 50
    missing = [str(p) for p in pages if cite not in p.read_text(encoding="utf-8")]
    assert missing == []
