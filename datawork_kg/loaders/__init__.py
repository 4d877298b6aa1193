"""Loaders: evidence files (YAML case files, CSV observations) and reference data -> RDF.

Each loader reads one file and fills one named graph (see ``docs/data-model.md``).
"""
from .base import LoadedGraph, Loader, loader_for, loaders, register

__all__ = ["LoadedGraph", "Loader", "loader_for", "loaders", "register", "load_file", "load_paths"]


def load_file(path, iris=None, *, display=None, context=None):
    """Load one evidence file into a :class:`LoadedGraph`."""
    from pathlib import Path

    from ..iris import IRIs

    path = Path(path)
    return loader_for(path).load(path, iris or IRIs(), display=display, context=context)


def load_paths(paths, iris=None, *, progress=None, workers=None):
    """Load case files first, then CSV files (which refer to case files' items).

    Many case files are loaded in a pool of processes (``workers``: default one per CPU, at most 4;
    1 = in this process); each sends back its graph as N-Triples text. CSV files are loaded
    afterwards in this process, with what the case files declared. The results, the problems
    (all of them, in file order) and the progress calls are the same either way.
    """
    from pathlib import Path

    from ..errors import InputError
    from ..iris import IRIs

    iris = iris or IRIs()
    paths = sorted({Path(p) for p in paths}, key=lambda p: (p.suffix.lower() == ".csv", str(p)))
    results, problems, context = [], [], {"studies": {}}
    cases = [p for p in paths if p.suffix.lower() != ".csv"]
    n_workers = _pool_size(cases, workers)

    def outcomes():
        if n_workers > 1:
            for path, outcome in zip(cases, _load_in_pool(cases, iris, n_workers)):
                yield path, _merge_study(path, outcome, context)
        else:
            for path in cases:
                yield path, _load_one(path, iris, context)
        for path in paths[len(cases):]:  # CSV files, once every case file is known
            yield path, _load_one(path, iris, context)

    for path, (kind, value) in outcomes():
        if kind == "problems":
            problems.extend(value)
            continue
        results.append(value)
        if progress:
            progress(path, value)
    from .casefile import iri_clash_problems, shared_organisation_problems

    problems.extend(shared_organisation_problems(context["studies"]))
    problems.extend(iri_clash_problems(context["studies"]))
    if problems:
        raise InputError(problems)
    return results


# case files above this many bytes in all are loaded in a pool of processes
PARALLEL_LOAD_BYTES = 2_000_000
_POOL: dict = {}


def _pool_size(paths, workers) -> int:
    from ..cores import usable_cores

    if workers is not None:
        return max(1, min(int(workers), len(paths)))
    if len(paths) < 4:
        return 1
    try:
        if sum(p.stat().st_size for p in paths) < PARALLEL_LOAD_BYTES:
            return 1
    except OSError:
        return 1
    return max(1, min(usable_cores(), len(paths), 4))


def _load_one(path, iris, context):
    from ..errors import InputError

    try:
        return "loaded", loader_for(path).load(path, iris, display=str(path), context=context)
    except InputError as exc:
        return "problems", exc.problems


def _load_index(i):
    """In a loading process: load case file ``i`` with a context of its own; send back N-Triples text."""
    path = _POOL["paths"][i]
    context = {"studies": {}}
    kind, value = _load_one(path, _POOL["iris"], context)
    if kind == "loaded":
        value.compact()
        return kind, value, context["studies"].get(value.study), None
    return kind, value, None, None


def _load_in_pool(paths, iris, workers):
    """Yield each file's outcome, in order, from ``workers`` forked processes (no fork: one process)."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("fork")
    except ValueError:
        context = {"studies": {}}
        for p in paths:
            kind, value = _load_one(p, iris, context)
            yield kind, value, context["studies"].get(getattr(value, "study", None)), None
        return
    _warm_up()  # what every process would otherwise build again: compiled schemas, ISO code tables
    _POOL.update(paths=list(paths), iris=iris)
    try:
        with ctx.Pool(workers) as pool:
            yield from pool.imap(_load_index, range(len(paths)), chunksize=1)
    finally:
        _POOL.clear()


def _warm_up() -> None:
    from .schema import warm_up

    warm_up()


def _merge_study(path, outcome, context):
    """Record a case file loaded elsewhere in ``context``, refusing a study id another file used
    (as the loader does when files are loaded one after another)."""
    from ..errors import Problem

    kind, value, study, _ = outcome
    if kind != "loaded":
        return kind, value
    seen = context["studies"]
    if value.study in seen and seen[value.study]["file"] != str(path):
        other = seen[value.study]["file"]
        return "problems", [Problem(str(path), (study or {}).get("line"), "study.id",
                                    f"study id '{value.study}' is also used by {other}",
                                    "give each case file its own study id")]
    seen[value.study] = study
    return kind, value
