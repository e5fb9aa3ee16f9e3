#!/usr/bin/env python3
"""The console in a real browser, against `siyu demo` on loopback.

    python3 Tests/browser/console_browser_test.py path/to/siyu [screenshot folder]

Starts the demo on free loopback ports with a small brand and a known password, signs in with
headless Chromium (Debian's chromium and chromium-driver; selenium 4 from PyPI), opens every
console page, creates a channel code (its QR image must load from the sandbox), composes a
campaign, waits for the preview count, creates it and opens its results page, switches the
language and checks the text changed. The channel list at 1366 px, a campaign's results and the
dashboard at phone width must not scroll sideways.
Fails on any SEVERE browser console entry and on any HTTP status >= 500 seen by the browser.
Saves a PNG of every page at 1366x768, and of the dashboard at phone width (390x844), into
`screenshots/` (git-ignored) for a person to look at.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait


def wait(driver, seconds=20):
    """Waits for a condition; a page that is still being replaced (stale nodes) is not a failure."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,))

PASSWORD = "demo-browser-pass"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(*names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    sys.exit("browser test: none of %s found; apt-get install chromium chromium-driver" % ", ".join(names))


class Demo:
    """`siyu demo` as a child process; its output is collected for the banner and for failures."""

    def __init__(self, binary, port, sandbox_port, data_dir):
        self.lines = []
        self.process = subprocess.Popen(
            [binary, "demo", "--port", str(port), "--sandbox-port", str(sandbox_port), "--data-dir", data_dir,
             "--customers", "800", "--days", "30", "--interval", "5", "--password", PASSWORD],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.lines:
                match = re.search(r"Login:\s+(\S+) / (\S+)", line)
                if match:
                    return match.group(1), match.group(2)
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("siyu demo did not become ready:\n" + "\n".join(self.lines[-40:]))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(2)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Browser:
    def __init__(self, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = find_binary("chromium", "/usr/bin/chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=zh-CN"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(find_binary("chromedriver", "/usr/bin/chromedriver")), options=options)
        self.driver.set_window_size(1366, 768)
        self.shots = shots
        self.problems = []

    def collect(self, where):
        """Browser console errors and 5xx answers since the last call."""
        for entry in self.driver.get_log("browser"):
            # Pages link /console/static/favicon.svg, so the browser has no reason to ask for /favicon.ico.
            if entry.get("level") == "SEVERE":
                self.problems.append("%s: console: %s" % (where, entry.get("message")))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                if response.get("status", 0) >= 500:
                    self.problems.append("%s: HTTP %s %s" % (where, response["status"], response["url"]))

    def open(self, url, name):
        self.driver.get(url)
        self.settle(name)

    def settle(self, name):
        wait(self.driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.collect(name)
        self.shot(name)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def fits(self, where):
        """The page does not scroll sideways at the window's width."""
        wide = self.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 1:
            self.problems.append("%s: the page is %d px wider than the window" % (where, wide))

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def submit_form(self, form):
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def run(binary, shots):
    port, sandbox_port = free_port(), free_port()
    base = "http://127.0.0.1:%d" % port
    data_dir = tempfile.mkdtemp(prefix="siyu-browser-")
    demo = Demo(binary, port, sandbox_port, data_dir)
    browser = None
    try:
        username, password = demo.wait_ready()
        browser = Browser(shots)
        b = browser

        # Sign in.
        b.open(base + "/console/login", "01-login")
        b.find("input[name=username]").send_keys(username)
        b.find("input[name=password]").send_keys(password)
        b.submit_form(b.find("form[action='/console/login']"))
        wait(b.driver, 20).until(lambda d: "/console/login" not in d.current_url)
        b.settle("02-dashboard")
        assert b.finds("nav.nav a"), "no navigation after signing in"
        assert b.finds("svg"), "the dashboard has no chart"

        # Every page of the navigation.
        links = [(a.get_attribute("href"), a.text) for a in b.finds("nav.nav a")]
        for index, (href, _label) in enumerate(links):
            b.open(href, "03-nav-%d-%s" % (index, href.rstrip("/").rsplit("/", 1)[-1]))

        # Channels: the list, a channel, then a new one whose QR code loads from the sandbox.
        b.open(base + "/console/channels", "04-channels")
        b.fits("04-channels")
        channel_links = [a.get_attribute("href") for a in b.finds("a[href^='/console/channels/'], a[href*='/console/channels/chn_']")]
        channel_links = [h for h in channel_links if "/new" not in h]
        assert channel_links, "the demo brand's channels are not listed"
        b.open(channel_links[0], "05-channel")
        b.open(base + "/console/channels/new", "06-channel-new")
        form = b.find("form.stack")
        form.find_element(By.NAME, "name").send_keys("浏览器测试渠道")
        members = form.find_element(By.NAME, "members")
        members.clear()
        members.send_keys("linxiaoyu,zhouhao")
        form.find_element(By.NAME, "welcome_text").send_keys("你好{nickname}，欢迎光临！")
        b.submit_form(form)
        wait(b.driver, 20).until(lambda d: re.search(r"/console/channels/chn_", d.current_url))
        wait(b.driver, 20).until(lambda d: d.execute_script(
            "const i = document.querySelector('.qr img'); return i && i.complete && i.naturalWidth > 0"))
        b.settle("07-channel-created")
        assert "浏览器测试渠道" in b.driver.page_source
        # Edit it: a new name, saved through the same form.
        created_url = b.driver.current_url
        form = b.find("form.stack")
        name = form.find_element(By.NAME, "name")
        name.clear()
        name.send_keys("浏览器测试渠道·改")
        b.submit_form(form)
        wait(b.driver, 20).until(lambda d: "浏览器测试渠道·改" in d.find_element(By.TAG_NAME, "h1").text)
        b.settle("07b-channel-edited")
        assert b.driver.current_url.split("?")[0] == created_url.split("?")[0], b.driver.current_url

        # Customers: the list and one profile.
        b.open(base + "/console/customers", "08-customers")
        profiles = [a.get_attribute("href") for a in b.finds("a[href*='/console/customers/']")]
        profiles = [h for h in profiles if re.search(r"/console/customers/wm", h)]
        assert profiles, "no customer profiles listed"
        b.open(profiles[0], "09-customer")

        b.open(base + "/console/tags", "10-tags")
        b.open(base + "/console/campaigns", "11-campaigns")

        # Compose a campaign and wait for the preview's audience count.
        b.open(base + "/console/campaigns/new", "12-campaign-compose")
        audience = b.find("#compose textarea[name=audience]")
        audience.clear()
        audience.send_keys('status = active')
        wait(b.driver, 30).until(lambda d: re.search(r"\d", d.find_element(By.CSS_SELECTOR, "[data-figure=audience]").text))
        count = b.find("[data-figure=audience]").text
        b.settle("13-campaign-preview")
        assert count.strip() not in ("", "–", "0"), "preview count: %r" % count

        # Create it: the results page of the new campaign, then the list shows it.
        compose = b.find("#compose")
        compose.find_element(By.NAME, "name").send_keys("浏览器测试群发")
        compose.find_element(By.NAME, "text").send_keys("周末新品试饮，欢迎到店")
        b.submit_form(compose)
        wait(b.driver, 20).until(lambda d: re.search(r"/console/campaigns/cmp_", d.current_url))
        # A campaign is planned by a job: the page shows its progress and reloads until it is planned.
        wait(b.driver, 30).until(lambda d: "state-planning" not in d.page_source and "cards" in d.page_source)
        b.settle("13b-campaign-results")
        assert "浏览器测试群发" in b.find("h1").text, b.find("h1").text
        assert b.finds(".cards .card"), "the results page has no totals"
        b.fits("13b-campaign-results")
        b.open(base + "/console/campaigns", "13c-campaigns-list")
        assert "浏览器测试群发" in b.find("table").text, "the new campaign is not listed"

        # Switch the language: visible text changes.
        b.open(base + "/console/dashboard", "14-dashboard-before-switch")
        before = b.find("nav.nav").text
        b.find("a.lang").click()
        wait(b.driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "nav.nav").text != before)
        b.settle("15-dashboard-switched")
        after = b.find("nav.nav").text
        assert after != before, "language switch changed nothing"

        # The dashboard at phone width.
        b.driver.set_window_size(390, 844)
        b.open(base + "/console/dashboard", "16-dashboard-phone")
        b.fits("16-dashboard-phone")

        if b.problems:
            raise AssertionError("browser problems:\n" + "\n".join(b.problems))
        print("browser test: %d pages, channel and campaign created, preview count %s, language %r -> %r; screenshots in %s"
              % (len(os.listdir(shots)), count, before[:30], after[:30], shots))
    finally:
        if browser:
            browser.driver.quit()
        demo.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shots = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "screenshots")
    shots = os.path.abspath(shots)
    os.makedirs(shots, exist_ok=True)
    for old in os.listdir(shots):
        if old.endswith(".png"):
            os.remove(os.path.join(shots, old))
    run(os.path.abspath(sys.argv[1]), shots)


if __name__ == "__main__":
    main()
