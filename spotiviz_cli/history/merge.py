"""One listen, whatever the sources: which stored records are the same play as a richer source's record.

Every record from every source is kept in the store; this module decides, as a pure function of the
whole set, which of them are merged into another source's play and so left out of every figure. Being
a function of the set and nothing else, the answer cannot depend on the order or grouping in which the
sources were imported.

The rule (README, "One play, whatever the sources"):
- Richness: the extended history beats the account data, which beats `history sync`. Extended records
  are never merged away.
- Account data -> extended history: the same kind, the same end minute (the account data cuts `endTime`
  to the minute), the same ms played give or take ACCOUNT_MS_SLACK (the closest wins), and the same
  artist and track compared case-insensitively (an account record without names matches on time and
  ms alone).
- Sync -> an export play: the same track (its URI when both records have one, otherwise artist and track
  compared case-insensitively), and `played_at`, which Spotify gives as the start or the end of the play,
  within SLACK_MS of the export play's span [end - ms played, end]. Only export plays of 30 s or more can
  match: Spotify lists a play among the recent ones after 30 s. Each export play absorbs at most one sync
  play, and the pairs are chosen so that as many sync plays as possible are absorbed (`_pair`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import NamedTuple

EXTENDED, ACCOUNT, SYNC = "extended", "account", "sync"
MUSIC = "music"
SLACK_MS = 120_000  # "in or near" the export play's span: a couple of minutes
MINUTE_MS = 60_000
ACCOUNT_MS_SLACK = 2_000  # both exports come from one log; a little slack in case they round apart
RECENT_PLAY_MS = 30_000  # Spotify's recently-played lists a play after 30 s
MAX_PLAY_MS = 24 * 3_600_000  # no record plays longer (checked at import), so no span reaches further
REACH_MS = MAX_PLAY_MS + SLACK_MS  # how far from a sync play its export play can end

Key = tuple[int, str, str, str, int]  # the store's primary key: ended_at, source, artist, track, ms_played


class Record(NamedTuple):
    """What merging needs of a stored record. A tuple whose first five fields are the store's unique key,
    so records sort by time and compare and hash cheaply (a merge may handle a few hundred thousand)."""

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
        group.sort()
    merged: set[Record] = set()
    exports = by_source[EXTENDED] + _account_plays(by_source[ACCOUNT], by_source[EXTENDED], merged)
    _absorb_sync_plays(by_source[SYNC], exports, merged)
    return {record.key for record in merged}


def _account_plays(account: list[Record], extended: list[Record], merged: set[Record]) -> list[Record]:
    """Marks the account records the extended history also holds; returns the others."""
    slots: dict[tuple[str, int], list[Record]] = {}
    for record in extended:
        slots.setdefault((record.kind, record.ended_at // MINUTE_MS), []).append(record)
    kept: list[Record] = []
    for record in account:
        candidates = slots.get((record.kind, record.ended_at // MINUTE_MS), [])
        nameless = not record.artist and not record.track
        best: tuple[int, Record, int] | None = None
        for index, candidate in enumerate(candidates):
            gap = abs(candidate.ms_played - record.ms_played)
            same = gap <= ACCOUNT_MS_SLACK and (nameless or candidate.names == record.names)
            if same and (best is None or (gap, candidate) < best[:2]):
                best = (gap, candidate, index)
        if best is None:
            kept.append(record)
        else:
            del candidates[best[2]]  # each extended record stands for one account record at most
            merged.add(record)
    return kept


def _absorb_sync_plays(sync: list[Record], exports: list[Record], merged: set[Record]) -> None:
    candidates = [r for r in exports if r.kind == MUSIC and r.ms_played >= RECENT_PLAY_MS]
    used: set[Record] = set()
    # the same track: by URI where both records have one, then by names where they do not
    _pair(sync, [c for c in candidates if c.uri], lambda r: r.uri, used, merged)
    left = [c for c in candidates if c not in used]
    with_uri = [p for p in sync if p.uri and p not in merged]
    _pair(with_uri, [c for c in left if not c.uri], lambda r: r.names, used, merged)
    without_uri = [p for p in sync if not p.uri]
    _pair(without_uri, [c for c in left if c not in used], lambda r: r.names, used, merged)


def _pair(
    plays: list[Record],
    exports: list[Record],
    identity: Callable[[Record], object],
    used: set[Record],
    merged: set[Record],
) -> None:
    """Pairs sync plays with the export plays of the same identity whose span (with SLACK_MS) holds them.

    Each group is swept in time order; a play takes, of the spans that hold it and are still free, the one
    that ends first. For points and intervals this greedy pairs as many as any pairing can, so a run of
    one track on repeat, with played_at a few seconds off, still pairs every play."""
    spans: dict[object, list[tuple[int, int, Record]]] = {}
    for export in exports:
        start, end = export.span
        spans.setdefault(identity(export), []).append((start - SLACK_MS, end + SLACK_MS, export))
    points: dict[object, list[Record]] = {}
    for play in plays:
        if identity(play) in spans:
            points.setdefault(identity(play), []).append(play)
    for value, group in points.items():
        waiting = sorted(spans[value])
        open_spans: list[tuple[int, Record]] = []  # a heap of the spans begun and not yet ended, by end
        next_span = 0
        for play in sorted(group):
            while next_span < len(waiting) and waiting[next_span][0] <= play.ended_at:
                _, end, export = waiting[next_span]
                heapq.heappush(open_spans, (end, export))
                next_span += 1
            while open_spans and open_spans[0][0] < play.ended_at:
                heapq.heappop(open_spans)  # ended before this play: no later play can use it either
            if open_spans:
                used.add(heapq.heappop(open_spans)[1])
                merged.add(play)
