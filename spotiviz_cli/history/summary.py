"""Summary tables: the sums every history view is made of, kept up to date by each write.

A million plays take seconds to read and sum, so the sums are kept as the records change, in the same
transaction, from exactly the records that start or stop counting (new ones, and those the merge of
sources flips):

- `song_totals`: all-time sums per (kind, artist, track, album): ms, plays (records of 30 s or more),
  records, and the first and last play of 30 s or more. Artists, tracks, albums and shows are sums of
  these rows, so all-time top lists, first plays and forgotten favourites read a few thousand rows.
- `local_days`: music sums per local calendar day (ms, plays, skips) with its ms by hour. Local time depends on
  the time zone, so `meta.local_tz` holds a fingerprint of the zone they were made in; under another zone
  they are rebuilt at the next write, and readers fall back to reading records until then.
- `song_years`: music sums per local calendar year and song number (`songs.id`): ms and plays. A
  period's whole years read their songs here (a year of a million-play history: ten thousand rows instead
  of fifty thousand records); only the days of a year at either end are summed from the records. A write
  sums the years it touched again.
- `sessions`: every listening session of the whole history (stats.sessions_of), recomputed around the
  times a write touched.

`check` rebuilds all of it from the records and compares: the tests hold the two ways equal.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import sqlite3
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spotiviz_cli.history import stats
from spotiviz_cli.history.merge import MUSIC

SCHEMA = """
CREATE TABLE song_totals (
    kind TEXT NOT NULL, artist TEXT NOT NULL, track TEXT NOT NULL, album TEXT NOT NULL,
    ms INTEGER NOT NULL, plays INTEGER NOT NULL, records INTEGER NOT NULL,
    first_played INTEGER, last_played INTEGER,  -- Unix ms of the first and last play of 30 s or more
    PRIMARY KEY (kind, artist, track, album)
) WITHOUT ROWID;
CREATE TABLE local_days (
    day INTEGER PRIMARY KEY,  -- local date (proleptic ordinal, as date.toordinal)
    ms INTEGER NOT NULL, plays INTEGER NOT NULL, skipped INTEGER NOT NULL, skip_known INTEGER NOT NULL,
    records INTEGER NOT NULL,
    -- ms by local hour: h0 .. h23
    h0 INTEGER NOT NULL, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, h3 INTEGER NOT NULL, h4 INTEGER NOT NULL, h5 INTEGER NOT NULL, h6 INTEGER NOT NULL, h7 INTEGER NOT NULL, h8 INTEGER NOT NULL, h9 INTEGER NOT NULL, h10 INTEGER NOT NULL, h11 INTEGER NOT NULL, h12 INTEGER NOT NULL, h13 INTEGER NOT NULL, h14 INTEGER NOT NULL, h15 INTEGER NOT NULL, h16 INTEGER NOT NULL, h17 INTEGER NOT NULL, h18 INTEGER NOT NULL, h19 INTEGER NOT NULL, h20 INTEGER NOT NULL, h21 INTEGER NOT NULL, h22 INTEGER NOT NULL, h23 INTEGER NOT NULL
);
CREATE TABLE songs (  -- every song's number, for records.song: a period groups its records by it
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, artist TEXT NOT NULL, track TEXT NOT NULL, album TEXT NOT NULL,
    UNIQUE (kind, artist, track, album)
);
CREATE TABLE sessions (
    first_end INTEGER PRIMARY KEY,  -- the end of its first record (Unix ms)
    last_end INTEGER NOT NULL, start INTEGER NOT NULL, ms INTEGER NOT NULL, plays INTEGER NOT NULL
);
"""

YEARS_SCHEMA = """
CREATE TABLE song_years (  -- music by local calendar year and song
    year INTEGER NOT NULL, song INTEGER NOT NULL,  -- songs.id
    ms INTEGER NOT NULL, plays INTEGER NOT NULL,
    PRIMARY KEY (year, song)
) WITHOUT ROWID;
"""

TABLES = ("song_totals", "song_years", "local_days", "sessions")  # the sums: made again by `rebuild`
ALL_SESSIONS = "all_sessions"  # meta key: count, ms and the first record's end of the longest session
LOCAL_TZ = "local_tz"  # meta key: the fingerprint of the zone local_days was made in
DAY_MS = 86_400_000
COUNTED = "merged = 0"
# a record of any source, as the summary needs it
FIELDS = "ended_at, kind, artist, track, album, ms_played, skipped"
Record = tuple[int, str, str, str, "str | None", int, "int | None"]


def _offsets() -> list[int]:
    """This process's UTC offsets (seconds) on the 1st and 15th of each month of 2006-2035."""
    offsets = []
    for year in range(2006, 2036):
        for month in range(1, 13):
            for day in (1, 15):
                moment = time.mktime((year, month, day, 12, 0, 0, 0, 0, -1))
                offsets.append(time.localtime(moment).tm_gmtoff)
    return offsets


def zone_fingerprint() -> str:
    """This process's local time zone, as the UTC offsets it gives on the 1st and 15th of each month of
    the years a history holds: a zone that gives the same local times hashes the same."""
    return hashlib.sha256(repr(_offsets()).encode()).hexdigest()[:16]


def zone_grain() -> int:
    """The ms of UTC that always fall in one local hour: an hour in zones whose offsets are whole hours
    (most), else a quarter hour (India, Nepal, parts of Australia)."""
    return HOUR_MS if all(offset % 3600 == 0 for offset in _offsets()) else stats.QUARTER_HOUR_MS


HOUR_MS = 3_600_000
FIRST_YEAR, LAST_YEAR = 2005, 2101  # the years `song_years` may hold (records are from 2006 to tomorrow)


def year_starts() -> list[int]:
    """Unix ms of 1 January, 00:00 local time, of FIRST_YEAR .. LAST_YEAR: a moment's year is
    FIRST_YEAR - 1 + bisect_right(starts, moment)."""
    return [stats.to_epoch_ms(datetime(year, 1, 1)) for year in range(FIRST_YEAR, LAST_YEAR + 1)]


@dataclass
class Delta:
    """What a write changes in the sums: records that start counting (+1) or stop (-1).

    `songs`: (kind, artist, track, album) -> [ms, plays, records, first play, last play] (the plays of
    records that start counting; None without one); `buckets`: music by UTC time // `grain` ->
    [ms, plays, skipped, skip_known, records]."""

    grain: int = field(default_factory=zone_grain)
    songs: dict[tuple[str, str, str, str], list[Any]] = field(default_factory=dict)
    dirty: set[tuple[str, str, str, str]] = field(default_factory=set)  # lost a play: first/last again
    buckets: dict[int, list[int]] = field(default_factory=dict)
    ends: array[int] = field(default_factory=lambda: array("q"))  # each new music record's end and ms,
    lengths: array[int] = field(default_factory=lambda: array("q"))  # for the sessions of a first import
    removed: bool = False  # some record stopped counting
    low: int | None = None  # the earliest and latest end time touched
    high: int | None = None

    def see(self, records: Iterable[Record], sign: int) -> None:
        """Records that start (sign +1) or stop (-1) counting: the flips of the merge of sources."""
        rows = list(records)
        if sign > 0:
            self.see_rows(  # as store Rows (store.COLUMNS order)
                [
                    (r[0], None, r[2], r[3], r[5], r[4], None, r[1], None, None, None, r[6], None, None)
                    for r in rows
                ]
            )
            return
        self.removed = self.removed or bool(rows)
        songs, buckets, grain = self.songs, self.buckets, self.grain
        for ended_at, kind, artist, track, album, ms, skipped in rows:
            key = (kind, artist, track, album or "")
            played = ms >= stats.PLAY_MS
            sums = songs.get(key)
            if sums is None:
                sums = songs[key] = [0, 0, 0, None, None]
            sums[0] -= ms
            sums[1] -= played
            sums[2] -= 1
            if played:
                self.dirty.add(key)
            if kind == MUSIC:
                bucket = buckets.get(ended_at // grain)
                if bucket is None:
                    bucket = buckets[ended_at // grain] = [0, 0, 0, 0, 0]
                bucket[0] -= ms
                bucket[1] -= played
                if skipped is not None:
                    bucket[2] -= skipped
                    bucket[3] -= 1
                bucket[4] -= 1
            self._touch(ended_at, ended_at)

    def _touch(self, low: int, high: int) -> None:
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)

    def see_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Store Rows (store.COLUMNS order) that start counting; written for the speed of a large import."""
        if not rows:
            return
        songs, buckets, grain = self.songs, self.buckets, self.grain
        play_ms = stats.PLAY_MS
        ends, lengths = self.ends.append, self.lengths.append
        low = high = rows[0][0]
        for ended_at, _, artist, track, ms, album, _, kind, _, _, _, skipped, _, _ in rows:
            if ended_at < low:
                low = ended_at
            elif ended_at > high:
                high = ended_at
            key = (kind, artist, track, album or "")
            sums = songs.get(key)
            played = ms >= play_ms
            if sums is None:
                songs[key] = [ms, 1, 1, ended_at, ended_at] if played else [ms, 0, 1, None, None]
            else:
                sums[0] += ms
                sums[2] += 1
                if played:
                    sums[1] += 1
                    if sums[3] is None:
                        sums[3] = sums[4] = ended_at
                    elif ended_at < sums[3]:
                        sums[3] = ended_at
                    elif ended_at > sums[4]:
                        sums[4] = ended_at
            if kind == MUSIC:
                ends(ended_at)
                lengths(ms)
                bucket = buckets.get(ended_at // grain)
                if bucket is None:
                    buckets[ended_at // grain] = [
                        ms, played, skipped or 0, 0 if skipped is None else 1, 1
                    ]  # fmt: skip
                else:
                    bucket[0] += ms
                    bucket[1] += played
                    if skipped is not None:
                        bucket[2] += skipped
                        bucket[3] += 1
                    bucket[4] += 1
        self._touch(low, high)


class LocalHours:
    """UTC moments (Unix seconds) -> (local date ordinal, local hour). A zone's offset changes a few times
    a year, so it is read once per UTC day (at both ends; a day with a change is read moment by moment)."""

    def __init__(self) -> None:
        self._days: dict[int, int | None] = {}  # UTC day -> its offset in seconds, None: it changes

    def __call__(self, seconds: int) -> tuple[int, int]:
        day = seconds // 86_400
        offset = self._days.get(day, -1)
        if offset == -1:
            first = time.localtime(day * 86_400).tm_gmtoff
            last = time.localtime(day * 86_400 + 86_399).tm_gmtoff
            offset = self._days[day] = first if first == last else None
        if offset is None:
            local = datetime.fromtimestamp(seconds)
            return local.toordinal(), local.hour
        local_seconds = seconds + offset
        return local_seconds // 86_400 + EPOCH_ORDINAL, local_seconds % 86_400 // 3600


EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()


def apply(db: sqlite3.Connection, delta: Delta) -> None:
    """Inside the write's transaction: the sums moved by `delta`, sessions recomputed where it touched."""
    if delta.low is None or delta.high is None:
        return
    if _meta(db, LOCAL_TZ) != zone_fingerprint():
        rebuild(db)  # the sums of local hours were made in another zone: all of them again
        return
    _apply_songs(db, delta)
    _apply_years(db, delta.low, delta.high)
    _apply_hours(db, delta.buckets, delta.grain)
    _sessions_between(db, delta.low, delta.high, delta)


def _apply_songs(db: sqlite3.Connection, delta: Delta) -> None:
    db.executemany(
        "INSERT INTO song_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "ms = ms + excluded.ms, plays = plays + excluded.plays, records = records + excluded.records, "
        "first_played = min(coalesce(first_played, excluded.first_played), "
        "                   coalesce(excluded.first_played, first_played)), "
        "last_played = max(coalesce(last_played, excluded.last_played), "
        "                  coalesce(excluded.last_played, last_played))",
        ((*key, *sums) for key, sums in delta.songs.items()),
    )
    db.execute("DELETE FROM song_totals WHERE records <= 0")
    if delta.dirty:
        # a play stopped counting: the first and last plays of its songs, read again in one pass
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS dirty (kind, artist, track, album, PRIMARY KEY (kind, artist, track, album))"
        )
        db.execute("DELETE FROM dirty")
        db.executemany("INSERT OR IGNORE INTO dirty VALUES (?, ?, ?, ?)", delta.dirty)
        found = db.execute(
            "SELECT r.kind, r.artist, r.track, coalesce(r.album, ''), MIN(r.ended_at), MAX(r.ended_at) "
            "FROM records AS r JOIN dirty AS d ON r.kind = d.kind AND r.artist = d.artist "
            "AND r.track = d.track AND coalesce(r.album, '') = d.album "
            f"WHERE r.{COUNTED} AND r.ms_played >= {stats.PLAY_MS} GROUP BY 1, 2, 3, 4"
        ).fetchall()
        db.executemany(
            "UPDATE song_totals SET first_played = NULL, last_played = NULL "
            "WHERE kind = ? AND artist = ? AND track = ? AND album = ?",
            delta.dirty,
        )
        db.executemany(
            "UPDATE song_totals SET first_played = ?, last_played = ? "
            "WHERE kind = ? AND artist = ? AND track = ? AND album = ?",
            ((first, last, *key) for *key, first, last in found),
        )
        db.execute("DELETE FROM dirty")


def _apply_years(db: sqlite3.Connection, low: int, high: int) -> None:
    """The music of each local year from the one of `low` to the one of `high`, summed again by song from
    its records (a range of their key each: cheaper than keeping a sum per song and year as rows come)."""
    starts = year_starts()
    first, last = max(bisect_right(starts, low) - 1, 0), min(bisect_right(starts, high), len(starts) - 1)
    for index in range(first, last):
        year = FIRST_YEAR + index
        db.execute("DELETE FROM song_years WHERE year = ?", (year,))
        db.execute(
            "INSERT INTO song_years SELECT ?, song, SUM(ms_played), SUM(ms_played >= ?) FROM records "
            f"WHERE ended_at >= ? AND ended_at < ? AND kind = '{MUSIC}' AND {COUNTED} GROUP BY song",
            (year, stats.PLAY_MS, starts[index], starts[index + 1]),
        )


HOURS = [f"h{hour}" for hour in range(24)]
_DAY_SUMS = ["ms", "plays", "skipped", "skip_known", "records", *HOURS]
_UPSERT_DAY = (
    f"INSERT INTO local_days VALUES (?, {', '.join('?' * len(_DAY_SUMS))}) ON CONFLICT DO UPDATE SET "
    + ", ".join(f"{name} = {name} + excluded.{name}" for name in _DAY_SUMS)
)


def _apply_hours(db: sqlite3.Connection, buckets: dict[int, list[int]], grain: int) -> None:
    """The buckets' sums added to their local days: ms, plays, skips, records, and ms by hour."""
    local = LocalHours()
    step = grain // 1000
    days: dict[int, list[int]] = {}
    for bucket, (ms, plays, skipped, known, records) in buckets.items():
        day, hour = local(bucket * step)
        sums = days.get(day)
        if sums is None:
            sums = days[day] = [0] * (5 + 24)
        sums[0] += ms
        sums[1] += plays
        sums[2] += skipped
        sums[3] += known
        sums[4] += records
        sums[5 + hour] += ms
    db.executemany(_UPSERT_DAY, ((day, *sums) for day, sums in days.items()))
    db.execute("DELETE FROM local_days WHERE records <= 0")


def _music(db: sqlite3.Connection, low: int, high: int) -> Iterator[tuple[int, int]]:
    """(ended_at, ms) of the counted music records with low <= ended_at <= high, in time order (of two
    ending together, the longer first: the order sessions are made in everywhere)."""
    return db.execute(
        f"SELECT ended_at, ms_played FROM records WHERE ended_at >= ? AND ended_at <= ? "
        f"AND kind = '{MUSIC}' AND {COUNTED} ORDER BY ended_at, ms_played DESC",
        (low, high),
    )


def _sessions_between(db: sqlite3.Connection, low: int, high: int, delta: Delta | None = None) -> None:
    """The sessions again around [low, high]: from the session under (low - a day - the gap), whose
    start no record of a day or less can reach back over, to the last one a record at `high` can join.

    When every counted music record there is one the write added (a first import), they are taken from
    `delta` instead of being read back."""
    reach = DAY_MS + stats.SESSION_GAP_MS
    before = db.execute(
        "SELECT first_end FROM sessions WHERE first_end <= ? ORDER BY first_end DESC LIMIT 1", (low - reach,)
    ).fetchone()
    start = before[0] if before else 0
    after = db.execute("SELECT max(last_end) FROM sessions WHERE first_end <= ?", (high + reach,)).fetchone()
    end = max(high, after[0] or high)
    db.execute("DELETE FROM sessions WHERE first_end >= ? AND first_end <= ?", (start, end))
    records: Iterable[tuple[int, int]] | None = None
    if delta is not None and _only_new(db, delta, start, end):
        records = _in_order(delta.ends, delta.lengths)
    if records is None:
        records = _music(db, start, end)
    db.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", stats.sessions_of(records))
    _note_all_sessions(db)


def _note_all_sessions(db: sqlite3.Connection) -> None:
    """The count, ms and longest of every session, in `meta`: all-time figures read them instead of a
    pass over the sessions (hundreds of thousands in a lifetime)."""
    count, total, most = db.execute("SELECT count(*), coalesce(SUM(ms), 0), MAX(ms) FROM sessions").fetchone()
    longest = db.execute(
        "SELECT first_end FROM sessions WHERE ms = ? ORDER BY first_end LIMIT 1", (most,)
    ).fetchone()
    noted = f"{count} {total} {longest[0] if longest else -1}"
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (ALL_SESSIONS, noted))


def _all_sessions(db: sqlite3.Connection) -> tuple[int, int, tuple[int, int, int, int] | None] | None:
    """What `_note_all_sessions` noted; None when nothing (or nothing readable) is."""
    try:
        count, total, first_end = (int(n) for n in (_meta(db, ALL_SESSIONS) or "").split())
    except ValueError:
        return None
    found = db.execute("SELECT * FROM sessions WHERE first_end = ?", (first_end,)).fetchone()
    return count, total, stats.longest_of([found] if found else [])


def _only_new(db: sqlite3.Connection, delta: Delta, start: int, end: int) -> bool:
    """Whether the counted music records in [start, end] are exactly the new ones of `delta`."""
    if (
        delta.removed
        or delta.low is None
        or delta.high is None
        or not start <= delta.low <= delta.high <= end
    ):
        return False
    (stored,) = db.execute(
        f"SELECT count(*) FROM records WHERE ended_at >= ? AND ended_at <= ? AND kind = '{MUSIC}' AND {COUNTED}",
        (start, end),
    ).fetchone()
    return bool(stored == len(delta.ends))


def _in_order(ends: array[int], lengths: array[int]) -> Iterable[tuple[int, int]]:
    """(ended_at, ms) pairs in the order sessions are made in; an export's files are usually already in
    that order (rising end times), and then nothing is sorted."""
    if all(map(operator.lt, ends, itertools.islice(ends, 1, None))):
        return zip(ends, lengths, strict=True)
    return sorted(zip(ends, lengths, strict=True), key=lambda pair: (pair[0], -pair[1]))


def number_songs(db: sqlite3.Connection) -> None:
    """Every record given its song's number (a database of an older spotiviz)."""
    db.execute(
        "INSERT OR IGNORE INTO songs (kind, artist, track, album) "
        "SELECT DISTINCT kind, artist, track, coalesce(album, '') FROM records"
    )
    db.execute(
        "UPDATE records SET song = (SELECT id FROM songs AS s WHERE s.kind = records.kind "
        "AND s.artist = records.artist AND s.track = records.track AND s.album = coalesce(records.album, ''))"
    )


def rebuild(db: sqlite3.Connection) -> None:
    """Every summary table made again from the records (a new schema, another time zone)."""
    for table in TABLES:
        db.execute(f"DELETE FROM {table}")
    delta = Delta()
    as_rows = db.execute(  # in store.COLUMNS order, as an import hands them over, a chunk at a time
        "SELECT ended_at, NULL, artist, track, ms_played, album, NULL, kind, NULL, NULL, NULL, skipped, "
        f"NULL, NULL FROM records WHERE {COUNTED}"
    )
    while chunk := as_rows.fetchmany(50_000):
        delta.see_rows(chunk)
    _apply_songs(db, delta)
    _apply_years(db, 0, 2**62)
    _apply_hours(db, delta.buckets, delta.grain)
    _sessions_between(db, 0, 2**62)
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (LOCAL_TZ, zone_fingerprint()))


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    found = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if found is None else str(found[0])


def usable(db: sqlite3.Connection) -> bool:
    """Whether the local-time sums were made in this process's time zone (else read the records)."""
    return _meta(db, LOCAL_TZ) == zone_fingerprint()


def snapshot(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the summary tables, in order: to compare the kept sums with a rebuild (tests)."""
    return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall() for table in TABLES}


# ---------------------------------------------------------------- reading: the query layer over the sums


def parts(
    db: sqlite3.Connection,
    start_ms: int,
    end_ms: int,
    period: stats.Period,
    whole: bool,
    names: Callable[[], dict[int, tuple[str, str, str]]],
) -> stats.Parts:
    """The parts of a period's figures (`usable` must hold): songs from `song_totals` when the period
    holds the whole history, else by song number (`song_sums`) and named by `names` (`song_names`, read
    once); hours from
    `local_days`; sessions from `sessions`, those cut by the period's ends made again from their
    records inside it."""
    if whole:
        songs = db.execute(
            f"SELECT artist, track, album, ms, plays FROM song_totals WHERE kind = '{MUSIC}'"
        ).fetchall()
    else:
        named = names()
        songs = [(*named[song], ms, plays) for song, ms, plays in song_sums(db, start_ms, end_ms)]
    first_day, end_day = period.start.date().toordinal(), period.end.date().toordinal()
    days = db.execute(
        "SELECT day, ms, plays, skipped, skip_known FROM local_days WHERE day >= ? AND day < ?",
        (first_day, end_day),
    ).fetchall()
    punch = [[0] * 24 for _ in range(7)]
    for weekday, *hours in db.execute(
        f"SELECT (day + 6) % 7, {', '.join(f'SUM({h})' for h in HOURS)} FROM local_days "
        "WHERE day >= ? AND day < ? GROUP BY 1",
        (first_day, end_day),
    ):
        punch[weekday] = list(hours)
    noted = _all_sessions(db) if whole else None
    count, total, longest = noted or _period_sessions(db, start_ms, end_ms)
    return stats.Parts(
        songs=songs,
        days={day: [ms, plays, skipped, known] for day, ms, plays, skipped, known in days},
        punch=punch,
        session_count=count,
        session_ms=total,
        longest=longest,
    )


def song_sums(db: sqlite3.Connection, start_ms: int, end_ms: int) -> Iterable[tuple[int, int, int]]:
    """(song, ms, plays) of the counted music in [start, end), a row per song: its whole local years from
    `song_years`, the days of a year at either end summed from their records (a range of their key)."""
    starts = year_starts()
    first = bisect_left(starts, start_ms)  # the first year starting inside the period
    last = bisect_right(starts, end_ms) - 1  # the year the period ends in (or at the start of)
    if first >= last:  # no whole year inside
        return _records_by_song(db, start_ms, end_ms)
    parts: list[Iterable[tuple[int, int, int]]] = [
        db.execute(
            "SELECT song, SUM(ms), SUM(plays) FROM song_years WHERE year >= ? AND year < ? GROUP BY song",
            (FIRST_YEAR + first, FIRST_YEAR + last),
        )
    ]
    if start_ms < starts[first]:
        parts.append(_records_by_song(db, start_ms, starts[first]))
    if starts[last] < end_ms:
        parts.append(_records_by_song(db, starts[last], end_ms))
    if len(parts) == 1:
        return parts[0]
    sums: dict[int, list[int]] = {}
    for song, ms, plays in itertools.chain.from_iterable(parts):
        entry = sums.get(song)
        if entry is None:
            sums[song] = [ms, plays]
        else:
            entry[0] += ms
            entry[1] += plays
    return [(song, ms, plays) for song, (ms, plays) in sums.items()]


def _records_by_song(db: sqlite3.Connection, start_ms: int, end_ms: int) -> sqlite3.Cursor:
    return db.execute(
        "SELECT song, SUM(ms_played), SUM(ms_played >= ?) FROM records "
        f"WHERE ended_at >= ? AND ended_at < ? AND kind = '{MUSIC}' AND {COUNTED} GROUP BY song",
        (stats.PLAY_MS, start_ms, end_ms),
    )


def song_names(db: sqlite3.Connection) -> dict[int, tuple[str, str, str]]:
    """Music songs by number: (artist, track, album)."""
    return {
        song: (artist, track, album)
        for song, artist, track, album in db.execute(
            f"SELECT id, artist, track, album FROM songs WHERE kind = '{MUSIC}'"
        )
    }


def _period_sessions(
    db: sqlite3.Connection, start_ms: int, end_ms: int
) -> tuple[int, int, tuple[int, int, int, int] | None]:
    """Count, ms and the longest of the sessions of the records in [start, end)."""
    count, total, most = db.execute(
        "SELECT count(*), coalesce(SUM(ms), 0), MAX(ms) FROM sessions WHERE first_end >= ? AND last_end < ?",
        (start_ms, end_ms),
    ).fetchone()
    inside = db.execute(
        "SELECT * FROM sessions WHERE first_end >= ? AND last_end < ? AND ms = ? ORDER BY first_end LIMIT 1",
        (start_ms, end_ms, most),
    ).fetchall()
    cut = set()  # the sessions running over the period's start or its end: one step into the key each
    for moment in (start_ms, end_ms):
        found = db.execute(
            "SELECT first_end, last_end FROM sessions WHERE first_end < ? ORDER BY first_end DESC LIMIT 1",
            (moment,),
        ).fetchone()
        if found is not None and found[1] >= moment and found[1] >= start_ms:
            cut.add((found[0], found[1]))
    pieces: list[stats.SessionRow] = []
    for first_end, last_end in sorted(cut):
        pieces += list(stats.sessions_of(_music(db, max(first_end, start_ms), min(last_end, end_ms - 1))))
    count += len(pieces)
    total += sum(piece[3] for piece in pieces)
    return count, total, stats.longest_of([*inside, *pieces])


def firsts(db: sqlite3.Connection, start_ms: int, end_ms: int) -> tuple[dict[str, int], int]:
    """As HistoryStore.firsts_between, from `song_totals`."""
    artists = db.execute(
        f"SELECT artist, MIN(first_played) AS first FROM song_totals WHERE kind = '{MUSIC}' AND artist <> '' "
        "GROUP BY artist HAVING first >= ? AND first < ?",
        (start_ms, end_ms),
    ).fetchall()
    (tracks,) = db.execute(
        f"SELECT count(*) FROM (SELECT MIN(first_played) AS first FROM song_totals WHERE kind = '{MUSIC}' "
        "AND track <> '' GROUP BY track, artist HAVING first >= ? AND first < ?)",
        (start_ms, end_ms),
    ).fetchone()
    return {str(name): int(first) for name, first in artists}, int(tracks)


# what each kind of entry is made of, in `records` and in `song_totals` alike (the same columns; a NULL
# album is never <> ''): its name and artist columns, the rows it sums, the grouping
ENTRIES = {
    "artists": ("artist, ''", f"kind = '{MUSIC}' AND artist <> ''", "artist"),
    "tracks": ("track, artist", f"kind = '{MUSIC}' AND track <> ''", "track, artist"),
    "albums": ("album, artist", f"kind = '{MUSIC}' AND album <> ''", "album, artist"),
    "shows": ("artist, ''", "kind = 'episode' AND artist <> ''", "artist"),
}


def tally(db: sqlite3.Connection, what: str) -> list[tuple[str, str, int, int]]:
    """(name, artist, ms, plays) of every artist (track, album, show) of the whole history."""
    names, where, group = ENTRIES[what]
    return db.execute(
        f"SELECT {names}, SUM(ms), SUM(plays) FROM song_totals WHERE {where} GROUP BY {group}"
    ).fetchall()


def names(db: sqlite3.Connection, what: str) -> list[tuple[str, str]]:
    names_, where, group = ENTRIES[what]
    return db.execute(f"SELECT {names_} FROM song_totals WHERE {where} GROUP BY {group}").fetchall()


def forgotten(db: sqlite3.Connection, before_ms: int, limit: int) -> list[tuple[str, str, int, int, int]]:
    """As HistoryStore.forgotten, from `song_totals`."""
    return db.execute(
        "SELECT track, artist, SUM(plays) AS count, SUM(ms), MAX(last_played) AS last FROM song_totals "
        f"WHERE kind = '{MUSIC}' AND track <> '' GROUP BY track, artist "
        "HAVING count > 0 AND last < ? ORDER BY count DESC, SUM(ms) DESC, track, artist LIMIT ?",
        (before_ms, limit),
    ).fetchall()
