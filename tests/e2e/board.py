"""Drawing on the room's whiteboard (the real Excalidraw) from a Playwright test."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def tool(page: Page, name: str) -> None:
    """Picks an Excalidraw tool from its toolbar."""
    await page.get_by_test_id(f"toolbar-{name}").click(force=True)


async def draw_box(page: Page, x: float, y: float, label: str) -> None:
    """A 160×80 rectangle at page position (x, y) with a label typed into it."""
    await tool(page, "rectangle")
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 80, y + 40, steps=4)
    await page.mouse.move(x + 160, y + 80, steps=4)
    await page.mouse.up()
    await page.mouse.dblclick(x + 80, y + 40)  # edit the label
    editor = page.locator("textarea.excalidraw-wysiwyg")
    await expect(editor).to_be_focused(timeout=5_000)
    await page.keyboard.type(label)
    await page.keyboard.press("Escape")
    await expect(editor).to_have_count(0)
