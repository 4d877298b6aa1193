"""The layers of the package (docs/architecture.md): the library never imports the web part or the
command line; the web part never imports the command line.

- library: every module of ``datawork_kg`` but the ones below (loaders, store, validation, queries...);
- site writers: ``publish`` and ``docs`` write the web pages as files, so they may use the web
  part's page rendering, but not the server (Starlette, uvicorn) or the command line;
- web: ``datawork_kg.web`` (the server and the pages);
- command line: ``datawork_kg.cli`` (click), which may import everything.

Each module is imported in a fresh interpreter, which then lists what it imported.
"""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import datawork_kg

PACKAGE_DIR = Path(datawork_kg.__file__).parent
WEB = ("datawork_kg.web",)
CLI = ("datawork_kg.cli",)
SITE_WRITERS = ("datawork_kg.publish", "datawork_kg.docs")
SERVER_LIBS = ("starlette", "uvicorn")
CLI_LIBS = ("click",)


def _modules() -> list[str]:
    names = ["datawork_kg"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="datawork_kg."):
        names.append(info.name)
    return sorted(names)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


MODULES = _modules()
LIBRARY = [m for m in MODULES if not _under(m, WEB + CLI + SITE_WRITERS)]


def _imported_by(module: str) -> set[str]:
    code = ("import importlib, json, sys; importlib.import_module(%r); print(json.dumps(sorted(sys.modules)))" % module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _forbidden(found: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in found if _under(m, prefixes))


def test_the_module_list_is_complete():
    assert "datawork_kg.build" in LIBRARY and "datawork_kg.loaders.casefile" in LIBRARY
    assert any(_under(m, WEB) for m in MODULES) and "datawork_kg.cli" in MODULES


@pytest.mark.parametrize("module", LIBRARY)
def test_library_imports_neither_web_nor_command_line(module):
    found = _imported_by(module)
    assert module in found
    bad = _forbidden(found, WEB + CLI + SITE_WRITERS + SERVER_LIBS + CLI_LIBS)
    assert not bad, f"importing {module} imports {bad}"


@pytest.mark.parametrize("module", SITE_WRITERS)
def test_site_writers_import_neither_server_nor_command_line(module):
    bad = _forbidden(_imported_by(module), CLI + SERVER_LIBS + CLI_LIBS)
    assert not bad, f"importing {module} imports {bad}"


@pytest.mark.parametrize("module", [m for m in MODULES if _under(m, WEB)])
def test_web_does_not_import_the_command_line(module):
    bad = _forbidden(_imported_by(module), CLI)  # (click itself may come with uvicorn, which uses it)
    assert not bad, f"importing {module} imports {bad}"


def test_a_violation_would_be_seen(tmp_path):
    """The check itself: a module that imports click is caught."""
    (tmp_path / "dw_probe_mod.py").write_text("import datawork_kg\nimport click\n", encoding="utf-8")
    code = ("import sys, json; sys.path.insert(0, %r); import dw_probe_mod; print(json.dumps(sorted(sys.modules)))"
            % str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "click" in _forbidden(set(json.loads(out.stdout)), CLI_LIBS)
