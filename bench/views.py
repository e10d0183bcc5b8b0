"""History views benchmark: each view over a million-play history, against the CLI's own start-up.

Every view runs as a user runs it (a new `python -m spotiviz_cli` process), N times; the figure is its
median time minus the median time of `spotiviz --version` measured in the same run, so a slow or busy
machine shifts both alike. The history is the synthetic extended export of bench/history_data.py,
imported once (kept in --db for later runs).

    python bench/views.py [--plays 1000000] [--data DIR] [--db DIR] [--runs 5]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.process import history_options, imported_history, median_of, run

BOUND_S = 0.3  # the bound for each view, above start-up


def main() -> None:
    options = history_options(__doc__, plays=1_000_000)
    with tempfile.TemporaryDirectory() as scratch:
        years = min(max(1, round(options.plays / 20_000)), 2026 - 2007)
        data = imported_history(options, Path(scratch), start_year=2026 - years)
        env = {"SPOTIVIZ_DATA_DIR": str(data), "PATH": "", "TZ": "UTC", "COLUMNS": "100"}
        _, top = run(["history", "top", "artists", "--limit", "1", "--json"], env)
        artist = json.loads(top)[0]["name"]
        year = "2025"
        views = [
            ["history", "stats", "--json"],
            ["history", "stats"],
            ["history", "stats", "--year", year, "--json"],
            ["history", "artist", artist, "--json"],
            ["history", "top", "tracks", "--limit", "1000", "--json"],
            ["history", "rediscover", "--json"],
            ["wrapped", "--year", year, "--json"],
        ]
        startup = median_of(["--version"], env, options.runs)
        print(f"spotiviz --version (start-up): {startup:.3f} s, median of {options.runs}")
        print(f"{'view':<52} {'seconds':>8} {'above start-up':>15}")
        worst = 0.0
        for args in views:
            seconds = median_of(args, env, options.runs)
            above = seconds - startup
            worst = max(worst, above)
            flag = "" if above < BOUND_S else f"  over {BOUND_S} s"
            print(f"{' '.join(args):<52} {seconds:>8.3f} {above:>14.3f}s{flag}")
        print(f"slowest view: {worst:.3f} s above start-up (bound {BOUND_S} s)")


if __name__ == "__main__":
    main()
