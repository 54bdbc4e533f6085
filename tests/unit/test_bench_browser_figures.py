"""The browser bench's figures: percentiles, the bytes verdict, item 1's targets and the message patterns it waits for."""

import pytest

from bench.browser import ACTION_BY_KEY, bytes_bounded, median_p95, targets
from bench.browser_labels import label, pattern


def test_median_and_95th_percentile_interpolate_between_ranks():
    assert median_p95([3.0]) == (3.0, 3.0)
    assert median_p95([1.0, 2.0]) == (1.5, pytest.approx(1.95))
    median, p95 = median_p95([0.5, 0.9, 0.6, 0.7, 5.0, 0.8, 0.55, 0.65, 0.75])  # one slow run of nine
    assert median == 0.7
    assert p95 == pytest.approx(0.9 + (5.0 - 0.9) * 0.6)
    with pytest.raises(ValueError):
        median_p95([])


def test_bytes_are_bounded_when_the_large_shop_sends_about_what_the_demo_sends():
    assert bytes_bounded(10_000, 70_000)  # 64 kB more is still one order's worth
    assert bytes_bounded(400_000, 800_000)
    assert not bytes_bounded(400_000, 3_400_000)  # the whole grid again


def test_targets_follow_item_1():
    assert targets(ACTION_BY_KEY["save"], "live20k") == (1.0, 2.0)
    assert targets(ACTION_BY_KEY["load_orders"], "live20k") == (1.5, 2.0)
    assert targets(ACTION_BY_KEY["open_big_events"], "live20k") == (2.0, None)
    assert targets(ACTION_BY_KEY["tick"], "live200k") == (2.0, None)
    assert targets(ACTION_BY_KEY["tick"], "demo") == (None, None)


def test_message_patterns_match_the_screens_words_and_only_the_order_named():
    done = pattern("order_form.done", action=label("orders.action.save"), code="L2-12")
    assert done.search("Save: order L2-12 is now awaiting confirmation.")
    assert not done.search("Save: order L2-120 is now awaiting confirmation.")
    assert not done.search("Create order: order L2-12 is now in shipping book.")
    with pytest.raises(KeyError):
        label("orders.no_such_label")
