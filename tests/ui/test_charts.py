"""The Reports charts' specs (Altair), built without running a page."""

import pandas as pd

from ui.charts import timeline_chart


def timeline(minutes: int) -> pd.DataFrame:
    start = pd.Timestamp("2026-11-27 14:03")
    return pd.DataFrame({"minute": [start + pd.Timedelta(minutes=m) for m in range(minutes)],
                         "comments": range(minutes), "order_comments": range(minutes), "new_orders": range(minutes)})


def x_axis(chart) -> dict:
    return chart.to_dict()["encoding"]["x"]["axis"]


def test_the_timeline_ticks_each_minute_once_on_a_short_live():
    # Vega's own ticks on a four-minute live fall every 30 s, and "%H:%M" labels each minute twice.
    assert x_axis(timeline_chart(timeline(4)))["tickCount"] == {"interval": "minute", "step": 1}


def test_the_timeline_ticks_whole_minutes_a_dozen_at_most_on_a_long_live():
    tick = x_axis(timeline_chart(timeline(180)))["tickCount"]
    assert tick["interval"] == "minute" and 179 / tick["step"] <= 12 and tick["step"] == 15
