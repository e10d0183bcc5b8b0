"""What the benchmarks of whole commands share: a spotiviz command run as a user runs it, timed, over
a synthetic history generated and imported once."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.history_data import write_extended  # noqa: E402
from spotiviz_cli.history import actions  # noqa: E402
from spotiviz_cli.services import Services  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """A new `python -m spotiviz_cli ARGS` process: its wall time and its stdout; failing stops the run."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "spotiviz_cli", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout


def median_of(args: list[str], env: dict[str, str], runs: int) -> float:
    run(args, env)  # once to warm the file cache, as for someone who just used it
    return statistics.median(run(args, env)[0] for _ in range(runs))


def history_options(description: str | None, plays: int) -> argparse.Namespace:
    """The options of a benchmark over an imported synthetic history: --plays, --data, --db, --runs."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=plays)
    parser.add_argument("--data", type=Path, help="the generated export files (made when missing)")
    parser.add_argument("--db", type=Path, help="the data folder of the imported history (made when missing)")
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def imported_history(options: argparse.Namespace, scratch: Path, start_year: int) -> Path:
    """The data folder of the history `options` name: its export files generated (from `start_year`) and
    imported where they are missing, in `scratch` unless --data and --db say where."""
    source = options.data or scratch / "export"
    files = sorted(source.glob("Streaming_History_Audio_*.json")) if source.exists() else []
    if not files:
        print(f"generating {options.plays:,} plays from {start_year} ...", flush=True)
        files = write_extended(source, options.plays, start_year=start_year)
    data: Path = options.db or scratch / "data"
    if not (data / "history.sqlite3").exists():
        print("importing ...", flush=True)
        actions.import_paths(Services(environ={"SPOTIVIZ_DATA_DIR": str(data)}, cwd=ROOT), files)
    return data
