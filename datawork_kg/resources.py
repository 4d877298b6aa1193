"""Where the bundled ontology, shapes, queries and evidence live.

In a source checkout they are the top-level folders of the repository; in an installed wheel
they are copied into ``datawork_kg/_data/`` (see ``pyproject.toml``).
"""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = _PKG.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cannot find the bundled '{name}' folder (looked in {packaged} and {checkout})")


def ontology_dir() -> Path:
    return _find("ontology")


def shapes_dir() -> Path:
    return _find("shapes")


def queries_dir() -> Path:
    return _find("queries")


def evidence_dir() -> Path:
    return _find("evidence")


def schema_path() -> Path:
    return _PKG / "schemas" / "case-file.schema.json"


def reference_dir() -> Path:
    return _PKG / "reference"


__all__ = ["ontology_dir", "shapes_dir", "queries_dir", "evidence_dir", "schema_path", "reference_dir"]
