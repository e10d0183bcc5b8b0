"""The token record and its stores: memory keyring (contract-tested), real Secret Service, hung keyring, 0600 file."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from keyring.backends import fail
from keyring.testing.backend import BackendBasicTests

from spotiviz_cli.dates import add_months
from spotiviz_cli.errors import KeyringUnavailable, LoginRequired
from spotiviz_cli.oauth import TokenGrant
from spotiviz_cli.tokens import FileTokenStore, KeyringTokenStore, TokenRecord
from tests.memkeyring import HungKeyring, MemoryKeyring

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def record(**changes: object) -> TokenRecord:
    values: dict[str, object] = {
        "client_id": "cid",
        "client_secret": "SECRET-cs",
        "access_token": "SECRET-at",
        "refresh_token": "SECRET-rt",
        "expires_at": NOW + timedelta(hours=1),
        "scopes": ("user-top-read",),
        "authorized_at": NOW,
    }
    values.update(changes)
    return TokenRecord(**values)  # type: ignore[arg-type]


class TestMemoryKeyringContract(BackendBasicTests):
    """keyring's own backend suite proves the in-memory fake behaves like a real backend."""

    def init_keyring(self) -> MemoryKeyring:
        return MemoryKeyring()


def test_record_round_trips_and_hides_secrets() -> None:
    original = record()
    assert TokenRecord.from_json(original.to_json()) == original
    assert "SECRET" not in repr(original)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (datetime(2026, 1, 15, tzinfo=timezone.utc), datetime(2026, 7, 15, tzinfo=timezone.utc)),
        (datetime(2026, 8, 31, tzinfo=timezone.utc), datetime(2027, 2, 28, tzinfo=timezone.utc)),
        (datetime(2027, 8, 31, tzinfo=timezone.utc), datetime(2028, 2, 29, tzinfo=timezone.utc)),
        (datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc), datetime(2027, 6, 1, 9, 30, tzinfo=timezone.utc)),
    ],
)
def test_login_expires_six_calendar_months_after_authorisation(start: datetime, expected: datetime) -> None:
    assert add_months(start, 6) == expected
    assert record(authorized_at=start).login_expires_at == expected


@pytest.mark.parametrize(("new_refresh", "kept"), [(None, "SECRET-rt"), ("SECRET-new", "SECRET-new")])
def test_refresh_keeps_the_old_refresh_token_unless_a_new_one_comes(
    new_refresh: str | None, kept: str
) -> None:
    later = NOW + timedelta(minutes=59)
    grant = TokenGrant(access_token="SECRET-at2", refresh_token=new_refresh, expires_in=3600, scopes=())
    refreshed = record().refreshed(grant, now=later)
    assert refreshed.refresh_token == kept
    assert refreshed.access_token == "SECRET-at2"
    assert refreshed.expires_at == later + timedelta(hours=1)
    assert refreshed.scopes == ("user-top-read",)  # an answer without scope keeps the granted ones
    assert refreshed.authorized_at == NOW  # refreshing does not extend the 6 months


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", '{"client_id": "x"}', record().to_json().replace("+00:00", "")]
)
def test_unreadable_record_asks_for_a_new_login(text: str) -> None:
    with pytest.raises(LoginRequired, match="unreadable"):
        TokenRecord.from_json(text)


def test_keyring_store_round_trip_in_memory() -> None:
    backend = MemoryKeyring()
    store = KeyringTokenStore(lambda: backend)
    assert store.load() is None
    store.save(record())
    assert backend.get_password("spotiviz", "session") is not None
    assert store.load() == record()
    assert store.delete() is True
    assert store.delete() is False
    assert store.load() is None


def test_hung_keyring_gives_up_within_the_timeout() -> None:
    store = KeyringTokenStore(HungKeyring, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(KeyringUnavailable, match=r"did not answer within 0\.3 s") as caught:
        store.load()
    assert time.monotonic() - started < 2
    assert "--insecure-storage" in (caught.value.hint or "")


def test_fail_backend_is_unusable_with_the_remedy() -> None:
    store = KeyringTokenStore(fail.Keyring)
    with pytest.raises(KeyringUnavailable, match="No usable OS keyring") as caught:
        store.check()
    assert "--insecure-storage" in (caught.value.hint or "")


def test_keyring_errors_become_one_clear_error() -> None:
    from keyring.errors import KeyringLocked

    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("Failed to unlock the collection holding SECRET-refresh-token")

    with pytest.raises(
        KeyringUnavailable, match=r"keyring \(tests.test_tokens\) failed with KeyringLocked"
    ) as caught:
        KeyringTokenStore(Locked).load()
    assert "SECRET" not in str(caught.value) + str(caught.value.hint)  # a backend's text is never repeated


def test_real_secret_service_round_trip(secret_service: object) -> None:
    store = KeyringTokenStore(lambda: secret_service)  # type: ignore[arg-type,return-value]
    assert "SecretService" in store.location
    store.save(record())
    assert store.load() == record()
    store.save(record(access_token="SECRET-other"))
    loaded = store.load()
    assert loaded is not None and loaded.access_token == "SECRET-other"
    assert store.delete() is True
    assert store.load() is None


def test_file_store_is_0600_from_the_first_byte(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "tokens.json"
    store = FileTokenStore(path)
    seen_modes: list[int] = []
    stop = threading.Event()

    def watch() -> None:  # any file that ever appears in the folder must already be 0600
        while not stop.is_set():
            if path.parent.exists():
                for child in path.parent.iterdir():
                    with contextlib.suppress(FileNotFoundError):
                        seen_modes.append(stat.S_IMODE(child.stat().st_mode))

    old_umask = os.umask(0)  # even with a permissive umask
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(20):
            store.save(record())
    finally:
        stop.set()
        watcher.join()
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(seen_modes) <= {0o600}
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store.load() == record()
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temp files left
    assert store.delete() and not path.exists()
