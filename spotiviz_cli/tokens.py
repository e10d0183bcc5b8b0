"""The token record, and where it is kept: the OS keyring (default) or an opt-in 0600 file."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from spotiviz_cli.dates import add_months
from spotiviz_cli.errors import KeyringUnavailable, LoginRequired, NoKeyring

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from spotiviz_cli.oauth import TokenGrant

SERVICE = "spotiviz"
ACCOUNT = "session"
REFRESH_TOKEN_LIFETIME_MONTHS = 6  # since 2026-07-20, counted from the user's original authorisation

T = TypeVar("T")


@dataclass(frozen=True)
class TokenRecord:
    """One login. Secrets are kept out of repr; `to_json` is only ever written to a token store."""

    client_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...]
    authorized_at: datetime
    client_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_grant(
        cls, grant: TokenGrant, *, client_id: str, client_secret: str | None, now: datetime
    ) -> TokenRecord:
        assert grant.refresh_token is not None, "a code exchange always carries a refresh token"
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            expires_at=now + timedelta(seconds=grant.expires_in),
            scopes=grant.scopes,
            authorized_at=now,
        )

    def refreshed(self, grant: TokenGrant, *, now: datetime) -> TokenRecord:
        """The record after a refresh: keep the old refresh token unless Spotify sent a new one."""
        return replace(
            self,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token or self.refresh_token,
            expires_at=now + timedelta(seconds=grant.expires_in),
            scopes=grant.scopes or self.scopes,
        )

    def expires_within(self, seconds: float, *, now: datetime) -> bool:
        return self.expires_at - now <= timedelta(seconds=seconds)

    @property
    def login_expires_at(self) -> datetime:
        """When the refresh token dies and a new `spotiviz login` is needed."""
        return add_months(self.authorized_at, REFRESH_TOKEN_LIFETIME_MONTHS)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat(),
                "scopes": list(self.scopes),
                "authorized_at": self.authorized_at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TokenRecord:
        try:
            data: Any = json.loads(text)
            return cls(
                client_id=_text(data["client_id"]),
                client_secret=data.get("client_secret") or None,
                access_token=_text(data["access_token"]),
                refresh_token=_text(data["refresh_token"]),
                expires_at=_utc(data["expires_at"]),
                scopes=tuple(_text(s) for s in data.get("scopes", [])),
                authorized_at=_utc(data["authorized_at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LoginRequired(
                "The stored Spotify login is unreadable.", hint="Run: spotiviz login"
            ) from None


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _utc(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("expected an aware timestamp")
    return moment.astimezone(timezone.utc)


class TokenStore(Protocol):
    """Where the one token record lives."""

    @property
    def location(self) -> str: ...

    @property
    def insecure(self) -> bool: ...

    def check(self) -> None:
        """Raise KeyringUnavailable (with the remedy) when this store cannot be used."""

    def load(self) -> TokenRecord | None: ...

    def save(self, record: TokenRecord) -> None: ...

    def delete(self) -> bool:
        """Remove the record; False when there was none."""
        ...


def keyring_remedy(platform: str = sys.platform) -> str:
    if platform == "darwin":
        fix = "unlock the login Keychain (Keychain Access), or check PYTHON_KEYRING_BACKEND"
    elif platform.startswith("win"):
        fix = "check that Windows Credential Manager is running, or check PYTHON_KEYRING_BACKEND"
    else:
        fix = (
            "start and unlock a Secret Service (gnome-keyring or KeePassXC) in your session; "
            "on a headless machine see 'No usable OS keyring' under Troubleshooting in the README"
        )
    return f"To fix: {fix}. Or run spotiviz login --insecure-storage to keep tokens in a 0600 file instead."


class KeyringTokenStore:
    """The record as one JSON secret under service `spotiviz` in the OS keyring.

    Every call runs in a worker thread and is abandoned after `timeout` seconds, because a hung
    D-Bus or a keyring prompt nobody answers must not freeze the tool.
    """

    insecure = False

    def __init__(self, backend: Callable[[], KeyringBackend], *, timeout: float = 10.0) -> None:
        self._backend_factory = backend
        self._backend: KeyringBackend | None = None
        self._timeout = timeout

    @property
    def location(self) -> str:
        backend = self._call(self._get_backend)
        return f"system keyring ({type(backend).__module__.rsplit('.', 1)[-1]})"

    def check(self) -> None:
        self._call(self._get_backend)

    def load(self) -> TokenRecord | None:
        text = self._call(lambda: self._get_backend().get_password(SERVICE, ACCOUNT))
        return None if text is None else TokenRecord.from_json(text)

    def save(self, record: TokenRecord) -> None:
        self._call(lambda: self._get_backend().set_password(SERVICE, ACCOUNT, record.to_json()))

    def delete(self) -> bool:
        def delete() -> bool:
            from keyring.errors import PasswordDeleteError

            backend = self._get_backend()
            if backend.get_password(SERVICE, ACCOUNT) is None:
                return False
            try:
                backend.delete_password(SERVICE, ACCOUNT)
            except PasswordDeleteError:
                return False
            return True

        return self._call(delete)

    def _get_backend(self) -> KeyringBackend:
        if self._backend is None:
            backend = self._backend_factory()
            if not _usable(backend):
                raise NoKeyring(
                    f"No usable OS keyring was found (keyring chose {type(backend).__module__}).",
                    hint=keyring_remedy(),
                )
            self._backend = backend
        return self._backend

    def _call(self, fn: Callable[[], T]) -> T:
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append((True, fn()))
            except BaseException as exc:
                outcome.append((False, exc))

        worker = threading.Thread(target=run, name="spotiviz-keyring", daemon=True)
        worker.start()
        worker.join(self._timeout)
        if not outcome:
            raise KeyringUnavailable(
                f"The OS keyring did not answer within {self._timeout:g} s.",
                hint="It may be locked and waiting for a password prompt, or D-Bus is stuck. "
                + keyring_remedy(),
            )
        ok, value = outcome[0]
        if ok:
            return value  # type: ignore[no-any-return]
        if isinstance(value, KeyringUnavailable | LoginRequired):
            raise value
        # by kind and backend only: a backend's own message can carry what it was asked to store
        backend = type(self._backend).__module__ if self._backend is not None else "not chosen yet"
        raise KeyringUnavailable(
            f"The OS keyring ({backend}) failed with {type(value).__name__}.", hint=keyring_remedy()
        ) from None


def _usable(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if type(backend).__module__ == "keyring.backends.null":
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


class FileTokenStore:
    """The opt-in plain file (--insecure-storage), created 0600 from the first byte and replaced atomically."""

    insecure = True

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return f"file {self.path} (insecure storage)"

    @property
    def warning(self) -> str:
        return (
            f"Tokens are kept in a plain file, {self.path} (--insecure-storage): anyone who can read it "
            "can use your Spotify account. `spotiviz logout` removes it."
        )

    def check(self) -> None:
        return None

    def load(self) -> TokenRecord | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return TokenRecord.from_json(text)

    def save(self, record: TokenRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(tmp, flags, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(record.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
