"""The measurements that run in a child process (each gets its own peak memory).

``python -m benchmarks.child TASK JSON-ARGS`` prints one JSON object per measurement on stdout.
Peak memory is the child's maximum resident set size (``getrusage``), so it includes everything
the step needs: Python objects, the store's caches, pyrudof/pySHACL.
"""
from __future__ import annotations

import json
import resource
import signal
import statistics
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(**row) -> None:
    print(json.dumps(row, default=str), flush=True)


# ----------------------------------------------------------------- build
def task_build(a: dict) -> None:
    from datawork_kg.build import build

    peaks: dict[str, float] = {}
    order: list[str] = []

    def hook(step: str) -> None:
        if order:
            peaks[order[-1]] = peak_mb()
        order.append(step)

    t = time.perf_counter()
    res = build([a["evidence"]], home=a["home"], reason=a.get("reason", False), engine=a["engine"],
                dumps=True, fail_on_violation=False, _hook=hook)
    total = time.perf_counter() - t
    if order:
        peaks[order[-1]] = peak_mb()
    emit(kind="build", seconds=round(total, 3), steps=res.seconds, peaks=peaks, peak_mb=peak_mb(),
         triples=res.triples, violations=len(res.violations), graphs=len(res.graphs))


# ----------------------------------------------------------------- validation
def _inject(graph, every: int = 40):
    """Deterministically break some items so that the shapes have violations to find."""
    from rdflib import RDF, RDFS, URIRef

    dw = "https://w3id.org/datawork/ontology#"
    broken = 0
    for cls, prop in ((dw + "Tie", dw + "orderer"), (dw + "Remuneration", dw + "currency"),
                      (dw + "Task", str(RDFS.label)), (dw + "Chain", dw + "leadFirm")):
        subjects = sorted(graph.subjects(RDF.type, URIRef(cls)))
        for s in subjects[::every]:
            triples = list(graph.triples((s, URIRef(prop), None)))
            for tr in triples:
                graph.remove(tr)
            broken += bool(triples)
    return broken


def _key(v) -> tuple:
    get = lambda *names: next((str(getattr(v, n)) for n in names if getattr(v, n, None) is not None), "")
    return (get("focus", "focus_node"), get("path", "result_path"), get("component", "constraint", "source_constraint_component"),
            get("shape", "source_shape"))


def task_validate(a: dict) -> None:
    """Load the evidence, break a few items, validate every graph with the engine; write the keys.

    Both engines run through the project's own per-graph validation (``build.validate_graph``: the
    graph plus its rdf:type closure, each file on its own). pyrudof is measured as ``datawork build``
    and ``datawork validate`` run it (``build.validate_loaded``: from the N-Triples text, graphs in a pool
    of processes when there are many); pySHACL, the baseline, graph after graph until ``budget``
    seconds have passed.
    """
    from datawork_kg.build import context_of, evidence_files, ontology_graph, validate_graph, validate_loaded
    from datawork_kg.iris import IRIs
    from datawork_kg.loaders import LoadedGraph, load_paths
    from datawork_kg.validation import load_shapes

    engine = a["engine"]
    budget = a.get("budget")
    loaded = load_paths(evidence_files([a["evidence"]]), IRIs())
    onto = ontology_graph()
    shapes = load_shapes()
    broken = 0
    for i, lg in enumerate(loaded):
        broken += _inject(lg.graph)
        # back to the form the loaders hand over (text), so that the timing starts where a build's does
        loaded[i] = LoadedGraph(lg.graph_iri, source=lg.source, study=lg.study, triples=list(lg.graph)).compact()
    t0 = time.perf_counter()
    keys: list = []
    done = 0
    triples = 0
    capped = False
    if engine == "rudof":
        found = validate_loaded(loaded, onto, None, "rudof", lambda msg: None)
        keys = sorted(_key(v) + (v.source_file,) for v in found)
        done, triples = len(loaded), sum(lg.n_triples for lg in loaded)
    else:
        for lg in loaded:
            if budget and time.perf_counter() - t0 > budget:
                capped = True
                break
            results = validate_graph(lg, onto, shapes, engine, context_of(lg, loaded))
            keys.extend(sorted(_key(v) + (lg.source,) for v in results))
            done += 1
            triples += lg.n_triples
    secs = time.perf_counter() - t0
    Path(a["keys_out"]).write_text(json.dumps(keys))
    emit(kind="validate", engine=engine, seconds=round(secs, 3), peak_mb=peak_mb(), graphs=done,
         graphs_total=len(loaded), triples=triples, violations=len(keys), broken_items=broken, capped=capped)


# ----------------------------------------------------------------- queries
def _sample_params(store, q) -> dict:
    """Parameters for a library query on synthetic data: for each IRI parameter, an IRI of the same kind
    as the default (same path before the last '/') for which the query has answers, when one of the
    first candidates has any (a parameter that matches nothing would time an empty lookup)."""
    from datawork_kg.queries import bind, run_store

    params = {}
    for name, p in q.params.items():
        if p.type == "iri" and p.default:
            default = str(p.default)
            prefix = default.rsplit("/", 1)[0] + "/"
            rows = list(store.query(f"""SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x ?p ?o }}
                FILTER(STRSTARTS(STR(?x), "{prefix}")) }} ORDER BY ?x LIMIT 50""", use_default_graph_as_union=False))
            if not rows:
                continue
            candidates = [r["x"].value for r in rows]
            mid = len(candidates) // 2
            params[name] = candidates[mid]
            for iri in candidates[mid:] + candidates[:mid]:
                res = run_store(store, bind(q, {**params, name: iri}))
                if (res.rows if res.boolean is None else res.boolean):
                    params[name] = iri
                    break
    return params


def _run_direct(store, text: str) -> int:
    """The query on the pyoxigraph store with no runner around it: every solution's terms read, as
    ``tuple(solution)`` (what the runner starts from); the number of rows, or the boolean as 0/1."""
    res = store.query(text)
    if isinstance(res, bool) or type(res).__name__ == "QueryBoolean":
        return int(bool(res))
    if type(res).__name__ == "QueryTriples":
        return sum(1 for _ in res)
    return sum(1 for _ in (tuple(sol) for sol in res))


FLOOR = "https://w3id.org/datawork/benchmark/floor/"


def answer_floor(store, text: str, workdir: str, runs: int = 3, budget: float = 10.0) -> dict:
    """How fast the query's own answer can be read back from a store that holds nothing else: each row a
    resource with one property per column (its cells as the query gave them) and its position, asked
    through the runner for every column (an OPTIONAL each) in the answer's order. This is the answer fully
    materialised, a property per cell: no materialised property can make the query faster than this, and
    with nothing else in the store every lookup is cheaper than in the release's, so it is a lower bound.
    Measured on a fresh on-disk store, compacted (RocksDB, as the release's: ``floor_p50``) and on an
    in-memory store (``floor_memory_p50``), the median of ``runs`` each (fewer once they took ``budget``
    seconds); with the cells stored and whether the read-back gave the query's rows, cell for cell, in its
    order."""
    import pyoxigraph as ox

    from datawork_kg.queries import run_store

    res = store.query(text)
    variables = [v.value for v in res.variables]
    index = ox.NamedNode(FLOOR + "index")
    cols = [ox.NamedNode(f"{FLOOR}column/{k}") for k in range(len(variables))]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    expected, quads = [], []
    for i, solution in enumerate(res):
        row = ox.NamedNode(f"{FLOOR}row/{i}")
        quads.append(ox.Quad(row, index, ox.Literal(str(i), datatype=integer)))
        terms = tuple(solution)
        expected.append(terms)
        quads.extend(ox.Quad(row, col, term) for col, term in zip(cols, terms) if term is not None)
    select = " ".join(f"?{v}" for v in variables)
    columns = " ".join(f"OPTIONAL {{ ?__floor_row <{c.value}> ?{v} }}" for c, v in zip(cols, variables))
    back = f"SELECT {select} WHERE {{ ?__floor_row <{index.value}> ?__floor_position {columns} }} ORDER BY ?__floor_position"
    out = dict(floor_cells=len(quads) - len(expected))
    same = True
    for key, make in (("floor_p50", lambda: ox.Store(workdir)), ("floor_memory_p50", ox.Store)):
        floor_store = make()  # one at a time: the on-disk store is closed before the in-memory one is filled
        floor_store.bulk_extend(quads)
        floor_store.flush()
        floor_store.optimize()
        times: list[float] = []
        while len(times) < runs and sum(times) < budget:
            t = time.perf_counter()
            got = run_store(floor_store, back)
            times.append(time.perf_counter() - t)
        out[key] = round(statistics.median(times), 5)
        same = same and len(got.rows) == len(expected) and [tuple(s) for s in floor_store.query(back)] == expected
        del floor_store
    out["floor_same_rows"] = same
    return out


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def task_queries(a: dict) -> None:
    """Every library query: median and p95 through the runner (``queries.run_store``: Python values and
    column types), the median of the same text run directly on the pyoxigraph store (``direct_p50``;
    ``overhead`` = runner / direct - 1), and an rdflib baseline (capped, a reference).

    Each query runs ``runs`` times (after one warm-up run) but stops repeating after
    ``max_seconds_per_query``; one row is printed per query as soon as it is measured.
    """
    from datawork_kg.queries import bind, library, run_store
    from datawork_kg.store import open_store

    store = open_store(a["home"])
    runs, cap, budget = a.get("runs", 20), a.get("cap", 10.0), a.get("max_seconds_per_query", 20.0)
    only = set(a.get("only") or [])
    texts = {}
    for name, q in library().items():
        if (only and name not in only) or name in set(a.get("exclude") or []):
            continue
        if "SERVICE" in q.text.upper().split("WHERE", 1)[-1] and "federated" in name:
            continue  # needs the network
        texts[name] = bind(q, _sample_params(store, q))
    ds, load_s = None, None
    if a.get("baseline", True):
        from rdflib import Dataset

        t = time.perf_counter()
        ds = Dataset(default_union=True)
        ds.parse(a["nquads"], format="nquads")
        load_s = time.perf_counter() - t
        signal.signal(signal.SIGALRM, _alarm)
    for name, text in texts.items():
        t = time.perf_counter()
        res = run_store(store, text)  # warm-up (kept as a measurement when it is slow)
        first = time.perf_counter() - t
        times = [first] if first > 1.0 else []
        direct: list[float] = []
        t_all = time.perf_counter()
        while len(times) < runs and time.perf_counter() - t_all < budget:
            # the same text run directly on the store, every value read (what a pyoxigraph user gets),
            # alternating with the runner so that both see the same load
            t = time.perf_counter()
            n_direct = _run_direct(store, text)
            direct.append(time.perf_counter() - t)
            t = time.perf_counter()
            res = run_store(store, text)
            times.append(time.perf_counter() - t)
        n_rows = len(res.rows) if res.boolean is None else int(res.boolean)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        med = statistics.median(times)
        row = dict(kind="query", query=name, seconds=round(med, 5), p50=round(med, 5), p95=round(p95, 5),
                   runs=len(times), rows=n_rows, peak_mb=peak_mb())
        if direct:
            direct_med = statistics.median(direct)
            row.update(direct_p50=round(direct_med, 5), direct_rows=n_direct,
                       overhead=round(med / max(direct_med, 1e-9) - 1, 3))
        floor_over = a.get("floor_over")
        if floor_over is not None and res.boolean is None and res.rows and med > floor_over:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="datawork-floor-") as workdir:
                row.update(answer_floor(store, text, workdir))
        if ds is not None:
            signal.setitimer(signal.ITIMER_REAL, cap)
            t = time.perf_counter()
            try:
                n = len(list(ds.query(text)))
                secs, capped = time.perf_counter() - t, False
            except _Timeout:
                secs, capped, n = cap, True, None
            except Exception as exc:  # rdflib's engine fails on some queries pyoxigraph answers
                secs, capped, n = None, False, None
                row["baseline_error"] = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if secs is None:
                emit(**row)
                continue
            row.update(baseline_seconds=round(secs, 4), baseline_capped=capped, baseline_rows=n,
                       baseline_load_seconds=round(load_s, 2), ratio=round(secs / max(med, 1e-9), 1))
        emit(**row)


TASKS = {"build": task_build, "validate": task_validate, "queries": task_queries}

if __name__ == "__main__":
    TASKS[sys.argv[1]](json.loads(sys.argv[2]))
