"""The SQLite history store: schema, migrations, and one-transaction writes of plays.

A play's identity, for de-duplication across runs and sources, is its end time truncated to the
minute, artist, track and ms played: the table's primary key, so `INSERT OR IGNORE` drops repeats.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spotiviz_cli.errors import SpotivizError

MUSIC, EPISODE, AUDIOBOOK = "music", "episode", "audiobook"
SYNC, EXTENDED, ACCOUNT = "sync", "extended", "account"

# Each entry moves the schema from version N to N+1; PRAGMA user_version holds the current N.
# The primary key starts with the end minute, so the table itself is ordered by time: period queries
# scan a range of it and no secondary index has to be kept up to date during a large import.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE plays (
        ended_minute INTEGER NOT NULL,  -- identity: ended_at // 60000
        artist       TEXT    NOT NULL,  -- '' when the source has none, the show for episodes
        track        TEXT    NOT NULL,  -- the episode or chapter for podcasts and audiobooks
        ms_played    INTEGER NOT NULL,
        ended_at     INTEGER NOT NULL,  -- Unix time in ms, UTC: when the stream ended
        album        TEXT,
        uri          TEXT,
        kind         TEXT    NOT NULL,  -- music | episode | audiobook (no CHECK: it costs 20% of an import)
        source       TEXT    NOT NULL,  -- sync | extended | account
        reason_start TEXT,
        reason_end   TEXT,
        shuffle      INTEGER,
        skipped      INTEGER,
        platform     TEXT,
        offline_at   INTEGER,           -- Unix time in ms, when the export records an offline play
        PRIMARY KEY (ended_minute, artist, track, ms_played)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

COLUMNS = (
    "ended_minute", "artist", "track", "ms_played", "ended_at", "album", "uri", "kind", "source",
    "reason_start", "reason_end", "shuffle", "skipped", "platform", "offline_at",
)  # fmt: skip
INSERT = f"INSERT OR IGNORE INTO plays ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

# One row as the importers build it: the COLUMNS, in order.
Row = tuple[
    int, str, str, int, int, str | None, str | None, str, str,
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
        ended_at // 60000, artist, track, ms_played, ended_at, album, uri, kind, source,
        reason_start, reason_end,
        None if shuffle is None else int(shuffle), None if skipped is None else int(skipped),
        platform, offline_at,
    )  # fmt: skip


@dataclass(frozen=True)
class Added:
    added: int
    duplicates: int


class HistoryStore:
    """One SQLite file. Writes happen in `transaction()`: all of it lands, or none."""

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # timeout: a cron sync waits for an import in progress instead of failing at once
            self._db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA cache_size = -65536")  # 64 MiB
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise SpotivizError(
                f"Cannot open the history database {path}: {exc}.",
                hint="If the file is damaged, move it away; set SPOTIVIZ_DATA_DIR to use another folder.",
            ) from None

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise SpotivizError(
                f"The history database {self.path} was written by a newer spotiviz (schema {version}).",
                hint="Upgrade spotiviz: pip install --upgrade spotiviz",
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise SpotivizError(
                f"The history database {self.path} is busy ({exc}).",
                hint="Another spotiviz is importing or syncing; try again when it has finished.",
            ) from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, db: sqlite3.Connection, rows: Sequence[Row]) -> Added:
        """Inside a transaction: insert what is new, count what was already there."""
        before = db.total_changes
        db.executemany(INSERT, rows)
        added = db.total_changes - before
        return Added(added=added, duplicates=len(rows) - added)

    def get_meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def span(self, kind: str = MUSIC) -> tuple[int, int] | None:
        """The first and last end time (Unix ms) of `kind`: one step into each end of the time-ordered key."""
        query = "SELECT ended_at FROM plays WHERE kind = ? ORDER BY ended_minute {} LIMIT 1"
        first = self._db.execute(query.format("ASC"), (kind,)).fetchone()
        last = self._db.execute(query.format("DESC"), (kind,)).fetchone()
        return None if first is None or last is None else (int(first[0]), int(last[0]))

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return int(self._db.execute("SELECT count(*) FROM plays").fetchone()[0])
        return int(self._db.execute("SELECT count(*) FROM plays WHERE kind = ?", (kind,)).fetchone()[0])

    def music_between(self, start_ms: int, end_ms: int) -> sqlite3.Cursor:
        """(ended_at, ms_played, artist, track, skipped) of music plays with start <= ended_at < end.

        The minute bounds let SQLite scan just that range of the primary key; ended_at makes it exact."""
        return self._db.execute(
            "SELECT ended_at, ms_played, artist, track, skipped FROM plays "
            "WHERE ended_minute >= ? AND ended_minute <= ? AND ended_at >= ? AND ended_at < ? AND kind = 'music'",
            (start_ms // 60000, end_ms // 60000, start_ms, end_ms),
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
