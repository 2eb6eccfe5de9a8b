"""The admin web in a real browser: Playwright driving the system's Chromium against the real app.

The browser is Debian's `chromium` (never a downloaded build: servers and CI may have no route to
one). When it is missing and we are root with apt, the setup installs it with a CJK font, once
per run; without it the tests skip and say how to install it.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import free_port

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from bot.clock import SHANGHAI  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
APT_PACKAGES = ("chromium", "fonts-wqy-microhei")
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content"
TOKEN = "browser-test-token"
CITED_LAW = re.compile(r"《[^》]+》第[一二三四五六七八九十百千零]+条")
TIMEOUT_MS = 15_000


def _install_chromium() -> str:
    """apt-get install the browser and font when we may (root, apt present); what happened, for the skip."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "not root with apt-get, so not installed"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *APT_PACKAGES]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            return f"`{' '.join(command)}` failed: {result.stderr.strip()[-300:]}"
    return "installed"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        outcome = _install_chromium()
        if not os.path.exists(CHROMIUM):
            pytest.skip(f"browser tests need Chromium at {CHROMIUM} ({outcome}); "
                        f"install it with: apt-get install {' '.join(APT_PACKAGES)}")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def runtime(redis_url, tmp_path):
    settings = load_settings({}, redis_url=redis_url, wechat_token="token123", var_dir=tmp_path / "var",
                             content_dir=FIXTURE / "content", menus_dir=FIXTURE / "menus", admin_token=TOKEN)
    return build_runtime(settings)


@pytest.fixture
def base_url(runtime) -> Iterator[str]:
    """The real app on a free loopback port, served from a thread for the test's duration."""
    app = create_app(runtime=runtime)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def log_in(page, token: str = TOKEN) -> None:
    page.goto("/admin/")
    page.fill("#token", token)
    with page.expect_navigation():
        page.press("#token", "Enter")


def test_a_stranger_is_refused(page):
    page.goto("/admin/")
    assert "/admin/login" in page.url
    assert page.locator("svg.chart").count() == 0
    log_in(page, "a-guess")
    assert "口令不正确" in page.content()
    assert page.locator("svg.chart").count() == 0


def test_the_dashboard_draws_its_charts(page, runtime):
    today = dt.datetime.now(SHANGHAI).date()
    runtime.counters().hit(today, "u1", "messages", "answered", "topic:labour", "audience:workers",
                           "quiz:answered:constitution:workers", "quiz:correct:constitution:workers",
                           "feedback:useful")
    log_in(page)
    assert page.url.endswith("/admin/")
    assert page.locator("svg.chart").count() == 5
    assert page.locator("#chart-activity svg polyline").count() == 3
    assert page.locator("#chart-topics svg rect.bar").first.is_visible()


def test_the_simulator_answers_a_typed_question_with_a_cited_law(page):
    log_in(page)
    page.goto("/admin/simulator")
    page.fill("#message", "老板不跟我签合同")
    page.press("#message", "Enter")
    reply = page.locator(".bubble.bot").first
    reply.wait_for()
    assert page.locator(".bubble.user").first.inner_text() == "老板不跟我签合同"
    assert CITED_LAW.search(reply.inner_text())
