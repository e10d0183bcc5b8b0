"""An in-memory keyring backend: a real keyring.backend.KeyringBackend, proven by keyring's contract suite."""

from __future__ import annotations

import time

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.items[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


class HungKeyring(MemoryKeyring):
    """A keyring that never answers in time, like a Secret Service stuck behind a prompt."""

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(5)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(5)
