"""The SQLite history store: schema, migrations, one-transaction writes, the merge of sources, read-only use.

Every record from every source is kept, identified within its source by (end time, source, artist,
track, ms played): the primary key, so `INSERT OR IGNORE` drops a record imported twice. Whether a record
counts is the `merged` column, recomputed by `history.merge` after every write (README: the merge rule).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spotiviz_cli.errors import SpotivizError
from spotiviz_cli.history import merge, stats, summary
from spotiviz_cli.history.merge import ACCOUNT, EXTENDED, MUSIC, SYNC

EPISODE, AUDIOBOOK = "episode", "audiobook"
__all__ = ["ACCOUNT", "AUDIOBOOK", "EPISODE", "EXTENDED", "MUSIC", "SYNC", "HistoryStore", "Row", "row"]

ARTIST_INDEX = (
    "CREATE INDEX records_by_artist ON records (artist, ended_at) WHERE kind = 'music' AND merged = 0"
)

# Each entry moves the schema from version N to N+1; PRAGMA user_version holds the current N.
# The primary key starts with the end time, so the table itself is ordered by time: period queries
# scan a range of it and no secondary index has to be kept up to date during a large import.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE plays (
        ended_minute INTEGER NOT NULL, artist TEXT NOT NULL, track TEXT NOT NULL, ms_played INTEGER NOT NULL,
        ended_at INTEGER NOT NULL, album TEXT, uri TEXT, kind TEXT NOT NULL, source TEXT NOT NULL,
        reason_start TEXT, reason_end TEXT, shuffle INTEGER, skipped INTEGER, platform TEXT,
        offline_at INTEGER,
        PRIMARY KEY (ended_minute, artist, track, ms_played)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """,
    # 2: every source's record is kept; `merged` says whether another source's record stands for it
    """
    CREATE TABLE records (
        ended_at     INTEGER NOT NULL,  -- Unix time in ms, UTC: when the stream ended (account data: the minute)
        source       TEXT    NOT NULL,  -- extended | account | sync
        artist       TEXT    NOT NULL,  -- '' when the source has none; the show or the book otherwise
        track        TEXT    NOT NULL,  -- the episode or the chapter for podcasts and audiobooks
        ms_played    INTEGER NOT NULL,  -- sync: the track's duration (the API does not say)
        album        TEXT,
        uri          TEXT,
        kind         TEXT    NOT NULL,  -- music | episode | audiobook (no CHECK: it costs 20% of an import)
        reason_start TEXT,
        reason_end   TEXT,
        shuffle      INTEGER,
        skipped      INTEGER,
        platform     TEXT,
        offline_at   INTEGER,           -- Unix time in ms, when the export records an offline play
        merged       INTEGER NOT NULL DEFAULT 0,  -- 1: the same listen as a richer source's record
        PRIMARY KEY (ended_at, source, artist, track, ms_played)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO records
        SELECT ended_at, source, artist, track, ms_played, album, uri, kind, reason_start, reason_end,
               shuffle, skipped, platform, offline_at, 0
        FROM plays  -- without the records no import lets in any more (they broke every `history stats`)
        WHERE ended_at BETWEEN 1136073600000 AND 4102444800000 AND ms_played BETWEEN 0 AND 86400000;
    DROP TABLE plays;
    """,
    # 3: summary tables (history.summary), made from the records after the migration; and the counted
    # music by artist, for the views of one artist, track or album (it holds every column they read)
    summary.SCHEMA + ARTIST_INDEX + ";\nALTER TABLE records ADD COLUMN song INTEGER;  -- songs.id\n",
    # 4: music by local year and song (summary.song_years), made by the rebuild after the migration
    summary.YEARS_SCHEMA,
)
SCHEMA_VERSION = len(MIGRATIONS)


COLUMNS = (
    "ended_at", "source", "artist", "track", "ms_played", "album", "uri", "kind",
    "reason_start", "reason_end", "shuffle", "skipped", "platform", "offline_at",
)  # fmt: skip
INSERT = f"INSERT OR IGNORE INTO records ({', '.join(COLUMNS)}, song) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"

# One row as the importers build it: the COLUMNS, in order.
Row = tuple[
    int, str, str, str, int, str | None, str | None, str,
    str | None, str | None, int | None, int | None, str | None, int | None,
]  # fmt: skip


def row(
    *,
    ended_at: int,
    artist: str,
    track: str,
    ms_played: int,
    kind: str,
    source: str,
    album: str | None = None,
    uri: str | None = None,
    reason_start: str | None = None,
    reason_end: str | None = None,
    shuffle: bool | None = None,
    skipped: bool | None = None,
    platform: str | None = None,
    offline_at: int | None = None,
) -> Row:
    return (
        ended_at, source, artist, track, ms_played, album, uri, kind, reason_start, reason_end,
        None if shuffle is None else int(shuffle), None if skipped is None else int(skipped),
        platform, offline_at,
    )  # fmt: skip


@dataclass(frozen=True)
class Added:
    added: int  # new plays: how many more records count than before
    duplicates: int  # records already there, or merged into a play from another source


class NoHistory(SpotivizError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"There is no history at {path} yet.",
            hint="Fill it with `spotiviz history import my_spotify_data.zip` or `spotiviz history sync`.",
        )


def fault(path: Path, exc: BaseException) -> SpotivizError:
    """An error of the file system or SQLite as one line that names the path and what to do."""
    text = str(exc)
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+; the message is checked too for 3.10
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or name == "SQLITE_FULL" or "disk is full" in text:
        return SpotivizError(
            f"The disk holding {path} is full; nothing was changed.",
            hint="Free some space and run the command again.",
        )
    if name.startswith("SQLITE_BUSY") or "database is locked" in text:
        return SpotivizError(
            f"The history database {path} is busy.",
            hint="Another spotiviz is importing or syncing; try again when it has finished.",
        )
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return SpotivizError(
            f"{path.parent} is not a folder, so the history cannot be kept there.",
            hint="Move that file away, or set SPOTIVIZ_DATA_DIR to a folder.",
        )
    if (
        isinstance(exc, PermissionError)
        or code in (errno.EACCES, errno.EPERM, errno.EROFS)
        or name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))
        or "readonly database" in text
        or "unable to open database" in text
    ):
        return SpotivizError(
            f"Cannot write the history database {path}: {exc}.",
            hint="Check that you may write that folder, or set SPOTIVIZ_DATA_DIR to one you can.",
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return SpotivizError(
            f"{path} is not a spotiviz history database, or it is damaged ({exc}).",
            hint="Move it away (spotiviz starts a new one), or set SPOTIVIZ_DATA_DIR to another folder.",
        )
    return SpotivizError(f"The history database {path} cannot be used: {exc}.", hint=None)


@contextmanager
def faults(path: Path) -> Iterator[None]:
    """Turns what the disk and SQLite raise into `fault(path, ...)`."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise fault(path, exc) from None


class HistoryStore:
    """One SQLite file. Writes happen in `transaction()`: all of it lands, or none.

    `readonly=True` (stats, wrapped --year) never creates, migrates or locks the file, and works on a
    read-only file or folder (a backup, another user's copy)."""

    def __init__(
        self, path: Path, *, busy_timeout: float = 30.0, readonly: bool = False, summaries: bool = True
    ) -> None:
        self.path = path
        self.readonly = readonly
        self._delta: summary.Delta | None = None  # what the open write changes in the summary tables
        with faults(path):
            if readonly:
                self._db = self._open_readonly(path, busy_timeout)
            else:
                _private(path)
                # timeout: a cron sync waits for an import in progress instead of failing at once
                self._db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA cache_size = -65536")  # 64 MiB
            if readonly:  # a view that reads all of a large history starts cold: no copies through read()
                self._db.execute("PRAGMA mmap_size = 1073741824")
            self._migrate()
        self._summed: bool | None = None if summaries else False  # False: every figure from the records
        self._song_ids: dict[tuple[str, str, str, str], int] | None = None  # of the open transaction
        self._song_names: dict[int, tuple[str, str, str]] | None = None

    @staticmethod
    def _open_readonly(path: Path, busy_timeout: float) -> sqlite3.Connection:
        if not path.is_file():
            raise NoHistory(path)
        uri = path.resolve().as_uri()
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=busy_timeout)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            # a WAL database in a folder we cannot write (no -shm to share): read the file as it is
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise SpotivizError(
                f"The history database {self.path} was written by a newer spotiviz (schema {version}).",
                hint="Upgrade spotiviz: pip install --upgrade spotiviz",
            )
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            if version == 0:
                raise NoHistory(self.path)
            self._upgrade_then_read()
            return
        with self.transaction() as db:
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if 0 < version < 2:
                self._remerge(db)  # older versions kept sync and export copies of one listen apart
            if 0 < version < 3:
                summary.number_songs(db)
            summary.rebuild(db)

    def _upgrade_then_read(self) -> None:
        """A database of an older spotiviz, opened to read: upgraded once where it may be written."""
        self._db.close()
        try:
            HistoryStore(self.path).close()
        except SpotivizError:
            raise SpotivizError(
                f"The history database {self.path} was written by an older spotiviz and cannot be "
                "upgraded here (it is read-only).",
                hint="Run `spotiviz history sync` or `history import` once where it may be written.",
            ) from None
        self._db = self._open_readonly(self.path, 30.0)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; anything raised inside rolls all of it back."""
        with faults(self.path):
            self._db.execute("BEGIN IMMEDIATE")
        self._delta = None
        self._song_ids = None  # read again: a transaction rolled back may have numbered songs
        try:
            yield self._db
            with faults(self.path):
                self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def add(self, db: sqlite3.Connection, rows: Sequence[Row]) -> int:
        """Inside a transaction: inserts what is new; returns how many rows were new to the store.

        The new rows are noted for the summary tables. When all rows or none went in, that is known from
        the count; only when some did (an export that repeats part of the history) is the insert undone
        and made again after reading the keys already stored in the rows' time span."""
        if not rows:
            return 0
        with faults(self.path):
            numbered = self._numbered(db, rows)  # before the savepoint: its new songs stay numbered
            db.execute("SAVEPOINT add_rows")
            before = db.total_changes
            db.executemany(INSERT, numbered)
            inserted = db.total_changes - before
            stored: set[tuple[object, ...]] = set()
            if 0 < inserted < len(rows):
                db.execute("ROLLBACK TO add_rows")
                span = (min(r[0] for r in rows), max(r[0] for r in rows))
                stored = {
                    tuple(key)
                    for key in db.execute(
                        "SELECT ended_at, source, artist, track, ms_played FROM records "
                        "WHERE ended_at >= ? AND ended_at <= ?",
                        span,
                    )
                }
                db.executemany(INSERT, numbered)
            db.execute("RELEASE add_rows")
        if inserted == len(rows) or inserted == 0:
            new: Sequence[Row] = rows if inserted else []
        else:
            seen: set[tuple[object, ...]] = set()
            new = []
            for r in rows:
                key = r[:5]
                if key not in stored and key not in seen:
                    seen.add(key)
                    new.append(r)
        self._changes().see_rows(new)
        return inserted

    def _changes(self) -> summary.Delta:
        """The summary's changes of this write, begun at its first change (a read makes none)."""
        if self._delta is None:
            self._delta = summary.Delta()
        return self._delta

    def _numbered(self, db: sqlite3.Connection, rows: Sequence[Row]) -> list[tuple[object, ...]]:
        """The rows with their song's number (songs.id), numbering the songs not seen before."""
        ids = self._song_ids
        if ids is None:
            ids = self._song_ids = {
                (kind, artist, track, album): song
                for song, kind, artist, track, album in db.execute(
                    "SELECT id, kind, artist, track, album FROM songs"
                )
            }
        numbered: list[tuple[object, ...]] = []
        new: list[tuple[int, str, str, str, str]] = []
        next_song = max(ids.values(), default=0) + 1
        for r in rows:
            key = (r[7], r[2], r[3], r[5] or "")
            song = ids.get(key)
            if song is None:
                song = ids[key] = next_song
                next_song += 1
                new.append((song, *key))
            numbered.append((*r, song))
        db.executemany("INSERT INTO songs VALUES (?, ?, ?, ?, ?)", new)
        return numbered

    @contextmanager
    def bulk(self, db: sqlite3.Connection) -> Iterator[None]:
        """Inside a transaction, for a large import: the artist index made afresh at the end (one
        sorted pass) instead of kept up to date row by row."""
        with faults(self.path):
            db.execute("DROP INDEX IF EXISTS records_by_artist")
        yield
        with faults(self.path):
            db.execute(ARTIST_INDEX)

    def merge_sources(self, db: sqlite3.Connection, inserted: int, records: int) -> Added:
        """Inside a transaction, after `add`: re-merges the sources; `inserted` of `records` were new."""
        with faults(self.path):
            change = self._remerge(db) if inserted else 0
            if self._delta is not None:
                summary.apply(db, self._delta)
        self._delta = None
        added = min(max(inserted - change, 0), records)
        return Added(added=added, duplicates=records - added)

    def _remerge(self, db: sqlite3.Connection) -> int:
        """Recomputes `merged` for the whole store; returns how many more records are merged than before.

        Only account and sync records can be merged away, so only they and the extended records near
        them are read: nothing at all for a history from the extended export alone."""
        found = db.execute(
            "SELECT ended_at, source, artist, track, ms_played, kind, uri, merged FROM records "
            "WHERE source IN (?, ?)",
            (ACCOUNT, SYNC),
        ).fetchall()
        if not found:
            return 0
        others = [merge.Record._make(values[:7]) for values in found]
        was = {record.key for record, values in zip(others, found, strict=True) if values[7]}
        near = (
            "SELECT ended_at, source, artist, track, ms_played, kind, uri FROM records "
            "WHERE ended_at >= ? AND ended_at <= ? AND source = ?"
        )
        extended = [
            merge.Record._make(values)
            for low, high in _windows(sorted(r.ended_at for r in others))
            for values in db.execute(near, (low, high, EXTENDED))
        ]
        now = merge.merged_keys(others + extended)
        update = "UPDATE records SET merged = ? WHERE ended_at = ? AND source = ? AND artist = ? AND track = ? AND ms_played = ?"
        db.executemany(update, ((1, *key) for key in now - was))
        db.executemany(update, ((0, *key) for key in was - now))
        for keys, sign in ((now - was, -1), (was - now, +1)):  # what stops and starts counting
            self._changes().see((self._record(db, key) for key in keys), sign)
        return len(now - was) - len(was - now)

    @staticmethod
    def _record(db: sqlite3.Connection, key: tuple[object, ...]) -> summary.Record:
        found = db.execute(
            f"SELECT {summary.FIELDS} FROM records WHERE ended_at = ? AND source = ? AND artist = ? "
            "AND track = ? AND ms_played = ?",
            key,
        ).fetchone()
        return tuple(found)

    def get_meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        with faults(self.path):
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def span(self, kind: str | None = MUSIC) -> tuple[int, int] | None:
        """The first and last end time (Unix ms) of the plays of `kind` (None: of any kind): one step
        into each end of the key."""
        query = "SELECT ended_at FROM records WHERE kind = coalesce(?, kind) AND merged = 0 ORDER BY ended_at {} LIMIT 1"
        first = self._db.execute(query.format("ASC"), (kind,)).fetchone()
        last = self._db.execute(query.format("DESC"), (kind,)).fetchone()
        return None if first is None or last is None else (int(first[0]), int(last[0]))

    def music_between(self, start_ms: int, end_ms: int) -> sqlite3.Cursor:
        """(ended_at, ms_played, artist, track, skipped, album) of the music plays with start <= ended_at
        < end, in time order (of two ending together, the longer first, as sessions need): one range
        scan of the primary key."""
        return self._db.execute(
            "SELECT ended_at, ms_played, artist, track, skipped, album FROM records "
            "WHERE ended_at >= ? AND ended_at < ? AND kind = 'music' AND merged = 0 "
            "ORDER BY ended_at, ms_played DESC",
            (start_ms, end_ms),
        )

    def _names(self) -> dict[int, tuple[str, str, str]]:
        if self._song_names is None:
            with faults(self.path):
                self._song_names = summary.song_names(self._db)
        return self._song_names

    @property
    def summed(self) -> bool:
        """Whether the summary tables can be read (their local hours were made in this time zone)."""
        if self._summed is None:
            with faults(self.path):
                self._summed = summary.usable(self._db)
        return self._summed

    def parts(self, period: stats.Period, start_ms: int, end_ms: int, *, whole: bool) -> stats.Parts:
        """The parts of a period's figures: from the summary tables, or else one pass over its records.
        `whole`: the period holds every record of the history."""
        if self.summed:
            return summary.parts(self._db, start_ms, end_ms, period, whole, self._names)
        return stats.parts_of(self.music_between(start_ms, end_ms))

    def tally(
        self, what: str, start_ms: int, end_ms: int, *, whole: bool = False
    ) -> list[tuple[str, str, int, int]]:
        """(name, artist, ms, plays of 30 s or more) of every artist (track, album, show) of a period."""
        if whole and self.summed:
            return summary.tally(self._db, what)
        names, where, group = summary.ENTRIES[what]
        return self._db.execute(
            f"SELECT {names}, SUM(ms_played), SUM(ms_played >= 30000) FROM records "
            f"WHERE ended_at >= ? AND ended_at < ? AND merged = 0 AND {where} GROUP BY {group}",
            (start_ms, end_ms),
        ).fetchall()

    def names(self, what: str) -> list[tuple[str, str]]:
        """Every (name, artist) of that kind in the whole history."""
        if self.summed:
            return summary.names(self._db, what)
        names, where, group = summary.ENTRIES[what]
        return self._db.execute(
            f"SELECT {names} FROM records WHERE merged = 0 AND {where} GROUP BY {group}"
        ).fetchall()

    def item_rows(self, what: str, name: str, artist: str, start_ms: int, end_ms: int) -> sqlite3.Cursor:
        """(ended_at, ms_played, track) of one artist's (track's, album's) music records in a period, in
        time order."""
        column = {"artists": "artist", "tracks": "track", "albums": "album"}[what]
        by_artist = "" if what == "artists" else "AND artist = ?"
        return self._db.execute(
            "SELECT ended_at, ms_played, track FROM records WHERE ended_at >= ? AND ended_at < ? "
            f"AND kind = 'music' AND merged = 0 AND {column} = ? {by_artist} ORDER BY ended_at",
            (start_ms, end_ms, name) + (() if what == "artists" else (artist,)),
        )

    def artists_rows(self, artists: list[str], start_ms: int, end_ms: int) -> sqlite3.Cursor:
        """(artist, ended_at, ms_played) of these artists' music records in a period (the artist index)."""
        marks = ", ".join("?" * len(artists))
        return self._db.execute(
            "SELECT artist, ended_at, ms_played FROM records "
            f"WHERE artist IN ({marks}) AND ended_at >= ? AND ended_at < ? AND kind = 'music' AND merged = 0",
            (*artists, start_ms, end_ms),
        )

    def forgotten(self, before_ms: int, limit: int) -> list[tuple[str, str, int, int, int]]:
        """(track, artist, plays, ms, last play) of the most played tracks (plays of 30 s or more) not
        played since `before_ms`, most plays first."""
        if self.summed:
            return summary.forgotten(self._db, before_ms, limit)
        return self._db.execute(
            "SELECT track, artist, SUM(ms_played >= 30000) AS plays, SUM(ms_played), "
            "MAX(CASE WHEN ms_played >= 30000 THEN ended_at END) AS last FROM records "
            "WHERE kind = 'music' AND merged = 0 AND track <> '' GROUP BY track, artist "
            "HAVING plays > 0 AND last < ? ORDER BY plays DESC, SUM(ms_played) DESC, track, artist LIMIT ?",
            (before_ms, limit),
        ).fetchall()

    def firsts_between(self, start_ms: int, end_ms: int) -> tuple[dict[str, int], int]:
        """The artists whose first music play of 30 s or more in the whole history ended in [start, end),
        with its end time; and how many tracks (name and artist) had theirs then."""
        if self.summed:
            return summary.firsts(self._db, start_ms, end_ms)
        counted = "FROM records WHERE kind = 'music' AND merged = 0 AND ms_played >= 30000"
        artists = self._db.execute(
            f"SELECT artist, MIN(ended_at) AS first {counted} AND artist <> '' "
            "GROUP BY artist HAVING first >= ? AND first < ?",
            (start_ms, end_ms),
        ).fetchall()
        (tracks,) = self._db.execute(
            f"SELECT count(*) FROM (SELECT MIN(ended_at) AS first {counted} AND track <> '' "
            "GROUP BY track, artist HAVING first >= ? AND first < ?)",
            (start_ms, end_ms),
        ).fetchone()
        return {str(name): int(first) for name, first in artists}, int(tracks)

    def episodes_between(self, start_ms: int, end_ms: int, *, whole: bool = False) -> sqlite3.Cursor:
        """(ended_at, ms_played, show, episode) of the podcast plays with start <= ended_at < end; for
        the `whole` history from the song totals, one row per episode with its summed ms (ended_at 0)."""
        if whole and self.summed:
            return self._db.execute(
                "SELECT 0, SUM(ms), artist, track FROM song_totals WHERE kind = 'episode' GROUP BY artist, track"
            )
        return self._db.execute(
            "SELECT ended_at, ms_played, artist, track FROM records "
            "WHERE ended_at >= ? AND ended_at < ? AND kind = 'episode' AND merged = 0",
            (start_ms, end_ms),
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _private(path: Path) -> None:
    """The folder (0700) and the database file (0600) made for the owner alone, whatever the umask: the
    history is personal data. SQLite gives the -wal and -shm files the database file's mode."""
    folder = path.parent
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _windows(times: list[int]) -> list[tuple[int, int]]:
    """The time ranges (sorted, disjoint) holding every extended record a merge may pair with these."""
    windows: list[tuple[int, int]] = []
    for moment in times:
        low, high = moment - merge.SLACK_MS - merge.MINUTE_MS, moment + merge.REACH_MS
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _statements(script: str) -> list[str]:
    """A migration script as single statements (executescript would commit the open transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
