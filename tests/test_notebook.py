"""docs/guide.ipynb runs from top to bottom over the graph built from the bundled evidence.

The notebook's own ``assert`` lines check the answers (the voice-assistant chain, Sheila's hourly
rate, Dalale's 10% share, the quota's 58 interviews, a researcher's own case file).
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "guide.ipynb"


def test_guide_notebook_runs(built, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    ws, _ = built
    monkeypatch.setenv("DATAWORK_HOME", str(ws.root))  # the kernel inherits this environment
    monkeypatch.delenv("DATAWORK_ENDPOINT", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "links 6, tiers 3, intermediaries 4, countries 6" in text
    assert "annotators get 25% of the client's price, about USD 1.50 an hour" in text


def test_guide_mentions_every_step():
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    for heading in ("Install and build", "Trace a chain", "Compare pay across countries", "What supports a claim",
                    "Add a case of your own", "From Python", "From R"):
        assert heading.lower() in guide.lower()
    from datawork_kg import queries as Q

    used = set(__import__("re").findall(r"datawork query ([a-z0-9-]+)", guide))
    unknown = used - set(Q.library()) - {"--list", "--all"}
    assert not unknown, f"the guide names queries that do not exist: {unknown}"
