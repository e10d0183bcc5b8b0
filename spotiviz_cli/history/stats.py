"""Wrapped-style figures for any period of the history: pure functions over (ended_at, ms, artist, track, skipped).

Times are bucketed in the local time zone (TZ honoured, DST included) through `to_local`, which turns
Unix seconds into a naive local datetime; tests pass their own zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PLAY_MS = 30_000  # a play counts from 30 s, as in Spotify's own stats
TOP = 10

HistoryRow = tuple[int, int, str, str, "int | None"]  # ended_at (Unix ms), ms_played, artist, track, skipped
ToLocal = Callable[[float], datetime]


@dataclass(frozen=True)
class Period:
    """[start, end) in local time; `label` for people."""

    start: datetime  # naive local
    end: datetime
    label: str

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()


def year_period(year: int) -> Period:
    return Period(datetime(year, 1, 1), datetime(year + 1, 1, 1), str(year))


def dates_period(since: date | None, until: date | None, *, first: date, last: date) -> Period:
    """--since/--until, both inclusive days; a missing end stretches to the history's first or last day."""
    start = since or first
    end = until or last
    return Period(
        datetime.combine(start, datetime.min.time()),
        datetime.combine(end + timedelta(days=1), datetime.min.time()),
        f"{start.isoformat()} to {end.isoformat()}",
    )


def to_epoch_ms(moment: datetime) -> int:
    """A naive local datetime -> Unix ms (mktime: TZ and DST honoured)."""
    return int(moment.timestamp() * 1000)


def local_date(ms: int) -> date:
    """Unix ms -> the local calendar day it falls on (TZ and DST honoured)."""
    return datetime.fromtimestamp(ms / 1000).date()


@dataclass(frozen=True)
class ArtistFigure:
    name: str
    minutes: float
    plays: int


@dataclass(frozen=True)
class TrackFigure:
    name: str
    artist: str
    minutes: float
    plays: int


@dataclass(frozen=True)
class HistoryStats:
    period: Period
    minutes: float
    plays: int
    distinct_tracks: int
    distinct_artists: int
    days_listened: int
    longest_streak_days: int
    top_artists: list[ArtistFigure]
    top_tracks: list[TrackFigure]
    by_month: dict[str, float]
    by_hour: list[float]
    by_weekday: list[float]  # Monday first
    skip_rate: float | None


def _months(start: date, last: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def longest_streak(days: Iterable[date]) -> int:
    return _longest_run(sorted({day.toordinal() for day in days}))


def _longest_run(ordinals: list[int]) -> int:
    best = run = 0
    previous = None
    for day in ordinals:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        best = max(best, run)
        previous = day
    return best


def compute(
    rows: Iterable[HistoryRow], period: Period, to_local: ToLocal = datetime.fromtimestamp
) -> HistoryStats:
    """One pass over the rows (a heavy year is ~20,000 of them; a lifetime a million)."""
    total_ms = plays = skipped = recorded_skips = 0
    tracks: set[tuple[str, str]] = set()
    artists: set[str] = set()
    days: set[int] = set()  # local dates as ordinals
    artist_ms: dict[str, int] = {}
    artist_plays: dict[str, int] = {}
    track_ms: dict[tuple[str, str], int] = {}
    track_plays: dict[tuple[str, str], int] = {}
    month_ms: dict[tuple[int, int], int] = {}
    hour_ms = [0] * 24
    weekday_ms = [0] * 7
    for ended_at, ms, artist, track, skip in rows:
        local = to_local(ended_at / 1000)
        total_ms += ms
        month = (local.year, local.month)
        month_ms[month] = month_ms.get(month, 0) + ms
        hour_ms[local.hour] += ms
        weekday_ms[local.weekday()] += ms
        if skip is not None:
            recorded_skips += 1
            skipped += skip
        if artist:
            artist_ms[artist] = artist_ms.get(artist, 0) + ms
        if track:
            key = (track, artist)
            track_ms[key] = track_ms.get(key, 0) + ms
        if ms >= PLAY_MS:
            plays += 1
            days.add(local.toordinal())
            if artist:
                artists.add(artist)
                artist_plays[artist] = artist_plays.get(artist, 0) + 1
            if track:
                key = (track, artist)
                tracks.add(key)
                track_plays[key] = track_plays.get(key, 0) + 1
    by_month = dict.fromkeys(_months(period.start.date(), period.last_day), 0.0)
    for (year, number), month_total in sorted(month_ms.items()):
        by_month[f"{year:04d}-{number:02d}"] = month_total / 60000
    top_artists = sorted(artist_ms.items(), key=lambda kv: (-kv[1], -artist_plays.get(kv[0], 0), kv[0]))[:TOP]
    top_tracks = sorted(track_ms.items(), key=lambda kv: (-kv[1], -track_plays.get(kv[0], 0), kv[0]))[:TOP]
    return HistoryStats(
        period=period,
        minutes=total_ms / 60000,
        plays=plays,
        distinct_tracks=len(tracks),
        distinct_artists=len(artists),
        days_listened=len(days),
        longest_streak_days=_longest_run(sorted(days)),
        top_artists=[ArtistFigure(name, ms / 60000, artist_plays.get(name, 0)) for name, ms in top_artists],
        top_tracks=[
            TrackFigure(track, artist, ms / 60000, track_plays.get((track, artist), 0))
            for (track, artist), ms in top_tracks
        ],
        by_month=by_month,
        by_hour=[ms / 60000 for ms in hour_ms],
        by_weekday=[ms / 60000 for ms in weekday_ms],
        skip_rate=skipped / recorded_skips if recorded_skips else None,
    )


def stats_json(stats: HistoryStats) -> dict[str, object]:
    """The figures with their stable names (README); not rounded."""
    return {
        "period": {
            "label": stats.period.label,
            "since": stats.period.start.date().isoformat(),
            "until": stats.period.last_day.isoformat(),
        },
        "minutes": stats.minutes,
        "plays": stats.plays,
        "distinct_tracks": stats.distinct_tracks,
        "distinct_artists": stats.distinct_artists,
        "days_listened": stats.days_listened,
        "longest_streak_days": stats.longest_streak_days,
        "top_artists": [{"name": a.name, "minutes": a.minutes, "plays": a.plays} for a in stats.top_artists],
        "top_tracks": [
            {"name": t.name, "artist": t.artist, "minutes": t.minutes, "plays": t.plays}
            for t in stats.top_tracks
        ],
        "by_month": dict(stats.by_month),
        "by_hour": list(stats.by_hour),
        "by_weekday": list(stats.by_weekday),
        "skip_rate": stats.skip_rate,
    }
