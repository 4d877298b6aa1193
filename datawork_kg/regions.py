"""Regions: the UN M49 regions and sub-regions, the World Bank regions and the groupings sources use.

A case file may place a party, a task, a figure or an unknown tie end in a region (``regions:``) instead
of, or besides, countries. The regions and their member countries come from two files of the
reference snapshot (provenance in ``datawork_kg/reference/SOURCES.md``):

- ``regions.csv``: ``code, scheme, m49, label, wikidata, broader, side``. ``scheme`` is ``m49``,
  ``world-bank`` or ``grouping``; ``side`` is set only for the Global North and Global South, whose
  membership is the project's income convention (``docs/north-south.md``) rather than a list.
- ``region-members.csv``: ``region, country, from, until``: a member country, with the first and last
  year of membership where it changed (the EU); empty years mean "throughout".

Each region is the SKOS concept ``dw:region-{code}``; a World Bank region ``wb-xxx`` is the existing
concept ``dw:wbregion-XXX``.
"""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field

from rdflib import URIRef

from .namespace import DW
from .resources import reference_dir

REGION_FIELDS = ["code", "scheme", "m49", "label", "wikidata", "broader", "side"]
MEMBER_FIELDS = ["region", "country", "from", "until"]


@dataclass(frozen=True)
class Membership:
    country: str
    start: int | None = None  # first year of membership
    end: int | None = None  # last year of membership

    def holds_in(self, year: int | None) -> bool:
        """Whether the country is a member in ``year`` (any year when ``year`` is None)."""
        if year is None:
            return True
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class Region:
    code: str
    scheme: str
    label: str
    m49: str = ""
    wikidata: str = ""
    broader: str = ""
    side: str = ""  # "North" / "South" for the Global North / South
    members: tuple[Membership, ...] = field(default=())

    def countries(self, year: int | None = None) -> set[str]:
        """Member countries in ``year`` (ever, when ``year`` is None)."""
        return {m.country for m in self.members if m.holds_in(year)}

    @property
    def iri(self) -> URIRef:
        return region_iri(self.code)


def region_iri(code: str) -> URIRef:
    """``dw:region-{code}``; a World Bank region ``wb-lcn`` is ``dw:wbregion-LCN``."""
    if code.startswith("wb-"):
        return DW[f"wbregion-{code[3:].upper()}"]
    return DW[f"region-{code}"]


def _rows(name: str, fields: list[str]) -> list[dict[str, str]]:
    text = (reference_dir() / name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != fields:
        raise ValueError(f"{name}: unexpected columns {reader.fieldnames}, expected {fields}")
    return list(reader)


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Every region of the snapshot, by code."""
    members: dict[str, list[Membership]] = {}
    for r in _rows("region-members.csv", MEMBER_FIELDS):
        members.setdefault(r["region"], []).append(
            Membership(r["country"], int(r["from"]) if r["from"] else None, int(r["until"]) if r["until"] else None))
    out = {}
    for r in _rows("regions.csv", REGION_FIELDS):
        out[r["code"]] = Region(r["code"], r["scheme"], r["label"], r["m49"], r["wikidata"], r["broader"], r["side"],
                                tuple(sorted(members.get(r["code"], []), key=lambda m: m.country)))
    return out


def region(code: str) -> Region | None:
    return regions().get(code)


__all__ = ["Membership", "Region", "region", "region_iri", "regions"]
