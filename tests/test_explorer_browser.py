"""The chain explorer (``/explore``) in a real headless browser, on ``datawork serve`` and on the
static publication (served by a plain ``python -m http.server``).

Debian's chromium and chromedriver driven by Selenium, as in ``test_browser.py``: the browser may
reach 127.0.0.1 only (every other host name resolves to nothing), so the page must load everything
from the site. Screenshots are kept in ``tests/artifacts/`` (gitignored).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import skip_or_fail
from servers import free_port, stop_process

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ID = "https://w3id.org/datawork/id/"
TUBARO = ID + "study/tubaro-2025"
P = "PREFIX dw: <https://w3id.org/datawork/ontology#>\n"

pytestmark = pytest.mark.browser


def _wait_http(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, f"{what} exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{what} did not answer"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def served(built):
    """``datawork serve`` on the session's build: the base URL of the explorer's site."""
    ws, _ = built
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datawork_kg.cli", "--home", str(ws.root), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/health", proc, "datawork serve")
        yield base
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def static_site(built, tmp_path_factory):
    """The static publication of the session's build served by a plain static file server."""
    from datawork_kg.publish import publish_static

    ws, _ = built
    out = tmp_path_factory.mktemp("explorer-site") / "site"
    publish_static(out, home=ws.root)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/index.html", proc, "the static server")
        yield base
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("selenium is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        skip_or_fail("Debian chromium/chromium-driver are not installed (see .ci/install-servers.sh)")
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


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
def test_explorer_loads_and_draws_every_placed_chain(where, served, static_site, browser, store):
    from selenium.webdriver.common.by import By

    base = served if where == "served" else static_site
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


def test_a_filter_changes_the_drawing_and_the_url(served, browser, store):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    before = _open(browser, served + "/explore")
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
    _only_local_and_clean(browser, served)


def test_clicking_a_chain_opens_its_page(served, browser):
    from selenium.webdriver.common.by import By

    _open(browser, served + "/explore")
    arc = browser.find_elements(By.CSS_SELECTOR, "#map a.arc")[0]    # an arc that carries a single chain
    chain = arc.get_attribute("data-chains")
    assert chain.startswith(ID + "chain/") and " " not in chain
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}))", arc)
    expected = served + "/id/" + chain[len(ID):] + ".html"
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.current_url == expected)
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chain svg")        # the chain's own page, its diagram


def test_an_arc_of_several_chains_lists_them_from_the_keyboard(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(browser, served + "/explore")
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


def test_readable_on_a_phone(served, browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        _open(browser, served + "/explore")
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width                     # nothing sticks out sideways
        map_width = browser.execute_script("return document.querySelector('#map svg').getBoundingClientRect().width")
        assert 300 <= map_width <= 390
        browser.save_screenshot(str(ARTIFACTS / "explorer-phone.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_benchmark_reads_the_page_ready_time(served, browser):
    """benchmarks/explorer.py times the page by what it reports (not asserted against the target here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.explorer import ready_seconds

    times = ready_seconds(browser, served + "/explore", 1)
    assert len(times) == 1 and 0 < times[0] < 60
