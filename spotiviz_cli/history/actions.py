"""History use cases: sync from the API, import export files, stats for a period, all in one place."""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from spotiviz_cli.dates import add_months
from spotiviz_cli.errors import SpotivizError, UsageProblem
from spotiviz_cli.history import stats, views
from spotiviz_cli.history.store import MUSIC, SYNC, HistoryStore, Row, faults, row
from spotiviz_cli.services import Services

if TYPE_CHECKING:
    from spotiviz_cli.history import importers  # loaded by import_paths: parsing pulls in the API models
    from spotiviz_cli.models import Play

SYNC_CURSOR = "sync_after_ms"  # the newest synced play: the `after` of the next sync
LAST_SYNC = "last_sync_at"  # ISO 8601 UTC time of the last successful sync
RECENT_LIMIT = 50  # Spotify keeps this many recent plays, no more
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the periods stats accept (README)


def _unit(last: tuple[int, str]) -> str:
    return stats.LAST_UNITS[last[1]] if last[0] != 1 else stats.LAST_UNITS[last[1]][:-1]


def store_path(services: Services) -> Path:
    return services.history_path


def open_store(services: Services, *, readonly: bool = False) -> HistoryStore:
    return HistoryStore(store_path(services), readonly=readonly)


def play_row(play: Play) -> Row:
    """A play from the API: its time is `played_at`; it counts its track's whole duration as played."""
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
    after_ms: int | None  # the cursor this sync started from: the newest play of the last sync
    oldest_ms: int | None  # the oldest play this sync fetched
    path: Path

    @property
    def may_have_missed(self) -> bool:
        """A full page since the last sync: Spotify may have had more plays than it still keeps."""
        return self.after_ms is not None and self.fetched >= RECENT_LIMIT


def sync(services: Services) -> SyncResult:
    from spotiviz_cli.session import authorised_api

    with open_store(services) as store:
        cursor = store.get_meta(SYNC_CURSOR)
        after = int(cursor) if cursor and cursor.isdigit() else None
        with authorised_api(services) as api:
            plays = api.recently_played(RECENT_LIMIT, after_ms=after)
        rows = [play_row(p) for p in plays]
        with store.transaction() as db:
            result = store.merge_sources(db, store.add(db, rows), len(rows))
            if rows:
                newest = max(r[0] for r in rows)  # ended_at
                store.set_meta(db, SYNC_CURSOR, str(max(newest, after or 0)))
            store.set_meta(db, LAST_SYNC, services.now().isoformat(timespec="seconds"))
    oldest = min((r[0] for r in rows), default=None)
    return SyncResult(result.added, len(plays), after, oldest, store.path)


def last_sync(services: Services) -> str | None:
    """When the last sync ran (ISO 8601, UTC), or None: never, or no history yet."""
    path = store_path(services)
    if not path.is_file():
        return None
    with HistoryStore(path, readonly=True) as store:
        return store.get_meta(LAST_SYNC)


@dataclass(frozen=True)
class ImportResult:
    files: int
    records: int  # every record read
    added: int  # new plays
    duplicates: int  # records already there, or merged into a play from another source
    skipped: dict[str, int]  # records left out, by reason
    ignored_files: list[importers.Ignored]
    first_ms: int | None
    last_ms: int | None
    path: Path


Progress = Callable[[str, int, int], None]  # file name, records done, records in the file


@dataclass
class _Tally:
    records: int = 0
    rows: int = 0
    inserted: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    first: int | None = None
    last: int | None = None

    def see(self, file: importers.FileRows, inserted: int) -> None:
        self.records += file.records
        self.rows += len(file.rows)
        self.inserted += inserted
        self.skipped.update(file.skipped)
        if file.rows:
            times = [r[0] for r in file.rows]
            low, high = min(times), max(times)
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while an import runs: it holds hundreds of thousands of live rows and
    sums, which every full collection would walk again (2 s of a million-play import), and makes no
    cycles worth collecting."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def import_paths(services: Services, paths: Sequence[Path], progress: Progress | None = None) -> ImportResult:
    """Every history file under `paths`, in one transaction: a bad file or record leaves the store as it was.

    One file is in memory at a time, and none over the size limit is read."""
    from spotiviz_cli.history import importers

    settings = services.settings
    latest = int(services.now().timestamp() * 1000) + importers.DAY_MS
    path = store_path(services)
    existed = path.exists()
    tally = _Tally()
    with importers.ExportReader(max_bytes=settings.max_import_bytes, latest_ms=latest) as reader:
        files, ignored = reader.find(paths)
        try:
            large = sum(f.size for f in files) >= importers.PARALLEL_BYTES
            with open_store(services) as store, store.transaction() as db, _no_gc():
                with store.bulk(db) if large else contextlib.nullcontext():
                    for file, checked in reader.read_all(files):
                        tally.see(checked, store.add(db, checked.rows))
                        if progress is not None:
                            progress(file.name, checked.records, checked.records)
                result = store.merge_sources(db, tally.inserted, tally.rows)
        except BaseException:
            if not existed:  # a failed first import leaves no empty database behind
                for leftover in (
                    path,
                    path.with_name(path.name + "-wal"),
                    path.with_name(path.name + "-shm"),
                ):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
            raise
    return ImportResult(
        files=len(files),
        records=tally.records,
        added=result.added,
        duplicates=result.duplicates,
        skipped=dict(sorted(tally.skipped.items())),
        ignored_files=ignored,
        first_ms=tally.first,
        last_ms=tally.last,
        path=path,
    )


def check_year(year: int, option: str = "--year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageProblem(
            f"{option} must be a year from {FIRST_YEAR} to {LAST_YEAR}, not {year}.",
            hint="Example: --year 2025",
        )


@dataclass(frozen=True)
class PeriodChoice:
    """The period options of a history view: at most one way of choosing (none: all of it)."""

    year: int | None = None
    month: tuple[int, int] | None = None  # --month YYYY-MM
    last: tuple[int, str] | None = None  # --last 30d: (30, "d")
    since: date | None = None
    until: date | None = None

    def check(self) -> None:
        """The options as a usage error, before any file is opened."""
        ways = [n for n, v in (("--year", self.year), ("--month", self.month), ("--last", self.last)) if v]
        if self.since or self.until:
            ways.append("--since/--until")
        if len(ways) > 1:
            raise UsageProblem(f"{' and '.join(ways)} cannot be combined.", hint="Use one way of choosing.")
        if self.year is not None:
            check_year(self.year)
        if self.month is not None:
            check_year(self.month[0], "--month")
            if not 1 <= self.month[1] <= 12:
                raise UsageProblem(f"--month must be a month like 2025-03, not month {self.month[1]}.")
        if self.last is not None and not 1 <= self.last[0] <= 10_000:
            raise UsageProblem(
                f"--last must be from 1 to 10000 units, not {self.last[0]}.", hint="Example: --last 30d"
            )
        for day, option in ((self.since, "--since"), (self.until, "--until")):
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise UsageProblem(
                    f"{option} must be a day from {FIRST_YEAR} to {LAST_YEAR}, not {day}.",
                    hint="Example: --since 2025-01-01",
                )
        if self.since and self.until and self.since > self.until:
            raise UsageProblem(f"--since {self.since} is after --until {self.until}.")

    def period(self, covers: tuple[date, date] | None, today: date) -> stats.Period:
        """The period chosen (after `check`); `covers` is the history's first and last day, for the open
        ends of --since/--until and for all time."""
        if self.year is not None:
            return stats.year_period(self.year)
        if self.month is not None:
            return stats.month_period(*self.month)
        if self.last is not None:
            return stats.last_period(*self.last, today)
        first, last = covers or (today, today)
        since, until = self.since, self.until
        if since and not until and since > last:
            last = since
        if until and not since and until < first:
            first = until
        period = stats.dates_period(since, until, first=first, last=last)
        if not since and not until:
            return stats.Period(period.start, period.end, "all time")
        return period

    def previous(self, period: stats.Period) -> stats.Period | None:
        """The period of the same length just before: the year, month or span before; none for all time."""
        if self.year is not None:
            return stats.year_period(self.year - 1) if self.year > FIRST_YEAR else None
        if self.month is not None:
            year, month = self.month
            return stats.month_period(year - 1, 12) if month == 1 else stats.month_period(year, month - 1)
        if self.last is not None and self.last[1] in "my":
            months = self.last[0] * (12 if self.last[1] == "y" else 1)
            start = add_months(period.start, -months)
            return stats.Period(start, period.start, f"the {self.last[0]} {_unit(self.last)} before")
        if self.last is not None or self.since or self.until:
            length = period.end - period.start
            return stats.Period(period.start - length, period.start, f"the {length.days} days before")
        return None


@dataclass(frozen=True)
class PeriodStats:
    figures: stats.HistoryStats
    covers: tuple[date, date] | None  # the first and last day of music in the whole history

    def empty_note(self) -> str | None:
        """What to say when the period has no plays: which period the history does cover."""
        if self.figures.plays:
            return None
        if self.covers is None:
            return (
                "Your history has no music yet: fill it with `spotiviz history import my_spotify_data.zip` "
                "or `spotiviz history sync`."
            )
        first, last = self.covers
        return f"No plays in {self.figures.period.label}. Your history covers {first} to {last}."


@dataclass(frozen=True)
class Chosen:
    """A period chosen on the command line, resolved against the history."""

    period: stats.Period
    before: stats.Period | None  # the period of the same length just before; None for all time
    covers: tuple[date, date] | None  # the first and last day of music in the whole history
    start: int  # Unix ms of period.start and period.end
    end: int
    whole: bool  # the period holds every record of the history, of any kind

    def bounds(self, period: stats.Period) -> tuple[int, int]:
        return stats.to_epoch_ms(period.start), stats.to_epoch_ms(period.end)


def _chosen(store: HistoryStore, choice: PeriodChoice) -> Chosen:
    span = store.span(MUSIC)
    covers = (stats.local_date(span[0]), stats.local_date(span[1])) if span else None
    period = choice.period(covers, datetime.now().date())
    start, end = stats.to_epoch_ms(period.start), stats.to_epoch_ms(period.end)
    every = store.span(None)  # of any kind: a period that holds all of it reads the all-time sums
    whole = every is None or (start <= every[0] and every[1] < end)
    return Chosen(period, choice.previous(period), covers, start, end, whole)


def history_stats(
    services: Services,
    *,
    year: int | None = None,
    since: date | None = None,
    until: date | None = None,
    choice: PeriodChoice | None = None,
) -> PeriodStats:
    """The figures of a period, read without writing: works on a read-only database, creates none."""
    choice = choice or PeriodChoice(year=year, since=since, until=until)
    choice.check()
    path = store_path(services)
    with open_store(services, readonly=True) as store, faults(path):
        return _period_stats(store, _chosen(store, choice))


def _period_stats(store: HistoryStore, chosen: Chosen) -> PeriodStats:
    start, end = chosen.start, chosen.end
    episodes = store.episodes_between(start, end, whole=chosen.whole).fetchall()
    firsts = stats.Firsts(*store.firsts_between(start, end))
    parts = store.parts(chosen.period, start, end, whole=chosen.whole)
    figures = stats.figures(parts, chosen.period, episodes=episodes, firsts=firsts)
    if chosen.before is not None:
        before = store.parts(chosen.before, *chosen.bounds(chosen.before), whole=False)
        figures = figures.against_parts(chosen.before, before)
    return PeriodStats(figures, chosen.covers)


@dataclass(frozen=True)
class ReportFigures:
    """What `spotiviz report` draws: the figures of `history stats`, and the top artists' minutes by month."""

    stats: PeriodStats
    artists_by_month: dict[str, dict[str, float]]  # artist -> {"YYYY-MM": minutes}, the top artists in order


REPORT_ARTISTS = 8  # the artists drawn over time


def history_report(services: Services, *, choice: PeriodChoice) -> ReportFigures:
    """The figures of a period for the HTML report, read without writing."""
    choice.check()
    with open_store(services, readonly=True) as store, faults(store_path(services)):
        chosen = _chosen(store, choice)
        period_stats = _period_stats(store, chosen)
        names = [a.name for a in period_stats.figures.top_artists[:REPORT_ARTISTS]]
        by_month = views.months_of(store.artists_rows(names, chosen.start, chosen.end), names)
    return ReportFigures(period_stats, by_month)


MAX_LIMIT = 1000  # the longest list a history view prints (README)


def history_top(
    services: Services, what: str, *, by: str = "minutes", limit: int = 10, choice: PeriodChoice
) -> tuple[Chosen, list[views.Entry]]:
    """The top artists (tracks, albums, shows) of a period, each with its rank in the previous one."""
    choice.check()
    with open_store(services, readonly=True) as store, faults(store_path(services)):
        chosen = _chosen(store, choice)
        tally = store.tally(what, chosen.start, chosen.end, whole=chosen.whole)
        previous = store.tally(what, *chosen.bounds(chosen.before)) if chosen.before else None
    return chosen, views.top(tally, by=by, limit=limit, previous=previous)


class NotInHistory(SpotivizError):
    """A name that is not in the history; the message lists the closest ones."""


@dataclass(frozen=True)
class Item:
    chosen: Chosen
    figures: views.ItemFigures
    others: list[str]  # the artists of other tracks (albums) of that name, when --artist was not given


def history_item(
    services: Services, what: str, name: str, *, artist: str | None = None, choice: PeriodChoice
) -> Item:
    """One artist (track, album) over a period: `what` is artists, tracks or albums. The name is matched
    case-insensitively; of several tracks (albums) of that name, the one with the most minutes in the
    period is shown, then the one with the most in the whole history."""
    choice.check()
    with open_store(services, readonly=True) as store, faults(store_path(services)):
        every = store.names(what)
        found = views.matches(name, artist, every)
        if not found:
            raise _not_found(what, name, artist, every)
        chosen = _chosen(store, choice)
        ranked = views.ranking(store.tally(what, chosen.start, chosen.end, whole=chosen.whole))
        rank_of = {(e.name, e.artist): e for e in ranked}
        if len(found) > 1:
            whole = {
                (e.name, e.artist): e.rank for e in views.ranking(store.tally(what, 0, 2**62, whole=True))
            }

            def preference(pair: tuple[str, str]) -> tuple[int, int]:
                entry = rank_of.get(pair)
                return (0, entry.rank) if entry else (1, whole.get(pair, 0))

            found.sort(key=preference)
        title, by = found[0]
        entry = rank_of.get((title, by))
        rows = store.item_rows(what, title, by, chosen.start, chosen.end)
        figures = views.item_figures(what[:-1], title, by, rows, chosen.period, entry.rank if entry else None)
    others = [other for _, other in found[1:] if other]
    return Item(chosen, figures, others)


def _not_found(what: str, name: str, artist: str | None, every: list[tuple[str, str]]) -> NotInHistory:
    noun = what[:-1]
    near = views.closest(name, every)
    if artist is not None and views.matches(name, None, every):
        by = sorted({a for _, a in views.matches(name, None, every)})
        return NotInHistory(
            f"No {noun} called '{name}' by '{artist}' in your history.",
            hint=f"It is there by: {', '.join(by[:5])}.",
        )
    listed = "; ".join(f"{n} ({a})" if a else n for n, a in near)
    return NotInHistory(
        f"No {noun} called '{name}' in your history.",
        hint=f"The closest: {listed}." if listed else f"Check the name with `spotiviz history top {what}`.",
    )


def rediscover(
    services: Services, *, limit: int = 20, not_since: tuple[int, str] = (6, "m")
) -> tuple[stats.Period, list[views.Forgotten]]:
    """Forgotten favourites: the most played tracks of the whole history with no play in the span
    `not_since` that ends today."""
    PeriodChoice(last=not_since).check()
    recent = stats.last_period(*not_since, datetime.now().date())
    with open_store(services, readonly=True) as store, faults(store_path(services)):
        rows = store.forgotten(stats.to_epoch_ms(recent.start), limit)
    return recent, views.forgotten(rows)


def on_this_day(services: Services, day: date) -> list[views.DayInYear]:
    """What was played on `day`'s calendar day in each earlier year of the history, newest first."""
    found = []
    with open_store(services, readonly=True) as store, faults(store_path(services)):
        span = store.span(MUSIC)
        if span is None:
            return []
        for year in range(day.year - 1, stats.local_date(span[0]).year - 1, -1):
            same = views.same_day_in(year, day)
            if same is None:
                continue
            start = datetime.combine(same, datetime.min.time())
            rows = store.music_between(stats.to_epoch_ms(start), stats.to_epoch_ms(start + timedelta(days=1)))
            figures = views.day_in_year(same, rows)
            if figures.minutes:
                found.append(figures)
    return found
