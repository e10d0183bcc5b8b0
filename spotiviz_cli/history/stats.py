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
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def compute(
    rows: Iterable[HistoryRow], period: Period, to_local: ToLocal = datetime.fromtimestamp
) -> HistoryStats:
    total_ms = 0
    plays = 0
    skipped = recorded_skips = 0
    tracks: set[tuple[str, str]] = set()
    artists: set[str] = set()
    days: set[date] = set()
    artist_ms: dict[str, int] = {}
    artist_plays: dict[str, int] = {}
    track_ms: dict[tuple[str, str], int] = {}
    track_plays: dict[tuple[str, str], int] = {}
    by_month: dict[str, float] = dict.fromkeys(_months(period.start.date(), period.last_day), 0.0)
    by_hour = [0.0] * 24
    by_weekday = [0.0] * 7
    for ended_at, ms, artist, track, skip in rows:
        local = to_local(ended_at / 1000)
        minutes = ms / 60000
        total_ms += ms
        month = f"{local.year:04d}-{local.month:02d}"
        by_month[month] = by_month.get(month, 0.0) + minutes
        by_hour[local.hour] += minutes
        by_weekday[local.weekday()] += minutes
        if skip is not None:
            recorded_skips += 1
            skipped += bool(skip)
        if artist:
            artist_ms[artist] = artist_ms.get(artist, 0) + ms
        if track:
            key = (track, artist)
            track_ms[key] = track_ms.get(key, 0) + ms
        if ms >= PLAY_MS:
            plays += 1
            days.add(local.date())
            if artist:
                artists.add(artist)
                artist_plays[artist] = artist_plays.get(artist, 0) + 1
            if track:
                tracks.add((track, artist))
                track_plays[(track, artist)] = track_plays.get((track, artist), 0) + 1
    top_artists = sorted(artist_ms.items(), key=lambda kv: (-kv[1], -artist_plays.get(kv[0], 0), kv[0]))[:TOP]
    top_tracks = sorted(track_ms.items(), key=lambda kv: (-kv[1], -track_plays.get(kv[0], 0), kv[0]))[:TOP]
    return HistoryStats(
        period=period,
        minutes=total_ms / 60000,
        plays=plays,
        distinct_tracks=len(tracks),
        distinct_artists=len(artists),
        days_listened=len(days),
        longest_streak_days=longest_streak(days),
        top_artists=[ArtistFigure(name, ms / 60000, artist_plays.get(name, 0)) for name, ms in top_artists],
        top_tracks=[
            TrackFigure(track, artist, ms / 60000, track_plays.get((track, artist), 0))
            for (track, artist), ms in top_tracks
        ],
        by_month=by_month,
        by_hour=by_hour,
        by_weekday=by_weekday,
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
