"""The demo's API documents in headless Chromium: Swagger UI and ReDoc render the
operations from /openapi.json, and no request leaves loopback (no CDN)."""

from playwright.sync_api import expect


def test_swagger_ui_shows_every_operation_and_tries_one(chromium_page, serve_app, blocked_requests):
    base = serve_app("app:app")
    page = chromium_page
    page.goto(f"{base}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AltAPI demo")
    notes = page.locator(".opblock-tag-section", has_text="notes")
    expect(notes.locator(".opblock-summary-path", has_text="/notes")).to_have_count(2)
    expect(page.locator(".opblock-summary-description", has_text="Add a note")).to_be_visible()

    # Open an operation and run it from the page: the answer comes from the app itself.
    page.locator(".opblock-summary", has_text="List notes").click()
    page.locator("button.try-out__btn").click()
    page.locator("button.execute").click()
    expect(page.locator(".responses-wrapper .live-responses-table")).to_contain_text("Try /docs")
    assert blocked_requests == []


def test_redoc_renders_the_document(chromium_page, serve_app, blocked_requests):
    base = serve_app("app:app")
    page = chromium_page
    page.goto(f"{base}/redoc")
    expect(page.locator("h1")).to_contain_text("AltAPI demo")
    # Each operation is a section of the middle panel, under its summary.
    expect(page.locator("h2", has_text="List notes")).to_be_visible()
    expect(page.locator("h2", has_text="Add a note")).to_be_visible()
    expect(page.get_by_text("at most this many").first).to_be_attached()
    assert blocked_requests == []
