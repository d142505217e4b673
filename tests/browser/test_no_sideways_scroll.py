"""Every page of the demo, in every role, fits a 360 px phone: nothing scrolls sideways.

The demo community is made with the real generator (small: all six roles take
two to three minutes). For each printed login, one page logs in at 360 × 740
and crawls the site from the community's home (and the front page): every
same-site link is followed (not log out, downloads, exports, the admin or the
API), one page for each kind of address — the view the address resolves to,
its word arguments (a community, a step) and the names in its query string,
but not its numbers or ids, so 300 person pages count once.

On each page every ``details`` element (the header's menu, "show more") is
opened, as a person may. The test fails on an element or run of text that
sticks out past either edge of the screen, unless a box that fits the screen
clips or scrolls it (as a wide table's scrolling wrapper does), and on a page
wider than the screen; the failure names each thing that sticks out, how far,
and the pages it does so on, for every role at once. A page that does not load
(a server error) fails it too.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, Error, Page, expect
from pytest_django.live_server_helper import LiveServer

from ginnel.demo.generator import DemoLogin, generate_community

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
#: At most this many kinds of page for one role (a bound on the crawl, not a target).
MOST_PAGES = 150
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/logout/")
#: Query names that only say where a page's "Back" link goes.
BACK_LINKS = {"from", "next"}
WORD = re.compile(r"[a-z]+(-[a-z]+)*")
SKIPPED_ENDINGS = (".csv", ".pdf", ".ics", ".graphml", ".json", ".png", ".svg", ".zip")

#: Each element or run of text that sticks out past an edge of the screen, and
#: that no box clips or scrolls; inner ones only (an element is left out when
#: something inside it sticks out as far), so the report points at the cause.
FIND_OVERFLOW = """
(width) => {
  // Open every menu and "show more" (details elements), as a person may.
  for (const details of document.querySelectorAll("details")) details.open = true;
  const fits = (box) => box.right <= width + 0.5 && box.left >= -0.5;
  const offScreen = (box) => box.right <= 0 || box.left >= width;
  // Text hidden for all but screen readers (clipped to nothing), or not shown at all.
  const unseen = (element) => {
    if (!element.checkVisibility({visibilityProperty: true})) return true;
    for (let up = element; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.position === "absolute" && (style.clip === "rect(0px, 0px, 0px, 0px)"
          || style.clipPath === "inset(50%)")) return true;
    }
    return false;
  };
  // A box that clips or scrolls sideways, and fits the screen itself, holds it in.
  const held = (element) => {
    for (let up = element; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return fits(up.getBoundingClientRect());
    }
    return false;
  };
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    for (const cls of element.classList) name += "." + cls;
    const parent = element.parentElement;
    if (parent && parent !== document.body) {
      let above = parent.tagName.toLowerCase();
      for (const cls of parent.classList) above += "." + cls;
      name = above + " > " + name;
    }
    const text = (element.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 50);
    return text ? `${name} "${text}"` : name;
  };
  const sticking = [];  // [element, right edge, whether it is the element's own text]
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || fits(box) || offScreen(box)) continue;
    if (unseen(element) || held(element.parentElement)) continue;
    sticking.push([element, box.right, false]);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    if (!text.data.trim()) continue;
    range.selectNodeContents(text);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || fits(box) || offScreen(box)) continue;
    const element = text.parentElement;
    if (!unseen(element) && !held(element)) sticking.push([element, box.right, true]);
  }
  const found = sticking.filter(([element, right, own]) => own || !sticking.some(
    ([other, reach]) => other !== element && element.contains(other) && reach >= right - 0.5));
  found.sort((a, b) => b[1] - a[1]);
  const named = new Map();
  for (const [element, right] of found) {
    const name = describe(element);
    if (!named.has(name)) named.set(name, Math.round(right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, elements: [...named].slice(0, 5)};
}
"""

LINKS = """
() => [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"))
"""


@dataclass
class Crawl:
    role: str
    seen: set[tuple[Any, ...]] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)
    #: What sticks out (and how far, at most), and the pages it does so on.
    overflowing: dict[str, list[str]] = field(default_factory=dict)
    furthest: dict[str, int] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def sticks_out(self, what: str, right: int, address: str) -> None:
        self.overflowing.setdefault(what, []).append(address)
        self.furthest[what] = max(right, self.furthest.get(what, 0))

    def report(self) -> list[str]:
        lines = []
        for what, addresses in self.overflowing.items():
            where = ", ".join(addresses[:3])
            if len(addresses) > 3:
                where += f" and {len(addresses) - 3} more"
            lines.append(f"  {what}, to {self.furthest[what]} px, on {where}")
        return lines


def kind_of_page(address: str) -> tuple[Any, ...] | None:
    """What makes two addresses the same kind of page; None for one not to visit."""
    parts = urlsplit(address)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/"):
        return None
    if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(SKIPPED_ENDINGS):
        return None
    if "export" in path or "download" in path:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if "logout" in (match.url_name or ""):
        return None
    # Numbers, UUIDs and tokens pick one of many records; words (a community, a step) do not.
    words = tuple(
        sorted(
            (key, value)
            for key, value in match.kwargs.items()
            if isinstance(value, str) and WORD.fullmatch(value)
        )
    )
    query = tuple(
        sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - BACK_LINKS)
    )
    return (match.view_name, words, query)


def log_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email address").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def crawl(page: Page, base: str, starts: list[str], role: str) -> Crawl:
    found = Crawl(role=role)
    queue: deque[str] = deque(starts)
    for start in starts:
        kind = kind_of_page(start)
        assert kind is not None, start
        found.seen.add(kind)
    while queue and len(found.visited) < MOST_PAGES:
        address = queue.popleft()
        try:
            response = page.goto(base + address, wait_until="load")
        except Error as error:
            found.broken.append(f"{address}: {str(error).splitlines()[0]}")
            continue
        found.visited.append(address)
        if response is None or "text/html" not in (response.header_value("content-type") or ""):
            continue
        if response.status >= 500:
            found.broken.append(f"{address}: status {response.status}")
        result = page.evaluate(FIND_OVERFLOW, WIDTH)
        for what, right in result["elements"]:
            found.sticks_out(what, right, address)
        if result["scrollWidth"] > WIDTH and not result["elements"]:
            found.sticks_out("the page (nothing in it found)", result["scrollWidth"], address)
        for href in page.evaluate(LINKS):
            kind = kind_of_page(href)
            if kind is None or kind in found.seen:
                continue
            found.seen.add(kind)
            queue.append(urlsplit(href)._replace(fragment="").geturl())
    return found


def test_no_page_of_the_demo_scrolls_sideways_on_a_360_px_phone_in_any_role(
    browser: Browser, live_server: LiveServer
) -> None:
    demo = generate_community(people=40, seed=360, slug="narrow")
    assert len(demo.logins) == 6
    base = live_server.url
    crawls = []
    for login in demo.logins:
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            log_in(page, base, login)
            # The community's home, and the front page (so one broken page cannot hide the rest).
            starts = [f"/c/{demo.community.slug}/", "/"]
            crawls.append(crawl(page, base, starts, role=str(login.role.label)))
        finally:
            context.close()

    for each in crawls:
        # -rA shows how far each role's crawl went.
        print(f"{each.role}: {len(each.visited)} kinds of page visited")
        assert len(each.visited) > 5, f"{each.role}: the crawl stopped early at {each.visited}"
    problems = []
    for each in crawls:
        if each.overflowing:
            problems.append(f"As {each.role}, wider than {WIDTH} px:")
            problems += each.report()
        if each.broken:
            problems.append(f"As {each.role}, pages that did not load:")
            problems += [f"  {line}" for line in each.broken]
    assert not problems, "\n".join(problems)
