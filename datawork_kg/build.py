"""``datawork build``: evidence -> validated, typed, stored graph, dumps and description.

Steps (each reported through ``progress``):

1. load every case file and CSV (one named graph each);
2. link: the reference graph for the countries, cities, currencies and organisations used;
3. check the ontology with the reasoner (HermiT; cached by the ontology's checksum);
4. store: bulk-load the graphs and the ontology into a new pyoxigraph store;
5. materialise what the ontology implies that queries need (``id/graph/inferred``);
6. validate every evidence graph against the SHACL shapes;
7. dumps (Turtle, N-Quads, TriG, JSON-LD), VoID/DCAT, summary;
8. publish the new release as ``current`` (atomic).

If any step fails, the previous release stays current and untouched.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import Graph

from . import __version__
from .errors import InputError, Problem, ValidationFailed
from .iris import IRIs
from .loaders import LoadedGraph, load_paths
from .ntriples import (count_lines, display_names_text, nt_text, superclass_strings, to_nquads, type_closure_text,
                       unique_lines)
from .ontology import ONTOLOGY_GRAPH, ontology_files, ontology_graph
from .resources import evidence_dir
from .store import Workspace, check_writable

EVIDENCE_SUFFIXES = (".yaml", ".yml", ".csv")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    release: Path
    graphs: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    violations: list = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


def evidence_files(paths: Iterable[Path | str] | None = None) -> list[Path]:
    """The evidence files under ``paths`` (files or folders); default: the bundled evidence."""
    roots = [Path(p) for p in paths] if paths else [evidence_dir()]
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out.extend(sorted(p for p in root.rglob("*") if p.suffix.lower() in EVIDENCE_SUFFIXES and p.is_file()))
        elif root.exists():
            out.append(root)
        else:
            raise InputError([Problem(str(root), None, None, "no such file or folder", "check the path")])
    if not out:
        raise InputError([Problem(str(roots[0]), None, None, "no case files (.yaml) or CSV files found")])
    return out


def _sha_of(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def reasoner_check(ws: Workspace, progress: Progress, *, enabled: bool = True) -> dict:
    """Run HermiT over the ontology unless a previous run on the same files is cached."""
    if not enabled:
        return {"skipped": True}
    files = ontology_files()
    key = _sha_of(files)
    cache = ws.root / ".cache" / f"reasoner-{key[:16]}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        progress(f"  reasoner: cached result for this ontology (consistent={data.get('consistent')})")
        return data
    from .reasoning import check_ontology

    report = check_ontology(files)
    data = {"consistent": report.consistent, "unsatisfiable": list(report.unsatisfiable),
            "reasoner": report.reasoner, "seconds": round(report.seconds, 2)}
    if not report.consistent or report.unsatisfiable:
        from .errors import ReasonerError

        raise ReasonerError("the ontology is inconsistent" if not report.consistent else
                            "unsatisfiable classes: " + ", ".join(report.unsatisfiable),
                            hint="fix the axioms in ontology/*.ttl")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(data))
    progress(f"  reasoner: {report.reasoner} found the ontology consistent in {report.seconds:.1f} s")
    return data


def build(paths: Iterable[Path | str] | None = None, *, home: Path | str | None = None, base: str | None = None,
          progress: Progress | None = None, reason: bool = True, engine: str = "auto",
          dumps: bool = True, fail_on_violation: bool = True, _hook: Callable[[str], None] | None = None,
          release: dict | None = None) -> BuildResult:
    """Build the graph. Raises :class:`DataworkError` (nothing is published) on any failure.

    ``release`` (from :func:`datawork_kg.release.release`): the version, date and citation of a release,
    written to the summary and the VoID/DCAT description (dcat:version, dct:issued, dct:bibliographicCitation).
    """
    say = progress or (lambda msg: None)
    hook = _hook or (lambda step: None)
    engine = resolve_engine(engine)
    iris = IRIs(base)
    ws = Workspace(home)
    t_all = time.perf_counter()
    seconds: dict[str, float] = {}

    def step(name: str):
        class _Timer:
            def __enter__(self_inner):
                self_inner.t = time.perf_counter()
                hook(name)
                return self_inner

            def __exit__(self_inner, *exc):
                seconds[name] = round(time.perf_counter() - self_inner.t, 3)
                if exc[0] is None:
                    say(f"  {name}: {seconds[name]:.2f} s")
        return _Timer()

    files = evidence_files(paths)
    with ws.lock():
        check_writable(ws.root)
        say(f"[1/8] loading {len(files)} evidence file(s)")
        with step("load"):
            loaded = load_paths(files, iris, progress=lambda p, lg: say(f"  {p.name}: {lg.n_triples:,} triples -> <{lg.graph_iri}>"))
        say("[2/8] linking to reference data (Wikidata, GeoNames, ISO, World Bank)")
        with step("link"):
            reference = _reference(loaded, iris)
        say("[3/8] checking the ontology with the reasoner")
        with step("reason"):
            reasoner = reasoner_check(ws, say, enabled=reason)
            onto = ontology_graph()
        with ws.new_release() as rel:
            say("[4/8] storing in pyoxigraph")
            with step("store"):
                store = ox.Store(str(rel / "store"))
                inferred = str(iris.graph("inferred"))
                texts = graph_texts(loaded, onto, reference, iris)
                closure = subclass_closure_text(texts, onto)
                names = display_names_text(t for _, t in texts)
                graphs = {g_iri: count_lines(t) for g_iri, t in texts}
                # one bulk load (parsed in Rust) of every graph, each also into the default graph, which
                # is their union as a set (see default_graph_size), of the subclass closure and of the
                # display names
                store.bulk_load(ChunkReader(nquads_chunks(texts + [(inferred, closure), (inferred, names)])),
                                ox.RdfFormat.N_QUADS)
            say("[5/8] materialising what the ontology implies")
            with step("materialise"):
                from .materialise import materialise

                # the rules whose triples the store step loaded from the text
                from_text = {"subclass closure": closure, "displayName (first label)": names}
                added = {rule: count_lines(text) for rule, text in from_text.items()}
                for rule in added:
                    say(f"  {rule}: +{added[rule]:,}")
                # (each rule also writes into the default graph, which the bulk load filled with every
                # graph, the closure and the names: it stays the union of the named graphs)
                added.update(materialise(store, ontology_graph=ONTOLOGY_GRAPH, inferred_graph=inferred,
                                         skip=tuple(from_text), default_graph_too=True,
                                         progress=lambda n, c: say(f"  {n}: +{c:,}")))
                graphs[inferred] = sum(added.values())
                union = default_graph_size(store)
                graphs_default = union
                say(f"  default graph = union of the named graphs, without duplicates: {union:,} triples")
            with step("compact"):
                # the bulk load and the rules leave many small RocksDB files; one full compaction makes
                # every later read (the explorer step, queries, lookups) touch fewer of them (about a
                # quarter off the library's query times at 100k, for 1.6 s; 27 s at 1M)
                store.optimize()
            say(f"[6/8] validating {len(loaded)} graph(s) against the SHACL shapes ({engine})")
            with step("validate"):
                violations = validate_loaded(loaded, onto, reference, engine, say)
            if violations and fail_on_violation:
                raise ValidationFailed(f"{len(violations)} SHACL violation(s); nothing was published\n"
                                       + violations_table(violations))
            say("[7/8] writing dumps, VoID/DCAT and the summary")
            with step("dumps"):
                store.flush()
                summary = _summary(store, loaded, graphs, violations, reasoner, iris)
                summary["default_graph_triples"] = graphs_default
                if release:
                    summary["release"] = dict(release)
                    summary["issued"] = f"{release['date']}T00:00:00Z"
                from .describe import count_entities

                # void:entities, counted here from the text (the same query on the store takes seconds at 1M)
                summary["entities"] = count_entities((t for _, t in texts), iris.base)
                if dumps:
                    from .describe import write_dumps

                    inferred_text = _inferred_text(store, inferred, from_text, expected=graphs[inferred])
                    if "_:" in inferred_text:  # labels the store chose: dump from the store itself
                        write_dumps(store, rel / "dumps", iris, summary, reference=reference)
                    else:
                        write_dumps(store, rel / "dumps", iris, summary, reference=reference,
                                    texts=texts + [(inferred, inferred_text)])
            with step("explorer"):
                # the data of the explorer page (/explore), read from the graph, for the server and static sites
                from .explorer import FILE_NAME, write_explorer_data

                write_explorer_data(store, rel / FILE_NAME, base=iris.base, release=rel.name.removeprefix(".partial-"))
                del store
            hook("publish")
            say("[8/8] publishing the new release")
            # the summary is the release's last file, written before the switch: nothing in a published
            # release changes afterwards (a server may open it at once); "total" is the time up to the switch
            seconds["total"] = round(time.perf_counter() - t_all, 3)
            summary["seconds"] = seconds
            _write_durably(rel / "summary.json", json.dumps(summary, indent=2, sort_keys=True))
        cur = ws.require_current()
        return BuildResult(cur, graphs, sum(graphs.values()), violations, seconds, summary)


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def resolve_engine(engine: str) -> str:
    """'auto' is pyrudof where it is installed (same violations as pySHACL, about 10x faster), else pySHACL."""
    if engine != "auto":
        return engine
    try:
        import pyrudof  # noqa: F401
    except ImportError:
        return "pyshacl"
    return "rudof"


def graph_texts(loaded: list[LoadedGraph], onto: Graph, reference: Graph, iris: IRIs) -> list[tuple[str, str]]:
    """(graph IRI, N-Triples text) of every graph the build stores: the loaded files, the ontology, the reference data."""
    return ([(str(lg.graph_iri), lg.nt) for lg in loaded]
            + [(ONTOLOGY_GRAPH, nt_text(onto)), (str(iris.graph("reference")), nt_text(reference))])


def subclass_closure_text(texts: list[tuple[str, str]], onto: Graph) -> str:
    """The materialised ``rdfs:subClassOf`` closure of the typed nodes of every graph but the ontology, as
    N-Triples (each line once): what the SPARQL rule 'subclass closure' of :mod:`materialise` infers,
    made from the text in one pass instead of a join over the store (a test checks they agree)."""
    from .validation import superclasses

    supers = superclass_strings(superclasses(onto))
    return unique_lines(type_closure_text(t, supers) for g, t in texts if g != ONTOLOGY_GRAPH)


def nquads_chunks(texts: list[tuple[str, str]]):
    for g_iri, text in texts:
        yield to_nquads(text, g_iri).encode("utf-8")
        yield text.encode("utf-8")  # the default graph: the store keeps each triple once


class ChunkReader(io.RawIOBase):
    """A binary stream over an iterator of byte chunks (for ``Store.bulk_load``: no single big string)."""

    def __init__(self, chunks) -> None:
        self._chunks = iter(chunks)
        self._buf = memoryview(b"")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while self._pos >= len(self._buf):
            try:
                self._buf, self._pos = memoryview(next(self._chunks)), 0
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos:self._pos + n]
        self._pos += n
        return n


def _inferred_text(store: ox.Store, inferred: str, from_text: dict[str, str], *, expected: int) -> str:
    """The inferred graph as N-Triples: the text the build loaded for the rules in ``from_text`` and what
    the other rules wrote, read per predicate (several times faster than dumping the graph); the whole
    graph is dumped instead if a rule writes a predicate of ``from_text`` or the count does not add up."""
    from .materialise import RULES, rule_predicate, rules_text

    loaded_preds = {rule_predicate(n) for n in from_text}
    if not any(rule_predicate(n) in loaded_preds for n in RULES if n not in from_text):
        text = "".join(from_text.values()) + rules_text(store, inferred, tuple(from_text))
        if count_lines(text) == expected:
            return text
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(inferred)).decode("utf-8")


def default_graph_size(store: ox.Store) -> int:
    """How many triples the default graph holds: the union of all named graphs, as a set.

    Querying with oxigraph's ``use_default_graph_as_union`` gives a *bag*: a triple stated in three
    graphs (a country typed by three case files) matches three times and inflates every count.
    The stored default graph is the deduplicated union, so library queries (which use the default
    graph), the dumps and any store they are pushed to give the same, correct answers; ``GRAPH ?g``
    still reaches each source's own statements and provenance. The build writes it as it goes: the
    bulk load puts every triple in its named graph and in the default graph, and each materialising
    rule writes its inferences into both (``tests/test_build_speed_equivalence.py`` checks the result).
    """
    res = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(res))["n"].value)


def violations_table(violations: list, limit: int = 50) -> str:
    """A plain-text table of violations: file, focus node, path, message."""
    rows = [("file", "focus node", "path", "message")]
    for v in violations[:limit]:
        rows.append((Path(str(getattr(v, "source_file", "") or "")).name, _short(getattr(v, "focus", "")),
                     _short(getattr(v, "path", "") or ""), str(getattr(v, "message", v))))
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(3)]
    out = ["  ".join(r[i].ljust(widths[i])[:60] for i in range(3)) + "  " + r[3] for r in rows]
    if len(violations) > limit:
        out.append(f"... and {len(violations) - limit} more (see summary.json)")
    return "\n".join(out)


def _short(term) -> str:
    text = str(term)
    for prefix, short in (("https://w3id.org/datawork/ontology#", "dw:"), ("https://w3id.org/datawork/id/", "")):
        if text.startswith(prefix):
            return short + text[len(prefix):]
    return text


def _reference(loaded: list[LoadedGraph], iris: IRIs) -> Graph:
    from .linking import reference_graph

    return reference_graph(loaded, iris)


def validate_loaded(loaded: list[LoadedGraph], onto: Graph, reference: Graph | None, engine: str, say: Progress) -> list:
    from .validation import load_shapes

    shapes = load_shapes()
    jobs = [(i, lg) for i, lg in enumerate(loaded)]
    workers = _validation_workers(loaded)
    if workers > 1:
        results = _validate_parallel(loaded, onto, shapes, engine, workers)
    else:
        results = [validate_graph(lg, onto, shapes, engine, context_of(lg, loaded)) for _, lg in jobs]
    found = []
    for lg, violations in zip(loaded, results):
        for v in violations:
            found.append(dataclasses.replace(v, source_file=lg.source) if dataclasses.is_dataclass(v) else v)
        say(f"  {Path(lg.source).name}: {len(violations)} violation(s)")
    return found


# validation runs per graph; above this many triples in all, graphs are validated in a pool of processes
PARALLEL_VALIDATION_TRIPLES = 50_000
_POOL_STATE: dict = {}


def _validation_workers(loaded: list[LoadedGraph]) -> int:
    from .cores import usable_cores

    if len(loaded) < 2 or sum(lg.n_triples for lg in loaded) < PARALLEL_VALIDATION_TRIPLES:
        return 1
    return max(1, min(usable_cores(), len(loaded), 4))


def context_of(lg: LoadedGraph, loaded: list[LoadedGraph]) -> "LoadedGraph | None":
    """A CSV graph refers to its study's case file: validate it together with that graph."""
    if not lg.source.lower().endswith(".csv"):
        return None
    for other in loaded:
        if other is not lg and other.study == lg.study and not other.source.lower().endswith(".csv"):
            return other
    return None


def validate_graph(lg: LoadedGraph, onto: Graph, shapes, engine: str, context: "LoadedGraph | None" = None) -> list:
    from .validation import type_closure, validate

    if engine == "rudof" and _rudof_runs_all(shapes):
        return _validate_graph_rudof(lg, onto, shapes, context)
    data = Graph()
    for t in lg.iter_triples():
        data.add(t)
    if context is not None:
        for t in context.iter_triples():
            data.add(t)
    data = type_closure(data, onto)
    results = list(validate(data, shapes=shapes, engine=engine).results)
    if context is not None:  # report only what this file states; the case file is validated on its own
        own = {t[0] for t in lg.iter_triples()}
        results = [v for v in results if getattr(v, "focus", None) in own]
    return results


def _rudof_runs_all(shapes: Graph) -> bool:
    """Whether pyrudof alone runs every constraint of ``shapes`` (see validation.validate)."""
    from .namespace import SH
    from .validation import rudof_supports_sparql

    return not (any(shapes.triples((None, SH.sparql, None))) and not rudof_supports_sparql())


_SUPERS: dict = {}


def _validate_graph_rudof(lg: LoadedGraph, onto: Graph, shapes, context: "LoadedGraph | None") -> list:
    """:func:`validate_graph` with pyrudof, from the N-Triples text: the data and its rdf:type closure
    (as ``validation.type_closure`` makes it) go to pyrudof as text, without an rdflib Graph. Only when
    there are violations is a Graph built, to tell their source files as ``validate`` does."""
    from .validation import run_rudof, superclasses, violations_from_report

    if _SUPERS.get("onto") is not onto or _SUPERS.get("size") != len(onto):
        _SUPERS.update(onto=onto, size=len(onto), supers=superclass_strings(superclasses(onto)))
    supers = _SUPERS["supers"]
    text = lg.nt if context is None else lg.nt + context.nt
    report = run_rudof(text + type_closure_text(text, supers), shapes)
    results = violations_from_report(report, shapes, None)
    if results:  # as validate() reports them: each result's source file, and in that order
        g = Graph()
        triples = list(lg.iter_triples()) + (list(context.iter_triples()) if context is not None else [])
        g.addN((s, p, o, g) for s, p, o in triples)
        results = violations_from_report(report, shapes, g)
    if context is not None:  # report only what this file states; the case file is validated on its own
        own = {t[0] for t in lg.iter_triples()}
        results = [v for v in results if getattr(v, "focus", None) in own]
    return results


def _validate_index(i: int) -> list:
    st = _POOL_STATE
    lg = st["loaded"][i]
    return validate_graph(lg, st["onto"], st["shapes"], st["engine"], context_of(lg, st["loaded"]))


def _validate_parallel(loaded: list[LoadedGraph], onto: Graph, shapes, engine: str, workers: int) -> list[list]:
    """Validate the graphs in ``workers`` forked processes (they inherit the graphs: nothing is pickled
    on the way in, only the violations on the way back); falls back to one process without fork."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:
        return [validate_graph(lg, onto, shapes, engine, context_of(lg, loaded)) for lg in loaded]
    _POOL_STATE.update(loaded=loaded, onto=onto, shapes=shapes, engine=engine)
    try:
        # biggest graphs first so that the workers finish together
        order = sorted(range(len(loaded)), key=lambda i: -loaded[i].n_triples)
        with ctx.Pool(workers) as pool:
            done = dict(zip(order, pool.map(_validate_index, order, chunksize=1)))
    finally:
        _POOL_STATE.clear()
    return [done[i] for i in range(len(loaded))]


def _summary(store: ox.Store, loaded: list[LoadedGraph], graphs: dict[str, int], violations: list,
             reasoner: dict, iris: IRIs) -> dict:
    def rows(q: str) -> list[dict]:
        return [{str(k): _py(s[k]) for k in s.variables} if hasattr(s, "variables") else {}
                for s in store.query(q)]

    per_class = {}
    for s in store.query("""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {
            GRAPH ?g { ?x a ?c } FILTER(STRSTARTS(STR(?c), "https://w3id.org/datawork/ontology#"))
            FILTER(?g != <%s>) } GROUP BY ?c ORDER BY ?c""" % ONTOLOGY_GRAPH):
        per_class[s["c"].value.split("#")[-1]] = int(s["n"].value)
    per_country = {}
    for s in store.query("""PREFIX dw: <https://w3id.org/datawork/ontology#>
            SELECT ?code (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p dw:basedIn ?c } ?c dw:isoAlpha2 ?code }
            GROUP BY ?code ORDER BY ?code"""):
        per_country[s["code"].value] = int(s["n"].value)
    return {
        "version": __version__,
        "base": iris.base,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "triples": sum(graphs.values()),
        "graphs": graphs,
        "sources": {lg.source.split("/")[-1]: {"graph": str(lg.graph_iri), "study": lg.study, "triples": lg.n_triples,
                                               "items": {k: v for k, v in lg.counts.items() if not k.startswith("_")}}
                    for lg in loaded},
        "classes": per_class,
        "parties_per_country": per_country,
        "violations": [v.as_dict() if hasattr(v, "as_dict") else str(v) for v in violations],
        "reasoner": reasoner,
    }


def _py(term):
    return None if term is None else term.value


__all__ = ["build", "BuildResult", "evidence_files", "ontology_graph", "ONTOLOGY_GRAPH"]
