"""An httpx transport that answers like the Web API from the demo account, and the demo token store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import httpx

from spotiviz_cli.demo.data import DemoAccount, build
from spotiviz_cli.oauth import SCOPES
from spotiviz_cli.tokens import TokenRecord


class DemoTransport(httpx.BaseTransport):
    """Serves GET requests for the endpoints spotiviz uses, with Spotify's paging and limits."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    @cached_property
    def account(self) -> DemoAccount:
        return build(self._now())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = dict(request.url.params)
        account = self.account
        if path.endswith("/me/top/tracks") or path.endswith("/me/top/artists"):
            ranges = account.top_tracks if path.endswith("tracks") else account.top_artists
            time_range = query.get("time_range", "medium_term")
            if time_range not in ranges:
                return _error(400, "Invalid time range")
            return _paged(ranges[time_range], query)
        if path.endswith("/me/tracks"):
            return _paged(account.saved, query)
        if path.endswith("/me/player/recently-played"):
            limit = int(query.get("limit", 20))
            if not 1 <= limit <= 50:
                return _error(400, "Invalid limit")
            return _json({"items": account.recent[:limit], "limit": limit, "next": None, "cursors": None})
        if path.endswith("/me/player/currently-playing"):
            return _json(account.now_playing)
        if path.endswith("/me"):
            return _json(account.profile)
        return _error(404, "Service not found")


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def _error(status: int, message: str) -> httpx.Response:
    return _json({"error": {"status": status, "message": message}}, status)


def _paged(items: list[dict[str, Any]], query: dict[str, str]) -> httpx.Response:
    limit, offset = int(query.get("limit", 20)), int(query.get("offset", 0))
    if not 1 <= limit <= 50:
        return _error(400, "Invalid limit")
    return _json(
        {
            "items": items[offset : offset + limit],
            "limit": limit,
            "offset": offset,
            "total": len(items),
            "next": None if offset + limit >= len(items) else f"offset={offset + limit}",
            "previous": None,
        }
    )


class DemoTokenStore:
    """A login that needs no login: nothing is read from or written to any keyring or file."""

    insecure = False
    location = "demo mode (no login; nothing stored)"

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def check(self) -> None:
        return None

    def load(self) -> TokenRecord | None:
        now = self._now()
        return TokenRecord(
            client_id="demo",
            access_token="demo-access-token",
            refresh_token="demo-refresh-token",
            expires_at=now + timedelta(days=1),
            scopes=SCOPES,
            authorized_at=now,
        )

    def save(self, record: TokenRecord) -> None:
        return None

    def delete(self) -> bool:
        return False
