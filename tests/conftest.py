"""Shared fakes: test isolation, the fake Spotify server, a scripted browser, keyrings (memory and real)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from spotiviz_cli.cli import app
from spotiviz_cli.services import Services
from spotiviz_cli.tokens import TokenRecord
from tests.fake_spotify import FakeSpotify
from tests.memkeyring import MemoryKeyring

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-XYZ"
PORTLESS_REDIRECT = "http://127.0.0.1/api/callback"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the user's env, .env files, config, data or keyring."""
    for key in list(os.environ):
        if key.startswith(("SPOTIFY_", "SPOTIVIZ_")):
            monkeypatch.delenv(key)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SPOTIVIZ_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SPOTIVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return tmp_path


@pytest.fixture
def fake_spotify() -> Iterator[FakeSpotify]:
    fake = FakeSpotify().start()
    fake.register(CLIENT_ID, None, PORTLESS_REDIRECT)
    try:
        yield fake
    finally:
        fake.stop()


@dataclass
class Visit:
    url: str
    status: int
    body: str


@dataclass
class ScriptedBrowser:
    """Plays the user's browser: follows the authorize redirect to the real loopback listener.

    `before` lists paths (with query) requested on the listener first, as browsers pre-fetch;
    `rewrite` may tamper with the callback address (to forge a state, say).
    """

    before: list[str] = field(default_factory=list)
    rewrite: Callable[[str], str] | None = None
    follow: bool = True
    opened: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    _visits: list[Visit] = field(default_factory=list)

    @property
    def visits(self) -> list[Visit]:
        """What the browser saw, once it has finished (its last page can arrive after the login ended)."""
        assert self.done.wait(10), "the scripted browser did not finish"
        return self._visits

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        threading.Thread(target=self._run, args=(url,), daemon=True).start()
        return True

    def _run(self, url: str) -> None:
        try:
            with httpx.Client(timeout=5) as client:
                answer = client.get(url)
                self._visits.append(Visit(url, answer.status_code, answer.text))
                location = answer.headers.get("location")
                if not location or not self.follow:
                    return
                origin = location.split("/api/callback")[0]
                for extra in self.before:
                    got = client.get(origin + extra)
                    self._visits.append(Visit(origin + extra, got.status_code, got.text))
                if self.rewrite:
                    location = self.rewrite(location)
                got = client.get(location)
                self._visits.append(Visit(location, got.status_code, got.text))
        finally:
            self.done.set()


@contextlib.contextmanager
def zone(name: str) -> Iterator[None]:
    """The process in the time zone `name` (TZ), and back after."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


@dataclass
class Harness:
    """Runs CLI commands in-process against the fake Spotify with injected collaborators."""

    fake: FakeSpotify
    keyring: Any
    browser: ScriptedBrowser
    env: dict[str, str]
    cwd: Path
    sleeps: list[float] = field(
        default_factory=list
    )  # what the API client asked to sleep, instead of sleeping

    def services(self, **overrides: Any) -> Services:
        values: dict[str, Any] = {
            "environ": self.env,
            "cwd": self.cwd,
            "keyring_backend": lambda: self.keyring,
            "open_browser": self.browser,
        }
        values.update(overrides)
        return Services(**values)

    def run(self, *args: str, input: str | None = None, **overrides: Any) -> Any:
        overrides.setdefault("sleep", self.sleeps.append)
        return CliRunner().invoke(app, list(args), obj=self.services(**overrides), input=input)

    def log_in(self, *, expires_in: int = 3600, authorized_at: datetime | None = None) -> TokenRecord:
        """Store a record the fake Spotify knows, as if `spotiviz login` had run."""
        now = datetime.now(timezone.utc)
        access, refresh = self.fake.issue_tokens(CLIENT_ID, ttl=max(expires_in, 0), scope="user-top-read")
        record = TokenRecord(
            client_id=CLIENT_ID,
            access_token=access,
            refresh_token=refresh,
            expires_at=now + timedelta(seconds=expires_in),
            scopes=("user-top-read",),
            authorized_at=authorized_at or now,
        )
        self.keyring.set_password("spotiviz", "session", record.to_json())
        return record

    def stored(self) -> TokenRecord:
        return TokenRecord.from_json(self.keyring.get_password("spotiviz", "session"))


@pytest.fixture
def harness(fake_spotify: FakeSpotify, isolated: Path) -> Harness:
    env = {
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "SPOTIFY_REDIRECT_URI": PORTLESS_REDIRECT,
        "SPOTIVIZ_ACCOUNTS_URL": fake_spotify.accounts_url,
        "SPOTIVIZ_API_URL": fake_spotify.api_url,
        "SPOTIVIZ_CONFIG_DIR": str(isolated / "config"),
        "SPOTIVIZ_DATA_DIR": str(isolated / "data"),
    }
    return Harness(fake_spotify, MemoryKeyring(), ScriptedBrowser(), env, Path.cwd())


# ---------------------------------------------------------------- the real Secret Service


@pytest.fixture(scope="session")
def secret_service_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private D-Bus session with gnome-keyring's Secret Service, unlocked; skipped where it cannot start."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("dbus-daemon and gnome-keyring-daemon are not installed (scripts/test installs them)")
    home = tmp_path_factory.mktemp("secret-service")
    (home / "run").mkdir(mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_RUNTIME_DIR": str(home / "run"),
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"spotiviz-tests")  # gnome-keyring creates no login keyring for an empty password
    daemon.stdin.close()
    try:
        if not _secret_service_answers(address):
            pytest.skip("gnome-keyring's Secret Service did not start in a private D-Bus session")
        yield address
    finally:
        for process in (daemon, bus):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def _secret_service_answers(address: str) -> bool:
    """Wait until the service answers *and* its unlocked login keyring is the default collection.

    gnome-keyring answers on the bus before it has made the login keyring from the password on
    stdin; a test that stores a secret in that window makes keyring ask to create a collection,
    which needs a prompter there is none of ("Prompt dismissed").
    """
    from jeepney.io.blocking import open_dbus_connection
    from secretstorage import Collection, check_service_availability
    from secretstorage.exceptions import SecretStorageException

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if address:
            try:
                with open_dbus_connection(address) as connection:  # type: ignore[no-untyped-call]
                    if check_service_availability(connection) and not Collection(connection).is_locked():
                        return True
            except (OSError, ConnectionError, ValueError, SecretStorageException):
                pass
        time.sleep(0.1)
    return False


@pytest.fixture
def secret_service(secret_service_address: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """keyring's real SecretService backend, talking to the private gnome-keyring."""
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service_address)
    backend = SecretService.Keyring()
    yield backend
    with contextlib.suppress(Exception):
        backend.delete_password("spotiviz", "session")
