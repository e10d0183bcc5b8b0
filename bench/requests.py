"""Request benchmark: concurrent paging against the same work done one request after another.

Runs the real commands in-process (the same Services, API client and renderer as the CLI) against
the fake Spotify over real HTTP on 127.0.0.1, with the server adding 200 ms to every request.
Each case runs with spotiviz's concurrency (8 requests in flight) and with 1 in flight, interleaved,
and reports requests made, median wall time and the ratio.

    python bench/requests.py [--rounds 3] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fake_account

CASES = {
    "top-tracks --limit 100": ["top-tracks", "--limit", "100", "--json"],
    "saved --all (500 saved)": ["saved", "--all", "--json"],
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    options = parser.parse_args()

    with fake_account(options.latency) as run:
        print(
            f"fake Spotify latency {options.latency * 1000:.0f} ms per request, {options.rounds} interleaved rounds"
        )
        print(f"{'case':<26} {'mode':<12} {'requests':>8} {'median':>9} {'ratio':>7}")
        for name, args in CASES.items():
            times: dict[int, list[float]] = {8: [], 1: []}
            counts: dict[int, int] = {}
            run(args, 8)  # warm-up: imports, connection set-up
            for _ in range(options.rounds):
                for in_flight in (8, 1):
                    elapsed, counts[in_flight] = run(args, in_flight)
                    times[in_flight].append(elapsed)
            sequential = statistics.median(times[1])
            for in_flight, label in ((1, "one by one"), (8, "concurrent")):
                median = statistics.median(times[in_flight])
                print(
                    f"{name:<26} {label:<12} {counts[in_flight]:>8} {median * 1000:>7.0f}ms {median / sequential:>6.2f}x"
                )


if __name__ == "__main__":
    main()
