"""datawork_kg.check: contributor validation as a library function, and ``datawork validate`` printing it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from datawork_kg.check import check_files
from datawork_kg.cli import main
from datawork_kg.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
LEE = ROOT / "evidence" / "lee-neoliberal-infrastructure.yaml"
GAP = ROOT / "tests" / "shapes" / "invalid-chain-gap.ttl"   # loads, but breaks chain and provenance shapes


def _cli(*args: str) -> tuple[int, dict]:
    res = CliRunner().invoke(main, ["validate", "--format", "json", *args])
    return res.exit_code, json.loads(res.output)


def test_conforming_case_file():
    found = check_files([LEE])
    assert found.ok and found.violations == []
    assert found.files == [str(LEE)]
    assert found.loaded[0].n_triples > 100
    assert _cli(str(LEE)) == (0, {"ok": True, "files": [str(LEE)], "violations": []})


def test_violations_name_their_file():
    found = check_files([GAP])
    assert not found.ok
    assert {v.source_file for v in found.violations} == {str(GAP)}
    shapes = {str(v.shape).rsplit("#", 1)[-1] for v in found.violations}
    assert any(s.startswith("Chain") for s in shapes), shapes
    code, out = _cli(str(GAP))
    assert code == 1 and out["ok"] is False
    assert len(out["violations"]) == len(found.violations)


def test_csv_is_checked_with_its_case_file_but_reports_only_itself(tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text("study,record,id,section,kind,payer,payee,tie,amount,currency,unit,year\n"
                   "lee-abstract,pay,p-csv,abstract,pay,amt,global-precariat,amt-to-workers,0.02,USD,per-task,2020\n",
                   encoding="utf-8")
    found = check_files([csv])  # the bundled case files are its context
    assert found.files == [str(csv)] and found.ok
    assert check_files([LEE, csv]).files == [str(LEE), str(csv)]


def test_unloadable_file_raises_input_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nstudy: [\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        check_files([bad])
    assert exc.value.problems[0].file == str(bad)
    code, out = _cli(str(bad))
    assert code == 2 and out["ok"] is False and out["problems"][0]["file"] == str(bad)
