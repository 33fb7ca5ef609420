"""examples/webapp.py in headless Chromium: what a person does with it, end to end."""

import re

from playwright.sync_api import expect


def fill_and_submit(page, form: str, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"{form} [name={name}]", value)
    page.click(f"{form} button[type=submit]")


def test_register_manage_users_live_and_login_limit(
    chromium_page, serve_app, blocked_requests, tmp_path
):
    base = serve_app(
        "webapp:app",
        env={
            "WEBAPP_DATABASE": str(tmp_path / "users.sqlite3"),
            "WEBAPP_SECRET_KEY": "browser test",
            "WEBAPP_LOGIN_LIMIT": "4",
        },
    )
    page = chromium_page

    # Register: the server's validation messages first, then an account.
    page.goto(f"{base}/register")
    fill_and_submit(page, "#register-form", username="a", email="nope", password="short")
    expect(page.locator(".error[data-field=username]")).to_contain_text("3 to 32")
    expect(page.locator(".error[data-field=email]")).to_be_visible()
    fill_and_submit(
        page, "#register-form", username="ann", email="ann@example.com", password="correct horse"
    )
    expect(page).to_have_url(f"{base}/users")
    expect(page.locator(".flash")).to_have_text("Welcome, ann!")

    # Log out and back in through the form.
    page.click("#logout")
    expect(page).to_have_url(f"{base}/login")
    fill_and_submit(page, "#login-form", username="ann", password="correct horse")
    expect(page.locator("#whoami")).to_have_text("ann")

    # A second page on the list, live through the WebSocket.
    watcher = page.context.new_page()
    watcher.goto(f"{base}/users")
    expect(watcher.locator("#live")).to_have_text("live")

    # Create, edit and delete a user through the forms; the second page follows.
    page.click("#new-user")
    fill_and_submit(
        page, "#user-form", username="bob", email="bob@example.com", password="12345678"
    )
    expect(page.locator(".flash")).to_have_text("User bob created.")
    expect(watcher.locator("tr[data-user=bob]")).to_be_visible()

    page.locator("tr[data-user=bob]").get_by_role("link", name="Edit").click()
    fill_and_submit(page, "#user-form", username="ann", email="bob@example.com")
    expect(page.locator(".error[data-field=username]")).to_have_text("ann is taken.")
    fill_and_submit(page, "#user-form", username="robert", email="robert@example.com")
    expect(page.locator(".flash")).to_have_text("User robert saved.")
    expect(watcher.locator("tr[data-user=robert]")).to_contain_text("robert@example.com")
    expect(watcher.locator("tr[data-user=bob]")).to_have_count(0)

    page.locator("tr[data-user=robert]").get_by_role("button", name="Delete").click()
    expect(page.locator(".flash")).to_have_text("User deleted.")
    expect(watcher.locator("tr[data-user=robert]")).to_have_count(0)
    watcher.close()

    # Log out; wrong passwords until the login form is rate limited.
    page.click("#logout")
    expect(page).to_have_url(f"{base}/login")
    for _ in range(3):  # the fourth login of this client, after the one above
        fill_and_submit(page, "#login-form", username="ann", password="wrong password")
        expect(page.locator("#login-error")).to_be_visible()
    fill_and_submit(page, "#login-form", username="ann", password="wrong password")
    expect(page.locator("body")).to_contain_text(re.compile("Rate limit exceeded"))

    assert blocked_requests == []
