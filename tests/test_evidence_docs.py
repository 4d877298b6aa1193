"""The examples of docs/evidence-format.md are real: every complete case file in it validates, and the
worked example of each kind of source is the invented file the tests build (so the docs cannot rot)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from datawork_kg.cli import main

from test_sources import NEW_KINDS, SOURCES

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "evidence-format.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```yaml\n(.*?)^```$", DOC, re.S | re.M)
CASE_FILES = [b for b in BLOCKS if re.search(r"^format: datawork-case/1$", b, re.M)]
EXAMPLES = DOC.split("## Worked examples: one per kind of source", 1)[1]


def kind_blocks() -> dict[str, str]:
    """``kind`` -> the YAML block under the heading ``### `kind: <kind>` `` of the worked examples."""
    found = {}
    for kind, body in re.findall(r"^### `kind: ([a-z-]+)`.*?\n```yaml\n(.*?)^```$", EXAMPLES, re.S | re.M):
        assert kind not in found, f"two examples of {kind}"
        found[kind] = body
    return found


def test_the_doc_has_complete_case_files():
    assert len(CASE_FILES) >= 1 + len(NEW_KINDS)


@pytest.mark.parametrize("n", range(len(CASE_FILES)))
def test_every_complete_case_file_in_the_doc_validates(n, tmp_path):
    """Each YAML block that is a whole case file (``format: datawork-case/1``) passes ``datawork validate``."""
    path = tmp_path / f"example-{n}.yaml"
    path.write_text(CASE_FILES[n], encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0, f"example {n} of docs/evidence-format.md:\n{res.output}"


def test_every_new_kind_has_one_worked_example_which_is_the_tested_file():
    blocks = kind_blocks()
    assert sorted(blocks) == sorted(NEW_KINDS), "one worked example per kind of source the schema knows"
    for kind, body in blocks.items():
        assert yaml.safe_load(body)["study"]["kind"] == kind
        assert body == (SOURCES / f"{kind}.yaml").read_text(encoding="utf-8"), \
            f"the example of {kind} differs from tests/data/sources/{kind}.yaml: copy the file into the doc"
        assert "INVENTED" in body and "[Invented]" in body, f"the example of {kind} is marked as invented"


def test_the_fragments_of_the_doc_are_valid_yaml():
    """Blocks that show part of a file still parse as YAML mappings."""
    for block in BLOCKS:
        if block.lstrip().startswith("#") and "format:" not in block:
            continue  # the editor line alone
        assert isinstance(yaml.safe_load(block), dict), block[:80]
