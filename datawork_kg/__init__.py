"""datawork-kg: an open knowledge graph of the human supply chains behind AI.

The data flows one way: ``evidence/`` case files -> :mod:`datawork_kg.loaders` -> one named
graph per source -> validated against ``shapes/`` and typed by ``ontology/`` -> stored in
pyoxigraph (:mod:`datawork_kg.store`) -> the query library in ``queries/``.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "query"]


def query(name: str, *, dataframe: bool = False, store=None, endpoint: str | None = None, **params):
    """Run the library query ``name`` with ``params`` and return typed rows (or a DataFrame).

    See :func:`datawork_kg.queries.run_named`.
    """
    from .queries import run_named

    return run_named(name, params=params, dataframe=dataframe, store=store, endpoint=endpoint)
