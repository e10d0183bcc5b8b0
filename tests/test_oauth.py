"""PKCE, state and the authorize URL (RFC 7636 test vector), and the token endpoint's error table."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from spotiviz_cli.errors import LoginRequired, SpotifyError, UsageProblem
from spotiviz_cli.oauth import (
    AuthRequest,
    ClientCredentials,
    code_challenge,
    new_code_verifier,
    new_state,
    refresh_access_token,
)


def test_code_challenge_matches_rfc7636_appendix_b() -> None:
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize("length", [43, 96, 128])
def test_verifier_length_and_alphabet(length: int) -> None:
    verifier = new_code_verifier(length)
    assert len(verifier) == length
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", verifier)


@pytest.mark.parametrize("length", [42, 129])
def test_verifier_length_out_of_range(length: int) -> None:
    with pytest.raises(ValueError):
        new_code_verifier(length)


def test_verifiers_and_states_are_fresh() -> None:
    assert len({new_code_verifier() for _ in range(100)}) == 100
    states = {new_state() for _ in range(100)}
    assert len(states) == 100 and min(len(s) for s in states) >= 22


def test_authorize_url_and_repr() -> None:
    request = AuthRequest("cid", "http://127.0.0.1:4242/api/callback", "STATE", "V" * 43, show_dialog=True)
    url = request.authorize_url("https://accounts.example/authorize")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/authorize"
    assert query["redirect_uri"] == "http://127.0.0.1:4242/api/callback"
    assert query["code_challenge"] == code_challenge("V" * 43)
    assert query["show_dialog"] == "true"
    assert "V" * 43 not in url and "VVVV" not in repr(request) and "STATE" not in repr(request)


def _refresh_answering(status: int, body: object) -> Exception | None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    with httpx.Client(transport=transport) as client:
        try:
            refresh_access_token(
                client,
                "https://a.example/api/token",
                refresh_token="rt",
                credentials=ClientCredentials("cid"),
            )
        except Exception as exc:
            return exc
    return None


@pytest.mark.parametrize(
    ("status", "body", "kind", "text"),
    [
        (
            400,
            {"error": "invalid_grant", "error_description": "Refresh token revoked"},
            LoginRequired,
            "expired",
        ),
        (400, {"error": "invalid_client"}, UsageProblem, "credentials"),
        (503, None, SpotifyError, "HTTP 503"),
        (200, {"token_type": "Bearer"}, SpotifyError, "does not understand"),
    ],
)
def test_refresh_errors(status: int, body: object, kind: type[Exception], text: str) -> None:
    error = _refresh_answering(status, body)
    assert isinstance(error, kind)
    assert text in str(error)


def test_pkce_refresh_sends_client_id_and_no_basic_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "new", "expires_in": 3600})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        grant = refresh_access_token(
            client, "https://a/api/token", refresh_token="rt", credentials=ClientCredentials("cid")
        )
    assert grant.refresh_token is None and grant.access_token == "new"
    form = parse_qs(seen[0].content.decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": ["rt"], "client_id": ["cid"]}
    assert "authorization" not in seen[0].headers
