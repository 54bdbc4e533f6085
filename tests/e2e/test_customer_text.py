"""Issue 13, item 12: customer text shows exactly as typed in the browser: no link, no icon, no Markdown, in the
comment stream and on the order form."""

import json

from playwright.sync_api import expect

from tests.e2e.conftest import _cli, login, running_app, screenshot, until_idle

NAME = ":material/warning: Lan http://x.vn a@b.vn **bold**"
MESSAGE = "A1 M 1 :streamlit: :material/check_circle: www.x.vn mailto:c@d.vn <b>html</b> **bold** _it_"

# Every Markdown block and caption of the page's main area, as the reader sees it (zero-width characters apart).
SHOWN_TEXTS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdownContainer"]'))
    .map(e => e.innerText.replaceAll('\\u2060', ''))"""
# What customer text must never become: a link, a Material icon, Streamlit's logo, bold or italic text.
MADE_UP = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {
        links: Array.from(main.querySelectorAll('a')).map(a => a.href).filter(h => /x\\.vn|d\\.vn|b\\.vn/.test(h)),
        icons: Array.from(main.querySelectorAll('[data-testid="stIconMaterial"]')).map(e => e.innerText)
            .filter(t => /warning|check_circle/.test(t))
            .concat(Array.from(main.querySelectorAll('[data-testid="stMarkdownContainer"] img, '
                                                     + '[data-testid="stMarkdownContainer"] svg'))
                    .filter(e => !e.closest('[data-testid="stHeaderActionElements"]'))  // a heading's own link icon
                    .map(e => e.closest('[data-testid="stMarkdownContainer"]').innerText.slice(0, 60) + ' | ' + e.outerHTML.slice(0, 300))),
        bold: Array.from(main.querySelectorAll('strong, b, em, i')).map(e => e.innerText)
            .filter(t => ['bold', 'html', 'it'].includes(t.trim())),
    };
}"""


def _write_customer_comment(db, tmp_path):
    path = tmp_path / "odd.jsonl"
    lines = [json.dumps({"id": f"odd{n}", "user_id": "u-odd", "user_name": NAME, "message": message,
                         "created_at": f"2026-11-20T20:00:0{n}+07:00"}, ensure_ascii=False)
             for n, message in ((1, "A1 M 1"), (2, MESSAGE))]  # an order (Edit), then text to review (Fix)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _cli(db, "ingest", str(path), "--livestream", "1")


def _assert_literal(page, *typed: str):
    texts = page.evaluate(SHOWN_TEXTS)
    for text in typed:
        assert any(text in shown for shown in texts), (text, texts)
    made_up = page.evaluate(MADE_UP)
    assert made_up == {"links": [], "icons": [], "bold": []}, made_up


def test_customer_text_is_shown_as_typed_in_the_stream_and_the_order_form(page, tmp_path):
    with running_app(tmp_path, prepare=lambda db: _write_customer_comment(db, tmp_path)) as app:
        login(page, app)
        expect(page.get_by_role("button", name="Edit", exact=True).first).to_be_visible(timeout=30_000)
        until_idle(page)
        screenshot(page, "12-customer-text-stream")
        _assert_literal(page, NAME, MESSAGE)
        page.get_by_role("button", name="Edit", exact=True).first.click()
        expect(page.get_by_label("Address")).to_have_count(1)
        until_idle(page)
        screenshot(page, "12-customer-text-order-form")
        _assert_literal(page, "L1-001 · " + NAME)
