"""The search box in a real headless browser: on the served site (through the store) and on the
static site (through the index the publisher writes), from the home page and from every page header."""
from __future__ import annotations

import httpx
import pytest

from conftest import ARTIFACTS
from test_browser import _only_local

pytestmark = pytest.mark.browser


def _search(driver, box_id: str, text: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, box_id)
    box.clear()
    box.send_keys(text + Keys.ENTER)
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "search-count"))
    return [(a.text, a.get_attribute("href")) for a in driver.find_elements(By.CSS_SELECTOR, "ol.search-results a")]


def test_search_box_on_the_served_site(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    hits = _search(browser, "home-q", "mada")
    assert "/search?q=mada" in browser.current_url
    assert hits and hits[0][0] == "Madagascar", hits
    browser.save_screenshot(str(ARTIFACTS / "search-served.png"))
    _only_local(browser, server)
    browser.find_element(By.LINK_TEXT, "Madagascar").click()
    assert browser.current_url.endswith(".html") and "Madagascar" in browser.find_element(By.TAG_NAME, "h1").text
    # every page has the box in its header: search from this resource page, accents folded
    hits = _search(browser, "site-q", "Télécom paris")
    assert [h for h in hits if h[0] == "Telecom Paris"], hits
    r = httpx.get(server + "/search", params={"q": "amazon turk", "format": "json"})
    assert r.status_code == 200 and "Amazon Mechanical Turk" in [x["name"] for x in r.json()["results"]]
    assert httpx.get(server + "/search", params={"q": "zzzz-nothing"}).status_code == 200


def test_search_box_on_the_static_site(static_site, browser):
    from selenium.webdriver.common.by import By

    browser.get(static_site + "/index.html")
    hits = _search(browser, "home-q", "venez")
    assert "search.html?q=venez" in browser.current_url
    names = [h[0] for h in hits]
    assert names and names[0].startswith("Venezuela"), names
    browser.save_screenshot(str(ARTIFACTS / "search-static.png"))
    _only_local(browser, static_site)
    browser.find_element(By.LINK_TEXT, names[0]).click()
    assert browser.current_url.endswith(".html") and "Venezuela" in browser.find_element(By.TAG_NAME, "h1").text
    hits = _search(browser, "site-q", "TELECOM PARÍS")
    assert [h for h in hits if h[0] == "Telecom Paris"], hits
    assert _search(browser, "site-q", "zzzz-nothing") == []
    assert "Nothing found" in browser.find_element(By.ID, "search-count").text


def test_resource_pages_fit_1280_px_and_read_as_words(server, browser):
    """Chain diagrams fit the page column at 1280 px; rdfs:label and rdfs:comment read as words."""
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 1000)
    try:
        for path in ("/id/chain/tubaro-2025-ch-voice-deep-labour.html", "/id/chain/tubaro-2025-ch-latam-work.html",
                     "/id/organisation/tubaro-2025-sampled-intl-platforms.html"):
            browser.get(server + path)
            svgs = browser.find_elements(By.CSS_SELECTOR, "figure.chain svg")
            assert svgs, path
            width = browser.execute_script("return document.documentElement.clientWidth")
            for svg in svgs:
                right = browser.execute_script("return arguments[0].getBoundingClientRect().right", svg)
                assert right <= width + 1, (path, right, width)
            props = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.facts td.p")]
            assert "label" in props and "rdfs:label" not in props, props
        browser.save_screenshot(str(ARTIFACTS / "resource-1280.png"))
    finally:
        browser.set_window_size(1400, 1100)
