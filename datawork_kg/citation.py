"""How to cite datawork-kg: ``CITATION.cff``, ``codemeta.json`` and ``.zenodo.json`` (DataCite-ready).

One source of truth: the software's name, version, summary, licence, authors and dependencies come
from ``pyproject.toml`` (or, in an installed package, its metadata); the dataset's title, abstract,
licence, creator and keywords from the VoID/DCAT description (:func:`datawork_kg.describe.dataset_header`).
The files at the root of the repository describe the software with the dataset as its preferred
citation; a release bundle (:mod:`datawork_kg.release`) describes the dataset of that release, with
its version and date, and refers to the software that built it. ``tests/test_citation.py`` checks
that the committed files are what :func:`write_citation_files` writes and that they agree.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import describe

SITE = "https://w3id.org/datawork/"
DATASET_URL = SITE + "dataset"
FILES = ("CITATION.cff", "codemeta.json", ".zenodo.json")


@dataclass
class Software:
    name: str
    version: str
    description: str
    licenses: list[str]          # SPDX identifiers
    authors: list[str]
    requires_python: str = ""
    dependencies: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    title: str
    description: str
    license: str                 # SPDX identifier
    creator: str
    keywords: list[str]
    version: str
    date: str | None = None      # YYYY-MM-DD, for a release
    url: str = DATASET_URL


def software(pyproject: Path | str | None = None) -> Software:
    """The software's metadata from ``pyproject.toml`` (the repository's, by default; the installed
    package's metadata when there is none, as in a wheel)."""
    path = Path(pyproject) if pyproject else Path(__file__).resolve().parent.parent / "pyproject.toml"
    if path.exists():
        import tomllib

        p = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
        return Software(p["name"], p["version"], p["description"], _spdx_list(p.get("license", "")),
                        [a["name"] for a in p.get("authors", [])], p.get("requires-python", ""),
                        list(p.get("dependencies", [])))
    from importlib.metadata import metadata

    m = metadata("datawork-kg")
    return Software(m["Name"], m["Version"], m["Summary"], _spdx_list(m.get("License-Expression") or m.get("License") or ""),
                    [a.strip() for a in (m.get("Author") or "datawork-kg contributors").split(",")],
                    m.get("Requires-Python") or "", [r for r in (m.get_all("Requires-Dist") or []) if "extra ==" not in r])


def _spdx_list(expression: str) -> list[str]:
    return [t for t in re.split(r"\s+(?:AND|OR|WITH)\s+|[()]", expression) if t.strip()]


def dataset(version: str, date: str | None = None) -> Dataset:
    """The dataset's metadata, read from the statements the VoID/DCAT description makes about it."""
    from rdflib import URIRef
    from rdflib.namespace import DCAT, DCTERMS

    ds = URIRef(DATASET_URL)
    header = describe.dataset_header(ds, {})
    one = {p: o for _, p, o in header}
    spdx = {"https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0"}[str(one[DCTERMS.license])]
    return Dataset(str(one[DCTERMS.title]), str(one[DCTERMS.description]), spdx, describe.PUBLISHER_NAME,
                   [str(o) for _, p, o in header if p == DCAT.keyword], version, date)


def citation_text(ds: Dataset) -> str:
    """A one-line citation of the dataset (DataCite style: creator (year). title (version) [Data set]. URL)."""
    year = f" ({ds.date[:4]})" if ds.date else ""
    return f"{ds.creator}{year}. {ds.title} (version {ds.version}) [Data set]. {ds.url}"


@dataclass
class Edition:
    """What a page of the served or static site says about the data it shows: which release, how to cite it."""

    version: str | None   # the release version; None for a build that is not a numbered release
    label: str            # "release 0.2.0 (2026-12-03)" or "build 20261203T101010-ab12cd34 (not a numbered release)"
    citation: str


def edition(summary: dict, release_id: str) -> Edition:
    """The edition of a build from its ``summary.json``: a release made by ``datawork release`` cites its
    version; any other build cites its build id and says it is not a numbered release."""
    rel = summary.get("release") or {}
    if rel.get("version"):
        ds = dataset(rel["version"], rel.get("date"))
        return Edition(rel["version"], f"release {rel['version']}" + (f" ({rel['date']})" if rel.get("date") else ""),
                       rel.get("citation") or citation_text(ds))
    ds = dataset(f"build {release_id}, not a numbered release")
    return Edition(None, f"build {release_id} (not a numbered release)",
                   f"{ds.creator}. {ds.title} ({ds.version}) [Data set]. {ds.url}")


def _entity(name: str) -> dict:
    return {"name": name}


def citation_cff(sw: Software, ds: Dataset, *, release: bool = False) -> str:
    """``CITATION.cff`` (Citation File Format 1.2.0): the software with the dataset as preferred citation,
    or, for a release bundle (``release=True``), the dataset of that release referring to the software."""
    data = {"type": "data", "title": ds.title, "version": ds.version, "abstract": ds.description,
            "authors": [_entity(ds.creator)], "license": ds.license, "url": ds.url, "keywords": ds.keywords}
    if ds.date:
        data["date-released"] = ds.date
    soft = {"type": "software", "title": sw.name, "version": sw.version, "abstract": sw.description,
            "authors": [_entity(a) for a in sw.authors], "license": sw.licenses, "url": SITE}
    if release:
        doc = {"cff-version": "1.2.0",
               "message": "If you use this release of the dataset, please cite it as below.",
               "type": "dataset", **{k: v for k, v in data.items() if k != "type"}, "references": [soft]}
    else:
        doc = {"cff-version": "1.2.0",
               "message": "If you use datawork-kg, please cite the dataset (preferred-citation) and, for the code, "
                          "the software.",
               "type": "software", **{k: v for k, v in soft.items() if k != "type"}, "keywords": ds.keywords,
               "preferred-citation": data}
    return yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=1000)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # the keywords list appears twice: write it twice, no &anchors
        return True


def codemeta(sw: Software, ds: Dataset) -> str:
    """``codemeta.json`` (CodeMeta 3.0) of the software."""
    doc = {"@context": "https://w3id.org/codemeta/3.0", "@type": "SoftwareSourceCode", "name": sw.name,
           "version": sw.version, "description": sw.description,
           "license": [f"https://spdx.org/licenses/{x}" for x in sw.licenses],
           "author": [{"@type": "Organization", "name": a} for a in sw.authors],
           "programmingLanguage": "Python", "runtimePlatform": f"Python {sw.requires_python}".strip(),
           "softwareRequirements": sw.dependencies, "keywords": ds.keywords, "url": SITE,
           "referencePublication": {"@type": "Dataset", "name": ds.title, "version": ds.version,
                                    "license": f"https://spdx.org/licenses/{ds.license}", "url": ds.url}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def zenodo(sw: Software, ds: Dataset) -> str:
    """``.zenodo.json``: the deposit metadata Zenodo (a DataCite member) reads, for the dataset."""
    doc = {"upload_type": "dataset", "title": ds.title, "version": ds.version, "description": ds.description,
           "creators": [{"name": ds.creator}], "license": ds.license.lower(), "access_right": "open",
           "keywords": ds.keywords,
           "related_identifiers": [{"identifier": ds.url, "relation": "isIdenticalTo", "resource_type": "dataset",
                                    "scheme": "url"}],
           "notes": f"Built with {sw.name} {sw.version}."}
    if ds.date:
        doc["publication_date"] = ds.date
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def citation_files(sw: Software | None = None, ds: Dataset | None = None, *, release: bool = False) -> dict[str, str]:
    """File name -> text of the three files."""
    sw = sw or software()
    ds = ds or dataset(sw.version)
    return {"CITATION.cff": citation_cff(sw, ds, release=release), "codemeta.json": codemeta(sw, ds),
            ".zenodo.json": zenodo(sw, ds)}


def write_citation_files(out: Path | str, sw: Software | None = None, ds: Dataset | None = None, *,
                         release: bool = False) -> list[Path]:
    out = Path(out)
    written = []
    for name, text in citation_files(sw, ds, release=release).items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


__all__ = ["Software", "Dataset", "Edition", "edition", "software", "dataset", "citation_text", "citation_cff", "codemeta", "zenodo",
           "citation_files", "write_citation_files", "FILES"]
