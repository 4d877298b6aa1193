"""SHACL validation of datawork-kg graphs, with pySHACL or rudof, in one report format.

The shapes (``shapes/*.ttl``) check the graph of one study: a case file's named graph, plus
the CSV graphs that add to the same study. The validators do no RDFS inference, so close the
data over the ontology's class hierarchy first::

    from datawork_kg.loaders import load_file
    from datawork_kg.validation import format_table, type_closure, validate

    data = type_closure(load_file("evidence/x.yaml").graph, ontology)
    report = validate(data)                    # or validate(data, engine="rudof")
    print(format_table(report))

Both engines fill the same :class:`ValidationReport`: a list of :class:`Violation` (focus node,
path, value, shape, severity, message, source file) and the ``sh:ValidationReport`` graph.
Only the top-level ``sh:result`` values of a report count, never the nested ``sh:detail``.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph, Dataset
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.term import Node

from .errors import DataworkError
from .iris import default_base
from .namespace import DW, PREFIXES, SH
from .resources import shapes_dir

ENGINES = ("pyshacl", "rudof")

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class ValidationError(DataworkError):
    """The validator could not run (unknown engine, engine not installed, unreadable shapes)."""


@dataclass(frozen=True)
class Violation:
    """One ``sh:result`` of a validation report."""

    focus: Node
    path: Node | Path | None
    value: Node | None
    shape: Node | None
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    constraint: URIRef | None = None  # sh:sourceConstraintComponent
    source_file: str | None = None  # the evidence file the focus node comes from, when known


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`."""

    conforms: bool
    results: list[Violation]
    report_graph: Graph
    engine: str
    seconds: float

    def __len__(self) -> int:
        return len(self.results)


# --------------------------------------------------------------------------- inputs

def load_shapes() -> Graph:
    """All ``shapes/*.ttl`` files (hand-written shapes and the generated code lists) in one graph."""
    graph = Graph()
    files = sorted(shapes_dir().glob("*.ttl"))
    if not files:
        raise ValidationError(f"no shapes found in {shapes_dir()}")
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exceptions
            raise ValidationError(f"cannot read the shapes file: {exc}", file=str(path)) from exc
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    graph.bind("dws", "https://w3id.org/datawork/shapes#")
    return graph


def superclasses(ontology: Graph) -> dict[Node, set[Node]]:
    direct: dict[Node, set[Node]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
            direct.setdefault(sub, set()).add(sup)
    closed: dict[Node, set[Node]] = {}
    for cls in direct:
        seen: set[Node] = set()
        todo = list(direct[cls])
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(direct.get(c, ()))
        seen.discard(cls)
        closed[cls] = seen
    return closed


def type_closure(data: Graph, ontology: Graph, *, inplace: bool = False) -> Graph:
    """``data`` plus ``rdf:type`` for every (transitive) ``rdfs:subClassOf`` superclass of each typed node.

    Args:
        data: the instance data.
        ontology: the graph holding the ``rdfs:subClassOf`` axioms (IRI classes only;
            restrictions and other blank-node classes are skipped).
        inplace: add the types to ``data`` itself instead of to a copy.

    Returns:
        The closed graph (``data`` itself when ``inplace``).
    """
    supers = superclasses(ontology)
    if inplace:
        out = data
    else:
        out = Graph()
        for prefix, ns in data.namespaces():
            out.bind(prefix, ns, override=False)
        for triple in data:
            out.add(triple)
    for node, cls in list(data.subject_objects(RDF.type)):
        for sup in supers.get(cls, ()):
            out.add((node, RDF.type, sup))
    return out


# --------------------------------------------------------------------------- engines

def _run_pyshacl(data: Graph, shapes: Graph) -> Graph:
    try:
        import pyshacl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ValidationError("pySHACL is not installed", hint="pip install pyshacl") from exc
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_infos=False,
        allow_warnings=False, meta_shacl=False, advanced=False, js=False, debug=False)
    return report


_SHAPES_TEXT: dict[str, object] = {}


def _shapes_text(shapes: Graph) -> str:
    """The shapes as Turtle, serialised once per shapes graph (validation runs once per named graph)."""
    if _SHAPES_TEXT.get("graph") is not shapes or _SHAPES_TEXT.get("size") != len(shapes):
        _SHAPES_TEXT.update(graph=shapes, size=len(shapes), text=shapes.serialize(format="turtle"))
    return _SHAPES_TEXT["text"]


_RUDOF: dict[str, object] = {}


def _rudof_with_shapes(shapes: Graph):
    """A pyrudof instance that has read ``shapes`` (read once per process and shapes graph: reading the
    270 shapes took a fifth of the time of validating one case file). Its data is reset after each use."""
    import pyrudof

    text = _shapes_text(shapes)
    if _RUDOF.get("text") is not text:
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_shacl(text, format=pyrudof.ShaclFormat.Turtle, reader_mode=pyrudof.ReaderMode.Strict)
        _RUDOF.update(text=text, rudof=rudof)
    return _RUDOF["rudof"]


def run_rudof(data: "Graph | str", shapes: Graph) -> Graph:
    """Validate ``data`` (a Graph, or its N-Triples text) with pyrudof; the report as a Graph."""
    try:
        import pyrudof
    except ImportError as exc:
        raise ValidationError("pyrudof is not installed", hint="pip install 'datawork-kg[fast]' (or pyrudof)") from exc
    rudof = _rudof_with_shapes(shapes)
    text = data if isinstance(data, str) else data.serialize(format="nt")
    try:
        rudof.read_data(text, format=pyrudof.RDFFormat.NTriples,
                        reader_mode=pyrudof.ReaderMode.Strict)
        rudof.validate_shacl()
        text = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
    finally:
        rudof.reset_data()
    report = Graph()
    report.parse(data=text, format="nt")
    if not any(report.subjects(RDF.type, SH.ValidationReport)):  # an empty serialisation: conforms
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(True)))
    return report


_SPARQL_PROBE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:probe:S> a sh:NodeShape ; sh:targetNode <urn:probe:x> ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this <urn:probe:p> ?o . }" ] .
"""


@functools.lru_cache(maxsize=1)
def rudof_supports_sparql() -> bool:
    """Whether the installed pyrudof runs SHACL-SPARQL constraints (sh:sparql)."""
    try:
        data = Graph().parse(data="<urn:probe:x> <urn:probe:p> 1 .", format="turtle")
        report = run_rudof(data, Graph().parse(data=_SPARQL_PROBE_SHAPES, format="turtle"))
    except Exception:
        return False
    return len(list(report.objects(None, SH.result))) == 1


def _cbd(graph: Graph, node: Node, out: Graph) -> None:
    """Copy ``node``'s triples and, recursively, those of the blank nodes it points to."""
    for p, o in graph.predicate_objects(node):
        if (node, p, o) in out:
            continue
        out.add((node, p, o))
        if isinstance(o, BNode):
            _cbd(graph, o, out)


def split_sparql_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """Split a shapes graph into (everything but SHACL-SPARQL, only the SHACL-SPARQL constraints).

    The second graph keeps each shape that has ``sh:sparql`` with its targets (for a property
    shape: the targets of the node shapes that use it), its path, message and severity, and no
    other constraint, so running both parts reports each result once.
    """
    core = Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    sparql = Graph()
    keep = (RDF.type, RDFS.label, SH.path, SH.message, SH.severity, SH.deactivated, SH.sparql) + _TARGETS
    for shape in set(shapes.subjects(SH.sparql, None)):
        for p in keep:
            for o in shapes.objects(shape, p):
                sparql.add((shape, p, o))
                if isinstance(o, BNode):
                    _cbd(shapes, o, sparql)
        for constraint in shapes.objects(shape, SH.sparql):
            for decl in shapes.objects(constraint, SH.prefixes):
                _cbd(shapes, decl, sparql)
        for parent in shapes.subjects(SH.property, shape):
            sparql.add((parent, SH.property, shape))
            for p in (RDF.type,) + _TARGETS:
                for o in shapes.objects(parent, p):
                    sparql.add((parent, p, o))
    for prefix, ns in shapes.namespaces():
        core.bind(prefix, ns, override=False)
        sparql.bind(prefix, ns, override=False)
    return core, sparql


def _merge_reports(*reports: Graph) -> Graph:
    merged = Graph()
    node = BNode()
    conforms = True
    merged.add((node, RDF.type, SH.ValidationReport))
    for report in reports:
        for rep in report.subjects(RDF.type, SH.ValidationReport):
            if report.value(rep, SH.conforms) == Literal(False):
                conforms = False
            for result in report.objects(rep, SH.result):
                merged.add((node, SH.result, result))
                _cbd(report, result, merged)
    merged.add((node, SH.conforms, Literal(conforms)))
    return merged


# --------------------------------------------------------------------------- report -> violations

def rdf_path(graph: Graph, node: Node | None) -> Node | Path | None:
    """The rdflib path of a SHACL path node, e.g. a ``sh:resultPath`` (blank-node paths differ between
    engines and reports; these paths compare equal)."""
    if node is None or isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in graph:
        return SequencePath(*[rdf_path(graph, n) for n in Collection(graph, node)])
    inv = graph.value(node, SH.inversePath)
    if inv is not None:
        return InvPath(rdf_path(graph, inv))
    alt = graph.value(node, SH.alternativePath)
    if alt is not None:
        return AlternativePath(*[rdf_path(graph, n) for n in Collection(graph, alt)])
    for prop, mod in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, prop)
        if inner is not None:
            return MulPath(rdf_path(graph, inner), mod)
    return node


def _english(literals: Iterable[Node]) -> str | None:
    lits = [x for x in literals if isinstance(x, Literal)]
    for lit in lits:
        if lit.language and lit.language.lower().startswith("en"):
            return str(lit)
    return None


def _message(report: Graph, result: Node, shapes: Graph, shape: Node | None) -> str:
    msgs = list(report.objects(result, SH.resultMessage))
    text = _english(msgs)
    if text is None and shape is not None:
        text = _english(shapes.objects(shape, SH.message))
    if text is None and msgs:
        text = "; ".join(sorted(str(m) for m in msgs))
    return text or ""


class _Sources:
    """Finds the evidence file a focus node comes from."""

    def __init__(self, data: Graph, dataset: Dataset | ConjunctiveGraph | None) -> None:
        self.data = data
        self.dataset = dataset
        self.by_study: dict[Node, list[str]] = {}
        self.by_graph: dict[Node, str] = {}
        for g in data.subjects(RDF.type, DW.EvidenceGraph):
            f = data.value(g, DW.sourceFile)
            if f is None:
                continue
            self.by_graph[g] = str(f)
            for study in data.objects(g, PROV.wasDerivedFrom):
                self.by_study.setdefault(study, []).append(str(f))
        for files in self.by_study.values():  # the case file first, then CSV files
            files.sort(key=lambda f: (f.lower().endswith(".csv"), f))

    def _study(self, focus: Node) -> Node | None:
        d = self.data
        if (focus, RDF.type, DW.Study) in d:
            return focus
        for study in sorted(d.objects(focus, DW.fromStudy)):
            return study
        for whole in d.objects(focus, DCTERMS.isPartOf):  # sections, study parts
            return whole
        for chain in d.subjects(DW.hasStep, focus):
            return self._study(chain)
        return None

    def __call__(self, focus: Node) -> str | None:
        if focus in self.by_graph:
            return self.by_graph[focus]
        if self.dataset is not None:
            names = {c.identifier if isinstance(c, Graph) else c
                     for _s, _p, _o, c in self.dataset.quads((focus, None, None, None))}
            files = sorted(self.by_graph[n] for n in names if n in self.by_graph)
            if files:
                return ", ".join(files)
        study = self._study(focus)
        files = self.by_study.get(study) if study is not None else None
        return files[0] if files else None


def violations_from_report(report: Graph, shapes: Graph, data: Graph | None = None,
                           dataset: Dataset | ConjunctiveGraph | None = None) -> list[Violation]:
    """The top-level ``sh:result`` values of a SHACL report as :class:`Violation` objects (sorted)."""
    sources = _Sources(data, dataset) if data is not None else None
    out: list[Violation] = []
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            focus = report.value(r, SH.focusNode)
            shape = report.value(r, SH.sourceShape)
            sev = report.value(r, SH.resultSeverity)
            out.append(Violation(
                focus=focus,
                path=rdf_path(report, report.value(r, SH.resultPath)),
                value=report.value(r, SH.value),
                shape=shape,
                severity=_SEVERITY.get(sev, str(sev)),
                message=_message(report, r, shapes, shape),
                constraint=report.value(r, SH.sourceConstraintComponent),
                source_file=sources(focus) if sources is not None and focus is not None else None,
            ))
    out.sort(key=lambda v: (v.source_file or "", str(v.focus), str(v.path or ""), str(v.shape or ""), str(v.value or "")))
    return out


# --------------------------------------------------------------------------- entry point

def validate(data: Graph, *, shapes: Graph | None = None, engine: str = "pyshacl") -> ValidationReport:
    """Validate ``data`` against the datawork-kg shapes (or ``shapes``).

    Args:
        data: the graph of one study, its ``rdf:type`` closure already materialised
            (:func:`type_closure`); neither engine infers anything. A ``Dataset`` is validated as
            the union of its graphs, and its named graphs tell each result's source file.
        shapes: a shapes graph; by default :func:`load_shapes`.
        engine: ``"pyshacl"`` or ``"rudof"`` (pyrudof). When the installed pyrudof cannot run
            SHACL-SPARQL, those constraints run in pySHACL and the results are merged.

    Returns:
        A :class:`ValidationReport`.

    Raises:
        ValidationError: unknown engine, or the engine is not installed.
    """
    if engine not in ENGINES:
        raise ValidationError(f"unknown validation engine '{engine}'", hint="use one of: " + ", ".join(ENGINES))
    shapes = load_shapes() if shapes is None else shapes
    dataset = data if isinstance(data, (Dataset, ConjunctiveGraph)) else None
    if dataset is not None:
        union = Graph()
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        data = union
    start = time.perf_counter()
    if engine == "pyshacl":
        report = _run_pyshacl(data, shapes)
    elif any(shapes.triples((None, SH.sparql, None))) and not rudof_supports_sparql():
        core, sparql = split_sparql_shapes(shapes)
        report = _merge_reports(run_rudof(data, core), _run_pyshacl(data, sparql))
    else:
        report = run_rudof(data, shapes)
    results = violations_from_report(report, shapes, data, dataset)
    seconds = time.perf_counter() - start
    conforms = not results
    return ValidationReport(conforms, results, report, engine, seconds)


# --------------------------------------------------------------------------- display

def _short(term: Node | Path | None, base: str) -> str:
    if term is None:
        return ""
    if isinstance(term, InvPath):
        return "^" + _short(term.arg, base)
    if isinstance(term, SequencePath):
        return "/".join(_short(a, base) for a in term.args)
    if isinstance(term, AlternativePath):
        return "|".join(_short(a, base) for a in term.args)
    if isinstance(term, MulPath):
        return _short(term.path, base) + term.mod
    if isinstance(term, Path):
        return term.n3()
    if isinstance(term, URIRef):
        text = str(term)
        if text.startswith(base):
            return text[len(base):]
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        if text.startswith("https://w3id.org/datawork/shapes#"):
            return "dws:" + text.split("#", 1)[1]
        return f"<{text}>"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def format_table(report: ValidationReport, *, base: str | None = None) -> str:
    """A readable table of the results: file, focus node, path, message (one row per result)."""
    base = base or default_base()
    head = f"{report.engine}, {report.seconds:.2f} s"
    if not report.results:
        return f"conforms: no violations ({head})"
    n = len(report.results)
    rows = [("file", "focus node", "path", "message")]
    for v in report.results:
        msg = v.message if v.severity == "Violation" else f"[{v.severity}] {v.message}"
        rows.append((v.source_file or "-", _short(v.focus, base), _short(v.path, base) or "-", msg))
    widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in ((0, 40), (1, 60), (2, 30))]

    def cell(text: str, width: int) -> str:
        return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)

    lines = [f"{n} result{'s' if n != 1 else ''} ({head})"]
    for i, r in enumerate(rows):
        lines.append("  ".join([cell(r[0], widths[0]), cell(r[1], widths[1]), cell(r[2], widths[2]), r[3]]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 7)
    return "\n".join(lines)


__all__ = ["ENGINES", "ValidationError", "ValidationReport", "Violation", "format_table", "load_shapes",
           "rdf_path", "rudof_supports_sparql", "split_sparql_shapes", "type_closure", "validate", "violations_from_report"]
