"""The figures of the Wrapped screen: pure functions over typed models, no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from spotiviz_cli.models import Artist, Play, TimeRange, Track, UserProfile


@dataclass(frozen=True)
class WrappedInputs:
    """Everything Wrapped reads from Spotify, fetched together."""

    user: UserProfile
    time_range: TimeRange
    top_artists: dict[str, list[Artist]]  # by TimeRange.key
    top_tracks: dict[str, list[Track]]
    recent: list[Play]


@dataclass(frozen=True)
class Figures:
    distinct_artists: int
    explicit_share: float | None  # 0..1, None without tracks
    average_length_ms: int | None


@dataclass(frozen=True)
class Wrapped:
    user: UserProfile
    time_range: TimeRange
    top_artists: list[Artist]
    top_tracks: list[Track]
    genres: list[tuple[str, float]]  # share of the rank weight, largest first
    decades: list[tuple[int, int]]  # (1990, tracks), oldest first
    era: str | None
    rising: list[Artist]
    loyal: list[Artist]
    clock: list[int]  # plays by local hour, 24 numbers
    on_repeat: list[tuple[Track, int]]
    figures: Figures
    demo: bool = False
    notes: list[str] = field(default_factory=list)


def _key(artist: Artist) -> str:
    return artist.id or artist.name.casefold()


def top_genres(artists: Sequence[Artist], limit: int = 8) -> list[tuple[str, float]]:
    """Genres weighted by the rank of the artists that carry them: the first of n artists weighs n,
    the last weighs 1. Shares of the total weight; ties broken by name."""
    weights: Counter[str] = Counter()
    count = len(artists)
    for index, artist in enumerate(artists):
        for genre in dict.fromkeys(g.strip().lower() for g in artist.genres if g.strip()):
            weights[genre] += count - index
    total = sum(weights.values())
    if not total:
        return []
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [(genre, weight / total) for genre, weight in ranked[:limit]]


def release_decades(tracks: Sequence[Track]) -> list[tuple[int, int]]:
    """How many tracks come from each release decade of their album, oldest first."""
    counts = Counter(
        year // 10 * 10 for track in tracks if track.album and (year := track.album.release_year) is not None
    )
    return sorted(counts.items())


def era_sentence(decades: Sequence[tuple[int, int]]) -> str | None:
    """ "Mostly the 2010s"; a tie goes to the more recent decade; None without dates."""
    if not decades:
        return None
    total = sum(count for _, count in decades)
    decade, count = max(decades, key=lambda item: (item[1], item[0]))
    share = count / total
    if share >= 0.5:
        return f"Mostly the {decade}s ({share:.0%} of your top tracks)."
    return f"All over the map: the {decade}s lead with {share:.0%} of your top tracks."


def rising_artists(recent_top: Sequence[Artist], year_top: Sequence[Artist]) -> list[Artist]:
    """In the last-4-weeks top but not in the 1-year top, in the 4-week order."""
    known = {_key(a) for a in year_top}
    return [a for a in recent_top if _key(a) not in known]


def loyal_artists(*ranges: Sequence[Artist]) -> list[Artist]:
    """In every range's top, ordered by the sum of their ranks (best first)."""
    if not ranges:
        return []
    ranks = [{_key(a): rank for rank, a in enumerate(artists)} for artists in ranges]
    common = set(ranks[0]).intersection(*ranks[1:])
    first = {_key(a): a for a in ranges[0]}
    return sorted((first[k] for k in common), key=lambda a: (sum(r[_key(a)] for r in ranks), a.name))


def listening_clock(plays: Sequence[Play], zone: tzinfo | None = None) -> list[int]:
    """Plays by hour of day, in local time (or `zone`)."""
    hours = [0] * 24
    for play in plays:
        hours[play.played_at.astimezone(zone).hour] += 1
    return hours


def on_repeat(plays: Sequence[Play], minimum: int = 2) -> list[tuple[Track, int]]:
    """Tracks played at least `minimum` times among the plays; most played first, then most recent."""
    counts: Counter[str] = Counter()
    latest: dict[str, Play] = {}
    for play in plays:
        key = play.track.uri or play.track.id or f"{play.track.name}|{','.join(play.track.artist_names)}"
        counts[key] += 1
        if key not in latest or play.played_at > latest[key].played_at:
            latest[key] = play
    repeated = [(latest[k].track, n, latest[k].played_at) for k, n in counts.items() if n >= minimum]
    repeated.sort(key=lambda item: (-item[1], -item[2].timestamp()))
    return [(track, n) for track, n, _ in repeated]


def figures(tracks: Sequence[Track]) -> Figures:
    if not tracks:
        return Figures(distinct_artists=0, explicit_share=None, average_length_ms=None)
    artists = {a.id or a.name.casefold() for t in tracks for a in t.artists if a.id or a.name}
    return Figures(
        distinct_artists=len(artists),
        explicit_share=sum(t.explicit for t in tracks) / len(tracks),
        average_length_ms=round(sum(t.duration_ms for t in tracks) / len(tracks)),
    )


def compute(inputs: WrappedInputs, *, zone: tzinfo | None = None, demo: bool = False) -> Wrapped:
    key = inputs.time_range.key
    artists = inputs.top_artists.get(key, [])
    tracks = inputs.top_tracks.get(key, [])
    decades = release_decades(tracks)
    notes = []
    genres = top_genres(artists)
    if artists and not genres:
        notes.append("Spotify returned no genres for your top artists, so there is no genre chart.")
    return Wrapped(
        user=inputs.user,
        time_range=inputs.time_range,
        top_artists=artists[:5],
        top_tracks=tracks[:10],
        genres=genres,
        decades=decades,
        era=era_sentence(decades),
        rising=rising_artists(inputs.top_artists.get("short", []), inputs.top_artists.get("long", [])),
        loyal=loyal_artists(*(inputs.top_artists.get(k, []) for k in ("short", "medium", "long"))),
        clock=listening_clock(inputs.recent, zone),
        on_repeat=on_repeat(inputs.recent),
        figures=figures(tracks),
        demo=demo,
        notes=notes,
    )
