"""What the benchmarks of whole commands share: a spotiviz command run as a user runs it, timed."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
