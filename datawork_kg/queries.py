"""The SPARQL query library: ``queries/*.rq`` files with a grlc-style ``#+`` YAML header.

A query's file stem is its name. Parameters are written in the query as ``?_name_type``
(grlc's convention; type one of ``iri``, ``literal``, ``string``, ``integer``, ``number``,
``country``, ``boolean``) and bound safely: the value is checked against its type, turned into an
RDF term, and bound with a ``VALUES`` block placed at the start of the outer ``WHERE`` (never
spliced into the query text as raw text). The same text runs on the embedded store and on any
remote SPARQL endpoint (SPARQLWrapper), so both give the same answers. Queries read the default
graph, which every build fills with the deduplicated union of the named graphs.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .errors import QueryError
from .resources import queries_dir
from .terms import convert, from_sparql_json

PARAM_RE = re.compile(r"\?(_{1,2})([A-Za-z][A-Za-z0-9]*)_(iri|literal|string|integer|number|country|boolean)\b")
HEADER_KEYS_REQUIRED = ("summary", "description", "tags", "source")
IRI_OK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@dataclass
class Param:
    name: str
    type: str
    required: bool
    default: Any = None
    description: str = ""

    @property
    def variable(self) -> str:
        return f"{'_' if self.required else '__'}{self.name}_{self.type}"


@dataclass
class LibraryQuery:
    name: str
    path: Path
    text: str
    header: dict
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return str(self.header.get("summary", ""))

    @property
    def kind(self) -> str:
        return query_form(self.text)


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the form of a query, read past comments and prologue."""
    body = re.sub(r"(?m)#.*$", "", text)
    body = re.sub(r"(?is)^\s*(PREFIX\s+\S*\s*<[^>]*>\s*|BASE\s*<[^>]*>\s*)*", "", body)
    m = re.match(r"\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.I)
    return m.group(1).upper() if m else "SELECT"


def parse_query_file(path: Path) -> LibraryQuery:
    text = path.read_text(encoding="utf-8")
    head_lines = [ln[2:] if ln.startswith("#+") else None for ln in text.splitlines()]
    yaml_text = "\n".join(ln[1:] if ln.startswith(" ") else ln for ln in head_lines if ln is not None)
    if not yaml_text.strip():
        raise QueryError("query has no '#+' header", file=str(path), line=1,
                         hint="start the file with '#+ summary: ...' lines (see docs/queries.md)")
    try:
        header = yaml.safe_load(yaml_text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QueryError(f"bad YAML in the '#+' header: {getattr(exc, 'problem', exc)}", file=str(path),
                         line=(mark.line + 1) if mark else None, hint="fix the header lines starting with '#+'") from None
    if not isinstance(header, dict):
        raise QueryError("the '#+' header must be a YAML mapping", file=str(path), line=1)
    for key in HEADER_KEYS_REQUIRED:
        if key not in header:
            raise QueryError(f"the header lacks '{key}'", file=str(path), field=key,
                             hint=f"add '#+ {key}: ...'")
    declared = header.get("params") or {}
    params: dict[str, Param] = {}
    for m in PARAM_RE.finditer(text):
        under, name, typ = m.groups()
        if name in params:
            continue
        spec = declared.get(name) or {}
        params[name] = Param(name, typ, under == "_", spec.get("default"), str(spec.get("description", "")))
    for name in declared:
        if name not in params:
            raise QueryError(f"parameter '{name}' is declared in the header but not used as ?_{name}_TYPE",
                             file=str(path), field=f"params.{name}")
    return LibraryQuery(path.stem, path, text, header, params)


def library(directory: Path | None = None) -> dict[str, LibraryQuery]:
    d = directory or queries_dir()
    return {p.stem: parse_query_file(p) for p in sorted(d.glob("*.rq"))}


def get(name: str, directory: Path | None = None) -> LibraryQuery:
    d = directory or queries_dir()
    path = d / f"{name}.rq"
    if not path.exists():
        import difflib

        names = [p.stem for p in d.glob("*.rq")]
        guess = difflib.get_close_matches(name, names, n=1)
        raise QueryError(f"no library query named '{name}'",
                         hint=(f"did you mean '{guess[0]}'? " if guess else "") + "list them with 'datawork query --list'")
    return parse_query_file(path)


# ----------------------------------------------------------------- binding
def term_for(param: Param, value: Any) -> str:
    """The SPARQL term for ``value``, checked against the parameter's type."""
    t = param.type
    if t == "iri":
        v = str(value)
        if v.startswith("<") and v.endswith(">"):
            v = v[1:-1]
        if not IRI_OK.match(v):
            raise QueryError(f"parameter '{param.name}' must be an IRI, got {value!r}", field=param.name,
                             hint="give a full IRI such as https://w3id.org/datawork/id/chain/...")
        return f"<{v}>"
    if t == "integer":
        try:
            return str(int(str(value)))
        except ValueError:
            raise QueryError(f"parameter '{param.name}' must be a whole number, got {value!r}", field=param.name) from None
    if t == "number":
        try:
            return f'"{Decimal(str(value))}"^^<http://www.w3.org/2001/XMLSchema#decimal>'
        except Exception:
            raise QueryError(f"parameter '{param.name}' must be a number, got {value!r}", field=param.name) from None
    if t == "boolean":
        v = str(value).lower()
        if v not in ("true", "false"):
            raise QueryError(f"parameter '{param.name}' must be true or false", field=param.name)
        return v
    if t == "country":
        v = str(value).upper()
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise QueryError(f"parameter '{param.name}' must be an ISO 3166-1 alpha-2 code, got {value!r}", field=param.name)
        return f'"{v}"'
    # literal / string: escape per the SPARQL grammar
    s = str(value)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{s}"' if t == "string" else f'"{s}"'


def bind(q: LibraryQuery, params: dict[str, Any] | None = None) -> str:
    """The query text with its parameters bound by a VALUES block at the start of the outer WHERE."""
    params = dict(params or {})
    unknown = [k for k in params if k not in q.params]
    if unknown:
        raise QueryError(f"query '{q.name}' has no parameter '{unknown[0]}'", field=unknown[0],
                         hint="its parameters: " + (", ".join(q.params) or "none"))
    if not q.params:
        return q.text
    names, values = [], []
    for name, p in q.params.items():
        value = params.get(name, p.default)
        names.append("?" + p.variable)
        if value is None:
            if p.required:
                raise QueryError(f"query '{q.name}' needs parameter '{name}' ({p.type})", field=name,
                                 hint=f"add --param {name}=VALUE")
            values.append("UNDEF")
        else:
            values.append(term_for(p, value))
    block = f"VALUES ({' '.join(names)}) {{ ({' '.join(values)}) }}"
    m = _outer_where(q.text)
    if m is None:
        raise QueryError(f"query '{q.name}' has no WHERE clause to bind parameters in", file=str(q.path))
    return q.text[:m] + "\n  " + block + "\n" + q.text[m:]


def _outer_where(text: str) -> int | None:
    """Index just after the '{' of the first WHERE outside comments, IRIs and strings."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "<" and re.match(r"<[^\s<>]*>", text[i:]):
            i = text.index(">", i) + 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if text[i:i + 5].upper() == "WHERE" and (i == 0 or not text[i - 1].isalnum()):
            j = text.find("{", i)
            return None if j < 0 else j + 1
        if c == "{":  # SELECT ... { without WHERE keyword
            return i + 1
        i += 1
    return None


# ----------------------------------------------------------------- running
@dataclass
class Result:
    """Rows of a SELECT as Python values, with each column's type."""

    variables: list[str]
    rows: list[dict[str, Any]]
    types: dict[str, str]
    query: str = ""
    boolean: bool | None = None
    triples: Any = None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list:
        return [r.get(name) for r in self.rows]

    def to_dataframe(self):
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=self.variables)
        for v in self.variables:
            t = self.types.get(v)
            if t == "integer":
                df[v] = df[v].astype("Int64")
            elif t == "number":
                df[v] = pd.to_numeric(df[v]).astype("Float64")
            elif t == "boolean":
                df[v] = df[v].astype("boolean")
            else:
                df[v] = df[v].astype("string")
        return df


def _merge_type(old: str | None, new: str) -> str:
    if new == "null" or old == new:
        return old or new
    if old in (None, "null"):
        return new
    if {old, new} == {"integer", "number"}:
        return "number"
    return "string"


def uses_service(text: str) -> bool:
    """True if the query calls SERVICE (a federated query), decided from the parsed query.

    The same check as the server's (:func:`datawork_kg.querycheck.calls_service`): ``SERVICE`` in a
    prefixed name such as ``dw:form-managed-service``, a string, an IRI or a comment is not a call.
    """
    from .namespace import PREFIXES
    from .querycheck import calls_service

    return calls_service(text, PREFIXES)


def with_prefixes(text: str) -> str:
    """``text`` with a PREFIX declaration for each usual prefix (``dw:``, ``rdfs:``...) it uses but does not
    declare, all on its first line, so an endpoint's error still names the text's own line numbers."""
    from .namespace import PREFIXES

    missing = [p for p, _ in unknown_prefixes(text) if p in PREFIXES]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}> " for p in missing) + text


_PREFIXED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:")
_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def unknown_prefixes(text: str, predeclared=()) -> list[tuple[str, int]]:
    """``(prefix, line)`` of each prefixed name of ``text`` whose prefix is neither declared in the
    text nor in ``predeclared``, first use first."""
    from .querycheck import blank_opaque

    bare = blank_opaque(text)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(bare)} | set(predeclared)
    out, seen = [], set()
    for m in _PREFIXED.finditer(bare):
        prefix = m.group(1) or ""
        if prefix not in declared and prefix not in seen:
            seen.add(prefix)
            out.append((prefix, bare.count("\n", 0, m.start()) + 1))
    return out


def syntax_error(exc: SyntaxError, text: str, prefixes=None) -> QueryError:
    """A clear error for a query Oxigraph could not parse: an undeclared prefix is named (Oxigraph lists
    the characters it expected instead), other errors keep their line and column, without the
    character-class dump."""
    from .namespace import PREFIXES

    unknown = unknown_prefixes(text, prefixes if prefixes is not None else ())
    if unknown:
        prefix, line = unknown[0]
        known = ", ".join(f"{k}:" for k in (prefixes or PREFIXES))
        return QueryError(f"unknown prefix '{prefix}:' (line {line})",
                          hint=f"declare it with PREFIX {prefix}: <...> at the top" + (
                              f", or use a predeclared prefix ({known})" if prefixes else ""))
    msg = str(exc)
    m = _ERROR_AT.match(msg)
    if not m:
        return QueryError(f"SPARQL syntax error: {msg.splitlines()[0][:200]}", hint="check the query text")
    return _positioned_syntax_error(int(m.group(1)), int(m.group(2)), m.group(3))


def _positioned_syntax_error(line: int, col: int, detail: str, where: str = "") -> QueryError:
    """Oxigraph's 'error at LINE:COL: DETAIL' as a clear error, without its character-class dump."""
    detail = " ".join(detail.split())
    if detail.startswith("expected one of") and len(detail) > 80:
        detail = "unexpected text"
    return QueryError(f"SPARQL syntax error at line {line}, column {col}{where}: {detail[:200]}",
                      hint="check the query text there")


def _remote_syntax_error(endpoint: str, message: str, shift: int) -> QueryError:
    """An endpoint's answer to a malformed query as a syntax error: Oxigraph's 'error at L:C' read as line
    and column of the user's text (``shift``: characters of prefixes added before its first line)."""
    m = re.search(r"error at (\d+):(\d+): (.*?)'?$", message, re.S)
    if not m:
        body = message.split("Response:", 1)[-1].strip()
        return QueryError(f"the endpoint {endpoint} refused the query as malformed: {body[:300]}",
                          hint="check the query text")
    line, col = int(m.group(1)), int(m.group(2))
    return _positioned_syntax_error(line, max(1, col - shift) if line == 1 else col, m.group(3),
                                    f" (endpoint {endpoint})")


def run_store(store: ox.Store, text: str, *, timeout: float | None = None, allow_service: bool = False,
              prefixes: dict[str, str] | None = None) -> Result:
    """Run ``text`` on the store; ``prefixes``: prefixes the query may use without declaring them (given to the
    parser, so error positions are the text's own)."""
    from .querycheck import nesting_problem

    too_deep = nesting_problem(text)
    if too_deep:
        raise QueryError(too_deep, hint="flatten the query: a group or expression needs a few levels")
    if not allow_service and uses_service(text if not prefixes else with_prefixes(text)):
        raise QueryError("the query calls SERVICE (a federated query to another endpoint), which is off by default",
                         hint="pass --allow-service (Python: allow_service=True) if you have internet and trust the endpoint")
    try:
        # the default graph is the deduplicated union (see build.default_graph_size)
        res = store.query(text, prefixes=prefixes) if prefixes else store.query(text)
    except SyntaxError as exc:
        raise syntax_error(exc, text, prefixes) from None
    if isinstance(res, ox.QueryBoolean):
        return Result([], [], {}, text, boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        return Result([], [], {}, text, triples=list(res))
    variables = [v.value for v in res.variables]
    # a solution iterates over its values in the order of the variables: much cheaper than looking
    # each one up by name (about a sixth of the time of a 13-column, 1,500-row answer)
    return _typed_result(variables, (tuple(sol) for sol in res), text)


def _typed_result(variables: list[str], solutions, text: str) -> Result:
    """Rows of Python values and each column's type, from solutions given as lists of terms."""
    rows, types = [], {}
    seen: dict = {}  # term -> (value, kind): IRIs and codes recur from row to row
    kinds: dict[str, set] = {v: set() for v in variables}
    for terms in solutions:
        row = {}
        for v, term in zip(variables, terms):
            hit = seen.get(term)
            if hit is None:
                hit = seen[term] = convert(term)
            row[v] = hit[0]
            kinds[v].add(hit[1])
        rows.append(row)
    for v in variables:  # each column's type: the kinds of its cells merged (the merge is order-free)
        for kind in kinds[v]:
            types[v] = _merge_type(types.get(v), kind)
    for v in variables:
        types.setdefault(v, "null")
    return Result(variables, rows, types, text)


def run_endpoint(endpoint: str, text: str, *, timeout: float = 60, add_prefixes: bool = False) -> Result:
    """Run ``text`` on a remote SPARQL endpoint; ``add_prefixes``: declare the usual prefixes the text uses
    without declaring them (on its first line, so the endpoint's error positions are the text's own)."""
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    from .errors import DataworkError

    sent = with_prefixes(text) if add_prefixes else text
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(sent)
    # SPARQLWrapper guesses the query form from keywords anywhere in the text (comments included:
    # 'task' reads as ASK); say it from the query itself.
    sw.queryType = query_form(sent)
    sw.setMethod("POST")
    sw.setReturnFormat(JSON)
    sw.setTimeout(int(timeout))
    try:
        data = sw.query().convert()
    except QueryBadFormed as exc:
        raise _remote_syntax_error(endpoint, str(exc), len(sent) - len(text)) from None
    except Exception as exc:
        raise DataworkError(f"the endpoint {endpoint} failed: {exc}", hint="check the URL and that the server is up") from None
    if "boolean" in data:
        return Result([], [], {}, text, boolean=bool(data["boolean"]))
    variables = data["head"]["vars"]
    return _typed_result(variables, ([from_sparql_json(b.get(v)) for v in variables]
                                     for b in data["results"]["bindings"]), text)


DW_LOCAL_ID = "https://w3id.org/datawork/ontology#localId"


def check_iri_params(store: ox.Store, q: LibraryQuery, params: dict[str, Any] | None) -> None:
    """Refuse an IRI parameter that names nothing in the graph (the query would answer 0 rows and say
    nothing), suggesting the IRI meant: the shared organisation's when a study-local one was given
    (``organisation/tubaro-2025-amt`` for ``organisation/amazon-mechanical-turk``), else the closest IRI
    of the same kind."""
    for name, value in (params or {}).items():
        p = q.params.get(name)
        if p is None or p.type != "iri" or value is None:
            continue
        iri = term_for(p, value)[1:-1]
        if store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"):
            continue
        head, _, slug = iri.rpartition("/")
        hint = None
        shared = [(sol[0].value, sol[1].value) for sol in store.query(
            f'SELECT ?o ?l WHERE {{ ?o <{DW_LOCAL_ID}> ?l FILTER(REPLACE(STR(?l), ":", "-") = "{slug}") }} LIMIT 1')] \
            if slug and '"' not in slug and "\\" not in slug else []
        if shared:
            study, _, local = shared[0][1].partition(":")
            hint = (f"'{local}' of study '{study}' is a shared organisation, with one IRI for every study: "
                    f"{name}={shared[0][0]}")
        elif head:
            import difflib

            same_kind = {sol[0].value for sol in store.query(
                f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{head}/")) }}')}
            guess = difflib.get_close_matches(iri, sorted(same_kind), n=1, cutoff=0.6)
            if guess:
                hint = f"did you mean {guess[0]}?"
        raise QueryError(f"the IRI <{iri}> is unknown: nothing in the graph has it", field=name,
                         hint=hint or "find IRIs with 'datawork sparql' or on the resource pages of 'datawork serve'")


def run_named(name: str, *, params: dict | None = None, dataframe: bool = False, store: ox.Store | None = None,
              endpoint: str | None = None, home: str | Path | None = None, directory: Path | None = None,
              allow_service: bool = False):
    q = get(name, directory)
    text = bind(q, params)
    if endpoint:
        result = run_endpoint(endpoint, text)
    else:
        if store is None:
            from .store import open_store

            store = open_store(home)
        check_iri_params(store, q, params)
        result = run_store(store, text, allow_service=allow_service)
    return result.to_dataframe() if dataframe else result


# ----------------------------------------------------------------- output
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # never let a spreadsheet run a formula from the data
    return value


def to_csv(result: Result, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(result.variables)
    for row in result.rows:
        w.writerow(["" if row.get(v) is None else _num(_cell(row.get(v))) for v in result.variables])
    return buf.getvalue()


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):  # shortest exact form; whole numbers without ".0" (7.5 -> 7.5, 75.0 -> 75)
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return v


def to_json(result: Result) -> str:
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean})
    return json.dumps([{v: r.get(v) for v in result.variables} for r in result.rows], default=str, indent=1,
                      ensure_ascii=False)


def to_table(result: Result, max_width: int = 48) -> str:
    if result.boolean is not None:
        return "yes" if result.boolean else "no"
    cols = result.variables
    def fmt(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:.6g}"
        s = str(v)
        for prefix, short in (("https://w3id.org/datawork/ontology#", "dw:"), ("https://w3id.org/datawork/id/", "")):
            if s.startswith(prefix):
                s = short + s[len(prefix):]
        return s if len(s) <= max_width else s[: max_width - 1] + "…"
    cells = [[fmt(r.get(c)) for c in cols] for r in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(cols)),
             "  ".join("-" * widths[i] for i in range(len(cols)))]
    for row in cells:
        lines.append("  ".join(row[i].ljust(widths[i]) for i in range(len(cols))))
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)


def render(result: Result, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_csv(result, "\t")
    if fmt == "json":
        return to_json(result)
    if fmt == "table":
        return to_table(result)
    raise QueryError(f"unknown format '{fmt}'", hint="use table, csv, tsv or json")


__all__ = ["LibraryQuery", "Param", "Result", "library", "get", "bind", "run_store", "run_endpoint", "run_named",
           "render", "to_csv", "to_json", "to_table", "parse_query_file"]
