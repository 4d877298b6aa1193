"""The dataset description (VoID + DCAT) of a build: what DCAT-AP asks for, and linksets that are links.

Read from the release's ``dumps/void.ttl`` with rdflib, as a harvester would.
"""
from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


@pytest.fixture(scope="module")
def void(built):
    ws, _ = built
    dumps = ws.require_current() / "dumps"
    g = rdflib.Graph().parse(dumps / "void.ttl", format="turtle")
    ds = next(s for s in g.subjects(RDF.type, DCAT.Dataset))
    return g, ds, dumps


def test_checksums_are_spdx_checksum_nodes(void):
    g, ds, dumps = void
    dists = list(g.objects(ds, DCAT.distribution))
    assert len(dists) >= 4
    for dist in dists:
        [ck] = list(g.objects(dist, SPDX.checksum))
        assert isinstance(ck, URIRef), "spdx:checksum's range is spdx:Checksum, not a literal"
        assert (ck, RDF.type, SPDX.Checksum) in g
        assert g.value(ck, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = g.value(ck, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary
        name = str(g.value(dist, DCAT.downloadURL)).rsplit("/", 1)[1]
        assert str(value) == hashlib.sha256((dumps / name).read_bytes()).hexdigest()
        assert g.value(dist, DCAT.accessURL) is not None, "DCAT-AP: every distribution has an accessURL"
        assert g.value(dist, DCTERMS["format"]) is not None


def test_dcat_ap_mandatory_and_recommended_properties(void):
    g, ds, _ = void
    creator = g.value(ds, DCTERMS.creator)
    publisher = g.value(ds, DCTERMS.publisher)
    for agent in (creator, publisher):
        assert isinstance(agent, URIRef), "creator and publisher are agents, not literals"
        assert (agent, RDF.type, FOAF.Organization) in g and g.value(agent, FOAF.name)
    contact = g.value(ds, DCAT.contactPoint)
    assert contact is not None and g.value(contact, VCARD.fn) and g.value(contact, VCARD.hasURL)
    issued = g.value(ds, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.dateTime and str(issued)
    assert isinstance(g.value(ds, DCAT.landingPage), URIRef)
    assert len(list(g.objects(ds, DCAT.keyword))) >= 3
    themes = set(g.objects(ds, DCAT.theme))
    assert themes and all(str(t).startswith("http://publications.europa.eu/resource/authority/data-theme/")
                          for t in themes)


def test_linksets_count_only_links_into_the_other_dataset(void, store):
    """A linkset's triples are links whose object is in the target dataset's URI space, counted right."""
    g, ds, _ = void
    linksets = list(g.subjects(RDF.type, VOID.Linkset))
    assert linksets
    for ls in linksets:
        target = g.value(ls, VOID.objectsTarget)
        space = g.value(target, VOID.uriSpace)
        assert space is not None, f"{ls}: the target dataset has no URI space, so nothing can link into it"
        pred = g.value(ls, VOID.linkPredicate)
        n = int(next(iter(store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{pred}> ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), \"{space}\")) }}")))["n"].value)
        assert int(g.value(ls, VOID.triples)) == n, ls


def test_void_triples_is_the_number_of_distinct_triples_served(void, store):
    g, ds, _ = void
    distinct = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    assert int(g.value(ds, VOID.triples)) == distinct


def test_internal_seed_file_names_are_not_published(built, store):
    """Case files may name the encoders' working copy of a paper (seed_file); the graph does not."""
    import yaml

    from datawork_kg.resources import evidence_dir

    seeds = {yaml.safe_load(p.read_text(encoding="utf-8")).get("study", {}).get("seed_file")
             for p in evidence_dir().glob("*.yaml")} - {None}
    assert seeds, "the bundled case files record their seed files"
    assert not list(store.quads_for_pattern(None, ox.NamedNode("https://w3id.org/datawork/ontology#seedFile"), None))
    ws, _ = built
    dump = (ws.require_current() / "dumps" / "datawork.nq").read_text(encoding="utf-8")
    assert not [s for s in seeds if s in dump]


PROV = Namespace("http://www.w3.org/ns/prov#")
DW = Namespace("https://w3id.org/datawork/ontology#")


def test_each_evidence_graph_subset_names_its_encoders_and_reviewers(built_sources):
    """Issue 15: the VoID subset of an evidence graph carries who encoded and reviewed it, with role and
    day (prov:qualifiedAttribution), as dcterms:contributor, and its prov:generatedAtTime."""
    from pathlib import Path

    import yaml

    ws, _ = built_sources
    g = rdflib.Graph().parse(ws.require_current() / "dumps" / "void.ttl", format="turtle")
    ds = next(s for s in g.subjects(RDF.type, DCAT.Dataset))
    files = sorted((Path(__file__).parent / "data" / "sources").glob("*.yaml"))
    assert len(files) >= 15
    people = set()
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sub = URIRef("https://w3id.org/datawork/id/graph/" + data["study"]["id"])
        assert (ds, VOID.subset, sub) in g
        want = {(p["name"], role, str(p["date"])) for lst, role in (("encoded_by", "curation-encoder"),
                                                                   ("reviewed_by", "curation-reviewer"))
                for p in data.get(lst, [])}
        got = set()
        for att in g.objects(sub, PROV.qualifiedAttribution):
            agent = g.value(att, PROV.agent)
            assert (sub, PROV.wasAttributedTo, agent) in g and (sub, DCTERMS.contributor, agent) in g
            assert (ds, DCTERMS.contributor, agent) in g, "the dataset names every curator as a contributor"
            assert (agent, RDF.type, FOAF.Person) in g and (agent, RDF.type, PROV.Person) in g
            date = g.value(att, DCTERMS.date)
            assert date.datatype == XSD.date
            got.add((str(g.value(agent, FOAF.name)), str(g.value(att, PROV.hadRole)).rsplit("#", 1)[1], str(date)))
            people.add(agent)
        assert got == want, path.name
        generated = g.value(sub, PROV.generatedAtTime)
        assert generated.datatype == XSD.dateTime and str(generated) == max(d for _, _, d in want) + "T00:00:00"
        # the examples' people are invented, and the description says so
        assert all("invented" in str(g.value(a, rdflib.RDFS.comment)) for a in g.objects(sub, PROV.qualifiedAttribution))
    orcid = URIRef("https://orcid.org/0000-0002-1825-0097")  # given in invented-news.yaml
    assert any((p, rdflib.OWL.sameAs, orcid) in g for p in people)


def test_a_graph_whose_case_file_names_nobody_gets_no_curation_statement(void):
    """The bundled case files do not say who encoded them: the description invents nobody."""
    g, ds, _ = void
    subsets = list(g.objects(ds, VOID.subset))
    assert URIRef("https://w3id.org/datawork/id/graph/tubaro-2025") in subsets
    for sub in subsets:
        assert g.value(sub, PROV.qualifiedAttribution) is None and g.value(sub, PROV.wasAttributedTo) is None
    assert g.value(ds, DCTERMS.contributor) is None
