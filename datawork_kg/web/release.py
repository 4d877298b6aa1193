"""Releases as the server and the static publisher read them: one release opened read-only, with
what its pages need (labels, kinds, VoID, the pyLODE page) cached; ``build/current`` resolved once
per request, so an answer comes from the old graph or the new one, never a mix."""
from __future__ import annotations

import itertools
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from ..iris import DEFAULT_BASE
from ..namespace import PREFIXES
from ..ontology import ONTOLOGY_GRAPH
from ..store import Workspace
from .links import is_safe_path, site_root
from .pool import STORES_KEPT
from .rdf import StoreUnion
from .site import Site


class Release:
    """One release, opened read-only, with what its pages need (cached)."""

    def __init__(self, path: Path, base: str | None = None) -> None:
        self.path = path
        self.id = path.name
        summary_file = path / "summary.json"
        try:
            self.summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
        except (OSError, ValueError):
            self.summary = {}
        self.base = base or self.summary.get("base") or DEFAULT_BASE
        from ..citation import edition

        self.edition = edition(self.summary, self.id)  # which release this is and how to cite it (every page says)
        if not self.base.endswith("/"):
            self.base += "/"
        self.store_path = path / "store"
        try:
            self.store = ox.Store.read_only(str(self.store_path))
        except OSError as exc:
            raise StoreError(f"cannot open the store of release {self.id}: {exc}") from None
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._cache: dict[str, Any] = {}
        self.pages = StoreUnion(self.store, self.void_store())  # what pages read: the graph and its VoID
        self.site = Site(self.pages, self.base)

    def cached(self, key: str, make):
        """``make()`` once per key (other threads asking meanwhile wait for that result)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = make()
            with self._lock:
                self._cache[key] = value
                return value

    # -- content
    def ontology_triples(self) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]

    def ontology_html(self, back_link: str = "/") -> str:
        def make():
            from rdflib import Graph

            from ..docs import ontology_html
            from ..terms import to_rdflib

            g = Graph()
            for k, v in PREFIXES.items():
                g.bind(k, v)
            for t in self.ontology_triples():
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            if len(g) == 0:
                from ..docs import merged_ontology

                g = merged_ontology()
            return ontology_html(g, back_link=back_link)
        return self.cached("ontology.html " + back_link, make)

    def void_store(self) -> ox.Store:
        def make():
            st = ox.Store()  # in memory; the VoID triples sit in a graph named after the dataset
            graph = ox.NamedNode(self.dataset_iri())
            f = self.path / "dumps" / "void.ttl"
            if f.exists():
                st.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=graph)
            else:
                from ..describe import describe
                from ..iris import IRIs

                g = describe(self.store, IRIs(self.base), self.summary)
                st.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
            return st
        return self.cached("void", make)

    def dataset_iri(self) -> str:
        return site_root(self.base) + "dataset"

    def void_triples(self) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in self.void_store()]

    @property
    def union_default_graph(self) -> bool:
        """Whether the build stored the deduplicated union of the named graphs as the default graph."""
        return "default_graph_triples" in self.summary

    def kinds(self) -> dict[str, list[str]]:
        """IRIs of this dataset by kind (first path segment after the base)."""
        def make():
            found: dict[str, set[str]] = {}
            base = self.base
            for g in self.store.named_graphs():
                if isinstance(g, ox.NamedNode) and g.value.startswith(base) and is_safe_path(g.value[len(base):]):
                    rest = g.value[len(base):]
                    if "/" in rest:
                        found.setdefault(rest.split("/", 1)[0], set()).add(g.value)
            quads = itertools.chain(*(self.store.quads_for_pattern(None, None, None, g) for g in self.store.named_graphs()),
                                    self.void_store())
            for q in quads:
                for t in (q.subject, q.object):
                    if isinstance(t, ox.NamedNode) and t.value.startswith(base):
                        rest = t.value[len(base):]
                        if "/" in rest and is_safe_path(rest):
                            found.setdefault(rest.split("/", 1)[0], set()).add(t.value)
            return {k: sorted(v) for k, v in sorted(found.items())}
        return self.cached("kinds", make)

    def dumps(self) -> list[tuple[str, str, int]]:
        from ..describe import DUMPS

        out = []
        d = self.path / "dumps"
        for name, (media, _) in DUMPS.items():
            f = d / name
            if f.is_file():
                out.append((name, media, f.stat().st_size))
        f = d / "void.ttl"
        if f.is_file():
            out.append(("void.ttl", "text/turtle", f.stat().st_size))
        return out


class Releases:
    """``build/current`` resolved once per request; one open store per release path."""

    def __init__(self, home: Path | str | None, base: str | None = None) -> None:
        self.ws = Workspace(home)
        self.base = base
        self._open: "OrderedDict[Path, Release]" = OrderedDict()
        self._by_target: dict[str, Release] = {}  # the text of the current link -> its release
        self._lock = threading.Lock()

    def current(self) -> Release:
        # one readlink per request: the release the link names, when it is open already (resolving the
        # link in full, a stat of every folder of the path, cost more than describing a resource)
        try:
            target = os.readlink(self.ws.current_link)
        except OSError:
            target = None
        if target is not None:
            with self._lock:
                rel = self._by_target.get(target)
                if rel is not None and rel.path in self._open:
                    self._open.move_to_end(rel.path)
                    return rel
        path = self.ws.current()
        if path is None:
            raise StoreError(f"no graph has been built in {self.ws.root}", hint="run 'datawork build'")
        with self._lock:
            rel = self._open.get(path)
            if rel is not None:
                self._open.move_to_end(path)
                if target is not None:
                    self._by_target = {target: rel}
                return rel
        rel = Release(path, self.base)
        # the labels descriptions read, indexed beside the requests (which read the store meanwhile)
        threading.Thread(target=rel.pages.index_labels, name="datawork-labels", daemon=True).start()
        with self._lock:
            self._open[path] = rel
            self._open.move_to_end(path)
            while len(self._open) > STORES_KEPT:
                self._open.popitem(last=False)
            if target is not None:
                self._by_target = {target: self._open[path]}
            return self._open[path]


__all__ = ["Release", "Releases"]
