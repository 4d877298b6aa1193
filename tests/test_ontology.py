"""Integrity checks of the ontology modules in ``ontology/``.

Most rules are SPARQL queries, one per file in ``tests/checks/*.rq`` (schema.org's
test_graphs style): each selects the rows that break its rule, and one parametrized test runs
them all over the merged modules, printing the offending rows. A query's ``#+`` header (YAML
in comments, as in grlc) gives its summary, and ``xfail: <reason>`` marks a known gap, which
stays visible instead of being deleted.

The queries run over an rdflib Dataset: the merged ontology is the default graph, and the
named graph ``<urn:datawork:test:expected>`` holds what the contract expects, parsed from
``docs/data-model.md`` and the case-file JSON schema.

Further tests parse each module on its own, check that alignment modules hold only bridges,
that every term borrowed from a well-known vocabulary exists there, and run HermiT and the
OWL 2 DL profile checker.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, VANN, XSD

from datawork_kg.reasoning import check_ontology, dl_profile_violations, merge_ontology, ontology_files

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
DATA_MODEL = ROOT / "docs" / "data-model.md"
SCHEMA = ROOT / "datawork_kg" / "schemas" / "case-file.schema.json"

DW = Namespace("https://w3id.org/datawork/ontology#")
DWT = Namespace("urn:datawork:test:")
EXPECTED = URIRef("urn:datawork:test:expected")
ONTOLOGY_BASE = "https://w3id.org/datawork/ontology"

MODULES = {"core", "strict", "vocabularies", "concepts", "org-mapping", "prov-mapping", "schema-mapping", "bibo-mapping",
           "foaf-mapping", "dcterms-mapping", "time-mapping", "wikidata-mapping"}

# Enumerations of the case-file schema that are not code lists (they choose a class or stay text).
NOT_CODE_LISTS = {
    "/properties/format",                  # the format version, a constant
    "/$defs/study/properties/kind",        # written as the string dw:studyKind
    "/$defs/organisation/properties/kind",  # chooses the class (dw:Platform, dw:LeadFirm...)
    "/$defs/worker/properties/kind",       # chooses dw:Worker or dw:WorkerGroup
    "/$defs/pay/properties/currency/oneOf/1",  # currency: not-stated, written as dw:currencyStated false
}


# --------------------------------------------------------------------------- helpers

def read_header(path: Path) -> dict:
    """The YAML of a query's ``#+`` comment lines."""
    lines = [line[2:].removeprefix(" ") for line in path.read_text().splitlines() if line.startswith("#+")]
    header = yaml.safe_load("\n".join(lines)) if lines else None
    return header if isinstance(header, dict) else {}


def _check_params():
    params = []
    for path in sorted(CHECKS_DIR.glob("*.rq")):
        reason = read_header(path).get("xfail")
        marks = [pytest.mark.xfail(reason=str(reason), strict=False)] if reason else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def data_model_terms(text: str) -> set[str]:
    """Local names of the ``dw:`` terms that the data-model document names."""
    return set(re.findall(r"\bdw:([A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9])", text))


def prefix_table(text: str) -> list[tuple[str, list[str], str, str]]:
    """Rows of the code-list table: (item kinds, YAML fields, prefix, scheme local name)."""
    section = text.split("## Code lists", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        items = cells[0].split("`", 1)[0].strip()
        fields = re.findall(r"`([^`]+)`", cells[0])
        prefix = cells[1].strip("`")
        scheme = re.search(r"dw:([A-Za-z]+Scheme)", cells[2]).group(1)
        rows.append((items, fields, prefix, scheme))
    return rows


def _resolve(schema: dict, node: dict, pointer: str) -> tuple[dict, str]:
    while "$ref" in node:
        pointer = node["$ref"][1:]
        node = schema
        for part in pointer.strip("/").split("/"):
            node = node[part]
    return node, pointer


def enum_of(schema: dict, item: str, field: str) -> tuple[list, str]:
    """The enum (and its JSON pointer) of ``field`` (dotted for nesting) of item ``item``."""
    node, pointer = _resolve(schema, schema["$defs"][item], f"/$defs/{item}")
    for part in field.split("."):
        node, pointer = _resolve(schema, node["properties"][part], f"{pointer}/properties/{part}")
        if node.get("type") == "array":
            node, pointer = _resolve(schema, node["items"], f"{pointer}/items")
    return node["enum"], pointer


def all_enums(node, pointer: str = ""):
    """Every (JSON pointer, values) of an ``enum`` or ``const`` in the schema."""
    if isinstance(node, dict):
        if "enum" in node:
            yield pointer, node["enum"]
        if "const" in node:
            yield pointer, [node["const"]]
        for key, value in node.items():
            yield from all_enums(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from all_enums(value, f"{pointer}/{i}")


def table_enums(schema: dict, text: str):
    """(pointer, values, prefix, scheme) for each YAML field of the prefix table."""
    for items, fields, prefix, scheme in prefix_table(text):
        for kind in items.split("/"):
            kind = kind.strip().replace(" ", "_")  # "legal action" -> legal_action
            for field in fields:
                values, pointer = enum_of(schema, kind, field)
                yield pointer, values, prefix, scheme


def expected_graph() -> Graph:
    """What the contract expects, as triples for the checks to compare against."""
    text = DATA_MODEL.read_text()
    schema = json.loads(SCHEMA.read_text())
    g = Graph()
    for local in data_model_terms(text):
        g.add((DW[local], DWT.mentionedIn, DWT["data-model"]))
    for _pointer, values, prefix, scheme in table_enums(schema, text):
        for value in values:
            concept = DW[f"{prefix}-{value}"]
            g.add((concept, DWT.notation, Literal(value)))
            g.add((concept, DWT.scheme, DW[scheme]))
    return g


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def module_paths() -> list[Path]:
    return ontology_files(ROOT)


@pytest.fixture(scope="module")
def merged(module_paths) -> Graph:
    return merge_ontology(module_paths)


def build_dataset(merged: Graph) -> Dataset:
    ds = Dataset()
    for triple in merged:
        ds.default_graph.add(triple)
    expected = ds.graph(EXPECTED)
    for triple in expected_graph():
        expected.add(triple)
    return ds


@pytest.fixture(scope="module")
def dataset(merged) -> Dataset:
    return build_dataset(merged)


def run_check(check: Path, ds: Dataset) -> list[tuple[str, ...]]:
    return [tuple(str(v) if v is not None else "" for v in row) for row in ds.query(check.read_text())]


# --------------------------------------------------------------------------- SPARQL rules

@pytest.mark.parametrize("check", _check_params())
def test_check(check: Path, dataset: Dataset):
    """Run one rule of tests/checks/ and report the rows that break it."""
    header = read_header(check)
    rows = run_check(check, dataset)
    for row in rows:
        print(f"{check.stem}: " + " | ".join(row))
    assert not rows, (f"{check.stem}: {header.get('summary', '')}\n"
                      f"{len(rows)} offending row(s), e.g.:\n  " + "\n  ".join(" | ".join(r) for r in rows[:20]))


FAULT_PREFIXES = """
PREFIX dw: <https://w3id.org/datawork/ontology#>
PREFIX dwt: <urn:datawork:test:>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.mark.parametrize("check", sorted(CHECKS_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_check_header(check: Path):
    """Every rule says what it checks, and how to break it, in a #+ YAML header."""
    header = read_header(check)
    assert isinstance(header.get("summary"), str) and header["summary"].strip(), f"{check.name}: no #+ summary"
    assert isinstance(header.get("fault"), str) and header["fault"].strip(), f"{check.name}: no #+ fault"


@pytest.mark.parametrize("check", sorted(CHECKS_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_check_catches_its_fault(check: Path, merged):
    """A rule is not vacuous: the SPARQL Update in its ``#+ fault`` header makes it report rows.

    (A FILTER inside a UNION branch cannot see variables bound outside the branch, so a check can
    silently match nothing; this test catches that.) Faults use ``INSERT {...} WHERE {}`` rather
    than ``INSERT DATA``, which rdflib 7 cannot apply to a Dataset's default graph.
    """
    ds = build_dataset(merged)
    ds.update(FAULT_PREFIXES + read_header(check)["fault"])
    assert run_check(check, ds), f"{check.stem} reports nothing on its own #+ fault"


def test_expectations_are_not_empty():
    """The harness really found the contract's terms and code lists (else the checks pass vacuously)."""
    g = expected_graph()
    assert len(set(g.subjects(DWT.mentionedIn, None))) > 150
    assert len(set(g.subjects(DWT.notation, None))) > 150
    assert len(prefix_table(DATA_MODEL.read_text())) == 28


def test_every_schema_enum_is_a_code_list():
    """A new enumeration in the case-file schema needs a row in the prefix table (or a reason here)."""
    schema = json.loads(SCHEMA.read_text())
    covered = {pointer for pointer, *_ in table_enums(schema, DATA_MODEL.read_text())}
    uncovered = sorted(p for p, _ in all_enums(schema)
                       if p not in covered and p not in NOT_CODE_LISTS and "/$defs/study/properties/parts" not in p)
    # parts[].authorship shares the study authorship code list
    assert not uncovered, "enums without a code list in docs/data-model.md: " + ", ".join(uncovered)


# --------------------------------------------------------------------------- modules

def test_ontology_files_lists_every_module(module_paths):
    assert {p.stem for p in module_paths} == MODULES


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_parses_on_its_own(name: str):
    """Each module is valid Turtle for rdflib (no OWL-RL or other inference) and one ontology."""
    path = ROOT / "ontology" / f"{name}.ttl"
    g = Graph().parse(path, format="turtle")
    assert len(g) > 10
    ontologies = set(g.subjects(RDF.type, OWL.Ontology))
    assert len(ontologies) == 1, f"{name}: {len(ontologies)} owl:Ontology headers"
    iri = str(next(iter(ontologies)))
    assert iri == ONTOLOGY_BASE or iri.startswith(ONTOLOGY_BASE + "/"), iri
    if name != "core":
        assert (URIRef(iri), OWL.imports, None) in g, f"{name} imports nothing"


def test_imports_stay_within_the_modules(module_paths):
    iris = set()
    imported = set()
    for path in module_paths:
        g = Graph().parse(path, format="turtle")
        iris |= set(g.subjects(RDF.type, OWL.Ontology))
        imported |= set(g.objects(None, OWL.imports))
    assert imported <= iris, f"imports of unknown modules: {imported - iris}"


BRIDGES = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
           SKOS.closeMatch, SKOS.exactMatch, RDFS.seeAlso}
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.mark.parametrize("path", sorted((ROOT / "ontology").glob("*-mapping.ttl")), ids=lambda p: p.stem)
def test_alignment_module_holds_only_bridges(path: Path):
    """An alignment module holds its header, declarations of foreign terms and dw -> foreign bridges."""
    g = Graph().parse(path, format="turtle")
    module = next(iter(g.subjects(RDF.type, OWL.Ontology)))
    bad = []
    for s, p, o in g:
        if s == module:
            continue
        if p == RDF.type and o in DECLARATIONS and isinstance(s, URIRef) and s not in DW:
            continue
        if isinstance(s, URIRef) and s in DW and p in BRIDGES and not (isinstance(o, URIRef) and o in DW):
            continue
        if isinstance(s, BNode) and p == OWL.inverseOf:  # [ owl:inverseOf foaf:member ] as a bridge target
            continue
        bad.append((s, p, o))
    assert not bad, f"{path.name}: not a bridge: " + "; ".join(" ".join(x.n3() for x in t) for t in bad[:10])


# Vocabularies whose term lists rdflib ships: a term borrowed from them must exist there.
KNOWN_VOCABULARIES = [DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, VANN, XSD]
OTHER_NAMESPACES = [
    str(DW), ONTOLOGY_BASE, "https://w3id.org/datawork/id/study/", "http://www.wikidata.org/entity/Q",
    "https://creativecommons.org/licenses/", "https://datahelpdesk.worldbank.org/",
]
# BIBO and FaBiO have no rdflib namespace: the terms bridged to, each checked against the published
# vocabularies (ontology/bibo-mapping.ttl)
LISTED_TERMS = {f"http://purl.org/ontology/bibo/{t}" for t in (
    "AcademicArticle", "Article", "Chapter", "Report", "LegalDocument", "LegalDecision", "Interview", "Document",
    "number", "pages", "locator")} | {f"http://purl.org/spar/fabio/{t}" for t in (
    "JournalArticle", "BookChapter", "WorkingPaper", "Abstract", "BlogPost", "NewspaperArticle", "MagazineArticle",
    "ReportDocument", "PressRelease")}


def test_borrowed_terms_exist(merged):
    """No misspelt foreign term (schema:Organisation, org:memberof...) and no unexpected namespace."""
    bad = set()
    for triple in merged:
        for term in triple:
            if not isinstance(term, URIRef):
                continue
            text = str(term)
            vocab = next((v for v in KNOWN_VOCABULARIES if text.startswith(str(v._NS))), None)
            if vocab is not None:
                if term not in vocab:
                    bad.add(f"{text} (not a term of {vocab._NS})")
            elif text not in LISTED_TERMS and not any(text.startswith(ns) for ns in OTHER_NAMESPACES):
                bad.add(f"{text} (unexpected namespace)")
    assert not bad, "\n".join(sorted(bad))


# --------------------------------------------------------------------------- reasoning

@pytest.fixture
def java():
    """HermiT runs on Java 17: skipped without it, a failure on CI (.ci/install-servers.sh installs it)."""
    from conftest import skip_or_fail

    if shutil.which("java") is None:
        skip_or_fail("HermiT needs Java 17 (Debian package default-jdk-headless; see .ci/install-servers.sh)")


@pytest.fixture
def javac(java):
    from conftest import skip_or_fail

    if shutil.which("javac") is None:
        skip_or_fail("the OWL 2 DL profile checker needs a JDK (Debian package default-jdk-headless)")


def test_hermit_consistent_and_satisfiable(module_paths, java):
    """HermiT finds the merged modules consistent, with every named class satisfiable."""
    report = check_ontology(module_paths, timeout=300)
    print(report.summary())
    assert report.consistent, report.summary()
    assert report.unsatisfiable == [], report.summary()


def test_hermit_reports_problems(module_paths, tmp_path, java):
    """The harness really reasons: a class under two disjoint classes is reported unsatisfiable."""
    extra = tmp_path / "broken.ttl"
    extra.write_text(
        "@prefix dw: <https://w3id.org/datawork/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "dw:Impossible a owl:Class ; rdfs:subClassOf dw:Worker , dw:Organisation .\n")
    report = check_ontology([*module_paths, extra], timeout=300)
    assert report.consistent
    assert report.unsatisfiable == [str(DW.Impossible)]


def test_owl2_dl_profile(module_paths, javac):
    """The OWL API's OWL 2 DL profile checker finds no violation in the merged modules."""
    violations = dl_profile_violations(module_paths)
    for v in violations:
        print(v)
    assert violations == []


# --------------------------------------------------------------------------- documentation

def test_pylode_renders_the_core():
    """pyLODE (pinned for the published documentation) renders the core with every class in it."""
    pylode = pytest.importorskip("pylode")
    html = pylode.OntPub(ontology=str(ROOT / "ontology" / "core.ttl")).make_html()
    core = Graph().parse(ROOT / "ontology" / "core.ttl", format="turtle")
    labels = {str(label) for cls in core.subjects(RDF.type, OWL.Class) if cls in DW
              for label in core.objects(cls, RDFS.label)}
    missing = sorted(label for label in labels if label not in html)
    assert not missing, f"classes missing from the pyLODE page: {missing}"
