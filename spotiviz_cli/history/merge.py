"""One listen, whatever the sources: which stored records are the same play as a richer source's record.

Every record from every source is kept in the store; this module decides, as a pure function of the
whole set, which of them are merged into another source's play and so left out of every figure. Being
a function of the set and nothing else, the answer cannot depend on the order or grouping in which the
sources were imported.

The rule (README, "One play, whatever the sources"):
- Richness: the extended history beats the account data, which beats `history sync`. Extended records
  are never merged away.
- Account data -> extended history: the same kind, the same end minute (the account data cuts `endTime`
  to the minute), the same ms played, and the same artist and track compared case-insensitively (an
  account record without names matches on time and ms alone).
- Sync -> an export play: the same track (its URI when both records have one, otherwise artist and track
  compared case-insensitively), and `played_at`, which Spotify gives as the start or the end of the play,
  within SLACK_MS of the export play's span [end - ms played, end]. Each export play absorbs at most one
  sync play; a sync play goes to the candidate nearest to its start or end, ties to the earlier one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

EXTENDED, ACCOUNT, SYNC = "extended", "account", "sync"
MUSIC = "music"
SLACK_MS = 120_000  # "in or near" the export play's span: a couple of minutes
MINUTE_MS = 60_000
MAX_PLAY_MS = 24 * 3_600_000  # no record plays longer (checked at import), so no span reaches further
REACH_MS = MAX_PLAY_MS + SLACK_MS  # how far from a sync play its export play can end

Key = tuple[int, str, str, str, int]  # the store's primary key: ended_at, source, artist, track, ms_played


@dataclass(frozen=True)
class Record:
    """What merging needs of a stored record."""

    ended_at: int  # Unix ms; the minute's start for the account data
    source: str
    artist: str
    track: str
    ms_played: int
    kind: str
    uri: str | None

    @property
    def key(self) -> Key:
        return (self.ended_at, self.source, self.artist, self.track, self.ms_played)

    @property
    def names(self) -> tuple[str, str]:
        return (self.artist.casefold(), self.track.casefold())

    @property
    def span(self) -> tuple[int, int]:
        """The earliest start and the latest end this record allows (the account data's end is a minute)."""
        end = self.ended_at + (MINUTE_MS - 1 if self.source == ACCOUNT else 0)
        return self.ended_at - self.ms_played, end


def merged_keys(records: Iterable[Record]) -> set[Key]:
    """The keys of the records that are the same listen as a richer record: these do not count."""
    by_source: dict[str, list[Record]] = {EXTENDED: [], ACCOUNT: [], SYNC: []}
    for record in records:
        by_source[record.source].append(record)
    for group in by_source.values():
        group.sort(key=lambda r: r.key)
    merged: set[Key] = set()
    exports = by_source[EXTENDED] + _account_plays(by_source[ACCOUNT], by_source[EXTENDED], merged)
    _absorb_sync_plays(by_source[SYNC], exports, merged)
    return merged


def _account_plays(account: list[Record], extended: list[Record], merged: set[Key]) -> list[Record]:
    """Marks the account records the extended history also holds; returns the others."""
    slots: dict[tuple[str, int, int], list[Record]] = {}
    for record in extended:
        slots.setdefault((record.kind, record.ended_at // MINUTE_MS, record.ms_played), []).append(record)
    kept: list[Record] = []
    for record in account:
        candidates = slots.get((record.kind, record.ended_at // MINUTE_MS, record.ms_played), [])
        nameless = not record.artist and not record.track
        for index, candidate in enumerate(candidates):
            if nameless or candidate.names == record.names:
                del candidates[index]  # each extended record stands for one account record at most
                merged.add(record.key)
                break
        else:
            kept.append(record)
    return kept


def _absorb_sync_plays(sync: list[Record], exports: list[Record], merged: set[Key]) -> None:
    music = [record for record in exports if record.kind == MUSIC]
    by_uri = _Index.of(music, lambda r: r.uri)
    by_names = _Index.of(music, lambda r: r.names)
    used: set[Key] = set()
    for play in sync:
        candidates = by_uri.near(play.uri, play) if play.uri else []
        candidates += [c for c in by_names.near(play.names, play) if not (c.uri and play.uri)]
        best: tuple[int, Key] | None = None
        for candidate in candidates:
            if candidate.key in used:
                continue
            start, end = candidate.span
            if not start - SLACK_MS <= play.ended_at <= end + SLACK_MS:
                continue
            # played_at is the start or the end: the distance to the nearer of the two
            distance = min(abs(play.ended_at - start), abs(play.ended_at - end))
            if candidate.source == ACCOUNT:  # its start and end are only known to the minute
                distance = max(0, distance - MINUTE_MS)
            if best is None or (distance, candidate.key) < best:
                best = (distance, candidate.key)
        if best is not None:
            used.add(best[1])
            merged.add(play.key)


@dataclass(frozen=True)
class _Index:
    """Export plays grouped by a track identity, each group in time order, for a bisect by end time."""

    groups: dict[object, tuple[list[int], list[Record]]]

    @classmethod
    def of(cls, records: list[Record], identity: Callable[[Record], object]) -> _Index:
        grouped: dict[object, list[Record]] = {}
        for record in records:
            if (value := identity(record)) is not None:
                grouped.setdefault(value, []).append(record)
        groups = {}
        for value, group in grouped.items():
            group.sort(key=lambda r: r.key)
            groups[value] = ([r.ended_at for r in group], group)
        return cls(groups)

    def near(self, value: object, play: Record) -> list[Record]:
        """The records of that identity ending from a little before the play to REACH_MS after it."""
        ends, group = self.groups.get(value, ([], []))
        low = bisect_left(ends, play.ended_at - SLACK_MS - MINUTE_MS)
        high = bisect_right(ends, play.ended_at + REACH_MS)
        return group[low:high]
