"""YAML case files -> RDF (one named graph per study).

The format is documented in ``docs/evidence-format.md`` and ``datawork_kg/schemas/case-file.schema.json``;
the mapping to RDF in ``docs/data-model.md``.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import re
from pathlib import Path
from typing import Any, Iterable

import jsonschema

from ..errors import InputError, Problem
from ..iris import IRIs, slugify
from .base import LoadedGraph, register
from .emitter import IRI_KIND, ITEM_LISTS, NON_PARTY_KINDS, NOT_STATED, Emitter, as_list
from ..regions import regions as _regions
from .schema import is_country, is_currency, is_date, schema_valid_fast, schema_validator
from .yamlsafe import Located, field_name, load_yaml

CURRENT_YEAR = _dt.date.today().year
NON_PARTY_WORDS = {"worker-tool": "worker tool", "ai-product": "AI product"}
ITEM_WORDS = {"methods": "method", "organisations": "organisation", "workers": "worker", "tasks": "task",
              "unknown_parties": "unknown party", "ties": "tie", "chains": "chain", "pay": "pay item",
              "figures": "figure", "exclusions": "exclusion", "legal_actions": "legal action", "findings": "finding"}
# YAML 1.1 forms of numbers and booleans that YAML 1.2 (and so a case file) reads as text
_YAML11_FORM = re.compile(r"^(?:[-+]?0[xob][0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
                          r"|[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")


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
        errors = list(schema_validator().iter_errors(data))
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
        if v == "type" and isinstance(err.instance, str) and _YAML11_FORM.match(err.instance.strip()):
            want = _article(err.validator_value)
            return Problem(doc.path, line, fld,
                           f"{err.instance!r} is text, not {want}: case files are read with YAML 1.2 rules, where "
                           "hexadecimal, octal, sexagesimal (1:30), 1_000 and yes/no/on/off are not numbers or booleans",
                           "write true or false" if err.validator_value == "boolean"
                           else f"write the value as {want} in plain decimal (e.g. 31, 90, 1000)")
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
        if v == "format":
            return Problem(doc.path, line, fld, f"{err.instance!r} {err.cause or 'is not a ' + err.validator_value}",
                           "write a date that exists, as YYYY-MM-DD (e.g. 2022-02-28)")
        if v == "oneOf":
            # a value of the right shape for one branch (a locator mapping for a section) with a fault inside:
            # name that field and fault (study.sections.x.timestamp), not the whole value
            inside = [e for e in err.context or () if len(e.absolute_path) > len(err.absolute_path)]
            if inside:
                return self._schema_problem(doc, jsonschema.exceptions.best_match(inside))
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
        parties = {i for i, k in kinds.items() if k in ("workers", "unknown_parties")} | {
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
                    lst = kinds[value]
                    if lst == "organisations" and orgs[value]["kind"] in NON_PARTY_KINDS:
                        kind = orgs[value]["kind"]
                        add(path, f"'{value}' is {_with_article(NON_PARTY_WORDS[kind])} (kind '{kind}'), not {what}",
                            f"point to {what}, such as the firm that makes or runs it" + (
                                "; a task names its product with 'ai_product'" if kind == "ai-product" else ""))
                    else:
                        add(path, f"'{value}' is {_with_article(ITEM_WORDS.get(lst, lst))}, not {what}", f"point to {what}")
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
                for key in as_list(item.get("section")):
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
        self._check_source(data, add)
        self._check_regions(data, add)
        slugs: dict[str, str] = {}
        for key in sections:
            other = slugs.setdefault(slugify(str(key)), key)
            if other != key:
                add(("study", "sections", key), f"section keys '{other}' and '{key}' make the same IRI "
                    f"(section/{study['id']}-{slugify(str(key))}): the two sections would become one",
                    "give the sections keys that differ in letters or digits, not only in case or punctuation")

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
                for key in as_list(fp.get("section")):
                    if key not in sections:
                        add(("organisations", i, "form_history", j, "section"), f"section '{key}' is not declared under study.sections")
        for lst, fld in (("methods", "part_of"), ("organisations", "part_of"), ("organisations", "renamed_to"),
                         ("organisations", "merged_into")):
            for i, cycle in _cycles([(item["id"], item.get(fld)) for item in data.get(lst, []) or []]):
                add((lst, i, fld), f"'{fld}' runs in a cycle: " + " -> ".join(cycle),
                    f"an item cannot be {fld.replace('_', ' ')} itself through others; remove one '{fld}' of the cycle")
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
            if f["about"] not in _regions() or f["about"] in orgs:
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

    def _check_source(self, data: dict, add) -> None:
        """The source's dates and links, and the encoders' and reviewers' dates."""
        study = data["study"]
        today = _dt.date.today().isoformat()
        for fld in ("published", "accessed"):
            if fld in study and not is_date_text(study[fld]):
                add(("study", fld), f"'{study[fld]}' is not a date of the calendar", "write a real day as YYYY-MM-DD")
            elif study.get(fld, "") > today:
                add(("study", fld), f"date {study[fld]} is in the future", "check the date against the source")
        pub, acc = study.get("published"), study.get("accessed")
        if pub and acc and is_date_text(pub) and is_date_text(acc) and acc < pub:
            add(("study", "accessed"), f"access date {acc} is before the publication date {pub}",
                "an online source can only be read once it is published: check both dates")
        if acc and "url" not in study:
            add(("study", "accessed"), "an access date without a url", "add 'url:' (the address that was read) or remove 'accessed'")
        if "archived_url" in study and "url" not in study:
            add(("study", "archived_url"), "an archived copy without the original url", "add 'url:' as well")
        if pub and is_date_text(pub) and isinstance(study.get("year"), int) and int(pub[:4]) != study["year"]:
            add(("study", "year"), f"year {study['year']} differs from the publication date {pub}",
                "give the year of 'published', or leave 'year' out")
        for lst in ("encoded_by", "reviewed_by"):
            for i, person in enumerate(data.get(lst, []) or []):
                if not is_date_text(person["date"]):
                    add((lst, i, "date"), f"'{person['date']}' is not a date of the calendar", "write a real day as YYYY-MM-DD")
                elif person["date"] > today:
                    add((lst, i, "date"), f"date {person['date']} is in the future", "give the day the work was done")
        first_encoding = min((p["date"] for p in data.get("encoded_by", []) or [] if is_date_text(p["date"])), default=None)
        for i, person in enumerate(data.get("reviewed_by", []) or []):
            if first_encoding and is_date_text(person["date"]) and person["date"] < first_encoding:
                add(("reviewed_by", i, "date"), f"review date {person['date']} is before the first encoding ({first_encoding})",
                    "a review checks an encoding: check both dates")

    def _check_regions(self, data: dict, add) -> None:
        """Region codes exist, and agree with the countries the same item gives."""
        study = data["study"]
        year = next((study[k] for k in ("fieldwork_start", "year") if isinstance(study.get(k), int)), None)
        if year is None and is_date_text(study.get("published")):
            year = int(study["published"][:4])
        known = _regions()
        for lst in ITEM_LISTS:
            for i, item in enumerate(data.get(lst, []) or []):
                for fld in ("regions", "from_regions", "to_regions"):
                    for j, code in enumerate(item.get(fld, []) or []):
                        if code not in known:
                            guess = difflib.get_close_matches(code, list(known), n=1)
                            add((lst, i, fld, j), f"unknown region code '{code}'",
                                (f"did you mean '{guess[0]}'? " if guess else "") + "use a code of datawork_kg/reference/regions.csv "
                                "(an M49 region such as south-eastern-asia, a World Bank region such as wb-lcn, or global-north, gulf, eu, latin-america)")
                for fld, end in (("from_regions", "from"), ("to_regions", "to")):
                    if fld in item and item.get(end) != "unknown":
                        add((lst, i, fld), f"'{fld}' places an unknown {end} end, but '{end}' is '{item.get(end)}'",
                            f"put the regions on the party '{item.get(end)}' itself (its 'regions:'), or write {end}: unknown")
                codes = [c for c in item.get("regions", []) or [] if c in known]
                if lst == "figures" and item.get("about") in known:
                    codes.append(item["about"])
                single = [item["country"]] if is_country(item.get("country", "")) and lst != "figures" else []
                several = [c for c in item.get("countries", []) or [] if is_country(c)]
                for code in codes:
                    reg = known[code]
                    if reg.side:  # Global North / South: the income convention in the study's year
                        if year is None:
                            continue
                        for c in single + several:
                            south = _north_south(c, year)
                            if south is not None and ("South" if south else "North") != reg.side:
                                add((lst, i, "regions"), f"region '{code}' contradicts country {c}, which is Global "
                                    f"{'South' if south else 'North'} in {year} (docs/north-south.md)",
                                    "check the country and the region against the source")
                        continue
                    members = reg.countries()
                    for c in single:
                        if c not in members:
                            add((lst, i, "regions"), f"region '{code}' ({reg.label}) does not contain the item's country {c}",
                                "check the country and the region against the source; a party in several places takes 'countries:'")
                    if several and not members & set(several):
                        add((lst, i, "regions"), f"region '{code}' ({reg.label}) contains none of the item's countries "
                            f"({', '.join(several)})", "check the countries and the region against the source")

    def _check_codes(self, item: dict, path: tuple, add) -> None:
        for fld in ("country", "nationality"):
            if fld in item and not is_country(item[fld]):
                add(path + (fld,), f"unknown country code '{item[fld]}'", "use an ISO 3166-1 alpha-2 code such as FR, MG, VE")
        for j, c in enumerate(item.get("countries", []) or []):
            if not is_country(c):
                add(path + ("countries", j), f"unknown country code '{c}'", "use an ISO 3166-1 alpha-2 code such as FR, MG, VE")
        if "currency" in item and not is_currency(item["currency"]) and item["currency"] != NOT_STATED:
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
        result = Emitter(doc.data, iris, display, sha).emit()
        if context is not None:
            context["studies"][study_id] = {"file": display, "line": doc.line(("study", "id")),
                                            "ids": result.counts.pop("_ids", {}),
                                            "org_iris": result.counts.pop("_org_iris", {}),
                                            "sections": set(doc.data["study"]["sections"]),
                                            "globals": _shared_organisations(doc),
                                            "tie_ends": {t["id"]: (t["from"], t["to"])
                                                         for t in doc.data.get("ties", []) or []},
                                            "study": study_id, "local": _local_iris(doc, result, iris)}
        else:
            result.counts.pop("_ids", None)
            result.counts.pop("_org_iris", None)
        return result


SHARED_KINDS = {"city", "country", "currency", "software", "activity"}


def _local_iris(doc: Located, loaded: LoadedGraph, iris: IRIs) -> dict[str, tuple[int | None, str | None]]:
    """The IRIs this case file mints for itself (the study, its graph, its items and what derives from
    them: every subject named ``{kind}/{study id}`` or ``{kind}/{study id}-...``, shared organisations,
    places and currencies aside), each with the line and field of the item it comes from, for
    :func:`iri_clash_problems`."""
    data, study_id, base = doc.data, doc.data["study"]["id"], iris.base
    shared = {str(iris("organisation", o["global_id"])) for o in data.get("organisations", []) or [] if o.get("global_id")}
    where: dict[str, tuple] = {str(iris.study(study_id)): ("study", "id")}
    for lst in ITEM_LISTS:
        for i, item in enumerate(data.get(lst, []) or []):
            if not (lst == "organisations" and item.get("global_id")):
                where[str(iris.item(IRI_KIND[lst], study_id, item["id"]))] = (lst, i, "id")
    for i, part in enumerate(data["study"].get("parts", []) or []):
        where[str(iris("study", f"{study_id}-{part['id']}"))] = ("study", "parts", i, "id")
    for key in data["study"]["sections"]:
        where[str(iris.section(study_id, key))] = ("study", "sections", key)
    out = {}
    for subject in {t[0] for t in loaded.iter_triples()}:
        text = str(subject)
        kind, _, slug = text[len(base):].partition("/") if text.startswith(base) else ("", "", "")
        if kind and kind not in SHARED_KINDS and text not in shared and (slug == study_id or slug.startswith(study_id + "-")):
            path = where.get(text, ("study", "id"))
            out[text] = (doc.line(path), field_name(path))
    return out


def iri_clash_problems(studies: dict[str, dict], most: int = 5) -> list[Problem]:
    """Two case files minting one IRI: ids joined with a hyphen can meet ('rt-base' + 'lead-x' and
    'rt-base-lead' + 'x' both give ``.../rt-base-lead-x``), and the two items would silently become
    one node. Reported in both files, at most ``most`` IRIs per pair of files."""
    first: dict[str, tuple[dict, int | None, str | None]] = {}
    counts: dict[tuple[str, str], int] = {}
    problems = []
    for study in sorted(studies.values(), key=lambda st: st["file"]):
        for iri, (line, fld) in sorted((study.get("local") or {}).items(), key=lambda kv: (kv[1][0] or 0, kv[0])):
            other, oline, ofld = first.setdefault(iri, (study, line, fld))
            if other is study:
                continue
            pair = (other["file"], study["file"])
            counts[pair] = counts.get(pair, 0) + 1
            if counts[pair] > most:
                continue
            hint = (f"study ids '{other['study']}' and '{study['study']}' run into each other when ids are joined "
                    "with '-': change one study id (or one of the two item ids)")
            for (a, aline, afld), b in (((study, line, fld), other), ((other, oline, ofld), study)):
                problems.append(Problem(a["file"], aline, afld,
                                        f"IRI <{iri}> is also minted by {b['file']} (study '{b['study']}'): "
                                        "the two would silently become one node", hint))
    return problems


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


def _cycles(edges: list[tuple[str, str | None]]) -> list[tuple[int, list[str]]]:
    """The cycles of a relation where each item points to at most one other (``part_of``, ``renamed_to``):
    ``(index of the item that closes it, ids around it)`` once per cycle, for cycles of two or more items
    (an item pointing to itself is reported on its own)."""
    target = {a: b for a, b in edges if b is not None}
    index = {a: i for i, (a, _) in enumerate(edges)}
    done: set[str] = set()
    out = []
    for start, _ in edges:
        trail: list[str] = []
        node = start
        while node in target and node not in done and node not in trail:
            trail.append(node)
            node = target[node]
        if node in trail and target.get(node) != node:
            cycle = trail[trail.index(node):]
            k = max(range(len(cycle)), key=lambda j: index[cycle[j]])  # reported where it closes, in file order
            around = cycle[k:] + cycle[:k]
            out.append((index[around[0]], around + [around[0]]))
        done.update(trail)
    return out


def _with_article(noun: str) -> str:
    """'an organisation', 'an AI product', 'a tie'."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def is_date_text(text: Any) -> bool:
    """A date that exists, written YYYY-MM-DD."""
    try:
        return isinstance(text, str) and is_date(text)
    except ValueError:
        return False


def _north_south(country: str, year: int) -> bool | None:
    from ..linking import north_south

    return north_south(country, year)


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


register("casefile", CaseFileLoader)

__all__ = ["CaseFileLoader", "is_country", "is_currency"]

# loader_for() imports only casefile and csvfile; importing rdffile here registers the RDF loader
# (.ttl, .nt, .nq, .rdf, .owl, .jsonld) for user-supplied evidence.
from . import rdffile  # noqa: E402,F401
