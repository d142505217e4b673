"""Browser journeys: Playwright driving the system's Chromium at phone width, with axe-core.

Nothing is downloaded: the browser is Debian's ``/usr/bin/chromium`` (or
``GINNEL_CHROMIUM``), and axe-core is the ``axe.min.js`` that the
``axe-playwright-python`` package ships.

Fixtures:

- ``browser``: a headless Chromium for one test.
- ``page``: a phone-sized page with JavaScript on.
- ``new_page(javascript=...)``: more pages, for example one without JavaScript.

``assert_accessible(page)`` runs axe-core with the WCAG 2.0, 2.1 and 2.2 A and
AA rules and fails on any serious or critical violation.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

# pytest-django's live server binds to this address (not "localhost", which
# may resolve to ::1 first); --liveserver on the command line still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 15_000

NewPage = Callable[..., Page]

# Contexts made with JavaScript off: axe cannot run inside them (Chromium
# never answers an evaluate there), so their pages are checked in a twin page
# that runs axe but none of the site's scripts (made when first needed).
_TWINS: dict[BrowserContext, Page | None] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test: -m 'not browser' leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    path = os.environ.get("GINNEL_CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(path)
    if found is None:
        pytest.fail(
            f"The browser tests need Chromium at {path}. Install it with "
            "`scripts/install-system-deps` (Debian: apt-get install chromium), "
            "point GINNEL_CHROMIUM at another Chromium, or leave these tests out "
            "with -m 'not browser'.",
            pytrace=False,
        )
    return found


@cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[LiveServer]:
    """pytest-django's live server, made after the test database and stopped before it goes.

    Once the server has stopped, any connection still open on the test database
    (a request thread's, say) is closed from the database's side: on PostgreSQL
    one left open would stop pytest-django dropping the test database.
    """
    address = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1"
    )
    server = LiveServer(address)
    yield server
    server.stop()
    with django_db_blocker.unblock():
        _close_other_connections()


def _close_other_connections(wait_seconds: float = 2.0) -> None:
    if connection.vendor != "postgresql":
        return
    others = """
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()
    """
    waiting = """
        select count(*) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()
    """
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        # Give the server's threads a moment to close their own, then end the rest.
        while time.monotonic() < deadline:
            cursor.execute(waiting)
            if cursor.fetchone() == (0,):
                break
            time.sleep(0.05)
        else:
            cursor.execute(others)
    connection.close()


@pytest.fixture
def _playwright(monkeypatch: pytest.MonkeyPatch) -> Iterator[Playwright]:
    # The sync API keeps an asyncio loop "running" in this thread, and Django
    # refuses ORM calls beside a running loop. The test (not the server, which
    # has its own threads) makes its data through the ORM, in sequence with the
    # browser: nothing runs concurrently, so the check can be lifted here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        yield playwright
        # Django keeps connections per context, and beside the loop this test's
        # ORM calls had connections of their own: close them while they can
        # still be reached, so none outlives the test database.
        connections.close_all()


@pytest.fixture
def browser(_playwright: Playwright) -> Iterator[Browser]:
    browser = _playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """Make a phone-sized page in a context of its own (own cookies)."""
    contexts: list[BrowserContext] = []

    def make(*, javascript: bool = True) -> Page:
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if not javascript:
            _TWINS[context] = None
        return context.new_page()

    yield make
    for context in contexts:
        twin = _TWINS.pop(context, None)
        if twin is not None:
            twin.context.close()
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on this page, for the WCAG 2.x A and AA rules."""
    if page.context in _TWINS:
        return _axe_run(_twin_showing(page))
    return _axe_run(page)


def _axe_run(page: Page) -> list[dict[str, Any]]:
    page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """options => axe.run(document, options).then(results => results.violations)""",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return violations


def _twin_showing(page: Page) -> Page:
    """A page with scripts on showing what this script-less page shows: the
    same HTML at the same address (so the same styles), without the site's
    own scripts."""
    # A check that follows a click may come before the new page has loaded: wait, or the
    # twin would show a document being replaced (no title, no language).
    page.wait_for_load_state("load")
    twin = _TWINS[page.context]
    if twin is None:
        browser = page.context.browser
        assert browser is not None
        twin_context = browser.new_context(
            viewport=page.viewport_size or PHONE, device_scale_factor=2, is_mobile=True
        )
        twin_context.route("**/*.js", lambda route: route.abort())
        twin = _TWINS[page.context] = twin_context.new_page()
    html = page.content()
    address = page.url.split("#", 1)[0]
    twin.unroute_all()
    twin.route(
        lambda requested: requested == address,
        lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
    )
    twin.goto(address)
    return twin


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical WCAG 2.2 A/AA violation axe-core finds here."""
    violations = axe_violations(page)
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    minor = [v for v in violations if v.get("impact") not in FAILING_IMPACTS]
    if minor:
        # Shown with -rA or when the test fails; they do not fail it.
        print(f"axe: lesser problems on {page.url}:\n{describe_violations(minor)}")
    if failing:
        pytest.fail(
            f"axe-core found accessibility problems on {page.url} "
            f"(title {page.title()!r}):\n{describe_violations(failing)}",
            pytrace=False,
        )
