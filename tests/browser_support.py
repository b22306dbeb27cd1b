"""What the browser tests share: headless Debian Chromium through Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from comments_service.baking.trigger import stop_worker
from comments_service.extensions import limiter

from .conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Names resolve to nothing but loopback: a page that links elsewhere cannot make the browser leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 in a thread; yield its base URL; stop its workers after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        stop_worker(app)
        limiter.reset()


@contextmanager
def chromium_tab(locale: str | None = None, javascript: bool = True, bypass_csp: bool = False) -> Iterator[Page]:
    """Open a fresh headless Chromium tab (with a browser language, if given); skip when Chromium is missing."""
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        tab = browser.new_page(
            java_script_enabled=javascript, bypass_csp=bypass_csp, **({"locale": locale} if locale else {})
        )
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()


AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page) -> list[str]:
    """Run axe-core's WCAG A/AA and best-practice rules over the page; return each violation with where it is.

    Pages the service sends with a Content-Security-Policy need a tab opened with bypass_csp to take axe.
    """
    if not AXE.exists():
        service_missing(f"axe-core is not installed at {AXE} (`make test` installs it with npm)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    script = (
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(page.evaluate(script, AXE_RULES))
