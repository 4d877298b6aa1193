"""Running the query library: embedded store and a real remote endpoint, Python API, CLI, CSV for R.

The endpoint is a real Oxigraph server on 127.0.0.1 loaded with the build's N-Quads dump and run
with ``--union-default-graph`` (the embedded store queries the union of the named graphs too), so
every library query must give the same rows through both. Without the ``oxigraph`` binary these
tests are skipped, except on CI (``CI=true``), where they fail.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

import datawork_kg
from datawork_kg import queries as Q
from datawork_kg.cli import main
from datawork_kg.errors import QueryError

try:
    from servers import start_oxigraph
except ImportError:  # run from the repository root as a package
    from tests.servers import start_oxigraph

ID = "https://w3id.org/datawork/id/"
LIBRARY = sorted(Q.library())


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def endpoint(built, tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 serving the build's datawork.nq.

    Queries read the default graph. A build that stores the deduplicated union of the named graphs as
    the default graph (summary key ``default_graph_triples``) puts it in the dump, so the server runs
    as is; otherwise it runs with ``--union-default-graph``.
    """
    ws, result = built
    dump = ws.dumps_dir() / "datawork.nq"
    assert dump.exists(), "the build wrote no N-Quads dump"
    union = not result.summary.get("default_graph_triples")
    url, stop = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), [dump], union_default_graph=union)
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="module")
def home(built):
    ws, _ = built
    return str(ws.root)


def _cell(value):
    """Normalise one cell: lists written with '; ' have no fixed order (GROUP_CONCAT); floats to 9 places."""
    if isinstance(value, str) and "; " in value:
        return "; ".join(sorted(value.split("; ")))
    if isinstance(value, float):
        return round(value, 9)
    return value


def _rows(result: Q.Result) -> list[tuple]:
    return sorted((tuple((v, _cell(r.get(v))) for v in result.variables) for r in result.rows), key=repr)


def _needs_internet(name: str) -> bool:
    return re.search(r"(?im)^[^#\n]*\bSERVICE\b", Q.get(name).text) is not None


# ----------------------------------------------------------------- same answers: embedded store and endpoint
@pytest.mark.server
@pytest.mark.parametrize("name", LIBRARY)
def test_store_and_endpoint_give_the_same_answers(name, store, endpoint):
    if _needs_internet(name):
        pytest.skip(f"{name} federates with a public endpoint (SERVICE), not reachable offline")
    q = Q.get(name)
    text = Q.bind(q)
    local = Q.run_store(store, text)
    remote = Q.run_endpoint(endpoint, text)
    assert remote.variables == local.variables
    assert _rows(remote) == _rows(local)
    assert {k: v for k, v in remote.types.items() if v != "null"} == {k: v for k, v in local.types.items() if v != "null"}


@pytest.mark.server
def test_endpoint_with_parameters_and_python_api(store, endpoint):
    params = {"chain": ID + "chain/olm-southeast-asia-c-sheila"}
    local = datawork_kg.query("price-share-by-link", store=store, **params)
    remote = datawork_kg.query("price-share-by-link", endpoint=endpoint, **params)
    assert _rows(remote) == _rows(local) and len(local) == 2
    df = datawork_kg.query("last-worker-share", endpoint=endpoint, dataframe=True)
    assert str(df["share"].dtype) == "Float64"
    assert df.loc[df["worker_name"] == "Dalale", "share"].iloc[0] == pytest.approx(0.1)


@pytest.mark.server
def test_cli_runs_against_the_endpoint(endpoint, home):
    res = CliRunner().invoke(main, ["--home", home, "query", "deep-labour-chains", "--endpoint", endpoint,
                                    "-p", "min=3", "-f", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["chain"] for r in rows] == [ID + "chain/tubaro-2025-ch-voice-deep-labour"]
    assert rows[0]["intermediaries"] == 4


# ----------------------------------------------------------------- Python API: typed rows and DataFrames
def test_python_api_returns_typed_rows(store):
    r = datawork_kg.query("chain-tiers", store=store)
    voice = next(row for row in r if row["chain"].endswith("ch-voice-deep-labour"))
    assert voice["links"] == 6 and isinstance(voice["links"], int)
    share = datawork_kg.query("last-worker-share", store=store)
    assert all(isinstance(row["share"], float) for row in share)
    vcp = datawork_kg.query("value-chain-patterns", store=store)
    assert all(isinstance(row["bridging"], bool) for row in vcp)
    assert r.types["links"] == "integer" and share.types["share"] == "number" and vcp.types["bridging"] == "boolean"


def test_dataframe_columns_are_typed(store):
    df = datawork_kg.query("chain-tiers", store=store, dataframe=True)
    assert str(df["links"].dtype) == "Int64" and str(df["intermediaries"].dtype) == "Int64"
    assert str(df["chain"].dtype) == "string"
    prices = datawork_kg.query("price-share-by-link", store=store, dataframe=True)
    assert str(prices["share"].dtype) == "Float64" and str(prices["amount"].dtype) == "Float64"
    assert str(prices["step"].dtype) == "Int64" and str(prices["last_worker"].dtype) == "boolean"
    # missing values stay missing (pd.NA), not NaN strings or zeros
    assert prices["share"].isna().any() and prices["share"].notna().any()
    hourly = datawork_kg.query("hourly-pay", store=store, dataframe=True, currency="USD")
    assert hourly["hourly_high"].max() == 22


# ----------------------------------------------------------------- CSV for R users
def test_csv_keeps_numbers_as_numbers(store):
    text = Q.to_csv(Q.run_store(store, Q.bind(Q.get("sample-sizes"))))
    header, *lines = text.splitlines()
    assert header.split(",")[:6] == ["study", "method", "label", "kind", "mode", "sample_size"]
    rows = list(csv.DictReader(io.StringIO(text)))
    sizes = {r["sample_size"] for r in rows}
    assert {"908", "2428", "58"} <= sizes  # integers as integers, not 908.0
    assert not any(f'"{n}"' in text for n in ("908", "2428", "58"))  # never quoted
    hourly = Q.to_csv(Q.run_store(store, Q.bind(Q.get("hourly-pay"))))
    row = next(r for r in csv.DictReader(io.StringIO(hourly)) if r["pay"].endswith("p-sheila-rate"))
    assert (row["hourly_low"], row["hourly_high"]) == ("2.14", "3.75")
    assert ",2.14,3.75" in hourly
    for r in csv.DictReader(io.StringIO(hourly)):  # every number column parses as a number, as R's read.csv would
        float(r["hourly_low"]), float(r["hourly_high"])
    # booleans as TRUE/FALSE-readable words, empty cells for missing values
    shares = Q.to_csv(Q.run_store(store, Q.bind(Q.get("price-share-by-link"))))
    assert ",true," in shares and ",," in shares
    assert not any(cell.lower() in ("nan", "none", "<na>") for row in csv.reader(io.StringIO(shares)) for cell in row)


def test_tsv_and_json_formats(store):
    r = Q.run_store(store, Q.bind(Q.get("deep-labour-chains"), {"min": 3}))
    tsv = Q.render(r, "tsv").splitlines()
    assert tsv[0].split("\t")[:4] == ["study", "chain", "chain_label", "intermediaries"]
    assert tsv[1].split("\t")[3] == "4"
    data = json.loads(Q.render(r, "json"))
    assert data[0]["intermediaries"] == 4 and data[0]["deep_labour_form"] is True


def test_formula_like_strings_are_escaped_in_csv(store):
    r = Q.run_store(store, 'SELECT ("=HYPERLINK(\\"http://x\\")" AS ?a) ("@SUM(A1)" AS ?b) ("+1" AS ?c) '
                           '(-3 AS ?d) ("plain" AS ?e) WHERE {}')
    row = next(csv.reader(io.StringIO(Q.to_csv(r).splitlines()[1])))
    assert row[0] == "'=HYPERLINK(\"http://x\")" and row[1] == "'@SUM(A1)" and row[2] == "'+1"
    assert row[3] == "-3" and row[4] == "plain"  # a real negative number stays a number


# ----------------------------------------------------------------- safe binding
@pytest.mark.parametrize("bad", ["https://w3id.org/datawork/id/organisation/a b",
                                 "https://w3id.org/datawork/id/organisation/a>b",
                                 "https://x/> } ; DROP ALL ; SELECT * WHERE { <y",
                                 "not an iri"])
def test_iri_parameters_with_spaces_or_brackets_are_refused(bad, store):
    with pytest.raises(QueryError):
        Q.bind(Q.get("chain-trace"), {"lead": bad})
    with pytest.raises(QueryError):
        datawork_kg.query("chain-trace", store=store, lead=bad)


def test_iri_parameter_in_angle_brackets_is_accepted(store):
    r = datawork_kg.query("chain-trace", store=store, lead=f"<{ID}organisation/tubaro-2025-us-lead-firm>")
    assert len(r) == 6


@pytest.mark.parametrize("evil", ['" } ; DROP ALL #', '") } UNION { ?s ?p ?o } #', "quota\\", 'a\nb"'])
def test_a_literal_parameter_cannot_inject_sparql(evil, store):
    text = Q.bind(Q.get("claim-support"), {"text": evil})
    r = Q.run_store(store, text)
    assert r.rows == []  # bound as a literal: no statement contains it, nothing else runs
    assert len(Q.run_store(store, Q.bind(Q.get("claim-support")))) >= 1
    # and a literal with a quote that does occur is matched as text
    assert datawork_kg.query("claim-support", store=store, text="'deep labour'")


def test_country_and_integer_parameters_are_checked(store):
    with pytest.raises(QueryError):
        datawork_kg.query("pay-per-unit", store=store, country='VE" } #')
    with pytest.raises(QueryError):
        datawork_kg.query("deep-labour-chains", store=store, min="2 } #")
    assert {r["payee_country"] for r in datawork_kg.query("pay-per-unit", store=store, country="ve")} == {"VE"}


# ----------------------------------------------------------------- the command line
def test_cli_query_list_names_every_query(home):
    res = CliRunner().invoke(main, ["--home", home, "query", "--list"])
    assert res.exit_code == 0, res.output
    for name in LIBRARY:
        assert name in res.output
    assert "lead=https://w3id.org/datawork/id/organisation/tubaro-2025-us-lead-firm" in res.output


def test_cli_query_formats_and_params(home):
    runner = CliRunner()
    res = runner.invoke(main, ["--home", home, "query", "last-worker-share", "-f", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {r["worker_name"] for r in rows} >= {"Dalale"}
    assert next(r for r in rows if r["worker_name"] == "Dalale")["share"] == "0.1"
    res = runner.invoke(main, ["--home", home, "query", "pay-per-unit", "--param", "country=VE", "-f", "table"])
    assert res.exit_code == 0 and "per-1000-items" in res.output and "(2 rows)" in res.output
    res = runner.invoke(main, ["--home", home, "query", "chain-trace", "--show"])
    assert res.exit_code == 0 and "VALUES (?_lead_iri)" in res.output


def test_cli_refuses_bad_parameters_with_exit_code_2(home):
    runner = CliRunner()
    res = runner.invoke(main, ["--home", home, "query", "chain-trace", "-p", "lead=https://x/a b"])
    assert res.exit_code == 2 and "must be an IRI" in res.output
    res = runner.invoke(main, ["--home", home, "query", "chain-trace", "-p", "nope=1"])
    assert res.exit_code == 2 and "no parameter 'nope'" in res.output
    res = runner.invoke(main, ["--home", home, "query", "chain-trac"])
    assert res.exit_code == 2 and "chain-trace" in res.output  # suggests the right name


def test_cli_sparql_ad_hoc(home, tmp_path):
    runner = CliRunner()
    q = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dw:Chain }"
    res = runner.invoke(main, ["--home", home, "sparql", q, "-f", "csv"])
    assert res.exit_code == 0, res.output
    assert int(res.output.splitlines()[1]) >= 30
    f = tmp_path / "q.rq"
    f.write_text("SELECT ?s WHERE { ?s dw:offPlatform true } ORDER BY ?s", encoding="utf-8")
    res = runner.invoke(main, ["--home", home, "sparql", str(f), "-f", "json"])
    assert res.exit_code == 0 and len(json.loads(res.output)) == 2


# ----------------------------------------------------------------- IRIs that name nothing
def test_unknown_iri_parameter_is_named_and_the_shared_iri_suggested(store):
    """A study-local IRI of a shared organisation names nothing: say so, and give the shared IRI."""
    with pytest.raises(QueryError) as exc:
        datawork_kg.query("chain-trace", store=store, lead=ID + "organisation/tubaro-2025-amt")
    assert "is unknown" in exc.value.message and exc.value.field == "lead"
    assert ID + "organisation/amazon-mechanical-turk" in exc.value.hint
    with pytest.raises(QueryError) as exc:  # a typo: the closest IRI of the same kind
        datawork_kg.query("chain-trace", store=store, lead=ID + "organisation/tubaro-2025-us-lead-frim")
    assert ID + "organisation/tubaro-2025-us-lead-firm" in exc.value.hint
    assert len(datawork_kg.query("chain-trace", store=store, lead=ID + "organisation/tubaro-2025-us-lead-firm")) == 6


@pytest.mark.server
def test_cli_sparql_against_the_endpoint_keeps_the_text_s_line_numbers(endpoint, home):
    """The usual prefixes are declared for the endpoint on the text's first line, and only those it uses:
    the endpoint's error names the line of the text the user wrote."""
    ok = CliRunner().invoke(main, ["--home", home, "sparql", "--endpoint", endpoint, "-f", "json",
                                   "SELECT (COUNT(?c) AS ?n) WHERE { ?c a dw:Chain }"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)[0]["n"] > 30
    bad = CliRunner().invoke(main, ["--home", home, "sparql", "--endpoint", endpoint,
                                    "SELECT ?c\nWHERE {\n  ?c a dw:Chain .\n  FILTER(?c = ) }"])
    assert bad.exit_code == 2
    assert "SPARQL syntax error at line 4, column" in bad.output, bad.output
    # on the first line the column is the text's own too, not shifted by the prefixes sent before it
    one = CliRunner().invoke(main, ["--home", home, "sparql", "--endpoint", endpoint,
                                    "SELECT ?c WHERE { ?c a dw:Chain . FILTER(?c = ) }"])
    four = CliRunner().invoke(main, ["--home", home, "sparql", "--endpoint", endpoint,
                                     "\n\n\nSELECT ?c WHERE { ?c a dw:Chain . FILTER(?c = ) }"])
    assert one.output.split("column ")[1].split()[0] == four.output.split("column ")[1].split()[0], (one.output, four.output)


def test_the_nesting_limit_counts_brackets_outside_strings_only():
    """The bound on nesting (500 levels) holds exactly, and brackets inside a string, IRI or comment do
    not nest, even when there are more than 500 of them (the quick count of opening brackets only rules
    out deep nesting; it never decides that a text is too deep)."""
    from datawork_kg.querycheck import MAX_NESTING, too_deep

    def nested(levels: int) -> str:
        return "SELECT * WHERE {\n" + "{ " * (levels - 1) + "} " * (levels - 1) + "}"

    assert too_deep(nested(MAX_NESTING)) is None
    assert too_deep(nested(MAX_NESTING + 1)) == 2
    assert too_deep('SELECT * WHERE { FILTER(?x = "' + "(" * 900 + '") } # ' + "{" * 900) is None
