"""Start-up benchmark: median wall time of `spotiviz --help` (and subcommand --help) against the floor.

The floor is a minimal one-command Typer app's `--help`, run by the same interpreter in the same
environment. Every round runs each command once, interleaved, so machine noise hits all alike;
the ratios are what to compare, not the absolute times.

    python bench/startup.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''

# A group parses its own flags before a subcommand's, so `app SUB --help` does more framework work
# than a one-command app's `--help`. This second floor shows that cost apart from spotiviz's own.
GROUP_FLOOR_APP = FLOOR_APP.replace(
    "if __name__",
    """@app.command()
def bye() -> None:
    \"\"\"Say goodbye.\"\"\"


if __name__""",
)


FLOOR = "typer floor: 1-command app --help"


def spotiviz_command() -> list[str]:
    script = shutil.which("spotiviz", path=str(Path(sys.executable).parent))
    return [sys.executable, script] if script else [sys.executable, "-m", "spotiviz_cli"]


def time_once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder) / "floor.py"
        floor.write_text(FLOOR_APP)
        group_floor = Path(folder) / "group_floor.py"
        group_floor.write_text(GROUP_FLOOR_APP)
        spotiviz = spotiviz_command()
        cases = {
            FLOOR: [sys.executable, str(floor), "--help"],
            "typer floor: 2-command app SUB --help": [sys.executable, str(group_floor), "hello", "--help"],
        }
        for args in (["--help"], ["--version"], ["login", "--help"], ["top-tracks", "--help"]):
            argv = [*spotiviz, *args]
            if subprocess.run(argv, capture_output=True, check=False).returncode == 0:
                cases["spotiviz " + " ".join(args)] = argv
            else:
                print(f"(skipped: spotiviz {' '.join(args)} does not exist in this version)")
        for argv in cases.values():  # warm the file cache and .pyc files
            time_once(argv)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(rounds):
            for name, argv in cases.items():
                samples[name].append(time_once(argv))

    floor_median = statistics.median(samples[FLOOR])
    print(f"{'command':<36} {'median':>9} {'vs floor':>9} {'added':>9}   ({rounds} interleaved rounds)")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<36} {median * 1000:>7.1f}ms {median / floor_median:>8.2f}x "
            f"{(median - floor_median) * 1000:>+7.1f}ms"
        )


if __name__ == "__main__":
    main()
