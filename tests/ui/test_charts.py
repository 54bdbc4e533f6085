"""The Reports charts' specs (Altair), built without running a page."""

import pandas as pd

from ui.charts import timeline_chart


def timeline(minutes: int) -> pd.DataFrame:
    start = pd.Timestamp("2026-11-27 14:03")
    return pd.DataFrame({"minute": [start + pd.Timedelta(minutes=m) for m in range(minutes)],
                         "comments": range(minutes), "order_comments": range(minutes), "new_orders": range(minutes)})


def x_axis(chart) -> dict:
    return chart.to_dict()["encoding"]["x"]["axis"]


def ticks(chart) -> list[str]:
    return [f"{value['hours']:02d}:{value['minutes']:02d}" for value in x_axis(chart)["values"]]


def test_the_timeline_ticks_each_minute_once_on_a_short_live():
    # Left to Vega, a four-minute live is ticked every 10 or 30 s and "%H:%M" labels each minute several times.
    assert ticks(timeline_chart(timeline(4))) == ["14:03", "14:04", "14:05", "14:06"]


def test_the_timeline_ticks_whole_minutes_a_dozen_at_most_on_a_long_live():
    shown = ticks(timeline_chart(timeline(180)))
    assert len(shown) == len(set(shown)) <= 13 and shown[:3] == ["14:00", "14:15", "14:30"]
