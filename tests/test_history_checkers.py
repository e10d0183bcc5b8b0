"""A large import checks files in two other processes: the same history, the same errors, one zip open.

The exports here are just over importers.PARALLEL_BYTES, made by the benchmark's generator; each file
alone is under it, so importing them one at a time checks them in this process: the reference.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bench.history_data import write_extended
from spotiviz_cli.history import importers, summary
from tests.conftest import Harness

SPAWNED: list[list[str]] = []  # the checker processes started, seen by an audit hook (never removed)
OPENED: list[str] = []
WATCHING: list[bool] = [False]


def _watch(event: str, args: tuple[Any, ...]) -> None:
    if not WATCHING[0]:
        return
    if event == "subprocess.Popen" and "spotiviz_cli.history.checker" in [str(a) for a in args[1] or []]:
        SPAWNED.append([str(a) for a in args[1]])
    if event == "open" and str(args[0]).endswith(".zip"):
        OPENED.append(str(args[0]))


sys.addaudithook(_watch)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("export")
    files = write_extended(folder, 60_000, per_file=15_000, start_year=2022)  # ~40 MiB in 4 files
    assert sum(f.stat().st_size for f in files) > importers.PARALLEL_BYTES
    assert all(f.stat().st_size < importers.PARALLEL_BYTES for f in files)
    return files


def state(harness: Harness) -> tuple[Any, ...]:
    database = Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(database) as db:
        records = db.execute("SELECT * FROM records ORDER BY 1, 2, 3, 4, 5").fetchall()
        return records, summary.snapshot(db), harness.run("history", "stats", "--json").stdout


def watched(harness: Harness, *args: str) -> Any:
    SPAWNED.clear()
    OPENED.clear()
    WATCHING[0] = True
    try:
        return harness.run(*args)
    finally:
        WATCHING[0] = False


def test_a_large_import_checked_elsewhere_is_the_same_history(
    harness: Harness, export: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = watched(harness, "history", "import", *map(str, export), "--json")
    assert result.exit_code == 0, result.output
    assert len(SPAWNED) == 2  # two checkers
    assert json.loads(result.stdout)["added"] > 50_000
    parallel = state(harness)
    database = Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(database) as db:  # made afresh after the rows went in
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'records_by_artist'").fetchone()
    monkeypatch.setenv("SPOTIVIZ_DATA_DIR", str(tmp_path / "one-by-one"))
    harness.env["SPOTIVIZ_DATA_DIR"] = str(tmp_path / "one-by-one")
    for file in export:
        assert watched(harness, "history", "import", str(file)).exit_code == 0
        assert SPAWNED == []  # one file under the size: checked in this process
    assert state(harness) == parallel


def test_a_large_zip_is_opened_once_and_its_bad_record_named(
    harness: Harness, export: list[Path], tmp_path: Path
) -> None:
    broken = json.loads(export[2].read_text())
    broken[123]["ms_played"] = "a lot"
    archive = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for index, file in enumerate(export):
            data = json.dumps(broken) if index == 2 else file.read_text()
            zipped.writestr(f"Spotify Extended Streaming History/{file.name}", data)
    result = watched(harness, "history", "import", str(archive))
    assert result.exit_code == 1
    assert len(SPAWNED) == 2 and len(OPENED) == 1
    assert f"{export[2].name} cannot be imported: record 124 has 'ms_played' 'a lot'" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3").exists()  # nothing kept
