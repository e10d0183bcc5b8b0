"""Wrapped-style figures for any period of the history: pure functions over (ended_at, ms, artist, track, skipped).

Times are bucketed in the local time zone (TZ honoured, DST included) through `to_local`, which turns
Unix seconds into a naive local datetime; tests pass their own zone.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from spotiviz_cli.dates import add_months

PLAY_MS = 30_000  # a play counts from 30 s, as in Spotify's own stats
TOP = 10

# ended_at (Unix ms), ms_played, artist, track, skipped, album: a music record, in time order
HistoryRow = tuple[int, int, str, str, "int | None", "str | None"]
EpisodeRow = tuple[int, int, str, str]  # ended_at, ms_played, show, episode
QUARTER_HOUR_MS = 15 * 60_000
SESSION_GAP_MS = 10 * 60_000  # a record starting more than this after the last one ended starts a session
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


def month_period(year: int, month: int) -> Period:
    start = datetime(year, month, 1)
    return Period(start, add_months(start, 1), f"{year:04d}-{month:02d}")


LAST_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def last_period(count: int, unit: str, today: date) -> Period:
    """--last 30d|12w|6m|1y: that many days, weeks, months or years, ending with today (inclusive)."""
    end = datetime.combine(today + timedelta(days=1), datetime.min.time())
    if unit == "d":
        start = end - timedelta(days=count)
    elif unit == "w":
        start = end - timedelta(weeks=count)
    else:
        start = add_months(end, -count * (12 if unit == "y" else 1))
    label = f"the last {count} {LAST_UNITS[unit]}" if count != 1 else f"the last {LAST_UNITS[unit][:-1]}"
    return Period(start, end, label)


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
    previous_rank: int | None = None  # by minutes in the previous period, among all played then


@dataclass(frozen=True)
class TrackFigure:
    name: str
    artist: str
    minutes: float
    plays: int
    previous_rank: int | None = None  # by minutes in the previous period, among all played then


AlbumFigure = TrackFigure  # an album is figured as a track is: its name, its artist, minutes and plays


@dataclass(frozen=True)
class Session:
    start: datetime  # naive local: the first record's start (end minus ms played)
    end: datetime  # the last record's end
    minutes: float  # listened, not the wall-clock span
    plays: int


@dataclass(frozen=True)
class ShowFigure:
    name: str
    minutes: float
    episodes: int


@dataclass(frozen=True)
class Podcasts:
    minutes: float
    episodes: int  # distinct episodes
    top_shows: list[ShowFigure]


@dataclass(frozen=True)
class Firsts:
    """What was new in a period, from the whole history: the artists whose first play (of PLAY_MS or more)
    falls in it, with that play's end (Unix ms), and how many tracks had their first play in it."""

    artists: dict[str, int] = field(default_factory=dict)
    tracks: int = 0


@dataclass(frozen=True)
class Discovery:
    name: str
    minutes: float  # in the period
    first_played: datetime  # naive local


@dataclass(frozen=True)
class Summary:
    """The headline figures of a period, for "this period against the last"."""

    label: str
    minutes: float
    plays: int
    distinct_tracks: int
    distinct_artists: int
    days_listened: int


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
    top_albums: list[AlbumFigure] = field(default_factory=list)
    by_day: dict[str, float] = field(default_factory=dict)  # "YYYY-MM-DD" -> minutes, days with music
    punchcard: list[list[float]] = field(default_factory=list)  # 7 x 24 minutes, Monday first
    session_count: int = 0
    session_average_minutes: float = 0.0
    longest_session: Session | None = None
    top_artist_share: float | None = None
    top10_artists_share: float | None = None
    biggest_day: tuple[str, float] | None = None
    podcasts: Podcasts = field(default_factory=lambda: Podcasts(0.0, 0, []))
    previous: Summary | None = None
    new_artists: int = 0
    new_tracks: int = 0
    discoveries: list[Discovery] = field(default_factory=list)  # the new artists with the most minutes

    def against(
        self, before: Period, rows: Iterable[HistoryRow], to_local: ToLocal = datetime.fromtimestamp
    ) -> HistoryStats:
        """These figures with those of the period `before` (its music `rows`)."""
        return self.against_parts(before, parts_of(rows, to_local))

    def against_parts(self, before: Period, parts: Parts) -> HistoryStats:
        """These figures with the headline figures of the period `before`, and each top entry's rank then
        among everything played then."""
        summary, (artist_rank, track_rank, album_rank) = summary_and_ranks(
            before,
            parts,
            ([a.name for a in self.top_artists], [(t.name, t.artist) for t in self.top_tracks],
             [(a.name, a.artist) for a in self.top_albums]),
        )  # fmt: skip
        return replace(
            self,
            previous=summary,
            top_artists=[replace(a, previous_rank=artist_rank.get(a.name)) for a in self.top_artists],
            top_tracks=[
                replace(t, previous_rank=track_rank.get((t.name, t.artist))) for t in self.top_tracks
            ],
            top_albums=[
                replace(a, previous_rank=album_rank.get((a.name, a.artist))) for a in self.top_albums
            ],
        )


def months_between(start: date, last: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def longest_streak(days: Iterable[date]) -> int:
    return longest_run_of(sorted({day.toordinal() for day in days}))


def longest_run_of(ordinals: list[int]) -> int:
    best = run = 0
    previous = None
    for day in ordinals:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        best = max(best, run)
        previous = day
    return best


Song = tuple[str, str, str]  # artist, track, album ("" for none): the finest grain of the top lists


@dataclass
class Parts:
    """What every figure of a period is made of: sums by song, by local day and by weekday and hour, and
    the sessions.

    One pass over the records makes them (`parts_of`); the history's summary tables hold the same sums
    (`history.summary`), so both ways give the same figures through `figures`."""

    songs: list[tuple[str, str, str, int, int]] = field(default_factory=list)  # artist, track, album
    # ("" for none), ms, plays: one row per song
    days: dict[int, list[int]] = field(default_factory=dict)  # local date ordinal ->
    # [ms, plays, skipped, records that say whether they were skipped]
    punch: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])  # ms, Monday first
    session_count: int = 0
    session_ms: int = 0
    longest: tuple[int, int, int, int] | None = None  # start, end (Unix ms), ms, plays


def parts_of(rows: Iterable[HistoryRow], to_local: ToLocal = datetime.fromtimestamp) -> Parts:
    """One pass over music rows in time order (a heavy year is ~50,000 of them)."""
    songs: dict[Song, list[int]] = {}
    days: dict[int, list[int]] = {}
    punch = [[0] * 24 for _ in range(7)]
    pairs: list[tuple[int, int]] = []
    pair = pairs.append
    quarters: dict[int, tuple[list[int], list[int], int]] = {}  # quarter hour -> its day, weekday, hour
    for ended_at, ms, artist, track, skip, album in rows:
        # the local calendar of a quarter hour, worked out once: every time zone's offset is a multiple
        # of 15 minutes, so all of a quarter hour falls in the same local hour
        quarter = ended_at // QUARTER_HOUR_MS
        found = quarters.get(quarter)
        if found is None:
            local = to_local(quarter * QUARTER_HOUR_MS / 1000)
            day = days.setdefault(local.toordinal(), [0, 0, 0, 0])
            found = quarters[quarter] = (day, punch[local.weekday()], local.hour)
        sums, weekday, hour = found
        played = ms >= PLAY_MS
        sums[0] += ms
        sums[1] += played
        if skip is not None:
            sums[2] += skip
            sums[3] += 1
        weekday[hour] += ms
        song = songs.get((artist, track, album or ""))
        if song is None:
            song = songs[(artist, track, album or "")] = [0, 0]
        song[0] += ms
        song[1] += played
        pair((ended_at, ms))
    sessions = list(sessions_of(pairs))
    by_song = [(artist, track, album, ms, plays) for (artist, track, album), (ms, plays) in songs.items()]
    return Parts(by_song, days, punch, len(sessions), sum(s[3] for s in sessions), longest_of(sessions))


def compute(
    rows: Iterable[HistoryRow],
    period: Period,
    to_local: ToLocal = datetime.fromtimestamp,
    episodes: Iterable[EpisodeRow] = (),
    firsts: Firsts | None = None,
) -> HistoryStats:
    """The figures of a period from its music rows in time order, and its podcast episodes.
    `firsts`: what had its first play in the period."""
    return figures(parts_of(rows, to_local), period, to_local, episodes, firsts)


def _by_name(songs: Iterable[tuple[str, str, str, int, int]]) -> tuple[dict[Any, list[int]], ...]:
    """Artists, tracks (name, artist) and albums (name, artist) -> [ms, plays], from the songs."""
    artists: dict[Any, list[int]] = {}
    tracks: dict[Any, list[int]] = {}
    albums: dict[Any, list[int]] = {}
    for artist, track, album, ms, plays in songs:  # written out: a lifetime has ~100,000 songs
        if artist:
            entry = artists.get(artist)
            if entry is None:
                artists[artist] = [ms, plays]
            else:
                entry[0] += ms
                entry[1] += plays
        if track:
            entry = tracks.get((track, artist))
            if entry is None:
                tracks[(track, artist)] = [ms, plays]
            else:
                entry[0] += ms
                entry[1] += plays
        if album:
            entry = albums.get((album, artist))
            if entry is None:
                albums[(album, artist)] = [ms, plays]
            else:
                entry[0] += ms
                entry[1] += plays
    return artists, tracks, albums


def figures(
    parts: Parts,
    period: Period,
    to_local: ToLocal = datetime.fromtimestamp,
    episodes: Iterable[EpisodeRow] = (),
    firsts: Firsts | None = None,
) -> HistoryStats:
    total_ms = plays = skipped = recorded_skips = 0
    day_ms: dict[int, int] = {}
    days: set[int] = set()  # local dates (as ordinals) with a play
    month_ms: dict[tuple[int, int], int] = {}
    punch = parts.punch
    for ordinal, (ms, count, skips, recorded) in parts.days.items():
        total_ms += ms
        plays += count
        skipped += skips
        recorded_skips += recorded
        day_ms[ordinal] = ms
        if count:
            days.add(ordinal)
        day = date.fromordinal(ordinal)
        month_ms[(day.year, day.month)] = month_ms.get((day.year, day.month), 0) + ms
    artists, tracks, albums = _by_name(parts.songs)
    by_month = dict.fromkeys(months_between(period.start.date(), period.last_day), 0.0)
    for (year, number), month_total in sorted(month_ms.items()):
        by_month[f"{year:04d}-{number:02d}"] = month_total / 60000
    top_artists = _top(artists)
    top_tracks = _top(tracks)
    top_albums = _top(albums)
    by_day = {date.fromordinal(d).isoformat(): t / 60000 for d, t in sorted(day_ms.items()) if t > 0}
    biggest = max(by_day.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    longest = parts.longest
    return HistoryStats(
        period=period,
        minutes=total_ms / 60000,
        plays=plays,
        distinct_tracks=sum(1 for _, count in tracks.values() if count),
        distinct_artists=sum(1 for _, count in artists.values() if count),
        days_listened=len(days),
        longest_streak_days=longest_run_of(sorted(days)),
        top_artists=[ArtistFigure(name, ms / 60000, count) for name, (ms, count) in top_artists],
        top_tracks=[
            TrackFigure(track, artist, ms / 60000, count) for (track, artist), (ms, count) in top_tracks
        ],
        by_month=by_month,
        by_hour=[sum(day[hour] for day in punch) / 60000 for hour in range(24)],
        by_weekday=[sum(day) / 60000 for day in punch],
        skip_rate=skipped / recorded_skips if recorded_skips else None,
        top_albums=[
            AlbumFigure(album, artist, ms / 60000, count) for (album, artist), (ms, count) in top_albums
        ],
        by_day=by_day,
        punchcard=[[ms / 60000 for ms in day] for day in punch],
        session_count=parts.session_count,
        session_average_minutes=parts.session_ms / parts.session_count / 60000
        if parts.session_count
        else 0.0,
        longest_session=None
        if longest is None
        else Session(
            to_local(longest[0] / 1000), to_local(longest[1] / 1000), longest[2] / 60000, longest[3]
        ),
        top_artist_share=top_artists[0][1][0] / total_ms if top_artists and total_ms else None,
        top10_artists_share=sum(ms for _, (ms, _) in top_artists) / total_ms if total_ms else None,
        biggest_day=biggest,
        podcasts=_podcasts(episodes),
        new_artists=len(firsts.artists) if firsts else 0,
        new_tracks=firsts.tracks if firsts else 0,
        discoveries=_discoveries(firsts.artists, artists, to_local) if firsts else [],
    )


DISCOVERIES = 5


def _discoveries(first: dict[str, int], artists: dict[str, list[int]], to_local: ToLocal) -> list[Discovery]:
    """The new artists of the period with the most minutes in it (then the earliest found, then name)."""

    def ms_of(name: str) -> int:
        return artists[name][0] if name in artists else 0

    best = heapq.nsmallest(DISCOVERIES, first.items(), key=lambda kv: (-ms_of(kv[0]), kv[1], kv[0]))
    return [Discovery(name, ms_of(name) / 60000, to_local(ms / 1000)) for name, ms in best]


def summary_and_ranks(
    period: Period, parts: Parts, wanted: tuple[list[Any], list[Any], list[Any]]
) -> tuple[Summary, tuple[dict[Any, int], dict[Any, int], dict[Any, int]]]:
    """The headline figures of a period, and the rank by minutes (then plays, then name) in it of each
    `wanted` artist, track and album that was played then."""
    artists, tracks, albums = _by_name(parts.songs)
    total_ms = sum(sums[0] for sums in parts.days.values())
    plays = sum(sums[1] for sums in parts.days.values())
    days = {ordinal for ordinal, sums in parts.days.items() if sums[1]}
    summary = Summary(
        period.label,
        total_ms / 60000,
        plays,
        sum(1 for _, count in tracks.values() if count),
        sum(1 for _, count in artists.values() if count),
        len(days),
    )

    return summary, (ranks_of(artists, wanted[0]), ranks_of(tracks, wanted[1]), ranks_of(albums, wanted[2]))


def ranks_of(tally: dict[Any, list[int]], wanted: Iterable[Any]) -> dict[Any, int]:
    """The rank in `tally` (by ms, then plays, then key: no shared ranks) of each wanted key in it: the
    entries ahead of it counted, without sorting them all (a lifetime holds ~100,000 tracks)."""
    scores = {key: tally[key][0] << 32 | tally[key][1] for key in wanted if key in tally}  # plays < 2**32
    if not scores:
        return {}
    ordered = sorted([ms << 32 | plays for ms, plays in tally.values()])
    ties: dict[int, list[Any]] = {score: [] for score in scores.values()}
    for key, (ms, plays) in tally.items():
        tied = ties.get(ms << 32 | plays)
        if tied is not None:
            tied.append(key)
    return {
        key: len(ordered) - bisect_right(ordered, score) + sum(other < key for other in ties[score]) + 1
        for key, score in scores.items()
    }


def _top(tally: dict[Any, list[int]]) -> list[tuple[Any, list[int]]]:
    """The TOP keys by minutes, then plays, then name: ties always in the same order. Only the entries
    with at least the TOP-th most minutes can be among them: the rest are not compared."""
    least = min(heapq.nlargest(TOP, [ms for ms, _ in tally.values()]), default=0)
    best = heapq.nsmallest(TOP, [(-ms, -plays, key) for key, (ms, plays) in tally.items() if ms >= least])
    return [(key, tally[key]) for _, _, key in best]


SessionRow = tuple[int, int, int, int, int]  # first record's end, end, start (Unix ms), ms, plays


def sessions_of(records: Iterable[tuple[int, int]]) -> Iterator[SessionRow]:
    """The sessions of (ended_at, ms) music records in time order (of two ending together, the longer
    first), one by one: runs where each record starts (end minus ms) at most SESSION_GAP_MS after the
    previous one ended. A session starts when its first record started."""
    gap, play_ms = SESSION_GAP_MS, PLAY_MS
    first = end = start = total = plays = -1
    for ended_at, ms in records:
        if first >= 0 and ended_at - ms - end <= gap:
            if ended_at > end:
                end = ended_at
            total += ms
            plays += ms >= play_ms
        else:
            if first >= 0:
                yield (first, end, start, total, plays)
            first = end = ended_at
            start, total, plays = ended_at - ms, ms, int(ms >= play_ms)
    if first >= 0:
        yield (first, end, start, total, plays)


def longest_of(sessions: Iterable[SessionRow]) -> tuple[int, int, int, int] | None:
    """(start, end, ms, plays) of the session with the most ms, the earliest of a tie."""
    best: SessionRow | None = None
    for session in sessions:
        if best is None or session[3] > best[3] or (session[3] == best[3] and session[0] < best[0]):
            best = session
    return None if best is None else (best[2], best[1], best[3], best[4])


def _podcasts(episodes: Iterable[EpisodeRow]) -> Podcasts:
    total = 0
    seen: set[tuple[str, str]] = set()
    show_ms: dict[str, int] = {}
    show_episodes: dict[str, set[str]] = {}
    for _ended_at, ms, show, episode in episodes:
        total += ms
        seen.add((show, episode))
        show_ms[show] = show_ms.get(show, 0) + ms
        show_episodes.setdefault(show, set()).add(episode)
    top = sorted(show_ms.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return Podcasts(
        total / 60000, len(seen), [ShowFigure(name, ms / 60000, len(show_episodes[name])) for name, ms in top]
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
        "top_artists": [
            {"name": a.name, "minutes": a.minutes, "plays": a.plays, "previous_rank": a.previous_rank}
            for a in stats.top_artists
        ],
        "top_tracks": [
            {
                "name": t.name,
                "artist": t.artist,
                "minutes": t.minutes,
                "plays": t.plays,
                "previous_rank": t.previous_rank,
            }
            for t in stats.top_tracks
        ],
        "by_month": dict(stats.by_month),
        "by_hour": list(stats.by_hour),
        "by_weekday": list(stats.by_weekday),
        "skip_rate": stats.skip_rate,
        "top_albums": [
            {
                "name": a.name,
                "artist": a.artist,
                "minutes": a.minutes,
                "plays": a.plays,
                "previous_rank": a.previous_rank,
            }
            for a in stats.top_albums
        ],
        "previous": None
        if stats.previous is None
        else {
            "label": stats.previous.label,
            "minutes": stats.previous.minutes,
            "plays": stats.previous.plays,
            "distinct_tracks": stats.previous.distinct_tracks,
            "distinct_artists": stats.previous.distinct_artists,
            "days_listened": stats.previous.days_listened,
        },
        "by_day": dict(stats.by_day),
        "punchcard": [list(day) for day in stats.punchcard],
        "sessions": {
            "count": stats.session_count,
            "average_minutes": stats.session_average_minutes,
            "longest": _session_json(stats.longest_session),
        },
        "top_artist_share": stats.top_artist_share,
        "top10_artists_share": stats.top10_artists_share,
        "biggest_day": None
        if stats.biggest_day is None
        else {"date": stats.biggest_day[0], "minutes": stats.biggest_day[1]},
        "new_artists": stats.new_artists,
        "new_tracks": stats.new_tracks,
        "discoveries": _discoveries_json(stats.discoveries),
        "podcasts": {
            "minutes": stats.podcasts.minutes,
            "episodes": stats.podcasts.episodes,
            "top_shows": [
                {"name": s.name, "minutes": s.minutes, "episodes": s.episodes}
                for s in stats.podcasts.top_shows
            ],
        },
    }


def _session_json(session: Session | None) -> dict[str, object] | None:
    if session is None:
        return None
    return {
        "start": session.start.isoformat(timespec="seconds"),
        "end": session.end.isoformat(timespec="seconds"),
        "minutes": session.minutes,
        "plays": session.plays,
    }


def _discoveries_json(discoveries: list[Discovery]) -> list[dict[str, object]]:
    return [
        {"name": d.name, "minutes": d.minutes, "first_played": d.first_played.isoformat(timespec="seconds")}
        for d in discoveries
    ]


def best_month(stats: HistoryStats) -> tuple[str, float] | None:
    """The month with the most minutes (the earlier of a tie), or None without minutes."""
    found = min(stats.by_month.items(), key=lambda kv: (-kv[1], kv[0]), default=None)
    return found if found is not None and found[1] > 0 else None


def wrapped_year_json(stats: HistoryStats, year: int) -> dict[str, object]:
    """`wrapped --year --json`: the Wrapped of a year, with its stable names (README)."""
    previous = stats.previous.minutes if stats.previous is not None else None
    top = stats.top_artists[0] if stats.top_artists else None
    month = best_month(stats)
    show = stats.podcasts.top_shows[0] if stats.podcasts.top_shows else None
    album = stats.top_albums[0] if stats.top_albums else None
    return {
        "year": year,
        "minutes": stats.minutes,
        "previous_minutes": previous,
        "minutes_change": (stats.minutes - previous) / previous if previous else None,
        "plays": stats.plays,
        "top_artist": None
        if top is None
        else {"name": top.name, "minutes": top.minutes, "plays": top.plays, "share": stats.top_artist_share},
        "top_artists": [
            {"rank": rank, "name": a.name, "minutes": a.minutes, "plays": a.plays}
            for rank, a in enumerate(stats.top_artists[:5], 1)
        ],
        "top_tracks": [
            {"rank": rank, "name": t.name, "artist": t.artist, "minutes": t.minutes, "plays": t.plays}
            for rank, t in enumerate(stats.top_tracks[:5], 1)
        ],
        "top_album": None
        if album is None
        else {"name": album.name, "artist": album.artist, "minutes": album.minutes, "plays": album.plays},
        "top_podcast": None
        if show is None
        else {"name": show.name, "minutes": show.minutes, "episodes": show.episodes},
        "new_artists": stats.new_artists,
        "discoveries": _discoveries_json(stats.discoveries),
        "longest_streak_days": stats.longest_streak_days,
        "biggest_day": None
        if stats.biggest_day is None
        else {"date": stats.biggest_day[0], "minutes": stats.biggest_day[1]},
        "longest_session": _session_json(stats.longest_session),
        "best_month": None if month is None else {"month": month[0], "minutes": month[1]},
        "punchcard": [list(day) for day in stats.punchcard],
    }
