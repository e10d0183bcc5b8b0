"""What spotiviz leaves on disk is the owner's alone, whatever the umask; what it starts gets no secrets."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from spotiviz_cli.services import Services
from tests.conftest import CLIENT_SECRET, Harness
from tests.fake_spotify import make_track
from tests.test_history_import import EXPORT, write


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_and_folder_is_private_under_umask_000(
    harness: Harness, tmp_path: Path, open_umask: None
) -> None:
    export = write(tmp_path / "export" / "Streaming_History_Audio_2024_0.json", EXPORT)
    assert harness.run("history", "import", str(export)).exit_code == 0
    data = Path(harness.env["SPOTIVIZ_DATA_DIR"])
    assert mode(data) == 0o700
    made = sorted(data.iterdir())
    assert made and all(mode(f) == 0o600 for f in made), [(f.name, oct(mode(f))) for f in made]

    harness.fake.library.top_tracks["medium_term"] = [make_track(1)]
    harness.log_in(expires_in=0)  # the next command renews the login: the lock file is made
    assert harness.run("top-tracks").exit_code == 0
    config = Path(harness.env["SPOTIVIZ_CONFIG_DIR"])
    assert mode(config) == 0o700 and mode(config / "refresh.lock") == 0o600


def test_the_browser_starts_without_spotiviz_settings_or_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "browser-env.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import os, sys\nopen({str(seen)!r}, 'w').write('\\n'.join(sorted(os.environ)))\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser} %s")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SPOTIVIZ_DATA_DIR", str(tmp_path))
    assert Services().open_browser("http://127.0.0.1:9/authorize")
    for _ in range(200):  # the browser runs on its own
        if seen.exists() and seen.read_text():
            break
        time.sleep(0.05)
    names = seen.read_text().split()
    assert "BROWSER" in names and "SPOTIFY_CLIENT_SECRET" not in names and "SPOTIVIZ_DATA_DIR" not in names
    assert os.environ["SPOTIFY_CLIENT_SECRET"] == CLIENT_SECRET  # spotiviz itself still has it
