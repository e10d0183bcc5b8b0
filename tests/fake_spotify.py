"""A fake Spotify (accounts service and Web API) served over real HTTP on 127.0.0.1 for end-to-end tests.

It checks what real Spotify checks (client, redirect URI, PKCE verifier, Basic auth, single-use codes,
bearer tokens) and records every request, so tests can assert on what spotiviz actually sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Canned:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None


def _ms(iso: str) -> int:
    # any fraction length, as Spotify sends (Python 3.10's fromisoformat wants 3 or 6 digits)
    iso = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], iso)
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def make_track(
    n: int, *, artists: int = 1, local: bool = False, album_images: bool = True, year: int = 2015
) -> dict[str, Any]:
    """A track as the Web API returns it (Development Mode: no popularity)."""
    track_id = None if local else f"track{n:04d}"
    return {
        "id": track_id,
        "name": f"Song {n}",
        "uri": f"spotify:local:Artist+{n}::Song+{n}:200" if local else f"spotify:track:{track_id}",
        "duration_ms": 180_000 + n * 1000,
        "explicit": n % 3 == 0,
        "is_local": local,
        "type": "track",
        "external_urls": {} if local else {"spotify": f"https://open.spotify.com/track/{track_id}"},
        "artists": [
            {
                "id": f"artist{(n + k) % 40:03d}",
                "name": f"Artist {(n + k) % 40}",
                "uri": f"spotify:artist:artist{(n + k) % 40:03d}",
            }
            for k in range(artists)
        ],
        "album": {
            "name": f"Album {n // 2}",
            "album_type": "album",
            "release_date": f"{year}-05-01",
            "release_date_precision": "day",
            "images": [{"url": f"https://i.example/{n}.jpg", "width": 640, "height": 640}]
            if album_images
            else [],
        },
    }


def make_artist(n: int, *, genres: list[str] | None = None) -> dict[str, Any]:
    artist: dict[str, Any] = {
        "id": f"artist{n:03d}",
        "name": f"Artist {n}",
        "uri": f"spotify:artist:artist{n:03d}",
        "external_urls": {"spotify": f"https://open.spotify.com/artist/artist{n:03d}"},
        "images": [],
        "type": "artist",
    }
    if genres is not None:
        artist["genres"] = genres
    return artist


@dataclass
class Library:
    """What the fake account has listened to. Tests fill in what they need."""

    top_tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    top_artists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    recent: list[dict[str, Any]] = field(default_factory=list)  # newest first
    saved: list[dict[str, Any]] = field(default_factory=list)  # newest first
    now: dict[str, Any] | None = None


class FakeSpotify:
    def __init__(self) -> None:
        self.clients: dict[str, str | None] = {}  # client_id -> secret (None: PKCE only)
        self.redirect_uris: list[str] = []
        self.profile: dict[str, Any] = {"id": "fakeuser", "display_name": "Fake User"}
        self.authorize_error: str | None = None  # e.g. "access_denied"
        self.rotate_refresh_tokens = False
        self.access_ttl = 3600
        self.latency = 0.0
        self.library = Library()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[Recorded] = []
        self.canned: dict[str, deque[Canned]] = {}
        self.codes: dict[str, Grant] = {}
        self.access_tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.refresh_tokens: dict[str, str] = {}  # token -> client_id
        self.refresh_scopes: dict[str, str] = {}  # token -> scope granted at login
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- set-up helpers
    @property
    def accounts_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def register(self, client_id: str, secret: str | None = None, redirect_uri: str = "") -> None:
        self.clients[client_id] = secret
        if redirect_uri:
            self.redirect_uris.append(redirect_uri)

    def queue(self, path: str, *responses: Canned) -> None:
        """Answer the next requests to `path` with these, in order, before the normal behaviour."""
        self.canned.setdefault(path, deque()).extend(responses)

    def issue_tokens(self, client_id: str, *, ttl: int | None = None, scope: str = "") -> tuple[str, str]:
        access, refresh = "AT-" + secrets.token_hex(8), "RT-" + secrets.token_hex(8)
        with self._lock:
            self.access_tokens[access] = time.time() + (self.access_ttl if ttl is None else ttl)
            self.refresh_tokens[refresh] = client_id
            self.refresh_scopes[refresh] = scope
        return access, refresh

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def start(self) -> FakeSpotify:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- request handling
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def _dispatch(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(body).items()} if method == "POST" else {}
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.requests.append(Recorded(method, parts.path, query, headers, form))
                    canned = fake.canned.get(parts.path)
                    answer = canned.popleft() if canned else None
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    if fake.latency:
                        time.sleep(fake.latency)
                    if answer is None:
                        answer = fake.route(method, parts.path, query, headers, form)
                    self._send(answer)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _send(self, answer: Canned) -> None:
                if answer.raw is not None:
                    payload = answer.raw
                elif answer.body is None:
                    payload = b""
                else:
                    payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                if payload and answer.raw is None:
                    self.send_header("Content-Type", "application/json")
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], form: dict[str, str]
    ) -> Canned:
        if method == "GET" and path == "/authorize":
            return self._authorize(query)
        if method == "POST" and path == "/api/token":
            return self._token(headers, form)
        if path.startswith("/v1/"):
            token = headers.get("authorization", "").removeprefix("Bearer ")
            expiry = self.access_tokens.get(token)
            if expiry is None or expiry < time.time():
                return Canned(401, {"error": {"status": 401, "message": "Invalid access token"}})
            return self.api(method, path.removeprefix("/v1"), query)
        return Canned(404, {"error": {"status": 404, "message": "Service not found"}})

    def api(self, method: str, path: str, query: dict[str, str]) -> Canned:
        lib = self.library
        if path == "/me":
            return Canned(200, self.profile)
        if path in ("/me/top/tracks", "/me/top/artists"):
            time_range = query.get("time_range", "medium_term")
            if time_range not in ("short_term", "medium_term", "long_term"):
                return Canned(400, {"error": {"status": 400, "message": "Invalid time range"}})
            items = (lib.top_tracks if path.endswith("tracks") else lib.top_artists).get(time_range, [])
            return self._paged(path, query, items)
        if path == "/me/tracks":
            return self._paged(path, query, lib.saved)
        if path == "/me/player/recently-played":
            limit = int(query.get("limit", 20))
            if not 1 <= limit <= 50:
                return Canned(400, {"error": {"status": 400, "message": "Invalid limit"}})
            plays = lib.recent
            if "after" in query:
                after = int(query["after"])
                plays = [p for p in plays if _ms(p["played_at"]) > after]
            # newest first; with `after`, the plays just after the cursor
            chosen = plays[-limit:] if "after" in query else plays[:limit]
            cursors = (
                {"after": str(_ms(chosen[0]["played_at"])), "before": str(_ms(chosen[-1]["played_at"]))}
                if chosen
                else None
            )
            return Canned(200, {"items": chosen, "limit": limit, "next": None, "cursors": cursors})
        if path == "/me/player/currently-playing":
            return Canned(204) if lib.now is None else Canned(200, lib.now)
        return Canned(404, {"error": {"status": 404, "message": "Service not found"}})

    def _paged(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> Canned:
        limit, offset = int(query.get("limit", 20)), int(query.get("offset", 0))
        if not 1 <= limit <= 50:
            return Canned(400, {"error": {"status": 400, "message": "Invalid limit"}})
        chunk = items[offset : offset + limit]
        more = offset + limit < len(items)
        base = f"{self.api_url}{path}"
        return Canned(
            200,
            {
                "href": f"{base}?offset={offset}&limit={limit}",
                "items": chunk,
                "limit": limit,
                "offset": offset,
                "total": len(items),
                "next": f"{base}?offset={offset + limit}&limit={limit}" if more else None,
                "previous": None,
            },
        )

    def _redirect_ok(self, uri: str) -> bool:
        parts = urlsplit(uri)
        portless = parts._replace(netloc=parts.hostname or "").geturl()
        return uri in self.redirect_uris or (
            parts.hostname in ("127.0.0.1", "::1") and portless in self.redirect_uris
        )

    def _authorize(self, q: dict[str, str]) -> Canned:
        if q.get("client_id") not in self.clients:
            return Canned(400, raw=b"INVALID_CLIENT: Invalid client")
        if q.get("response_type") != "code":
            return Canned(400, raw=b"unsupported_response_type")
        redirect = q.get("redirect_uri", "")
        if not self._redirect_ok(redirect):
            return Canned(400, raw=b"INVALID_CLIENT: Invalid redirect URI")
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return Canned(400, raw=b"code_challenge_method must be S256")
        if self.authorize_error:
            params = {"error": self.authorize_error, "state": q.get("state", "")}
        else:
            code = "CODE-" + secrets.token_hex(8)
            with self._lock:
                self.codes[code] = Grant(
                    q["client_id"], redirect, q.get("scope", ""), q.get("code_challenge")
                )
            params = {"code": code, "state": q.get("state", "")}
        return Canned(302, headers={"Location": f"{redirect}?{urlencode(params)}"})

    def _basic(self, headers: dict[str, str]) -> tuple[str, str] | None:
        value = headers.get("authorization", "")
        if not value.startswith("Basic "):
            return None
        client_id, _, secret = base64.b64decode(value[6:]).decode().partition(":")
        return client_id, secret

    def _client_ok(self, headers: dict[str, str], form: dict[str, str], client_id: str, pkce: bool) -> bool:
        basic = self._basic(headers)
        if pkce:
            return basic is None and form.get("client_id") == client_id
        return basic == (client_id, self.clients.get(client_id))

    def _token(self, headers: dict[str, str], form: dict[str, str]) -> Canned:
        bad_grant = Canned(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
        if form.get("grant_type") == "authorization_code":
            with self._lock:
                grant = self.codes.pop(form.get("code", ""), None)  # single use
            if grant is None:
                return bad_grant
            pkce = grant.challenge is not None
            if not self._client_ok(headers, form, grant.client_id, pkce):
                return Canned(400, {"error": "invalid_client", "error_description": "Invalid client"})
            if form.get("redirect_uri") != grant.redirect_uri:
                return Canned(400, {"error": "invalid_grant", "error_description": "Invalid redirect URI"})
            if pkce:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                    return Canned(
                        400, {"error": "invalid_grant", "error_description": "code_verifier was incorrect"}
                    )
            access, refresh = self.issue_tokens(grant.client_id, scope=grant.scope)
            return Canned(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "scope": grant.scope,
                    "expires_in": self.access_ttl,
                    "refresh_token": refresh,
                },
            )
        if form.get("grant_type") == "refresh_token":
            old = form.get("refresh_token", "")
            client_id = self.refresh_tokens.get(old)
            if client_id is None:
                return Canned(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"})
            if not self._client_ok(headers, form, client_id, self.clients.get(client_id) is None):
                return Canned(400, {"error": "invalid_client", "error_description": "Invalid client"})
            scope = self.refresh_scopes.get(old, "")
            access, new_refresh = self.issue_tokens(client_id, scope=scope)
            body: dict[str, Any] = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.access_ttl,
                "scope": scope,
            }
            with self._lock:
                if self.rotate_refresh_tokens:
                    del self.refresh_tokens[old]
                    body["refresh_token"] = new_refresh
                else:
                    del self.refresh_tokens[new_refresh]
            return Canned(200, body)
        return Canned(400, {"error": "unsupported_grant_type"})
