"""Dumps and the dataset description (VoID and DCAT) of a release."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from .iris import IRIs
from .namespace import DCAT, PREFIXES, VOID

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# The dataset's own description (with KEYWORDS and PUBLISHER_NAME below): the one source of the title,
# abstract, licence, creator and keywords that the VoID/DCAT description, CITATION.cff, codemeta.json and
# .zenodo.json give (datawork_kg.citation reads them back from dataset_header)
TITLE = "datawork-kg: the human supply chains behind AI"
DESCRIPTION = ("Linked data on the outsourced and offshored data work behind AI (firms, platforms, intermediaries, "
               "workers, tasks, ties, pay and exclusion), transcribed from published field research with provenance "
               "to paper and section.")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
PUBLISHER_NAME = "datawork-kg contributors"
KEYWORDS = ("data work", "AI supply chains", "data annotation", "platform labour", "outsourcing",
            "offshoring", "global value chains", "linked open data")
# DCAT-AP themes (EU data theme vocabulary): population and society; economy and finance
THEMES = (EU_THEME.SOCI, EU_THEME.ECON)
DUMPS = {
    "datawork.nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "datawork.trig": ("application/trig", ox.RdfFormat.TRIG),
    "datawork.ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "datawork.jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
}
# dct:format of each dump (EU file-type vocabulary, as DCAT-AP recommends)
DUMP_FORMATS = {"datawork.nq": "NQUADS", "datawork.trig": "TRIG", "datawork.ttl": "RDF_TURTLE",
                "datawork.jsonld": "JSON_LD"}
VOCABULARIES = ["https://w3id.org/datawork/ontology#", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#",
                "https://schema.org/", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
                "http://xmlns.com/foaf/0.1/"]


def site_base(iris: IRIs) -> str:
    """The publication root: the data base without its trailing ``id/``."""
    return iris.base[:-3] if iris.base.endswith("/id/") else iris.base


def dataset_iri(iris: IRIs) -> URIRef:
    return URIRef(site_base(iris) + "dataset")


def publisher_iri(iris: IRIs) -> URIRef:
    """The agent that publishes (and creates) the dataset: the project's contributors."""
    return URIRef(iris.base + "agent/datawork-kg-contributors")


def write_dumps(store: ox.Store, out: Path, iris: IRIs, summary: dict,
                reference: Graph | None = None, texts: "list[tuple[str, str]] | None" = None) -> dict[str, str]:
    """Write every dump and ``void.ttl``; return file -> sha256.

    ``texts``: (graph IRI, N-Triples text) of every named graph of the store, when the caller has them
    (the build does). The dumps are then written from the text (N-Quads as is, the others through
    pyoxigraph's parser and serializers, two at a time in forked processes) instead of being read back
    from the store, which is about 4x slower; the quads are the same (tests compare them).
    """
    out.mkdir(parents=True, exist_ok=True)
    prefixes = {k: v for k, v in PREFIXES.items()}
    prefixes["id"] = iris.base
    sums: dict[str, str] = {}
    if texts is not None:
        _dumps_from_text(texts, out, prefixes)
        if "entities" not in summary:  # the build counts them already
            summary["entities"] = count_entities((t for _, t in texts), iris.base)
    else:
        for name, (_, fmt) in DUMPS.items():
            path = out / name
            if fmt.supports_datasets:
                store.dump(str(path), fmt, prefixes=prefixes) if fmt != ox.RdfFormat.N_QUADS else store.dump(str(path), fmt)
            else:  # Turtle: the union of all graphs, which the default graph holds as a set (build.default_graph_size)
                store.dump(str(path), fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    for name in DUMPS:
        sums[name] = _sha(out / name)
    void = describe(store, iris, summary, sums, reference=reference)
    void.serialize(out / "void.ttl", format="turtle")
    sums["void.ttl"] = _sha(out / "void.ttl")
    return sums


def count_entities(texts, base: str) -> int:
    """How many distinct IRIs under ``base`` are subjects in N-Triples ``texts`` (VoID's void:entities)."""
    pattern = re.compile("^<(" + re.escape(base) + "[^>]*)>", re.MULTILINE)
    seen: set[str] = set()
    for text in texts:
        seen.update(pattern.findall(text))
    return len(seen)


def _dumps_from_text(texts: list[tuple[str, str]], out: Path, prefixes: dict) -> None:
    from .ntriples import to_nquads, unique_lines

    union = unique_lines(t for _, t in texts)  # the default graph: the union of the named graphs, as a set
    nq = out / "datawork.nq"
    with open(nq, "w", encoding="utf-8") as fh:
        for g_iri, text in texts:
            fh.write(to_nquads(text, g_iri))
        fh.write(union)
    default = out / ".default.nt"
    default.write_text(union, encoding="utf-8")
    del union
    jobs = [(str(nq), "N_QUADS", str(out / "datawork.jsonld"), "JSON_LD", prefixes),
            (str(nq), "N_QUADS", str(out / "datawork.trig"), "TRIG", prefixes),
            (str(default), "N_TRIPLES", str(out / "datawork.ttl"), "TURTLE", prefixes)]
    try:
        _run_jobs(jobs)
    finally:
        default.unlink(missing_ok=True)


def _convert(job) -> None:
    """Parse one file and write it in another RDF format (pyoxigraph both ways, streaming)."""
    src, src_fmt, dst, dst_fmt, prefixes = job
    tmp = dst + ".part"
    ox.serialize(ox.parse(path=src, format=getattr(ox.RdfFormat, src_fmt)), tmp, getattr(ox.RdfFormat, dst_fmt),
                 prefixes=prefixes)
    Path(tmp).replace(dst)


def _run_jobs(jobs: list) -> None:
    """Run the conversions in up to two forked processes (one at a time where fork is missing)."""
    import multiprocessing as mp
    import os

    try:
        ctx = mp.get_context("fork")
        cpus = len(os.sched_getaffinity(0))
    except (ValueError, AttributeError):
        ctx, cpus = None, 1
    if ctx is None or cpus < 2:
        for job in jobs:
            _convert(job)
        return
    with ctx.Pool(min(2, cpus, len(jobs))) as pool:
        pool.map(_convert, jobs, chunksize=1)


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dataset_header(ds: URIRef, summary: dict) -> list[tuple]:
    """The statements of the VoID/DCAT description that say what the dataset is: title, abstract,
    licence, keywords, themes and, for a release (``summary["release"]``, written by
    :mod:`datawork_kg.release`), its version and how to cite it."""
    t = [(ds, DCTERMS.title, Literal(TITLE, lang="en")),
         (ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")),
         (ds, DCTERMS.license, LICENSE)]
    t += [(ds, DCAT.keyword, Literal(word, lang="en")) for word in KEYWORDS]
    t += [(ds, DCAT.theme, theme) for theme in THEMES]
    release = summary.get("release")
    if release:
        t += [(ds, DCAT.version, Literal(release["version"])),
              (ds, DCTERMS.bibliographicCitation, Literal(release["citation"]))]
    return t


def describe(store: ox.Store, iris: IRIs, summary: dict, sums: dict[str, str] | None = None, *,
             reference: Graph | None = None) -> Graph:
    """VoID + DCAT description of the dataset in ``store``.

    ``reference`` is the linked reference graph when the caller has it (the build does); otherwise
    it is read back from the store's ``graph/reference``, for the linksets.
    """
    g = Graph()
    for k, v in PREFIXES.items():
        g.bind(k, v)
    root = site_base(iris)
    ds = dataset_iri(iris)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for t in dataset_header(ds, summary):
        g.add(t)
    built = Literal(summary.get("built", ""), datatype=XSD.dateTime)
    g.add((ds, DCTERMS.modified, built))
    g.add((ds, DCTERMS.issued, Literal(summary.get("issued") or summary.get("built", ""), datatype=XSD.dateTime)))
    _agents(g, ds, iris, root)
    g.add((ds, DCAT.landingPage, URIRef(root)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    g.add((ds, VOID.uriSpace, Literal(iris.base)))
    g.add((ds, VOID.rootResource, URIRef(iris.base + "study/tubaro-2025")))
    for v in VOCABULARIES:
        g.add((ds, VOID.vocabulary, URIRef(v)))
    # the distinct triples served (the default graph, the union of the named graphs as a set); the
    # subsets below count each named graph's own statements, so they add up to more
    g.add((ds, VOID.triples, Literal(int(summary.get("default_graph_triples") or summary.get("triples", 0)))))
    n_ent = summary.get("entities")  # counted by the build; else asked of the store (seconds at 1M triples)
    if n_ent is None:
        n_ent = next(iter(store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"%s\")) }" % iris.base)))["n"].value
    g.add((ds, VOID.entities, Literal(int(n_ent))))
    for name, (media, _) in DUMPS.items():
        url = URIRef(root + "dumps/" + name)
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(root + "dumps/" + name + "#distribution")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"datawork-kg dump ({name.rsplit('.', 1)[1]})", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(root + "dumps/")))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media)))
        g.add((dist, DCTERMS["format"], EU_FILE_TYPE[DUMP_FORMATS[name]]))
        g.add((dist, DCTERMS.license, LICENSE))
        if sums and name in sums:
            ck = URIRef(root + "dumps/" + name + "#checksum")
            g.add((dist, SPDX.checksum, ck))
            g.add((ck, RDF.type, SPDX.Checksum))
            g.add((ck, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((ck, SPDX.checksumValue, Literal(sums[name], datatype=XSD.hexBinary)))
    endpoint = URIRef(root + "sparql#service")
    g.add((ds, DCAT.accessService, endpoint))
    g.add((endpoint, RDF.type, DCAT.DataService))
    g.add((endpoint, DCAT.endpointURL, URIRef(root + "sparql")))
    g.add((endpoint, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((endpoint, DCTERMS.title, Literal("datawork-kg SPARQL endpoint", lang="en")))
    g.add((endpoint, DCAT.servesDataset, ds))
    for cls, n in sorted(summary.get("classes", {}).items()):
        part = URIRef(str(ds) + "#class-" + cls)
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef("https://w3id.org/datawork/ontology#" + cls)))
        g.add((part, VOID.entities, Literal(int(n))))
    for graph, n in sorted(summary.get("graphs", {}).items()):
        sub = URIRef(graph)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(int(n))))
    _curation(g, ds, store)
    examples = store.query("""PREFIX dw: <https://w3id.org/datawork/ontology#>
        SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a dw:Chain } } ORDER BY ?x LIMIT 3""")
    for s in examples:
        g.add((ds, VOID.exampleResource, URIRef(s["x"].value)))
    from .linking import linksets
    from .terms import to_rdflib

    if reference is None:
        reference = Graph()
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iris.base + "graph/reference")):
            reference.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for t in linksets(reference, dataset=ds):
        g.add(t)
    return g


CURATION = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dw: <https://w3id.org/datawork/ontology#>
SELECT ?g ?att ?agent ?name ?role ?date ?note ?same ?generated WHERE {
  GRAPH ?g {
    ?g a dw:EvidenceGraph ; prov:qualifiedAttribution ?att .
    ?att prov:agent ?agent ; prov:hadRole ?role ; dcterms:date ?date .
    OPTIONAL { ?att rdfs:comment ?note }
    OPTIONAL { ?agent rdfs:label ?name }
    OPTIONAL { ?agent owl:sameAs ?same }
    OPTIONAL { ?g prov:generatedAtTime ?generated }
  }
}"""


def _curation(g: Graph, ds: URIRef, store: ox.Store) -> None:
    """Who encoded and reviewed each evidence graph, and when, on its ``void:subset`` (issue 15).

    What the case file says (``encoded_by:``/``reviewed_by:``, loaded as PROV in the evidence graph) is
    repeated here so that a harvester reading only the description sees it: ``prov:wasAttributedTo`` and
    ``dcterms:contributor`` each person (a ``foaf:Person`` with ``foaf:name``, and the ORCID iD as
    ``owl:sameAs``), a ``prov:qualifiedAttribution`` per person with ``prov:hadRole`` (dw:curation-encoder
    or dw:curation-reviewer) and ``dcterms:date``, and ``prov:generatedAtTime``. The dataset itself has
    every such person as ``dcterms:contributor``. A case file that names nobody gets no statement.
    """
    from rdflib.namespace import OWL, PROV, RDFS

    from .terms import to_rdflib

    for row in store.query(CURATION):
        sub, att, agent = (URIRef(row[k].value) for k in ("g", "att", "agent"))
        g.add((sub, PROV.wasAttributedTo, agent))
        g.add((sub, DCTERMS.contributor, agent))
        g.add((ds, DCTERMS.contributor, agent))
        g.add((sub, PROV.qualifiedAttribution, att))
        g.add((att, RDF.type, PROV.Attribution))
        g.add((att, PROV.agent, agent))
        g.add((att, PROV.hadRole, URIRef(row["role"].value)))
        g.add((att, DCTERMS.date, to_rdflib(row["date"])))
        if row["note"] is not None:  # the case file's note on the person's part (an example says it is invented)
            g.add((att, RDFS.comment, to_rdflib(row["note"])))
        g.add((agent, RDF.type, PROV.Person))
        g.add((agent, RDF.type, FOAF.Person))
        if row["name"] is not None:
            g.add((agent, FOAF.name, Literal(row["name"].value)))
            g.add((agent, RDFS.label, Literal(row["name"].value)))
        if row["same"] is not None:
            g.add((agent, OWL.sameAs, URIRef(row["same"].value)))
        if row["generated"] is not None:
            g.add((sub, PROV.generatedAtTime, to_rdflib(row["generated"])))


def _agents(g: Graph, ds: URIRef, iris: IRIs, root: str) -> None:
    """Creator, publisher and contact point as resources (DCAT-AP), not literals."""
    agent = publisher_iri(iris)
    g.bind("vcard", VCARD)
    g.bind("spdx", SPDX)
    g.add((ds, DCTERMS.creator, agent))
    g.add((ds, DCTERMS.publisher, agent))
    g.add((agent, RDF.type, FOAF.Organization))
    g.add((agent, FOAF.name, Literal(PUBLISHER_NAME)))
    g.add((agent, FOAF.homepage, URIRef(root)))
    contact = URIRef(root + "dataset#contact")
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(PUBLISHER_NAME)))
    g.add((contact, VCARD.hasURL, URIRef(root)))


__all__ = ["write_dumps", "describe", "dataset_header", "TITLE", "DESCRIPTION", "KEYWORDS", "dataset_iri", "publisher_iri", "site_base", "DUMPS"]
