"""Usage errors of the command line: exit 2 with one line that says what to fix (README: exit codes)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _datawork(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATAWORK_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "datawork_kg.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args,needle", [
    (["query"], "give a query NAME, --list or --all"),
    (["query", "chain-trace", "-p", "lead"], "'lead' is not NAME=VALUE"),
    (["query", "chain-trace", "-p"], "requires an argument"),
    (["serve", "--port", "99999"], "99999 is not in the range 1<=x<=65535"),
    (["sparql"], "Missing argument"),
    (["build", "--no-such-option"], "No such option"),
])
def test_usage_error_is_one_line_and_exit_2(tmp_path, args, needle):
    r = _datawork(args, tmp_path / "home")
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert "--help" in lines[0]  # where to read more


# ----------------------------------------------------------------- datawork sparql: what the errors say
@pytest.fixture(scope="module")
def home(built):
    ws, _ = built
    return ws.root


def test_sparql_missing_file_is_not_read_as_query_text(home, tmp_path):
    r = _datawork(["sparql", "my-query.rq"], home)
    assert r.returncode == 2 and "no such file: my-query.rq" in r.stderr, r.stderr
    assert "syntax error" not in r.stderr and "Traceback" not in r.stderr


def test_sparql_error_line_is_the_query_own(home, tmp_path):
    """The usual prefixes (dw:, rdfs:...) do not shift the line of an error: a 4-line query reports line 4."""
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?x\nWHERE {\n  ?x a dw:Task\n  ?x dw:label ?y .\n}\n", encoding="utf-8")  # no dot on line 3
    r = _datawork(["sparql", str(q)], home)
    assert r.returncode == 2, r.stderr
    assert "line 4," in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_sparql_unknown_prefix_is_named(home, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?x\nWHERE {\n  ?x a dw:Task .\n  ?x foo:bar ?y\n}\n", encoding="utf-8")
    r = _datawork(["sparql", str(q)], home)
    assert r.returncode == 2
    assert "unknown prefix 'foo:' (line 4)" in r.stderr and "PREFIX foo:" in r.stderr, r.stderr
    assert "u{00B7}" not in r.stderr and len(r.stderr) < 600  # no character-class dump
    r = _datawork(["sparql", "SELECT * WHERE { ?x :p ?y }"], home)
    assert r.returncode == 2 and "unknown prefix ':'" in r.stderr, r.stderr


def test_sparql_with_predeclared_prefixes_still_runs(home):
    r = _datawork(["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?t a dw:Task ; rdfs:label ?l . "
                             'FILTER(!CONTAINS(?l, "foo:bar # not a comment")) }', "-f", "csv"], home)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.splitlines()[1]) > 10


def test_query_with_an_unknown_iri_says_so(home):
    local = "https://w3id.org/datawork/id/organisation/tubaro-2025-amt"
    r = _datawork(["query", "chain-trace", "-p", f"lead={local}"], home)
    assert r.returncode == 2, r.stderr
    assert f"<{local}> is unknown" in r.stderr
    assert "lead=https://w3id.org/datawork/id/organisation/amazon-mechanical-turk" in r.stderr


def test_serve_on_a_port_in_use_is_a_clear_error(home):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _datawork(["serve", "--port", str(port)], home)
    assert r.returncode == 2, r.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "choose another --port" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "INFO:" not in r.stderr
