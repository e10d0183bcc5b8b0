"""Every answer parsed defensively: Retry-After of any shape, bodies too deep or too odd, token answers
with absurd lifetimes, a rotated refresh token kept whatever else is wrong, timeouts said plainly."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from spotiviz_cli.api import MAX_RETRY_AFTER_S, RetryPolicy, SpotifyApi, retry_after_seconds
from spotiviz_cli.errors import SpotifyError
from spotiviz_cli.oauth import ClientCredentials, refresh_access_token
from tests.conftest import Harness
from tests.fake_spotify import Canned

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (None, 1.0),
        ("", 1.0),
        ("nan", 1.0),
        ("inf", 1.0),
        ("-inf", 1.0),
        ("-5", 1.0),
        ("1e12", MAX_RETRY_AFTER_S),
        ("soon", 1.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 1.0),  # a date in the past
        ("Wed, 99 Foo 2026 99:99:99 GMT", 1.0),
    ],
)
def test_retry_after_of_any_shape(header: str | None, seconds: float) -> None:
    got = retry_after_seconds(header, NOW)
    assert math.isfinite(got) and got == pytest.approx(seconds)


def api_answering(
    *answers: httpx.Response, sleeps: list[float] | None = None, max_wait: float = 10
) -> SpotifyApi:
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    client = httpx.Client(base_url="https://api.example/v1", transport=httpx.MockTransport(handler))
    return SpotifyApi(
        client,
        retry=RetryPolicy(max_retry_after_s=max_wait),
        sleep=(sleeps if sleeps is not None else []).append,
        now=lambda: NOW,
    )


ME = {"id": "u1", "display_name": "Sam"}


@pytest.mark.parametrize("header", ["nan", "-5", "inf", "1e12", "0", "garbage"])
def test_a_429_with_any_retry_after_is_waited_out_or_explained(header: str) -> None:
    sleeps: list[float] = []
    api = api_answering(
        httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200, json=ME), sleeps=sleeps
    )
    try:
        assert api.me().id == "u1"
        assert all(math.isfinite(s) and 0 <= s <= 10 for s in sleeps)
    except SpotifyError as exc:  # only for a wait too long to sit through
        assert header == "1e12" and "try again after" in exc.message
        assert "SPOTIVIZ_MAX_RETRY_WAIT" not in (exc.hint or "")  # a day is beyond what the setting allows


def test_many_429s_in_a_row_say_spotify_kept_refusing_not_to_change_a_setting() -> None:
    api = api_answering(httpx.Response(429, headers={"Retry-After": "3"}))
    with pytest.raises(SpotifyError) as caught:
        api.me()
    assert "kept rate-limiting /me: 6 refusals in a row" in caught.value.message
    assert "SPOTIVIZ_MAX_RETRY_WAIT" not in (caught.value.hint or "")


def test_a_long_retry_after_names_the_setting_that_would_help() -> None:
    api = api_answering(httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(SpotifyError) as caught:
        api.me()
    assert "in 2 min" in caught.value.message and "set SPOTIVIZ_MAX_RETRY_WAIT to 120" in (
        caught.value.hint or ""
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python parses
        b"<html>Captive portal</html>",
        b'{"id": ',
        b" " * 21_000_000,  # larger than any Web API answer
    ],
)
def test_an_odd_body_is_a_clean_error_naming_the_endpoint(body: bytes) -> None:
    api = api_answering(httpx.Response(200, content=body))
    with pytest.raises(SpotifyError) as caught:
        api.me()
    assert "/me" in caught.value.message


def test_a_timeout_is_said_with_its_seconds_and_not_retried(harness: Harness) -> None:
    harness.log_in()
    harness.env["SPOTIVIZ_TIMEOUT"] = "1"
    harness.fake.latency = 1.5
    result = harness.run("top-tracks")
    assert result.exit_code == 1
    assert (
        "Spotify did not answer /me/top/tracks within 1 s." in result.stderr
        and "SPOTIVIZ_TIMEOUT" in result.stderr
    )
    assert len([r for r in harness.fake.requests if r.path == "/v1/me/top/tracks"]) <= 1


# ---------------------------------------------------------------- token answers


def token_answer(payload: Any, status: int = 200, content_type: str = "application/json") -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [(3600, 3600), (10**30, 86_400), (-5, 60), (0, 60), ("3600", 3600), (None, 3600), (1.5e9, 3600)],
)
def test_an_absurd_token_lifetime_is_clamped(expires_in: Any, lifetime: int) -> None:
    with token_answer({"access_token": "A", "token_type": "Bearer", "expires_in": expires_in}) as client:
        grant = refresh_access_token(
            client,
            "https://accounts.example/api/token",
            refresh_token="R",
            credentials=ClientCredentials("c"),
        )
    assert grant.expires_in == lifetime


def test_an_html_page_from_the_token_endpoint_is_named_as_such() -> None:
    with (
        token_answer(b"<html>hello</html>", content_type="text/html") as client,
        pytest.raises(SpotifyError) as caught,
    ):
        refresh_access_token(
            client,
            "https://accounts.example/api/token",
            refresh_token="R",
            credentials=ClientCredentials("c"),
        )
    assert "not a token answer (HTTP 200, text/html)" in caught.value.message
    assert "HTTP 200 (HTTP 200)" not in caught.value.message


def test_a_rotated_refresh_token_is_saved_even_when_the_rest_of_the_answer_is_wrong(harness: Harness) -> None:
    record = harness.log_in(expires_in=0)
    harness.fake.queue("/api/token", Canned(200, {"refresh_token": "NEW-refresh", "expires_in": 3600}))
    result = harness.run("status")
    assert result.exit_code == 1 and "token response spotiviz does not understand" in result.stderr
    assert harness.stored().refresh_token == "NEW-refresh" != record.refresh_token
    assert "NEW-refresh" not in result.output


class Trickle(httpx.SyncByteStream):
    """An answer that arrives a few bytes at a time, each within httpx's per-read timeout."""

    def __iter__(self) -> Any:
        import time

        for part in (b'{"id": ', b'"u1", ', b'"display_name": ', b'"Sam"}'):
            time.sleep(0.4)
            yield part


def test_an_answer_that_trickles_in_is_cut_at_the_whole_answer_deadline() -> None:
    import time

    from spotiviz_cli.api import DeadlineTransport

    inner = httpx.MockTransport(lambda request: httpx.Response(200, stream=Trickle()))
    with httpx.Client(base_url="https://api.example/v1", transport=DeadlineTransport(inner, 1.0)) as client:
        started = time.monotonic()
        with pytest.raises(SpotifyError, match="did not answer /me within"):
            SpotifyApi(client, now=lambda: NOW).me()
        assert time.monotonic() - started < 2.5  # not 4 parts x 0.4 s, and not retried


def test_a_whole_answer_in_time_passes_through_the_deadline_unchanged() -> None:
    from spotiviz_cli.api import DeadlineTransport

    inner = httpx.MockTransport(lambda request: httpx.Response(200, json=ME, headers={"x-a": "1"}))
    with httpx.Client(base_url="https://api.example/v1", transport=DeadlineTransport(inner, 5.0)) as client:
        assert SpotifyApi(client).me().id == "u1"
