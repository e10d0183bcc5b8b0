"""The models accept every shape the Web API's description allows: optional fields missing or null,
local files, odd numbers; raw JSON stops at the models whatever it holds."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spotiviz_cli.models import Artist, NowPlaying, Page, Play, SavedTrack, Track, UserProfile

MISSING = object()
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field the description makes optional: there, null, or missing (MISSING)."""
    return st.one_of(st.just(MISSING), st.none(), strategy)


def obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({k: maybe(v) for k, v in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not MISSING}
    )


artist_ref = obj(id=st.text(max_size=5), name=st.text(max_size=10), uri=st.text(max_size=10))
album = obj(name=st.text(max_size=10), release_date=st.text(max_size=10), images=st.lists(obj(url=st.text())))
track = obj(
    id=st.text(max_size=5),
    name=st.text(max_size=10),
    uri=st.text(max_size=10),
    duration_ms=st.one_of(st.integers(-(10**12), 10**12), scalars),
    explicit=st.booleans(),
    is_local=st.booleans(),
    artists=st.lists(st.one_of(artist_ref, scalars), max_size=3),
    album=st.one_of(album, scalars),
    external_urls=obj(spotify=st.text(max_size=10)),
)
timestamp = st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), st.text(max_size=12), st.integers())


@settings(max_examples=300, deadline=None)
@given(track)
def test_any_track_the_description_allows(data: dict[str, Any]) -> None:
    parsed = Track.from_json(data, "/t")
    assert isinstance(parsed.name, str) and parsed.duration_ms >= 0
    assert all(isinstance(n, str) and n for n in parsed.artist_names)
    if data.get("is_local") is True:
        assert parsed.id is None  # local files have no Spotify id


@settings(max_examples=200, deadline=None)
@given(obj(track=st.one_of(track, scalars), played_at=timestamp, context=obj(uri=st.text(max_size=5))))
def test_any_play_is_kept_or_left_out_never_a_crash(data: dict[str, Any]) -> None:
    play = Play.from_json(data, "/recent")
    assert play is None or (play.played_at.tzinfo is not None and isinstance(play.track, Track))


@settings(max_examples=200, deadline=None)
@given(obj(track=st.one_of(track, scalars), added_at=timestamp))
def test_any_saved_track(data: dict[str, Any]) -> None:
    saved = SavedTrack.from_json(data, "/me/tracks")
    assert saved is None or saved.added_at.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(
    obj(
        name=st.text(max_size=10),
        id=st.text(max_size=5),
        genres=st.lists(st.one_of(st.text(max_size=6), scalars), max_size=3),
    )
)
def test_any_artist(data: dict[str, Any]) -> None:
    artist = Artist.from_json(data, "/a")
    assert isinstance(artist.name, str) and all(isinstance(g, str) for g in artist.genres)


@settings(max_examples=150, deadline=None)
@given(obj(id=st.text(max_size=5), display_name=st.text(max_size=5)))
def test_any_profile(data: dict[str, Any]) -> None:
    assert UserProfile.from_json(data).label  # always something to show


@settings(max_examples=150, deadline=None)
@given(
    obj(
        items=st.lists(obj(track=track, added_at=timestamp), max_size=4),
        total=st.one_of(st.integers(-5, 10**9), scalars),
        next=st.text(max_size=5),
    )
)
def test_any_page(data: dict[str, Any]) -> None:
    page = Page.from_json(data, "/me/tracks", SavedTrack.from_json)
    assert page.raw_count == len(data.get("items") or []) >= len(page.items)


@settings(max_examples=150, deadline=None)
@given(
    obj(
        is_playing=st.booleans(),
        progress_ms=st.one_of(st.integers(-(10**9), 10**9), scalars),
        currently_playing_type=st.sampled_from(["track", "episode", "ad", "unknown"]),
        item=st.one_of(track, obj(name=st.text(max_size=5), type=st.just("episode"))),
        device=obj(name=st.text(max_size=5)),
    )
)
def test_anything_playing(data: dict[str, Any]) -> None:
    now = NowPlaying.from_json(data, "/now")
    assert now is None or (now.progress_ms >= 0 and now.item.duration_ms >= 0)
