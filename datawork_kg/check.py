"""Contributor validation (``datawork validate``): check case files or CSV files without building.

:func:`check_files` loads the files (every load check: schema, references, codes), then validates
each against the SHACL shapes with the ontology's type closure, as the build does, and returns
what it found. A CSV file refers to its study's case file: the case files given with it, or else
the bundled evidence, are loaded as its context, and only what the CSV file states is reported.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .build import context_of, evidence_files, resolve_engine, validate_graph
from .iris import IRIs
from .loaders import LoadedGraph, load_paths
from .ontology import ontology_graph
from .validation import Violation, load_shapes

CASE_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass
class FileCheck:
    """What :func:`check_files` found: the files checked and their SHACL violations (each naming its file)."""

    loaded: list[LoadedGraph]
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def files(self) -> list[str]:
        return [lg.source for lg in self.loaded]


def _context_files(paths: list[Path]) -> list[Path]:
    """The case files CSV files are checked with: none if a case file is given, else the bundled ones."""
    if not any(p.suffix.lower() == ".csv" for p in paths):
        return []
    if any(p.suffix.lower() in CASE_FILE_SUFFIXES for p in paths):
        return []
    given = {p.resolve() for p in paths}
    return [p for p in evidence_files() if p.suffix.lower() in CASE_FILE_SUFFIXES and p.resolve() not in given]


def check_files(files: Iterable[Path | str], *, base: str | None = None, engine: str = "auto") -> FileCheck:
    """Load and validate ``files``; raises :class:`~datawork_kg.errors.InputError` if one cannot be loaded."""
    paths = [Path(f) for f in files]
    loaded = load_paths(paths + _context_files(paths), IRIs(base))
    given = [lg for lg in loaded if Path(lg.source) in paths or lg.source in map(str, paths)]
    engine = resolve_engine(engine)
    onto, shapes = ontology_graph(), load_shapes()
    violations = []
    for lg in given:  # a CSV file is checked together with its study's case file
        for v in validate_graph(lg, onto, shapes, engine, context_of(lg, loaded)):
            violations.append(dataclasses.replace(v, source_file=lg.source))
    return FileCheck(given, violations)


__all__ = ["FileCheck", "check_files"]
