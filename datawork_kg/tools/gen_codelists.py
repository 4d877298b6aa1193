"""Generate ``shapes/codelists.ttl``: the code-list property shapes of the SHACL shapes.

Two sources, one output:

* every ``enum`` of the case-file JSON schema (``datawork_kg/schemas/case-file.schema.json``)
  becomes a property shape whose ``sh:in`` lists the SKOS concepts ``dw:{prefix}-{value}`` the
  loaders write (see the code-list table of ``docs/data-model.md``);
* ISO 4217 currency codes and ISO 3166-1 alpha-2 country codes come from pycountry, the same
  package the loaders check codes with.

The hand-written ``shapes/datawork-shapes.ttl`` attaches these shapes to its node shapes
(``sh:property dws:code-unitBasis``). Never edit the output by hand: change this script or the
schema and run::

    python -m datawork_kg.tools.gen_codelists            # rewrite shapes/codelists.ttl
    python -m datawork_kg.tools.gen_codelists --check    # exit 1 when the file is stale

``tests/test_shapes.py`` regenerates the file and fails on any difference.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Iterator

import pycountry

from ..resources import schema_path, shapes_dir

OUTPUT_NAME = "codelists.ttl"


@dataclass(frozen=True)
class CodeList:
    """One property whose values come from a code list of the case-file schema."""

    path: str  # local name of the dw: property
    prefix: str | None  # concept prefix, dw:{prefix}-{value}; None: the values are plain strings
    pointers: tuple[str, ...]  # schema locations of the enum (all must hold the same values)
    field: str  # where the value is written in a case file, for the message
    label: str  # what the list is, for rdfs:label


# One entry per dw: property. Keep in step with the code-list table of docs/data-model.md.
CODE_LISTS: tuple[CodeList, ...] = (
    CodeList("authorship", "authorship", ("$defs/study/properties/authorship",
                                          "$defs/study/properties/parts/items/properties/authorship"),
             "`authorship:` of the study (or of one of its `parts:`)", "authorship"),
    CodeList("yearStatus", "authorship", ("$defs/study/properties/year_status",),
             "`year_status:` of the study", "status of the publication year"),
    CodeList("studyKind", None, ("$defs/study/properties/kind",),
             "`kind:` of the study", "kind of study"),
    CodeList("methodKind", "method", ("$defs/method/properties/kind",),
             "`kind:` of a method", "kind of method"),
    CodeList("methodMode", "mode", ("$defs/method/properties/mode",),
             "`mode:` of a method", "mode of a method"),
    CodeList("organisationalForm", "form", ("$defs/form",),
             "`form:` of an organisation", "organisational form"),
    CodeList("form", "form", ("$defs/form",),
             "`form:` of an entry of an organisation's `form_history:`", "organisational form of a period"),
    CodeList("hasRole", "role", ("$defs/role",),
             "`roles:` of an organisation", "party role"),
    CodeList("gender", "gender", ("$defs/worker/properties/gender",),
             "`gender:` of a worker", "gender"),
    CodeList("employmentStatus", "status", ("$defs/worker/properties/status",),
             "`status:` of a worker", "employment status"),
    CodeList("workerType", "wtype", ("$defs/worker/properties/worker_type",),
             "`worker_type:` of a worker", "worker type"),
    CodeList("dependence", "dep", ("$defs/worker/properties/dependence",),
             "`dependence:` of a worker", "dependence on the work"),
    CodeList("taskFunction", "fn", ("$defs/task/properties/function",),
             "`function:` of a task", "AI function of a task"),
    CodeList("functionAttribution", "attr", ("$defs/task/properties/function_source",),
             "`function_source:` of a task", "attribution of a task's function"),
    CodeList("workKind", "work", ("$defs/work_kind",),
             "`work_kinds:` of a task", "kind of work"),
    CodeList("flowKind", "flow", ("$defs/tie/properties/flow",),
             "`flow:` of a tie", "what flows along a tie"),
    CodeList("embeddedness", "embed", ("$defs/tie/properties/embeddedness",),
             "`embeddedness:` of a tie", "embeddedness of a tie"),
    CodeList("tieDirection", "dir", ("$defs/tie/properties/direction",),
             "`direction:` of a tie", "direction of a tie"),
    CodeList("contractForm", "contract", ("$defs/tie/properties/form",),
             "`form:` of a tie", "contract form of a tie"),
    CodeList("geographicMode", "geo", ("$defs/tie/properties/geography", "$defs/chain/properties/geography"),
             "`geography:` of a tie or chain", "geographic mode"),
    CodeList("valueChainPattern", "pattern", ("$defs/pattern",),
             "`patterns:` of a tie or chain", "value-chain pattern"),
    CodeList("remunerationKind", "paykind", ("$defs/pay/properties/kind",),
             "`kind:` of a pay item", "kind of remuneration"),
    CodeList("unitBasis", "unit", ("$defs/unit",),
             "`unit:` of a pay item", "unit a sum is paid per"),
    CodeList("figureUnit", "figunit", ("$defs/figure/properties/unit",),
             "`unit:` of a figure", "unit of a figure"),
    CodeList("qualifier", "qualifier", ("$defs/figure/properties/qualifier", "$defs/pay/properties/qualifier"),
             "`qualifier:` of a figure or a pay item", "qualifier of a figure or sum"),
    CodeList("payBasis", "basis", ("$defs/pay/properties/basis",),
             "`basis:` of a pay item", "gross or take-home pay"),
    CodeList("mechanism", "mech", ("$defs/exclusion/properties/mechanism",),
             "`mechanism:` of an exclusion", "exclusion mechanism"),
    CodeList("excludedFrom", "excl", ("$defs/exclusion/properties/excluded_from/items",),
             "`excluded_from:` of an exclusion", "what workers are excluded from"),
    CodeList("legalActionKind", "legal", ("$defs/legal_action/properties/kind",),
             "`kind:` of a legal action", "kind of legal action"),
    CodeList("findingKind", "fkind", ("$defs/finding/properties/kind",),
             "`kind:` of a finding", "kind of finding"),
    CodeList("account", "account", ("$defs/finding/properties/account", "$defs/pay/properties/account"),
             "`account:` of a finding or a pay item", "whose account a finding or sum gives"),
)

# Enums the loaders turn into an rdf:type rather than a property value: the class is the code.
AS_CLASSES: dict[str, str] = {
    "$defs/organisation/properties/kind": "organisation `kind:` -> dw:LeadFirm, dw:Platform, ... (the shapes target each class)",
    "$defs/worker/properties/kind": "worker `kind:` -> dw:Worker or dw:WorkerGroup",
}


class StaleSchemaMapping(Exception):
    """The schema has an enum this script does not know, or one it knows has gone."""


def schema_enums(schema: dict) -> dict[str, list[Any]]:
    """Every ``enum`` of the schema, keyed by its JSON pointer (without the leading '#/')."""
    found: dict[str, list[Any]] = {}

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, dict):
            if "enum" in node:
                found["/".join(path)] = list(node["enum"])
            for key, value in node.items():
                walk(value, path + [key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, path + [str(i)])

    walk(schema, [])
    return found


def _values(enums: dict[str, list[Any]], cl: CodeList) -> list[str]:
    lists = []
    for pointer in cl.pointers:
        if pointer not in enums:
            raise StaleSchemaMapping(f"dw:{cl.path}: the schema has no enum at {pointer}; update CODE_LISTS")
        lists.append(enums[pointer])
    if any(values != lists[0] for values in lists[1:]):
        raise StaleSchemaMapping(f"dw:{cl.path}: the enums at {', '.join(cl.pointers)} differ; give each its own entry")
    return [str(v) for v in lists[0]]


def check_coverage(enums: dict[str, list[Any]]) -> None:
    """Raise when an enum of the schema has no code list (and is not expressed as a class)."""
    covered = {p for cl in CODE_LISTS for p in cl.pointers} | set(AS_CLASSES)
    missing = sorted(set(enums) - covered)
    if missing:
        raise StaleSchemaMapping("enums of the case-file schema without a code list: " + ", ".join(missing)
                                 + " (add them to CODE_LISTS in datawork_kg/tools/gen_codelists.py)")
    gone = sorted(covered - set(enums))
    if gone:
        raise StaleSchemaMapping("CODE_LISTS names enums the schema no longer has: " + ", ".join(gone))


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid Turtle string for our texts


def _wrap(items: list[str], indent: str, width: int = 100) -> Iterator[str]:
    line = indent
    for item in items:
        if len(line) + len(item) + 1 > width and line.strip():
            yield line.rstrip()
            line = indent
        line += item + " "
    if line.strip():
        yield line.rstrip()


def _shape(iri: str, label: str, path: str, values: list[str], message: str, comment: str) -> list[str]:
    out = [f"{iri}", "    a sh:PropertyShape ;", f"    rdfs:label {_lit(label)}@en ;",
           f"    rdfs:comment {_lit(comment)}@en ;", f"    sh:path {path} ;", "    sh:in ("]
    out.extend(_wrap(values, " " * 8))
    out += ["    ) ;", f"    sh:message {_lit(message)}@en .", ""]
    return out


def render(schema: dict | None = None) -> str:
    """The text of ``shapes/codelists.ttl``."""
    if schema is None:
        schema = json.loads(schema_path().read_text(encoding="utf-8"))
    enums = schema_enums(schema)
    check_coverage(enums)
    lines = [
        "# GENERATED by datawork_kg/tools/gen_codelists.py - do not edit by hand.",
        "# Sources: datawork_kg/schemas/case-file.schema.json and pycountry "
        f"{version('pycountry')} (ISO 4217, ISO 3166-1).",
        "# Regenerate: python -m datawork_kg.tools.gen_codelists",
        "",
        "@prefix dw: <https://w3id.org/datawork/ontology#> .",
        "@prefix dws: <https://w3id.org/datawork/shapes#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "",
        "## Code lists of the case-file schema (values are the SKOS concepts dw:{prefix}-{value})",
        "",
    ]
    for cl in CODE_LISTS:
        values = _values(enums, cl)
        if cl.prefix is None:
            members = [_lit(v) for v in values]
        else:
            members = [f"dw:{cl.prefix}-{v}" for v in values]
        shown = ", ".join(values)
        message = (f"Unknown value in {cl.field}. Use one of: {shown}. "
                   "Check the spelling against docs/evidence-format.md.")
        comment = f"Values of dw:{cl.path}, from the case-file schema at {', '.join('#/' + p for p in cl.pointers)}."
        lines += _shape(f"dws:code-{cl.path}", f"code list: {cl.label}", f"dw:{cl.path}", members, message, comment)

    lines += ["## ISO code lists (from pycountry)", ""]
    currencies = sorted(c.alpha_3 for c in pycountry.currencies)
    lines += _shape(
        "dws:code-currencyCode", "code list: ISO 4217 currency codes", "dw:currencyCode",
        [_lit(c) for c in currencies],
        "Unknown currency code. Write `currency:` as an ISO 4217 code in capitals, such as USD, EUR or PHP.",
        f"The {len(currencies)} ISO 4217 codes pycountry knows; the loaders accept the same list.")
    countries = sorted(c.alpha_2 for c in pycountry.countries)
    lines += _shape(
        "dws:code-isoAlpha2", "code list: ISO 3166-1 alpha-2 country codes", "dw:isoAlpha2",
        [_lit(c) for c in countries],
        "Unknown country code. Write `country:`, `countries:` or `nationality:` as ISO 3166-1 alpha-2 "
        "codes in capitals, such as FR, MG or VE.",
        f"The {len(countries)} ISO 3166-1 alpha-2 codes pycountry knows; the loaders accept the same list.")
    return "\n".join(lines).rstrip("\n") + "\n"


def output_path() -> Path:
    return shapes_dir() / OUTPUT_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m datawork_kg.tools.gen_codelists", description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=None, help="where to write (default: shapes/codelists.ttl)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when the file differs")
    args = parser.parse_args(argv)
    target = args.output or output_path()
    try:
        text = render()
    except StaleSchemaMapping as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run python -m datawork_kg.tools.gen_codelists", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
