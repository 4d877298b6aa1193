"""``datawork diff OLD NEW``: what changed between two releases or builds.

OLD and NEW are release bundles (``datawork release``: ``data/datawork.nq``), build releases
(``dumps/datawork.nq``), build folders (their ``current`` release) or N-Quads files. Only the named
graphs are compared (one per source; the default graph is their union). Blank nodes are given their
RDFC-1.0 canonical labels first, so that an unchanged blank node structure (an OWL restriction) is
the same on both sides. The result counts statements added and removed per source (named graph),
per class (of the statement's subject, in the side it is in) and per resource, and renders as text,
JSON, RDF (the Changeset vocabulary, one ``cs:ChangeSet`` per resource and source, with PROV for
the comparison) or a CHANGES.md section.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import DataworkError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CS = "http://purl.org/vocab/changeset/schema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
BLANK = "(blank nodes)"


class DiffError(DataworkError):
    """A side of the comparison cannot be read."""


@dataclass
class Side:
    label: str
    graphs: dict[str, set[str]]             # graph IRI -> N-Triples lines
    types: dict[str, set[str]]              # subject (N-Triples form) -> classes


@dataclass
class Diff:
    old: str
    new: str
    added: dict[str, list[str]] = field(default_factory=dict)    # graph -> sorted N-Triples lines
    removed: dict[str, list[str]] = field(default_factory=dict)
    per_class: dict[str, dict[str, int]] = field(default_factory=dict)     # class -> {added, removed}
    per_resource: dict[str, dict[str, int]] = field(default_factory=dict)  # resource -> {added, removed}

    @property
    def differ(self) -> bool:
        return any(self.added.values()) or any(self.removed.values())

    def totals(self) -> tuple[int, int]:
        return sum(map(len, self.added.values())), sum(map(len, self.removed.values()))

    def per_source(self) -> dict[str, dict[str, int]]:
        return {g: {"added": len(self.added.get(g, ())), "removed": len(self.removed.get(g, ()))}
                for g in sorted(set(self.added) | set(self.removed))}


def nquads_of(path: Path | str) -> Path:
    """The N-Quads dump of a bundle, a build release, a build folder, or the file itself."""
    p = Path(path)
    for candidate in (p / "data" / "datawork.nq", p / "dumps" / "datawork.nq", p / "current" / "dumps" / "datawork.nq", p):
        if candidate.is_file():
            return candidate
    raise DiffError(f"{p}: not a release bundle, a build (release) folder or an N-Quads file",
                    hint="give the folder 'datawork release' wrote, a build folder, or a .nq file")


def read_side(path: Path | str) -> Side:
    p = Path(path)
    stores = [s for s in (p / "store", p / "current" / "store") if s.is_dir()]
    if stores and not any((p / d / "datawork.nq").is_file() for d in ("data", "dumps", "current/dumps")):
        try:  # a build without dumps: read its store
            quads = ox.Dataset(q for q in ox.Store.read_only(str(stores[0])).quads_for_pattern(None, None, None, None)
                               if not isinstance(q.graph_name, ox.DefaultGraph))
        except OSError as exc:
            raise DiffError(f"{stores[0]}: cannot open the store: {exc}") from None
    else:
        nq = nquads_of(path)
        try:
            quads = ox.Dataset(q for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)
                               if not isinstance(q.graph_name, ox.DefaultGraph))
        except (SyntaxError, ValueError, OSError) as exc:
            raise DiffError(f"{nq}: cannot read the N-Quads: {exc}") from None
    quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)  # (of the named graphs only: the labels depend on all)
    graphs: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            continue
        graphs.setdefault(q.graph_name.value, set()).add(f"{q.subject} {q.predicate} {q.object} .")
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            types.setdefault(str(q.subject), set()).add(q.object.value)
    return Side(str(path), graphs, types)


def diff(old: Path | str | Side, new: Path | str | Side) -> Diff:
    a = old if isinstance(old, Side) else read_side(old)
    b = new if isinstance(new, Side) else read_side(new)
    d = Diff(a.label, b.label)
    classes: Counter = Counter()
    resources: dict[str, Counter] = {}
    for g in sorted(set(a.graphs) | set(b.graphs)):
        before, after = a.graphs.get(g, set()), b.graphs.get(g, set())
        for kind, lines, side in (("added", after - before, b), ("removed", before - after, a)):
            if not lines:
                continue
            getattr(d, kind)[g] = sorted(lines)
            for line in lines:
                subject = line.split(" ", 1)[0]
                for c in side.types.get(subject, ()) or ("(untyped)",):
                    classes[(c, kind)] += 1
                key = BLANK if subject.startswith("_:") else subject.strip("<>")
                resources.setdefault(key, Counter())[kind] += 1
    for (c, kind), n in sorted(classes.items()):
        d.per_class.setdefault(c, {"added": 0, "removed": 0})[kind] = n
    d.per_resource = {r: {"added": c["added"], "removed": c["removed"]} for r, c in sorted(resources.items())}
    return d


def _short(iri: str) -> str:
    for prefix, short in (("https://w3id.org/datawork/ontology#", "dw:"), ("https://w3id.org/datawork/id/", "")):
        if iri.startswith(prefix):
            return short + iri[len(prefix):]
    return iri


def to_text(d: Diff, limit: int = 30) -> str:
    plus, minus = d.totals()
    if not d.differ:
        return f"{d.old} and {d.new}: the same statements"
    lines = [f"{d.old} -> {d.new}: +{plus:,} -{minus:,} statements", "", "per source (named graph):"]
    lines += [f"  {_short(g):50} +{c['added']:>7,} -{c['removed']:>7,}" for g, c in d.per_source().items()]
    lines += ["", "per class (of the statement's subject):"]
    lines += [f"  {_short(c):50} +{n['added']:>7,} -{n['removed']:>7,}" for c, n in d.per_class.items()]
    busiest = sorted(d.per_resource.items(), key=lambda kv: (-(kv[1]["added"] + kv[1]["removed"]), kv[0]))
    lines += ["", f"per resource ({len(busiest):,} changed; the {min(limit, len(busiest))} with most changes):"]
    lines += [f"  {_short(r):50} +{n['added']:>7,} -{n['removed']:>7,}" for r, n in busiest[:limit]]
    return "\n".join(lines)


def to_json(d: Diff) -> str:
    plus, minus = d.totals()
    return json.dumps({"old": d.old, "new": d.new, "differ": d.differ, "added": plus, "removed": minus,
                       "per_source": d.per_source(), "per_class": d.per_class, "per_resource": d.per_resource,
                       "statements": {"added": d.added, "removed": d.removed}}, indent=1, sort_keys=True)


def to_rdf(d: Diff) -> str:
    """The changes as Turtle: a prov:Activity comparing the two sides, and for each resource and source
    a cs:ChangeSet whose cs:addition and cs:removal are reified statements (rdf:Statement)."""
    import hashlib

    base = "urn:datawork:diff:" + hashlib.sha256(f"{d.old}\n{d.new}".encode()).hexdigest()[:16]
    out = [f"@prefix cs: <{CS}> .", f"@prefix prov: <{PROV}> .", f"@prefix dct: <{DCT}> .",
           "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .", "",
           f"<{base}> a prov:Activity ; prov:used {json.dumps(d.old)}, {json.dumps(d.new)} .".replace(
               "prov:used", "dct:description"), ""]
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for kind, table in (("addition", d.added), ("removal", d.removed)):
        for g, lines in table.items():
            for line in lines:
                by_key.setdefault((g, line.split(" ", 1)[0]), []).append((kind, line))
    for n, ((g, subject), changes) in enumerate(sorted(by_key.items())):
        cs = f"<{base}#cs{n}>"
        out.append(f"{cs} a cs:ChangeSet ; prov:wasGeneratedBy <{base}> ; dct:source <{g}>"
                   + (f" ; cs:subjectOfChange {subject}" if not subject.startswith("_:") else "") + " .")
        for kind, line in changes:
            s, p, o = _split(line)
            out.append(f"{cs} cs:{kind} [ a rdf:Statement ; rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ] .")
    text = "\n".join(out) + "\n"
    ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)  # it is valid Turtle (raises otherwise)
    return text


def _split(line: str) -> tuple[str, str, str]:
    t = next(iter(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES)))
    return str(t.subject), str(t.predicate), str(t.object)


def to_markdown(d: Diff, version: str, date: str, previous: str | None) -> str:
    """The section of CHANGES.md for release ``version``."""
    plus, minus = d.totals()
    head = f"## {version} ({date})\n\n"
    if previous is None:
        return head + f"First release: {plus:,} statements in {len(d.added)} sources.\n\n"
    text = head + f"Compared with {previous}: {plus:,} statements added, {minus:,} removed.\n\n"
    if not d.differ:
        return head + f"Compared with {previous}: no statement changed.\n\n"
    text += "| source | added | removed |\n|---|---:|---:|\n"
    text += "".join(f"| {_short(g)} | {c['added']:,} | {c['removed']:,} |\n" for g, c in d.per_source().items())
    text += "\n| class | added | removed |\n|---|---:|---:|\n"
    text += "".join(f"| {_short(c)} | {n['added']:,} | {n['removed']:,} |\n" for c, n in d.per_class.items())
    new_res = [r for r, n in d.per_resource.items() if n["removed"] == 0 and r != BLANK]
    gone = [r for r, n in d.per_resource.items() if n["added"] == 0 and r != BLANK]
    text += f"\n{len(d.per_resource):,} resources changed ({len(new_res):,} only gained statements, " \
            f"{len(gone):,} only lost statements).\n\n"
    return text


__all__ = ["diff", "read_side", "Diff", "Side", "DiffError", "to_text", "to_json", "to_rdf", "to_markdown", "nquads_of"]
