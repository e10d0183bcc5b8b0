"""Typed, frozen models of what Spotify returns; raw JSON stops here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spotiviz_cli.errors import SpotifyError


class BadPayload(SpotifyError):
    """A response body that is not the JSON shape spotiviz expects."""

    def __init__(self, endpoint: str, what: str) -> None:
        super().__init__(
            f"Spotify's answer to {endpoint} was not what spotiviz expected ({what}).",
            hint="Try again; if it keeps happening, run with SPOTIVIZ_DEBUG=1 and report it.",
        )


def _obj(data: Any, endpoint: str, what: str = "an object") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadPayload(endpoint, f"expected {what}")
    return data


def _str(data: dict[str, Any], key: str, endpoint: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise BadPayload(endpoint, f"missing text field {key!r}")
    return value


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class UserProfile:
    id: str
    display_name: str | None
    url: str | None = None

    @classmethod
    def from_json(cls, data: Any, endpoint: str = "/me") -> UserProfile:
        obj = _obj(data, endpoint)
        urls = obj.get("external_urls")
        return cls(
            id=_str(obj, "id", endpoint),
            display_name=_opt_str(obj, "display_name"),
            url=_opt_str(urls, "spotify") if isinstance(urls, dict) else None,
        )

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.id})" if self.display_name else self.id
