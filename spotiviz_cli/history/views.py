"""The history views beyond `history stats`: rankings, one artist/track/album, forgotten favourites, on
this day. Pure functions over what the query layer (`store`) returns; nothing here reads a file.

A "tally" is one row per artist (track, album, show) of a period: (name, artist, ms, plays), where
`artist` is "" for artists and shows and `plays` counts records of PLAY_MS or more.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from spotiviz_cli.history.stats import PLAY_MS, Period, ToLocal, longest_run_of, months_between

WHATS = ("artists", "tracks", "albums", "shows")  # what `history top` ranks
WITH_ARTIST = ("tracks", "albums")
Tally = tuple[str, str, int, int]  # name, artist ("" for artists and shows), ms, plays
ItemRow = tuple[int, int, str]  # ended_at (Unix ms), ms played, track (the episode for shows)


@dataclass(frozen=True)
class Entry:
    rank: int
    name: str
    artist: str  # "" for artists and shows
    minutes: float
    plays: int
    previous_rank: int | None = None


def ranking(tally: Iterable[Tally], by: str = "minutes") -> list[Entry]:
    """Every entry ranked by minutes (or plays), then the other figure, then name and artist: ties always
    fall the same way. Ranks are 1, 2, 3, ... with no shared ranks."""
    if by == "plays":
        ordered = sorted(tally, key=lambda t: (-t[3], -t[2], t[0], t[1]))
    else:
        ordered = sorted(tally, key=lambda t: (-t[2], -t[3], t[0], t[1]))
    return [
        Entry(rank, name, artist, ms / 60000, plays)
        for rank, (name, artist, ms, plays) in enumerate(ordered, 1)
    ]


def top(
    tally: Iterable[Tally], *, by: str = "minutes", limit: int = 10, previous: Iterable[Tally] | None = None
) -> list[Entry]:
    """The first `limit` of `ranking`, each with its rank by the same figure in the previous period (among
    everything played then), or None where there is no previous period or it was not played then."""
    entries = ranking(tally, by)[:limit]
    if previous is None:
        return entries
    before = {(e.name, e.artist): e.rank for e in ranking(previous, by)}
    return [
        Entry(e.rank, e.name, e.artist, e.minutes, e.plays, before.get((e.name, e.artist))) for e in entries
    ]


@dataclass(frozen=True)
class ItemFigures:
    """One artist, track or album over a period."""

    what: str  # artist | track | album
    name: str
    artist: str  # "" for an artist
    minutes: float
    plays: int
    rank: int | None  # by minutes among every artist (track, album) of the period; None without minutes
    first_played: datetime | None  # naive local: the first play of PLAY_MS or more in the period
    last_played: datetime | None
    days_listened: int
    longest_streak_days: int
    top_tracks: list[tuple[str, float, int]]  # (name, minutes, plays), 10 at most; empty for a track
    by_month: dict[str, float]  # every month of the period


def item_figures(
    what: str,
    name: str,
    artist: str,
    rows: Iterable[ItemRow],
    period: Period,
    rank: int | None,
    to_local: ToLocal = datetime.fromtimestamp,
) -> ItemFigures:
    """The figures of one item from its records in the period (time order)."""
    total = plays = 0
    first = last = None
    days: set[int] = set()
    months: dict[str, float] = dict.fromkeys(months_between(period.start.date(), period.last_day), 0.0)
    tracks: dict[str, list[int]] = {}
    for ended_at, ms, track in rows:
        local = to_local(ended_at / 1000)
        total += ms
        month = f"{local.year:04d}-{local.month:02d}"
        months[month] = months.get(month, 0.0) + ms / 60000
        tally = tracks.setdefault(track, [0, 0])
        tally[0] += ms
        if ms >= PLAY_MS:
            plays += 1
            tally[1] += 1
            days.add(local.toordinal())
            first = first or local
            last = local
    top_tracks = (
        []
        if what == "track"
        else [
            (track, ms / 60000, count)
            for track, (ms, count) in sorted(tracks.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[
                :10
            ]
            if track
        ]
    )
    return ItemFigures(
        what=what,
        name=name,
        artist=artist,
        minutes=total / 60000,
        plays=plays,
        rank=rank if total else None,
        first_played=first,
        last_played=last,
        days_listened=len(days),
        longest_streak_days=longest_run_of(sorted(days)),
        top_tracks=top_tracks,
        by_month=months,
    )


def fold(text: str) -> str:
    return text.casefold().strip()


def matches(query: str, artist: str | None, names: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (name, artist) pairs whose name is `query` (and artist `artist`), case and spacing aside."""
    wanted, by = fold(query), fold(artist) if artist is not None else None
    return [pair for pair in names if fold(pair[0]) == wanted and (by is None or fold(pair[1]) == by)]


def closest(query: str, names: Sequence[tuple[str, str]], n: int = 5) -> list[tuple[str, str]]:
    """The names most like `query` (difflib's ratio over case-folded text), best first."""
    folded: dict[str, list[tuple[str, str]]] = {}
    for pair in names:
        folded.setdefault(fold(pair[0]), []).append(pair)
    found = difflib.get_close_matches(fold(query), list(folded), n=n, cutoff=0.5)
    return [pair for key in found for pair in folded[key]][:n]


@dataclass(frozen=True)
class Forgotten:
    rank: int
    name: str
    artist: str
    plays: int
    minutes: float
    last_played: datetime  # naive local


def forgotten(
    rows: Iterable[tuple[str, str, int, int, int]], to_local: ToLocal = datetime.fromtimestamp
) -> list[Forgotten]:
    """(track, artist, plays, ms, last play in Unix ms) rows, already chosen and ordered by the query."""
    return [
        Forgotten(rank, name, artist, plays, ms / 60000, to_local(last / 1000))
        for rank, (name, artist, plays, ms, last) in enumerate(rows, 1)
    ]


@dataclass(frozen=True)
class DayInYear:
    day: date
    minutes: float
    plays: int
    top_tracks: list[Entry]  # by minutes, 5 at most


def day_in_year(day: date, rows: Iterable[tuple[int, int, str, str, object, object]]) -> DayInYear:
    """The music of one day (stats.HistoryRow rows): minutes, plays and its 5 top tracks."""
    total = plays = 0
    tally: dict[tuple[str, str], list[int]] = {}
    for _ended_at, ms, artist, track, _skip, _album in rows:
        total += ms
        plays += ms >= PLAY_MS
        if track:
            entry = tally.setdefault((track, artist), [0, 0])
            entry[0] += ms
            entry[1] += ms >= PLAY_MS
    tracks = ranking([(name, artist, ms, count) for (name, artist), (ms, count) in tally.items()])[:5]
    return DayInYear(day, total / 60000, plays, tracks)


def same_day_in(year: int, day: date) -> date | None:
    """`day`'s month and day in `year`; None for 29 February in a year without one."""
    try:
        return day.replace(year=year)
    except ValueError:
        return None


# ---------------------------------------------------------------- JSON (names fixed, in the README)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def period_json(period: Period) -> dict[str, str]:
    return {
        "label": period.label,
        "since": period.start.date().isoformat(),
        "until": period.last_day.isoformat(),
    }


def entry_json(entry: Entry, what: str) -> dict[str, object]:
    data: dict[str, object] = {"rank": entry.rank, "previous_rank": entry.previous_rank, "name": entry.name}
    if what in WITH_ARTIST:
        data["artist"] = entry.artist
    data.update(minutes=entry.minutes, plays=entry.plays)
    return data


def item_json(item: ItemFigures, period: Period) -> dict[str, object]:
    data: dict[str, object] = {"period": period_json(period), "name": item.name}
    if item.what != "artist":
        data["artist"] = item.artist
    data.update(
        minutes=item.minutes,
        plays=item.plays,
        rank=item.rank,
        first_played=_iso(item.first_played),
        last_played=_iso(item.last_played),
        days_listened=item.days_listened,
        longest_streak_days=item.longest_streak_days,
    )
    if item.what != "track":
        data["top_tracks"] = [{"name": n, "minutes": m, "plays": p} for n, m, p in item.top_tracks]
    data["by_month"] = dict(item.by_month)
    return data


def forgotten_json(entry: Forgotten) -> dict[str, object]:
    return {
        "rank": entry.rank,
        "name": entry.name,
        "artist": entry.artist,
        "plays": entry.plays,
        "minutes": entry.minutes,
        "last_played": _iso(entry.last_played),
    }


def day_json(found: DayInYear) -> dict[str, object]:
    return {
        "year": found.day.year,
        "date": found.day.isoformat(),
        "minutes": found.minutes,
        "plays": found.plays,
        "top_tracks": [
            {"name": t.name, "artist": t.artist, "minutes": t.minutes, "plays": t.plays}
            for t in found.top_tracks
        ],
    }


def months_of(
    rows: Iterable[tuple[str, int, int]], names: Sequence[str], to_local: ToLocal = datetime.fromtimestamp
) -> dict[str, dict[str, float]]:
    """(artist, ended_at, ms) records -> each named artist's minutes by local month ("YYYY-MM"), months
    in order, the artists in the order of `names`; a month without a record is left out."""
    sums: dict[str, dict[str, int]] = {name: {} for name in names}
    for artist, ended_at, ms in rows:
        moment = to_local(ended_at / 1000)
        month = f"{moment.year:04d}-{moment.month:02d}"
        by_month = sums.setdefault(artist, {})
        by_month[month] = by_month.get(month, 0) + ms
    return {name: {m: ms / 60000 for m, ms in sorted(sums[name].items())} for name in names}
