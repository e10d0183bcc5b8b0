"""What the request benchmarks share: the fake Spotify with a logged-in account, and an in-process runner."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typer.testing import CliRunner

from spotiviz_cli.cli import app
from spotiviz_cli.services import Services
from spotiviz_cli.tokens import TokenRecord
from tests.fake_spotify import FakeSpotify, make_artist, make_track
from tests.memkeyring import MemoryKeyring

Runner = Callable[[list[str], int], tuple[float, int]]


@contextmanager
def fake_account(latency: float) -> Iterator[Runner]:
    """A fake Spotify holding a full account; yields run(args, in_flight) -> (seconds, requests made)."""
    fake = FakeSpotify().start()
    fake.register("bench", None)
    lib = fake.library
    for key in ("short_term", "medium_term", "long_term"):
        lib.top_tracks[key] = [make_track(n) for n in range(100)]
        lib.top_artists[key] = [make_artist(n, genres=["indie pop"]) for n in range(50)]
    now = datetime.now(timezone.utc)
    lib.recent = [
        {
            "track": make_track(n),
            "played_at": (now - timedelta(minutes=4 * n)).isoformat().replace("+00:00", "Z"),
        }
        for n in range(50)
    ]
    lib.saved = [{"added_at": "2026-01-01T12:00:00Z", "track": make_track(n)} for n in range(500)]
    access, refresh = fake.issue_tokens("bench", ttl=24 * 3600)
    keyring = MemoryKeyring()
    record = TokenRecord("bench", access, refresh, now + timedelta(hours=23), (), now)
    keyring.set_password("spotiviz", "session", record.to_json())
    fake.latency = latency
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "SPOTIVIZ_ACCOUNTS_URL": fake.accounts_url,
            "SPOTIVIZ_API_URL": fake.api_url,
            "SPOTIVIZ_CONFIG_DIR": folder,
        }

        def run(args: list[str], in_flight: int) -> tuple[float, int]:
            fake.requests.clear()
            services = Services(
                environ=env, cwd=Path(folder), keyring_backend=lambda: keyring, max_in_flight=in_flight
            )
            started = time.perf_counter()
            result = CliRunner().invoke(app, args, obj=services)
            elapsed = time.perf_counter() - started
            if result.exit_code != 0:
                raise SystemExit(f"{args} failed: {result.output}")
            return elapsed, len(fake.requests)

        try:
            yield run
        finally:
            fake.stop()
