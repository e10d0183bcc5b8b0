"""The OAuth 2.0 pieces of Spotify's Authorization Code flow: PKCE, state, authorize URL, exchange, refresh.

No server and no storage here: the listener is loopback.py, the token record is tokens.py.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from spotiviz_cli.config import DASHBOARD_URL
from spotiviz_cli.errors import LoginRequired, SpotifyError, UsageProblem

SCOPES = (
    "user-read-recently-played",
    "user-top-read",
    "user-read-currently-playing",
    "user-library-read",
)

DEFAULT_EXPIRES_IN = 3600  # what Spotify sends; used when the answer's own is not a whole number
MIN_EXPIRES_IN, MAX_EXPIRES_IN = 60, 86_400  # an answer outside this is clamped into it
MAX_BODY_BYTES = 1_000_000  # a token answer is a few hundred bytes
_VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def new_code_verifier(length: int = 96) -> str:
    """A PKCE code verifier: `length` (43-128) characters drawn from a CSPRNG (RFC 7636 section 4.1)."""
    if not 43 <= length <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(length))


def code_challenge(verifier: str) -> str:
    """S256: base64url without padding of SHA-256(verifier)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """A CSRF state of 256 bits."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AuthRequest:
    """One login attempt: what goes into the authorize URL and what the exchange must repeat."""

    client_id: str
    redirect_uri: str
    state: str = field(repr=False)
    code_verifier: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = SCOPES
    show_dialog: bool = False

    def authorize_url(self, authorize_endpoint: str) -> str:
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "scope": " ".join(self.scopes),
        }
        if self.code_verifier is not None:
            params["code_challenge_method"] = "S256"
            params["code_challenge"] = code_challenge(self.code_verifier)
        if self.show_dialog:
            params["show_dialog"] = "true"
        return f"{authorize_endpoint}?{urlencode(params)}"


@dataclass(frozen=True)
class TokenGrant:
    """What the token endpoint answered. Tokens stay out of reprs."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str | None = field(default=None, repr=False)

    def apply(self, form: dict[str, str]) -> httpx.BasicAuth | None:
        """PKCE sends client_id in the body; the secret flow sends a Basic header instead."""
        if self.client_secret:
            return httpx.BasicAuth(self.client_id, self.client_secret)
        form["client_id"] = self.client_id
        return None


def exchange_code(
    client: httpx.Client,
    token_endpoint: str,
    *,
    code: str,
    request: AuthRequest,
    credentials: ClientCredentials,
) -> TokenGrant:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": request.redirect_uri}
    if request.code_verifier is not None:
        form["code_verifier"] = request.code_verifier
    auth = credentials.apply(form)
    payload = _post_token(client, token_endpoint, form, auth, refreshing=False, redirect=request.redirect_uri)
    grant = _grant_from(payload, token_endpoint)
    if grant.refresh_token is None:
        raise SpotifyError(f"{token_endpoint} answered without a refresh token", hint="Run: spotiviz login")
    return grant


def refresh_access_token(
    client: httpx.Client, token_endpoint: str, *, refresh_token: str, credentials: ClientCredentials
) -> TokenGrant:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    auth = credentials.apply(form)
    return _grant_from(_post_token(client, token_endpoint, form, auth, refreshing=True), token_endpoint)


def _post_token(
    client: httpx.Client,
    endpoint: str,
    form: dict[str, str],
    auth: httpx.BasicAuth | None,
    *,
    refreshing: bool,
    redirect: str = "",
) -> dict[str, Any]:
    try:
        response = client.post(endpoint, data=form, auth=auth) if auth else client.post(endpoint, data=form)
    except httpx.TimeoutException:
        raise SpotifyError(
            f"Spotify's accounts service did not answer {endpoint} within {client.timeout.read or 0:g} s.",
            hint="Check your network connection, then try again; SPOTIVIZ_TIMEOUT sets how long to wait.",
        ) from None
    except httpx.HTTPError:
        raise SpotifyError(
            f"Could not reach Spotify's accounts service at {endpoint}.",
            hint="Check your network connection (and SPOTIVIZ_ACCOUNTS_URL, if set), then try again.",
        ) from None
    try:
        payload = response.json() if len(response.content) <= MAX_BODY_BYTES else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
        payload = None
    if response.is_success and isinstance(payload, dict):
        return payload
    if response.is_success:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise SpotifyError(
            f"Spotify's accounts service answered {endpoint} with something that is not a token answer "
            f"(HTTP {response.status_code}, {kind}).",
            hint="Check SPOTIVIZ_ACCOUNTS_URL, if set (a proxy or captive portal may be answering); then try again.",
            status=response.status_code,
        )
    error = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    description = str(payload.get("error_description", "")) if isinstance(payload, dict) else ""
    raise _token_error(response.status_code, error, description, refreshing=refreshing, redirect=redirect)


def _token_error(status: int, error: str, description: str, *, refreshing: bool, redirect: str) -> Exception:
    said = f"{error}: {description}" if description else (error or f"HTTP {status}")
    if refreshing and error == "invalid_grant":
        return LoginRequired("Your Spotify login has expired; run: spotiviz login", hint=None)
    if error in ("invalid_client", "unauthorized_client"):
        return UsageProblem(
            f"Spotify did not accept the app's credentials ({said})",
            hint=f"Check SPOTIFY_CLIENT_ID (and SPOTIFY_CLIENT_SECRET, if set) against {DASHBOARD_URL}",
        )
    if error == "invalid_grant" and "redirect" in description.lower():
        return SpotifyError(
            f"Spotify refused the redirect URI {redirect} ({said})",
            hint=f"Register exactly {redirect} under Redirect URIs in {DASHBOARD_URL}",
            status=status,
        )
    if error == "invalid_grant":
        return SpotifyError(
            f"Spotify refused the authorization code ({said})",
            hint="Codes are single-use and short-lived: run spotiviz login again.",
            status=status,
        )
    return SpotifyError(
        f"Spotify's token endpoint answered HTTP {status} ({said})",
        hint="Try again in a moment; if it persists, run spotiviz login again.",
        status=status,
    )


class BadGrant(SpotifyError):
    """A token answer without a usable access token; `refresh_token` is the new one it carried, if any,
    which must be kept: with rotating refresh tokens the old one is already spent."""

    def __init__(self, endpoint: str, refresh_token: str | None) -> None:
        super().__init__(f"{endpoint} answered with a token response spotiviz does not understand.")
        self.refresh_token = refresh_token

    def __repr__(self) -> str:
        return f"BadGrant({self.message!r})"  # never the token


def _grant_from(payload: dict[str, Any], endpoint: str) -> TokenGrant:
    access = payload.get("access_token")
    refresh = payload.get("refresh_token")
    refresh = refresh if isinstance(refresh, str) and refresh else None
    expires = payload.get("expires_in", DEFAULT_EXPIRES_IN)
    if type(expires) is not int:
        expires = DEFAULT_EXPIRES_IN
    scope = payload.get("scope", "")
    if not isinstance(access, str) or not access:
        raise BadGrant(endpoint, refresh)
    return TokenGrant(
        access_token=access,
        refresh_token=refresh,
        expires_in=min(max(expires, MIN_EXPIRES_IN), MAX_EXPIRES_IN),  # 10**30 or -5 is nobody's lifetime
        scopes=tuple(str(scope).split()) if isinstance(scope, str) and scope else (),
    )
