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


def load_paths(paths, iris=None, *, progress=None):
    """Load case files first, then CSV files (which refer to case files' items)."""
    from pathlib import Path

    from ..errors import InputError
    from ..iris import IRIs

    iris = iris or IRIs()
    paths = sorted({Path(p) for p in paths}, key=lambda p: (p.suffix.lower() == ".csv", str(p)))
    results, problems, context = [], [], {"studies": {}}
    for path in paths:
        try:
            loaded = loader_for(path).load(path, iris, display=str(path), context=context)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        results.append(loaded)
        if progress:
            progress(path, loaded)
    if problems:
        raise InputError(problems)
    return results
