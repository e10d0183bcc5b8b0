"""Settings from the environment and .env files; the only place that holds a Spotify address."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from spotiviz_cli.errors import UsageProblem

DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:3000/api/callback"
DASHBOARD_URL = "https://developer.spotify.com/dashboard"
ACCOUNT_APPS_URL = "https://www.spotify.com/account/apps/"

# The keys we read from the environment and from .env files; nothing else in those files is used.
KEYS = (
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "SPOTIFY_REDIRECT_URI",
    "SPOTIVIZ_ACCOUNTS_URL",
    "SPOTIVIZ_API_URL",
    "SPOTIVIZ_CONFIG_DIR",
    "SPOTIVIZ_DATA_DIR",
    "SPOTIVIZ_KEYRING_TIMEOUT",
    "SPOTIVIZ_MAX_RETRY_WAIT",
    "SPOTIVIZ_MAX_IMPORT_MB",
    "SPOTIVIZ_TIMEOUT",
)


@dataclass(frozen=True)
class RedirectUri:
    """A parsed redirect URI. `port` is None when the URI was registered without one (dynamic port)."""

    scheme: str
    host: str
    port: int | None
    path: str

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def uses_localhost(self) -> bool:
        return self.host == "localhost"

    def with_port(self, port: int | None) -> str:
        """The URI as sent to Spotify, with `port` filled in (or as registered when None)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = host if port is None else f"{host}:{port}"
        return urlunsplit((self.scheme, netloc, self.path, "", ""))

    def __str__(self) -> str:
        return self.with_port(self.port)


def parse_redirect_uri(uri: str) -> RedirectUri:
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError as exc:
        raise UsageProblem(
            f"SPOTIFY_REDIRECT_URI is not a valid URL: {uri!r} ({exc})",
            hint=f"Use the default, {DEFAULT_REDIRECT_URI}",
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageProblem(
            f"SPOTIFY_REDIRECT_URI must be an http(s) URL with a host, not {uri!r}",
            hint=f"Use the default, {DEFAULT_REDIRECT_URI}",
        )
    return RedirectUri(parts.scheme, parts.hostname, port, parts.path or "/")


@dataclass(frozen=True)
class Settings:
    client_id: str | None
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    accounts_url: str = DEFAULT_ACCOUNTS_URL
    api_url: str = DEFAULT_API_URL
    config_dir: Path = Path(".")
    data_dir: Path = Path(".")
    keyring_timeout: float = 10.0
    max_retry_wait: float = 10.0
    max_import_mb: float = 100.0  # no export file or zip member larger than this is read
    timeout: float = 15.0  # seconds Spotify has to answer a request

    @property
    def max_import_bytes(self) -> int:
        return int(self.max_import_mb * 2**20)

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.accounts_url}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.accounts_url}/api/token"

    @property
    def token_file(self) -> Path:
        """The opt-in plain-file token store (--insecure-storage)."""
        return self.config_dir / "tokens.json"

    def redirect(self) -> RedirectUri:
        return parse_redirect_uri(self.redirect_uri)


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageProblem(
            f"{path} is not UTF-8 text, so its settings cannot be read.",
            hint="Save it as UTF-8, or move it away.",
        ) from None
    except OSError as exc:
        raise UsageProblem(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return {k: v for k, v in values.items() if k in KEYS and v is not None}


def load_settings(environ: Mapping[str, str], cwd: Path) -> Settings:
    """Settings from `.env`, then `.env.local`, then the environment: later sources win."""
    values: dict[str, str] = {}
    values.update(_read_dotenv(cwd / ".env"))
    values.update(_read_dotenv(cwd / ".env.local"))
    values.update({k: environ[k] for k in KEYS if environ.get(k)})

    def url(key: str, default: str) -> str:
        return (values.get(key) or default).rstrip("/")

    def number(key: str, default: float, unit: str, low: float, high: float) -> float:
        """A numeric setting: finite and from `low` to `high` (README), else a usage error naming it."""
        text = values.get(key, "")
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN and the infinities fail this too
            raise UsageProblem(
                f"{key} must be a number of {unit} from {low:g} to {high:g}, not {text!r}.",
                hint=f"Unset it to use the default of {default:g} {unit}.",
            )
        return value

    from platformdirs import user_config_path, user_data_path

    return Settings(
        client_id=values.get("SPOTIFY_CLIENT_ID") or None,
        client_secret=values.get("SPOTIFY_CLIENT_SECRET") or None,
        redirect_uri=values.get("SPOTIFY_REDIRECT_URI") or DEFAULT_REDIRECT_URI,
        accounts_url=url("SPOTIVIZ_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL),
        api_url=url("SPOTIVIZ_API_URL", DEFAULT_API_URL),
        config_dir=Path(values["SPOTIVIZ_CONFIG_DIR"])
        if values.get("SPOTIVIZ_CONFIG_DIR")
        else user_config_path("spotiviz"),
        data_dir=Path(values["SPOTIVIZ_DATA_DIR"])
        if values.get("SPOTIVIZ_DATA_DIR")
        else user_data_path("spotiviz"),
        keyring_timeout=number("SPOTIVIZ_KEYRING_TIMEOUT", 10.0, "seconds", 0.1, 600),
        max_retry_wait=number("SPOTIVIZ_MAX_RETRY_WAIT", 10.0, "seconds", 0, 3600),
        max_import_mb=number("SPOTIVIZ_MAX_IMPORT_MB", 100.0, "MiB", 0.001, 100_000),
        timeout=number("SPOTIVIZ_TIMEOUT", 15.0, "seconds", 1, 300),
    )


def redirect_warnings(redirect: RedirectUri) -> list[str]:
    """What Spotify will refuse about this redirect URI, said before the browser opens."""
    if redirect.uses_localhost:
        fixed = RedirectUri(redirect.scheme, "127.0.0.1", redirect.port, redirect.path)
        return [
            f"Spotify refuses 'localhost' redirect URIs since November 2025; register and use {fixed} instead "
            "(set SPOTIFY_REDIRECT_URI)."
        ]
    if redirect.scheme == "http" and not redirect.is_loopback:
        return [
            f"Spotify accepts plain http only for 127.0.0.1 and [::1]; {redirect} will be refused. "
            f"Use {DEFAULT_REDIRECT_URI}."
        ]
    return []
