"""Bad inputs: every file in tests/bad_inputs/ (see manifest.yaml) through the real command line.

Each bad input must give a non-zero exit code, a message naming the file, the line and the field
and what would fix it, no traceback (unless --debug), and leave the store and dumps of a good
build byte-identical. Four cases are generated at test time (too big to commit): a case file over
the size limit, a YAML alias bomb, a CSV file with a 200,000-character cell and JSON-LD nested
200,000 levels deep.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad_inputs"
MANIFEST = yaml.safe_load((BAD / "manifest.yaml").read_text(encoding="utf-8"))["cases"]
BASE_CASE = ROOT / "evidence" / "lee-neoliberal-infrastructure.yaml"


def _datawork(args: list[str], home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATAWORK_HOME=str(home))
    env.pop("DATAWORK_TEST_KILL_AT", None)
    return subprocess.run([sys.executable, "-m", "datawork_kg.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(home: Path) -> tuple[str, dict[str, str]]:
    """Where ``current`` points and the sha256 of every file under it."""
    cur = home / "current"
    target = os.readlink(cur)
    sums = {}
    for p in sorted(cur.resolve().rglob("*")):
        if p.is_file():
            sums[str(p.relative_to(cur.resolve()))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return target, sums


@pytest.fixture(scope="session")
def good_home(tmp_path_factory):
    """A workspace holding a good build of the bundled evidence."""
    home = tmp_path_factory.mktemp("good-home")
    r = _datawork(["build", "--no-reason", "-q"], home)
    assert r.returncode == 0, f"the good build failed:\n{r.stdout}\n{r.stderr}"
    return home


# ----------------------------------------------------------------- the cases
def _generated(tmp: Path, kind: str) -> dict:
    if kind == "huge":
        from datawork_kg.loaders.yamlsafe import MAX_BYTES

        path = tmp / "huge.yaml"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(BASE_CASE.read_text(encoding="utf-8"))
            pad = "# " + "x" * 1021 + "\n"
            for _ in range(MAX_BYTES // len(pad) + 1024):
                fh.write(pad)
        return {"file": str(path), "exit": 2, "line": None, "field": None, "message": "over the limit"}
    if kind == "alias-bomb":
        path = tmp / "alias-bomb.yaml"
        lines = ["format: datawork-case/1", "study:", "  id: bomb", "  title: t", "  authorship: stated",
                 "  sections: {a: A}", "  note:", '    - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i in range(1, 12):
            lines.append(f"    - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return {"file": str(path), "exit": 2, "line": 8, "field": None, "message": "anchors and aliases"}
    if kind == "csv-huge-cell":
        from datawork_kg.loaders.csvfile import MAX_CELL

        path = tmp / "csv-huge-cell.csv"
        path.write_text("study,record,id,section,kind,payer,payee,tie,amount,currency,unit,note\n"
                        "lee-abstract,pay,pay-csv-1,abstract,pay,amt,global-precariat,amt-to-workers,2,USD,per-task,"
                        + "x" * (2 * MAX_CELL) + "\n", encoding="utf-8")
        return {"file": str(path), "with": "evidence/lee-neoliberal-infrastructure.yaml", "exit": 2, "line": 2,
                "field": "note", "message": "over the limit of 100,000"}
    if kind == "jsonld-deep":
        path = tmp / "jsonld-deep.jsonld"
        path.write_text('{"@id": "http://example.org/w1",\n "http://example.org/p": ' + "[" * 200_000 + "]" * 200_000
                        + "}\n", encoding="utf-8")
        return {"file": str(path), "exit": 2, "line": 2, "field": None, "message": "JSON nested more than 100 levels"}
    raise AssertionError(kind)


CASES = [pytest.param(c, id=c["file"]) for c in MANIFEST] + [
    pytest.param({"generated": "huge"}, id="generated:huge.yaml"),
    pytest.param({"generated": "alias-bomb"}, id="generated:alias-bomb.yaml"),
    pytest.param({"generated": "csv-huge-cell"}, id="generated:csv-huge-cell.csv"),
    pytest.param({"generated": "jsonld-deep"}, id="generated:jsonld-deep.jsonld"),
]


def _resolve(case: dict, tmp: Path) -> tuple[dict, list[str]]:
    if "generated" in case:
        case = _generated(tmp, case["generated"])
        path = Path(case["file"])
    else:
        path = BAD / case["file"]
    args = [str(path)]
    if case.get("with"):
        args = [str(ROOT / case["with"])] + args
    return case, args


def _check_message(case: dict, r: subprocess.CompletedProcess) -> None:
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out
    assert r.returncode == case["exit"], f"exit {r.returncode}, expected {case['exit']}:\n{out}"
    if case["exit"] == 0:
        return
    name = Path(case["file"]).name
    err = r.stderr
    assert name in err, f"message does not name the file:\n{err}"
    if case["line"] is not None:
        assert f"{name}:{case['line']}:" in err, f"message does not name line {case['line']}:\n{err}"
    if case["field"] is not None:
        assert f"field '{case['field']}'" in err, f"message does not name field {case['field']}:\n{err}"
    assert case["message"] in err, f"message lacks {case['message']!r}:\n{err}"
    assert "fix:" in err, f"message does not say what would fix it:\n{err}"


def test_manifest_covers_corpus():
    listed = {c["file"] for c in MANIFEST}
    present = {p.name for p in BAD.iterdir() if p.name not in ("manifest.yaml", "README.md")}
    assert listed == present, (listed ^ present)
    assert len(listed) + 2 >= 40
    for c in MANIFEST:
        assert c["exit"] in (0, 1, 2) and (c["exit"] == 0 or c["message"]), c


@pytest.mark.parametrize("case", CASES)
def test_validate(case, tmp_path):
    case, args = _resolve(case, tmp_path)
    t = time.perf_counter()
    r = _datawork(["validate", *args], tmp_path / "home", timeout=120)
    assert time.perf_counter() - t < 60, "validation of a bad input took too long"
    _check_message(case, r)


@pytest.mark.parametrize("case", CASES)
def test_build_leaves_store_unchanged(case, tmp_path, good_home):
    case, args = _resolve(case, tmp_path)
    if case["exit"] == 0:
        # an input the system must tolerate: it builds (in its own workspace, not the shared one)
        r = _datawork(["build", "--no-reason", "-q", *args], tmp_path / "home")
        _check_message(case, r)
        return
    before = snapshot(good_home)
    r = _datawork(["build", "--no-reason", "-q", *args], good_home)
    _check_message(case, r)
    assert snapshot(good_home) == before, "a failed build changed the store or the dumps"
    assert not list((good_home / "releases").glob(".partial-*")), "a failed build left a partial release"


def test_debug_shows_traceback(tmp_path):
    r = _datawork(["--debug", "validate", str(BAD / "tabs.yaml")], tmp_path / "home")
    assert r.returncode != 0
    assert "Traceback" in r.stderr


def test_xxe_does_not_read_local_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE-42\n")
    rdf = tmp_path / "xxe.rdf"
    rdf.write_text((BAD / "rdf-xxe.rdf").read_text().replace("file:///etc/passwd", secret.as_uri()))
    r = _datawork(["validate", str(rdf)], tmp_path / "home")
    assert r.returncode == 2
    assert "TOP-SECRET-VALUE-42" not in r.stdout + r.stderr
    assert "root:" not in r.stdout + r.stderr


def test_remote_context_is_never_fetched(monkeypatch, tmp_path):
    """Loading in-process with the network trapped: the refusal comes before any fetch."""
    import socket
    import urllib.request

    from datawork_kg.errors import InputError
    from datawork_kg.loaders import load_file

    def no_network(*a, **k):
        raise AssertionError("the loader tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    for name in ("rdf-remote-context.jsonld", "rdf-remote-context-nested.jsonld"):
        with pytest.raises(InputError) as exc:
            load_file(BAD / name)
        assert "remote JSON-LD context" in str(exc.value)


def test_long_literal_loads_in_linear_time(tmp_path):
    """A 10 MB literal in N-Triples (rdflib's N-Triples parser took minutes on it; pyoxigraph reads it
    in well under a second): loaded whole, through the command line, well within the bad-input time."""
    from datawork_kg.loaders import load_file

    nt = tmp_path / "long-literal.nt"
    nt.write_text('<http://example.org/w1> <http://example.org/note> "' + "x" * 10_000_000 + '" .\n', encoding="utf-8")
    lg = load_file(nt)
    assert lg.counts["triples"] == 1
    assert max(len(str(o)) for _, _, o in lg.iter_triples()) == 10_000_000
    t = time.perf_counter()
    r = _datawork(["validate", str(nt)], tmp_path / "home", timeout=120)
    assert r.returncode == 0, r.stderr
    assert time.perf_counter() - t < 60


def test_turtle_with_a_base_reads_the_same_anywhere(tmp_path, monkeypatch):
    """Relative IRIs are read against the file's @base, never against the working directory."""
    from datawork_kg.loaders import load_file

    ttl = tmp_path / "based.ttl"
    ttl.write_text('@base <http://example.org/> .\n<w1> <worksFor> <p1> .\n', encoding="utf-8")
    seen = []
    for cwd in (tmp_path, ROOT):
        monkeypatch.chdir(cwd)
        seen.append({t for t in load_file(ttl).iter_triples() if str(t[0]) == "http://example.org/w1"})
    assert seen[0] == seen[1] and len(seen[0]) == 1


def test_good_user_rdf_is_accepted(tmp_path):
    from datawork_kg.loaders import load_file

    ttl = tmp_path / "My Extra Evidence.ttl"
    ttl.write_text('@prefix ex: <http://example.org/> .\nex:w1 ex:worksFor ex:p1 ; ex:label "a worker <x y>" .\n')
    jsonld = tmp_path / "extra.jsonld"
    jsonld.write_text('{"@context": {"ex": "http://example.org/"}, "@id": "ex:w2", "ex:worksFor": {"@id": "ex:p1"}}')
    rdfxml = tmp_path / "extra.rdf"
    rdfxml.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                      'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/w3">'
                      '<ex:worksFor rdf:resource="http://example.org/p1"/></rdf:Description>\n</rdf:RDF>\n')
    nt = tmp_path / "extra.nt"
    nt.write_text("<http://example.org/w4> <http://example.org/worksFor> <http://example.org/p1> .\n")
    for f in (ttl, jsonld, rdfxml, nt):
        lg = load_file(f)
        assert str(lg.graph_iri).endswith("/graph/user-" + ("my-extra-evidence" if f is ttl else "extra"))
        assert lg.counts["triples"] >= 1


def test_formula_in_case_file_is_escaped_in_exported_csv():
    """Text from a case file may start with '='; exported CSV must not let a spreadsheet run it."""
    from datawork_kg.queries import Result, to_csv

    res = Result(["note"], [{"note": '=HYPERLINK("http://evil.example/x","click")'}], {"note": "string"})
    text = to_csv(res)
    assert '\n=HYPERLINK' not in text and '\n"=HYPERLINK' not in text
    assert "'=HYPERLINK" in text
