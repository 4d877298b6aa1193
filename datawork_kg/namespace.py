"""Namespaces used across datawork-kg (replaced by a generated, typed module later)."""
from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

DW_NS = "https://w3id.org/datawork/ontology#"
DW = Namespace(DW_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = Namespace("http://www.wikidata.org/entity/")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "dw": DW_NS, "org": str(ORG), "schema": str(SCHEMA), "prov": str(PROV), "skos": str(SKOS),
    "dcterms": str(DCTERMS), "foaf": str(FOAF), "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS),
    "xsd": str(XSD), "vann": str(VANN), "void": str(VOID), "dcat": str(DCAT), "wd": str(WD),
    "time": str(TIME), "sh": str(SH),
}

__all__ = ["DW", "DW_NS", "ORG", "SCHEMA", "VANN", "VOID", "DCAT", "WD", "TIME", "SH", "PREFIXES",
           "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD"]
