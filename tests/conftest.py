"""Shared fixtures: one graph built from the bundled evidence per test session, and what the tests
read from it over HTTP: ``datawork serve`` on it, its static publication (published once, served by a
plain static file server), and a headless browser per test module."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "evidence"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots of the browser tests (gitignored)
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


@pytest.fixture(scope="session")
def server(built):
    """``datawork serve`` on the session's build (127.0.0.1, a free port): its base URL."""
    from servers import start_datawork

    ws, _ = built
    with start_datawork(ws.root) as srv:
        yield srv.url


@pytest.fixture(scope="session")
def published(built):
    """The static publication of the session's build, written once: (folder, report, progress messages).

    Read only by the tests. The folder is world-readable (Apache reads it as www-data)."""
    from datawork_kg.publish import publish_static

    ws, _ = built
    parent = Path(tempfile.mkdtemp(prefix="datawork-site-"))
    os.chmod(parent, 0o755)
    out = parent / "site"
    messages: list[str] = []
    report = publish_static(out, home=ws.root, progress=messages.append)
    yield out, report, messages
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def static_site(published):
    """The static publication served by a plain static file server (``python -m http.server``): its base URL."""
    from servers import start_static_site

    out, _, _ = published
    with start_static_site(out) as srv:
        yield srv.url


@contextlib.contextmanager
def chromium(**options):
    """``servers.chromium_driver(**options)``, quit at the end; without a browser the test is skipped
    (fails on CI)."""
    from servers import Unavailable, chromium_driver

    try:
        driver = chromium_driver(**options)
    except Unavailable as exc:
        skip_or_fail(str(exc))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (1400 x 1100, console log kept), one per test module; it may reach 127.0.0.1 only."""
    with chromium(width=1400, height=1100) as driver:
        ARTIFACTS.mkdir(exist_ok=True)
        yield driver
