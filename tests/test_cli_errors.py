"""Usage errors of the command line: exit 2 with one line that says what to fix (README: exit codes)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _datawork(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATAWORK_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "datawork_kg.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args,needle", [
    (["query"], "give a query NAME, --list or --all"),
    (["query", "chain-trace", "-p", "lead"], "'lead' is not NAME=VALUE"),
    (["query", "chain-trace", "-p"], "requires an argument"),
    (["serve", "--port", "99999"], "99999 is not in the range 1<=x<=65535"),
    (["sparql"], "Missing argument"),
    (["build", "--no-such-option"], "No such option"),
])
def test_usage_error_is_one_line_and_exit_2(tmp_path, args, needle):
    r = _datawork(args, tmp_path / "home")
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert "--help" in lines[0]  # where to read more
