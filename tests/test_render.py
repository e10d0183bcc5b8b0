"""Rendering: models into a fixed-width, colourless console, compared as text; rows and CSV; formatting helpers."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from rich.console import Console, RenderableType

from spotiviz_cli.models import (
    Album,
    Artist,
    ArtistRef,
    Episode,
    NowPlaying,
    Play,
    SavedTrack,
    TimeRange,
    Track,
)
from spotiviz_cli.render import tables as render

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
ALBUM = Album("Blue Hour", "2019-03-01")
DRIVE = Track(
    "Night Drive", (ArtistRef("Neon Coast"), ArtistRef("Mira")), 215000, "t1", "spotify:track:t1", ALBUM, True
)
DEMO = Track("Home Demo", (ArtistRef("Me"),), 61000, None, "spotify:local:x", None, is_local=True)


def text(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None, legacy_windows=False)
    console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in output.splitlines())


def test_top_tracks_table() -> None:
    assert text(render.top_tracks_table([DRIVE, DEMO], TimeRange.parse("6m"))) == (
        "Your top tracks, the last 6 months\n"
        "┏━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━┓\n"
        "┃ # ┃ Track             ┃ Artists          ┃ Album     ┃ Length ┃\n"
        "┡━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━┩\n"
        "│ 1 │ Night Drive       │ Neon Coast, Mira │ Blue Hour │   3:35 │\n"
        "│ 2 │ Home Demo (local) │ Me               │           │   1:01 │\n"
        "└───┴───────────────────┴──────────────────┴───────────┴────────┘"
    )


def test_top_artists_table_with_and_without_genres() -> None:
    assert text(
        render.top_artists_table(
            [Artist("Neon Coast", genres=("synthwave", "indie")), Artist("Mira")], TimeRange.parse("4w")
        )
    ) == (
        "Your top artists, the last 4 weeks\n"
        "┏━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓\n"
        "┃ # ┃ Artist     ┃ Genres           ┃\n"
        "┡━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩\n"
        "│ 1 │ Neon Coast │ synthwave, indie │\n"
        "│ 2 │ Mira       │                  │\n"
        "└───┴────────────┴──────────────────┘"
    )
    without = text(render.top_artists_table([Artist("Mira")], TimeRange.parse("long")))
    assert "Genres" not in without
    assert without.endswith("Spotify returned no genres for these artists.")


def test_empty_top_tracks_says_why() -> None:
    assert "no top tracks for this range yet" in text(render.top_tracks_table([], TimeRange.parse("short")))


def test_recent_table_in_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    plays = [Play(NOW - timedelta(minutes=5), DRIVE), Play(NOW - timedelta(hours=26), DEMO)]
    assert text(render.recent_table(plays, NOW)) == (
        "Recently played\n"
        "┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓\n"
        "┃ When             ┃ Ago       ┃ Track             ┃ Artists          ┃ Album     ┃\n"
        "┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩\n"
        "│ Tue 24 Nov 11:55 │ 5 min ago │ Night Drive       │ Neon Coast, Mira │ Blue Hour │\n"
        "│ Mon 23 Nov 10:00 │ 1 day ago │ Home Demo (local) │ Me               │           │\n"
        "└──────────────────┴───────────┴───────────────────┴──────────────────┴───────────┘"
    )


def test_saved_table() -> None:
    assert text(render.saved_table([SavedTrack(NOW - timedelta(days=3), DRIVE)])) == (
        "Your liked songs, newest first (1)\n"
        "┏━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━┓\n"
        "┃ Saved      ┃ Track       ┃ Artists          ┃ Album     ┃ Length ┃\n"
        "┡━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━┩\n"
        "│ 2026-11-21 │ Night Drive │ Neon Coast, Mira │ Blue Hour │   3:35 │\n"
        "└────────────┴─────────────┴──────────────────┴───────────┴────────┘"
    )


def test_now_panel_track_and_episode() -> None:
    assert text(render.now_panel(NowPlaying(True, 107500, DRIVE, "Kitchen"))) == (
        "╭─ ▶ Now playing ──────────────────────────────────────╮\n"
        "│ Night Drive                                          │\n"
        "│ Neon Coast, Mira                                     │\n"
        "│ Blue Hour                                            │\n"
        "│ ━━━━━━━━━━━━━━━━━━━━──────────────────── 1:47 / 3:35 │\n"
        "│ on Kitchen                                           │\n"
        "╰──────────────────────────────────────────────────────╯"
    )
    episode = text(render.now_panel(NowPlaying(False, 0, Episode("Ep 1", "A Show", 3_600_000))))
    assert "⏸ Paused" in episode and "A Show (podcast episode)" in episode and "0:00 / 1:00:00" in episode
    assert text(render.now_panel(None)) == "Nothing is playing."


@pytest.mark.parametrize(
    ("done", "total", "bar"),
    [
        (0, 100, "─" * 10),
        (50, 100, "━" * 5 + "─" * 5),
        (100, 100, "━" * 10),
        (150, 100, "━" * 10),
        (5, 0, "─" * 10),
    ],
)
def test_progress_bar(done: int, total: int, bar: str) -> None:
    assert render.progress_bar(done, total, width=10).plain == bar


@pytest.mark.parametrize(
    ("ms", "shown"),
    [(0, "0:00"), (61_000, "1:01"), (3_599_999, "59:59"), (3_600_000, "1:00:00"), (-5, "0:00")],
)
def test_duration(ms: int, shown: str) -> None:
    assert render.duration(ms) == shown


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=30), "just now"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=2), "2 h ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=3), "3 days ago"),
    ],
)
def test_ago(delta: timedelta, shown: str) -> None:
    assert render.ago(NOW - delta, NOW) == shown


def test_csv_joins_lists_and_blanks_nulls() -> None:
    rows = render.top_track_rows([DRIVE, DEMO])
    assert render.csv_text(rows, render.FIELDS["top-tracks"]) == (
        "rank,id,name,artists,album,duration_ms,uri,url\n"
        "1,t1,Night Drive,Neon Coast; Mira,Blue Hour,215000,spotify:track:t1,\n"
        "2,,Home Demo,Me,,61000,spotify:local:x,\n"
    )


def test_csv_of_nothing_is_just_the_header() -> None:
    assert render.csv_text([], render.FIELDS["recent"]) == (
        "played_at,id,name,artists,album,duration_ms,uri,context_uri\n"
    )


@pytest.mark.parametrize(
    ("text_in", "key"),
    [
        ("short", "short"),
        ("4w", "short"),
        ("short_term", "short"),
        ("6M", "medium"),
        ("1y", "long"),
        ("long", "long"),
    ],
)
def test_time_range_aliases(text_in: str, key: str) -> None:
    assert TimeRange.parse(text_in).key == key


def test_time_range_rejects_others() -> None:
    with pytest.raises(ValueError, match="short \\(4w\\), medium \\(6m\\) or long \\(1y\\)"):
        TimeRange.parse("decade")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T10:00:00.5Z", datetime(2026, 11, 20, 10, 0, 0, 500_000, tzinfo=timezone.utc)),
        ("2026-11-20T10:00:00.123456789Z", datetime(2026, 11, 20, 10, 0, 0, 123_456, tzinfo=timezone.utc)),
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)),
        ("2026-11-20T10:00:00", datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)),
        ("2026-11-20T11:30:00+01:30", datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)),
        ("2026-11-20T05:00:00-0500", datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)),
    ],
)
def test_spotify_timestamps_parse_on_every_python(text: str, expected: datetime) -> None:
    from spotiviz_cli.models import parse_instant

    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-20T25:00:00Z", "20261120"]
)
def test_what_is_not_a_timestamp_is_refused(text: str) -> None:
    from spotiviz_cli.models import parse_instant

    with pytest.raises(ValueError):
        parse_instant(text)


def test_the_punchcard_shades_each_hour_by_its_share_of_the_busiest() -> None:
    from spotiviz_cli.render.charts import punchcard_chart

    punch = [[0.0] * 24 for _ in range(7)]
    punch[0][0], punch[0][23], punch[6][12] = 10.0, 2.0, 5.0
    lines = text(punchcard_chart(punch)).splitlines()
    assert lines[0] == "Mon █" + " " * 22 + "░"
    assert lines[6] == "Sun " + " " * 12 + "▒"  # (trailing spaces are stripped)
    assert lines[7] == "    0     6     12    18  23"


def test_calendar_heatmap_shades_each_day_and_halves_a_year_when_narrow() -> None:
    from datetime import date

    from rich.console import Console

    from spotiviz_cli.render.charts import CalendarHeatmap

    # 2026-01-05 is a Monday: the busiest day is full, a quiet one light, a day without music a dot
    chart = CalendarHeatmap({"2026-01-05": 100.0, "2026-01-06": 10.0}, date(2026, 1, 5), date(2026, 1, 11))

    def lines(width: int) -> list[str]:
        console = Console(width=width, record=True)
        console.print(chart)
        return console.export_text().splitlines()

    wide = lines(80)
    assert wide[0].rstrip() == "2026"  # no month starts in that week
    assert wide[1] == "Mon  █" and wide[2] == "Tue  ░" and wide[3] == "Wed  ·"
    year = CalendarHeatmap({}, date(2026, 1, 1), date(2026, 12, 31))
    console = Console(width=40, record=True)
    console.print(year)
    blocks = [line for line in console.export_text().splitlines() if line.startswith("2026")]
    assert len(blocks) == 2 and all(len(line) <= 40 for line in console.export_text().splitlines())
