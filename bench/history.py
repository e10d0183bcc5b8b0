"""History benchmark: importing a heavy listener's lifetime against the plain floor, re-import, and stats.

The synthetic extended-history files (bench/history_data.py) hold a heavy listener's lifetime: about
20,000 plays a year, but never before 2007 (imports refuse times before 2006), so 1,000,000 plays span
2007-2026 at about 50,000 a year. In one run it measures:
- the floor: json.load of every file plus one executemany of the same fields into a bare SQLite table;
- `history import` of the same files into a new database, then again (every play a duplicate);
- the account data of the last year (the same plays again, minute precision, no URIs) into that history:
  every record merges into its extended twin (the cost of the merge of sources);
- `history stats` over all of it and over one year (the figures, in-process; and the whole command);
- peak memory (max RSS) of an import of N files and of 4N files, each in a fresh process.

    python bench/history.py [--plays 1000000] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.history_data import write_extended
from spotiviz_cli.history import actions
from spotiviz_cli.services import Services

FIELDS = (
    "ts", "ms_played", "master_metadata_track_name", "master_metadata_album_artist_name",
    "master_metadata_album_album_name", "spotify_track_uri", "episode_name", "episode_show_name",
    "reason_start", "reason_end", "shuffle", "skipped", "platform", "offline_timestamp", "conn_country",
)  # fmt: skip


def floor(files: list[Path], db_path: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute(f"CREATE TABLE plain ({', '.join(f'c{i}' for i in range(len(FIELDS)))})")
    db.execute("BEGIN")
    insert = f"INSERT INTO plain VALUES ({', '.join('?' * len(FIELDS))})"
    for file in files:
        with file.open("rb") as handle:
            records = json.load(handle)
        db.executemany(insert, ([r.get(f) for f in FIELDS] for r in records))
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - started


def write_account(files: list[Path], folder: Path) -> Path:
    """The account data's copy of the plays in `files`: end minute, names and ms played only."""
    records = []
    for file in files:
        for r in json.loads(file.read_text()):
            if r["master_metadata_track_name"]:
                records.append(
                    {
                        "endTime": r["ts"][:10] + " " + r["ts"][11:16],
                        "artistName": r["master_metadata_album_artist_name"],
                        "trackName": r["master_metadata_track_name"],
                        "msPlayed": r["ms_played"],
                    }
                )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "StreamingHistory_music_0.json"
    path.write_text(json.dumps(records))
    return path


def timed(fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def peak_rss_of_import(files: list[Path], folder: Path) -> float:
    """MiB of max RSS of a fresh process importing `files`."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from spotiviz_cli.history import actions\n"
        "from spotiviz_cli.services import Services\n"
        f"s = Services(environ={{'SPOTIVIZ_DATA_DIR': {str(folder)!r}}}, cwd=Path('.'))\n"
        f"actions.import_paths(s, [Path(p) for p in {[str(f) for f in files]!r}])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="keep the generated files here (reused when present)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        source = options.data or work / "export"
        files = sorted(source.glob("Streaming_History_Audio_*.json")) if source.exists() else []
        if not files:
            print(f"generating {options.plays:,} plays ...", flush=True)
            years = min(max(1, round(options.plays / 20_000)), 2026 - 2007)
            files = write_extended(source, options.plays, start_year=2026 - years)
        size = sum(f.stat().st_size for f in files) / 2**20
        print(f"{len(files)} files, {size:,.0f} MiB of JSON")

        # first, while this process is small: a child started later inherits its peak RSS on Linux
        quarter = max(1, len(files) // 4)
        small = peak_rss_of_import(files[:quarter], work / "rss-small")
        large = peak_rss_of_import(files[: quarter * 4], work / "rss-large")

        services = Services(environ={"SPOTIVIZ_DATA_DIR": str(work / "data")}, cwd=work)
        floor_s = floor(files, work / "floor-1.sqlite3")
        import_s, imported = timed(actions.import_paths, services, files)
        reimport_s, again = timed(actions.import_paths, services, files)
        floor_s = min(floor_s, floor(files, work / "floor-2.sqlite3"))  # the better of two floors
        account = write_account(files[-2:], work / "account")
        account_s, merged = timed(actions.import_paths, services, [account])
        all_s, everything = timed(lambda: actions.history_stats(services))
        year = 2025
        year_s, one_year = timed(lambda: actions.history_stats(services, year=year))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "spotiviz_cli", "history", "stats", "--year", str(year), "--json"],
            check=True,
            capture_output=True,
            env={"SPOTIVIZ_DATA_DIR": str(work / "data"), "PATH": ""},
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        command_s = time.perf_counter() - started

        print(f"{'step':<44} {'seconds':>8} {'vs floor':>9}")
        print(f"{'floor: json.load + executemany, bare table':<44} {floor_s:>8.2f} {1:>8.2f}x")
        print(
            f"{'history import (' + format(imported.added, ',') + ' added)':<44} {import_s:>8.2f} {import_s / floor_s:>8.2f}x"
        )
        print(
            f"{'history import again (' + format(again.duplicates, ',') + ' duplicates)':<44} {reimport_s:>8.2f} {reimport_s / floor_s:>8.2f}x"
        )
        print(
            f"{'account data, last year (' + format(merged.duplicates, ',') + ' merged)':<44} {account_s:>8.2f}"
        )
        print(f"{'stats, all of it (' + format(everything.figures.plays, ',') + ' plays)':<44} {all_s:>8.2f}")
        print(
            f"{'stats, one year (' + format(one_year.figures.plays, ',') + f' plays in {year})':<44} {year_s:>8.3f}"
        )
        print(f"{'history stats --year (whole command)':<44} {command_s:>8.3f}")

        print(
            f"peak memory: {small:,.0f} MiB importing {quarter} files, {large:,.0f} MiB importing {quarter * 4} files"
        )


if __name__ == "__main__":
    main()
