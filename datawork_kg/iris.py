"""Deterministic IRIs for datawork-kg resources.

Data IRIs follow ``{base}{kind}/{slug}`` with the default base ``https://w3id.org/datawork/id/``.
The base is configurable (``DATAWORK_BASE`` or ``--base``) for people who publish their own graph.
"""
from __future__ import annotations

import os
import re
import unicodedata

from rdflib import URIRef

from .namespace import DW

DEFAULT_BASE = "https://w3id.org/datawork/id/"


def default_base() -> str:
    base = os.environ.get("DATAWORK_BASE", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated slug: 'Ho Chi Minh City' -> 'ho-chi-minh-city'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text or "x"


class IRIs:
    """Mints the IRIs of one base."""

    def __init__(self, base: str | None = None) -> None:
        base = base or default_base()
        self.base = base if base.endswith("/") else base + "/"

    def __call__(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}{kind}/{slug}")

    def study(self, study: str) -> URIRef:
        return self("study", study)

    def item(self, kind: str, study: str, local_id: str) -> URIRef:
        return self(kind, f"{study}-{local_id}")

    def section(self, study: str, key: str) -> URIRef:
        return self("section", f"{study}-{slugify(key)}")

    def country(self, alpha2: str) -> URIRef:
        return self("country", alpha2.upper())

    def city(self, name: str) -> URIRef:
        return self("city", slugify(name))

    def currency(self, code: str) -> URIRef:
        return self("currency", code.upper())

    def graph(self, slug: str) -> URIRef:
        return self("graph", slug)


def concept(prefix: str, value: str) -> URIRef:
    """The SKOS concept of a code-list value, e.g. concept('fn', 'ai-verification')."""
    return DW[f"{prefix}-{value}"]


__all__ = ["DEFAULT_BASE", "IRIs", "concept", "default_base", "slugify"]
