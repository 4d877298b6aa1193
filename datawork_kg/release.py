"""``datawork release VERSION``: a citable, versioned release of the graph.

A release builds the graph from the evidence (as ``datawork build``, recording the version, date and
citation in the summary and the VoID/DCAT) and writes a bundle, ``OUT/datawork-kg-VERSION/`` and the
same as ``OUT/datawork-kg-VERSION.tar.gz``::

    README.md            what the release is, how to cite it, what is in it
    CITATION.cff, codemeta.json, .zenodo.json    the citation of this release (datawork_kg.citation)
    CHANGES.md           this release's section (from datawork_kg.diff against the previous release), then the earlier ones
    void.ttl             VoID/DCAT with dcat:version, dct:issued and the dumps' checksums
    data/                the dumps: datawork.nq, .trig, .jsonld (every named graph), .nt, .ttl, .rdf (their union)
    ontology/            the ontology modules as they are, and datawork-ontology.nt: all of them with this
                         release's owl:versionIRI, owl:versionInfo and owl:priorVersion
    evidence/            the evidence files the graph was built from
    SHA256SUMS           the SHA-256 of every file (sha256sum -c SHA256SUMS)

The same inputs (evidence, ontology, code, VERSION, date, previous release) give the same bytes:
every text is written in a fixed order, blank nodes get their RDFC-1.0 canonical labels, nothing
records the time of the run (the date is ``--date``, or ``SOURCE_DATE_EPOCH``, or today), and the
archive has fixed owners, modes and times.

A release refuses (exit 1) an ontology that removes or renames a term of the previous release's
ontology that was not marked ``owl:deprecated`` there first (:func:`removed_terms`).
"""
from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import io
import os
import re
import shutil
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from .errors import DataworkError

ONTOLOGY_IRI = "https://w3id.org/datawork/ontology"
DW_NS = "https://w3id.org/datawork/ontology#"
VERSION_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")
Progress = Callable[[str], None]


class ReleaseError(DataworkError):
    """The release cannot be made (bad version, date, folder or previous release)."""


class OntologyEvolutionError(DataworkError):
    """The ontology removes or renames terms of the previous release without deprecating them first."""

    exit_code = 1


# ================================================================= ontology versions
def version_iri(version: str) -> str:
    return f"{ONTOLOGY_IRI}/{version}"


def terms(g: Graph) -> dict[str, bool]:
    """The ontology's own terms (IRIs in the dw: namespace that are declared with a type) -> deprecated?"""
    out: dict[str, bool] = {}
    for s in set(g.subjects(RDF.type, None)):
        if isinstance(s, URIRef) and str(s).startswith(DW_NS):
            out[str(s)] = any(str(o).lower() in ("true", "1") for o in g.objects(s, OWL.deprecated))
    return out


def removed_terms(previous: Graph, current: Graph) -> list[str]:
    """Terms of ``previous`` that ``current`` no longer declares although ``previous`` did not mark them
    ``owl:deprecated`` (a rename is a removal plus a new term: the old name must be deprecated first,
    pointing to the new one with dcterms:isReplacedBy, and may go in a later release)."""
    now = terms(current)
    return sorted(t for t, deprecated in terms(previous).items() if t not in now and not deprecated)


def released_ontologies(directory: Path | None = None) -> list[tuple[str, Path]]:
    """(version, file) of the ontologies of earlier releases kept in ``ontology/releases/``, oldest first."""
    from .resources import ontology_dir

    d = directory or ontology_dir() / "releases"
    found = [(p.name[: -len(".nt")], p) for p in d.glob("*.nt")] if d.is_dir() else []
    return sorted(found, key=lambda vp: _version_key(vp[0]))


def _version_key(v: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.+-]", v))


def versioned_ontology(g: Graph, version: str, prior: str | None) -> Graph:
    """A copy of the ontology whose header names this release: owl:versionIRI, owl:versionInfo, owl:priorVersion."""
    out = Graph()
    for t in g:
        out.add(t)
    onto = URIRef(ONTOLOGY_IRI)
    for p in (OWL.versionIRI, OWL.versionInfo, OWL.priorVersion):
        out.remove((onto, p, None))
    out.add((onto, OWL.versionIRI, URIRef(version_iri(version))))
    out.add((onto, OWL.versionInfo, Literal(version)))
    if prior:
        out.add((onto, OWL.priorVersion, URIRef(prior)))
    return out


def canonical_nt(triples_or_quads, *, quads: bool = False) -> str:
    """Sorted N-Triples (N-Quads) lines with RDFC-1.0 blank node labels: the same graph, the same bytes."""
    ds = ox.Dataset(triples_or_quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    if quads:
        lines = {f"{q.subject} {q.predicate} {q.object}" + ("" if isinstance(q.graph_name, ox.DefaultGraph)
                                                             else f" {q.graph_name}") + " .\n" for q in ds}
    else:
        lines = {f"{q.subject} {q.predicate} {q.object} .\n" for q in ds}
    return "".join(sorted(lines))


def _rdflib_to_ox(g: Graph):
    """The triples of an rdflib graph as pyoxigraph triples (through N-Triples)."""
    return ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)


# ================================================================= the bundle
@dataclass
class ReleaseReport:
    version: str
    date: str
    folder: Path
    archive: Path
    files: int = 0
    bytes: int = 0
    previous: str | None = None
    changes: str = ""
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"release {self.version} ({self.date}): {self.folder}", f"  archive {self.archive}",
                 f"  {self.files} files, {self.bytes / 1e6:.1f} MB; checksums in SHA256SUMS",
                 f"  compared with {self.previous}" if self.previous else "  first release (no --previous)"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def release_date(date: str | None = None) -> str:
    """``date`` (YYYY-MM-DD), else the day of ``SOURCE_DATE_EPOCH`` (reproducible builds), else today (UTC)."""
    if date:
        try:
            _dt.date.fromisoformat(date)
        except ValueError:
            raise ReleaseError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        return date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def release(version: str, out: Path | str, *, paths=None, home: Path | str | None = None,
            previous: Path | str | None = None, date: str | None = None, reason: bool = True,
            progress: Progress | None = None, changes_file: Path | str | None = None) -> ReleaseReport:
    """Build the graph as release ``version`` and write its bundle to ``out`` (see the module's doc).

    ``previous``: the bundle of the previous release (its ontology, version and CHANGES.md); without
    it the latest ontology in ``ontology/releases/`` older than ``version`` is the one compared.
    ``changes_file``: also put this release's section at the top of that CHANGES.md (the repository's).
    """
    from . import citation
    from .build import build, evidence_files
    from .diff import diff, read_side, to_markdown
    from .ontology import ontology_files, ontology_graph

    say = progress or (lambda m: None)
    if not VERSION_RE.match(version or ""):
        raise ReleaseError(f"the version must look like 1.2.3 (semantic versioning), got {version!r}")
    day = release_date(date)
    out = Path(out).resolve()
    name = f"datawork-kg-{version}"
    folder, archive = out / name, out / f"{name}.tar.gz"
    if folder.exists() or archive.exists():
        raise ReleaseError(f"{folder} already exists", hint="a release is never overwritten: choose another --out or version")
    prev_version, prev_onto, prev_changes, prev_dir = None, None, "", None
    if previous:
        prev_dir = Path(previous).resolve()
        vfile = prev_dir / "ontology" / "datawork-ontology.nt"
        if not vfile.is_file():
            raise ReleaseError(f"{prev_dir} is not a release bundle (no ontology/datawork-ontology.nt)",
                               hint="give the folder an earlier 'datawork release' wrote")
        prev_onto = Graph().parse(vfile, format="nt")
        v = prev_onto.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
        prev_version = str(v) if v is not None else None
        if (prev_dir / "CHANGES.md").is_file():
            prev_changes = (prev_dir / "CHANGES.md").read_text(encoding="utf-8")
    else:
        older = [(v, p) for v, p in released_ontologies() if _version_key(v) < _version_key(version)]
        if older:
            prev_version, p = older[-1]
            prev_onto = Graph().parse(p, format="nt")
    if prev_version and _version_key(prev_version) >= _version_key(version):
        raise ReleaseError(f"version {version} is not after the previous release {prev_version}")
    onto = ontology_graph()
    if prev_onto is not None:
        gone = removed_terms(prev_onto, onto)
        if gone:
            raise OntologyEvolutionError(
                f"the ontology removes or renames {len(gone)} term(s) of release {prev_version} that were not "
                "marked owl:deprecated there: " + ", ".join(gone[:20]),
                hint="keep the term with owl:deprecated true (and dcterms:isReplacedBy the new term) for one release first")
    sw = citation.software()
    ds_meta = citation.dataset(version, day)
    cite = citation.citation_text(ds_meta)
    files = evidence_files(paths)
    say(f"building release {version} ({day}) from {len(files)} evidence file(s)")
    result = build(files, home=home, reason=reason, progress=progress,
                   release={"version": version, "date": day, "citation": cite, "software": f"{sw.name} {sw.version}"})
    rel = result.release
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.partial-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _write_bundle(tmp, rel, result.summary, version, day, sw, ds_meta, onto, prev_version, files, say)
        # CHANGES.md: this release's section from the diff with the previous release, then the earlier sections
        say("comparing with the previous release" if prev_dir else "first release: CHANGES.md section from the counts")
        new_side = read_side(tmp)
        d = diff(read_side(prev_dir), new_side) if prev_dir else diff_from_nothing(new_side)
        section = to_markdown(d, version, day, prev_version if prev_dir else None)
        head = "# Changes\n\n"
        rest = prev_changes[len(head):] if prev_changes.startswith(head) else prev_changes
        (tmp / "CHANGES.md").write_text(head + section + rest, encoding="utf-8")
        _write_sums(tmp)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_archive(folder, archive)
    report = ReleaseReport(version, day, folder, archive, previous=prev_version, changes=section)
    for p in folder.rglob("*"):
        if p.is_file():
            report.files += 1
            report.bytes += p.stat().st_size
    if changes_file:
        _prepend_section(Path(changes_file), section)
        report.notes.append(f"added the section of {version} to {changes_file}")
    return report


def diff_from_nothing(side):
    from .diff import Side, diff

    return diff(Side("(nothing)", {}, {}), side)


def _prepend_section(path: Path, section: str) -> None:
    head = "# Changes\n\n"
    text = path.read_text(encoding="utf-8") if path.exists() else head
    if not text.startswith(head):
        text = head + text
    path.write_text(head + section + text[len(head):], encoding="utf-8")


def _write_bundle(root: Path, rel: Path, summary: dict, version: str, day: str, sw, ds_meta, onto: Graph,
                  prev_version: str | None, files: list[Path], say: Progress) -> None:
    from . import citation
    from .describe import describe
    from .iris import IRIs
    from .ontology import ontology_files

    store = ox.Store.read_only(str(rel / "store"))
    base = summary.get("base") or "https://w3id.org/datawork/id/"
    say("[1/4] dumps (canonical blank nodes, sorted)")
    data = root / "data"
    data.mkdir()
    named = canonical_nt((q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)), quads=True)
    union = canonical_nt(ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    (data / "datawork.nq").write_text(named, encoding="utf-8")
    (data / "datawork.nt").write_text(union, encoding="utf-8")
    from .namespace import PREFIXES

    prefixes = dict(PREFIXES, id=base)
    quads = list(ox.parse(named.encode(), format=ox.RdfFormat.N_QUADS))
    triples = list(ox.parse(union.encode(), format=ox.RdfFormat.N_TRIPLES))
    for fname, items, fmt in (("datawork.trig", quads, ox.RdfFormat.TRIG), ("datawork.jsonld", quads, ox.RdfFormat.JSON_LD),
                              ("datawork.ttl", triples, ox.RdfFormat.TURTLE), ("datawork.rdf", triples, ox.RdfFormat.RDF_XML)):
        kw = {} if fmt == ox.RdfFormat.RDF_XML else {"prefixes": prefixes}
        (data / fname).write_bytes(ox.serialize(items, format=fmt, **kw))
    say("[2/4] VoID/DCAT with dcat:version")
    sums = {p.name: _sha(p) for p in sorted(data.iterdir())}
    stable = {k: v for k, v in summary.items() if k not in ("seconds", "built")}
    stable["built"] = f"{day}T00:00:00Z"  # the release date, not the time of the run: the same inputs, the same bytes
    void = describe(store, IRIs(base), stable, {k: v for k, v in sums.items() if k in ("datawork.nq", "datawork.trig",
                                                                                        "datawork.ttl", "datawork.jsonld")})
    (root / "void.ttl").write_text(canonical_nt(_rdflib_to_ox(void)), encoding="utf-8")
    say("[3/4] ontology and evidence")
    od = root / "ontology"
    od.mkdir()
    for f in ontology_files():
        shutil.copyfile(f, od / f.name)
    versioned = versioned_ontology(onto, version, version_iri(prev_version) if prev_version else None)
    (od / "datawork-ontology.nt").write_text(canonical_nt(_rdflib_to_ox(versioned)), encoding="utf-8")
    ed = root / "evidence"
    ed.mkdir()
    for f in files:
        shutil.copyfile(f, ed / Path(f).name)
    say("[4/4] citation files and README")
    citation.write_citation_files(root, sw, ds_meta, release=True)
    (root / "README.md").write_text(_readme(version, day, citation.citation_text(ds_meta), summary, prev_version,
                                            [Path(f).name for f in files], sw), encoding="utf-8")


def _readme(version: str, day: str, cite: str, summary: dict, prev: str | None, evidence: list[str], sw) -> str:
    return f"""# datawork-kg {version}

The open knowledge graph of the human supply chains behind AI, release {version} of {day}
({summary.get('default_graph_triples', summary.get('triples', 0)):,} distinct triples in {len(summary.get('graphs', {}))} named graphs),
built with {sw.name} {sw.version}{f'; the previous release is {prev}' if prev else ''}.

## How to cite

{cite}

CITATION.cff, codemeta.json and .zenodo.json (for a Zenodo/DataCite deposit) say the same. Cite
the version: statements are added and removed between releases (CHANGES.md).

## Contents

- `data/`: the graph. `datawork.nq`, `datawork.trig` and `datawork.jsonld` hold every named graph
  (one per source: {', '.join(evidence)}, the ontology, the reference data, the inferred triples);
  `datawork.nt`, `datawork.ttl` and `datawork.rdf` hold their union, each triple once.
- `void.ttl`: the VoID/DCAT description (dcat:version {version}, the dumps' checksums).
- `ontology/`: the ontology modules, and `datawork-ontology.nt`, all of them with this release's
  owl:versionIRI <{version_iri(version)}>{f' and owl:priorVersion <{version_iri(prev)}>' if prev else ''}.
- `evidence/`: the case files the graph was built from.
- `CHANGES.md`: what changed since the previous release, per source and per class.
- `SHA256SUMS`: the SHA-256 of every file; check with `sha256sum -c SHA256SUMS`.

Licence: data and ontology CC BY 4.0; code MIT.
"""


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_sums(root: Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    text = "".join(f"{_sha(p)}  {p.relative_to(root).as_posix()}\n" for p in files)
    (root / "SHA256SUMS").write_text(text, encoding="utf-8")


def _write_archive(folder: Path, archive: Path) -> None:
    """A tar.gz with sorted names, owner 0, modes 0644/0755, time 0 and no gzip name or time: the same bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for p in [folder] + sorted(folder.rglob("*")):
            info = tar.gettarinfo(str(p), arcname=(Path(folder.name) / p.relative_to(folder)).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o755 if p.is_dir() else 0o644
            info.pax_headers = {}
            if p.is_file():
                with open(p, "rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    tmp = archive.with_name(archive.name + ".part")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(buf.getvalue())
    os.replace(tmp, archive)


__all__ = ["release", "ReleaseReport", "ReleaseError", "OntologyEvolutionError", "removed_terms", "terms",
           "released_ontologies", "versioned_ontology", "version_iri", "canonical_nt", "release_date"]
