"""YAML case files -> RDF (one named graph per study).

The format is documented in ``docs/evidence-format.md`` and ``datawork_kg/schemas/case-file.schema.json``;
the mapping to RDF in ``docs/data-model.md``.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..errors import InputError, Problem
from ..iris import IRIs, concept, slugify
from ..namespace import DW, SCHEMA
from ..resources import schema_path
from .base import LoadedGraph, register
from .yamlsafe import Located, field_name, load_yaml

SOFTWARE = "datawork-kg"


class _Terms:
    """A namespace whose terms are made once: ``DW.Task`` is the same URIRef on every use (rdflib's
    namespaces build a new URIRef, and check it, on each attribute access: a tenth of loading time)."""

    def __init__(self, ns) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._ns, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._ns[name]


DW, SCHEMA, RDF, RDFS, SKOS, DCTERMS, PROV, XSD = map(_Terms, (DW, SCHEMA, RDF, RDFS, SKOS, DCTERMS, PROV, XSD))

ORG_CLASSES = {
    "lead-firm": "LeadFirm", "client": "Client", "platform": "Platform", "data-company": "DataCompany",
    "bpo": "BPO", "intermediary": "Intermediary", "financial-intermediary": "FinancialIntermediary",
    "firm": "Firm", "project": "AIProject", "worker-community": "WorkerCommunity", "worker-tool": "WorkerTool",
    "public-body": "PublicBody", "ai-product": "AIProduct", "group-of-firms": "GroupOfFirms",
}
NON_PARTY_KINDS = {"worker-tool", "ai-product"}
ITEM_LISTS = ("methods", "organisations", "workers", "tasks", "ties", "chains", "pay", "figures",
              "exclusions", "legal_actions", "findings")
IRI_KIND = {"methods": "method", "workers": "worker", "tasks": "task", "ties": "tie", "chains": "chain",
            "pay": "pay", "figures": "figure", "exclusions": "exclusion", "legal_actions": "legal-action",
            "findings": "finding", "organisations": "organisation"}
CURRENT_YEAR = _dt.date.today().year


@functools.lru_cache(maxsize=1)
def _schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=1)
def _fast_schema_check():
    """The case-file schema compiled to Python by fastjsonschema (about 20x faster than jsonschema).

    It only answers "valid or not": a file it passes has no schema problem, and a file it fails is
    checked again by jsonschema, whose errors give the messages (line, field, hint). The schema uses
    only keywords both read alike (type, enum, const, pattern, items, properties, required,
    additionalProperties, minimum/maximum, oneOf, $ref to $defs); fastjsonschema also checks
    ``format``, which jsonschema does not, so it may fail a file that jsonschema then passes, never
    the other way round (``tests/test_loaders.py`` checks both on every bad input).
    """
    import fastjsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # the newest draft fastjsonschema knows
    return fastjsonschema.compile(schema)


def schema_valid_fast(data: Any) -> bool:
    """Whether fastjsonschema finds ``data`` valid against the case-file schema."""
    import fastjsonschema

    try:
        _fast_schema_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@functools.lru_cache(maxsize=None)
def is_country(code: str) -> bool:
    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@functools.lru_cache(maxsize=None)
def is_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None


def _dec(value: Any) -> Literal:
    """An xsd:decimal in canonical form ("7.5", "6", not "7.50", "6.0"): the form the store keeps, so the
    dumps written from the loaded text hold the very literals the store and the endpoint give."""
    text = format(Decimal(str(value)).normalize(), "f")
    return Literal("0" if text in ("-0", "0") else text, datatype=XSD.decimal)


def _int(value: Any) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def _en(text: str) -> Literal:
    return Literal(str(text).strip(), lang="en")


def _str(text: Any) -> Literal:
    return Literal(str(text))


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class CaseFileLoader:
    """Loads one YAML case file."""

    suffixes = (".yaml", ".yml")

    # ----------------------------------------------------------------- checks
    def check(self, doc: Located) -> list[Problem]:
        """All problems of a parsed case file, in file order."""
        problems: list[Problem] = []
        data = doc.data
        if not isinstance(data, dict):
            return [Problem(doc.path, 1, None, "a case file must be a YAML mapping with 'format' and 'study'",
                            "start from the worked example in docs/evidence-format.md")]
        if schema_valid_fast(data):  # the fast check passes most files; only failures get the full report
            problems.extend(self._semantic_problems(doc))
            return _dedupe(problems)
        errors = list(_schema_validator().iter_errors(data))
        problems = [self._schema_problem(doc, err) for err in errors]
        # Every problem in one run: the cross-references are checked too, on a copy in which each value
        # the schema refused is blanked (None). An item with a required field missing, or not a mapping,
        # is reported for that alone: its own cross-references wait for the fix.
        usable, skip = _blank_schema_errors(data, errors)
        if not isinstance(usable.get("study"), dict) or not isinstance(usable["study"].get("sections"), dict):
            return _dedupe(problems)
        semantic: list[Problem] = []
        try:
            self._semantic_problems(Located(usable, doc.lines, doc.path), semantic)
        except (KeyError, TypeError, AttributeError, ValueError):
            pass  # a shape the schema refused and the checks cannot read: its schema problem is reported
        blocked = {field_name(path) for path in skip}
        blocked |= {field_name(tuple(e.absolute_path)) for e in errors
                    if e.validator not in ("required", "additionalProperties") and e.absolute_path}
        misspelt = [k for e in errors if e.validator == "additionalProperties" and not e.absolute_path
                    for k in e.instance if k not in e.schema.get("properties", {})]
        if any(difflib.get_close_matches(str(k), ITEM_LISTS, n=1) for k in misspelt):
            # a list under a misspelt name: references to its items wait until the name is fixed
            semantic = [p for p in semantic if not p.message.startswith("reference to nothing")]
        problems.extend(p for p in semantic
                        if not any(p.field and (p.field == b or p.field.startswith(b + ".") or p.field.startswith(b + "["))
                                   for b in blocked))
        return _dedupe(problems)

    def _schema_problem(self, doc: Located, err: jsonschema.ValidationError) -> Problem:
        path = tuple(err.absolute_path)
        line = doc.line(path)
        fld = field_name(path)
        v = err.validator
        if v == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            extra = [k for k in (err.instance or {}) if k not in allowed]
            key = extra[0] if extra else "?"
            line = doc.line(path + (key,))
            guess = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"allowed fields: {', '.join(allowed)}"
            return Problem(doc.path, line, field_name(path + (key,)), f"unknown field '{key}'", hint)
        if v == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            return Problem(doc.path, line, field_name(path + (missing,)), f"required field '{missing}' is missing",
                           f"add '{missing}:' to this item")
        if v == "enum":
            allowed = err.validator_value
            guess = difflib.get_close_matches(str(err.instance), [str(a) for a in allowed], n=1)
            hint = (f"did you mean '{guess[0]}'? " if guess else "") + "allowed: " + ", ".join(map(str, allowed))
            return Problem(doc.path, line, fld, f"unknown value '{err.instance}'", hint)
        if v == "type":
            return Problem(doc.path, line, fld, f"wrong type: {err.instance!r} is not {_article(err.validator_value)}",
                           "write the value as " + _article(err.validator_value))
        if v == "pattern":
            return Problem(doc.path, line, fld, f"badly formed value {err.instance!r}",
                           err.schema.get("description") or f"it must match {err.validator_value}")
        if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return Problem(doc.path, line, fld, f"value {err.instance!r} is out of range ({v} {err.validator_value})",
                           "check the number against the paper")
        if v == "const":
            return Problem(doc.path, line, fld, f"must be {err.validator_value!r}", f"write {fld}: {err.validator_value}")
        if v == "minItems":
            return Problem(doc.path, line, fld, "list is empty", "give at least one value or remove the field")
        if v == "oneOf":
            return Problem(doc.path, line, fld, f"value {err.instance!r} has the wrong form",
                           err.schema.get("description") or "see docs/evidence-format.md")
        return Problem(doc.path, line, fld, err.message[:300])

    def _semantic_problems(self, doc: Located, P: list[Problem] | None = None) -> list[Problem]:
        """The cross-reference and consistency problems of a file, appended to ``P`` as they are found."""
        data = doc.data
        P = [] if P is None else P

        def add(path: tuple, message: str, hint: str | None = None) -> None:
            P.append(Problem(doc.path, doc.line(path), field_name(path), message, hint))

        study = data["study"]
        sections = study.get("sections", {})
        # ids: unique across the whole file
        kinds: dict[str, str] = {}
        where: dict[str, tuple] = {}
        for lst in ITEM_LISTS:
            for i, item in enumerate(data.get(lst, []) or []):
                iid = item["id"]
                if iid in kinds:
                    add((lst, i, "id"), f"duplicate id '{iid}' (also used at line {doc.line(where[iid])})",
                        "give each item its own id")
                    continue
                kinds[iid] = lst
                where[iid] = (lst, i, "id")
        orgs = {o["id"]: o for o in data.get("organisations", []) or []}
        parties = {i for i, k in kinds.items() if k == "workers"} | {
            i for i, o in orgs.items() if o["kind"] not in NON_PARTY_KINDS}

        def ref(path: tuple, value: str, allowed: Iterable[str], what: str, unknown_ok: bool = False,
                country_ok: bool = False) -> None:
            if unknown_ok and value == "unknown":
                return
            if country_ok and isinstance(value, str) and len(value) == 2 and value.isupper():
                if not is_country(value):
                    add(path, f"unknown country code '{value}'", "use an ISO 3166-1 alpha-2 code such as FR, MG, VE")
                return
            allowed = allowed if isinstance(allowed, (set, frozenset, dict)) else set(allowed)
            if value not in allowed:
                if value in kinds:
                    add(path, f"'{value}' is a {kinds[value][:-1] if kinds[value].endswith('s') else kinds[value]}, not {what}",
                        f"point to {what}")
                else:
                    guess = difflib.get_close_matches(str(value), list(allowed), n=1)
                    bare = what.split(" ", 1)[1] if what.startswith(("a ", "an ")) else what
                    add(path, f"reference to nothing: no {bare} with id '{value}' in this file",
                        f"did you mean '{guess[0]}'?" if guess else f"add {what} with id '{value}' or fix the id")

        by_list: dict[str, set[str]] = {}
        for i, k in kinds.items():
            by_list.setdefault(k, set()).add(i)

        def ids_of(lst: str) -> set[str]:
            return by_list.get(lst, set())

        # sections and methods on every item
        for lst in ITEM_LISTS:
            for i, item in enumerate(data.get(lst, []) or []):
                for key in _as_list(item.get("section")):
                    if key not in sections:
                        add((lst, i, "section"), f"section '{key}' is not declared under study.sections",
                            "declare it there with the paper's heading, or fix the key")
                if "method" in item:
                    ref((lst, i, "method"), item["method"], ids_of("methods"), "a method")
                self._check_codes(item, (lst, i), add)
                for fld in ("start", "fieldwork_start"):
                    pass
                if isinstance(item.get("start"), int) and isinstance(item.get("end"), int) and item["start"] > item["end"]:
                    add((lst, i, "start"), f"start year {item['start']} is after end year {item['end']}", "swap them")
                for fld in ("year", "start", "end", "founded"):
                    if isinstance(item.get(fld), int) and item[fld] > CURRENT_YEAR + 1:
                        add((lst, i, fld), f"year {item[fld]} is in the future", "check the year against the paper")
        fs, fe = study.get("fieldwork_start"), study.get("fieldwork_end")
        if isinstance(fs, int) and isinstance(fe, int) and fs > fe:
            add(("study", "fieldwork_start"), f"fieldwork_start {fs} is after fieldwork_end {fe}", "swap them")
        for k in ("year", "fieldwork_start", "fieldwork_end"):
            if isinstance(study.get(k), int) and study[k] > CURRENT_YEAR + 1:
                add(("study", k), f"year {study[k]} is in the future", "check the year")
        if not sections:
            add(("study", "sections"), "no sections declared", "map section keys to the paper's headings")

        for i, m in enumerate(data.get("methods", []) or []):
            for j, p in enumerate(m.get("platforms", []) or []):
                ref(("methods", i, "platforms", j), p, orgs, "an organisation")
            if "part_of" in m:
                ref(("methods", i, "part_of"), m["part_of"], ids_of("methods"), "a method")
            if "sample_size" in m and "sample_size_min" in m and m["sample_size_min"] > m["sample_size"]:
                add(("methods", i, "sample_size_min"), "sample_size_min is larger than sample_size", "check both numbers")
            if m.get("start_date") and m.get("end_date") and str(m["start_date"]) > str(m["end_date"]):
                add(("methods", i, "start_date"), "start_date is after end_date", "swap them")
        for i, o in enumerate(data.get("organisations", []) or []):
            for fld in ("part_of", "renamed_to", "merged_into"):
                if fld in o:
                    ref(("organisations", i, fld), o[fld], orgs, "an organisation")
                    if o[fld] == o["id"]:
                        add(("organisations", i, fld), f"organisation '{o['id']}' points to itself", "point to another organisation")
            for j, fp in enumerate(o.get("form_history", []) or []):
                if isinstance(fp.get("from"), int) and isinstance(fp.get("until"), int) and fp["from"] > fp["until"]:
                    add(("organisations", i, "form_history", j, "from"), "'from' year is after 'until' year", "swap them")
                for key in _as_list(fp.get("section")):
                    if key not in sections:
                        add(("organisations", i, "form_history", j, "section"), f"section '{key}' is not declared under study.sections")
        for i, w in enumerate(data.get("workers", []) or []):
            for fld in ("platforms", "employers"):
                for j, p in enumerate(w.get(fld, []) or []):
                    ref(("workers", i, fld, j), p, orgs, "an organisation")
            for j, p in enumerate(w.get("member_of", []) or []):
                ref(("workers", i, "member_of", j), p, parties | set(orgs), "a group or community")
            lo, hi = w.get("count_min"), w.get("count_max")
            if lo is not None and hi is not None and lo > hi:
                add(("workers", i, "count_min"), f"count_min {lo} is larger than count_max {hi}", "swap them")
            if w["kind"] == "individual" and any(k in w for k in ("count", "count_min", "count_max")):
                add(("workers", i, "kind"), "an individual worker cannot have a count", "use kind: group")
        for i, t in enumerate(data.get("tasks", []) or []):
            for fld in ("performed_by", "ordered_by"):
                for j, p in enumerate(t.get(fld, []) or []):
                    ref(("tasks", i, fld, j), p, parties, "a party (organisation or worker)")
            for j, p in enumerate(t.get("platforms", []) or []):
                ref(("tasks", i, "platforms", j), p, orgs, "an organisation")
            if "ai_product" in t:
                ref(("tasks", i, "ai_product"), t["ai_product"], orgs, "an organisation or product")
        ties = {t["id"]: t for t in data.get("ties", []) or []}
        for i, t in enumerate(data.get("ties", []) or []):
            ref(("ties", i, "from"), t["from"], parties, "a party (organisation or worker)", unknown_ok=True)
            ref(("ties", i, "to"), t["to"], parties, "a party (organisation or worker)", unknown_ok=True)
            if t["from"] == t["to"] and t["from"] != "unknown":
                add(("ties", i, "to"), f"tie '{t['id']}' goes from '{t['from']}' to itself",
                    "a tie links two different parties")
            for j, p in enumerate(t.get("via", []) or []):
                ref(("ties", i, "via", j), p, orgs, "an organisation")
            for j, p in enumerate(t.get("tasks", []) or []):
                ref(("ties", i, "tasks", j), p, ids_of("tasks"), "a task")
            if isinstance(t.get("start"), int) and isinstance(t.get("end"), int) and t["start"] > t["end"]:
                pass  # reported above
        for i, c in enumerate(data.get("chains", []) or []):
            ref(("chains", i, "lead"), c["lead"], parties, "a party (organisation or worker)")
            for j, tid in enumerate(c["ties"]):
                ref(("chains", i, "ties", j), tid, ties, "a tie")
            for j, p in enumerate(c.get("tasks", []) or []):
                ref(("chains", i, "tasks", j), p, ids_of("tasks"), "a task")
            self._check_chain(c, ties, (("chains", i)), add)
        pays = {p["id"] for p in data.get("pay", []) or []}
        pay_items = {p["id"]: p for p in data.get("pay", []) or []}

        def payee_of(p: dict) -> str | None:
            """The party a pay item is paid to: its payee, else the supplier of its tie (as the build reads it)."""
            if p.get("payee") not in (None, "unknown"):
                return p["payee"]
            tie = ties.get(p.get("tie"))
            return tie["to"] if tie and tie["to"] != "unknown" else None
        for i, p in enumerate(data.get("pay", []) or []):
            for fld in ("payer", "payee"):
                if fld in p:
                    ref(("pay", i, fld), p[fld], parties, "a party (organisation or worker)", unknown_ok=True)
            if "payer" in p and "payee" in p and p["payer"] == p["payee"] and p["payer"] != "unknown":
                add(("pay", i, "payee"), "payer and payee are the same party", "money flows between two parties")
            if "tie" in p:
                ref(("pay", i, "tie"), p["tie"], ties, "a tie")
            if "task" in p:
                ref(("pay", i, "task"), p["task"], ids_of("tasks"), "a task")
            tie = ties.get(p.get("tie"))
            if tie is not None:
                ends = {tie["from"], tie["to"]}
                for fld in ("payer", "payee"):
                    if fld in p and p[fld] != "unknown" and p[fld] not in ends and "unknown" not in ends:
                        add(("pay", i, fld), f"{fld} '{p[fld]}' is not a party of tie '{tie['id']}' "
                            f"({tie['from']} -> {tie['to']})",
                            f"name '{tie['from']}' or '{tie['to']}', or put the pay item on the tie between "
                            f"its payer and payee")
            for fld in ("equivalent_of", "relative_to"):
                if fld in p:
                    ref(("pay", i, fld), p[fld], pays, "a pay item")
                    if p[fld] == p["id"]:
                        add(("pay", i, fld), f"pay item '{p['id']}' is {fld.replace('_', ' ')} itself",
                            "point to the other pay item the paper compares it with")
                        continue
                    target = pay_items.get(p[fld])
                    mine, theirs = payee_of(p), payee_of(target) if target else None
                    if mine and theirs and mine != theirs:
                        add(("pay", i, fld), f"{fld} '{p[fld]}' is a sum paid to '{theirs}', but this item is paid to "
                            f"'{mine}'", "point to a sum paid to the same party (for another party's pay, "
                            "use a tie and the chain queries)" if fld == "equivalent_of" else
                            "point to a sum paid to the same party")
            has_amount = "amount" in p
            has_range = "min" in p or "max" in p
            if not has_amount and not has_range and "ratio_to" not in p:
                add(("pay", i), "pay item has no amount", "give 'amount', or 'min' and 'max' for a range")
            if has_amount and has_range:
                add(("pay", i, "amount"), "give either 'amount' or 'min'/'max', not both", "keep the paper's form")
            if "min" in p and "max" in p and p["min"] > p["max"]:
                add(("pay", i, "min"), f"min {p['min']} is larger than max {p['max']}", "swap min and max")
            if "hours_per_unit_min" in p and "hours_per_unit_max" in p and p["hours_per_unit_min"] > p["hours_per_unit_max"]:
                add(("pay", i, "hours_per_unit_min"), "hours_per_unit_min is larger than hours_per_unit_max", "swap them")
            for fld in ("amount", "min", "max"):
                if isinstance(p.get(fld), (int, float)) and p[fld] > 1e9:
                    add(("pay", i, fld), f"amount {p[fld]:,} is absurd for one pay item", "check the number and its unit")
            if "ratio_to" in p and "relative_to" not in p:
                add(("pay", i, "ratio_to"), "ratio_to needs relative_to", "name the pay item it is a multiple of")
        self._check_pay_under_top(data, ties, ids_of("workers"), add)
        for i, f in enumerate(data.get("figures", []) or []):
            ref(("figures", i, "about"), f["about"], orgs, "an organisation or a country code", country_ok=True)
            if "min" in f and "max" in f and f["min"] > f["max"]:
                add(("figures", i, "min"), f"min {f['min']} is larger than max {f['max']}", "swap min and max")
            if f.get("unit") == "percent":
                for fld in ("value", "min", "max"):
                    if isinstance(f.get(fld), (int, float)) and not 0 <= f[fld] <= 100:
                        add(("figures", i, fld), f"a percentage of {f[fld]} is out of range", "use 0 to 100")
            if not any(k in f for k in ("value", "min", "max")) and f.get("unit") != "text":
                add(("figures", i), "figure has no value", "give 'value' (or 'min'/'max'), or unit: text with a note")
        for i, e in enumerate(data.get("exclusions", []) or []):
            for j, p in enumerate(e["affects"]):
                ref(("exclusions", i, "affects", j), p, parties, "a party (organisation or worker)")
            for j, p in enumerate(e.get("imposed_by", []) or []):
                ref(("exclusions", i, "imposed_by", j), p, parties, "a party (organisation or worker)")
            for j, p in enumerate(e.get("findings", []) or []):
                ref(("exclusions", i, "findings", j), p, ids_of("findings"), "a finding")
        for i, a in enumerate(data.get("legal_actions", []) or []):
            for fld in ("against", "by"):
                for j, p in enumerate(a.get(fld, []) or []):
                    ref(("legal_actions", i, fld, j), p, parties, "a party (organisation or worker)")
        for i, f in enumerate(data.get("findings", []) or []):
            for j, p in enumerate(f.get("about", []) or []):
                ref(("findings", i, "about", j), p, kinds, "an item", country_ok=True)
        return P

    def _check_codes(self, item: dict, path: tuple, add) -> None:
        for fld in ("country", "nationality"):
            if fld in item and not is_country(item[fld]):
                add(path + (fld,), f"unknown country code '{item[fld]}'", "use an ISO 3166-1 alpha-2 code such as FR, MG, VE")
        for j, c in enumerate(item.get("countries", []) or []):
            if not is_country(c):
                add(path + ("countries", j), f"unknown country code '{c}'", "use an ISO 3166-1 alpha-2 code such as FR, MG, VE")
        if "currency" in item and not is_currency(item["currency"]):
            add(path + ("currency",), f"unknown currency code '{item['currency']}'", "use an ISO 4217 code such as USD, EUR, PHP")

    TOP_PRICE_KINDS = ("price", "pay", "salary", "earnings")  # what the lead firm pays (not listed prices, bids, fees)
    WORKER_PAY_KINDS = ("price", "pay", "salary", "earnings")

    def _check_pay_under_top(self, data: dict, ties: dict, workers: set, add) -> None:
        """A worker's pay is not above the price paid at the top of its chain (same currency, unit and year)."""
        pay = [(i, p) for i, p in enumerate(data.get("pay", []) or [])]
        by_tie: dict[str, list] = {}
        for i, p in pay:
            if "tie" in p:
                by_tie.setdefault(p["tie"], []).append((i, p))
        reported = set()
        for c in data.get("chains", []) or []:
            if not c["ties"] or any(t not in ties for t in c["ties"]):
                continue
            tops = [p for _, p in by_tie.get(c["ties"][0], []) if p["kind"] in self.TOP_PRICE_KINDS]
            for tid in c["ties"][1:]:
                if ties[tid]["to"] not in workers:
                    continue
                for i, p in by_tie.get(tid, []):
                    low = p.get("amount", p.get("min"))
                    if p["kind"] not in self.WORKER_PAY_KINDS or not isinstance(low, (int, float)) or i in reported:
                        continue
                    for q in tops:
                        high = q.get("amount", q.get("max"))
                        same = ((p.get("currency"), p.get("unit")) == (q.get("currency"), q.get("unit"))
                                and (p.get("year") == q.get("year") or None in (p.get("year"), q.get("year"))))
                        if same and isinstance(high, (int, float)) and low > high:
                            fld = "amount" if "amount" in p else "min"
                            add(("pay", i, fld), f"the pay of '{ties[tid]['to']}' ({low} {p['currency']} {p['unit']}) is above "
                                f"the price paid at the top of chain '{c['id']}' ('{q['id']}': {high} {q['currency']} {q['unit']})",
                                "check both figures, their units and their ties against the paper: the workers' pay "
                                "comes out of the price paid at the top")
                            reported.add(i)
                            break

    def _check_chain(self, chain: dict, ties: dict, path: tuple, add) -> None:
        members = [ties[t] for t in chain["ties"] if t in ties]
        if len(members) != len(chain["ties"]):
            return
        if len(set(chain["ties"])) != len(chain["ties"]):
            add(path + ("ties",), "a tie is listed twice in the chain", "list each tie once")
            return
        # a cycle: following orderer -> supplier edges comes back to a party
        edges: dict[str, set[str]] = {}
        for t in members:
            if t["from"] != "unknown" and t["to"] != "unknown" and t.get("flow", "work") == "work":
                edges.setdefault(t["from"], set()).add(t["to"])
        state: dict[str, int] = {}

        def visit(n: str, trail: list[str]) -> list[str] | None:
            state[n] = 1
            for m in edges.get(n, ()):
                if state.get(m) == 1:
                    return trail + [n, m]
                if m not in state:
                    found = visit(m, trail + [n])
                    if found:
                        return found
            state[n] = 2
            return None

        for start in list(edges):
            if start not in state:
                cyc = visit(start, [])
                if cyc:
                    i = cyc.index(cyc[-1])
                    add(path + ("ties",), "the chain has a cycle: " + " -> ".join(cyc[i:]),
                        "a chain runs from the lead firm down to the workers; remove the tie that goes back up")
                    return
        first = members[0]
        if first["from"] not in (chain["lead"], "unknown"):
            add(path + ("lead",), f"the chain's first tie starts at '{first['from']}', not at the lead '{chain['lead']}'",
                "list the ties from the lead firm down, or fix 'lead'")
        # every later tie starts where an earlier tie of the chain ends (an anonymous 'unknown' end
        # cannot be followed, so it is let through)
        supplied = {first["to"]}
        for j, t in enumerate(members[1:], start=1):
            if t["from"] != "unknown" and t["from"] not in supplied and "unknown" not in supplied:
                ends = ", ".join(f"'{x}'" for x in sorted(supplied))
                add(path + ("ties", j), f"tie '{t['id']}' ({t['from']} -> {t['to']}) does not connect: no earlier tie of "
                    f"the chain ends at '{t['from']}' (earlier ties end at {ends})",
                    "list the ties from the lead down so that each one starts where an earlier one ends, "
                    "or give this tie a chain of its own")
            supplied.add(t["to"])

    # ------------------------------------------------------------------- RDF
    def load(self, path: Path, iris: IRIs, *, display: str | None = None,
             context: dict | None = None) -> LoadedGraph:
        display = display or str(path)
        doc = load_yaml(path, display)
        problems = self.check(doc)
        if problems:
            raise InputError(problems)
        study_id = doc.data["study"]["id"]
        if context is not None:
            seen = context.setdefault("studies", {})
            if study_id in seen and seen[study_id]["file"] != display:
                raise InputError([Problem(display, doc.line(("study", "id")), "study.id",
                                          f"study id '{study_id}' is also used by {seen[study_id]['file']}",
                                          "give each case file its own study id")])
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        result = _Emitter(doc.data, iris, display, sha).emit()
        if context is not None:
            context["studies"][study_id] = {"file": display, "line": doc.line(("study", "id")),
                                            "ids": result.counts.pop("_ids", {}),
                                            "org_iris": result.counts.pop("_org_iris", {}),
                                            "sections": set(doc.data["study"]["sections"]),
                                            "globals": _shared_organisations(doc)}
        else:
            result.counts.pop("_ids", None)
            result.counts.pop("_org_iris", None)
        return result


def _shared_organisations(doc: Located) -> dict[str, dict]:
    """What a case file says of each shared organisation (``global_id``) that every file must agree on:
    its kind and country, with the line of each (for :func:`shared_organisation_problems`)."""
    out: dict[str, dict] = {}
    for i, o in enumerate(doc.data.get("organisations", []) or []):
        if o.get("global_id"):
            out[o["global_id"]] = {fld: (o[fld], doc.line(("organisations", i, fld)), field_name(("organisations", i, fld)))
                                   for fld in ("kind", "country") if fld in o}
    return out


def shared_organisation_problems(studies: dict[str, dict]) -> list[Problem]:
    """Case files that give one shared organisation (``global_id``) different kinds or countries: the
    node would get both, and every query by kind or country would count it twice."""
    first: dict[tuple[str, str], tuple[Any, str]] = {}
    problems = []
    for study in sorted(studies.values(), key=lambda st: st["file"]):
        for gid, facts in sorted((study.get("globals") or {}).items()):
            for fld, (value, line, fname) in facts.items():
                seen = first.setdefault((gid, fld), (value, study["file"]))
                if seen[0] != value:
                    problems.append(Problem(study["file"], line, fname,
                                            f"shared organisation '{gid}' has {fld} '{value}' here but '{seen[0]}' in "
                                            f"{seen[1]}", f"give the {fld} the papers agree on in both files, or leave "
                                            f"it out here; if it is another organisation, give it another global_id"))
    return problems


def _article(kind: Any) -> str:
    kind = kind if isinstance(kind, str) else "/".join(kind)
    return {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
            "array": "a list", "object": "a mapping of fields"}.get(kind, kind)


def _blank_schema_errors(data: dict, errors: list) -> tuple[dict, list[tuple]]:
    """A copy of ``data`` with every value the schema refused set to None (list positions, and so
    lines, unchanged), and the paths of the items whose own checks must wait (a required field
    missing, or not a mapping at all)."""
    import copy

    usable = copy.deepcopy(data)
    skip: list[tuple] = []
    for err in errors:
        path = tuple(err.absolute_path)
        if err.validator in ("required", "additionalProperties"):
            if err.validator == "required":
                skip.append(path)
                node = _at(usable, path)
                missing = err.message.split("'")[1] if "'" in err.message else None
                if isinstance(node, dict) and missing and missing not in node:
                    node[missing] = None
            continue
        if not path:
            continue
        parent = _at(usable, path[:-1])
        if isinstance(parent, (dict, list)):
            try:
                parent[path[-1]] = None
            except (IndexError, TypeError):
                pass
        if len(path) == 2 and path[0] in ITEM_LISTS:  # a whole item of the wrong type
            skip.append(path)
            parent[path[-1]] = {"id": None}
        elif len(path) == 1 and path[0] in ITEM_LISTS:  # a whole list of the wrong type
            usable[path[0]] = []
    return usable, skip


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.line, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.line or 0))


class _Emitter:
    """Writes the RDF of one checked case file."""

    def __init__(self, data: dict, iris: IRIs, display: str, sha: str) -> None:
        self.d = data
        self.iris = iris
        self.display = display
        self.sha = sha
        self.study_id = data["study"]["id"]
        self.study = iris.study(self.study_id)
        # the triples, distinct, in the order emitted (a dict as an ordered set; an rdflib Graph would
        # index every triple, which cost about a third of the loading time)
        self._t: dict[tuple, None] = {}
        self.countries: set[str] = set()
        self.cities: dict[str, str] = {}
        self.currencies: set[str] = set()
        self.orgs: dict[str, str] = {}
        self.ids: dict[str, URIRef] = {}
        self.kinds: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    # helpers
    def add(self, s, p, o) -> None:
        self._t[(s, p, o)] = None

    @property
    def g(self) -> Graph:
        """The triples emitted so far as a new rdflib Graph."""
        g = Graph()
        g.addN((s, p, o, g) for s, p, o in self._t)
        return g

    def country(self, code: str) -> URIRef:
        self.countries.add(code)
        return self.iris.country(code)

    def city(self, name: str, country: str | None) -> URIRef:
        iri = self.iris.city(name)
        if slugify(name) not in self.cities:
            self.cities[slugify(name)] = country or ""
            self.add(iri, RDF.type, DW.City)
            self.add(iri, RDFS.label, _en(name))
            if country:
                self.add(iri, DW.inCountry, self.country(country))
        return iri

    def party(self, ref: str, tie_id: str, end: str, item: dict | None = None) -> URIRef:
        if ref == "unknown":
            iri = self.iris("party", f"{self.study_id}-{tie_id}-unknown-{end}")
            self.add(iri, RDF.type, DW.UnknownParty)
            self.add(iri, RDFS.label, _en(f"unknown party ({'orderer' if end == 'from' else 'supplier'} of tie {tie_id}, not stated in the paper)"))
            # the unknown party is reported where the item that mentions it is
            self.provenance(iri, {"section": (item or {}).get("section")})
            return iri
        return self.ids[ref]

    def provenance(self, iri: URIRef, item: dict) -> None:
        self.add(iri, DW.fromStudy, self.study)
        for key in _as_list(item.get("section")):
            self.add(iri, DW.reportedIn, self.iris.section(self.study_id, key))
        if "method" in item:
            self.add(iri, DW.supportedByMethod, self.ids[item["method"]])
        if item.get("note"):
            self.add(iri, RDFS.comment, _en(item["note"]))

    def codes(self, iri: URIRef, prop: URIRef, prefix: str, values: Any) -> None:
        for v in _as_list(values):
            self.add(iri, prop, concept(prefix, v))

    def years(self, iri: URIRef, item: dict) -> None:
        for fld, prop in (("year", DW.year), ("start", DW.startYear), ("end", DW.endYear)):
            if fld in item:
                self.add(iri, prop, _int(item[fld]))

    # the file
    def emit(self) -> LoadedGraph:
        d = self.d
        # mint all ids first so references resolve in any order
        for lst in ITEM_LISTS:
            for item in d.get(lst, []) or []:
                iid = item["id"]
                if lst == "organisations" and item.get("global_id"):
                    iri = self.iris("organisation", item["global_id"])
                else:
                    iri = self.iris.item(IRI_KIND[lst], self.study_id, iid)
                self.ids[iid] = iri
                self.kinds[iid] = lst
                self.counts[lst] = self.counts.get(lst, 0) + 1
        self.emit_study()
        for m in d.get("methods", []) or []:
            self.emit_method(m)
        for o in d.get("organisations", []) or []:
            self.emit_org(o)
        for w in d.get("workers", []) or []:
            self.emit_worker(w)
        for t in d.get("tasks", []) or []:
            self.emit_task(t)
        for t in d.get("ties", []) or []:
            self.emit_tie(t)
        for c in d.get("chains", []) or []:
            self.emit_chain(c)
        for p in d.get("pay", []) or []:
            self.emit_pay(p)
        for f in d.get("figures", []) or []:
            self.emit_figure(f)
        for e in d.get("exclusions", []) or []:
            self.emit_exclusion(e)
        for a in d.get("legal_actions", []) or []:
            self.emit_legal(a)
        for f in d.get("findings", []) or []:
            self.emit_finding(f)
        for code in sorted(self.countries):
            c = self.iris.country(code)
            self.add(c, RDF.type, DW.Country)
            self.add(c, DW.isoAlpha2, Literal(code))
            self.add(c, RDFS.label, _en(pycountry.countries.get(alpha_2=code).name))
        for code in sorted(self.currencies):
            c = self.iris.currency(code)
            self.add(c, RDF.type, DW.Currency)
            self.add(c, DW.currencyCode, Literal(code))
            self.add(c, SKOS.notation, Literal(code))
            self.add(c, RDFS.label, _en(pycountry.currencies.get(alpha_3=code).name))
        graph_iri = self.iris.graph(self.study_id)
        self.emit_graph_provenance(graph_iri)
        counts = dict(self.counts)
        counts["_ids"] = {k: self.kinds[k] for k in self.kinds}
        counts["_org_iris"] = {k: str(v) for k, v in self.ids.items()}
        return LoadedGraph(graph_iri, None, self.display, self.study_id, set(self.countries), dict(self.cities),
                           set(self.currencies), dict(self.orgs), counts, triples=list(self._t))

    def emit_graph_provenance(self, graph_iri: URIRef) -> None:
        activity = self.iris("activity", f"load-{self.study_id}-{self.sha[:12]}")
        software = self.iris("software", SOFTWARE)
        self.add(graph_iri, RDF.type, DW.EvidenceGraph)
        self.add(graph_iri, RDF.type, PROV.Entity)
        self.add(graph_iri, RDFS.label, _en(f"Evidence from {self.d['study']['title']}"))
        self.add(graph_iri, PROV.wasDerivedFrom, self.study)
        self.add(graph_iri, DW.sourceFile, Literal(Path(self.display).name))
        self.add(graph_iri, DW.sha256, Literal(self.sha))
        self.add(graph_iri, PROV.wasGeneratedBy, activity)
        self.add(activity, RDF.type, PROV.Activity)
        self.add(activity, RDFS.label, _en(f"Loading case file {Path(self.display).name}"))
        self.add(activity, PROV.used, Literal(Path(self.display).name))
        self.add(activity, PROV.wasAssociatedWith, software)
        self.add(software, RDF.type, PROV.SoftwareAgent)
        self.add(software, RDFS.label, Literal("datawork-kg loaders"))

    def emit_study(self) -> None:
        s = self.d["study"]
        iri = self.study
        self.add(iri, RDF.type, DW.Study)
        self.add(iri, RDFS.label, _en(s["title"]))
        self.add(iri, DCTERMS.title, _en(s["title"]))
        self.add(iri, DCTERMS.identifier, Literal(s["id"]))
        for i, a in enumerate(s.get("authors", []) or []):
            self.add(iri, DW.authorName, Literal(a))
        if s.get("authors"):
            self.add(iri, DW.authorList, Literal("; ".join(s["authors"])))
        self.add(iri, DW.authorship, concept("authorship", s["authorship"]))
        if "year_status" in s:
            self.add(iri, DW.yearStatus, concept("authorship", s["year_status"]))
        if "year" in s:
            self.add(iri, DW.publicationYear, _int(s["year"]))
        for fld, prop in (("venue", DW.venue), ("doi", DW.doi), ("kind", DW.studyKind), ("seed_file", DW.seedFile)):
            if fld in s:
                self.add(iri, prop, Literal(s[fld]))
        for fld, prop in (("fieldwork_start", DW.fieldworkStart), ("fieldwork_end", DW.fieldworkEnd)):
            if fld in s:
                self.add(iri, prop, _int(s[fld]))
        for fld in ("note", "attribution_note"):
            if s.get(fld):
                self.add(iri, RDFS.comment, _en(s[fld]))
        for part in s.get("parts", []) or []:
            p = self.iris("study", f"{self.study_id}-{part['id']}")
            self.add(iri, DCTERMS.hasPart, p)
            self.add(p, RDF.type, DW.StudyPart)
            self.add(p, DCTERMS.isPartOf, iri)
            self.add(p, RDFS.label, _en(part["title"]))
            self.add(p, DCTERMS.title, _en(part["title"]))
            if "authorship" in part:
                self.add(p, DW.authorship, concept("authorship", part["authorship"]))
            for a in part.get("authors", []) or []:
                self.add(p, DW.authorName, Literal(a))
            if "year" in part:
                self.add(p, DW.publicationYear, _int(part["year"]))
            if part.get("kind"):
                self.add(p, DW.studyKind, Literal(part["kind"]))
            if part.get("note"):
                self.add(p, RDFS.comment, _en(part["note"]))
        for key, heading in s["sections"].items():
            sec = self.iris.section(self.study_id, key)
            self.add(sec, RDF.type, DW.Section)
            self.add(sec, RDFS.label, _en(str(heading)))
            self.add(sec, DW.sectionKey, Literal(str(key)))
            self.add(sec, DCTERMS.isPartOf, iri)

    def emit_method(self, m: dict) -> None:
        iri = self.ids[m["id"]]
        self.add(iri, RDF.type, DW.Method)
        self.add(iri, RDFS.label, _en(m.get("label") or f"{m['kind']} ({m['id']})"))
        self.provenance(iri, {k: v for k, v in m.items() if k != "method"})
        self.add(iri, DW.methodKind, concept("method", m["kind"]))
        if "mode" in m:
            self.add(iri, DW.methodMode, concept("mode", m["mode"]))
        if "sample_size" in m:
            self.add(iri, DW.sampleSize, _int(m["sample_size"]))
        if "sample_size_min" in m:
            self.add(iri, DW.minSampleSize, _int(m["sample_size_min"]))
        if m.get("population"):
            self.add(iri, DW.population, _en(m["population"]))
        for c in m.get("countries", []) or []:
            self.add(iri, DW.sampleCountry, self.country(c))
        for city in m.get("cities", []) or []:
            self.add(iri, DW.placeName, Literal(city))
            country = (m.get("countries") or [None])[0] if len(m.get("countries") or []) == 1 else None
            self.add(iri, DW.sampleCity, self.city(city, country))
        for p in m.get("platforms", []) or []:
            self.add(iri, DW.samplePlatform, self.ids[p])
        if "part_of" in m:
            self.add(iri, DW.partOfMethod, self.ids[m["part_of"]])
        for fld, prop in (("start", DW.startYear), ("end", DW.endYear)):
            if fld in m:
                self.add(iri, prop, _int(m[fld]))
        for fld, prop in (("start_date", DW.startDate), ("end_date", DW.endDate)):
            if m.get(fld):
                self.add(iri, prop, Literal(f"{m[fld]}T00:00:00", datatype=XSD.dateTime))

    def emit_org(self, o: dict) -> None:
        iri = self.ids[o["id"]]
        self.add(iri, RDF.type, DW[ORG_CLASSES[o["kind"]]])
        self.add(iri, RDFS.label, _en(o["name"]))
        self.add(iri, SCHEMA.name, Literal(o["name"]))
        self.provenance(iri, o)
        self.add(iri, DW.unnamed, Literal(bool(o.get("unnamed", False))))
        if o.get("global_id"):
            self.orgs[o["global_id"]] = o.get("wikidata", "")
            self.add(iri, DW.localId, Literal(f"{self.study_id}:{o['id']}"))
        if "form" in o:
            self.add(iri, DW.organisationalForm, concept("form", o["form"]))
        for j, fp in enumerate(o.get("form_history", []) or []):
            period = self.iris("form-period", f"{self.study_id}-{o['id']}-{fp.get('order', j + 1)}")
            self.add(iri, DW.hasFormPeriod, period)
            self.add(period, RDF.type, DW.FormPeriod)
            self.add(period, DW.form, concept("form", fp["form"]))
            self.add(period, DW.periodOrder, _int(fp.get("order", j + 1)))
            self.add(period, RDFS.label, _en(f"{o['name']}: {fp['form']} (period {fp.get('order', j + 1)})"))
            if "from" in fp:
                self.add(period, DW.fromYear, _int(fp["from"]))
            if "until" in fp:
                self.add(period, DW.untilYear, _int(fp["until"]))
            self.provenance(period, {"section": fp.get("section", o["section"]), "note": fp.get("note")})
        self.codes(iri, DW.hasRole, "role", o.get("roles"))
        if "country" in o:
            self.add(iri, DW.basedIn, self.country(o["country"]))
        for c in o.get("countries", []) or []:
            self.add(iri, DW.operatesIn, self.country(c))
        if o.get("city"):
            self.add(iri, DW.inCity, self.city(o["city"], o.get("country")))
        for fld, prop in (("part_of", DW.partOf), ("renamed_to", DW.renamedTo), ("merged_into", DW.mergedInto)):
            if fld in o:
                self.add(iri, prop, self.ids[o[fld]])
        if "founded" in o:
            self.add(iri, DW.foundedYear, _int(o["founded"]))
        if "count" in o:
            self.add(iri, DW.firmCount, _int(o["count"]))
        if "wikidata" in o:
            self.add(iri, DW.wikidataId, Literal(o["wikidata"]))

    def emit_worker(self, w: dict) -> None:
        iri = self.ids[w["id"]]
        self.add(iri, RDF.type, DW.Worker if w["kind"] == "individual" else DW.WorkerGroup)
        self.add(iri, RDFS.label, _en(w["label"]))
        self.provenance(iri, w)
        if "pseudonym" in w:
            self.add(iri, DW.isPseudonym, Literal(bool(w["pseudonym"])))
        for fld, prop in (("count", DW.memberCount), ("count_min", DW.minMemberCount), ("count_max", DW.maxMemberCount),
                          ("age", DW.age)):
            if fld in w:
                self.add(iri, prop, _int(w[fld]))
        if "country" in w:
            self.add(iri, DW.basedIn, self.country(w["country"]))
        for c in w.get("countries", []) or []:
            self.add(iri, DW.basedIn, self.country(c))
        if w.get("city"):
            self.add(iri, DW.inCity, self.city(w["city"], w.get("country")))
        if w.get("region"):
            self.add(iri, DW.region, _en(w["region"]))
        if "nationality" in w:
            self.add(iri, DW.nationality, self.country(w["nationality"]))
        if "gender" in w:
            self.add(iri, DW.gender, concept("gender", w["gender"]))
        for fld, prop in (("education", DW.education), ("other_job", DW.otherJob)):
            if w.get(fld):
                self.add(iri, prop, _en(w[fld]))
        for lang in w.get("languages", []) or []:
            self.add(iri, DW.language, Literal(lang))
        if "status" in w:
            self.add(iri, DW.employmentStatus, concept("status", w["status"]))
        if "worker_type" in w:
            self.add(iri, DW.workerType, concept("wtype", w["worker_type"]))
        if "dependence" in w:
            self.add(iri, DW.dependence, concept("dep", w["dependence"]))
        if "hours_per_week" in w:
            self.add(iri, DW.hoursPerWeek, _dec(w["hours_per_week"]))
        for p in w.get("platforms", []) or []:
            self.add(iri, DW.usesPlatform, self.ids[p])
        for p in w.get("member_of", []) or []:
            self.add(iri, DW.memberOf, self.ids[p])
        for p in w.get("employers", []) or []:
            self.add(iri, DW.formerEmployer, self.ids[p])

    def emit_task(self, t: dict) -> None:
        iri = self.ids[t["id"]]
        self.add(iri, RDF.type, DW.Task)
        self.add(iri, RDFS.label, _en(t["label"]))
        self.provenance(iri, t)
        if "function" in t:
            self.add(iri, DW.taskFunction, concept("fn", t["function"]))
        if "function_source" in t:
            self.add(iri, DW.functionAttribution, concept("attr", t["function_source"]))
        self.codes(iri, DW.workKind, "work", t.get("work_kinds"))
        for p in t.get("performed_by", []) or []:
            self.add(iri, DW.performedBy, self.ids[p])
        for p in t.get("ordered_by", []) or []:
            self.add(iri, DW.orderedBy, self.ids[p])
        for p in t.get("platforms", []) or []:
            self.add(iri, DW.onPlatform, self.ids[p])
        for c in t.get("countries", []) or []:
            self.add(iri, DW.taskCountry, self.country(c))
        if "ai_product" in t:
            self.add(iri, DW.forProduct, self.ids[t["ai_product"]])

    def emit_tie(self, t: dict) -> None:
        iri = self.ids[t["id"]]
        self.add(iri, RDF.type, DW.Tie)
        src = self.party(t["from"], t["id"], "from", t)
        dst = self.party(t["to"], t["id"], "to", t)
        self.add(iri, DW.orderer, src)
        self.add(iri, DW.supplier, dst)
        label_from = "unknown" if t["from"] == "unknown" else t["from"]
        label_to = "unknown" if t["to"] == "unknown" else t["to"]
        self.add(iri, RDFS.label, _en(f"{label_from} -> {label_to}"))
        self.provenance(iri, t)
        self.add(iri, DW.flowKind, concept("flow", t.get("flow", "work")))
        for fld, prop, prefix in (("embeddedness", DW.embeddedness, "embed"), ("direction", DW.tieDirection, "dir"),
                                  ("form", DW.contractForm, "contract"), ("geography", DW.geographicMode, "geo")):
            if fld in t:
                self.add(iri, prop, concept(prefix, t[fld]))
        self.codes(iri, DW.valueChainPattern, "pattern", t.get("patterns"))
        for fld, prop in (("upstream_aware", DW.upstreamAware), ("off_platform", DW.offPlatform)):
            if fld in t:
                self.add(iri, prop, Literal(bool(t[fld])))
        if t.get("duration"):
            self.add(iri, DW.durationText, _en(t["duration"]))
        if "duration_months" in t:
            self.add(iri, DW.durationMonths, _dec(t["duration_months"]))
        for p in t.get("via", []) or []:
            self.add(iri, DW.via, self.ids[p])
        for p in t.get("tasks", []) or []:
            self.add(iri, DW.forTask, self.ids[p])
        for fld, prop in (("start", DW.startYear), ("end", DW.endYear)):
            if fld in t:
                self.add(iri, prop, _int(t[fld]))

    def emit_chain(self, c: dict) -> None:
        iri = self.ids[c["id"]]
        self.add(iri, RDF.type, DW.Chain)
        self.add(iri, RDFS.label, _en(c["label"]))
        self.provenance(iri, c)
        self.add(iri, DW.leadFirm, self.ids[c["lead"]])
        for i, tid in enumerate(c["ties"], start=1):
            self.add(iri, DW.hasTie, self.ids[tid])
            step = self.iris("chain-step", f"{self.study_id}-{c['id']}-{i}")
            self.add(iri, DW.hasStep, step)
            self.add(step, RDF.type, DW.ChainStep)
            self.add(step, DW.stepIndex, _int(i))
            self.add(step, DW.stepTie, self.ids[tid])
            self.add(step, RDFS.label, _en(f"step {i} of chain {c['id']}"))
        self.codes(iri, DW.valueChainPattern, "pattern", c.get("patterns"))
        if "geography" in c:
            self.add(iri, DW.geographicMode, concept("geo", c["geography"]))
        for p in c.get("tasks", []) or []:
            self.add(iri, DW.forTask, self.ids[p])

    def emit_pay(self, p: dict) -> None:
        iri = self.ids[p["id"]]
        self.add(iri, RDF.type, DW.Remuneration)
        self.provenance(iri, p)
        self.add(iri, DW.remunerationKind, concept("paykind", p["kind"]))
        for fld, prop in (("payer", DW.payer), ("payee", DW.payee)):
            if fld in p:
                self.add(iri, prop, self.party(p[fld], p["id"], "from" if fld == "payer" else "to", p))
        if "tie" in p:
            self.add(iri, DW.alongTie, self.ids[p["tie"]])
        if "task" in p:
            self.add(iri, DW.forTask, self.ids[p["task"]])
        for fld, prop in (("amount", DW.amount), ("min", DW.minAmount), ("max", DW.maxAmount)):
            if fld in p:
                self.add(iri, prop, _dec(p[fld]))
        code = p["currency"]
        self.currencies.add(code)
        self.add(iri, DW.currency, self.iris.currency(code))
        self.add(iri, DW.currencyCode, Literal(code))
        self.add(iri, DW.unitBasis, concept("unit", p["unit"]))
        if "approximate" in p:
            self.add(iri, DW.approximate, Literal(bool(p["approximate"])))
        self.years(iri, p)
        for fld, prop in (("hours_per_unit_min", DW.minHoursPerUnit), ("hours_per_unit_max", DW.maxHoursPerUnit),
                          ("units_per_hour", DW.unitsPerHour), ("hours_per_week", DW.hoursPerWeek), ("ratio_to", DW.ratio)):
            if fld in p:
                self.add(iri, prop, _dec(p[fld]))
        for fld, prop in (("equivalent_of", DW.equivalentOf), ("relative_to", DW.relativeTo)):
            if fld in p:
                self.add(iri, prop, self.ids[p[fld]])
        amount = p.get("amount")
        if amount is None and ("min" in p or "max" in p):
            amount = f"{p.get('min', '?')}-{p.get('max', '?')}"
        label = f"{p['kind']}: {amount if amount is not None else 'x' + str(p.get('ratio_to'))} {code} {p['unit']}"
        self.add(iri, RDFS.label, _en(label))

    def emit_figure(self, f: dict) -> None:
        iri = self.ids[f["id"]]
        about = f["about"]
        if is_country(about) and about not in self.ids:
            self.add(iri, RDF.type, DW.CountryFigure)
            target = self.country(about)
        else:
            self.add(iri, RDF.type, DW.PlatformFigure)
            target = self.ids[about]
        self.add(iri, DW.figureAbout, target)
        self.add(iri, RDFS.label, _en(f"{f['indicator']} ({about})"))
        self.add(iri, DW.indicator, _en(f["indicator"]))
        self.provenance(iri, f)
        for fld, prop in (("value", DW.value), ("min", DW.minValue), ("max", DW.maxValue)):
            if fld in f:
                self.add(iri, prop, _dec(f[fld]))
        if "unit" in f:
            self.add(iri, DW.figureUnit, concept("figunit", f["unit"]))
        if "currency" in f:
            self.currencies.add(f["currency"])
            self.add(iri, DW.currencyCode, Literal(f["currency"]))
            self.add(iri, DW.currency, self.iris.currency(f["currency"]))
        if "qualifier" in f:
            self.add(iri, DW.qualifier, concept("qualifier", f["qualifier"]))
        self.years(iri, f)
        if "country" in f:
            self.add(iri, DW.figureCountry, self.country(f["country"]))
        if f.get("cited_source"):
            self.add(iri, DW.citedSource, Literal(f["cited_source"]))

    def emit_exclusion(self, e: dict) -> None:
        iri = self.ids[e["id"]]
        self.add(iri, RDF.type, DW.Exclusion)
        self.add(iri, RDFS.label, _en(f"{e['mechanism']} excluding {', '.join(e['affects'])}"))
        self.provenance(iri, e)
        self.add(iri, DW.mechanism, concept("mech", e["mechanism"]))
        for p in e["affects"]:
            self.add(iri, DW.affects, self.ids[p])
        for p in e.get("imposed_by", []) or []:
            self.add(iri, DW.imposedBy, self.ids[p])
        self.codes(iri, DW.excludedFrom, "excl", e.get("excluded_from"))
        for c in e.get("countries", []) or []:
            self.add(iri, DW.exclusionCountry, self.country(c))
        for f in e.get("findings", []) or []:
            self.add(iri, DW.supportedBy, self.ids[f])

    def emit_legal(self, a: dict) -> None:
        iri = self.ids[a["id"]]
        self.add(iri, RDF.type, DW.LegalAction)
        self.add(iri, RDFS.label, _en(a["label"]))
        self.provenance(iri, a)
        if "kind" in a:
            self.add(iri, DW.legalActionKind, concept("legal", a["kind"]))
        for p in a.get("against", []) or []:
            self.add(iri, DW.against, self.ids[p])
        for p in a.get("by", []) or []:
            self.add(iri, DW.broughtBy, self.ids[p])
        if "country" in a:
            self.add(iri, DW.actionCountry, self.country(a["country"]))
        if "year" in a:
            self.add(iri, DW.year, _int(a["year"]))
        if a.get("outcome"):
            self.add(iri, DW.outcome, _en(a["outcome"]))

    def emit_finding(self, f: dict) -> None:
        iri = self.ids[f["id"]]
        self.add(iri, RDF.type, DW.Finding)
        text = f["statement"].strip()
        self.add(iri, RDFS.label, _en(text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + "..."))
        self.add(iri, DW.statement, _en(text))
        self.provenance(iri, f)
        if "kind" in f:
            self.add(iri, DW.findingKind, concept("fkind", f["kind"]))
        if "account" in f:
            self.add(iri, DW.account, concept("account", f["account"]))
        for a in f.get("about", []) or []:
            if a in self.ids:
                self.add(iri, DW.about, self.ids[a])
            else:
                self.add(iri, DW.about, self.country(a))
        if f.get("cited_source"):
            self.add(iri, DW.citedSource, Literal(f["cited_source"]))


register("casefile", CaseFileLoader)

__all__ = ["CaseFileLoader", "is_country", "is_currency"]

# loader_for() imports only casefile and csvfile; importing rdffile here registers the RDF loader
# (.ttl, .nt, .nq, .rdf, .owl, .jsonld) for user-supplied evidence.
from . import rdffile  # noqa: E402,F401
