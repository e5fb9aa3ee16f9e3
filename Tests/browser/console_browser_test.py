#!/usr/bin/env python3
"""The console in a real browser, as an operator uses it, against `siyu demo` on loopback.

    python3 Tests/browser/console_browser_test.py path/to/siyu [screenshot folder]

Starts the demo on free loopback ports with a small brand and a known password and drives
headless Chromium (Debian's chromium and chromium-driver; selenium 4 from PyPI) at 1366x768:
signs in; opens the dashboard, channels and a channel, customers and a profile, 人群, 触达规则,
客户群 and a group, 流失客户 and a lost customer's profile, campaigns and a campaign's results,
tags; creates and edits a channel code (its QR image loads from the sandbox); builds a segment
with the picker (live count, saved with its flash) and checks a broken expression is explained in
Chinese at its position; refuses a campaign with a past send time (message beside the field, no
campaign created); creates a campaign through its confirmation and waits until it is planned;
bulk-tags 20 customers; exports a list as CSV (BOM, header row); switches the language and back.
Then it opens the pages again at phone width (390x844).

Fails on
- any SEVERE browser console entry and any HTTP status >= 500 seen by the browser;
- any raw id in the visible text (document.body.innerText) where a name exists: WeCom external
  user ids (wm…), customer group chat ids (wr…), channel ids (chn_…), tag ids (et…), campaign
  and segment ids (cmp_…, seg_…) and "console:" / "key:" actors; `title` attributes (hover) are
  not visible text and are fine; the one deliberate display is listed in ALLOWED_ID_DISPLAYS;
- a chart shown twice (its wide and its narrow copy) at either width;
- any page that scrolls sideways at 390 px, chart text under 11 px or cut off at 390 px, and a
  table marked `cards-on-phone` that still shows its header row at 390 px;
- a 导出 CSV link that does not answer a CSV with a BOM and a header row.
All problems are collected and reported together at the end.
Saves a PNG of every page at both widths into `screenshots/` (git-ignored) for a person to look at.
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORD = "demo-browser-pass"
LIMIT_SECONDS = 210

# Raw ids that must not be shown where a name exists (the demo's ids look like these):
# external user ids wm000TGhfQpP8enIyPPl9THmkrMUHJJ5, group chats wrHgIa3oWUSWKg4KKILJ3silt2Fv26LA,
# channels chn_01pcvnaq0bbb, tags and tag groups etIsreZKXveU0FvUbumWrkgf6YL7TUY8, and the actors
# console:admin and key:wwshanyucoffee01/b8218a418714 (audit log, campaign "created by"); campaigns
# cmp_7402018afeb5954a and segments seg_… have names too.
RAW_IDS = [
    ("external user id", re.compile(r"\bw[mo][A-Za-z0-9_-]{14,}")),
    ("group chat id", re.compile(r"\bwr[A-Za-z0-9_-]{14,}")),
    ("channel id", re.compile(r"\bchn_[A-Za-z0-9]+")),
    ("campaign id", re.compile(r"\bcmp_[0-9a-f]{8,}")),
    ("segment id", re.compile(r"\bseg_[0-9a-f]{8,}")),
    ("tag id", re.compile(r"\bet(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{14,}")),
    ("console actor", re.compile(r"\bconsole:[A-Za-z0-9_.@-]+")),
    ("api key actor", re.compile(r"\bkey:[A-Za-z0-9_./-]+")),
]

# Deliberate id displays, each one element on one page; their text is left out of the id check.
# Nothing else is allowed.
ALLOWED_ID_DISPLAYS = {
    # The profile header names the customer in <h1> and shows the WeCom id below it in <code>.
    "customer": [".profile-head code"],
}

# Visible text, minus the allowed id displays of this kind of page.
VISIBLE_TEXT = """
const text = document.body.innerText;
let out = text;
for (const css of arguments[0]) {
  for (const node of document.querySelectorAll(css)) {
    const own = node.innerText.trim();
    if (own) out = out.split(own).join(" ");
  }
}
return out;
"""

# Elements that stick out of the window's right edge and are not inside something that scrolls
# on its own: the outermost ones, to say which markup makes a page scroll sideways.
WIDE_ELEMENTS = """
const limit = document.documentElement.clientWidth + 1;
const found = [];
function clipped(node) {
  for (let p = node.parentElement; p && p !== document.documentElement; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
  }
  return false;
}
for (const node of document.body.querySelectorAll("*")) {
  const r = node.getBoundingClientRect();
  if (r.width === 0 || r.right <= limit || clipped(node)) continue;
  if (found.some(f => f.contains(node))) continue;
  found.push(node);
}
return found.slice(0, 5).map(n => {
  const r = n.getBoundingClientRect();
  const cls = n.className && n.className.baseVal !== undefined ? n.className.baseVal : n.className;
  return n.tagName.toLowerCase() + (cls ? "." + String(cls).trim().split(/\\s+/).join(".") : "") +
    " (right edge " + Math.round(r.right) + " px, width " + Math.round(r.width) + " px): " +
    JSON.stringify((n.innerText || n.textContent || "").trim().slice(0, 60));
});
"""

# Rendered size of chart text (font size times the SVG's scale), and text that leaves the box the
# chart is drawn in (the chart with its panel's padding: the panel's inner edge).
CHART_TEXT = """
const small = [], cut = [];
for (const svg of document.querySelectorAll("svg.chart")) {
  if (svg.getBoundingClientRect().width === 0) continue;
  const holder = svg.closest(".panel") || svg.parentElement, style = getComputedStyle(holder), outer = holder.getBoundingClientRect();
  const box = {left: outer.left + parseFloat(style.borderLeftWidth), right: outer.right - parseFloat(style.borderRightWidth),
               top: outer.top + parseFloat(style.borderTopWidth), bottom: outer.bottom - parseFloat(style.borderBottomWidth)};
  for (const t of svg.querySelectorAll("text")) {
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    const label = JSON.stringify((t.firstChild ? t.firstChild.textContent : t.textContent).trim().slice(0, 20));
    if (px < 11) small.push(label + " " + px.toFixed(1) + " px");
    const r = t.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      cut.push(label);
  }
}
return [small.slice(0, 5), small.length, cut.slice(0, 5), cut.length];
"""

# Charts come twice (a wide copy and a narrow copy for phones); one of them shows.
CHARTS_SHOWN_TWICE = """
const seen = {};
for (const svg of document.querySelectorAll("svg.chart")) {
  if (svg.getBoundingClientRect().width === 0) continue;
  const name = svg.getAttribute("aria-label") || "?";
  seen[name] = (seen[name] || 0) + 1;
}
return Object.keys(seen).filter(name => seen[name] > 1);
"""

# Tables that should be cards at phone width: the header row hidden and each cell labelled.
CARD_TABLES = """
const bad = [];
for (const table of document.querySelectorAll("table.cards-on-phone")) {
  if (table.getBoundingClientRect().width === 0) continue;
  const head = table.querySelector("thead");
  if (head && getComputedStyle(head).display !== "none") { bad.push("header row shown"); continue; }
  const cell = table.querySelector("td[data-label]");
  if (cell && !getComputedStyle(cell, "::before").content.includes(cell.getAttribute("data-label")))
    bad.push("cells not labelled with data-label");
}
return bad;
"""


def wait(driver, seconds=20):
    """Waits for a condition; a page that is still being replaced (stale nodes) is not a failure."""
    return WebDriverWait(driver, seconds, poll_frequency=0.2, ignored_exceptions=(WebDriverException,))


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
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768",
                     "--lang=zh-CN", "--hide-scrollbars"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(find_binary("chromedriver", "/usr/bin/chromedriver")), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)
        self.shots = shots
        self.problems = []
        self.phone = False
        self.resize(1366, 768)

    def resize(self, width, height):
        """Sets the viewport (not the window) to width x height, so innerWidth is exactly `width`."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.phone = width <= 600

    def problem(self, text):
        self.problems.append(text)
        print("browser test: PROBLEM " + text, flush=True)

    def collect(self, where, expected=()):
        """Browser console errors and 5xx answers since the last call. `expected` are 4xx statuses
        the step provokes on purpose (a form sent back with its errors is 422): Chromium logs those
        answers as console errors too."""
        for entry in self.driver.get_log("browser"):
            # Pages link /console/static/favicon.svg, so the browser has no reason to ask for /favicon.ico.
            message = entry.get("message", "")
            if any("the server responded with a status of %d " % status in message for status in expected):
                continue
            if entry.get("level") == "SEVERE":
                self.problem("%s: console: %s" % (where, entry.get("message")))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                if response.get("status", 0) >= 500:
                    self.problem("%s: HTTP %s %s" % (where, response["status"], response["url"]))

    def open(self, url, name, kind=None):
        self.driver.get(url)
        self.settle(name, kind)

    def settle(self, name, kind=None, expected=()):
        """The page has loaded: collect errors, check it, save its picture."""
        wait(self.driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.collect(name, expected)
        self.no_raw_ids(name, kind)
        for chart in self.driver.execute_script(CHARTS_SHOWN_TWICE):
            self.problem("%s (%s): the chart %r shows twice (its wide and its narrow copy)" % (name, self.path(), chart))
        if self.phone:
            self.fits(name)
            self.phone_layout(name)
        self.shot(name)

    def shot(self, name):
        """A PNG of the page: the window at desktop width, the whole page (up to 8000 px) at phone width."""
        path = os.path.join(self.shots, name + ".png")
        if not self.phone:
            self.driver.save_screenshot(path)
            return
        width, height = self.driver.execute_script(
            "return [document.documentElement.clientWidth, Math.min(8000, document.documentElement.scrollHeight)]")
        picture = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        with open(path, "wb") as out:
            out.write(base64.b64decode(picture["data"]))

    def no_raw_ids(self, where, kind=None):
        """No id in the visible text where the console knows a name."""
        text = self.driver.execute_script(VISIBLE_TEXT, ALLOWED_ID_DISPLAYS.get(kind, []))
        for label, pattern in RAW_IDS:
            found = sorted(set(pattern.findall(text)))
            if found:
                line = next(l for l in text.splitlines() if pattern.search(l))
                self.problem("%s (%s): %s shown: %s (%d), e.g. in %r"
                             % (where, self.path(), label, ", ".join(found[:3]), len(found), line.strip()[:120]))

    def path(self):
        return self.path_of(self.driver.current_url)

    @staticmethod
    def path_of(url):
        return re.sub(r"^https?://[^/]+", "", url)

    def fits(self, where):
        """The page does not scroll sideways at the window's width."""
        wide = self.driver.execute_script(
            "return document.documentElement.scrollWidth - Math.min(window.innerWidth, document.documentElement.clientWidth)")
        if wide > 1:
            culprits = self.driver.execute_script(WIDE_ELEMENTS)
            self.problem("%s (%s): the page is %d px wider than the window; sticking out: %s"
                         % (where, self.path(), wide, "; ".join(culprits) or "?"))

    def phone_layout(self, where):
        small, small_count, cut, cut_count = self.driver.execute_script(CHART_TEXT)
        if small_count:
            self.problem("%s (%s): %d chart labels under 11 px, e.g. %s" % (where, self.path(), small_count, ", ".join(small)))
        if cut_count:
            self.problem("%s (%s): %d chart labels cut off (outside the chart's panel), e.g. %s" % (where, self.path(), cut_count, ", ".join(cut)))
        for bad in sorted(set(self.driver.execute_script(CARD_TABLES))):
            self.problem("%s (%s): a cards-on-phone table: %s" % (where, self.path(), bad))

    def find(self, css, within=None):
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def finds(self, css, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def hrefs(self, css):
        return [a.get_attribute("href") for a in self.finds(css)]

    def click(self, element):
        """Clicks like a person, after scrolling it into view; falls back to a script click when
        something (a sticky panel) lies over it."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
        except WebDriverException:
            self.driver.execute_script("arguments[0].click()", element)

    def flash(self):
        flashes = self.finds("p.flash")
        return flashes[0].text if flashes else ""

    def fetch_text(self, href):
        """GETs a URL inside the page (the session's cookie), as the browser would download it; the
        bytes are decoded here, so a BOM is kept (Response.text() would drop it)."""
        answer = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {credentials: "same-origin"})
              .then(r => r.arrayBuffer().then(b => done({status: r.status, type: r.headers.get("content-type"),
                                                          bytes: Array.from(new Uint8Array(b.slice(0, 4000)))})))
              .catch(e => done({status: 0, type: "", bytes: Array.from(new TextEncoder().encode(String(e)))}));
        """, href)
        answer["text"] = bytes(answer.pop("bytes")).decode("utf-8", "replace")
        return answer


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def tick_tag_with_customers(b, scope, name="tags_all"):
    """Ticks the first tag (of `name`, inside `scope`) whose live count is above zero; returns the count."""
    boxes = b.finds("input[name=%s]" % name, scope)
    check(boxes, "no %s checkboxes in the audience builder" % name)

    def toggle(box):
        before = b.find("[data-builder-expression]", scope).text
        b.click(box)
        try:
            wait(b.driver, 20).until(lambda d: b.find("[data-builder-expression]", scope).text != before
                                     and re.search(r"\d", b.find("[data-builder-count]", scope).text))
        except TimeoutException:
            raise AssertionError("the live count shows no new number: %r (expression %r); builder error %r"
                                 % (b.find("[data-builder-count]", scope).text, b.find("[data-builder-expression]", scope).text,
                                    b.find("[data-builder-error]", scope).text))
        return b.find("[data-builder-count]", scope).text

    for box in boxes[:6]:
        figure = toggle(box)
        if re.search(r"[1-9]", figure):
            return figure
        toggle(box)  # nobody has it: untick and try the next
    raise AssertionError("no tag in the builder counts any customer")


def fill_compose(b, name, text):
    compose = b.find("#compose")
    compose.find_element(By.NAME, "name").send_keys(name)
    b.click(b.find("input[name=kind][value=message]", compose))
    count = tick_tag_with_customers(b, compose)
    compose.find_element(By.NAME, "text").send_keys(text)
    return count


def campaign_rows(b, base):
    b.driver.get(base + "/console/campaigns")
    return len(b.finds("a[href*='/console/campaigns/cmp_']"))


def run(binary, shots):
    started = time.time()
    port, sandbox_port = free_port(), free_port()
    base = "http://127.0.0.1:%d" % port
    data_dir = tempfile.mkdtemp(prefix="siyu-browser-")
    demo = Demo(binary, port, sandbox_port, data_dir)
    browser = None
    pages = []  # (name, url, kind) of every page to open again at phone width
    try:
        username, password = demo.wait_ready()
        browser = Browser(shots)
        b = browser

        def visit(name, url, kind=None):
            pages.append((name, url, kind))
            b.open(url, "d-" + name, kind)

        # Sign in.
        b.open(base + "/console/login", "d-00-login")
        b.find("input[name=username]").send_keys(username)
        b.find("input[name=password]").send_keys(password)
        b.find("form[action='/console/login'] button[type=submit]").click()
        wait(b.driver, 20).until(lambda d: "/console/login" not in d.current_url)
        b.settle("d-01-signed-in")
        check(b.finds("nav.nav a"), "no navigation after signing in")

        # Every page an operator reads.
        visit("02-dashboard", base + "/console/dashboard")
        check(b.finds("svg.chart"), "the dashboard has no chart")
        visit("03-channels", base + "/console/channels")
        b.fits("d-03-channels")  # the channel list fits a 1366 px screen too
        channels = [h for h in b.hrefs("a[href*='/console/channels/chn_']")]
        check(channels, "the demo brand's channels are not listed")
        visit("04-channel", channels[0])
        visit("05-customers", base + "/console/customers")
        profiles = [h for h in b.hrefs("a[href*='/console/customers/']") if "/console/customers/w" in h]
        check(profiles, "no customer profiles listed")
        visit("06-customer", profiles[0], "customer")
        visit("07-segments", base + "/console/segments")
        visit("08-contact-policy", base + "/console/contact_policy")
        visit("09-groups", base + "/console/groups")
        groups = [h for h in b.hrefs("a[href*='/console/groups/']") if not h.rstrip("/").endswith("/groups")]
        check(groups, "no customer groups listed")
        visit("10-group", groups[0])
        visit("11-lost", base + "/console/lost")
        lost = [h for h in b.hrefs("table a[href*='/console/customers/']")]
        check(lost, "no lost customers listed")
        visit("12-lost-customer", lost[0], "customer")
        visit("13-campaigns", base + "/console/campaigns")
        results = b.hrefs("a[href*='/console/campaigns/cmp_']")
        check(results, "the demo's campaigns are not listed")
        visit("14-campaign-results", results[-1])
        visit("15-tags", base + "/console/tags")
        # Whatever else the navigation offers.
        known = {url.split("?")[0].rstrip("/") for _n, url, _k in pages}
        for index, href in enumerate(b.hrefs("nav.nav a")):
            if href.split("?")[0].rstrip("/") not in known:
                known.add(href.split("?")[0].rstrip("/"))
                visit("16-nav-%d-%s" % (index, href.rstrip("/").rsplit("/", 1)[-1]), href)

        # Channels: a new one whose QR code loads from the sandbox, then edited.
        b.open(base + "/console/channels/new", "d-20-channel-new")
        form = b.find("form.stack")
        form.find_element(By.NAME, "name").send_keys("浏览器测试渠道")
        picker = b.finds("[data-picker] input[name=members]", form)
        if picker:
            for box in picker[:2]:
                b.click(box)
        else:
            members = form.find_element(By.NAME, "members")
            members.clear()
            members.send_keys("linxiaoyu,zhouhao")
        form.find_element(By.NAME, "welcome_text").send_keys("你好{nickname}，欢迎光临！")
        b.click(b.find("button[type=submit].primary", form))
        wait(b.driver, 20).until(lambda d: re.search(r"/console/channels/chn_", d.current_url))
        wait(b.driver, 20).until(lambda d: d.execute_script(
            "const i = document.querySelector('.qr img'); return i && i.complete && i.naturalWidth > 0"))
        b.settle("d-21-channel-created")
        check("浏览器测试渠道" in b.find("h1").text, "the new channel's page: " + b.find("h1").text)
        created_url = b.driver.current_url
        form = b.find("form.stack")
        name = form.find_element(By.NAME, "name")
        name.clear()
        name.send_keys("浏览器测试渠道·改")
        b.click(b.find("button[type=submit].primary", form))
        wait(b.driver, 20).until(lambda d: "浏览器测试渠道·改" in d.find_element(By.TAG_NAME, "h1").text)
        b.settle("d-22-channel-edited")
        check(b.driver.current_url.split("?")[0] == created_url.split("?")[0], b.driver.current_url)

        # 人群: build a segment with the picker, see its live count, save it.
        visit("23-segment-new", base + "/console/segments/new")
        form = b.find("main form.stack")
        form.find_element(By.NAME, "name").send_keys("浏览器测试人群")
        segment_count = tick_tag_with_customers(b, form)
        b.shot("d-24-segment-counted")
        b.click(b.find(".actions button[type=submit]", form))
        wait(b.driver, 20).until(lambda d: re.search(r"/console/segments/[^/?]+\?", d.current_url)
                                 and not d.current_url.split("?")[0].endswith("/new"))
        b.settle("d-25-segment-saved")
        check("人群已保存" in b.flash(), "segment saved: flash %r at %s" % (b.flash(), b.driver.current_url))
        segment_url = b.driver.current_url.split("?")[0]
        pages.append(("25-segment", segment_url, None))
        # The expression, typed by hand with a mistake: the error is Chinese and says where.
        b.click(b.find("input[name=segment_mode][value=expression]"))
        textarea = b.find("textarea[name=expression]")
        wait(b.driver, 10).until(lambda d: textarea.is_displayed())
        textarea.clear()
        textarea.send_keys('tag "VIP" and (')
        try:
            wait(b.driver, 20).until(lambda d: b.find("[data-builder-error]").is_displayed()
                                     and b.find("[data-builder-error]").text.strip())
        except TimeoutException:
            raise AssertionError("a broken expression shows no error; count %r" % b.find("[data-builder-count]").text)
        error = b.find("[data-builder-error]").text
        b.settle("d-26-segment-expression-error", expected=(422,))
        if not ("第" in error and "字符处" in error):
            b.problem("segment expression error is not Chinese with its position: %r" % error)

        # 群发: a send time in the past is refused beside the field, and nothing is created.
        before = campaign_rows(b, base)
        visit("27-campaign-compose", base + "/console/campaigns/new")
        fill_compose(b, "浏览器测试·过去的时间", "这条不该发出")
        b.driver.execute_script("""
            const input = document.querySelector('#compose input[name=send_at]');
            input.value = arguments[0];
            input.dispatchEvent(new Event('input', {bubbles: true}));
            input.dispatchEvent(new Event('change', {bubbles: true}));
        """, "2020-01-01T09:00")
        b.click(b.find("#compose .actions button[type=submit]"))
        wait(b.driver, 20).until(lambda d: d.find_elements(By.XPATH, "//input[@name='send_at']/ancestor::label//*[contains(@class,'field-error')]")
                                 or d.find_elements(By.CSS_SELECTOR, "[data-confirm-question]")
                                 or "/console/campaigns/cmp_" in d.current_url)
        b.settle("d-28-campaign-past-send-time", expected=(422,))
        beside = b.driver.find_elements(By.XPATH, "//input[@name='send_at']/ancestor::label//*[contains(@class,'field-error')]")
        check(beside and "发送时间已经过去了" in beside[0].text,
              "a past send time: no message beside the field; at %s: %r" % (b.path(), [e.text for e in beside]))
        check("/console/campaigns/cmp_" not in b.driver.current_url and not b.finds("[data-confirm-question]"),
              "a past send time went on to %s" % b.driver.current_url)
        after = campaign_rows(b, base)
        check(after == before, "a past send time created a campaign: %d listed before, %d after" % (before, after))

        # 群发: compose, confirm with the audience size, send, wait until it is planned.
        b.open(base + "/console/campaigns/new", "d-29-campaign-compose")
        builder_count = fill_compose(b, "浏览器测试群发", "周末新品试饮，欢迎到店")
        expression = b.find("#compose [data-builder-expression]").text
        wait(b.driver, 30).until(lambda d: b.find("[data-preview-status]").text.startswith(expression + " ·")
                                 and re.search(r"\d", b.find("[data-figure=audience]").text))
        preview_count = b.find("[data-figure=audience]").text
        b.shot("d-30-campaign-preview")
        b.click(b.find("#compose .actions button[type=submit]"))
        wait(b.driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "h2[data-confirm-question]"))
        b.settle("d-31-campaign-confirm")
        question = b.find("h2[data-confirm-question]").text
        check(re.search(r"向\s*[\d,]+\s*位客户发送？", question), "confirmation question: %r" % question)
        b.click(b.find("[data-confirm-send]"))
        wait(b.driver, 20).until(lambda d: re.search(r"/console/campaigns/cmp_", d.current_url))
        campaign_url = b.driver.current_url.split("?")[0].split("#")[0]
        try:
            wait(b.driver, 60).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".badge.state-planning")
                                     and "规划中" not in d.find_element(By.CSS_SELECTOR, ".heading .badge").text)
        except TimeoutException:
            raise AssertionError("the campaign is still 规划中 after 60 s: " + b.find(".heading .badge").text)
        b.settle("d-32-campaign-results")
        pages.append(("32-campaign-created", campaign_url, None))
        check("浏览器测试群发" in b.find("h1").text, b.find("h1").text)
        check(b.finds(".cards .card"), "the results page has no totals")
        b.fits("d-32-campaign-results")
        b.open(base + "/console/campaigns", "d-33-campaigns-list")
        check("浏览器测试群发" in b.find("table").text, "the new campaign is not listed")

        # Bulk: tag 20 active customers at once.
        b.open(base + "/console/customers?status=active", "d-34-customers-active")
        boxes = b.finds("form[data-bulk] input[name=ids]")
        check(len(boxes) >= 20, "only %d customers to tick on the first page" % len(boxes))
        for box in boxes[:20]:
            b.click(box)
        wait(b.driver, 5).until(lambda d: "20" in b.find("[data-bulk-count]").text)
        tag_select = Select(b.find("form[data-bulk] select[name=tag_id]"))
        check(len(tag_select.options) > 1, "no tags to choose for the bulk action")
        tag_select.select_by_index(1)
        b.shot("d-35-customers-ticked")
        b.click(b.find("form[data-bulk] button[name=action][value=tag]"))
        wait(b.driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.flash, .form-error"))
        b.settle("d-36-customers-tagged")
        check("已为 20 位客户打上标签" in b.flash(), "bulk tag: flash %r" % b.flash())

        # Export: lists as CSV, as the browser downloads them (a BOM for Excel, a header row, names
        # beside ids): customers, lost customers, channels.
        exports = []
        for page, name, header_has in (("/console/customers", "d-37-customers-export", "members"),
                                       ("/console/lost", "d-37b-lost-export", None),
                                       ("/console/channels", "d-37c-channels-export", None)):
            b.driver.get(base + page)
            links = [a for a in b.finds("a[download]") if "导出 CSV" in a.text]
            check(links, "%s has no 导出 CSV link" % page)
            href = links[0].get_attribute("href")
            answer = b.fetch_text(href)
            lines = answer["text"].lstrip("\ufeff").splitlines()
            if answer["status"] != 200:
                b.problem("%s: 导出 CSV (%s): HTTP %s" % (name, b.path_of(href), answer["status"]))
            elif not answer["text"].startswith("\ufeff"):
                b.problem("%s: 导出 CSV (%s) does not start with a BOM: %r" % (name, b.path_of(href), answer["text"][:40]))
            elif not (lines and "," in lines[0] and (header_has is None or header_has in lines[0].split(","))):
                b.problem("%s: 导出 CSV (%s) header row: %r" % (name, b.path_of(href), lines[:1]))
            elif len(lines) < 2:
                b.problem("%s: 导出 CSV (%s) has no rows" % (name, b.path_of(href)))
            else:
                exports.append("%s (%d bytes read)" % (b.path_of(href), len(answer["text"].encode())))
            b.collect(name)

        # Switch the language: visible text changes; and back to Chinese.
        b.open(base + "/console/dashboard", "d-38-dashboard-before-switch")
        before_nav = b.find("nav.nav").text
        b.click(b.find("a.lang"))
        wait(b.driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "nav.nav").text != before_nav)
        b.settle("d-39-dashboard-switched")
        after_nav = b.find("nav.nav").text
        b.click(b.find("a.lang"))
        wait(b.driver, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "nav.nav").text == before_nav)
        desktop_done = time.time()

        # The same pages at phone width: no sideways scroll, readable charts, cards for lists.
        b.resize(390, 844)
        for name, url, kind in pages:
            b.open(url, "p-" + name, kind)
        # The menu opens at phone width.
        b.driver.get(base + "/console/dashboard")
        b.click(b.find(".nav-toggle-label"))
        wait(b.driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, "nav.nav").is_displayed())
        b.fits("p-40-menu-open")
        b.collect("p-40-menu-open")
        b.shot("p-40-menu-open")

        print("browser test: %d pages at 1366 px and %d at 390 px, segment count %s, campaign builder %s / preview %s (%r), "
              "exports %s, language %r -> %r; %.0f s (%.0f s desktop); screenshots in %s"
              % (len(pages), len(pages), segment_count, builder_count, preview_count, question, ", ".join(exports),
                 before_nav[:20], after_nav[:20], time.time() - started, desktop_done - started, shots))
        if b.problems:
            raise AssertionError("%d browser problems:\n" % len(b.problems) + "\n".join(b.problems))
    except Exception:
        if browser:
            try:
                browser.shot("zz-failure")
                print("browser test: failed at %s" % browser.driver.current_url, file=sys.stderr)
                if browser.problems:
                    print("browser test: problems so far:\n" + "\n".join(browser.problems), file=sys.stderr)
            except WebDriverException:
                pass
        raise
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
    # Bounded: the whole run (demo start, both widths) well under the CI step's budget.
    def overdue(_signum, _frame):
        raise TimeoutError("browser test: still running after %d s" % LIMIT_SECONDS)
    signal.signal(signal.SIGALRM, overdue)
    signal.alarm(LIMIT_SECONDS)
    try:
        run(os.path.abspath(sys.argv[1]), shots)
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    main()
