"""Report benchmark: `spotiviz report` over a ten-year history of 200,000 plays, against start-up.

The report of all of it and of one year are made as a user makes them (a new `python -m spotiviz_cli`
process each time), N times; each is given as its median time, and as that minus the median time of
`spotiviz --version` in the same run. It also gives the page's size and what of it is data. The history
is the synthetic extended export of bench/history_data.py (2016 to 2026), imported once.

    python bench/report.py [--plays 200000] [--data DIR] [--db DIR] [--runs 5]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.process import history_options, imported_history, median_of
from spotiviz_cli import report

BOUND_S = 2.0  # the bound for a report of a 200,000-play history


def main() -> None:
    options = history_options(__doc__, plays=200_000)
    with tempfile.TemporaryDirectory() as scratch:
        data = imported_history(options, Path(scratch), start_year=2016)
        env = {"SPOTIVIZ_DATA_DIR": str(data), "PATH": "", "TZ": "UTC"}
        page = Path(scratch) / "report.html"
        startup = median_of(["--version"], env, options.runs)
        print(f"spotiviz --version (start-up): {startup:.3f} s, median of {options.runs}")
        print(f"{'command':<40} {'seconds':>8} {'above start-up':>15} {'page':>9} {'data':>9}")
        for period in ([], ["--year", "2025"]):
            args = ["report", *period, "-o", str(page), "--force"]
            seconds = median_of(args, env, options.runs)
            text = page.read_text(encoding="utf-8")
            data_size = len(report.embedded_json(report.embedded(text)).encode())
            flag = "" if seconds < BOUND_S else f"  over {BOUND_S} s"
            print(
                f"{'spotiviz ' + ' '.join(args[:-3]):<40} {seconds:>8.3f} {seconds - startup:>14.3f}s "
                f"{len(text.encode()) / 2**20:>7.2f}MB {data_size / 2**10:>7.0f}KB{flag}"
            )


if __name__ == "__main__":
    main()
