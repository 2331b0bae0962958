"""What a candidate does in the browser before an interview: sign up, start one."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def sign_up_and_start_interview(page: Page, base: str, name: str, email: str) -> str:
    """Sign up through the form, start a Free Practice interview from the dashboard's
    new-interview form (the defaults: system design, 45 minutes); returns its id."""
    await page.goto(f"{base}/signup")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "correct horse battery")
    await page.click("button[type=submit]")
    chip = page.get_by_test_id("company-free_practice")
    await expect(chip).to_be_visible(timeout=10_000)
    await chip.click()
    await page.get_by_test_id("start-interview").click()
    await page.wait_for_url("**/interviews/*", timeout=10_000)
    return page.url.rstrip("/").rsplit("/", 1)[-1]
