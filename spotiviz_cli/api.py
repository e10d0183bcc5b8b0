"""SpotifyApi: endpoint methods over an injected httpx client, one request helper, one error table."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import httpx

from spotiviz_cli.config import DASHBOARD_URL
from spotiviz_cli.errors import LoginRequired, SpotifyError, SpotivizError
from spotiviz_cli.models import (
    Artist,
    BadPayload,
    NowPlaying,
    Page,
    Play,
    SavedTrack,
    TimeRange,
    Track,
    UserProfile,
)

T = TypeVar("T")


class TokenSource(Protocol):
    def access_token(self) -> str:
        """A token valid for at least the next minute (refreshing first when needed)."""
        ...

    def refresh(self, rejected: str) -> str:
        """A new token after Spotify answered 401 to `rejected`."""
        ...


class BearerAuth(httpx.Auth):
    """Adds the access token; on a 401, refreshes once and retries once."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._source.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self._source.refresh(token)}"
            yield request

    def __repr__(self) -> str:
        return "BearerAuth(<hidden>)"


def api_error(status: int, body: Any, endpoint: str) -> SpotivizError:
    """The one status -> error table. Spotify's message is shown, never matched, except for 403's two causes."""
    error = body.get("error") if isinstance(body, dict) else None
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    said = f": {message}" if message else ""
    if status == 401:
        return LoginRequired(f"Spotify rejected the login for {endpoint}{said}.", hint="Run: spotiviz login")
    if status == 403:
        lowered = message.lower()
        if "not registered" in lowered or "developer dashboard" in lowered:
            return SpotifyError(
                f"This Spotify account is not on the app's allowlist{said}.",
                hint=f"Add it under User Management in your app at {DASHBOARD_URL} (Development Mode "
                "apps allow 5 users), then run: spotiviz login",
                status=status,
            )
        if "scope" in lowered:
            return SpotifyError(
                f"The login lacks a permission {endpoint} needs{said}.",
                hint="Run: spotiviz login (it asks for every scope spotiviz uses)",
                status=status,
            )
        return SpotifyError(
            f"Spotify refused {endpoint} (HTTP 403){said}.",
            hint="Development Mode apps cannot use some endpoints; if you changed apps, run: spotiviz login",
            status=status,
        )
    if status == 404:
        return SpotifyError(f"Spotify has no {endpoint}{said}.", status=status)
    if status >= 500:
        return SpotifyError(
            f"Spotify is having trouble (HTTP {status} from {endpoint}).",
            hint="Try again in a few minutes.",
            status=status,
        )
    return SpotifyError(f"Spotify answered HTTP {status} to {endpoint}{said}.", status=status)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before telling the user."""

    max_tries: int = 3  # for 5xx answers and connection errors
    backoff_s: float = 0.5  # first pause; doubles each try, with jitter
    max_retry_after_s: float = 10.0  # longest 429 Retry-After spotiviz sits through
    max_rate_limited: int = 5  # 429s in a row before giving up


PAGE_SIZE = 50
MAX_ITEMS = 10_000  # the most liked songs Spotify allows; no list spotiviz reads is longer
QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
DEFAULT_RETRY_AFTER_S = 1.0  # when Spotify's Retry-After is missing or makes no sense
MAX_RETRY_AFTER_S = 86_400.0  # a day: nothing longer is believed
MAX_SETTABLE_WAIT_S = 3600  # SPOTIVIZ_MAX_RETRY_WAIT's own limit (config.py)
MAX_BODY_BYTES = 20_000_000  # far above any Web API answer (a page of 50 tracks is ~100 kB)


class DeadlineTransport(httpx.BaseTransport):
    """Connect, request and the whole answer within `seconds`: httpx's own timeouts are per read, so a
    server that trickles its answer a byte at a time could otherwise hold a command for ever."""

    def __init__(self, inner: httpx.BaseTransport, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self._seconds
        response = self._inner.handle_request(request)
        chunks: list[bytes] = []
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the whole answer took too long", request=request)
        finally:
            response.close()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class SpotifyApi:
    """The Web API. The client comes in with its base URL, timeouts, transport and auth already set."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        max_in_flight: int = 8,
    ) -> None:
        self._client = client
        self._retry = retry
        self._sleep = sleep
        self._now = now
        self._max_in_flight = max(1, max_in_flight)

    # -- endpoints: each describes its request and the model it returns

    def me(self) -> UserProfile:
        return UserProfile.from_json(self._get("/me"), "/me")

    def top_tracks(self, time_range: TimeRange, limit: int) -> list[Track]:
        return self._collect("/me/top/tracks", Track.from_json, limit, {"time_range": time_range.api_value})

    def top_artists(self, time_range: TimeRange, limit: int) -> list[Artist]:
        return self._collect("/me/top/artists", Artist.from_json, limit, {"time_range": time_range.api_value})

    def recently_played(self, limit: int = PAGE_SIZE, *, after_ms: int | None = None) -> list[Play]:
        params: dict[str, str | int] = {"limit": limit}
        if after_ms is not None:
            params["after"] = after_ms
        endpoint = "/me/player/recently-played"
        return list(Page.from_json(self._get(endpoint, params), endpoint, Play.from_json).items)

    def now_playing(self) -> NowPlaying | None:
        endpoint = "/me/player/currently-playing"
        body = self._get(endpoint, {"additional_types": "track,episode"})
        return None if body is None else NowPlaying.from_json(body, endpoint)

    def saved_tracks(self, limit: int | None) -> list[SavedTrack]:
        """Liked songs, newest first; `limit=None` fetches them all."""
        return self._collect("/me/tracks", SavedTrack.from_json, limit, {})

    def together(self, *calls: Callable[[], Any]) -> list[Any]:
        """Run independent requests at once (at most max_in_flight), results in the order given."""
        if len(calls) <= 1:  # nothing to overlap: no thread
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(self._max_in_flight, len(calls))) as pool:
            return list(pool.map(lambda call: call(), calls))

    # -- paging

    def _collect(
        self,
        endpoint: str,
        parse: Callable[[Any, str], T | None],
        limit: int | None,
        params: dict[str, str | int],
    ) -> list[T]:
        """`limit` items, or all of them when None, in pages of 50 fetched concurrently.

        With a limit every offset is known at once. For "all", the first page tells the total,
        then the rest go out together (or one by one, should Spotify leave the total out).
        """
        if limit is not None:
            return self._pages(endpoint, parse, params, 0, min(limit, MAX_ITEMS))
        first = self._page(endpoint, parse, params, 0)
        if first.raw_count < PAGE_SIZE:
            return list(first.items)
        if first.total is None:
            items, offset = list(first.items), first.raw_count
            while True:
                page = self._page(endpoint, parse, params, offset)
                items.extend(page.items)
                offset += page.raw_count
                if page.raw_count < PAGE_SIZE or offset >= MAX_ITEMS:
                    return items
        # the total is Spotify's word, not a plan: capped, and the waves stop at the first short page
        return [*first.items, *self._pages(endpoint, parse, params, PAGE_SIZE, min(first.total, MAX_ITEMS))]

    def _pages(
        self,
        endpoint: str,
        parse: Callable[[Any, str], T | None],
        params: dict[str, str | int],
        start: int,
        end: int,
    ) -> list[T]:
        """Items start..end, in waves of at most max_in_flight pages at once; the first short or empty
        page ends it (Spotify keeps fewer items than asked for, or than its total said), so no more
        requests are sent, or planned in memory, than can still bring something."""
        items: list[T] = []
        offset = start
        while offset < end:
            wave: list[tuple[int, int]] = []
            while offset < end and len(wave) < self._max_in_flight:
                wave.append((offset, min(PAGE_SIZE, end - offset)))
                offset += PAGE_SIZE
            pages: list[Page[T]] = self.together(
                *(partial(self._page, endpoint, parse, params, o, n) for o, n in wave)
            )
            for page, (_, size) in zip(pages, wave, strict=True):
                items.extend(page.items)
                if page.raw_count < size:
                    return items
        return items

    def _page(
        self,
        endpoint: str,
        parse: Callable[[Any, str], T | None],
        params: dict[str, str | int],
        offset: int,
        size: int = PAGE_SIZE,
    ) -> Page[T]:
        return Page.from_json(
            self._get(endpoint, {**params, "limit": size, "offset": offset}), endpoint, parse
        )

    # -- the one request helper

    def _get(self, endpoint: str, params: dict[str, str | int] | None = None) -> Any:
        failures = rate_limited = 0
        while True:
            try:
                response = self._client.get(endpoint, params=params)
            except httpx.TimeoutException:  # not retried: a slow server would make every try as slow
                seconds = self._client.timeout.read or 0
                raise SpotifyError(
                    f"Spotify did not answer {endpoint} within {seconds:g} s.",
                    hint="Check your network connection, then try again; SPOTIVIZ_TIMEOUT sets how long to wait.",
                ) from None
            except httpx.TransportError:
                failures += 1
                if failures >= self._retry.max_tries:
                    raise SpotifyError(
                        f"Could not reach Spotify for {endpoint} after {failures} tries.",
                        hint="Check your network connection (and SPOTIVIZ_API_URL, if set), then try again.",
                    ) from None
                self._sleep(self._backoff(failures))
                continue
            if response.status_code == 429:
                rate_limited += 1
                self._sleep(self._rate_limit_wait(response, endpoint, rate_limited))
                continue
            if response.status_code >= 500:
                failures += 1
                if failures < self._retry.max_tries:
                    self._sleep(self._backoff(failures))
                    continue
            return self._body(response, endpoint)

    def _backoff(self, failures: int) -> float:
        return float(self._retry.backoff_s * 2 ** (failures - 1) * random.uniform(0.5, 1.5))

    def _rate_limit_wait(self, response: httpx.Response, endpoint: str, count: int) -> float:
        wait = retry_after_seconds(response.headers.get("Retry-After"), self._now())
        body = _json_or_none(response)
        error = body.get("error") if isinstance(body, dict) else None
        reasons = {body.get("reason") if isinstance(body, dict) else None}
        reasons.add(error.get("reason") if isinstance(error, dict) else None)
        when = (self._now() + timedelta(seconds=wait)).astimezone()
        if QUOTA_EXCEEDED in reasons:
            raise SpotifyError(
                f"The daily request quota of this Spotify app is used up ({endpoint}); try again after "
                f"{when:%Y-%m-%d %H:%M} (in {_span(wait)}).",
                hint="Spotify counts requests per app: other tools using the same client ID count too.",
                status=429,
            )
        if count > self._retry.max_rate_limited:  # no setting would help: Spotify kept saying no
            raise SpotifyError(
                f"Spotify kept rate-limiting {endpoint}: {count} refusals in a row.",
                hint="Wait a minute and try again; other tools using the same client ID count too.",
                status=429,
            )
        if wait > self._retry.max_retry_after_s:
            raise SpotifyError(
                f"Spotify is rate-limiting ({endpoint}); try again after {when:%Y-%m-%d %H:%M} "
                f"(in {_span(wait)}).",
                hint=f"To have spotiviz wait that long by itself, set SPOTIVIZ_MAX_RETRY_WAIT to {math.ceil(wait)}."
                if wait <= MAX_SETTABLE_WAIT_S
                else "Spotify counts requests per app: other tools using the same client ID count too.",
                status=429,
            )
        return wait

    def _body(self, response: httpx.Response, endpoint: str) -> Any:
        if response.status_code == 204 or (response.is_success and not response.content):
            return None
        body = _json_or_none(response)
        if not response.is_success:
            raise api_error(response.status_code, body, endpoint)
        if body is None:
            raise BadPayload(endpoint, "not JSON")
        return body


def _json_or_none(response: httpx.Response) -> Any:
    """The body as JSON, or None: not JSON, larger than any Spotify answer, or nested too deeply to parse."""
    if len(response.content) > MAX_BODY_BYTES:
        return None
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def retry_after_seconds(header: str | None, now: datetime) -> float:
    """A Retry-After header: seconds or an HTTP date; anything else, negative or not finite: 1 s.

    Capped at a day, so no answer can make a wait (or the time said to the user) absurd."""
    seconds = DEFAULT_RETRY_AFTER_S
    if header:
        text = header.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=timezone.utc)
                seconds = (moment - now).total_seconds()
            except (TypeError, ValueError, IndexError, OverflowError):
                seconds = DEFAULT_RETRY_AFTER_S
    if not math.isfinite(seconds) or seconds < 0:
        return DEFAULT_RETRY_AFTER_S
    return min(seconds, MAX_RETRY_AFTER_S)


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
