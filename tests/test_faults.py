"""Faults: a build killed at any point, a full disk, a read-only target.

A build killed (SIGKILL) at the start of load, store, validate, dumps or publish, or while the
dumps are being written, leaves the previous release byte-identical and usable; the next build
succeeds and removes the half-written release. A full disk or a read-only target gives a clear
error, exit code 2, no traceback, and the previous release stays.

(The concurrent build-while-serving test belongs with the server's tests.)
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import skip_or_fail
from test_bad_inputs import ROOT, _datawork, snapshot

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

KILLER = textwrap.dedent("""
    import os, signal, sys
    from datawork_kg.build import build

    step = sys.argv[2]

    def hook(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    build(None, home=sys.argv[1], reason=False, _hook=hook)
    print("NOT KILLED")
""")


def _count(home: Path) -> int:
    from datawork_kg.store import open_store

    store = open_store(home)
    return int(next(iter(store.query(COUNT)))["n"].value)


@pytest.fixture
def home_with_release(tmp_path_factory):
    """A fresh workspace with one good release (copied from a session-wide build)."""
    return _copy_home(_session_home(tmp_path_factory), tmp_path_factory.mktemp("faults-home") / "home")


_SESSION: dict = {}


def _session_home(tmp_path_factory) -> Path:
    if "home" not in _SESSION:
        home = tmp_path_factory.mktemp("faults-good")
        r = _datawork(["build", "--no-reason", "-q"], home)
        assert r.returncode == 0, f"the good build failed:\n{r.stdout}\n{r.stderr}"
        _SESSION["home"] = home
    return _SESSION["home"]


def _copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    return dst


def _assert_intact(home: Path, before: tuple, count: int) -> None:
    assert snapshot(home) == before, "the previous release changed"
    assert _count(home) == count


@pytest.mark.parametrize("step", ["load", "store", "validate", "dumps", "publish"])
def test_sigkill_at_step_keeps_previous_release(step, home_with_release):
    home = home_with_release
    before, count = snapshot(home), _count(home)
    env = dict(os.environ, DATAWORK_HOME=str(home))
    r = subprocess.run([sys.executable, "-c", KILLER, str(home), step], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == -signal.SIGKILL, f"build was not killed at {step}:\n{r.stdout}\n{r.stderr}"
    _assert_intact(home, before, count)
    if step in ("store", "validate", "dumps", "publish"):
        assert list((home / "releases").glob(".partial-*")), "expected a half-written release"
    r = _datawork(["build", "--no-reason", "-q"], home)
    assert r.returncode == 0, r.stderr
    assert not list((home / "releases").glob(".partial-*")), "the next build did not clean the partial release"
    assert os.readlink(home / "current") != before[0]
    assert _count(home) == count


def test_sigkill_while_writing_dumps(home_with_release):
    home = home_with_release
    before, count = snapshot(home), _count(home)
    env = dict(os.environ, DATAWORK_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "datawork_kg.cli", "build", "--no-reason", "-q"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = False
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.is_file() for p in (home / "releases").glob(".partial-*/dumps/*")):
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    proc.wait(timeout=60)
    if not killed:
        pytest.skip("the build wrote its dumps too fast to be killed in the middle")
    _assert_intact(home, before, count)
    r = _datawork(["build", "--no-reason", "-q"], home)
    assert r.returncode == 0, r.stderr
    assert not list((home / "releases").glob(".partial-*"))


# ----------------------------------------------------------------- full disk / read-only
def _mount_tmpfs(path: Path, size: str, ro: bool = False) -> None:
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if ro else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        skip_or_fail(f"cannot mount a tmpfs here ({r.stderr.strip()}); full-disk / read-only tests need it")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _assert_clear_error(r: subprocess.CompletedProcess, words: str) -> None:
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert words in r.stderr, out
    assert "fix:" in r.stderr, out


def test_full_disk_empty_target(tmp_path):
    mnt = tmp_path / "small"
    _mount_tmpfs(mnt, "64k")
    try:
        r = _datawork(["build", "--no-reason", "-q"], mnt / "home")
        _assert_clear_error(r, "full")
        assert not list((mnt / "home" / "releases").glob(".partial-*"))
    finally:
        _umount(mnt)


def test_full_disk_keeps_previous_release(tmp_path, tmp_path_factory):
    good = _session_home(tmp_path_factory)
    mnt = tmp_path / "small"
    size_k = (_du(good) + 256 * 1024) // 1024
    _mount_tmpfs(mnt, f"{size_k}k")
    try:
        home = _copy_home(good, mnt / "home")
        before, count = snapshot(home), _count(home)
        r = _datawork(["build", "--no-reason", "-q"], home)
        _assert_clear_error(r, "full")
        _assert_intact(home, before, count)
        assert not list((home / "releases").glob(".partial-*"))
    finally:
        _umount(mnt)


def test_read_only_target_keeps_previous_release(tmp_path, tmp_path_factory):
    good = _session_home(tmp_path_factory)
    mnt = tmp_path / "ro"
    _mount_tmpfs(mnt, "512m")
    try:
        home = _copy_home(good, mnt / "home")
        before, count = snapshot(home), _count(home)
        r = subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True, text=True)
        if r.returncode != 0:
            skip_or_fail(f"cannot remount read-only: {r.stderr.strip()}")
        r = _datawork(["build", "--no-reason", "-q"], home)
        _assert_clear_error(r, "Read-only file system")
        assert snapshot(home) == before
        assert _count(home) == count  # still readable
    finally:
        _umount(mnt)


def test_read_only_empty_target(tmp_path):
    mnt = tmp_path / "ro-empty"
    _mount_tmpfs(mnt, "64k", ro=True)
    try:
        r = _datawork(["build", "--no-reason", "-q"], mnt / "home")
        _assert_clear_error(r, "Read-only file system")
    finally:
        _umount(mnt)


def test_target_below_a_file(tmp_path):
    """No mount needed: a home below a regular file cannot be created, even by root."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    r = _datawork(["build", "--no-reason", "-q"], blocker / "home")
    _assert_clear_error(r, "Not a directory")
