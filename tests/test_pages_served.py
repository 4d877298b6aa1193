"""Resource pages on a real ``datawork serve``: incoming links a page at a time."""
from __future__ import annotations

import re

import httpx


STUDY = "/id/study/tubaro-2025.html"  # hundreds of items point to their study


def _rows(page: str) -> int:
    tables = re.findall(r'<table class="incoming">.*?</table>', page, re.S)
    return sum(t.count("<tr><td>") for t in tables)


def test_incoming_links_are_paginated(server):  # the session's datawork serve (conftest)
    first = httpx.get(server + STUDY, timeout=60)
    assert first.status_code == 200
    m = re.search(r"Links 1–50 of (\d+)", first.text)
    assert m, "the page says which links it shows"
    total = int(m.group(1))
    assert total > 100 and _rows(first.text) == 50
    assert 'href="?incoming=2#incoming" rel="next"' in first.text
    last_page = (total + 49) // 50
    last = httpx.get(server + STUDY, params={"incoming": last_page}, timeout=60)
    assert _rows(last.text) == total - 50 * (last_page - 1)
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text
    assert _rows(httpx.get(server + STUDY, params={"incoming": "x"}, timeout=60).text) == 50
