"""datawork_kg.validation: both engines, one report format, the type closure and the table."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from datawork_kg import validation
from datawork_kg.namespace import DW, SH
from datawork_kg.validation import (
    ValidationError,
    Violation,
    format_table,
    load_shapes,
    split_sparql_shapes,
    type_closure,
    validate,
)

SHAPES_DIR = Path(__file__).parent / "shapes"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
EX = "https://example.org/datawork-test/"
DWS = "https://w3id.org/datawork/shapes#"

pyrudof = pytest.importorskip("pyrudof", reason="pyrudof is not installed")


def _examples() -> list[tuple[str, list[Path], bool]]:
    """(name, data files, conforms) of each entry of tests/shapes/manifest.ttl."""
    g = Graph().parse(SHAPES_DIR / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, URIRef(MF + "Manifest")))
    out = []
    for entry in Collection(g, g.value(manifest, URIRef(MF + "entries"))):
        action = g.value(entry, URIRef(MF + "action"))
        files = sorted(Path(str(f).removeprefix("file://")) for f in g.objects(action, URIRef(SHT + "dataGraph")))
        conforms = bool(g.value(g.value(entry, URIRef(MF + "result")), SH.conforms).toPython())
        out.append((str(entry).rsplit("#", 1)[-1], files, conforms))
    return out


EXAMPLES = _examples()
INVALID = [e for e in EXAMPLES if not e[2]]


@pytest.fixture(scope="session")
def ontology() -> Graph:
    from test_shapes import _ontology  # ontology/*.ttl plus tests/shapes/class-hierarchy.ttl

    return _ontology()


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


def _data(files: list[Path], ontology: Graph) -> Graph:
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return type_closure(g, ontology, inplace=True)


def _key(v: Violation) -> tuple:
    return (v.focus, v.path, v.value, v.shape, v.severity, v.message, v.constraint, v.source_file)


# --------------------------------------------------------------------------- both engines agree


@pytest.mark.parametrize("name,files,conforms", INVALID, ids=[e[0] for e in INVALID])
def test_engines_report_the_same_violations(name: str, files: list[Path], conforms: bool, ontology: Graph,
                                            shapes: Graph) -> None:
    data = _data(files, ontology)
    py = validate(data, shapes=shapes, engine="pyshacl")
    ru = validate(data, shapes=shapes, engine="rudof")
    assert py.results, f"{name}: an invalid example must give results"
    assert Counter(map(_key, py.results)) == Counter(map(_key, ru.results))
    assert py.conforms is ru.conforms is False
    assert (py.engine, ru.engine) == ("pyshacl", "rudof")


def test_sparql_fallback_gives_the_same_violations(monkeypatch, ontology: Graph, shapes: Graph) -> None:
    """Without SHACL-SPARQL in pyrudof, those constraints run in pySHACL and the results merge."""
    chain_examples = [e for e in INVALID if e[0].startswith(("chain-", "item-", "pay-currency"))]
    monkeypatch.setattr(validation, "rudof_supports_sparql", lambda: False)
    for name, files, _ in chain_examples:
        data = _data(files, ontology)
        expected = Counter(map(_key, validate(data, shapes=shapes, engine="pyshacl").results))
        merged = validate(data, shapes=shapes, engine="rudof")
        assert Counter(map(_key, merged.results)) == expected, name
        report = next(merged.report_graph.subjects(RDF.type, SH.ValidationReport))
        assert len(list(merged.report_graph.objects(report, SH.result))) == len(merged.results)


def test_split_sparql_shapes(shapes: Graph) -> None:
    core, sparql = split_sparql_shapes(shapes)
    assert not any(core.triples((None, SH.sparql, None)))
    with_sparql = set(shapes.subjects(SH.sparql, None))
    assert set(sparql.subjects(SH.sparql, None)) == with_sparql
    # no core constraint is duplicated into the SPARQL part
    for p in (SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"]):
        assert not any(sparql.triples((None, p, None))), p
    # property shapes with SPARQL keep a targeted parent
    chain_start = URIRef(DWS + "Chain-startsAtLead")
    parent = next(sparql.subjects(SH.property, chain_start))
    assert (parent, SH.targetClass, DW.Chain) in sparql


def test_rudof_runs_sparql() -> None:
    """The installed pyrudof runs SHACL-SPARQL itself (else validate() falls back, as tested above)."""
    assert validation.rudof_supports_sparql()


# --------------------------------------------------------------------------- the report


def test_report_fields(ontology: Graph, shapes: Graph) -> None:
    files = [SHAPES_DIR / "context.ttl", SHAPES_DIR / "invalid-pay-min-above-max.ttl"]
    for engine in validation.ENGINES:
        report = validate(_data(files, ontology), shapes=shapes, engine=engine)
        assert not report.conforms and len(report) == 1
        v = report.results[0]
        assert v.focus == URIRef(EX + "pay-1")
        assert v.path == DW.minAmount
        assert v.value == Literal("10.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
        assert v.shape == URIRef(DWS + "Remuneration-amountOrder")
        assert v.severity == "Violation"
        assert v.constraint == SH.LessThanOrEqualsConstraintComponent
        assert v.message.startswith("`min:` of this pay item is larger than its `max:`")
        assert report.seconds > 0
        assert isinstance(report.report_graph, Graph)


def test_conforming_report(ontology: Graph, shapes: Graph) -> None:
    files = [SHAPES_DIR / "context.ttl", SHAPES_DIR / "valid-full.ttl"]
    for engine in validation.ENGINES:
        report = validate(_data(files, ontology), shapes=shapes, engine=engine)
        assert report.conforms and report.results == []
        assert (None, SH.conforms, Literal(True)) in report.report_graph
        assert format_table(report).startswith("conforms: no violations")


def test_source_file_from_the_evidence_graph(ontology: Graph, shapes: Graph) -> None:
    """valid-full.ttl's dw:EvidenceGraph names test.yaml as the source of study ex:study."""
    files = [SHAPES_DIR / "context.ttl", SHAPES_DIR / "valid-full.ttl", SHAPES_DIR / "invalid-pay-no-unit.ttl"]
    report = validate(_data(files, ontology), shapes=shapes)
    assert [v.source_file for v in report.results] == ["test.yaml"]


def test_source_file_from_a_dataset(ontology: Graph, shapes: Graph) -> None:
    """Validating a Dataset validates the union; each result names the file of its named graph."""
    ds = Dataset()
    context = _data([SHAPES_DIR / "context.ttl"], ontology)
    pay = _data([SHAPES_DIR / "invalid-pay-no-unit.ttl"], ontology)
    g1 = ds.graph(URIRef(EX + "graph/context"))
    for t in context:
        g1.add(t)
    g2 = ds.graph(URIRef(EX + "graph/pay"))
    for t in pay:
        g2.add(t)
    for graph, name in ((g1, "context.yaml"), (g2, "pay.csv")):
        g1.add((graph.identifier, RDF.type, DW.EvidenceGraph))
        g1.add((graph.identifier, DW.sourceFile, Literal(name)))
    report = validate(ds, shapes=shapes)
    by_path = {v.path: v.source_file for v in report.results}
    assert by_path[DW.unitBasis] == "pay.csv"


def test_top_level_results_only(ontology: Graph, shapes: Graph) -> None:
    """Only sh:result values of the report count, not nested results (sh:detail)."""
    files = [SHAPES_DIR / "context.ttl", SHAPES_DIR / "invalid-pay-amount-and-range.ttl"]
    report = validate(_data(files, ontology), shapes=shapes)
    all_results = set(report.report_graph.subjects(RDF.type, SH.ValidationResult))
    top = set(report.report_graph.objects(None, SH.result))
    assert len(report.results) == len(top) <= len(all_results)


def test_unknown_engine() -> None:
    with pytest.raises(ValidationError, match="unknown validation engine"):
        validate(Graph(), engine="jena")


def test_load_shapes() -> None:
    g = load_shapes()
    assert (URIRef(DWS + "RemunerationShape"), RDF.type, SH.NodeShape) in g
    assert (URIRef(DWS + "code-currencyCode"), SH.path, DW.currencyCode) in g  # from the generated file


# --------------------------------------------------------------------------- type closure


def test_type_closure_is_transitive_and_copies() -> None:
    onto = Graph()
    onto.add((DW.Platform, RDFS.subClassOf, DW.Organisation))
    onto.add((DW.Organisation, RDFS.subClassOf, DW.Party))
    onto.add((DW.Party, RDFS.subClassOf, DW.Platform))  # a cycle must not loop
    onto.add((DW.Party, RDFS.subClassOf, BNode()))  # restrictions are skipped
    data = Graph()
    x = URIRef(EX + "x")
    data.add((x, RDF.type, DW.Platform))
    closed = type_closure(data, onto)
    assert set(closed.objects(x, RDF.type)) == {DW.Platform, DW.Organisation, DW.Party}
    assert set(data.objects(x, RDF.type)) == {DW.Platform}  # the input is left alone
    same = type_closure(data, onto, inplace=True)
    assert same is data and (x, RDF.type, DW.Party) in data


def test_closure_is_needed(shapes: Graph) -> None:
    """Without the closure a platform is no dw:Party: the validator infers nothing itself."""
    g = Graph()
    g.parse(SHAPES_DIR / "context.ttl", format="turtle")
    g.parse(SHAPES_DIR / "valid-full.ttl", format="turtle")
    report = validate(g, shapes=shapes)
    assert not report.conforms
    assert any(v.constraint == SH.ClassConstraintComponent for v in report.results)


# --------------------------------------------------------------------------- table


def test_format_table(ontology: Graph, shapes: Graph) -> None:
    files = [SHAPES_DIR / "context.ttl", SHAPES_DIR / "valid-full.ttl", SHAPES_DIR / "invalid-pay-no-currency.ttl"]
    report = validate(_data(files, ontology), shapes=shapes)
    table = format_table(report, base=EX)
    lines = table.splitlines()
    assert lines[0].startswith("2 results (pyshacl,")
    assert lines[1].split() == ["file", "focus", "node", "path", "message"]
    assert "test.yaml" in table and "pay-1" in table and "dw:currencyCode" in table
    assert "Each pay item needs a currency: add `currency:`" in table


def test_rudof_instance_reused_across_graphs_keeps_no_state():
    """pyrudof reads the shapes once per process and is reused: a graph with violations, then a valid
    one, then the first again give their own reports (nothing carried over)."""
    pytest.importorskip("pyrudof")
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from datawork_kg.build import evidence_files, ontology_graph
    from datawork_kg.loaders import load_paths
    from datawork_kg.validation import run_rudof, load_shapes, type_closure, violations_from_report

    shapes, onto = load_shapes(), ontology_graph()
    good = type_closure(load_paths(evidence_files())[0].graph, onto)
    bad = good + type_closure(good.__class__().add((URIRef("urn:x:chain"), RDF.type,
                                                    URIRef("https://w3id.org/datawork/ontology#Chain"))), onto)
    reports = [violations_from_report(run_rudof(g, shapes), shapes) for g in (bad, good, bad)]
    assert reports[0] and reports[1] == [] and reports[2] == reports[0]
