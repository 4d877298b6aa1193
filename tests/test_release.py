"""Releases: what is published is never written again (issue 21, item 11)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_nothing_in_a_published_release_changes_after_the_swap(tmp_path, monkeypatch):
    """The build points ``current`` at the new release with one os.replace; every file of the release
    (summary.json included: a server opening the release at once reads it) is final at that moment."""
    import datawork_kg.store as store_mod
    from datawork_kg.build import build

    at_swap: dict[str, dict[str, str]] = {}
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "current":
            target = Path(os.readlink(src))
            release = (Path(dst).parent / target).resolve()
            at_swap[release.name] = _files(release)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(store_mod.os, "replace", replace)
    result = build(None, home=tmp_path, reason=False)
    monkeypatch.undo()
    assert list(at_swap) == [result.release.name]
    files = at_swap[result.release.name]
    assert "summary.json" in files and any(f.startswith("dumps/") for f in files)
    assert _files(result.release) == files
    # and the returned summary is the published one, timings included
    import json

    published = json.loads((result.release / "summary.json").read_text())
    assert published == result.summary and "total" in published["seconds"]
