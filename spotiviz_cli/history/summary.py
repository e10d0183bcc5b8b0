"""Summary tables: the sums every history view is made of, kept up to date by each write.

A million plays take seconds to read and sum, so the sums are kept as the records change, in the same
transaction, from exactly the records that start or stop counting (new ones, and those the merge of
sources flips):

- `song_totals`: all-time sums per (kind, artist, track, album): ms, plays (records of 30 s or more),
  records, and the first and last play of 30 s or more. Artists, tracks, albums and shows are sums of
  these rows, so all-time top lists, first plays and forgotten favourites read a few thousand rows.
- `local_hours`: music sums per local calendar day and hour: ms, plays, skips. Local time depends on
  the time zone, so `meta.local_tz` holds a fingerprint of the zone they were made in; under another zone
  they are rebuilt at the next write, and readers fall back to reading records until then.
- `sessions`: every listening session of the whole history (stats.Sessions), recomputed around the
  times a write touched.

`check` rebuilds all of it from the records and compares: the tests hold the two ways equal.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from spotiviz_cli.history import stats
from spotiviz_cli.history.merge import MUSIC

SCHEMA = """
CREATE TABLE song_totals (
    kind TEXT NOT NULL, artist TEXT NOT NULL, track TEXT NOT NULL, album TEXT NOT NULL,
    ms INTEGER NOT NULL, plays INTEGER NOT NULL, records INTEGER NOT NULL,
    first_played INTEGER, last_played INTEGER,  -- Unix ms of the first and last play of 30 s or more
    PRIMARY KEY (kind, artist, track, album)
) WITHOUT ROWID;
CREATE TABLE local_hours (
    day INTEGER NOT NULL, hour INTEGER NOT NULL,  -- local date (proleptic ordinal, as date.toordinal), hour
    ms INTEGER NOT NULL, plays INTEGER NOT NULL, skipped INTEGER NOT NULL, skip_known INTEGER NOT NULL,
    records INTEGER NOT NULL,
    PRIMARY KEY (day, hour)
) WITHOUT ROWID;
CREATE TABLE sessions (
    first_end INTEGER PRIMARY KEY,  -- the end of its first record (Unix ms)
    last_end INTEGER NOT NULL, start INTEGER NOT NULL, ms INTEGER NOT NULL, plays INTEGER NOT NULL
);
"""

LOCAL_TZ = "local_tz"  # meta key: the fingerprint of the zone local_hours was made in
DAY_MS = 86_400_000
COUNTED = "merged = 0"
# a record of any source, as the summary needs it
FIELDS = "ended_at, kind, artist, track, album, ms_played, skipped"
Record = tuple[int, str, str, str, "str | None", int, "int | None"]


def zone_fingerprint() -> str:
    """This process's local time zone, as the UTC offsets it gives on the 1st and 15th of each month of
    2006-2035 (the years a history holds): a zone that gives the same local times hashes the same."""
    offsets = []
    for year in range(2006, 2036):
        for month in range(1, 13):
            for day in (1, 15):
                moment = time.mktime((year, month, day, 12, 0, 0, 0, 0, -1))
                offsets.append(time.localtime(moment).tm_gmtoff)
    return hashlib.sha256(repr(offsets).encode()).hexdigest()[:16]


@dataclass
class Delta:
    """What a write changes in the sums: records that start counting (+1) or stop (-1)."""

    songs: dict[tuple[str, str, str, str], list[int]] = field(default_factory=dict)  # ms, plays, records
    firsts: dict[tuple[str, str, str, str], list[int]] = field(default_factory=dict)  # first, last (added)
    dirty: set[tuple[str, str, str, str]] = field(default_factory=set)  # lost a play: first/last again
    quarters: dict[int, list[int]] = field(default_factory=dict)  # music by quarter hour
    low: int | None = None  # the earliest and latest end time touched
    high: int | None = None

    def see(self, records: Iterable[Record], sign: int) -> None:
        songs, firsts, quarters = self.songs, self.firsts, self.quarters
        low, high = self.low, self.high
        for ended_at, kind, artist, track, album, ms, skipped in records:
            key = (kind, artist, track, album or "")
            played = ms >= stats.PLAY_MS
            sums = songs.get(key)
            if sums is None:
                sums = songs[key] = [0, 0, 0]
            sums[0] += sign * ms
            sums[1] += sign * played
            sums[2] += sign
            if played:
                if sign > 0:
                    seen = firsts.get(key)
                    if seen is None:
                        firsts[key] = [ended_at, ended_at]
                    elif ended_at < seen[0]:
                        seen[0] = ended_at
                    elif ended_at > seen[1]:
                        seen[1] = ended_at
                else:
                    self.dirty.add(key)
            if kind == MUSIC:
                quarter = quarters.get(ended_at // stats.QUARTER_HOUR_MS)
                if quarter is None:
                    quarter = quarters[ended_at // stats.QUARTER_HOUR_MS] = [0, 0, 0, 0, 0]
                quarter[0] += sign * ms
                quarter[1] += sign * played
                if skipped is not None:
                    quarter[2] += sign * skipped
                    quarter[3] += sign
                quarter[4] += sign
            if low is None or ended_at < low:
                low = ended_at
            if high is None or ended_at > high:
                high = ended_at
        self.low, self.high = low, high


def as_record(row: Sequence[object]) -> Record:
    """A store Row (store.COLUMNS order) as the summary reads it."""
    return (row[0], row[7], row[2], row[3], row[5], row[4], row[11])  # type: ignore[return-value]


def local_hour(quarter: int, cache: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """A quarter hour (Unix ms // 15 min) -> (local date ordinal, local hour)."""
    found = cache.get(quarter)
    if found is None:
        local = datetime.fromtimestamp(quarter * stats.QUARTER_HOUR_MS / 1000)
        found = cache[quarter] = (local.toordinal(), local.hour)
    return found


def apply(db: sqlite3.Connection, delta: Delta) -> None:
    """Inside the write's transaction: the sums moved by `delta`, sessions recomputed where it touched."""
    if delta.low is None or delta.high is None:
        return
    if _meta(db, LOCAL_TZ) != zone_fingerprint():
        rebuild(db)  # the sums of local hours were made in another zone: all of them again
        return
    _apply_songs(db, delta)
    _apply_hours(db, delta.quarters)
    _sessions_between(db, delta.low, delta.high)


def _apply_songs(db: sqlite3.Connection, delta: Delta) -> None:
    db.executemany(
        "INSERT INTO song_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "ms = ms + excluded.ms, plays = plays + excluded.plays, records = records + excluded.records, "
        "first_played = min(coalesce(first_played, excluded.first_played), "
        "                   coalesce(excluded.first_played, first_played)), "
        "last_played = max(coalesce(last_played, excluded.last_played), "
        "                  coalesce(excluded.last_played, last_played))",
        (
            (*key, ms, plays, records, *(delta.firsts.get(key) or (None, None)))
            for key, (ms, plays, records) in delta.songs.items()
        ),
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


def _apply_hours(db: sqlite3.Connection, quarters: dict[int, list[int]]) -> None:
    cache: dict[int, tuple[int, int]] = {}
    hours: dict[tuple[int, int], list[int]] = {}
    for quarter, sums in quarters.items():
        key = local_hour(quarter, cache)
        found = hours.get(key)
        if found is None:
            hours[key] = list(sums)
        else:
            for index, value in enumerate(sums):
                found[index] += value
    db.executemany(
        "INSERT INTO local_hours VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "ms = ms + excluded.ms, plays = plays + excluded.plays, skipped = skipped + excluded.skipped, "
        "skip_known = skip_known + excluded.skip_known, records = records + excluded.records",
        ((day, hour, *sums) for (day, hour), sums in hours.items()),
    )
    db.execute("DELETE FROM local_hours WHERE records <= 0")


def _music(db: sqlite3.Connection, low: int, high: int) -> Iterator[tuple[int, int]]:
    """(ended_at, ms) of the counted music records with low <= ended_at <= high, in time order."""
    return db.execute(
        f"SELECT ended_at, ms_played FROM records WHERE ended_at >= ? AND ended_at <= ? "
        f"AND kind = '{MUSIC}' AND {COUNTED} ORDER BY ended_at",
        (low, high),
    )


def _sessions_between(db: sqlite3.Connection, low: int, high: int) -> None:
    """The sessions again around [low, high]: from the session under (low - a day - the gap), whose
    start no record of a day or less can reach back over, to the last one a record at `high` can join."""
    reach = DAY_MS + stats.SESSION_GAP_MS
    before = db.execute(
        "SELECT first_end FROM sessions WHERE first_end <= ? ORDER BY first_end DESC LIMIT 1", (low - reach,)
    ).fetchone()
    start = before[0] if before else 0
    after = db.execute("SELECT max(last_end) FROM sessions WHERE first_end <= ?", (high + reach,)).fetchone()
    end = max(high, after[0] or high)
    db.execute("DELETE FROM sessions WHERE first_end >= ? AND first_end <= ?", (start, end))
    sessions = stats.Sessions(keep=True)
    for ended_at, ms in _music(db, start, end):
        sessions.see(ended_at, ms)
    sessions.finished()
    db.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", sessions.every or [])


def rebuild(db: sqlite3.Connection) -> None:
    """Every summary table made again from the records (a new schema, another time zone)."""
    for table in ("song_totals", "local_hours", "sessions"):
        db.execute(f"DELETE FROM {table}")
    delta = Delta()
    delta.see(db.execute(f"SELECT {FIELDS} FROM records WHERE {COUNTED}"), +1)
    _apply_songs(db, delta)
    _apply_hours(db, delta.quarters)
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
    return {
        table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
        for table in ("song_totals", "local_hours", "sessions")
    }
