"""Report benchmark: `spotiviz report` over a ten-year history of 200,000 plays, against start-up.

The report of all of it and of one year are made as a user makes them (a new `python -m spotiviz_cli`
process each time), N times; each is given as its median time, and as that minus the median time of
`spotiviz --version` in the same run. It also gives the page's size and what of it is data. The history
is the synthetic extended export of bench/history_data.py (2016 to 2026), imported once.

    python bench/report.py [--plays 200000] [--data DIR] [--db DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.history_data import write_extended
from bench.process import median_of
from spotiviz_cli import report
from spotiviz_cli.history import actions
from spotiviz_cli.services import Services

ROOT = Path(__file__).resolve().parent.parent
BOUND_S = 2.0  # the bound for a report of a 200,000-play history


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=200_000)
    parser.add_argument("--data", type=Path, help="the generated export files (made when missing)")
    parser.add_argument("--db", type=Path, help="the data folder of the imported history (made when missing)")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        source = options.data or Path(scratch) / "export"
        files = sorted(source.glob("Streaming_History_Audio_*.json")) if source.exists() else []
        if not files:
            print(f"generating {options.plays:,} plays over ten years ...", flush=True)
            files = write_extended(source, options.plays, start_year=2016)
        data = options.db or Path(scratch) / "data"
        if not (data / "history.sqlite3").exists():
            print("importing ...", flush=True)
            actions.import_paths(Services(environ={"SPOTIVIZ_DATA_DIR": str(data)}, cwd=ROOT), files)
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
