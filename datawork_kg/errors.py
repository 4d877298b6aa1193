"""Errors of datawork-kg: one base class, each error knows where it happened.

The command line prints ``str(error)`` without a traceback (unless ``--debug``) and exits with
:attr:`DataworkError.exit_code`.
"""
from __future__ import annotations

from dataclasses import dataclass


class DataworkError(Exception):
    """Base class of every error datawork-kg raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self.__str__())

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file) + (f":{self.line}" if self.line else ""))
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:  # pragma: no cover - trivial
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return {"error": type(self).__name__, "message": self.message, "file": self.file,
                "line": self.line, "field": self.field, "hint": self.hint}


@dataclass
class Problem:
    """One problem found in an input file."""

    file: str
    line: int | None
    field: str | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        if self.field:
            where += f": field '{self.field}'"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


class InputError(DataworkError):
    """One or more problems in an input file (case file, CSV, RDF)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field, hint=first.hint)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in input:"
        return "\n".join([head] + ["  " + line for line in lines])


class ValidationFailed(DataworkError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1

    def __init__(self, message: str, report=None) -> None:
        self.report = report
        super().__init__(message)


class ReasonerError(DataworkError):
    """The ontology is inconsistent, has unsatisfiable classes, or the reasoner failed."""

    exit_code = 1


class QueryError(DataworkError):
    """A library query is missing, malformed, or got bad parameters."""


class StoreError(DataworkError):
    """The store or the output directory cannot be read or written."""


class LinkError(DataworkError):
    """Reference data could not be fetched or parsed."""


__all__ = ["DataworkError", "Problem", "InputError", "ValidationFailed", "ReasonerError",
           "QueryError", "StoreError", "LinkError"]
