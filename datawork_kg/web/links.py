"""IRIs and links: which site path publishes an IRI, and links from one page to another.

Root-relative links on the server, relative links in static files (:class:`Linker`).
"""
from __future__ import annotations

import re
from urllib.parse import quote

from ..iris import DEFAULT_BASE
from ..namespace import DW_NS, PREFIXES

ONTOLOGY_IRI = "https://w3id.org/datawork/ontology"


def site_root(base: str) -> str:
    """The publication root: the data base without its trailing ``id/``."""
    return base[:-3] if base.endswith("/id/") else base


def local_path(iri: str, base: str) -> str | None:
    """The site path (no leading slash, no extension) of an IRI this site publishes, else None.

    ``{base}chain/x`` -> ``id/chain/x``; ``…/ontology#Chain`` -> ``ontology/Chain``;
    ``…/ontology`` -> ``ontology``; ``{root}dataset`` -> ``dataset``.
    """
    if iri.startswith(base):
        rest = iri[len(base):]
        return ("id/" + rest) if rest and is_safe_path(rest) else None
    if iri.startswith(DW_NS):
        term = iri[len(DW_NS):]
        return ("ontology/" + term) if term and is_safe_path(term) and "/" not in term else None
    if iri == ONTOLOGY_IRI:
        return "ontology"
    if iri.startswith(ONTOLOGY_IRI + "/"):
        rest = iri[len(ONTOLOGY_IRI) + 1:]
        return ("ontology/" + rest) if rest and is_safe_path(rest) and "/" not in rest else None
    root = site_root(base)
    if iri.startswith(root) and not iri.startswith(base):
        rest = iri[len(root):].split("#")[0]
        if rest in ("dataset", "sparql"):
            return rest
        if rest.startswith("dumps/") and is_safe_path(rest):
            return rest
    return None


_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_~\-][A-Za-z0-9_.~\-]*$")


def is_safe_path(path: str) -> bool:
    """Only plain segments: no '.', '..', empty segments, percent signs, backslashes or controls."""
    if not path or len(path) > 512:
        return False
    return all(_SAFE_SEGMENT.match(seg) and seg not in (".", "..") for seg in path.split("/"))


class Linker:
    """Links from a page to other pages.

    ``root`` is the prefix of site paths: ``"/"`` on the server, ``"../../"`` for a static page two
    folders deep. Documents are linked with their ``.html`` suffix so static copies work on any
    web space; the canonical IRIs are shown on every page.
    """

    def __init__(self, base: str = DEFAULT_BASE, root: str = "/", *, server: bool = True, edition=None) -> None:
        self.base = base
        self.root = root
        self.server = server
        self.edition = edition  # citation.Edition: the release shown and how to cite it (in every page's footer)

    def at(self, root: str) -> "Linker":
        return Linker(self.base, root, server=self.server, edition=self.edition)

    def path(self, site_path: str) -> str:
        return self.root + site_path

    def href(self, iri: str, ext: str = "html") -> str:
        lp = local_path(iri, self.base)
        if lp is None:
            return iri
        if lp.startswith("ontology/") and iri.startswith(DW_NS) and ext == "html":
            return self.root + "ontology.html#" + quote(lp[len("ontology/"):])
        if lp in ("sparql",):
            return self.root + ("sparql" if self.server else "index.html")
        if lp.startswith("dumps/"):
            return self.root + lp
        return self.root + quote(lp) + "." + ext

    def doc(self, iri: str, ext: str) -> str:
        """The document describing ``iri`` in format ``ext`` (always a file path, never an anchor)."""
        lp = local_path(iri, self.base)
        if lp is None or lp == "sparql" or lp.startswith("dumps/"):
            return self.href(iri, ext)
        return self.root + quote(lp) + "." + ext

    def is_local(self, iri: str) -> bool:
        return local_path(iri, self.base) is not None


def short_iri(iri: str, base: str = DEFAULT_BASE) -> str:
    for k, v in PREFIXES.items():
        if iri.startswith(v) and len(iri) > len(v):
            return f"{k}:{iri[len(v):]}"
    if iri.startswith(base):
        return iri[len(base):]
    return iri


__all__ = ["ONTOLOGY_IRI", "site_root", "local_path", "is_safe_path", "Linker", "short_iri"]
