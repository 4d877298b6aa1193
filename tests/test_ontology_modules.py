"""Every ontology and module IRI, versioned or not, dereferences to its whole module in every format,
on a real ``datawork serve`` (the static site's rules are run for real in tests/test_publish.py)."""
from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from datawork_kg.ontology import ONTOLOGY_GRAPH, module_path, module_triples, modules

FORMATS = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE), "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
           "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML), "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES)}


def test_every_module_has_an_iri_and_a_version_iri():
    found = modules()
    assert ONTOLOGY_GRAPH in found and found[ONTOLOGY_GRAPH] is None
    assert {"https://w3id.org/datawork/ontology/strict", "https://w3id.org/datawork/ontology/vocabularies",
            "https://w3id.org/datawork/ontology/align/dcterms"} <= set(found)
    assert any(iri.startswith(ONTOLOGY_GRAPH + "/") and found[iri] is None for iri in found), "the version IRI"


@pytest.mark.parametrize("iri", sorted(modules()))
def test_module_iri_gives_the_whole_module(server, iri):  # the session's datawork serve (conftest)
    path = "/" + module_path(iri)
    expected = len(set(module_triples(iri)))
    with httpx.Client(base_url=server, timeout=60) as c:
        for ext, (media, fmt) in FORMATS.items():
            r = c.get(path, headers={"Accept": media})
            assert r.status_code == 303, (path, media, r.status_code)
            assert r.headers["location"] == f"{path}.{ext}"
            doc = c.get(r.headers["location"])
            assert doc.status_code == 200 and doc.headers["content-type"].startswith(media), (path, ext)
            got = set(ox.parse(doc.content, format=fmt, base_iri=iri))
            assert len(got) == expected, (path, ext, len(got), expected)
        html = c.get(path, headers={"Accept": "text/html"})
        assert html.status_code == 303 and html.headers["location"].startswith("/ontology.html")
        assert c.get(path, headers={"Accept": "image/png"}).status_code == 406
