"""Docs come from code and stay in step with it: every command and every query is documented."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from datawork_kg.cli import main
from datawork_kg.queries import library

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    missing = [name for name in main.commands if f"datawork {name}" not in README]
    assert missing == []


def test_every_command_has_help():
    for name in main.commands:
        res = CliRunner().invoke(main, [name, "--help"])
        assert res.exit_code == 0 and "Usage:" in res.output, name


def test_every_query_is_in_the_catalogue():
    catalogue = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    missing = [name for name in library() if name not in catalogue]
    assert missing == []


def test_queries_named_in_the_readme_exist():
    names = set(library())
    used = set(re.findall(r"datawork query ([a-z][a-z0-9-]+)", README)) | set(re.findall(r'query\("([a-z0-9-]+)"', README))
    used |= set(re.findall(r"results/([a-z0-9-]+)\.csv", README))
    assert used and used <= names, used - names


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_module_is_in_the_architecture_map():
    import pkgutil

    import datawork_kg

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    pkg = Path(datawork_kg.__file__).parent
    modules = [info.name.replace(".", "/") + ("/__init__.py" if info.ispkg else ".py")
               for info in pkgutil.walk_packages([str(pkg)])]
    missing = [m for m in modules if f"| `{m}` |" not in text and not (m.endswith("/__init__.py") and
                                                                      f"| `{m[:-len('__init__.py')]}` |" in text)]
    assert modules and missing == []
