"""SpotifyApi: endpoint methods over an injected httpx client, one request helper, one error table."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol

import httpx

from spotiviz_cli.config import DASHBOARD_URL
from spotiviz_cli.errors import LoginRequired, SpotifyError, SpotivizError
from spotiviz_cli.models import BadPayload, UserProfile


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


class SpotifyApi:
    """The Web API. The client comes in with its base URL, timeouts, transport and auth already set."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def _get(self, endpoint: str, params: dict[str, str | int] | None = None) -> Any:
        try:
            response = self._client.get(endpoint, params=params)
        except httpx.HTTPError as exc:
            raise SpotifyError(
                f"Could not reach Spotify for {endpoint} ({type(exc).__name__}).",
                hint="Check your network connection (and SPOTIVIZ_API_URL, if set), then try again.",
            ) from None
        if response.status_code == 204 or (not response.content and response.is_success):
            return None
        try:
            body = response.json()
        except ValueError:
            if response.is_success:
                raise BadPayload(endpoint, "not JSON") from None
            body = None
        if not response.is_success:
            raise api_error(response.status_code, body, endpoint)
        return body

    def me(self) -> UserProfile:
        return UserProfile.from_json(self._get("/me"), "/me")
