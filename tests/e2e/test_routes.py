"""The client's routes in real Chromium: guests are sent to log in and brought back, logged-in
users skip the log-in pages, unknown addresses get the not-found page, log-out lands on a
plain /login, and ?next= never leaves the site."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Browser, Page, expect

from server.http.app import create_app
from tests.live.conftest import rtc_settings


async def log_in(page: Page, email: str) -> None:
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "correct horse battery")
    await page.click("button[type=submit]")


async def test_routes_guard_redirect_and_not_found(aiohttp_server, tmp_path,
                                                   browser: Browser) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path)))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()

    await page.goto(f"{base}/no/such/page")
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    # A guest opening an interview is sent to log in, and the way back is kept.
    await page.goto(f"{base}/interviews/42")
    await page.wait_for_url(f"{base}/login?next={quote('/interviews/42', safe='')}")
    await page.get_by_role("link", name="Create an account").click()
    await page.wait_for_url(f"{base}/signup?next=*")
    await page.fill("input[name=name]", "Lin")
    await log_in(page, "lin@example.com")
    await page.wait_for_url(f"{base}/interviews/42")
    await expect(page.get_by_test_id("load-error")).to_contain_text("Interview not found")

    # Logged in: the log-in page is skipped; in-app links navigate without a reload.
    await page.goto(f"{base}/login")
    await page.wait_for_url(f"{base}/")
    await expect(page.get_by_test_id("user-name")).to_have_text("Lin")
    await page.goto(f"{base}/interviews/42/")  # a trailing slash still finds the room
    await expect(page.get_by_test_id("load-error")).to_be_visible()
    await page.evaluate("() => { window.__sameDocument = true; }")
    await page.get_by_role("link", name="← Dashboard").click()
    await page.wait_for_url(f"{base}/")
    assert await page.evaluate("() => window.__sameDocument === true")

    # Logging out on the dashboard leaves the visitor on the landing page ("/" says what the
    # product is to anyone logged out); a member-only page still asks to log in.
    await page.get_by_test_id("logout").click()
    await expect(page.get_by_test_id("landing-signup")).to_be_visible()
    await page.goto(f"{base}/billing")
    await page.wait_for_url(f"{base}/login?next=*")

    # ?next= only ever points inside the site.
    await page.goto(f"{base}/login?next={quote('//evil.example/x', safe='')}")
    await log_in(page, "lin@example.com")
    await page.wait_for_url(f"{base}/")
    await expect(page.get_by_test_id("user-name")).to_have_text("Lin")
    await page.close()
