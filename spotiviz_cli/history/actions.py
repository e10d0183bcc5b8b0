"""History use cases: sync from the API, import export files, stats for a period, all in one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from spotiviz_cli.errors import UsageProblem
from spotiviz_cli.history import importers, stats
from spotiviz_cli.history.store import MUSIC, SYNC, HistoryStore, Row, row
from spotiviz_cli.models import Play
from spotiviz_cli.services import Services

DB_NAME = "history.sqlite3"
SYNC_CURSOR = "sync_after_ms"  # the newest synced play: the `after` of the next sync


def store_path(services: Services) -> Path:
    return services.settings.data_dir / DB_NAME


def open_store(services: Services) -> HistoryStore:
    return HistoryStore(store_path(services))


def play_row(play: Play) -> Row:
    """A play from the API: its time is its end time; it counts its track's whole duration as played."""
    track = play.track
    return row(
        ended_at=int(play.played_at.timestamp() * 1000),
        artist=track.artist_names[0] if track.artist_names else "",
        track=track.name,
        ms_played=track.duration_ms,
        kind=MUSIC,
        source=SYNC,
        album=track.album.name if track.album else None,
        uri=track.uri,
    )


@dataclass(frozen=True)
class SyncResult:
    added: int
    fetched: int
    after_ms: int | None
    path: Path


def sync(services: Services) -> SyncResult:
    from spotiviz_cli.session import authorised_api

    with open_store(services) as store:
        cursor = store.get_meta(SYNC_CURSOR)
        after = int(cursor) if cursor else None
        with authorised_api(services) as api:
            plays = api.recently_played(50, after_ms=after)
        rows = [play_row(p) for p in plays]
        with store.transaction() as db:
            added = store.add(db, rows)
            if rows:
                newest = max(r[4] for r in rows)  # ended_at
                store.set_meta(db, SYNC_CURSOR, str(max(newest, after or 0)))
    return SyncResult(added=added.added, fetched=len(plays), after_ms=after, path=store.path)


@dataclass(frozen=True)
class ImportResult:
    files: int
    added: int
    duplicates: int
    first_ms: int | None
    last_ms: int | None
    path: Path


Progress = Callable[[str, int, int], None]  # file name, records done, records in the file


def import_paths(services: Services, paths: Sequence[Path], progress: Progress | None = None) -> ImportResult:
    """Every history file under `paths`, in one transaction: a bad file leaves the store as it was."""
    files = importers.find_files(paths)
    span = importers.Span()
    added = duplicates = 0
    with open_store(services) as store, store.transaction() as db:
        for file in files:
            if progress is not None:
                progress(file.name, 0, 0)  # reading: the bar pulses until the file is in
            rows = importers.read_file(file, span)  # one file at a time: memory stays flat
            result = store.add(db, rows)
            if progress is not None:
                progress(file.name, len(rows), len(rows))
            added += result.added
            duplicates += result.duplicates
    return ImportResult(len(files), added, duplicates, span.first, span.last, store_path(services))


def period_for(store: HistoryStore, year: int | None, since: date | None, until: date | None) -> stats.Period:
    if year is not None and (since or until):
        raise UsageProblem(
            "--year cannot be combined with --since or --until.", hint="Use one way of choosing."
        )
    if since and until and since > until:
        raise UsageProblem(f"--since {since} is after --until {until}.")
    if year is not None:
        return stats.year_period(year)
    span = store.span(MUSIC)
    today = datetime.now().date()
    first = stats.local_date(span[0]) if span else today
    last = stats.local_date(span[1]) if span else today
    period = stats.dates_period(since, until, first=first, last=last)
    if not since and not until:
        return stats.Period(period.start, period.end, "all time")
    return period


def history_stats(
    services: Services, *, year: int | None = None, since: date | None = None, until: date | None = None
) -> stats.HistoryStats:
    with open_store(services) as store:
        period = period_for(store, year, since, until)
        rows = store.music_between(stats.to_epoch_ms(period.start), stats.to_epoch_ms(period.end))
        return stats.compute(rows, period)
