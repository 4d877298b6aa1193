"""A real headless browser against ``datawork serve``: a resource page and the query page.

Debian's chromium and chromedriver (``/usr/bin/chromium``, ``/usr/bin/chromedriver``) driven by
Selenium; nothing is downloaded. The browser may reach 127.0.0.1 only (every other host name
resolves to nothing), so the query page must work offline. The server, the browser and the static
site are fixtures of conftest.py (tests/servers.py starts them). Screenshots are kept in
``tests/artifacts/`` (gitignored).
"""
from __future__ import annotations

import httpx
import pytest

from conftest import ARTIFACTS
CHAIN = "chain/tubaro-2025-ch-ve-work"
PARTY = "organisation/tubaro-2025-sampled-intl-platforms"
DW = "https://w3id.org/datawork/ontology#"

pytestmark = pytest.mark.browser


def _requested(driver) -> list[str]:
    return [e["name"] for e in driver.execute_script("return performance.getEntriesByType('resource')")]


def _only_local(driver, base: str) -> None:
    urls = _requested(driver) + [driver.current_url]
    assert all(u.startswith(base) or u.startswith("data:") for u in urls), urls
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_resource_page_in_a_browser(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/id/{PARTY}")  # the IRI path: content negotiation sends the browser to the HTML page
    assert browser.current_url == f"{server}/id/{PARTY}.html"
    h1 = browser.find_element(By.TAG_NAME, "h1").text
    assert "international data-work platforms" in h1
    figures = browser.find_elements(By.CSS_SELECTOR, "figure.chain svg")
    assert figures and figures[0].size["width"] > 300       # the chain diagram is drawn
    sources = browser.find_element(By.ID, "sources").find_element(By.XPATH, "following-sibling::ul").text
    assert "Tubaro et al. 2025" in sources
    browser.save_screenshot(str(ARTIFACTS / "resource-page.png"))
    _only_local(browser, server)
    # follow a link in the diagram to the chain's own page
    browser.get(f"{server}/id/{CHAIN}")
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chain svg rect")
    assert browser.find_element(By.ID, "facts")


def test_query_page_runs_a_query(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/sparql")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return !!(window.datawork && window.datawork.yasgui)"))
    query = (f"PREFIX dw: <{DW}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?chain ?label WHERE { ?chain a dw:Chain ; rdfs:label ?label } ORDER BY ?label LIMIT 5")
    browser.execute_script("window.datawork.yasgui.getTab().setQuery(arguments[0]);", query)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) >= 5)
    rows = browser.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")
    assert len(rows) == 5
    text = browser.find_element(By.CSS_SELECTOR, ".yasr").text
    assert "https://w3id.org/datawork/id/chain/" in text
    expected = httpx.post(f"{server}/sparql", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    first_label = expected[0]["label"]["value"]
    assert first_label[:30] in rows[0].text                  # the rendered table shows the endpoint's answer
    browser.save_screenshot(str(ARTIFACTS / "query-page.png"))
    _only_local(browser, server)


def test_query_page_example_menu(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{server}/sparql")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return !!(window.datawork && window.datawork.yasgui)"))
    select = browser.find_elements(By.ID, "examples")
    if not select:
        pytest.skip("the query library is empty")
    Select(select[0]).select_by_index(1)
    name = browser.execute_script("return window.datawork.examples[0].name")
    text = browser.execute_script("return window.datawork.yasgui.getTab().getQuery()")
    assert text.strip() and name
    _only_local(browser, server)


def test_ontology_page_in_a_browser(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/ontology/Chain")
    assert browser.current_url.endswith("/ontology.html#Chain")
    assert browser.find_element(By.ID, "Chain")
    browser.save_screenshot(str(ARTIFACTS / "ontology-page.png"))
