"""Calendar arithmetic shared by the login's 6-month limit and the history's periods: pure, no I/O."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

D = TypeVar("D", bound=date)  # a date or a datetime


def add_months(moment: D, months: int) -> D:
    """Calendar months, clamped to the last day of a shorter month (Aug 31 + 6 months = Feb 28/29)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
