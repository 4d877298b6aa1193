"""Shared fixtures: one graph built from the bundled evidence per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"
IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs something missing, except in CI, where that is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing server or tool is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The graph built from the bundled evidence: (Workspace, BuildResult)."""
    from datawork_kg.build import build
    from datawork_kg.store import Workspace

    home = tmp_path_factory.mktemp("build")
    result = build(None, home=home, reason=False)
    return Workspace(home), result


@pytest.fixture(scope="session")
def store(built):
    from datawork_kg.store import open_store

    ws, _ = built
    return open_store(ws.root)


@pytest.fixture
def evidence_copy(tmp_path):
    """A writable copy of the bundled evidence folder."""
    dst = tmp_path / "evidence"
    shutil.copytree(EVIDENCE, dst)
    return dst


SOURCES = ROOT / "tests" / "data" / "sources"


@pytest.fixture(scope="session")
def built_sources(tmp_path_factory):
    """The graph built from the invented case files of tests/data/sources (one per kind of source, with
    invented encoders and reviewers): (Workspace, BuildResult)."""
    from datawork_kg.build import build
    from datawork_kg.store import Workspace

    home = tmp_path_factory.mktemp("build-sources")
    result = build([SOURCES], home=home, reason=False)
    return Workspace(home), result
