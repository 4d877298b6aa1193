"""The chain explorer (``/explore``) in a real headless browser, on ``datawork serve`` and on the
static publication (served by a plain ``python -m http.server``).

Debian's chromium and chromedriver driven by Selenium, as in ``test_browser.py``: the browser may
reach 127.0.0.1 only (every other host name resolves to nothing), so the page must load everything
from the site. Screenshots are kept in ``tests/artifacts/`` (gitignored).
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ARTIFACTS, chromium

ID = "https://w3id.org/datawork/id/"
TUBARO = ID + "study/tubaro-2025"
P = "PREFIX dw: <https://w3id.org/datawork/ontology#>\n"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """The explorer is drawn for a 1280 x 1000 window (conftest's browser is 1400 x 1100)."""
    with chromium(width=1280, height=1000) as driver:
        ARTIFACTS.mkdir(exist_ok=True)
        yield driver


def _open(driver, url: str) -> dict:
    """Load the explorer and wait until it has drawn; its state (the data-* attributes of #explorer)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # forget what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "var e = document.getElementById('explorer'); return e && e.dataset.ready"))
    return _state(driver)


def _state(driver) -> dict:
    return driver.execute_script("return Object.assign({}, document.getElementById('explorer').dataset)")


def _only_local_and_clean(driver, base: str) -> None:
    urls = [e["name"] for e in driver.execute_script("return performance.getEntriesByType('resource')")]
    urls.append(driver.current_url)
    assert all(u.startswith(base) or u.startswith("data:") for u in urls), urls
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


def _placed_chains(store) -> int:
    """Chains with at least one party placed somewhere: every one must be on the map."""
    q = P + "SELECT (COUNT(DISTINCT ?chain) AS ?n) WHERE { ?chain a dw:Chain ; dw:hasTie/(dw:orderer|dw:supplier)/(dw:basedIn|dw:inRegion) ?place }"
    return int(next(iter(store.query(q)))[0].value)


def _all_chains(store) -> int:
    return int(next(iter(store.query(P + "SELECT (COUNT(*) AS ?n) WHERE { ?chain a dw:Chain }")))[0].value)


@pytest.mark.parametrize("where", ["served", "static"])
def test_explorer_loads_and_draws_every_placed_chain(where, server, static_site, browser, store):
    from selenium.webdriver.common.by import By

    base = server if where == "served" else static_site
    url = base + ("/explore" if where == "served" else "/explore/index.html")
    state = _open(browser, url)
    assert state["ready"] == "1"
    assert int(state["chainsShown"]) == _all_chains(store)
    assert int(state["chainsPlaced"]) == _placed_chains(store) > 0
    # every chain with a place is drawn: each is carried by at least one arc of the map
    drawn = set(" ".join(browser.execute_script(
        "return Array.from(document.querySelectorAll('#map .arc')).map(a => a.getAttribute('data-chains'))")).split())
    assert len(drawn) == _all_chains(store)       # those with no place too, to and from the box of unknowns
    assert browser.find_elements(By.CSS_SELECTOR, "#map path.land")       # the world map is there
    assert browser.find_elements(By.CSS_SELECTOR, "#map .arc-unknown")    # unknown links shown as such
    rows = browser.find_elements(By.CSS_SELECTOR, "#arc-table tbody tr")
    assert len(rows) == int(state["arcs"]) > 0                             # the table holds the same arcs
    assert "Tubaro et al. 2025" in browser.find_element(By.ID, "sources").get_attribute("textContent")
    browser.save_screenshot(str(ARTIFACTS / f"explorer-{where}.png"))
    _only_local_and_clean(browser, base)


def test_a_filter_changes_the_drawing_and_the_url(server, browser, store):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    before = _open(browser, server + "/explore")
    arcs_before = browser.find_elements(By.CSS_SELECTOR, "#map .arc")
    Select(browser.find_element(By.ID, "filter-study")).select_by_value(TUBARO)
    after = _state(browser)
    n_tubaro = int(next(iter(store.query(P + f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a dw:Chain ; dw:fromStudy <{TUBARO}> }}")))[0].value)
    assert int(after["chainsShown"]) == n_tubaro < int(before["chainsShown"])
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map .arc")) < len(arcs_before)
    shown = set(" ".join(browser.execute_script(
        "return Array.from(document.querySelectorAll('#map .arc')).map(a => a.getAttribute('data-chains'))")).split())
    assert shown and all(c.startswith(ID + "chain/tubaro-2025-") for c in shown)
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["study"] == [TUBARO]
    # switch the colour to organisational form: kept in the URL too
    browser.find_element(By.CSS_SELECTOR, "#view-colour input[value=form]").click()
    assert parse_qs(urlsplit(browser.current_url).query)["colour"] == ["form"]
    assert browser.find_element(By.ID, "arc-colour-head").get_attribute("textContent") == "Organisational form"
    browser.save_screenshot(str(ARTIFACTS / "explorer-filtered.png"))
    # the shared URL opens the same view
    shared = browser.current_url
    again = _open(browser, shared)
    assert again["chainsShown"] == after["chainsShown"]
    assert Select(browser.find_element(By.ID, "filter-study")).first_selected_option.get_attribute("value") == TUBARO
    _only_local_and_clean(browser, server)


def test_clicking_a_chain_opens_its_page(server, browser):
    from selenium.webdriver.common.by import By

    _open(browser, server + "/explore")
    arc = browser.find_elements(By.CSS_SELECTOR, "#map a.arc")[0]    # an arc that carries a single chain
    chain = arc.get_attribute("data-chains")
    assert chain.startswith(ID + "chain/") and " " not in chain
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}))", arc)
    expected = server + "/id/" + chain[len(ID):] + ".html"
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.current_url == expected)
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chain svg")        # the chain's own page, its diagram


def test_an_arc_of_several_chains_lists_them_from_the_keyboard(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, server + "/explore")
    group = browser.find_elements(By.CSS_SELECTOR, "#map g.arc[role=button]")[0]
    n = len(group.get_attribute("data-chains").split())
    assert n > 1 and group.get_attribute("tabindex") == "0"
    group.send_keys(Keys.ENTER)
    detail = browser.find_element(By.ID, "arc-detail")
    assert detail.is_displayed()
    links = detail.find_elements(By.CSS_SELECTOR, "li a")
    assert len(links) == n and all("/id/chain/" in a.get_attribute("href") for a in links)


def test_the_value_flow_of_a_chain(static_site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    chain = ID + "chain/olm-southeast-asia-c-dalale-reint"
    _open(browser, static_site + "/explore/index.html")
    sheila = ID + "chain/olm-southeast-asia-c-sheila|USD|https://w3id.org/datawork/ontology#unit-per-audio-hour"
    Select(browser.find_element(By.ID, "flow-chain")).select_by_value(sheila)
    assert parse_qs(urlsplit(browser.current_url).query)["flow"] == [sheila]
    assert "45%" in browser.find_element(By.ID, "flow-table").text          # $12-15 of each $30 audio hour
    Select(browser.find_element(By.ID, "flow-chain")).select_by_value(f"{chain}|USD|https://w3id.org/datawork/ontology#unit-per-job")
    assert parse_qs(urlsplit(browser.current_url).query)["flow"][0].startswith(chain)
    cells = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
             for tr in browser.find_elements(By.CSS_SELECTOR, "#flow-table tbody tr")]
    assert [(c[3], c[5], c[7]) for c in cells] == [("75", "USD", "100%"), ("7.5", "USD", "10%")]
    assert cells[1][8] == "67.5 (90%)"                   # what the reintermediator keeps of the $75
    assert len(browser.find_elements(By.CSS_SELECTOR, "#flow-picture path.kept")) == 1
    browser.save_screenshot(str(ARTIFACTS / "explorer-value-flow.png"))
    _only_local_and_clean(browser, static_site)


def test_readable_on_a_phone(server, browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        _open(browser, server + "/explore")
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width                     # nothing sticks out sideways
        map_width = browser.execute_script("return document.querySelector('#map svg').getBoundingClientRect().width")
        assert 300 <= map_width <= 390
        browser.save_screenshot(str(ARTIFACTS / "explorer-phone.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_benchmark_reads_the_page_ready_time(server, browser):
    """benchmarks/explorer.py times the page by what it reports (not asserted against the target here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.explorer import ready_seconds

    times = ready_seconds(browser, server + "/explore", 1)
    assert len(times) == 1 and 0 < times[0] < 60
