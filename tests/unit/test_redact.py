"""core.base.redact: credentials masked in URLs, secrets scrubbed from free text and from a Text's parameters."""

import base64

import pytest

from core.base import config
from core.base.i18n import Text
from core.base.redact import MASK, known_secrets, mask_url, scrub, url_credentials

M = MASK


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:pass@host/hook?token=abc", f"https://{M}:{M}@host/hook?token={M}"),
    ("https://user@host/hook", f"https://{M}@host/hook"),
    ("https://host/hook?shop=1&api_key=k&Signature=s&sig=x&access_token=t&key=v&auth=a&password=p",
     f"https://host/hook?shop=1&api_key={M}&Signature={M}&sig={M}&access_token={M}&key={M}&auth={M}&password={M}"),
    ("https://host/hook?author=Lan&keyword=ao&order=L1-007", "https://host/hook?author=Lan&keyword=ao&order=L1-007"),
    ("https://host:8443/a/b", "https://host:8443/a/b"),
    ("", ""),
    (None, None),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_scrub_masks_headers_pairs_urls_and_given_secrets():
    text = ('{"Authorization": "Basic dXNlcjpwYXNz", "AccessToken":"abc", "author": "Lan", "note": "key khóa-1"} '
            "Authorization: Bearer 0123456789abcdef; at http://u:p@h/x?token=t1&a=1 password=hunter2 "
            "Áo thun basic (M)")
    assert scrub(text, ["khóa-1"]) == (
        f'{{"Authorization": "{M}", "AccessToken":"{M}", "author": "Lan", "note": "key {M}"}} '
        f"Authorization: {M}; at http://{M}:{M}@h/x?token={M}&a=1 password={M} Áo thun basic (M)")


def test_scrub_keeps_a_texts_key_and_scrubs_its_parameters():
    text = Text("outbox.refused_answer", target=Text("outbox.target_ocm_webhook"), code=422,
                answer="Bearer abcdefgh12345678 and s3cr3t-value")
    scrubbed = scrub(text, ["s3cr3t-value"])
    assert isinstance(scrubbed, Text) and scrubbed.key == text.key and scrubbed.params["code"] == 422
    assert scrubbed.params["answer"] == f"Bearer {M} and {M}"
    assert scrub(None) is None and scrub(5) == 5


def test_short_secrets_are_not_blotted_out_of_ordinary_words():
    assert scrub("Lan đặt áo", ["a", "Lan"]) == "Lan đặt áo"


def test_known_secrets_are_the_configured_ones_in_the_forms_an_answer_carries(monkeypatch):
    monkeypatch.setattr(config, "_secrets_file", lambda: {})
    for setting in config.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", "khóa bí mật")
    monkeypatch.setenv("CHOTDON_FACEBOOK_PAGE_TOKEN", "EAAB-page-token")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL", "https://hook-user:hook-pass@h/x?token=tok-1")
    secrets = known_secrets("mshop-token-1")
    for value in ("khóa bí mật", "kh%C3%B3a%20b%C3%AD%20m%E1%BA%ADt", "kh\\u00f3a b\\u00ed m\\u1eadt", "EAAB-page-token",
                  "hook-pass", "tok-1", base64.b64encode(b"hook-user:hook-pass").decode(), "mshop-token-1"):
        assert value in secrets, value
    assert url_credentials("https://h/x?shop=1") == []
