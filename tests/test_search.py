"""The search box's matching: prefix and words, case and accents folded, ranked (datawork_kg.search)."""
from __future__ import annotations

import pytest

from datawork_kg import search as S


@pytest.fixture(scope="module")
def index(store):
    return S.entries(store)


def names(hits):
    return [h.name for h in hits]


def test_fold():
    assert S.fold("  Télécom  Paris!") == "telecom paris"
    assert S.fold("Côte d’Ivoire") == "cote d ivoire"
    assert S.fold("") == ""


def test_every_kind_a_reader_looks_for_is_indexed(index):
    kinds = {e.kind for e in index}
    assert {"chain", "country", "concept", "task", "study", "platform", "worker group"} <= kinds
    assert len({e.iri for e in index}) == len(index), "an item is listed once"


def test_prefix_words_and_accents(index):
    assert names(S.search(index, "mada", 3))[0] == "Madagascar"
    assert "Amazon Mechanical Turk" in names(S.search(index, "amazon turk"))
    venezuela = S.search(index, "venez", 1)
    assert venezuela and venezuela[0].kind == "country"
    assert names(S.search(index, "VÉNÉZ", 1)) == names(venezuela), "accents and case are folded"
    assert names(S.search(index, "Télécom Paris", 1)) == names(S.search(index, "telecom paris", 1)) != []


def test_every_word_must_begin_a_word_of_the_name(index):
    assert S.search(index, "amazon zzz") == []
    assert S.search(index, "   ") == []
    assert all("labour" in h.matched for h in S.search(index, "labour"))


def test_ranking_exact_then_prefix_then_words(index):
    hits = S.search(index, "madagascar", 10)
    assert hits[0].name == "Madagascar" and hits[0].matched == "madagascar"
    ranks = [0 if h.matched == "madagascar" else 1 if h.matched.startswith("madagascar") else 2 for h in hits]
    assert ranks == sorted(ranks)


def test_kind_filter_and_limit(index):
    hits = S.search(index, "a", 50, kind="country")
    assert hits and all(h.kind == "country" for h in hits)
    assert len(S.search(index, "a", 3)) == 3


def test_static_index_carries_the_same_entries(index):
    data = S.to_json(index)
    assert len(data["items"]) == len(index)
    iri, name, kind, keys = data["items"][0]
    assert iri.startswith("https://") and name and kind and keys == sorted(keys)
