"""The on-disk graph: releases, the ``current`` pointer, and the embedded pyoxigraph store.

Layout of a build directory (default ``./build``, or ``DATAWORK_HOME``)::

    build/
      current -> releases/<id>      the release every command reads (a symlink, swapped atomically)
      releases/<id>/store/          pyoxigraph store: one named graph per source
      releases/<id>/dumps/          datawork.ttl, datawork.nq, datawork.jsonld, void.ttl
      releases/<id>/summary.json    counts and violations of that build
      .lock                         held by the build that is running

A build writes a new release next to the current one and, only when everything succeeded,
points ``current`` at it with one atomic rename. A build that fails or is killed leaves
``current`` untouched; its half-written release is removed by the next build.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from .errors import StoreError

KEEP_RELEASES = 2


def default_home() -> Path:
    return Path(os.environ.get("DATAWORK_HOME", "build")).resolve()


class Workspace:
    """A build directory with its releases."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root).resolve() if root else default_home()

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def current(self) -> Path | None:
        """The directory of the current release, or None before the first build."""
        link = self.current_link
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def require_current(self) -> Path:
        cur = self.current()
        if cur is None:
            raise StoreError(f"no graph has been built in {self.root}",
                             hint="run 'datawork build' first (or set --home / DATAWORK_HOME)")
        return cur

    def store_path(self) -> Path:
        return self.require_current() / "store"

    def dumps_dir(self) -> Path:
        return self.require_current() / "dumps"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot write to the build directory {self.root}: {exc.strerror}",
                             hint="choose a writable directory with --home or DATAWORK_HOME") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another build is running in {self.root}",
                                 hint="wait for it to finish") from None
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def new_release(self) -> Iterator[Path]:
        """A fresh release directory; published as ``current`` only if the block succeeds."""
        self.releases.mkdir(parents=True, exist_ok=True)
        self._clean_partial()
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        rid = f"{stamp}-{uuid.uuid4().hex[:8]}"
        tmp = self.releases / f".partial-{rid}"
        tmp.mkdir()
        try:
            yield tmp
            final = self.releases / rid
            os.rename(tmp, final)
            _fsync_dir(self.releases)
            link_tmp = self.root / f".current-{rid}"
            os.symlink(Path("releases") / rid, link_tmp)
            os.replace(link_tmp, self.current_link)  # the atomic switch
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._prune()

    def _clean_partial(self) -> None:
        for p in self.releases.glob(".partial-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current-*"):
            with contextlib.suppress(OSError):
                p.unlink()

    def _prune(self) -> None:
        cur = self.current()
        done = sorted((p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.name)
        for old in done[:-KEEP_RELEASES]:
            if cur is None or old.resolve() != cur:
                shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def open_store(home: Path | str | None = None) -> ox.Store:
    """Open the current release's store read-only."""
    path = Workspace(home).store_path()
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None


def check_writable(path: Path) -> None:
    """Fail early, with a clear message, on a read-only or full target."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{uuid.uuid4().hex[:6]}"
        with open(probe, "wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreError(f"the disk holding {path} is full", hint="free some space or use --home elsewhere") from None
        raise StoreError(f"cannot write to {path}: {exc.strerror}",
                         hint="choose a writable directory with --home or DATAWORK_HOME") from None


__all__ = ["Workspace", "open_store", "default_home", "check_writable"]
