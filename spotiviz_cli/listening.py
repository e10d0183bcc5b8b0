"""Use cases that read listening data from Spotify in one go (the inputs of the Wrapped screen)."""

from __future__ import annotations

from functools import partial

from spotiviz_cli.api import PAGE_SIZE, SpotifyApi
from spotiviz_cli.models import TIME_RANGES, TimeRange
from spotiviz_cli.wrapped import WrappedInputs


def wrapped_inputs(api: SpotifyApi, time_range: TimeRange) -> WrappedInputs:
    """The profile, top artists and tracks of all three ranges and the recent plays: 8 requests at once."""
    results = api.together(
        api.me,
        *(partial(api.top_artists, r, PAGE_SIZE) for r in TIME_RANGES),
        *(partial(api.top_tracks, r, PAGE_SIZE) for r in TIME_RANGES),
        partial(api.recently_played, PAGE_SIZE),
    )
    user, artists, tracks, recent = results[0], results[1:4], results[4:7], results[7]
    return WrappedInputs(
        user=user,
        time_range=time_range,
        top_artists={r.key: a for r, a in zip(TIME_RANGES, artists, strict=True)},
        top_tracks={r.key: t for r, t in zip(TIME_RANGES, tracks, strict=True)},
        recent=recent,
    )
