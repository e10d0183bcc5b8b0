"""top-tracks, top-artists, recent, now and saved end to end against the fake Spotify over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import Harness
from tests.fake_spotify import Canned, make_artist, make_track

RANGES = ("short_term", "medium_term", "long_term")


@pytest.fixture
def library(harness: Harness) -> Harness:
    lib = harness.fake.library
    for time_range in RANGES:
        lib.top_tracks[time_range] = [make_track(n) for n in range(1, 100)]  # Spotify keeps ~100
        lib.top_artists[time_range] = [make_artist(n, genres=["indie pop", "synthpop"]) for n in range(1, 61)]
    base = datetime(2026, 11, 24, 11, 0, tzinfo=timezone.utc)
    lib.recent = [
        {
            "track": make_track(n),
            "played_at": (base - timedelta(minutes=4 * n)).isoformat().replace("+00:00", "Z"),
            "context": {"uri": "spotify:playlist:abc", "type": "playlist"} if n % 2 else None,
        }
        for n in range(50)
    ]
    lib.saved = [
        {
            "added_at": (base - timedelta(days=n)).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "track": make_track(n),
        }
        for n in range(500)
    ]
    harness.log_in()
    return harness


# ---------------------------------------------------------------- request economy


def test_top_tracks_50_is_exactly_one_request_and_no_profile(library: Harness) -> None:
    result = library.run("top-tracks", "--limit", "50", "--json")
    assert result.exit_code == 0, result.output
    (request,) = library.fake.requests
    assert request.path == "/v1/me/top/tracks"
    assert request.query == {"time_range": "medium_term", "limit": "50", "offset": "0"}
    assert len(json.loads(result.stdout)) == 50


def test_top_tracks_100_is_two_concurrent_pages_stopping_at_the_short_one(library: Harness) -> None:
    library.fake.latency = 0.1
    result = library.run("top-tracks", "--limit", "100", "--range", "4w", "--json")
    assert result.exit_code == 0, result.output
    offsets = sorted(int(r.query["offset"]) for r in library.fake.requests)
    assert offsets == [0, 50]
    assert {r.query["time_range"] for r in library.fake.requests} == {"short_term"}
    rows = json.loads(result.stdout)
    assert len(rows) == 99  # the second page came back short
    assert [r["rank"] for r in rows] == list(range(1, 100))
    assert rows[0]["name"] == "Song 1" and rows[-1]["name"] == "Song 99"
    assert library.fake.max_in_flight == 2  # both pages at once: every offset is known up front


def test_saved_all_fetches_the_rest_concurrently_within_8_in_flight(library: Harness) -> None:
    library.fake.latency = 0.05
    result = library.run("saved", "--all", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 500
    assert [r["name"] for r in rows[:2]] == ["Song 0", "Song 1"]  # newest first, order kept
    assert len(library.fake.requests) == 10
    assert library.fake.requests[0].query["offset"] == "0"
    assert 1 < library.fake.max_in_flight <= 8


# ---------------------------------------------------------------- each command, JSON and CSV fields


def test_top_tracks_json_fields(library: Harness) -> None:
    result = library.run("top-tracks", "--limit", "3", "--json")
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "rank": 1,
        "id": "track0001",
        "name": "Song 1",
        "artists": ["Artist 1"],
        "album": "Album 0",
        "duration_ms": 181000,
        "uri": "spotify:track:track0001",
        "url": "https://open.spotify.com/track/track0001",
    }
    assert result.stderr == ""


def test_top_artists_json_and_csv(library: Harness) -> None:
    rows = json.loads(library.run("top-artists", "--limit", "2", "--range", "long", "--json").stdout)
    assert rows[1] == {
        "rank": 2,
        "id": "artist002",
        "name": "Artist 2",
        "genres": ["indie pop", "synthpop"],
        "uri": "spotify:artist:artist002",
        "url": "https://open.spotify.com/artist/artist002",
    }
    assert library.fake.requests[0].query["time_range"] == "long_term"
    text = library.run("top-artists", "--limit", "2", "--csv").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == ["rank", "id", "name", "genres", "uri", "url"]
    assert parsed[0]["genres"] == "indie pop; synthpop"


def test_recent_json_fields_and_one_request(library: Harness) -> None:
    result = library.run("recent", "--limit", "50", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 50 and len(library.fake.requests) == 1
    assert library.fake.requests[0].query == {"limit": "50"}
    assert rows[0] == {
        "played_at": "2026-11-24T11:00:00.000Z",
        "id": "track0000",
        "name": "Song 0",
        "artists": ["Artist 0"],
        "album": "Album 0",
        "duration_ms": 180000,
        "uri": "spotify:track:track0000",
        "context_uri": None,
    }
    assert rows[1]["context_uri"] == "spotify:playlist:abc"


def test_saved_default_and_csv(library: Harness) -> None:
    result = library.run("saved", "--csv")
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(parsed) == 20
    assert list(parsed[0]) == ["added_at", "id", "name", "artists", "album", "duration_ms", "uri"]
    assert parsed[0]["added_at"] == "2026-11-24T11:00:00Z"


def test_saved_limit_over_one_page(library: Harness) -> None:
    rows = json.loads(library.run("saved", "--limit", "120", "--json").stdout)
    assert len(rows) == 120
    assert sorted(int(r.query["offset"]) for r in library.fake.requests) == [0, 50, 100]
    assert [
        r.query["limit"] for r in sorted(library.fake.requests, key=lambda r: int(r.query["offset"]))
    ] == [
        "50",
        "50",
        "20",
    ]


def test_now_playing_track(library: Harness) -> None:
    library.fake.library.now = {
        "is_playing": True,
        "progress_ms": 61_000,
        "currently_playing_type": "track",
        "item": make_track(7),
        "device": {"name": "Kitchen speaker"},
    }
    result = library.run("now", "--json")
    assert result.exit_code == 0, result.output
    assert library.fake.requests[0].query == {"additional_types": "track,episode"}
    assert json.loads(result.stdout) == {
        "type": "track",
        "is_playing": True,
        "progress_ms": 61000,
        "duration_ms": 187000,
        "name": "Song 7",
        "artists": ["Artist 7"],
        "album": "Album 3",
        "uri": "spotify:track:track0007",
        "device": "Kitchen speaker",
    }
    table = library.run("now")
    assert "Song 7" in table.stdout and "1:01 / 3:07" in table.stdout and "Kitchen speaker" in table.stdout


def test_now_playing_episode(library: Harness) -> None:
    library.fake.library.now = {
        "is_playing": False,
        "progress_ms": 5000,
        "currently_playing_type": "episode",
        "item": {
            "type": "episode",
            "id": "ep1",
            "name": "Episode One",
            "uri": "spotify:episode:ep1",
            "duration_ms": 3_600_000,
            "show": {"name": "A Show"},
        },
    }
    data = json.loads(library.run("now", "--json").stdout)
    assert data["type"] == "episode" and data["show"] == "A Show" and data["album"] is None
    assert "artists" not in data and data["device"] is None
    assert "Paused" in library.run("now").stdout


@pytest.mark.parametrize("answer", [Canned(204), Canned(200, raw=b"")])
def test_nothing_playing(library: Harness, answer: Canned) -> None:
    library.fake.queue("/v1/me/player/currently-playing", answer, answer)
    result = library.run("now")
    assert result.exit_code == 0 and "Nothing is playing" in result.stdout
    as_json = library.run("now", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) is None


def test_odd_items_missing_images_genres_and_local_tracks(library: Harness) -> None:
    lib = library.fake.library
    lib.top_tracks["medium_term"] = [make_track(1, local=True), make_track(2, album_images=False, artists=2)]
    lib.top_artists["medium_term"] = [make_artist(1), make_artist(2, genres=[])]  # no genres field, empty
    tracks = json.loads(library.run("top-tracks", "--json").stdout)
    assert (
        tracks[0]["id"] is None and tracks[0]["url"] is None and tracks[0]["uri"].startswith("spotify:local:")
    )
    assert tracks[1]["artists"] == ["Artist 2", "Artist 3"]
    table = library.run("top-tracks").stdout
    assert "Song 1 (local)" in table
    artists = library.run("top-artists")
    assert artists.exit_code == 0 and "Spotify returned no genres" in artists.stdout
    assert [a["genres"] for a in json.loads(library.run("top-artists", "--json").stdout)] == [[], []]


# ---------------------------------------------------------------- tokens


def test_expired_token_refreshed_once_before_the_request(library: Harness) -> None:
    library.log_in(expires_in=10)
    result = library.run("top-tracks", "--json", "--limit", "100")
    assert result.exit_code == 0, result.output
    assert [r.path for r in library.fake.requests].count("/api/token") == 1
    assert library.fake.requests[0].path == "/api/token"
    assert library.stored().access_token in library.fake.access_tokens


def test_401_then_success_on_a_stats_command(library: Harness) -> None:
    library.fake.queue(
        "/v1/me/player/recently-played", Canned(401, {"error": {"status": 401, "message": "x"}})
    )
    result = library.run("recent", "--json")
    assert result.exit_code == 0, result.output
    assert [r.path for r in library.fake.requests] == [
        "/v1/me/player/recently-played",
        "/api/token",
        "/v1/me/player/recently-played",
    ]


def test_invalid_grant_means_login_again(library: Harness) -> None:
    library.log_in(expires_in=0)
    library.fake.refresh_tokens.clear()
    result = library.run("top-artists")
    assert result.exit_code == 4
    assert "Your Spotify login has expired; run: spotiviz login" in result.stderr


def test_not_logged_in(harness: Harness) -> None:
    result = harness.run("top-tracks")
    assert result.exit_code == 4
    assert "Run: spotiviz login" in result.stderr
    assert harness.fake.requests == []


# ---------------------------------------------------------------- retries and failures


def test_short_429_is_waited_out(library: Harness) -> None:
    library.fake.queue("/v1/me/top/tracks", Canned(429, {"error": {"status": 429}}, {"Retry-After": "2"}))
    result = library.run("top-tracks", "--json")
    assert result.exit_code == 0, result.output
    assert library.sleeps == [2.0]
    assert len(library.fake.requests) == 2


def test_long_429_fails_at_once_with_the_time(library: Harness) -> None:
    library.fake.queue("/v1/me/top/tracks", Canned(429, {"error": {"status": 429}}, {"Retry-After": "600"}))
    result = library.run("top-tracks")
    assert result.exit_code == 1
    assert "rate-limiting" in result.stderr and "in 10 min" in result.stderr
    assert "SPOTIVIZ_MAX_RETRY_WAIT" in result.stderr
    assert library.sleeps == [] and len(library.fake.requests) == 1


def test_quota_exceeded_fails_at_once(library: Harness) -> None:
    body = {"error": {"status": 429, "message": "Daily quota exceeded"}, "reason": "QUOTA_EXCEEDED"}
    library.fake.queue("/v1/me/top/tracks", Canned(429, body, {"Retry-After": "3"}))
    result = library.run("top-tracks")
    assert result.exit_code == 1
    assert "quota" in result.stderr and "try again after" in result.stderr
    assert library.sleeps == []


def test_max_retry_wait_is_configurable(library: Harness) -> None:
    library.env["SPOTIVIZ_MAX_RETRY_WAIT"] = "60"
    library.fake.queue("/v1/me/top/tracks", Canned(429, None, {"Retry-After": "30"}))
    assert library.run("top-tracks").exit_code == 0
    assert library.sleeps == [30.0]


def test_500s_then_success(library: Harness) -> None:
    library.fake.queue("/v1/me/tracks", Canned(500), Canned(503))
    result = library.run("saved", "--json")
    assert result.exit_code == 0, result.output
    assert len(library.sleeps) == 2 and library.sleeps[0] < library.sleeps[1] * 1.5
    assert all(0 < s <= 1.5 for s in library.sleeps)


def test_500_forever_gives_up_after_3_tries(library: Harness) -> None:
    library.fake.queue("/v1/me/tracks", *[Canned(500)] * 10)
    started = time.monotonic()
    result = library.run("saved")
    assert result.exit_code == 1
    assert "Spotify is having trouble (HTTP 500" in result.stderr
    assert len(library.fake.requests) == 3 and len(library.sleeps) == 2
    assert time.monotonic() - started < 5


def test_500_forever_with_real_sleeps_is_bounded(library: Harness) -> None:
    library.fake.queue("/v1/me/tracks", *[Canned(502)] * 10)
    started = time.monotonic()
    result = library.run("saved", sleep=time.sleep)
    assert result.exit_code == 1
    assert time.monotonic() - started < 4  # 0.5 s and 1 s of backoff, with jitter


def test_unreachable_api_is_one_clear_line(library: Harness) -> None:
    library.env["SPOTIVIZ_API_URL"] = "http://127.0.0.1:9/v1"
    result = library.run("recent")
    assert result.exit_code == 1
    assert "Could not reach Spotify for /me/player/recently-played after 3 tries" in result.stderr


@pytest.mark.parametrize("answer", [Canned(200, raw=b"<html>oops</html>"), Canned(200, {"items": "nope"})])
def test_unexpected_body_names_the_endpoint(library: Harness, answer: Canned) -> None:
    library.fake.queue("/v1/me/top/artists", answer)
    result = library.run("top-artists")
    assert result.exit_code == 1
    assert "/me/top/artists" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Insufficient client scope", "run: spotiviz login"),
        ("User not registered in the Developer Dashboard", "User Management"),
    ],
)
def test_403_says_what_it_means(library: Harness, message: str, expected: str) -> None:
    library.fake.queue("/v1/me/top/tracks", Canned(403, {"error": {"status": 403, "message": message}}))
    result = library.run("top-tracks")
    assert result.exit_code == 1
    assert expected.lower() in result.stderr.lower()


# ---------------------------------------------------------------- usage


@pytest.mark.parametrize(
    "args",
    [
        ["top-tracks", "--range", "decade"],
        ["top-tracks", "--limit", "101"],
        ["top-artists", "--json", "--csv"],
        ["recent", "--limit", "51"],
        ["saved", "--all", "--limit", "5"],
    ],
)
def test_usage_errors(library: Harness, args: list[str]) -> None:
    result = library.run(*args)
    assert result.exit_code == 2, result.output
    assert library.fake.requests == []


def test_items_spotify_nulls_out_are_left_out_without_breaking_paging(library: Harness) -> None:
    saved = library.fake.library.saved
    saved[10]["track"] = None  # a liked song that is gone from the catalogue
    saved[60]["track"] = None
    saved[3]["track"]["artists"].append(None)
    rows = json.loads(library.run("saved", "--all", "--json").stdout)
    assert len(rows) == 498 and len(library.fake.requests) == 10
    assert rows[3]["artists"] == ["Artist 3"]
    library.fake.library.recent[0]["track"] = None
    assert len(json.loads(library.run("recent", "--json", "--limit", "50").stdout)) == 49


def test_paging_without_a_total_follows_the_pages() -> None:
    import httpx

    from spotiviz_cli.api import SpotifyApi

    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        seen.append(offset)
        items = [
            {"added_at": "2026-01-01T00:00:00Z", "track": make_track(n)}
            for n in range(offset, min(offset + limit, 120))
        ]
        return httpx.Response(200, json={"items": items, "limit": limit, "offset": offset, "next": None})

    with httpx.Client(base_url="https://api.example/v1", transport=httpx.MockTransport(handler)) as client:
        saved = SpotifyApi(client).saved_tracks(None)
    assert len(saved) == 120 and seen == [0, 50, 100]


def test_a_login_near_its_six_months_warns_on_stderr(library: Harness) -> None:
    from datetime import datetime, timedelta, timezone

    library.log_in(authorized_at=datetime.now(timezone.utc) - timedelta(days=175))
    result = library.run("top-tracks", "--json")
    assert result.exit_code == 0
    assert "run `spotiviz login` before then" in result.stderr
    assert json.loads(result.stdout)  # stdout stays clean JSON
    library.log_in()
    assert "before then" not in library.run("top-tracks", "--json").stderr


def test_timestamps_with_any_fraction_work_end_to_end(library: Harness) -> None:
    """Python 3.10's fromisoformat refuses `.5Z`; spotiviz reads it on every Python it claims."""
    library.fake.library.recent = [
        {"track": make_track(1), "played_at": "2026-11-20T10:00:00.5Z", "context": None},
        {"track": make_track(2), "played_at": "2026-11-20T09:00:00.123456789Z", "context": None},
    ]
    library.fake.library.saved = [{"added_at": "2026-01-01T00:00:00.1+00:00", "track": make_track(3)}]
    recent = library.run("recent", "--json")
    assert recent.exit_code == 0, recent.output
    assert [r["played_at"] for r in json.loads(recent.stdout)] == [
        "2026-11-20T10:00:00.500Z",
        "2026-11-20T09:00:00.123Z",
    ]
    saved = library.run("saved", "--json")
    assert saved.exit_code == 0 and json.loads(saved.stdout)[0]["added_at"] == "2026-01-01T00:00:00Z"


def liked_songs_server(count: int, claimed_total: int | None, seen: list[int]) -> Any:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        seen.append(offset)
        items = [
            {"added_at": "2026-01-01T00:00:00Z", "track": make_track(n % 500)}
            for n in range(offset, min(offset + limit, count))
        ]
        body: dict[str, Any] = {"items": items, "limit": limit, "offset": offset, "next": None}
        if claimed_total is not None:
            body["total"] = claimed_total
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("count", "total", "limit", "most_requests", "items"),
    [
        (60, 2_000_000, None, 1 + 8, 60),  # the total lies: one wave after the first page, then stop
        (60, 60, 5000, 8, 60),  # far more asked for than exist: one wave
        (60, 60, 1_000_000_000, 8, 60),  # an absurd limit plans nothing absurd
        (20_000, None, None, 200, 10_000),  # no total, full pages forever: stops at Spotify's 10,000
        (20_000, 20_000, None, 200, 10_000),
    ],
)
def test_paging_stops_whatever_the_total_or_the_limit_say(
    count: int, total: int | None, limit: int | None, most_requests: int, items: int
) -> None:
    import httpx

    from spotiviz_cli.api import SpotifyApi

    seen: list[int] = []
    transport = liked_songs_server(count, total, seen)
    with httpx.Client(base_url="https://api.example/v1", transport=transport) as client:
        saved = SpotifyApi(client).saved_tracks(limit)
    assert len(saved) == items and len(seen) <= most_requests
