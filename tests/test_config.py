"""Settings: environment over .env.local over .env, defaults, redirect URI rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from spotiviz_cli.config import load_settings, parse_redirect_uri, redirect_warnings
from spotiviz_cli.errors import UsageProblem


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, tmp_path)
    assert settings.client_id is None and settings.client_secret is None
    assert settings.redirect_uri == "http://127.0.0.1:3000/api/callback"
    assert settings.authorize_endpoint == "https://accounts.spotify.com/authorize"
    assert settings.token_endpoint == "https://accounts.spotify.com/api/token"
    assert settings.api_url == "https://api.spotify.com/v1"
    assert settings.keyring_timeout == 10.0


def test_environment_wins_over_env_local_over_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SPOTIFY_CLIENT_ID=from-env-file\nSPOTIFY_CLIENT_SECRET='quoted secret'\nSPOTIVIZ_API_URL=http://e/v1\n"
        "UNRELATED=1\n"
    )
    (tmp_path / ".env.local").write_text("SPOTIFY_CLIENT_ID=from-env-local\nSPOTIVIZ_API_URL=http://l/v1/\n")
    settings = load_settings({"SPOTIVIZ_API_URL": "http://environ/v1"}, tmp_path)
    assert settings.client_id == "from-env-local"
    assert settings.client_secret == "quoted secret"
    assert settings.api_url == "http://environ/v1"
    assert "quoted secret" not in repr(settings)


def test_dirs_move_with_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {"SPOTIVIZ_CONFIG_DIR": str(tmp_path / "c"), "SPOTIVIZ_DATA_DIR": "/d"}, tmp_path
    )
    assert settings.token_file == tmp_path / "c" / "tokens.json"
    assert settings.data_dir == Path("/d")


def test_bad_keyring_timeout_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="SPOTIVIZ_KEYRING_TIMEOUT"):
        load_settings({"SPOTIVIZ_KEYRING_TIMEOUT": "soon"}, tmp_path)


@pytest.mark.parametrize(
    ("uri", "host", "port", "path", "loopback"),
    [
        ("http://127.0.0.1:3000/api/callback", "127.0.0.1", 3000, "/api/callback", True),
        ("http://127.0.0.1/api/callback", "127.0.0.1", None, "/api/callback", True),
        ("http://[::1]:8080/cb", "::1", 8080, "/cb", True),
        ("http://localhost:3000/api/callback", "localhost", 3000, "/api/callback", True),
        ("https://example.com/callback", "example.com", None, "/callback", False),
    ],
)
def test_parse_redirect_uri(uri: str, host: str, port: int | None, path: str, loopback: bool) -> None:
    redirect = parse_redirect_uri(uri)
    assert (redirect.host, redirect.port, redirect.path, redirect.is_loopback) == (host, port, path, loopback)
    assert str(redirect) == uri


def test_portless_uri_gets_the_runtime_port() -> None:
    assert (
        parse_redirect_uri("http://127.0.0.1/api/callback").with_port(5555)
        == "http://127.0.0.1:5555/api/callback"
    )
    assert parse_redirect_uri("http://[::1]/cb").with_port(5555) == "http://[::1]:5555/cb"


@pytest.mark.parametrize("uri", ["not a url", "ftp://127.0.0.1/x", "http://127.0.0.1:99999/x"])
def test_invalid_redirect_uri(uri: str) -> None:
    with pytest.raises(UsageProblem, match="SPOTIFY_REDIRECT_URI"):
        parse_redirect_uri(uri)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://localhost:3000/api/callback", "http://127.0.0.1:3000/api/callback"),
        ("http://example.com/cb", "plain http only"),
    ],
)
def test_redirect_warnings(uri: str, expected: str) -> None:
    (warning,) = redirect_warnings(parse_redirect_uri(uri))
    assert expected in warning


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:3000/api/callback", "https://example.com/cb", "http://[::1]/cb"]
)
def test_no_warning_for_accepted_uris(uri: str) -> None:
    assert redirect_warnings(parse_redirect_uri(uri)) == []


def test_no_repr_shows_the_client_secret(tmp_path: Path) -> None:
    from spotiviz_cli.services import Services

    services = Services(
        environ={"SPOTIFY_CLIENT_ID": "cid", "SPOTIFY_CLIENT_SECRET": "s3cr3t-value"}, cwd=tmp_path
    )
    assert services.settings.client_secret == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(services) and "s3cr3t-value" not in repr(services.settings)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SPOTIVIZ_KEYRING_TIMEOUT", "nan"),
        ("SPOTIVIZ_KEYRING_TIMEOUT", "inf"),
        ("SPOTIVIZ_KEYRING_TIMEOUT", "1e400"),
        ("SPOTIVIZ_KEYRING_TIMEOUT", "0"),
        ("SPOTIVIZ_MAX_RETRY_WAIT", "nan"),
        ("SPOTIVIZ_MAX_RETRY_WAIT", "-1"),
        ("SPOTIVIZ_MAX_RETRY_WAIT", "99999"),
        ("SPOTIVIZ_MAX_IMPORT_MB", "0"),
        ("SPOTIVIZ_MAX_IMPORT_MB", "-inf"),
    ],
)
def test_numeric_settings_are_finite_and_in_range(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(UsageProblem, match=f"{key} must be a number of .* from .* to .*, not '{value}'"):
        load_settings({key: value}, tmp_path)


def test_a_dotenv_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"SPOTIFY_CLIENT_ID=caf\xe9\n")
    with pytest.raises(UsageProblem, match=r"\.env is not UTF-8 text") as caught:
        load_settings({}, tmp_path)
    assert str(tmp_path / ".env") in str(caught.value)
