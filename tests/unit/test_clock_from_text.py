"""A time of day as staff type it in the Livestream orders filters (From, To)."""

from datetime import time

import pytest

from core.base.errors import InvalidInput
from core.base.formatting import clock_from_text


@pytest.mark.parametrize(("typed", "read"), [
    ("20:10", time(20, 10)), ("2010", time(20, 10)), ("20h10", time(20, 10)), ("20.10", time(20, 10)),
    (" 8:05 ", time(8, 5)), ("805", time(8, 5)), ("20", time(20, 0)), ("7", time(7, 0)), ("0:00", time(0, 0)),
    ("23:59", time(23, 59)), ("20 h 10", time(20, 10)),
])
def test_a_typed_time_reads_as_that_time_of_day(typed, read):
    assert clock_from_text(typed) == read


def test_nothing_typed_is_no_bound():
    assert clock_from_text("") is None and clock_from_text("   ") is None


@pytest.mark.parametrize("typed", ["24:00", "25", "20:60", "20:5", "2a10", "20:10:30", "-1", "12345", "tối"])
def test_what_is_not_a_time_of_day_is_refused_with_the_text_in_the_message(typed):
    with pytest.raises(InvalidInput) as refused:
        clock_from_text(typed)
    assert refused.value.text.key == "formats.not_a_time" and typed.strip() in str(refused.value)
