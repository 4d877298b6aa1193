"""A wheel installed in a fresh virtual environment finds the ontology, shapes, queries and evidence."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True)
    if proc.returncode != 0 and "hatchling" in proc.stderr:
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
                              capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    [whl] = list(out.glob("datawork_kg-*.whl"))
    return whl


def test_wheel_in_fresh_venv_finds_its_data(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # system site packages give the dependencies; the package itself comes only from the wheel
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], check=True)
    code = """
import datawork_kg, json
from datawork_kg import resources as r
from datawork_kg.queries import library
paths = {k: str(getattr(r, k + '_dir')()) for k in ('ontology', 'shapes', 'queries', 'evidence')}
out = {'pkg': datawork_kg.__file__, 'paths': paths,
       'ttl': sorted(p.name for p in r.ontology_dir().glob('*.ttl')),
       'shapes': sorted(p.name for p in r.shapes_dir().glob('*.ttl')),
       'queries': len(library()), 'evidence': sorted(p.name for p in r.evidence_dir().glob('*.yaml')),
       'schema': r.schema_path().exists()}
print(json.dumps(out))
"""
    proc = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    import json

    info = json.loads(proc.stdout)
    assert str(env_dir) in info["pkg"], "imported the checkout, not the wheel"
    for name, path in info["paths"].items():
        assert "/_data/" in path and path.startswith(str(env_dir)), (name, path)
    assert "core.ttl" in info["ttl"]
    assert info["shapes"], "no shapes in the wheel"
    assert info["queries"] >= 30
    assert "tubaro-2025.yaml" in info["evidence"]
    assert info["schema"]
    # the command works from the wheel
    cmd = subprocess.run([str(env_dir / "bin" / "datawork"), "query", "--list"], capture_output=True, text=True, cwd=tmp_path)
    assert cmd.returncode == 0, cmd.stderr
    assert len(cmd.stdout.strip().splitlines()) >= 30
