"""Upgrading in real Chromium: a locked premium style → pricing → the hosted checkout page of
the local Stripe-wire server → pay with the test card → back on the dashboard (after the
signed webhook) with the premium styles unlocked, and the plan shown on pricing and billing."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from server.config import load_settings
from server.http.app import create_app
from tests.billing.conftest import free_port


async def test_upgrade_in_the_browser_unlocks_premium(aiohttp_server, tmp_path,
                                                      browser: Browser) -> None:
    port = free_port()
    settings = load_settings(data_dir=tmp_path / "data", public_url=f"http://127.0.0.1:{port}",
                             log_format="text", agent="none")
    await aiohttp_server(create_app(settings), port=port)
    base = f"http://127.0.0.1:{port}"
    page = await browser.new_page()

    await page.goto(f"{base}/signup")
    await page.fill("input[name=name]", "Grace Hopper")
    await page.fill("input[name=email]", "grace@example.com")
    await page.fill("input[name=password]", "correct horse battery")
    await page.click("button[type=submit]")
    form = page.get_by_test_id("new-interview")
    await expect(form.get_by_test_id("start-interview")).to_be_visible(timeout=10_000)  # free
    await form.get_by_test_id("company-google").click()
    await expect(form.get_by_test_id("start-interview")).to_have_count(0)
    await form.get_by_test_id("upgrade-google").click()
    await page.wait_for_url("**/pricing")
    await expect(page.get_by_test_id("test-mode")).to_be_visible()
    await expect(page.get_by_test_id("plan-free").get_by_test_id("current-plan")).to_be_visible()
    await page.get_by_test_id("subscribe").click()

    await page.wait_for_url("**/checkout/cs_test_*", timeout=10_000)
    await expect(page.get_by_text("TEST MODE")).to_be_visible()
    await page.fill("#card", "4242 4242 4242 4242")
    await page.fill("#exp", "12 / 34")
    await page.fill("#cvc", "123")
    await page.fill("#holder", "Grace Hopper")
    await page.click("button[type=submit]")

    await page.wait_for_url(f"{base}/?checkout=success*", timeout=15_000)
    await expect(page.get_by_test_id("checkout-success")).to_contain_text("Welcome to Premium")
    form = page.get_by_test_id("new-interview")
    await form.get_by_test_id("company-google").click()
    await expect(form.get_by_test_id("start-interview")).to_be_visible()
    await expect(form.get_by_test_id("upgrade-google")).to_have_count(0)

    await page.get_by_test_id("nav-pricing").click()
    await expect(page.get_by_test_id("plan-monthly").get_by_test_id("current-plan")).to_be_visible()
    await page.get_by_test_id("nav-billing").click()
    await expect(page.get_by_test_id("billing-plan")).to_have_attribute("data-plan", "monthly")
    await expect(page.get_by_test_id("renews-at")).to_be_visible()
    await expect(page.get_by_test_id("payments")).to_contain_text("$29.00")

    await page.get_by_test_id("nav-pricing").click()
    await page.click("a.brand")
    form = page.get_by_test_id("new-interview")
    await form.get_by_test_id("company-google").click()
    await form.get_by_test_id("start-interview").click()
    await page.wait_for_url("**/interviews/*", timeout=10_000)
