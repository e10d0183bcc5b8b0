"""Builds the real collaborators once (settings, token store, HTTP, consoles, browser, clock); tests pass fakes."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import httpx
    from keyring.backend import KeyringBackend
    from rich.console import Console

    from spotiviz_cli.config import Settings
    from spotiviz_cli.tokens import TokenStore


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _open_browser(url: str) -> bool:
    """Opens `url` in the user's browser (BROWSER honoured), which starts without spotiviz's settings
    in its environment: the client secret must not reach another program."""
    import webbrowser

    hidden = {
        key: os.environ.pop(key) for key in list(os.environ) if key.startswith(("SPOTIFY_", "SPOTIVIZ_"))
    }
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
    finally:
        os.environ.update(hidden)


def _system_keyring() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


@dataclass
class Services:
    """Everything a command touches outside its own arguments. `Services()` is the real world."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)  # may hold the secret
    cwd: Path | None = None
    transport: httpx.BaseTransport | None = None  # None: the real network
    keyring_backend: Callable[[], KeyringBackend] = _system_keyring
    open_browser: Callable[[str], bool] = _open_browser
    now: Callable[[], datetime] = utc_now
    stdin: TextIO | None = None  # None: sys.stdin at the time of use
    sleep: Callable[[float], None] = time.sleep
    demo: bool = False  # --demo: invented data through the same client code; no login, keyring or network
    demo_said: bool = False  # the output already says it is demo data: no banner after it
    max_in_flight: int = 8  # concurrent API requests; Spotify's rate limit is per app and rolling

    @cached_property
    def settings(self) -> Settings:
        from spotiviz_cli.config import load_settings

        return load_settings(self.environ, self.cwd or Path.cwd())

    @cached_property
    def history_path(self) -> Path:
        """The history database: the user's, or in demo mode an invented one that is thrown away after."""
        if self.demo:
            from spotiviz_cli.demo.history import demo_history

            return demo_history(self.now())
        return self.settings.data_dir / "history.sqlite3"

    @cached_property
    def out(self) -> Console:
        """stdout: data only (tables, JSON, CSV)."""
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False)

    @cached_property
    def err(self) -> Console:
        """stderr: notices, progress, errors."""
        from rich.console import Console

        return Console(stderr=True, highlight=False)

    def notify(self, message: str) -> None:
        from spotiviz_cli.render.text import literal

        # soft_wrap: the terminal folds long lines itself, so a printed URL stays copyable in one piece
        self.err.print(literal(message), highlight=False, soft_wrap=True)

    def warn(self, message: str) -> None:
        from rich.text import Text

        from spotiviz_cli.render.text import literal

        line = Text("Warning: ", style="yellow").append_text(literal(message))
        self.err.print(line, highlight=False, soft_wrap=True)  # one line, as errors

    def input_stream(self) -> TextIO:
        return self.stdin if self.stdin is not None else sys.stdin

    def http_client(self, *, base_url: str = "", auth: httpx.Auth | None = None) -> httpx.Client:
        import httpx

        from spotiviz_cli import __version__
        from spotiviz_cli.api import DeadlineTransport

        seconds = self.settings.timeout
        inner = self.transport or self._demo_transport or httpx.HTTPTransport()
        return httpx.Client(
            base_url=base_url,
            auth=auth,
            transport=DeadlineTransport(inner, seconds),
            timeout=httpx.Timeout(seconds, connect=min(5.0, seconds)),
            headers={"User-Agent": f"spotiviz/{__version__}"},
        )

    @cached_property
    def _demo_transport(self) -> httpx.BaseTransport | None:
        if not self.demo:
            return None
        from spotiviz_cli.demo.transport import DemoTransport

        return DemoTransport(self.now)

    def token_store(self, *, insecure: bool | None = None) -> TokenStore:
        """The keyring, or the 0600 file. None: the file if a previous --insecure-storage login made one."""
        from spotiviz_cli.tokens import FileTokenStore, KeyringTokenStore

        if self.demo:
            from spotiviz_cli.demo.transport import DemoTokenStore

            return DemoTokenStore(self.now)

        file_store = FileTokenStore(self.settings.token_file)
        if insecure is None:
            insecure = file_store.path.exists()
        if insecure:
            self.warn(file_store.warning)
            return file_store
        return KeyringTokenStore(self.keyring_backend, timeout=self.settings.keyring_timeout)
