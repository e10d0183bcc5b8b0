"""The summary tables against the records: every figure read from the kept sums is the figure a pass over
the records gives, for generated histories written in generated batches (with merges, re-imports and
records that stop counting), any period, and time zones with DST and with half-hour offsets."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotiviz_cli.history import stats, views
from spotiviz_cli.history.merge import ACCOUNT, EXTENDED, SYNC
from spotiviz_cli.history.store import EPISODE, MUSIC, HistoryStore, Row, row
from tests.conftest import zone
from tests.test_history_merge import assert_summary_is_a_rebuild

T0 = int(datetime(2024, 12, 31, 23, 0).timestamp()) * 1000  # in the zone of the test process (UTC)
ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"]


@st.composite
def batches(draw: st.DrawFn) -> list[list[Row]]:
    """Batches of rows from all sources: back-to-back plays, gaps past the session gap, midnight and year
    ends, ties in end time, skips, names missing, podcasts, and rows sent again."""
    moment = draw(st.integers(0, 3_600)) * 1000  # after 23:00 on 31 December, local time (see `shifted`)
    rows: list[Row] = []
    for _ in range(draw(st.integers(1, 30))):
        moment += draw(
            st.sampled_from([0, 1000, 60_000, 400_000, 700_000, 3_600_000, 86_400_000, 40 * 86_400_000])
        )
        ms = draw(st.sampled_from([0, 5_000, 29_999, 30_000, 180_000, 1_200_000]))
        source = draw(st.sampled_from([EXTENDED, EXTENDED, ACCOUNT, SYNC]))
        kind = draw(st.sampled_from([MUSIC, MUSIC, MUSIC, EPISODE]))
        track = draw(st.sampled_from(["One", "Two", ""]))
        rows.append(
            row(
                ended_at=moment - (moment % 60_000 if source == ACCOUNT else 0),
                artist=draw(st.sampled_from(["Band", "Other", ""])),
                track=track,
                ms_played=ms,
                kind=kind,
                source=source,
                album=draw(st.sampled_from([None, "LP", ""])),
                uri=f"spotify:track:{track}" if source != ACCOUNT and track else None,
                skipped=draw(st.sampled_from([None, True, False])),
            )
        )
    cuts = sorted(draw(st.lists(st.integers(0, len(rows)), max_size=3)))
    split = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    if draw(st.booleans()):
        split.append(rows[: len(rows) // 2])  # part of it again
    return [batch for batch in split if batch]


def shifted(batches: list[list[Row]]) -> list[list[Row]]:
    """Generated rows (times from 23:00 local on 31 December 2024) at their moments in this zone: so
    sessions run across the ends of the month, the year and the day in every zone."""
    base = stats.to_epoch_ms(datetime(2024, 12, 31, 23, 0))
    return [[(r[0] + base, *r[1:]) for r in batch] for batch in batches]  # type: ignore[misc]


def write(path: Path, batches: list[list[Row]]) -> None:
    with HistoryStore(path) as store:
        for batch in batches:
            with store.transaction() as db:
                store.merge_sources(db, store.add(db, batch), len(batch))


def periods(first: date) -> list[stats.Period]:
    return [
        stats.Period(datetime(2000, 1, 1), datetime(2100, 1, 1), "all"),
        stats.year_period(2025),
        stats.month_period(2024, 12),
        # whole years from their sums, with the days of a year before and after from the records
        stats.Period(datetime(2024, 12, 31), datetime(2026, 1, 1), "2025 and a day"),
        stats.Period(datetime(2025, 1, 1), datetime(2027, 3, 2), "two years and two months"),
        stats.Period(datetime(2024, 12, 31), datetime(2028, 1, 2), "three years and a day each side"),
        stats.Period(
            datetime.combine(first, datetime.min.time()),
            datetime.combine(first + timedelta(days=2), datetime.min.time()),
            "2 days",
        ),
    ]


def figures(store: HistoryStore, period: stats.Period) -> dict[str, Any]:
    start, end = stats.to_epoch_ms(period.start), stats.to_epoch_ms(period.end)
    span = store.span(None)
    whole = span is None or (start <= span[0] and span[1] < end)
    parts = store.parts(period, start, end, whole=whole)
    episodes = store.episodes_between(start, end, whole=whole).fetchall()
    result = stats.figures(
        parts, period, episodes=episodes, firsts=stats.Firsts(*store.firsts_between(start, end))
    )
    return {
        "stats": stats.stats_json(result),
        "top": {what: views.ranking(store.tally(what, start, end, whole=whole)) for what in views.WHATS},
        "names": {what: sorted(store.names(what)) for what in views.WHATS},
        "forgotten": store.forgotten(end, 50),
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=batches(), zone_name=st.sampled_from(ZONES))
def test_the_kept_sums_give_the_figures_of_the_records(
    tmp_path_factory: pytest.TempPathFactory, history: list[list[Row]], zone_name: str
) -> None:
    path = tmp_path_factory.mktemp("summary") / "history.sqlite3"
    with zone(zone_name):
        history = shifted(history)
        write(path, history)
        first = stats.local_date(min(r[0] for batch in history for r in batch))
        with (
            HistoryStore(path, readonly=True) as kept,
            HistoryStore(path, readonly=True, summaries=False) as records,
        ):
            assert kept.summed and not records.summed
            for period in periods(first):
                assert figures(kept, period) == figures(records, period), period.label


def test_another_time_zone_reads_the_records_until_a_write_makes_the_sums_again(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    late = row(
        ended_at=T0 + 3 * 3_600_000,
        artist="Band",
        track="Late",
        ms_played=180_000,
        kind=MUSIC,
        source=EXTENDED,
    )
    with zone("UTC"):
        write(path, [[late]])
    with zone("Asia/Tokyo"):
        with HistoryStore(path, readonly=True) as store:
            assert not store.summed  # local hours were made in UTC
            year = stats.year_period(2024 if stats.local_date(late[0]).year == 2024 else 2025)
            by_day = figures(store, year)["stats"]["by_day"]
            assert list(by_day) == [stats.local_date(late[0]).isoformat()]
        other = row(
            ended_at=T0 + 9 * 86_400_000,
            artist="Band",
            track="Next",
            ms_played=60_000,
            kind=MUSIC,
            source=SYNC,
        )
        write(path, [[other]])  # the write notices the other zone and makes every sum again
        with (
            HistoryStore(path, readonly=True) as store,
            HistoryStore(path, readonly=True, summaries=False) as records,
        ):
            assert store.summed
            for period in periods(stats.local_date(late[0])):
                assert figures(store, period) == figures(records, period)


def test_an_export_that_repeats_part_of_the_history_adds_only_its_new_records(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    plays = [
        row(
            ended_at=T0 + n * 600_000,
            artist="Band",
            track=f"T{n % 3}",
            ms_played=200_000,
            kind=MUSIC,
            source=EXTENDED,
        )
        for n in range(6)
    ]
    write(
        path, [plays[:4], plays[2:] + plays[2:3]]
    )  # the second file repeats two plays, and one within itself
    assert_summary_is_a_rebuild(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT SUM(records), SUM(plays) FROM song_totals").fetchone() == (6, 6)


def test_sessions_cut_by_the_ends_of_a_period_count_what_falls_inside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    midnight = stats.to_epoch_ms(datetime(2025, 1, 1))

    def play(minutes: int, ms: int = 180_000) -> Row:
        return row(
            ended_at=midnight + minutes * 60_000,
            artist="A",
            track=f"t{minutes}",
            ms_played=ms,
            kind=MUSIC,
            source=EXTENDED,
        )

    # one session from 23:50 to 00:06 across the year's end, one inside 2025, one across the end of 1 January
    write(path, [[play(-10), play(-4), play(3), play(6), play(120), play(1436), play(1442)]])
    with (
        HistoryStore(path, readonly=True) as kept,
        HistoryStore(path, readonly=True, summaries=False) as records,
    ):
        day = stats.Period(datetime(2025, 1, 1), datetime(2025, 1, 2), "1 January")
        for period in (stats.year_period(2025), stats.year_period(2024), day):
            assert figures(kept, period) == figures(records, period), period.label
        sessions = figures(kept, day)["stats"]["sessions"]
        assert sessions["count"] == 3
        assert sessions["longest"]["start"] == "2025-01-01T00:00:00"  # cut at midnight
        assert figures(kept, stats.year_period(2024))["stats"]["sessions"]["count"] == 1
