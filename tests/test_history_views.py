"""The history views beyond `stats`: top lists, one artist/track/album, forgotten favourites, on this day.

Each runs the real command on a hand-made history imported as an extended export (tests run in UTC, so the days are
those written here) and checks figures worked out by hand.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from spotiviz_cli.history import views
from spotiviz_cli.history.stats import Period
from tests.conftest import Harness

MIN = 60_000


def play(ts: str, track: str, artist: str, ms: int, album: str | None = None) -> dict[str, object]:
    return {"ts": ts, "ms_played": ms, "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist, "master_metadata_album_album_name": album}  # fmt: skip


def episode(ts: str, show: str, name: str, ms: int) -> dict[str, object]:
    return {"ts": ts, "ms_played": ms, "episode_name": name, "episode_show_name": show}


def load(h: Harness, tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = tmp_path / "Streaming_History_Audio_views.json"
    path.write_text(json.dumps(records))
    result = h.run("history", "import", str(path))
    assert result.exit_code == 0, result.output


def as_json(h: Harness, *args: str) -> Any:
    result = h.run("history", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# 2025 and 2026: Alpha rises, Beta falls; Gamma appears in 2026; a tie in 2026 between two tracks
HISTORY = [
    play("2025-03-01T10:00:00Z", "Old Song", "Beta", 10 * MIN, "Beta Album"),
    play("2025-03-02T10:00:00Z", "Old Song", "Beta", 10 * MIN, "Beta Album"),
    play("2025-03-03T10:00:00Z", "Rise", "Alpha", 4 * MIN, "Alpha Album"),
    play("2026-01-10T10:00:00Z", "Rise", "Alpha", 6 * MIN, "Alpha Album"),
    play("2026-01-11T10:00:00Z", "Rise", "Alpha", 6 * MIN, "Alpha Album"),
    play("2026-01-12T10:00:00Z", "Fall", "Alpha", 20_000, "Alpha Album"),  # under 30 s: minutes, no play
    play("2026-02-01T10:00:00Z", "Old Song", "Beta", 3 * MIN, "Beta Album"),
    play("2026-02-02T10:00:00Z", "New", "Gamma", 3 * MIN),
    episode("2026-02-03T10:00:00Z", "The Show", "Ep 1", 30 * MIN),
    episode("2026-02-04T10:00:00Z", "The Show", "Ep 2", 20 * MIN),
]


def test_top_artists_with_their_rank_the_year_before(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, HISTORY)
    assert as_json(harness, "top", "artists", "--year", "2026") == [
        {"rank": 1, "previous_rank": 2, "name": "Alpha", "minutes": 12 + 1 / 3, "plays": 2},
        {"rank": 2, "previous_rank": 1, "name": "Beta", "minutes": 3.0, "plays": 1},
        {"rank": 3, "previous_rank": None, "name": "Gamma", "minutes": 3.0, "plays": 1},  # tie: by name
    ]
    tracks = as_json(harness, "top", "tracks", "--year", "2026", "--by", "plays", "--limit", "2")
    assert [(t["name"], t["artist"], t["plays"]) for t in tracks] == [
        ("Rise", "Alpha", 2),
        ("New", "Gamma", 1),
    ]
    assert as_json(harness, "top", "albums")[0] == {
        "rank": 1, "previous_rank": None, "name": "Beta Album", "artist": "Beta", "minutes": 23.0, "plays": 3,
    }  # fmt: skip
    assert as_json(harness, "top", "shows", "--month", "2026-02") == [
        {"rank": 1, "previous_rank": None, "name": "The Show", "minutes": 50.0, "plays": 2}
    ]


def test_top_as_csv_and_as_a_table(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, HISTORY)
    result = harness.run("history", "top", "tracks", "--year", "2026", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["rank", "previous_rank", "name", "artist", "minutes", "plays"]
    assert rows[0]["name"] == "Rise" and rows[0]["previous_rank"] == "2"
    empty = harness.run("history", "top", "artists", "--year", "2020", "--csv")
    assert empty.exit_code == 0 and empty.stdout == "rank,previous_rank,name,minutes,plays\n"
    table = harness.run("history", "top", "artists", "--year", "2026")
    assert "Top artists" in table.stdout and "▲1" in table.stdout and "new" in table.stdout


def test_a_narrow_top_list_keeps_the_figure_it_ranks_by(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(harness, tmp_path, HISTORY)
    monkeypatch.setenv("COLUMNS", "40")
    by_plays = harness.run("history", "top", "tracks", "--by", "plays").stdout
    assert "Plays" in by_plays and "Minutes" not in by_plays
    by_minutes = harness.run("history", "top", "tracks").stdout
    assert "Minutes" in by_minutes and "Plays" not in by_minutes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["top", "songs"], "WHAT must be artists, tracks, albums or shows"),
        (["top", "artists", "--by", "hours"], "--by must be minutes or plays"),
        (["top", "artists", "--limit", "0"], "--limit must be from 1 to 1000"),
        (["top", "artists", "--limit", "1001"], "--limit must be from 1 to 1000"),
        (["top", "artists", "--year", "2025", "--last", "30d"], "cannot be combined"),
        (["top", "artists", "--json", "--csv"], "--json and --csv cannot be used together"),
        (["rediscover", "--not-since", "soon"], "--last must be"),
        (["on-this-day", "2026-13-01"], "DATE must be a date"),
    ],
)
def test_bad_options_are_usage_errors(
    harness: Harness, tmp_path: Path, args: list[str], message: str
) -> None:
    load(harness, tmp_path, HISTORY)
    result = harness.run("history", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_one_artist_in_any_case(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, HISTORY)
    data = as_json(harness, "artist", "ALPHA", "--year", "2026")
    assert data == {
        "period": {"label": "2026", "since": "2026-01-01", "until": "2026-12-31"},
        "name": "Alpha",
        "minutes": 12 + 1 / 3,
        "plays": 2,
        "rank": 1,
        "first_played": "2026-01-10T10:00:00",
        "last_played": "2026-01-11T10:00:00",
        "days_listened": 2,
        "longest_streak_days": 2,
        "top_tracks": [
            {"name": "Rise", "minutes": 12.0, "plays": 2},
            {"name": "Fall", "minutes": 1 / 3, "plays": 0},
        ],
        "by_month": {f"2026-{m:02d}": (12 + 1 / 3 if m == 1 else 0.0) for m in range(1, 13)},
    }
    whole = as_json(harness, "artist", "alpha")
    assert whole["minutes"] == 16 + 1 / 3 and whole["first_played"] == "2025-03-03T10:00:00"
    assert whole["rank"] == 2  # Beta has 23 minutes in all


def test_an_unknown_name_lists_the_closest(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, HISTORY)
    result = harness.run("history", "artist", "Alpah")
    assert result.exit_code == 1
    assert "No artist called 'Alpah' in your history" in result.stderr and "Alpha" in result.stderr
    nothing = harness.run("history", "track", "Zzzzzz")
    assert nothing.exit_code == 1 and "spotiviz history top tracks" in nothing.stderr
    wrong_artist = harness.run("history", "track", "rise", "--artist", "Beta")
    assert wrong_artist.exit_code == 1 and "It is there by: Alpha" in wrong_artist.stderr


def test_a_track_of_several_artists_is_the_most_played_unless_artist_says(
    harness: Harness, tmp_path: Path
) -> None:
    load(harness, tmp_path, [
        play("2026-01-01T10:00:00Z", "Hurt", "Nine Inch Nails", 3 * MIN),
        play("2026-01-02T10:00:00Z", "Hurt", "Johnny Cash", 4 * MIN),
        play("2026-01-03T10:00:00Z", "Hurt", "Johnny Cash", 4 * MIN),
    ])  # fmt: skip
    result = harness.run("history", "track", "hurt", "--json")
    assert json.loads(result.stdout)["artist"] == "Johnny Cash"
    assert "Also by Nine Inch Nails: choose one with --artist." in result.stderr
    chosen = as_json(harness, "track", "hurt", "--artist", "nine inch nails")
    assert chosen["artist"] == "Nine Inch Nails" and chosen["plays"] == 1 and chosen["rank"] == 2
    assert "top_tracks" not in chosen


def test_an_album_with_its_tracks_and_a_period_without_it(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, HISTORY)
    album = as_json(harness, "album", "alpha album")
    assert album["artist"] == "Alpha" and album["plays"] == 3
    assert [t["name"] for t in album["top_tracks"]] == ["Rise", "Fall"]
    quiet = as_json(harness, "album", "alpha album", "--month", "2026-02")
    assert quiet["minutes"] == 0 and quiet["rank"] is None and quiet["first_played"] is None


def test_rediscover_the_most_played_tracks_not_played_lately(harness: Harness, tmp_path: Path) -> None:
    today = date.today()
    recent = (today - timedelta(days=10)).isoformat()
    old = (today - timedelta(days=400)).isoformat()
    older = (today - timedelta(days=800)).isoformat()
    load(harness, tmp_path, [
        play(f"{older}T10:00:00Z", "Loved", "A", 3 * MIN),
        play(f"{older}T11:00:00Z", "Loved", "A", 3 * MIN),
        play(f"{old}T10:00:00Z", "Loved", "A", 3 * MIN),
        play(f"{old}T11:00:00Z", "Liked", "B", 3 * MIN),
        play(f"{old}T12:00:00Z", "Still", "C", 3 * MIN),
        play(f"{old}T13:00:00Z", "Still", "C", 3 * MIN),
        play(f"{recent}T10:00:00Z", "Still", "C", 3 * MIN),  # played lately: not forgotten
        play(f"{recent}T11:00:00Z", "Liked", "B", 10_000),  # a skip is not a play: still forgotten
    ])  # fmt: skip
    data = as_json(harness, "rediscover")
    assert [(e["rank"], e["name"], e["plays"]) for e in data] == [(1, "Loved", 3), (2, "Liked", 1)]
    assert data[0]["last_played"] == f"{old}T10:00:00" and data[1]["minutes"] == 3 + 1 / 6
    two_years = as_json(harness, "rediscover", "--not-since", "500d")
    assert two_years == []  # everything was played within 500 days
    table = harness.run("history", "rediscover")
    assert "Forgotten favourites" in table.stdout and "Loved" in table.stdout


def test_on_this_day_in_each_earlier_year(harness: Harness, tmp_path: Path) -> None:
    load(harness, tmp_path, [
        play("2023-03-14T08:00:00Z", "Pi", "Math", 3 * MIN),
        play("2024-02-29T08:00:00Z", "Leap", "Math", 3 * MIN),
        play("2025-03-14T08:00:00Z", "Pi", "Math", 2 * MIN),
        play("2025-03-14T09:00:00Z", "E", "Math", 4 * MIN),
        play("2025-03-15T00:00:00Z", "Next day", "Math", 4 * MIN),
        play("2026-03-14T08:00:00Z", "Same year", "Math", 4 * MIN),  # not an earlier year
    ])  # fmt: skip
    data = as_json(harness, "on-this-day", "2026-03-14")
    assert data["date"] == "2026-03-14"
    assert [(y["year"], y["minutes"], y["plays"]) for y in data["years"]] == [(2025, 6.0, 2), (2023, 3.0, 1)]
    assert [t["name"] for t in data["years"][0]["top_tracks"]] == ["E", "Pi"]
    leap = as_json(harness, "on-this-day", "2028-02-29")
    assert [y["date"] for y in leap["years"]] == ["2024-02-29"]  # years without 29 February are left out
    screen = harness.run("history", "on-this-day", "2026-03-14")
    assert "1 year ago" in screen.stdout and "3 years ago" in screen.stdout


# ---------------------------------------------------------------- the pure figures


def test_ranking_breaks_ties_the_same_way_whatever_the_order() -> None:
    tally = [("b", "", 60_000, 1), ("a", "", 60_000, 1), ("c", "", 60_000, 2)]
    assert [e.name for e in views.ranking(tally)] == ["c", "a", "b"]
    assert [e.name for e in views.ranking(list(reversed(tally)))] == ["c", "a", "b"]
    assert [e.rank for e in views.top(tally, limit=2, previous=[])] == [1, 2]
    assert all(e.previous_rank is None for e in views.top(tally, previous=[]))


def test_an_item_across_midnight_counts_both_days_and_a_streak() -> None:
    period = Period(datetime(2026, 1, 1), datetime(2026, 2, 1), "January")

    def at(text: str) -> int:
        return int(datetime.fromisoformat(text + "+00:00").timestamp() * 1000)

    rows = [(at("2026-01-01T23:59:00"), 3 * MIN, "x"), (at("2026-01-02T00:01:00"), 3 * MIN, "y")]
    figures = views.item_figures(
        "artist",
        "A",
        "",
        rows,
        period,
        1,
        lambda s: datetime.fromtimestamp(s, timezone.utc).replace(tzinfo=None),
    )
    assert figures.days_listened == 2 and figures.longest_streak_days == 2
    assert figures.by_month == {"2026-01": 6.0}
    assert [name for name, _, _ in figures.top_tracks] == ["x", "y"]


def test_one_of_a_thing_is_said_in_the_singular(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    load(harness, tmp_path, [play("2026-02-02T10:00:00Z", "New", "Gamma", MIN)])
    screen = " ".join(harness.run("history", "stats").stdout.split())
    assert "1 minute listened" in screen
    assert "1 play · 1 track · 1 artist · 1 day with music" in screen
    item = " ".join(harness.run("history", "artist", "gamma").stdout.split())
    assert "1 minute · 1 play ·" in item
    wrapped = " ".join(harness.run("wrapped", "--year", "2026").stdout.split())
    assert "1 play, 1 min" in wrapped
