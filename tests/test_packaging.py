"""A wheel installed in a fresh virtual environment finds the ontology, shapes, queries and evidence.

The fresh environment borrows nothing from the base interpreter (no system site packages): its
dependencies come from the project's own environment (the one running the tests, ``.venv`` under
``make test``), added as a plain path entry, so that its ``.pth`` files (the editable install of the
checkout) are not run and ``datawork_kg`` can only come from the wheel.
"""
from __future__ import annotations

import json
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


def _site_packages(python: Path | str) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def test_wheel_in_fresh_venv_finds_its_data(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], check=True)
    # the dependencies: the project's environment's site-packages as a plain path entry, after the
    # fresh venv's own (a path line in a .pth file does not run that folder's .pth files)
    ours = _site_packages(sys.executable)
    fresh = _site_packages(py)
    assert ours != fresh
    (fresh / "zz-project-dependencies.pth").write_text(str(ours) + "\n")
    base = subprocess.run([str(py), "-c", "import sys; print(sys.base_prefix)"], capture_output=True, text=True,
                          check=True).stdout.strip()
    sys_path = subprocess.run([str(py), "-c", "import sys, json; print(json.dumps(sys.path))"],
                              capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert not any(p.startswith(base) and "site-packages" in p for p in json.loads(sys_path)), \
        "the fresh venv must not see the base interpreter's site-packages"
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
