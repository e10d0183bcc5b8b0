"""The Wrapped figures: table-driven tests of each pure function, with ties, empty inputs and missing fields."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from spotiviz_cli import wrapped
from spotiviz_cli.models import Album, Artist, ArtistRef, Play, TimeRange, Track, UserProfile

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def artist(name: str, *genres: str, id: str | None = None) -> Artist:
    return Artist(name=name, id=id if id is not None else name.lower(), genres=genres)


def track(
    name: str,
    *artists: str,
    year: str | None = "2015",
    explicit: bool = False,
    ms: int = 200_000,
    uri: str | None = None,
) -> Track:
    return Track(
        name=name,
        artists=tuple(ArtistRef(a, id=a.lower()) for a in artists),
        duration_ms=ms,
        id=name.lower(),
        uri=uri if uri is not None else f"spotify:track:{name.lower()}",
        album=Album("A", release_date=year),
        explicit=explicit,
    )


def play(t: Track, minutes_ago: int) -> Play:
    return Play(T0 - timedelta(minutes=minutes_ago), t)


@pytest.mark.parametrize(
    ("artists", "expected"),
    [
        ([], []),
        ([artist("A"), artist("B")], []),  # no genres at all
        ([artist("A", "pop")], [("pop", 1.0)]),
        # weights: A=3, B=2, C=1 -> pop 3+1=4, rock 2 -> 4/6, 2/6
        ([artist("A", "pop"), artist("B", "rock"), artist("C", "pop")], [("pop", 4 / 6), ("rock", 2 / 6)]),
        # a tie (2 and 2) is broken by name
        ([artist("A", "zouk", "ambient"), artist("B")], [("ambient", 0.5), ("zouk", 0.5)]),
        # case and repeats within one artist count once
        ([artist("A", "Pop", "pop ")], [("pop", 1.0)]),
    ],
)
def test_top_genres(artists: list[Artist], expected: list[tuple[str, float]]) -> None:
    got = wrapped.top_genres(artists)
    assert [genre for genre, _ in got] == [genre for genre, _ in expected]
    assert [share for _, share in got] == pytest.approx([share for _, share in expected])


def test_top_genres_limit() -> None:
    many = [artist(str(n), f"g{n:02d}") for n in range(20)]
    assert [g for g, _ in wrapped.top_genres(many, limit=3)] == ["g00", "g01", "g02"]


@pytest.mark.parametrize(
    ("tracks", "expected"),
    [
        ([], []),
        ([track("a", year=None), track("b", year="")], []),
        (
            [track("a", year="1999-05-01"), track("b", year="1990"), track("c", year="2001-03")],
            [(1990, 2), (2000, 1)],
        ),
        ([track("a", year="0000")], []),  # Spotify's placeholder for an unknown date
    ],
)
def test_release_decades(tracks: list[Track], expected: list[tuple[int, int]]) -> None:
    assert wrapped.release_decades(tracks) == expected


def test_release_decades_without_album() -> None:
    bare = Track("x", (), 1000)
    assert wrapped.release_decades([bare]) == []


@pytest.mark.parametrize(
    ("decades", "expected"),
    [
        ([], None),
        ([(2010, 3), (2000, 1)], "Mostly the 2010s (75% of your top tracks)."),
        (
            [(1990, 2), (2010, 2)],
            "Mostly the 2010s (50% of your top tracks).",
        ),  # a tie goes to the recent one
        (
            [(1980, 1), (1990, 1), (2000, 2)],
            "Mostly the 2000s (50% of your top tracks).",
        ),
        (
            [(1980, 2), (1990, 1), (2000, 2), (2010, 1)],
            "All over the map: the 2000s lead with 33% of your top tracks.",
        ),
    ],
)
def test_era_sentence(decades: list[tuple[int, int]], expected: str | None) -> None:
    assert wrapped.era_sentence(decades) == expected


@pytest.mark.parametrize(
    ("recent", "year", "expected"),
    [
        ([], [artist("A")], []),
        ([artist("A"), artist("B"), artist("C")], [artist("B")], ["A", "C"]),
        ([artist("A")], [], ["A"]),
        # matched by id, not by how the name is spelled today
        ([artist("Renamed", id="x1")], [artist("Old Name", id="x1")], []),
        # without ids, names match case-insensitively
        ([artist("Mira", id="")], [artist("MIRA", id="")], []),
    ],
)
def test_rising_artists(recent: list[Artist], year: list[Artist], expected: list[str]) -> None:
    assert [a.name for a in wrapped.rising_artists(recent, year)] == expected


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        ((), []),
        (([], [], []), []),
        (([artist("A"), artist("B")], [artist("B"), artist("A")], [artist("A")]), ["A"]),
        # ordered by the sum of ranks; a tie by name
        (
            (
                [artist("A"), artist("B"), artist("C")],
                [artist("C"), artist("B"), artist("A")],
                [artist("B"), artist("A"), artist("C")],
            ),
            ["B", "A", "C"],
        ),
    ],
)
def test_loyal_artists(ranges: tuple[list[Artist], ...], expected: list[str]) -> None:
    assert [a.name for a in wrapped.loyal_artists(*ranges)] == expected


def test_listening_clock_in_a_time_zone() -> None:
    plays = [play(track("a"), 0), play(track("b"), 30), play(track("c"), 13 * 60)]  # 12:00, 11:30, 23:00 UTC
    utc = wrapped.listening_clock(plays, UTC)
    assert utc[12] == 1 and utc[11] == 1 and utc[23] == 1 and sum(utc) == 3
    tokyo = wrapped.listening_clock(plays, timezone(timedelta(hours=9)))  # the 23:00 play is 08:00 next day
    assert tokyo[21] == 1 and tokyo[20] == 1 and tokyo[8] == 1
    assert wrapped.listening_clock([], UTC) == [0] * 24


def test_on_repeat() -> None:
    a, b, c = track("a"), track("b"), track("c")
    plays = [play(a, 1), play(b, 2), play(a, 3), play(b, 4), play(c, 5), play(a, 6)]
    assert [(t.name, n) for t, n in wrapped.on_repeat(plays)] == [("a", 3), ("b", 2)]
    # a tie goes to the track played most recently
    tie = [play(b, 1), play(a, 2), play(b, 3), play(a, 4)]
    assert [t.name for t, _ in wrapped.on_repeat(tie)] == ["b", "a"]
    assert wrapped.on_repeat([]) == []
    assert wrapped.on_repeat([play(a, 1)]) == []


def test_on_repeat_local_tracks_without_uri_or_id() -> None:
    local = Track("Demo", (ArtistRef("Me"),), 1000)
    assert [(t.name, n) for t, n in wrapped.on_repeat([play(local, 1), play(local, 2)])] == [("Demo", 2)]


def test_figures() -> None:
    tracks = [
        track("a", "X", explicit=True, ms=100_000),
        track("b", "X", "Y", ms=200_000),
        track("c", "Z", ms=300_001),
    ]
    figures = wrapped.figures(tracks)
    assert figures.distinct_artists == 3
    assert figures.explicit_share == pytest.approx(1 / 3)
    assert figures.average_length_ms == 200_000
    assert wrapped.figures([]) == wrapped.Figures(0, None, None)


def test_compute_puts_it_together() -> None:
    r = TimeRange.parse("medium")
    inputs = wrapped.WrappedInputs(
        user=UserProfile("u1", "User One"),
        time_range=r,
        top_artists={
            "short": [artist("New"), artist("Old")],
            "medium": [artist("Old"), *(artist(f"M{n}") for n in range(6))],
            "long": [artist("Old")],
        },
        top_tracks={"medium": [track(f"t{n}", "Old", year="2012") for n in range(12)]},
        recent=[play(track("t1", "Old"), 5), play(track("t1", "Old"), 10)],
    )
    report = wrapped.compute(inputs, zone=UTC)
    assert [a.name for a in report.top_artists] == ["Old", "M0", "M1", "M2", "M3"]
    assert len(report.top_tracks) == 10
    assert [a.name for a in report.rising] == ["New"]
    assert [a.name for a in report.loyal] == ["Old"]
    assert report.era == "Mostly the 2010s (100% of your top tracks)."
    assert report.genres == [] and "no genres" in report.notes[0]
    assert report.on_repeat[0][1] == 2 and sum(report.clock) == 2


def test_compute_with_nothing_at_all() -> None:
    inputs = wrapped.WrappedInputs(UserProfile("u", None), TimeRange.parse("short"), {}, {}, [])
    report = wrapped.compute(inputs)
    assert report.top_artists == [] and report.era is None and report.notes == []
    assert report.figures.explicit_share is None
