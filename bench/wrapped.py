"""Wrapped benchmark: its eight requests at once, against one after another, against a single request.

In-process, against the fake Spotify over real HTTP with 200 ms added to every request. The
baseline "one request" is `recent --limit 1`: one request plus the same start-up and rendering
path. The goal is `wrapped` well under twice that; one after another it takes about eight times.

    python bench/wrapped.py [--rounds 5] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fake_account

CASES = [
    ("one request (recent --limit 1)", ["recent", "--limit", "1", "--json"], 8),
    ("wrapped, concurrent", ["wrapped"], 8),
    ("wrapped, one by one", ["wrapped"], 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.2)
    options = parser.parse_args()

    with fake_account(options.latency) as run:
        times: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
        counts: dict[str, int] = {}
        for _, args, in_flight in CASES:  # warm-up: imports, connection set-up
            run(args, in_flight)
        for _ in range(options.rounds):
            for name, args, in_flight in CASES:
                elapsed, counts[name] = run(args, in_flight)
                times[name].append(elapsed)
    base = statistics.median(times[CASES[0][0]])
    print(
        f"fake Spotify latency {options.latency * 1000:.0f} ms per request, {options.rounds} interleaved rounds"
    )
    print(f"{'case':<32} {'requests':>8} {'median':>9} {'vs one request':>15}")
    for name, _, _ in CASES:
        median = statistics.median(times[name])
        print(f"{name:<32} {counts[name]:>8} {median * 1000:>7.0f}ms {median / base:>14.2f}x")


if __name__ == "__main__":
    main()
