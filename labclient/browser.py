"""A real browser on the lab's pages: Debian's Chromium, headless, driven through Debian's chromedriver by Selenium
(nothing is downloaded at run time). The browser test (labtests/test_browser.py) and `make screenshots`
(scripts/screenshots.py) use it.

Chromium is started without its background traffic (no update checks, no sync, no safe-browsing lookups): on a lab
network it talks to 127.0.0.1 and the lab's nodes only.
"""

import base64
import contextlib
import shutil
import tempfile
import urllib.parse

from provision.waiting import until

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"
SIZE = (1280, 800)  # every picture of the guide at this size
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US")


def missing():
    """Why no browser can run here (one sentence), or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (make venv installs it)"
    if not any(shutil.which(name) for name in CHROMIUM):
        return "Chromium is not installed (Debian: apt-get install chromium chromium-driver)"
    if not shutil.which(DRIVER):
        return "chromedriver is not installed (Debian: apt-get install chromium-driver)"
    return None


@contextlib.contextmanager
def opened(size=SIZE):
    """A headless Chromium (Selenium's driver), in a profile of its own, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = next(shutil.which(name) for name in CHROMIUM if shutil.which(name))
    with tempfile.TemporaryDirectory(prefix="promlab-chromium-") as profile:
        for flag in (*FLAGS, f"--window-size={size[0]},{size[1]}", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which(DRIVER)), options=options)
        driver.set_page_load_timeout(30)
        # the page itself at `size` (the window's size holds the browser's own bars too)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
        try:
            yield driver
        finally:
            driver.quit()


def sign_in(driver, user, password):
    """Every request of this browser carries the credentials (basic auth), as a signed-in user's would."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})


def text_when(driver, css, ok, timeout, what):
    """The text of the elements matching `css` once ok(texts) holds; AssertionError saying what was last seen."""
    from selenium.webdriver.common.by import By

    return until(lambda: [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)], ok, timeout, what)


CLICKABLE = "a, button, input[type=button], input[type=submit], [role=tab]"
TABS = "ul.nav-tabs a, [role=tab]"  # a page's own tabs (not the menu's links of the same name: Graph)


# The element a student would click, asked of the page in one call. Asked element by element through the driver (its
# text, its value, whether it shows), a click cost three round trips per link or button on the page: finding Execute on
# the classic query page, once `up` was typed, took 9 s.
SHOWN_READING = """
const [among, text] = arguments;
const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
const reading = e => (e.innerText || "").trim() || (e.value || "").trim();
return [...document.querySelectorAll(among)].find(e => shown(e) && reading(e) === text) || null;
"""


def click_text(driver, text, timeout=10, among=CLICKABLE):
    """Click the link, button or tab a student would, by the words it shows (a menu opened first stays open)."""
    def found():
        return driver.execute_script(SHOWN_READING, among, text)

    element = text_when(driver, "body", lambda _: found() is not None, timeout, f"something to click reading {text!r}") and found()
    element.click()


def execute(driver, url, page, query, tab):
    """On a query page (`url` + `page`), type `query` in the query box as a student would, press Execute, open the
    tab named `tab` (Table, Console, Graph). Works by what the page shows: a textarea (Debian's classic UI) or an
    editable box (the React UIs' editor)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(url + page)
    boxes = "textarea, [contenteditable=true]"
    text_when(driver, boxes, bool, 20, f"the query box on {page}")
    box = driver.find_element(By.CSS_SELECTOR, boxes)
    box.click()
    box.send_keys(query)
    box.send_keys(Keys.ESCAPE)  # the completion list would cover the button
    click_text(driver, "Execute")
    # executed: the page keeps the query in its address (both UIs do), so a query typed into a page still loading,
    # and lost, is not taken for one that gave nothing
    text_when(driver, "body", lambda _: query in urllib.parse.unquote_plus(driver.current_url), 20,
              f"{query} executed (in the page's address: {driver.current_url})")
    click_text(driver, tab, among=TABS)


def rows(driver, query, timeout=30):
    """The rows of the result table once it has some, or what the page says instead when the query gave nothing (the
    classic UI: a row saying "no data"; Prometheus 3's: an alert "This query returned no data", never to be taken for
    the "No data queried yet" it shows before the query ran)."""
    def answered(found):  # a row that is not the classic UI's header ("Element Value"), or what stands for none
        return any(r.strip() and not r.startswith("Element") and "queried yet" not in r.lower() for r in found)

    return text_when(driver, "table tr, [role=alert]", answered, timeout, f"a table for {query}")


def firing_rule_opened(driver, kind, rule):
    """On the alerts page of a UI of `kind` (react, classic), open the alerting rule named `rule` where the page draws it
    as firing, and return the lines of its alerts (each with its labels and state); a sentence when no such rule is
    drawn. The classic UI colours a firing rule's row .alert-danger; Prometheus 3's gives its accordion a badge
    "firing (n)". An inactive or pending rule is neither."""
    from selenium.webdriver.common.by import By

    if kind == "classic":
        rules = [e for e in driver.find_elements(By.CSS_SELECTOR, ".alert-danger") if rule in e.text]
        if not rules:
            return f"no {rule} rule drawn as firing"
        rules[0].click()
        return [line for line in driver.find_element(By.TAG_NAME, "body").text.splitlines() if "alertname=" in line]
    controls = "button[class*=Accordion-control]"  # drawn once the page has fetched the rules
    text_when(driver, controls, lambda texts: any(rule in t for t in texts), 20, f"{rule}'s rule on the alerts page")
    rules = [e for e in driver.find_elements(By.CSS_SELECTOR, controls) if rule in e.text and "firing (" in e.text.lower()]
    if not rules:
        return f"no {rule} rule drawn as firing"
    rules[0].click()
    return [" ".join(row.text.split()) for row in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
            if "alertname=" in row.text]
