"""Several HTTP processes for one ``datawork serve`` (``--processes``), and what they tell each other.

One Python process answers requests on one core (its event loop holds the interpreter), so
``datawork serve`` runs ``--processes`` of them (default: the machine's cores, at most
:data:`MAX_DEFAULT_PROCESSES`), all accepting on one listening socket (uvicorn's supervisor binds
it, starts them and replaces one that dies). Each process is a whole server: its own read of
``build/current`` per request, its own open store and start-up caches, its own query worker pool
of ``--workers``, its own guard and read deadline. The settings reach them in
:data:`SETTINGS_ENV` (JSON), read by :func:`datawork_kg.web.app.app_from_environment`.

``/health`` is answered by whichever process the connection reached, and speaks for all of them:
each process writes its state (pid, query worker pids, workers killed at a deadline, warm) to a
file of a folder they share (:class:`Board`), and ``/health`` reads the others' files.
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..cores import usable_cores

MAX_DEFAULT_PROCESSES = 4
SETTINGS_ENV = "DATAWORK_SERVE_SETTINGS"


def default_processes() -> int:
    """The cores this process may run on, at most MAX_DEFAULT_PROCESSES."""
    return min(MAX_DEFAULT_PROCESSES, usable_cores())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Board:
    """The states of the HTTP processes of one server, one JSON file per process in ``folder``."""

    def __init__(self, folder: str | Path, expected: int) -> None:
        self.folder = Path(folder)
        self.expected = expected
        self._written: dict | None = None

    def _file(self, pid: int) -> Path:
        return self.folder / f"{pid}.json"

    def publish(self, state: dict) -> None:
        """Write this process's ``state`` (when it changed), atomically."""
        if state == self._written:
            return
        path = self._file(os.getpid())
        tmp = path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, path)
            self._written = dict(state)

    def withdraw(self) -> None:
        with contextlib.suppress(OSError):
            self._file(os.getpid()).unlink()

    def states(self, own: dict) -> list[dict]:
        """``own`` and the last state of every other live process of this server."""
        out = [own]
        me = os.getpid()
        with contextlib.suppress(OSError):
            for f in sorted(self.folder.glob("*.json")):
                try:
                    pid = int(f.stem)
                except ValueError:
                    continue
                if pid == me or not _alive(pid):
                    continue
                with contextlib.suppress(OSError, ValueError):
                    out.append(json.loads(f.read_text(encoding="utf-8")))
        return out


__all__ = ["Board", "default_processes", "MAX_DEFAULT_PROCESSES", "SETTINGS_ENV"]
