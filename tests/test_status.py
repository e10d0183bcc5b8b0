"""`spotiviz status` and `spotiviz logout`, and the token refresh behind them, against the fake Spotify."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail

from spotiviz_cli.tokens import FileTokenStore
from tests.conftest import CLIENT_ID, Harness
from tests.fake_spotify import Canned

NOW = datetime.now(timezone.utc)


def test_status_when_logged_in(harness: Harness) -> None:
    authorized = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
    harness.log_in(authorized_at=authorized)
    result = harness.run("status")
    assert result.exit_code == 0, result.output
    assert "Fake User (fakeuser)" in result.stdout
    assert "MemoryKeyring" not in result.stdout and "system keyring (memkeyring)" in result.stdout
    assert "user-top-read" in result.stdout
    assert "2027-04-01" in result.stdout  # 6 months after authorisation


def test_status_json_is_one_fixed_object(harness: Harness) -> None:
    authorized = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
    record = harness.log_in(authorized_at=authorized)
    result = harness.run("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {
        "logged_in": True,
        "user": {"id": "fakeuser", "display_name": "Fake User"},
        "client_id": CLIENT_ID,
        "storage": "system keyring (memkeyring)",
        "insecure_storage": False,
        "scopes": ["user-top-read"],
        "access_token_expires_at": record.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "login_expires_at": "2027-04-01T08:00:00Z",
        "error": None,
    }


def test_status_when_not_logged_in_exits_4(harness: Harness) -> None:
    result = harness.run("status")
    assert result.exit_code == 4
    assert "Run: spotiviz login" in result.stderr
    as_json = harness.run("status", "--json")
    assert as_json.exit_code == 4
    data = json.loads(as_json.stdout)
    assert data["logged_in"] is False and data["user"] is None and data["scopes"] == []
    assert harness.fake.requests == []


def test_expired_access_token_is_refreshed_once_and_saved(harness: Harness) -> None:
    old = harness.log_in(expires_in=30)  # within the 60 s margin: refresh first
    result = harness.run("status")
    assert result.exit_code == 0, result.output
    assert harness.fake.paths() == ["/api/token", "/v1/me"]
    new = harness.stored()
    assert new.access_token != old.access_token
    assert new.refresh_token == old.refresh_token  # Spotify sent none: keep the old one
    assert new.expires_at > NOW + timedelta(minutes=50)


def test_rotated_refresh_token_is_saved(harness: Harness) -> None:
    harness.fake.rotate_refresh_tokens = True
    old = harness.log_in(expires_in=0)
    assert harness.run("status").exit_code == 0
    new = harness.stored()
    assert new.refresh_token != old.refresh_token
    assert new.refresh_token in harness.fake.refresh_tokens


def test_401_refreshes_once_and_retries_once(harness: Harness) -> None:
    harness.log_in()
    harness.fake.queue(
        "/v1/me", Canned(401, {"error": {"status": 401, "message": "The access token expired"}})
    )
    result = harness.run("status", "--json")
    assert result.exit_code == 0, result.output
    assert harness.fake.paths() == ["/v1/me", "/api/token", "/v1/me"]


def test_revoked_refresh_token_means_login_again(harness: Harness) -> None:
    harness.log_in(expires_in=0)
    harness.fake.refresh_tokens.clear()
    result = harness.run("status")
    assert result.exit_code == 4
    assert "Your Spotify login has expired; run: spotiviz login" in result.stderr
    assert "Traceback" not in result.output


def test_user_not_on_the_allowlist(harness: Harness) -> None:
    harness.log_in()
    harness.fake.queue(
        "/v1/me",
        Canned(403, {"error": {"status": 403, "message": "User not registered in the Developer Dashboard"}}),
    )
    result = harness.run("status")
    assert result.exit_code == 1
    assert "User Management" in result.stderr


def test_no_keyring_is_a_clear_error_with_the_remedy(harness: Harness) -> None:
    result = harness.run("status", keyring_backend=fail.Keyring)
    assert result.exit_code == 1
    assert "No usable OS keyring" in result.stderr and "--insecure-storage" in result.stderr
    assert "Traceback" not in result.output


def test_logout_removes_the_record_and_names_the_revoke_page(harness: Harness) -> None:
    harness.log_in()
    result = harness.run("logout")
    assert result.exit_code == 0, result.output
    assert "removed the login" in result.stdout
    assert "spotify.com/account/apps" in result.stderr
    assert harness.keyring.get_password("spotiviz", "session") is None
    again = harness.run("logout")
    assert again.exit_code == 0 and "nothing to remove" in again.stdout


def test_logout_removes_the_insecure_file_even_without_a_keyring(harness: Harness, isolated: Path) -> None:
    store = FileTokenStore(isolated / "config" / "tokens.json")
    store.save(harness.log_in())
    result = harness.run("logout", keyring_backend=fail.Keyring)
    assert result.exit_code == 0, result.output
    assert not store.path.exists()


def test_real_secret_service_login_status_logout(harness: Harness, secret_service: object) -> None:
    harness.keyring = secret_service
    login = harness.run("login")
    assert login.exit_code == 0, login.output
    status = harness.run("status", "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["storage"] == "system keyring (SecretService)"
    assert harness.run("logout").exit_code == 0
    assert harness.run("status").exit_code == 4


class BrokenTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug somewhere below the CLI")


def test_unexpected_errors_are_one_line_without_a_traceback(harness: Harness) -> None:
    harness.log_in()
    result = harness.run("status", transport=BrokenTransport())
    assert result.exit_code == 1
    assert "Unexpected RuntimeError" in result.stderr and "SPOTIVIZ_DEBUG=1" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.log_in()
    monkeypatch.setenv("SPOTIVIZ_DEBUG", "1")
    result = harness.run("status", transport=BrokenTransport())
    assert isinstance(result.exception, RuntimeError)
    monkeypatch.setenv("SPOTIVIZ_DEBUG", "1")
    expected = harness.run("status", keyring_backend=fail.Keyring)
    assert expected.exit_code == 1 and "Traceback" in expected.stderr


def test_status_json_prints_its_object_when_the_token_file_is_damaged(
    harness: Harness, isolated: Path
) -> None:
    token_file = isolated / "config" / "tokens.json"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text("{not json")
    token_file.chmod(0o600)
    result = harness.run("status", "--json")
    assert result.exit_code in (1, 4), result.output
    data = json.loads(result.stdout)
    assert data["logged_in"] is False and data["error"] and data["storage"] == "unknown"
    assert (
        result.stderr.splitlines()[-1] == "Error: The stored Spotify login is unreadable. Run: spotiviz login"
    )


def test_status_says_when_the_access_token_expires_in_words(harness: Harness) -> None:
    harness.log_in(expires_in=24 * 3600 - 30)
    result = harness.run("status")
    assert result.exit_code == 0, result.output
    assert "(in 24 h; renews itself)" in result.stdout and "1439 min" not in result.stdout
