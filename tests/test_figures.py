"""Figures: each is written, non-empty and well-formed, shows the expected parties and countries, and
draws exactly what its library query (queries/figure-NAME.rq) returns."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from datawork_kg import figures as F
from datawork_kg import queries as Q

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ID = "https://w3id.org/datawork/id/"
VOICE_CHAIN = ID + "chain/tubaro-2025-ch-voice-deep-labour"
DALALE_CHAIN = ID + "chain/olm-southeast-asia-c-dalale-reint"
SHEILA_CHAIN = ID + "chain/olm-southeast-asia-c-sheila"

# Words each figure must show (as SVG text), parties and countries of the default data.
EXPECTED = {
    "chain": ["US", "CN", "JP", "ES", "IT", "FR", "Chinese data-work platform", "unknown", "deep-labour"],
    "value": ["Dalale", "High-rated contractor", "75 USD", "7.5 USD", "100%", "10%"],
    "figure1": ["France (FR)", "Madagascar (MG)", "Egypt (EG)", "(VE)", "marketplace", "firm like", "deep labour",
                "AI verification", "AI impersonation"],
    "patterns": ["1 Bridging", "2 Disintermediation", "3 Reintermediation", "4 Local lengthening",
                 "5 Horizontal collaboration", "Sheila", "Dalale", "tubaro-2025"],
}


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return " ".join(" ".join(el.itertext()) for el in root.iter()) + " " + path.read_text(encoding="utf-8")


def test_registry_and_docstrings():
    assert set(F.FIGURES) == {"chain", "value", "figure1", "patterns"}
    for fn in F.FIGURES.values():
        assert fn.__doc__ and fn.__doc__.strip().splitlines()[0]


@pytest.mark.parametrize("name", sorted(F.FIGURES))
def test_each_figure_has_a_library_query_with_header(name):
    q = Q.get(F.query_name(name))
    for key in ("summary", "description", "tags", "source"):
        assert q.header.get(key), key
    for p in q.params.values():
        assert p.default, f"{name}: parameter {p.name} needs a default"


@pytest.mark.parametrize("name", sorted(F.FIGURES))
def test_svg_written_valid_and_labelled(store, tmp_path, name):
    path = F.draw(name, store, out=tmp_path / f"{name}.svg")
    assert path == tmp_path / f"{name}.svg"
    assert path.exists() and path.stat().st_size > 1000
    text = svg_text(path)
    for word in EXPECTED[name]:
        assert word in text, f"{name}.svg lacks {word!r}"


@pytest.mark.parametrize("name", sorted(F.FIGURES))
def test_png_written(store, tmp_path, name):
    path = F.draw(name, store, out=tmp_path / f"{name}.png")
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5000


@pytest.mark.parametrize("name", sorted(F.FIGURES))
def test_output_is_deterministic(store, tmp_path, name):
    a = F.draw(name, store, out=tmp_path / "a" / f"{name}.svg").read_bytes()
    b = F.draw(name, store, out=tmp_path / "b" / f"{name}.svg").read_bytes()
    assert a == b
    assert b"<dc:date>" not in a


@pytest.mark.parametrize("name,params", [
    ("chain", {}), ("chain", {"chain": DALALE_CHAIN}), ("value", {}), ("value", {"chain": SHEILA_CHAIN}),
    ("figure1", {}), ("figure1", {"study": ID + "study/olm-southeast-asia"}), ("patterns", {}),
])
def test_data_is_what_the_query_returns(store, name, params):
    res = F.data(name, store, **params)
    expected = Q.run_store(store, Q.bind(Q.get(f"figure-{name}"), params))
    assert res.variables == expected.variables
    assert res.rows == expected.rows
    assert len(res) > 0


def test_chain_data_default_voice_chain(store):
    res = F.data("chain", store)
    assert [r["step"] for r in res] == [1, 2, 3, 4, 5, 6]
    countries = {r["ordererCountry"] for r in res} | {r["supplierCountry"] for r in res}
    assert {"US", "CN", "JP", "ES", "IT", "FR"} <= countries
    unknown = [r for r in res if r["ordererKind"] == "UnknownParty"]
    assert len(unknown) == 1 and unknown[0]["supplierCountry"] == "IT"


def test_chain_dot_draws_unknown_party_dashed(store):
    dot = F.chain_dot(F.data("chain", store), VOICE_CHAIN)
    line = next(ln for ln in dot.splitlines() if "party not stated" in ln)
    assert "dashed" in line
    assert "embeddedness not stated" in dot


LATAM_CHAIN = "https://w3id.org/datawork/id/chain/tubaro-2025-ch-latam-work"


def test_chain_figure_names_the_chain_and_every_country_of_a_group(store):
    """Titles and tooltips read labels, not local ids; a group spread over sixteen countries shows them all."""
    res = F.data("chain", store, chain=LATAM_CHAIN)
    spread = [r["supplierCountry"].split() for r in res if r["supplier"].endswith("tubaro-2025-latam-workers")]
    assert spread and len(set(spread[0])) == 16, spread
    names = F._names(store, [LATAM_CHAIN, *(r["tie"] for r in res)])
    dot = F.chain_dot(res, LATAM_CHAIN, names)
    title = next(ln for ln in dot.splitlines() if "labelloc=t" in ln)
    assert names[LATAM_CHAIN] in title.replace('\\"', '"') and "tubaro-2025-ch-latam-work" not in title
    assert "(16 countries)" in dot
    for r in res:
        assert f'tooltip="{names[r["tie"]]}"' in dot.replace('\\"', '"'), r["tie"]


def test_value_shares_of_end_client_price(store):
    res = F.data("value", store)
    by_step = {r["step"]: r for r in res}
    assert by_step[1]["value"] == 75 and by_step[1]["share"] == pytest.approx(1)
    assert by_step[2]["value"] == 7.5 and by_step[2]["share"] == pytest.approx(0.1)
    kinds = {r["kind"] for r in res}
    assert not any(k.endswith(("paykind-bid", "paykind-listed-price")) for k in kinds)
    sheila = {r["step"]: r for r in F.data("value", store, chain=SHEILA_CHAIN)}
    assert sheila[2]["minAmount"] == 12 and sheila[2]["maxAmount"] == 15
    assert sheila[2]["share"] == pytest.approx(13.5 / 30)


def test_figure1_functions_by_country_and_mode(store):
    rows = F.data("figure1", store).rows
    cells = {(r["country"], F._local(r["mode"], "form-"), F._local(r["function"], "fn-")) for r in rows}
    assert ("FR", "deep-labour", "ai-verification") in cells
    assert ("MG", "firm-like", "ai-impersonation") in cells
    assert any(c == "VE" and m == "marketplace" for c, m, _ in cells)
    assert {r["country"] for r in rows} >= {"FR", "MG", "VE"}


def test_patterns_all_five_with_cases(store):
    rows = F.data("patterns", store).rows
    patterns = [F._local(r["pattern"], "pattern-") for r in rows]
    assert list(dict.fromkeys(patterns)) == ["bridging", "disintermediation", "reintermediation",
                                             "local-lengthening", "horizontal-collaboration"]
    cases = {(F._local(r["pattern"], "pattern-"), r["case"]) for r in rows}
    assert ("reintermediation", DALALE_CHAIN) in cases
    assert ("local-lengthening", ID + "tie/tubaro-2025-t-mgreputed-relatives") in cases


def test_default_out_path(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = F.draw("patterns", store)
    assert path == Path("figures/patterns.svg") and (tmp_path / path).stat().st_size > 0


def test_errors(store, tmp_path):
    from datawork_kg.errors import DataworkError

    with pytest.raises(DataworkError, match="no figure named"):
        F.draw("chian", store, out=tmp_path / "x.svg")
    with pytest.raises(DataworkError, match=r"\.svg or \.png"):
        F.draw("patterns", store, out=tmp_path / "x.pdf")
    with pytest.raises(DataworkError):
        F.draw("chain", store, out=tmp_path / "x.svg", chain="not an iri")
    with pytest.raises(DataworkError, match="no ties"):
        F.draw("chain", store, out=tmp_path / "x.svg", chain=ID + "chain/none")
