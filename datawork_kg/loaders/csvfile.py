"""CSV spreadsheets of observations -> RDF.

Much coded evidence lives in spreadsheets. A CSV file adds pay and price figures, samples
(methods) and country or platform figures to a study whose case file is loaded in the same run;
its rows refer to that case file's ids. Columns are documented in ``docs/evidence-format.md``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ..errors import InputError, Problem
from ..iris import IRIs
from ..namespace import DW
from .base import LoadedGraph, register
from .emitter import Emitter
from .schema import is_country, is_currency, schema_validator
from .yamlsafe import read_text

RECORDS = {"pay": "pay", "figure": "figures", "method": "methods"}
REQUIRED = ("study", "record", "id", "section")
COLUMNS = (
    "study", "record", "id", "section", "note",
    # pay
    "kind", "payer", "payee", "tie", "task", "amount", "min", "max", "currency", "unit", "approximate",
    "year", "start", "end", "hours_per_unit_min", "hours_per_unit_max", "units_per_hour", "hours_per_week",
    # figure
    "about", "indicator", "value", "figure_unit", "qualifier", "country", "cited_source",
    # method
    "method_kind", "mode", "sample_size", "population", "countries", "method",
)
# a plain decimal number: what a number cell holds (no nan, inf, hexadecimal or thousands separators)
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?"
NUMBER = re.compile(rf"^[-+]?(?:{_NUMBER})$")
# what a spreadsheet would run as a formula: a cell starting with =, +, @, a tab or a carriage return, or
# with '-' unless the whole cell is a negative number ('-2+3+cmd|...' is a formula)
FORMULA = re.compile(rf"^[=+@\t\r]|^-(?!(?:{_NUMBER})$)")
MAX_CELL = 100_000
MAX_DIGITS = 100
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _spec(record: str) -> dict:
    schema = schema_validator().schema
    sub = dict(schema["$defs"][{"pay": "pay", "figures": "figure", "methods": "method"}[record]])
    sub["$defs"] = schema["$defs"]
    return sub


class CSVLoader:
    """Loads one CSV file of observations."""

    suffixes = (".csv",)

    def load(self, path: Path, iris: IRIs, *, display: str | None = None,
             context: dict | None = None) -> LoadedGraph:
        display = display or str(path)
        text = read_text(path, display)
        rows, problems = self.parse(text, display, context)
        if problems:
            raise InputError(problems)
        studies = {r["_study"] for r in rows}
        if len(studies) != 1:
            raise InputError([Problem(display, 2, "study", "a CSV file must hold the rows of one study",
                                      "split it into one file per study")])
        study_id = studies.pop()
        ctx = (context or {}).get("studies", {}).get(study_id)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        emitter = Emitter({"study": {"id": study_id, "title": f"{path.name} (observations for study {study_id})",
                                     "sections": {}}}, iris, display, sha)
        for local, kind in ctx["ids"].items():
            emitter.ids[local] = URIRef(ctx["org_iris"][local])
            emitter.kinds[local] = kind
        counts: dict[str, int] = {}
        for row in rows:
            lst = RECORDS[row.pop("_record")]
            row.pop("_study")
            item = row
            iid = item["id"]
            emitter.ids[iid] = iris.item({"pay": "pay", "figures": "figure", "methods": "method"}[lst], study_id, iid)
            getattr(emitter, {"pay": "emit_pay", "figures": "emit_figure", "methods": "emit_method"}[lst])(item)
            counts[lst] = counts.get(lst, 0) + 1
        for code in sorted(emitter.countries):
            c = iris.country(code)
            emitter.add(c, RDF.type, DW.Country)
            emitter.add(c, DW.isoAlpha2, Literal(code))
        for code in sorted(emitter.currencies):
            c = iris.currency(code)
            emitter.add(c, RDF.type, DW.Currency)
            emitter.add(c, DW.currencyCode, Literal(code))
        graph_iri = iris.graph(f"{study_id}-{re.sub(r'[^a-z0-9]+', '-', path.stem.lower()).strip('-')}")
        emitter.study_id = study_id
        emitter.emit_graph_provenance(graph_iri)
        return LoadedGraph(graph_iri, emitter.g, display, study_id, set(emitter.countries), dict(emitter.cities),
                           set(emitter.currencies), {}, counts)

    def parse(self, text: str, display: str, context: dict | None) -> tuple[list[dict], list[Problem]]:
        P: list[Problem] = []
        lines = text.splitlines()
        header_line = lines[0] if lines else ""
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return [], [Problem(display, 1, None, "file is empty", "start from the column list in docs/evidence-format.md")]
        except csv.Error as exc:
            return [], [Problem(display, 1, None, f"the header line cannot be read: {exc}",
                                "write the header as column names separated by commas")]
        header = [h.strip() for h in header]
        if len(header) == 1 and any(d in header_line for d in (";", "\t", "|")):
            delim = next(d for d in (";", "\t", "|") if d in header_line)
            return [], [Problem(display, 1, None, f"the columns are separated by {delim!r}, not by commas",
                                "save the spreadsheet as comma-separated CSV (UTF-8)")]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            import difflib

            for h in unknown:
                guess = difflib.get_close_matches(h, COLUMNS, n=1)
                P.append(Problem(display, 1, h, f"unknown column '{h}'",
                                 f"did you mean '{guess[0]}'?" if guess else "allowed columns: " + ", ".join(COLUMNS)))
        missing = [c for c in REQUIRED if c not in header]
        for c in missing:
            P.append(Problem(display, 1, c, f"required column '{c}' is missing", f"add a column named '{c}'"))
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            P.append(Problem(display, 1, dup, f"column '{dup}' appears twice", "keep one of them"))
        if P:
            return [], P
        studies = (context or {}).get("studies", {})
        rows: list[dict] = []
        seen_ids: dict[str, int] = {}
        for line, cells in self._records(reader, text, header, display, P):
            if not any(c.strip() for c in cells):
                continue  # blank lines are allowed
            if len(cells) != len(header):
                P.append(Problem(display, line, None, f"row has {len(cells)} cells but the header has {len(header)}",
                                 "check for a stray comma or a missing cell; quote cells that contain commas"))
                continue
            too_long = next((h for h, c in zip(header, cells) if len(c) > MAX_CELL), None)
            if too_long:
                P.append(Problem(display, line, too_long, f"cell of {len(cells[header.index(too_long)]):,} characters "
                                 f"is over the limit of {MAX_CELL:,}", "shorten it: a cell holds one value or a short note"))
                continue
            swallowed = next((h for h, c in zip(header, cells)
                              if "\n" in c and any(part.count(",") >= len(header) - 1 for part in c.split("\n")[1:])), None)
            if swallowed:
                P.append(Problem(display, line, swallowed, "a quoted cell runs over several lines and holds what looks "
                                 "like the next row: is its closing quote missing?",
                                 'close the quote at the end of the cell (write a quote inside a cell as "")'))
                continue
            raw = {h: c.strip() for h, c in zip(header, cells) if c.strip() != ""}
            item, row_problems = self._row(raw, display, line, studies, seen_ids)
            P.extend(row_problems)
            if item is not None and not row_problems:
                rows.append(item)
        if not rows and not P:
            P.append(Problem(display, 2, None, "file has a header but no rows", "add at least one observation"))
        return rows, P

    @staticmethod
    def _records(reader, text: str, header: list[str], display: str, P: list[Problem]):
        """``(first line, cells)`` of each record after the header; a quoting error (an unclosed quote, a
        quote not doubled) is a problem at the line its record starts on, and ends the reading (what
        follows it cannot be told apart). Cells may be longer than the csv module's default limit here:
        the caller reports any over :data:`MAX_CELL` with its column."""
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))
        try:
            start = reader.line_num + 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    why = str(exc)
                    if "end of data" in why or "EOF" in why:
                        msg = "a quoted cell is never closed: the rest of the file would be read into it"
                    else:
                        msg = f"a quote in a quoted cell is not doubled, or a closing quote is missing ({why})"
                    P.append(Problem(display, start, _column_at(text, start, header), msg,
                                     'close the quote at the end of the cell; write a quote inside a cell as ""'))
                    return
                yield start, cells
                start = reader.line_num + 1
        finally:
            csv.field_size_limit(limit)

    def _row(self, raw: dict, display: str, line: int, studies: dict, seen_ids: dict) -> tuple[dict | None, list[Problem]]:
        P: list[Problem] = []

        def bad(fld: str | None, msg: str, hint: str | None = None) -> None:
            P.append(Problem(display, line, fld, msg, hint))

        for fld, val in raw.items():
            if FORMULA.match(val):
                bad(fld, f"cell starts with {val[0]!r} and would run as a spreadsheet formula: {val[:40]!r}",
                    "remove the leading character or prefix the text with an apostrophe in your spreadsheet")
        for fld in REQUIRED:
            if fld not in raw:
                bad(fld, f"'{fld}' is empty", f"fill in '{fld}'")
        if P:
            return None, P
        record = raw["record"]
        if record not in RECORDS:
            bad("record", f"unknown record type '{record}'", "use pay, figure or method")
            return None, P
        study = raw["study"]
        ctx = studies.get(study)
        if ctx is None:
            bad("study", f"no case file with study id '{study}' is loaded with this CSV",
                "load the study's case file in the same run (datawork validate CASEFILE.yaml THIS.csv)")
            return None, P
        if raw["id"] in seen_ids or raw["id"] in ctx["ids"]:
            where = f"line {seen_ids[raw['id']]} of this file" if raw["id"] in seen_ids else ctx["file"]
            bad("id", f"duplicate id '{raw['id']}' (also used in {where})", "give each row its own id")
        seen_ids[raw["id"]] = line
        lst = RECORDS[record]
        spec = _spec(lst)
        props = spec["properties"]
        item: dict[str, Any] = {}
        rename = {"figure_unit": "unit", "method_kind": "kind"}
        for fld, val in raw.items():
            if fld in ("study", "record"):
                continue
            key = rename.get(fld, fld)
            if record != "pay" and fld == "kind":
                bad(fld, "'kind' is for pay rows", "use method_kind for methods")
                continue
            if record == "pay" and fld in ("figure_unit", "method_kind"):
                bad(fld, f"'{fld}' is not used on pay rows")
                continue
            if key not in props:
                bad(fld, f"column '{fld}' does not apply to {record} rows", "leave it empty on this row")
                continue
            item[key] = self._convert(val, props[key], fld, bad)
        if P:
            return None, P
        if record == "figure" and "unit" not in item and "value" in item:
            pass
        validator = jsonschema.Draft202012Validator(spec)
        for err in validator.iter_errors(item):
            path = list(err.absolute_path)
            fld = str(path[0]) if path else None
            fld = {"unit": "figure_unit" if record == "figure" else "unit",
                   "kind": "method_kind" if record == "method" else "kind"}.get(fld, fld)
            if err.validator == "required":
                missing = err.message.split("'")[1]
                bad(missing, f"required column '{missing}' is empty on this {record} row", f"fill in '{missing}'")
            elif err.validator == "enum":
                bad(fld, f"unknown value {err.instance!r}", "allowed: " + ", ".join(map(str, err.validator_value)))
            else:
                bad(fld, err.message[:200], "see the column list in docs/evidence-format.md")
        if P:
            return None, P
        ids = ctx["ids"]
        parties = {k for k, v in ids.items() if v in ("workers", "organisations", "unknown_parties")}
        for fld in ("payer", "payee"):
            if fld in item and item[fld] != "unknown" and item[fld] not in parties:
                bad(fld, f"reference to nothing: no party '{item[fld]}' in study '{study}'", "use an organisation or worker id of the case file")
        ends = (ctx.get("tie_ends") or {}).get(item.get("tie"))
        for fld in ("payer", "payee"):
            if ends and fld in item and item[fld] in parties and item[fld] not in ends and "unknown" not in ends:
                bad(fld, f"{fld} '{item[fld]}' is not a party of tie '{item['tie']}' ({ends[0]} -> {ends[1]})",
                    f"use '{ends[0]}' or '{ends[1]}', or the tie between the row's payer and payee")
        for fld, kind in (("tie", "ties"), ("task", "tasks"), ("method", "methods")):
            if fld in item and ids.get(item[fld]) != kind:
                bad(fld, f"reference to nothing: no {kind[:-1]} '{item[fld]}' in study '{study}'", f"use a {kind[:-1]} id of the case file")
        if "about" in item and not (ids.get(item["about"]) == "organisations" or is_country(item["about"])):
            bad("about", f"'{item['about']}' is neither a country code nor an organisation of study '{study}'",
                "use an ISO 3166-1 alpha-2 code or an organisation id")
        for fld in ("currency",):
            if fld in item and not is_currency(item[fld]) and not (record == "pay" and item[fld] == "not-stated"):
                bad(fld, f"unknown currency code '{item[fld]}'", "use an ISO 4217 code such as USD, EUR, PHP")
        for fld in ("country",):
            if fld in item and not is_country(item[fld]):
                bad(fld, f"unknown country code '{item[fld]}'", "use an ISO 3166-1 alpha-2 code")
        for j, c in enumerate(item.get("countries", []) or []):
            if not is_country(c):
                bad("countries", f"unknown country code '{c}'", "use ISO 3166-1 alpha-2 codes separated by ';'")
        if "min" in item and "max" in item and isinstance(item["min"], (int, float)) and isinstance(item["max"], (int, float)) and item["min"] > item["max"]:
            bad("min", f"min {item['min']} is larger than max {item['max']}", "swap min and max")
        if record == "pay" and not any(k in item for k in ("amount", "min", "max")):
            bad("amount", "pay row has no amount", "fill in amount, or min and max")
        if record == "pay" and "amount" in item and ("min" in item or "max" in item):
            bad("amount", "give either amount or min/max, not both")
        for fld in ("amount", "min", "max"):
            if record == "pay" and isinstance(item.get(fld), (int, float)) and item[fld] > 1e9:
                bad(fld, f"amount {item[fld]:,} is absurd for one observation", "check the number and its unit")
        if "section" in item:
            sections = ctx.get("sections", set())
            if sections and item["section"] not in sections:
                bad("section", f"section '{item['section']}' is not declared in the case file of '{study}'", "use one of: " + ", ".join(sorted(sections)))
        if P:
            return None, P
        item["_study"], item["_record"] = study, record
        return item, P

    @staticmethod
    def _convert(val: str, spec: dict, fld: str, bad) -> Any:
        kind = spec.get("type")
        ref = spec.get("$ref", "")
        if ref.endswith(("/amount", "/year")):
            kind = "number" if ref.endswith("amount") else "integer"
        if ref.endswith(("/countries", "/refs")) or kind == "array":
            return [v.strip() for v in val.split(";") if v.strip()]
        if kind in ("number", "integer"):
            if THOUSANDS.match(val):
                bad(fld, f"number {val!r} has thousands separators", f"write it as {val.replace(',', '')}")
                return val
            if not NUMBER.match(val):
                bad(fld, f"{val!r} is not a number", "write a plain number with a dot for decimals, e.g. 1500.5")
                return val
            digits = sum(c.isdigit() for c in val)
            num = float(val)
            if digits > MAX_DIGITS or not math.isfinite(num):
                bad(fld, f"{val[:40]!r} is too large a number" if digits <= MAX_DIGITS
                    else f"number with {digits:,} digits is too long (at most {MAX_DIGITS})",
                    "check the number against the paper")
                return val
            if kind == "integer":
                if num != int(num):
                    bad(fld, f"{val!r} is not a whole number")
                return int(num)
            return int(num) if num == int(num) and "." not in val else num
        if kind == "boolean":
            if val.lower() in ("true", "yes", "1"):
                return True
            if val.lower() in ("false", "no", "0"):
                return False
            bad(fld, f"{val!r} is not true or false")
            return val
        return val


def _column_at(text: str, line: int, header: list[str]) -> str | None:
    """The column of the last cell that starts on ``line``: where a quote opened and was never closed."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    cells = next(csv.reader([lines[line - 1]]), [])
    return header[len(cells) - 1] if 0 < len(cells) <= len(header) else None


register("csv", CSVLoader)

__all__ = ["CSVLoader", "COLUMNS"]
