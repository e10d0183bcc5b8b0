"""Typed, frozen models of what Spotify returns; raw JSON stops here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, TypeVar

from spotiviz_cli.errors import SpotifyError

T = TypeVar("T")


class BadPayload(SpotifyError):
    """A response body that is not the JSON shape spotiviz expects."""

    def __init__(self, endpoint: str, what: str) -> None:
        super().__init__(
            f"Spotify's answer to {endpoint} was not what spotiviz expected ({what}).",
            hint="Try again; if it keeps happening, run with SPOTIVIZ_DEBUG=1 and report it.",
        )


def _obj(data: Any, endpoint: str, what: str = "an object") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadPayload(endpoint, f"expected {what}")
    return data


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class UserProfile:
    id: str
    display_name: str | None
    url: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str = "/me") -> UserProfile:
        obj = _obj(data, endpoint)
        urls = obj.get("external_urls")
        return cls(
            id=_opt_str(obj, "id") or "",  # optional in the API description, however unlikely
            display_name=_opt_str(obj, "display_name"),
            url=_opt_str(urls, "spotify") if isinstance(urls, dict) else None,
        )

    @property
    def label(self) -> str:
        if self.display_name and self.id:
            return f"{self.display_name} ({self.id})"
        return self.display_name or self.id or "(a Spotify user without a name)"


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ms(data: dict[str, Any], key: str) -> int:
    """A duration or a position: a whole number of ms, never negative (0 when missing or odd)."""
    return max(0, _opt_int(data, key) or 0)


def _first_image_url(data: dict[str, Any]) -> str | None:
    images = data.get("images")
    first = images[0] if isinstance(images, list) and images else None
    return _opt_str(first, "url") if isinstance(first, dict) else None


def _url(data: dict[str, Any]) -> str | None:
    urls = data.get("external_urls")
    return _opt_str(urls, "spotify") if isinstance(urls, dict) else None


def utc_iso(moment: datetime, timespec: str = "seconds") -> str:
    """A moment as Spotify writes it: ISO 8601 in UTC with a Z."""
    return moment.astimezone(timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")


_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|z|[+-]\d\d(?::?\d\d)?)?", re.ASCII
)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time -> an aware datetime (UTC when it names no zone); ValueError when it is not one.

    By hand, because `datetime.fromisoformat` on Python 3.10 refuses fractions other than 3 or 6 digits
    (`2026-11-20T10:00:00.5Z`), and Spotify sends any."""
    found = _ISO.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"not an ISO 8601 time: {text[:40]!r}")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    if zone in (None, "Z", "z"):
        return moment.replace(tzinfo=timezone.utc)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return moment.replace(tzinfo=timezone(sign * offset))


def _time(data: dict[str, Any], key: str, endpoint: str) -> datetime:
    value = data.get(key)
    try:
        return parse_instant(value) if isinstance(value, str) else parse_instant("")
    except (ValueError, OverflowError):
        raise BadPayload(endpoint, f"{key!r} is not a timestamp") from None


@dataclass(frozen=True)
class ArtistRef:
    """A simplified artist, as inside a track: no genres."""

    name: str
    id: str | None = None
    uri: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> ArtistRef:
        obj = _obj(data, endpoint, "an artist")
        return cls(name=_opt_str(obj, "name") or "", id=_opt_str(obj, "id"), uri=_opt_str(obj, "uri"))


@dataclass(frozen=True)
class Album:
    name: str
    release_date: str | None = None  # "1999", "1999-05" or "1999-05-21", by release_date_precision
    album_type: str | None = None
    image_url: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> Album:
        obj = _obj(data, endpoint, "an album")
        return cls(
            name=_opt_str(obj, "name") or "",
            release_date=_opt_str(obj, "release_date"),
            album_type=_opt_str(obj, "album_type"),
            image_url=_first_image_url(obj),
        )

    @property
    def release_year(self) -> int | None:
        head = (self.release_date or "")[:4]
        return int(head) if head.isdigit() and head != "0000" else None


@dataclass(frozen=True)
class Track:
    name: str
    artists: tuple[ArtistRef, ...]
    duration_ms: int
    id: str | None = None  # None for local files
    uri: str | None = None
    album: Album | None = None
    explicit: bool = False
    is_local: bool = False
    url: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> Track:
        obj = _obj(data, endpoint, "a track")
        artists = obj.get("artists")
        album = obj.get("album")
        is_local = obj.get("is_local") is True
        return cls(
            name=_opt_str(obj, "name") or "",
            artists=tuple(ArtistRef.from_json(a, endpoint) for a in artists if isinstance(a, dict))
            if isinstance(artists, list)
            else (),
            duration_ms=_ms(obj, "duration_ms"),
            id=None if is_local else _opt_str(obj, "id"),  # a local file has no Spotify id (README)
            uri=_opt_str(obj, "uri"),
            album=Album.from_json(album, endpoint) if isinstance(album, dict) else None,
            explicit=obj.get("explicit") is True,
            is_local=is_local,
            url=_url(obj),
        )

    @property
    def artist_names(self) -> list[str]:
        return [a.name for a in self.artists if a.name]


@dataclass(frozen=True)
class Artist:
    """A full artist, as in top artists. Genres may be empty: Spotify deprecated them in 2026."""

    name: str
    id: str | None = None
    uri: str | None = None
    genres: tuple[str, ...] = ()
    url: str | None = None
    image_url: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> Artist:
        obj = _obj(data, endpoint, "an artist")
        genres = obj.get("genres")
        return cls(
            name=_opt_str(obj, "name") or "",
            id=_opt_str(obj, "id"),
            uri=_opt_str(obj, "uri"),
            genres=tuple(g for g in genres if isinstance(g, str)) if isinstance(genres, list) else (),
            url=_url(obj),
            image_url=_first_image_url(obj),
        )


@dataclass(frozen=True)
class Play:
    """One item of recently-played."""

    played_at: datetime
    track: Track
    context_uri: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> Play | None:
        """None for a play whose track Spotify no longer returns (null), or without its time: left out
        (and still counted by the page, so paging goes on)."""
        obj = _obj(data, endpoint, "a play")
        if not isinstance(obj.get("track"), dict) or not isinstance(obj.get("played_at"), str):
            return None
        context = obj.get("context")
        try:
            played_at = _time(obj, "played_at", endpoint)
        except BadPayload:
            return None
        return cls(
            played_at=played_at,
            track=Track.from_json(obj.get("track"), endpoint),
            context_uri=_opt_str(context, "uri") if isinstance(context, dict) else None,
        )


@dataclass(frozen=True)
class SavedTrack:
    added_at: datetime
    track: Track

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> SavedTrack | None:
        """None for a liked song whose track Spotify no longer returns (null), or without its time: left
        out (and still counted by the page)."""
        obj = _obj(data, endpoint, "a saved track")
        if not isinstance(obj.get("track"), dict) or not isinstance(obj.get("added_at"), str):
            return None
        try:
            added_at = _time(obj, "added_at", endpoint)
        except BadPayload:
            return None
        return cls(added_at=added_at, track=Track.from_json(obj.get("track"), endpoint))


@dataclass(frozen=True)
class Episode:
    name: str
    show: str
    duration_ms: int
    id: str | None = None
    uri: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> Episode:
        obj = _obj(data, endpoint, "an episode")
        show = obj.get("show")
        return cls(
            name=_opt_str(obj, "name") or "",
            show=(_opt_str(show, "name") or "") if isinstance(show, dict) else "",
            duration_ms=_ms(obj, "duration_ms"),
            id=_opt_str(obj, "id"),
            uri=_opt_str(obj, "uri"),
        )


@dataclass(frozen=True)
class NowPlaying:
    is_playing: bool
    progress_ms: int
    item: Track | Episode
    device: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str) -> NowPlaying | None:
        """None when nothing (or an ad, or an unknown kind of item) is playing."""
        obj = _obj(data, endpoint)
        raw = obj.get("item")
        kind = obj.get("currently_playing_type")
        if not isinstance(raw, dict):
            return None
        item: Track | Episode
        if kind == "episode" or raw.get("type") == "episode":
            item = Episode.from_json(raw, endpoint)
        elif kind in ("track", None) or raw.get("type") == "track":
            item = Track.from_json(raw, endpoint)
        else:
            return None
        device = obj.get("device")
        return cls(
            is_playing=obj.get("is_playing") is True,
            progress_ms=_ms(obj, "progress_ms"),
            item=item,
            device=_opt_str(device, "name") if isinstance(device, dict) else None,
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int | None
    next: str | None
    raw_count: int = 0  # items on the page as sent, before any were left out

    @classmethod
    def from_json(cls, data: Any, endpoint: str, item: Callable[[Any, str], T | None]) -> Page[T]:
        """Items the parser leaves out (None) are dropped; `raw_count` keeps the page's size for paging."""
        obj = _obj(data, endpoint, "a page of results")
        items = obj.get("items")
        if items is None:
            items = []  # optional in the API description: an empty page, which ends the paging
        if not isinstance(items, list):
            raise BadPayload(endpoint, "'items' is not a list")
        parsed = [item(i, endpoint) for i in items]
        return cls(
            items=tuple(i for i in parsed if i is not None),
            raw_count=len(items),
            total=_opt_int(obj, "total"),
            next=_opt_str(obj, "next"),
        )


@dataclass(frozen=True)
class TimeRange:
    """One of Spotify's three top-item windows."""

    key: str  # short | medium | long
    api_value: str  # Spotify's time_range
    period: str  # what a person reads

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        wanted = text.strip().lower()
        for time_range in TIME_RANGES:
            if wanted in (time_range.key, time_range.api_value, *_RANGE_ALIASES[time_range.key]):
                return time_range
        raise ValueError(f"unknown range {text!r}: use short (4w), medium (6m) or long (1y)")


TIME_RANGES = (
    TimeRange("short", "short_term", "the last 4 weeks"),
    TimeRange("medium", "medium_term", "the last 6 months"),
    TimeRange("long", "long_term", "the last year"),
)
_RANGE_ALIASES = {
    "short": ("4w", "4weeks", "month"),
    "medium": ("6m", "6months"),
    "long": ("1y", "12m", "year"),
}
