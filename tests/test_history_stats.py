"""history stats: each figure on a hand-made history with known answers; sync with the `after` cursor."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from spotiviz_cli.history import stats
from spotiviz_cli.history.stats import HistoryRow, Period
from tests.conftest import Harness
from tests.fake_spotify import make_track

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, zone: timezone | ZoneInfo = UTC) -> int:
    """Unix ms of a wall-clock time in `zone`."""
    return int(datetime.fromisoformat(text).replace(tzinfo=zone).timestamp() * 1000)


def local_in(zone: ZoneInfo | timezone) -> stats.ToLocal:
    return lambda seconds: datetime.fromtimestamp(seconds, zone).replace(tzinfo=None)


def period(start: str, end: str) -> Period:
    return Period(datetime.fromisoformat(start), datetime.fromisoformat(end), "test")


MIN = 60_000

# A hand-made month end: music every day from Jan 30 to Feb 2 (a 4-day streak across the month end),
# a gap, then Feb 5. Skips recorded on two rows only.
HISTORY: list[HistoryRow] = [
    (at("2026-01-30T08:00"), 3 * MIN, "Alpha", "One", 0, None),
    (at("2026-01-31T21:00"), 4 * MIN, "Alpha", "Two", None, None),
    (at("2026-02-01T09:00"), 2 * MIN, "Beta", "Three", 1, None),
    (
        at("2026-02-01T09:05"),
        20_000,
        "Beta",
        "Three",
        None,
        None,
    ),  # under 30 s: minutes count, a play does not
    (at("2026-02-02T23:30"), 5 * MIN, "Alpha", "One", None, None),
    (at("2026-02-05T12:00"), 1 * MIN, "", "", None, None),  # a row without names: minutes only
]


def test_each_figure_of_a_known_history() -> None:
    figures = stats.compute(HISTORY, period("2026-01-01", "2026-03-01"), local_in(UTC))
    assert figures.minutes == pytest.approx(3 + 4 + 2 + 1 / 3 + 5 + 1)
    assert figures.plays == 5
    assert figures.distinct_tracks == 3
    assert figures.distinct_artists == 2
    assert figures.days_listened == 5
    assert figures.longest_streak_days == 4  # Jan 30 - Feb 2, across the month end
    assert [(a.name, a.minutes, a.plays) for a in figures.top_artists] == [
        ("Alpha", 12.0, 3),
        ("Beta", pytest.approx(2 + 1 / 3), 1),
    ]
    assert [(t.name, t.artist, t.minutes, t.plays) for t in figures.top_tracks] == [
        ("One", "Alpha", 8.0, 2),
        ("Two", "Alpha", 4.0, 1),
        ("Three", "Beta", pytest.approx(2 + 1 / 3), 1),
    ]
    assert figures.by_month == pytest.approx({"2026-01": 7.0, "2026-02": 2 + 1 / 3 + 5 + 1})
    assert figures.by_hour[8] == 3 and figures.by_hour[21] == 4 and figures.by_hour[23] == 5
    assert figures.by_hour[9] == pytest.approx(2 + 1 / 3) and figures.by_hour[12] == 1
    # 2026-01-30 is a Friday; Feb 1 a Sunday; Feb 2 a Monday; Feb 5 a Thursday
    assert figures.by_weekday == pytest.approx([5, 0, 0, 1, 3, 4, 2 + 1 / 3])
    assert figures.skip_rate == 0.5


def test_the_time_zone_moves_plays_across_days_and_months() -> None:
    # 23:30 UTC on Jan 31 is 00:30 on Feb 1 in Berlin (UTC+1 in winter)
    rows: list[HistoryRow] = [(at("2026-01-31T23:30"), 10 * MIN, "A", "T", None, None)]
    utc = stats.compute(rows, period("2026-01-01", "2026-03-01"), local_in(UTC))
    berlin = stats.compute(rows, period("2026-01-01", "2026-03-01"), local_in(BERLIN))
    assert utc.by_month["2026-01"] == 10 and utc.by_month["2026-02"] == 0 and utc.by_hour[23] == 10
    assert berlin.by_month["2026-02"] == 10 and berlin.by_month["2026-01"] == 0 and berlin.by_hour[0] == 10
    assert utc.by_weekday[5] == 10 and berlin.by_weekday[6] == 10  # Saturday in UTC, Sunday in Berlin


def test_summer_time_is_honoured() -> None:
    # 12:00 UTC is 14:00 in Berlin in July (UTC+2)
    july = stats.compute(
        [(at("2026-07-01T12:00"), MIN, "A", "T", None, None)],
        period("2026-07-01", "2026-08-01"),
        local_in(BERLIN),
    )
    assert july.by_hour[14] == 1


def test_an_empty_period() -> None:
    figures = stats.compute([], period("2025-01-01", "2026-01-01"))
    assert (figures.minutes, figures.plays, figures.days_listened, figures.longest_streak_days) == (
        0,
        0,
        0,
        0,
    )
    assert figures.top_artists == [] and figures.top_tracks == [] and figures.skip_rate is None
    assert list(figures.by_month) == [f"2025-{m:02d}" for m in range(1, 13)] and set(
        figures.by_month.values()
    ) == {0}
    assert figures.by_hour == [0] * 24 and figures.by_weekday == [0] * 7


@pytest.mark.parametrize(
    ("days", "streak"),
    [
        ([], 0),
        ([date(2026, 1, 1)], 1),
        ([date(2026, 1, 1), date(2026, 1, 3)], 1),
        ([date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 4)], 3),
        ([date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)], 3),  # a leap day
    ],
)
def test_longest_streak(days: list[date], streak: int) -> None:
    assert stats.longest_streak(days) == streak


def test_ties_in_the_top_lists_are_stable() -> None:
    rows: list[HistoryRow] = [
        (at("2026-01-01T10:00"), MIN, "B", "x", None, None),
        (at("2026-01-01T11:00"), MIN, "A", "y", None, None),
    ]
    figures = stats.compute(rows, period("2026-01-01", "2026-02-01"), local_in(UTC))
    assert [a.name for a in figures.top_artists] == ["A", "B"]


def test_year_and_dates_periods() -> None:
    year = stats.year_period(2025)
    assert (year.start, year.end, year.last_day) == (
        datetime(2025, 1, 1),
        datetime(2026, 1, 1),
        date(2025, 12, 31),
    )
    span = stats.dates_period(date(2025, 3, 1), None, first=date(2020, 1, 1), last=date(2025, 4, 2))
    assert span.end == datetime(2025, 4, 3) and span.label == "2025-03-01 to 2025-04-02"


# ---------------------------------------------------------------- the command, with TZ


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()


def import_rows(h: Harness, tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = tmp_path / "Streaming_History_Audio_x.json"
    path.write_text(json.dumps(records))
    assert h.run("history", "import", str(path)).exit_code == 0


def ext(ts: str, track: str, artist: str, ms: int, skipped: bool | None = None) -> dict[str, object]:
    return {"ts": ts, "ms_played": ms, "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist, "skipped": skipped}  # fmt: skip


def test_stats_json_in_local_time_with_an_inclusive_until(
    harness: Harness, tmp_path: Path, berlin: None
) -> None:
    import_rows(harness, tmp_path, [
        ext("2025-12-31T23:30:00Z", "New Year", "Band", 5 * MIN),  # 00:30 on Jan 1 in Berlin
        ext("2026-01-31T22:59:00Z", "Last", "Band", 2 * MIN, True),  # 23:59 on Jan 31 in Berlin: inside --until
        ext("2026-01-31T23:01:00Z", "Out", "Band", 7 * MIN),  # Feb 1 in Berlin: outside
        {"ts": "2026-01-10T10:00:00Z", "ms_played": 9 * MIN, "episode_name": "Ep", "episode_show_name": "Show"},
    ])  # fmt: skip
    result = harness.run("history", "stats", "--since", "2026-01-01", "--until", "2026-01-31", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "period", "minutes", "plays", "distinct_tracks", "distinct_artists", "days_listened", "longest_streak_days",
        "top_artists", "top_tracks", "by_month", "by_hour", "by_weekday", "skip_rate", "top_albums", "by_day",
        "punchcard", "sessions", "top_artist_share", "top10_artists_share", "biggest_day", "podcasts", "previous",
        "new_artists", "new_tracks", "discoveries",
    }  # fmt: skip
    # Band's first play is at 00:30 on the period's first day, Berlin time: a discovery of the period
    assert data["new_artists"] == 1 and data["new_tracks"] == 2
    assert data["discoveries"] == [{"name": "Band", "minutes": 7.0, "first_played": "2026-01-01T00:30:00"}]
    assert data["podcasts"] == {
        "minutes": 9.0,
        "episodes": 1,
        "top_shows": [{"name": "Show", "minutes": 9.0, "episodes": 1}],
    }
    assert data["minutes"] == 7.0  # the podcast is not music
    assert data["plays"] == 2 and data["days_listened"] == 2 and data["longest_streak_days"] == 1
    assert data["top_tracks"][0] == {
        "name": "New Year",
        "artist": "Band",
        "minutes": 5.0,
        "plays": 1,
        "previous_rank": None,
    }
    assert data["top_artists"] == [{"name": "Band", "minutes": 7.0, "plays": 2, "previous_rank": None}]
    assert data["by_month"] == {"2026-01": 7.0}
    assert data["by_hour"][0] == 5.0 and data["by_hour"][23] == 2.0
    assert data["skip_rate"] == 1.0
    year = json.loads(harness.run("history", "stats", "--year", "2026", "--json").stdout)
    assert year["minutes"] == 14.0 and len(year["by_month"]) == 12


def test_stats_without_a_history_says_how_to_make_one_and_creates_nothing(harness: Harness) -> None:
    result = harness.run("history", "stats", "--year", "2024")
    assert result.exit_code == 1, result.output
    assert "There is no history at" in result.stderr and "spotiviz history import" in result.stderr
    assert not Path(harness.env["SPOTIVIZ_DATA_DIR"]).exists()


def test_stats_of_a_period_without_plays_says_what_the_history_covers(
    harness: Harness, tmp_path: Path
) -> None:
    import_rows(
        harness,
        tmp_path,
        [ext("2025-06-01T12:00:00Z", "A", "B", 3 * MIN), ext("2025-07-02T12:00:00Z", "A", "B", MIN)],
    )
    result = harness.run("history", "stats", "--year", "2024")
    assert result.exit_code == 0, result.output
    assert "0 minutes listened" in result.stdout
    assert "No plays in 2024. Your history covers 2025-06-01 to 2025-07-02." in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "2025", "--since", "2025-01-01"],
        ["--since", "01/02/2025"],
        ["--since", "2025-05-01", "--until", "2025-04-01"],
    ],
)
def test_stats_usage_errors(harness: Harness, args: list[str]) -> None:
    assert harness.run("history", "stats", *args).exit_code == 2


def test_wrapped_from_the_history(harness: Harness, tmp_path: Path) -> None:
    import_rows(harness, tmp_path, [ext("2025-06-01T12:00:00Z", "Summer", "Band", 125 * MIN)])
    result = harness.run("wrapped", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "spotiviz Wrapped 2025" in result.stdout and "125 minutes listened" in result.stdout
    assert harness.fake.requests == []  # no API needed
    empty = harness.run("wrapped", "--year", "2019")
    assert empty.exit_code == 1 and "history import" in empty.stderr


def test_wrapped_year_json_has_every_figure_of_the_recap(harness: Harness, tmp_path: Path) -> None:
    podcast = {
        "ts": "2025-02-01T10:00:00Z",
        "ms_played": 40 * MIN,
        "episode_name": "E1",
        "episode_show_name": "Talk",
    }
    import_rows(harness, tmp_path, [
        ext("2024-05-01T12:00:00Z", "Old", "Known", 50 * MIN),
        ext("2025-03-01T10:00:00Z", "Song", "Known", 30 * MIN),  # a session of 3 plays: 10:00-10:44
        ext("2025-03-01T10:12:00Z", "Song", "Known", 10 * MIN),
        ext("2025-03-01T10:44:00Z", "Hit", "Fresh", 30 * MIN),
        ext("2025-03-02T09:00:00Z", "Hit", "Fresh", 5 * MIN),  # the next day: a 2-day streak
        ext("2025-07-01T09:00:00Z", "Hit", "Fresh", 5 * MIN),
        podcast,
    ])  # fmt: skip
    data = json.loads(harness.run("wrapped", "--year", "2025", "--json").stdout)
    assert data["year"] == 2025 and data["minutes"] == 80.0 and data["plays"] == 5
    assert data["previous_minutes"] == 50.0 and data["minutes_change"] == 0.6
    # 40 minutes each: the tie goes to the artist with more plays
    assert data["top_artist"] == {"name": "Fresh", "minutes": 40.0, "plays": 3, "share": 0.5}
    assert [a["name"] for a in data["top_artists"]] == ["Fresh", "Known"]
    assert data["top_tracks"][0] == {"rank": 1, "name": "Hit", "artist": "Fresh", "minutes": 40.0, "plays": 3}
    assert data["top_album"] is None  # these records have no album
    assert data["top_podcast"] == {"name": "Talk", "minutes": 40.0, "episodes": 1}
    assert data["new_artists"] == 1
    assert data["discoveries"] == [{"name": "Fresh", "minutes": 40.0, "first_played": "2025-03-01T10:44:00"}]
    assert data["longest_streak_days"] == 2
    assert data["biggest_day"] == {"date": "2025-03-01", "minutes": 70.0}
    assert data["longest_session"] == {
        "start": "2025-03-01T09:30:00", "end": "2025-03-01T10:44:00", "minutes": 70.0, "plays": 3,
    }  # fmt: skip
    assert data["best_month"] == {"month": "2025-03", "minutes": 75.0}
    assert len(data["punchcard"]) == 7 and data["punchcard"][5][10] == 70.0  # a Saturday, 10:00-10:59
    screen = harness.run("wrapped", "--year", "2025")
    assert "Fresh" in screen.stdout and "best month" in screen.stdout and "+60% on 2024" in screen.stdout


# ---------------------------------------------------------------- sync


def test_sync_uses_the_after_cursor(harness: Harness) -> None:
    harness.log_in()
    base = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def play(n: int, minutes_ago: int) -> dict[str, object]:
        stamp = (
            (base - timedelta(minutes=minutes_ago)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        return {"track": make_track(n), "played_at": stamp, "context": None}

    harness.fake.library.recent = [play(2, 10), play(1, 20)]
    first = harness.run("history", "sync")
    assert first.exit_code == 0, first.output
    assert "Added 2 new plays" in first.stdout
    assert "last 50 plays" in first.stderr and "spotiviz history schedule" in first.stderr
    assert "after" not in harness.fake.requests[-1].query

    harness.fake.library.recent = [play(3, 0), play(2, 10), play(1, 20)]
    second = harness.run("history", "sync", "--quiet")
    assert second.exit_code == 0 and second.stdout == ""
    newest_synced = int((base - timedelta(minutes=10)).timestamp() * 1000)
    assert harness.fake.requests[-1].query == {"limit": "50", "after": str(newest_synced)}
    assert "may be missing" not in first.stderr
    data = json.loads(harness.run("history", "stats", "--json").stdout)
    assert data["plays"] == 3
    assert data["minutes"] == pytest.approx((180_000 + 181_000 + 182_000 + 183_000 - 180_000) / 60000)


def test_sync_warns_when_a_full_page_came_after_the_cursor(harness: Harness) -> None:
    harness.log_in()
    base = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    stamps = [(base - timedelta(minutes=4 * n)).isoformat().replace("+00:00", "Z") for n in range(60)]
    harness.fake.library.recent = [{"track": make_track(1), "played_at": stamps[59]}]
    assert harness.run("history", "sync").exit_code == 0
    harness.fake.library.recent = [{"track": make_track(n), "played_at": stamps[n]} for n in range(55)]
    again = harness.run("history", "sync", "--quiet")  # as cron runs it: the warning still shows
    assert again.exit_code == 0 and again.stdout == ""
    assert (
        again.stderr.count("\n") == 1
        and "Warning: Spotify returned 50 plays since the last sync" in again.stderr
    )
    assert "plays between 2026-11-24 08:04 and 2026-11-24 08:24 may be missing" in again.stderr


def test_sync_needs_a_login(harness: Harness) -> None:
    result = harness.run("history", "sync")
    assert result.exit_code == 4 and "spotiviz login" in result.stderr


def test_schedule_prints_cron_and_systemd(harness: Harness) -> None:
    result = harness.run("history", "schedule")
    assert result.exit_code == 0
    assert "*/30 * * * *" in result.stdout and "history sync --quiet" in result.stdout
    assert "OnCalendar=*:0/30" in result.stdout


def cron_command(schedule_output: str) -> str:
    """The command of the crontab line `history schedule` prints: the line without its five time fields."""
    line = next(x for x in schedule_output.splitlines() if x.startswith("*/30 "))
    return line.split(" ", 5)[5]


def test_the_printed_cron_line_syncs_unattended(
    harness: Harness, secret_service: Any, tmp_path: Path
) -> None:
    """Run the crontab line as cron does: a bare environment, no D-Bus session of its own, HOME as the folder."""
    harness.keyring = secret_service  # the real Secret Service, in a private D-Bus session
    harness.log_in()
    harness.fake.library.recent = [
        {"track": make_track(1), "played_at": "2026-11-24T12:00:00.000Z", "context": None}
    ]
    harness.env["DBUS_SESSION_BUS_ADDRESS"] = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    harness.env["SPOTIVIZ_DATA_DIR"] = str(tmp_path / "elsewhere")  # not the default: the line must carry it
    printed = harness.run("history", "schedule")
    assert printed.exit_code == 0, printed.output
    assert "Last sync: never" in printed.stdout
    command = cron_command(printed.stdout)
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        ["sh", "-c", command],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"},
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (command, done.stderr)
    log = tmp_path / "elsewhere" / "sync.log"
    assert log.exists() and log.read_text() == ""  # --quiet: nothing to say
    assert json.loads(harness.run("history", "stats", "--json").stdout)["plays"] == 1
    assert "Last sync: 20" in harness.run("history", "schedule").stdout


def test_the_schedule_carries_settings_but_never_the_secret(harness: Harness, tmp_path: Path) -> None:
    harness.env["SPOTIFY_CLIENT_SECRET"] = "s3cr3t-value"
    harness.env["SPOTIVIZ_DATA_DIR"] = str(tmp_path / "my data 100%")
    harness.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    (harness.cwd / ".env").write_text("SPOTIFY_CLIENT_SECRET=s3cr3t-value\n")
    result = harness.run("history", "schedule")
    assert result.exit_code == 0
    assert "s3cr3t-value" not in result.output
    cron = next(x for x in result.stdout.splitlines() if x.startswith("*/30 "))
    assert f"cd {harness.cwd} &&" in cron  # the .env (and the secret in it) is read from there
    assert f"SPOTIVIZ_DATA_DIR='{tmp_path}/my data 100\\%'" in cron  # cron reads a bare % as a new line
    assert f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus" in cron
    assert f'Environment="SPOTIVIZ_DATA_DIR={tmp_path}/my data 100%%"' in result.stdout  # systemd's %
    assert f"WorkingDirectory={harness.cwd}" in result.stdout
    assert "journalctl --user -u spotiviz-sync.service" in result.stdout and "tail " in result.stdout


def test_sessions_days_punchcard_albums_shares_and_podcasts_of_a_known_history() -> None:
    def row(when: str, minutes: float, artist: str, track: str, album: str | None = "LP") -> HistoryRow:
        return (at(when), int(minutes * MIN), artist, track, None, album)

    rows = [
        row("2026-03-06T23:50", 5, "A", "One"),  # Friday: a session across midnight ...
        row("2026-03-07T00:04", 4, "A", "Two"),  # ... starts 9 min after the last one ended: same session
        row("2026-03-07T00:30", 3, "B", "Three", None),  # 23 min later: a new session; no album
        row("2026-03-07T10:00", 10, "A", "One"),
    ]
    episodes = [
        (at("2026-03-07T08:00"), 30 * MIN, "Talk", "Ep 1"),
        (at("2026-03-07T09:00"), 15 * MIN, "Talk", "Ep 1"),
    ]
    figures = stats.compute(rows, period("2026-03-01", "2026-04-01"), local_in(UTC), episodes)
    assert figures.session_count == 3 and figures.session_average_minutes == pytest.approx(22 / 3)
    longest = figures.longest_session
    assert longest is not None and (longest.minutes, longest.plays) == (10, 1)
    assert figures.by_day == {"2026-03-06": 5.0, "2026-03-07": 17.0}
    assert figures.biggest_day == ("2026-03-07", 17.0)
    assert figures.punchcard[4][23] == 5 and figures.punchcard[5][0] == 7 and figures.punchcard[5][10] == 10
    assert sum(map(sum, figures.punchcard)) == pytest.approx(figures.minutes)
    assert [(a.name, a.artist, a.minutes, a.plays) for a in figures.top_albums] == [("LP", "A", 19.0, 3)]
    assert figures.top_artist_share == pytest.approx(
        19 / 22
    ) and figures.top10_artists_share == pytest.approx(1)
    assert (figures.podcasts.minutes, figures.podcasts.episodes) == (45.0, 1)
    assert [(s.name, s.minutes, s.episodes) for s in figures.podcasts.top_shows] == [("Talk", 45.0, 1)]


def test_a_session_of_two_plays_back_to_back_and_its_times() -> None:
    rows: list[HistoryRow] = [
        (at("2026-05-01T20:03"), 3 * MIN, "A", "X", None, None),
        (at("2026-05-01T20:06"), 3 * MIN, "A", "Y", None, None),
    ]
    figures = stats.compute(rows, period("2026-05-01", "2026-06-01"), local_in(UTC))
    longest = figures.longest_session
    assert figures.session_count == 1 and longest is not None
    assert (longest.start, longest.end) == (datetime(2026, 5, 1, 20, 0), datetime(2026, 5, 1, 20, 6))
    assert stats.stats_json(figures)["sessions"] == {
        "count": 1,
        "average_minutes": 6.0,
        "longest": {"start": "2026-05-01T20:00:00", "end": "2026-05-01T20:06:00", "minutes": 6.0, "plays": 2},
    }


def test_an_empty_period_has_no_shares_or_sessions() -> None:
    figures = stats.compute([], period("2025-01-01", "2026-01-01"))
    data = stats.stats_json(figures)
    assert data["sessions"] == {"count": 0, "average_minutes": 0.0, "longest": None}
    assert data["top_artist_share"] is None and data["biggest_day"] is None and data["by_day"] == {}
    assert data["punchcard"] == [[0.0] * 24] * 7 and data["podcasts"] == {
        "minutes": 0.0,
        "episodes": 0,
        "top_shows": [],
    }


def test_the_hour_across_a_summer_time_change_is_exact() -> None:
    # Berlin moved from UTC+1 to UTC+2 at 01:00 UTC on 2026-03-29: 00:59:59 UTC is 01:59:59, 01:00 is 03:00
    rows: list[HistoryRow] = [
        (at("2026-03-29T00:59:59"), MIN, "A", "T", None, None),
        (at("2026-03-29T01:00:00"), 2 * MIN, "A", "T", None, None),
    ]
    figures = stats.compute(rows, period("2026-03-01", "2026-04-01"), local_in(BERLIN))
    assert figures.by_hour[1] == 1 and figures.by_hour[3] == 2 and figures.by_hour[2] == 0


@pytest.mark.parametrize(
    ("count", "unit", "since", "label"),
    [
        (30, "d", "2026-10-27", "the last 30 days"),
        (1, "d", "2026-11-25", "the last day"),
        (12, "w", "2026-09-03", "the last 12 weeks"),
        (6, "m", "2026-05-26", "the last 6 months"),
        (1, "y", "2025-11-26", "the last year"),
    ],
)
def test_last_periods_end_with_today(count: int, unit: str, since: str, label: str) -> None:
    got = stats.last_period(count, unit, date(2026, 11, 25))
    assert (got.start.date().isoformat(), got.last_day.isoformat(), got.label) == (since, "2026-11-25", label)


def test_month_periods_take_their_month_whole() -> None:
    feb = stats.month_period(2024, 2)
    assert (feb.start.date().isoformat(), feb.last_day.isoformat(), feb.label) == (
        "2024-02-01",
        "2024-02-29",
        "2024-02",
    )
    dec = stats.month_period(2025, 12)
    assert dec.last_day.isoformat() == "2025-12-31"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--month", "2025-13"], "--month must be a month like 2025-03"),
        (["--month", "June"], "--month must be a month like 2025-03"),
        (["--month", "0024-01"], "--month must be a year from 1900 to 2100"),
        (["--last", "5x"], "--last must be a number of days, weeks, months or years"),
        (["--last", "0d"], "--last must be from 1 to 10000"),
        (["--year", "2025", "--last", "30d"], "--year and --last cannot be combined"),
        (["--month", "2025-01", "--since", "2025-01-01"], "--month and --since/--until cannot be combined"),
    ],
)
def test_month_and_last_usage_errors(harness: Harness, args: list[str], says: str) -> None:
    result = harness.run("history", "stats", *args)
    assert result.exit_code == 2 and says in result.stderr, result.stderr


def test_month_and_last_over_a_real_history(harness: Harness, tmp_path: Path) -> None:
    today = datetime.now().date()
    import_rows(harness, tmp_path, [
        ext(f"{today.isoformat()}T00:30:00Z", "Today", "Band", 3 * MIN),
        ext("2025-06-15T12:00:00Z", "June", "Band", 4 * MIN),
    ])  # fmt: skip
    june = json.loads(harness.run("history", "stats", "--month", "2025-06", "--json").stdout)
    assert june["period"]["label"] == "2025-06" and june["minutes"] == 4.0
    recent = json.loads(harness.run("history", "stats", "--last", "7d", "--json").stdout)
    assert recent["period"]["until"] == today.isoformat() and recent["minutes"] == 3.0


def test_a_period_against_the_one_before(harness: Harness, tmp_path: Path) -> None:
    import_rows(harness, tmp_path, [
        ext("2024-02-10T10:00:00Z", "Old", "B", 10 * MIN),
        ext("2024-03-10T10:00:00Z", "Hit", "A", 4 * MIN),
        ext("2025-03-10T10:00:00Z", "Hit", "A", 6 * MIN),
        ext("2025-04-10T10:00:00Z", "New", "C", 3 * MIN),
    ])  # fmt: skip
    data = json.loads(harness.run("history", "stats", "--year", "2025", "--json").stdout)
    assert data["previous"] == {
        "label": "2024", "minutes": 14.0, "plays": 2, "distinct_tracks": 2, "distinct_artists": 2, "days_listened": 2,
    }  # fmt: skip
    assert [(a["name"], a["previous_rank"]) for a in data["top_artists"]] == [("A", 2), ("C", None)]
    assert [(t["name"], t["previous_rank"]) for t in data["top_tracks"]] == [("Hit", 2), ("New", None)]
    screen = harness.run("history", "stats", "--year", "2025").stdout
    assert "9 minutes listened  -36% on 2024" in screen
    january = json.loads(harness.run("history", "stats", "--month", "2025-01", "--json").stdout)
    assert january["previous"]["label"] == "2024-12" and january["previous"]["minutes"] == 0
    assert json.loads(harness.run("history", "stats", "--json").stdout)["previous"] is None  # all time
    span = json.loads(
        harness.run("history", "stats", "--since", "2025-03-01", "--until", "2025-03-31", "--json").stdout
    )
    assert span["previous"]["label"] == "the 31 days before" and span["previous"]["minutes"] == 0


def test_new_artists_and_tracks_count_a_first_play_of_30_s_in_the_whole_history(
    harness: Harness, tmp_path: Path
) -> None:
    import_rows(harness, tmp_path, [
        ext("2025-06-01T10:00:00Z", "Old", "Known", 3 * MIN),  # known before the period
        ext("2026-03-01T00:00:05Z", "Old", "Known", 3 * MIN),
        ext("2026-03-01T00:00:10Z", "Fresh", "Known", 3 * MIN),  # a new track by a known artist
        ext("2025-12-01T10:00:00Z", "Teaser", "Late", 10_000),  # under 30 s: not a first play
        ext("2026-03-05T10:00:00Z", "Teaser", "Late", 4 * MIN),
        ext("2026-03-02T10:00:00Z", "One", "Early", 2 * MIN),
        ext("2026-03-20T10:00:00Z", "Two", "Tied", 2 * MIN),  # as many minutes as Early: found later
        ext("2026-04-02T10:00:00Z", "After", "Later", 5 * MIN),  # after the period
    ])  # fmt: skip
    data = json.loads(harness.run("history", "stats", "--month", "2026-03", "--json").stdout)
    assert data["new_tracks"] == 4  # Fresh, Teaser, One, Two
    assert data["new_artists"] == 3
    assert [(d["name"], d["minutes"]) for d in data["discoveries"]] == [
        ("Late", 4.0),
        ("Early", 2.0),
        ("Tied", 2.0),
    ]
    before = json.loads(harness.run("history", "stats", "--month", "2026-02", "--json").stdout)
    assert before["new_artists"] == 0 and before["discoveries"] == [] and before["plays"] == 0


def test_discoveries_are_the_five_new_artists_with_the_most_minutes() -> None:
    rows = [(at(f"2026-01-0{d}T12:00:00"), d * MIN, f"A{d}", "t", None, None) for d in range(1, 8)]
    firsts = stats.Firsts({f"A{d}": at(f"2026-01-0{d}T12:00:00") for d in range(1, 8)}, 7)
    figures = stats.compute(rows, period("2026-01-01", "2026-02-01"), local_in(UTC), firsts=firsts)
    assert figures.new_artists == 7 and figures.new_tracks == 7
    assert [(d.name, d.minutes) for d in figures.discoveries] == [
        (f"A{d}", float(d)) for d in (7, 6, 5, 4, 3)
    ]
    assert figures.discoveries[0].first_played == datetime(2026, 1, 7, 12)
    assert stats.compute(rows, period("2026-01-01", "2026-02-01"), local_in(UTC)).discoveries == []


def test_ranks_of_counts_the_entries_ahead_as_a_full_sort_ranks_them() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    sums = st.lists(st.integers(0, 3), min_size=2, max_size=2)  # few values: many ties

    @given(
        tally=st.dictionaries(st.text("ab", max_size=3), sums, max_size=12),
        wanted=st.lists(st.text("ab", max_size=3)),
    )
    def check(tally: dict[str, list[int]], wanted: list[str]) -> None:
        ordered = sorted(tally, key=lambda key: (-tally[key][0], -tally[key][1], key))
        full = {key: rank for rank, key in enumerate(ordered, 1)}
        assert stats.ranks_of(tally, wanted) == {key: full[key] for key in wanted if key in tally}

    check()


def test_the_top_ten_keep_ties_in_name_order_past_the_tenth_minute_figure() -> None:
    tally = {f"artist {n:02d}": [60_000 * (n // 3), n % 2] for n in range(30)}
    expected = sorted(tally, key=lambda key: (-tally[key][0], -tally[key][1], key))[: stats.TOP]
    assert [key for key, _ in stats._top(tally)] == expected
