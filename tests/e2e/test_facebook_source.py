"""Facebook Live in a real browser: the source set up in Setup, started on the Livestream screen, comments from a
local stand-in for Facebook appearing by themselves, and an expired token said in words."""


import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, running_app, screenshot
from tests.integration.fake_facebook import FakeFacebook


@pytest.fixture
def facebook_app(tmp_path, monkeypatch):
    fake = FakeFacebook().start()
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    monkeypatch.setenv("CHOTDON_FACEBOOK_STREAM_URL", fake.url)
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    with running_app(tmp_path) as app:
        yield fake, app
    fake.close()


def test_facebook_comments_flow_in_once_started_and_an_expired_token_is_explained(page, facebook_app):
    fake, app = facebook_app
    fake.add(1, "Nguyễn Lan", "chốt A1 M 2", second=1)
    fake.add(2, None, "còn SP12 không shop", second=2)

    login(page, app, "/setup")
    expect(page.get_by_role("heading", name="Setup")).to_be_visible(timeout=30_000)
    page.get_by_role("textbox", name="Live video id", exact=True).fill(f"https://www.facebook.com/shop/videos/{fake.video_id}/")
    page.get_by_label("Page access token (none yet)", exact=True).fill(fake.token)
    page.get_by_role("button", name="Save Facebook source").click()
    expect(page.get_by_text("Facebook source saved", exact=False)).to_be_visible()

    page.goto(app.url)
    expect(page.get_by_role("button", name="▶ Start Facebook Live")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="▶ Start Facebook Live").click()
    expect(page.get_by_text("chốt A1 M 2", exact=True)).to_be_visible()
    fake.send(fake.add(3, "Trần Mai", "SP12 nâu", second=3, polled=False))
    expect(page.get_by_text("SP12 nâu", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Connected", exact=False).first).to_be_visible()
    screenshot(page, "15-livestream-facebook-live")

    fake.expire_token()
    expect(page.get_by_text("The Facebook token has expired or is invalid", exact=False)).to_be_visible(
        timeout=15_000)
    expect(page.get_by_role("button", name="▶ Start Facebook Live")).to_be_visible()
