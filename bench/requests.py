"""Request benchmark: concurrent paging against the same work done one request after another.

Runs the real commands in-process (the same Services, API client and renderer as the CLI) against
the fake Spotify over real HTTP on 127.0.0.1, with the server adding 200 ms to every request.
Each case runs with spotiviz's concurrency (8 requests in flight) and with 1 in flight, interleaved,
and reports requests made, median wall time and the ratio.

    python bench/requests.py [--rounds 3] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typer.testing import CliRunner

from spotiviz_cli.cli import app
from spotiviz_cli.services import Services
from spotiviz_cli.tokens import TokenRecord
from tests.fake_spotify import FakeSpotify, make_track
from tests.memkeyring import MemoryKeyring

CASES = {
    "top-tracks --limit 100": ["top-tracks", "--limit", "100", "--json"],
    "saved --all (500 saved)": ["saved", "--all", "--json"],
}


def run(
    fake: FakeSpotify, env: dict[str, str], keyring: MemoryKeyring, args: list[str], in_flight: int
) -> tuple[float, int]:
    fake.requests.clear()
    services = Services(environ=env, cwd=Path.cwd(), keyring_backend=lambda: keyring, max_in_flight=in_flight)
    started = time.perf_counter()
    result = CliRunner().invoke(app, args, obj=services)
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"{args} failed: {result.output}")
    return elapsed, len(fake.requests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    options = parser.parse_args()

    fake = FakeSpotify().start()
    fake.register("bench", None)
    fake.library.top_tracks["medium_term"] = [make_track(n) for n in range(100)]
    fake.library.saved = [
        {"added_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00Z", "track": make_track(n)}
        for n in range(500)
    ]
    access, refresh = fake.issue_tokens("bench", ttl=24 * 3600)
    keyring = MemoryKeyring()
    now = time.time()
    record = TokenRecord(
        client_id="bench",
        access_token=access,
        refresh_token=refresh,
        expires_at=datetime.fromtimestamp(now, timezone.utc) + timedelta(hours=23),
        scopes=(),
        authorized_at=datetime.fromtimestamp(now, timezone.utc),
    )
    keyring.set_password("spotiviz", "session", record.to_json())
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "SPOTIVIZ_ACCOUNTS_URL": fake.accounts_url,
            "SPOTIVIZ_API_URL": fake.api_url,
            "SPOTIVIZ_CONFIG_DIR": folder,
            "PATH": os.environ.get("PATH", ""),
        }
        fake.latency = options.latency
        print(
            f"fake Spotify latency {options.latency * 1000:.0f} ms per request, {options.rounds} interleaved rounds"
        )
        print(f"{'case':<26} {'mode':<12} {'requests':>8} {'median':>9} {'ratio':>7}")
        for name, args in CASES.items():
            times: dict[int, list[float]] = {8: [], 1: []}
            counts: dict[int, int] = {}
            for _ in range(options.rounds):
                for in_flight in (8, 1):
                    elapsed, count = run(fake, env, keyring, args, in_flight)
                    times[in_flight].append(elapsed)
                    counts[in_flight] = count
            sequential = statistics.median(times[1])
            for in_flight, label in ((1, "one by one"), (8, "concurrent")):
                median = statistics.median(times[in_flight])
                print(
                    f"{name:<26} {label:<12} {counts[in_flight]:>8} {median * 1000:>7.0f}ms {median / sequential:>6.2f}x"
                )
    fake.stop()


if __name__ == "__main__":
    main()
